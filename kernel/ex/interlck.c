/*
 * interlck.c: the executive's interlocked operations on lists and counters
 * that a caller guards with a spin lock of its own (ExInterlocked*), and
 * the x86 helpers that need none (Exfi386* and Exi386*, SLISTs).
 *
 * NT lets these be called at any IRQL, a device's included, so the lock is
 * held with every interrupt masked (HIGH_LEVEL) rather than at
 * DISPATCH_LEVEL. A lock the caller already holds stops with
 * SPIN_LOCK_ALREADY_OWNED, and the list operations check their links as
 * the inline list helpers do (KERNEL_SECURITY_CHECK_FAILURE).
 */
#include <ntddk.h>

static KIRQL ExpAcquireInterlockedLock(PKSPIN_LOCK Lock)
{
    KIRQL OldIrql;

    KeRaiseIrql(HIGH_LEVEL, &OldIrql);
    KeAcquireSpinLockAtDpcLevel(Lock);
    return OldIrql;
}

static VOID ExpReleaseInterlockedLock(PKSPIN_LOCK Lock, KIRQL OldIrql)
{
    KeReleaseSpinLockFromDpcLevel(Lock);
    KeLowerIrql(OldIrql);
}

/* --- Doubly and singly linked lists: each returns the entry that was first (last), or NULL -- */

static PLIST_ENTRY ExpInterlockedInsertList(PLIST_ENTRY ListHead, PLIST_ENTRY ListEntry, PKSPIN_LOCK Lock,
                                            BOOLEAN AtHead)
{
    KIRQL OldIrql = ExpAcquireInterlockedLock(Lock);
    PLIST_ENTRY Neighbour = IsListEmpty(ListHead) ? NULL : AtHead ? ListHead->Flink : ListHead->Blink;

    if (AtHead)
        InsertHeadList(ListHead, ListEntry);
    else
        InsertTailList(ListHead, ListEntry);
    ExpReleaseInterlockedLock(Lock, OldIrql);
    return Neighbour;
}

PLIST_ENTRY FASTCALL ExfInterlockedInsertHeadList(PLIST_ENTRY ListHead, PLIST_ENTRY ListEntry, PKSPIN_LOCK Lock)
{
    return ExpInterlockedInsertList(ListHead, ListEntry, Lock, TRUE);
}

PLIST_ENTRY FASTCALL ExfInterlockedInsertTailList(PLIST_ENTRY ListHead, PLIST_ENTRY ListEntry, PKSPIN_LOCK Lock)
{
    return ExpInterlockedInsertList(ListHead, ListEntry, Lock, FALSE);
}

PLIST_ENTRY FASTCALL ExfInterlockedRemoveHeadList(PLIST_ENTRY ListHead, PKSPIN_LOCK Lock)
{
    KIRQL OldIrql = ExpAcquireInterlockedLock(Lock);
    PLIST_ENTRY First = IsListEmpty(ListHead) ? NULL : RemoveHeadList(ListHead);

    ExpReleaseInterlockedLock(Lock, OldIrql);
    return First;
}

PSINGLE_LIST_ENTRY FASTCALL ExfInterlockedPushEntryList(PSINGLE_LIST_ENTRY ListHead, PSINGLE_LIST_ENTRY ListEntry,
                                                        PKSPIN_LOCK Lock)
{
    KIRQL OldIrql = ExpAcquireInterlockedLock(Lock);
    PSINGLE_LIST_ENTRY First = ListHead->Next;

    PushEntryList(ListHead, ListEntry);
    ExpReleaseInterlockedLock(Lock, OldIrql);
    return First;
}

PSINGLE_LIST_ENTRY FASTCALL ExfInterlockedPopEntryList(PSINGLE_LIST_ENTRY ListHead, PKSPIN_LOCK Lock)
{
    KIRQL OldIrql = ExpAcquireInterlockedLock(Lock);
    PSINGLE_LIST_ENTRY First = PopEntryList(ListHead);

    ExpReleaseInterlockedLock(Lock, OldIrql);
    return First;
}

/* The stdcall exports older drivers link against, over the fastcall ones. */
PLIST_ENTRY NTAPI ExInterlockedInsertHeadList(PLIST_ENTRY ListHead, PLIST_ENTRY ListEntry, PKSPIN_LOCK Lock)
{
    return ExfInterlockedInsertHeadList(ListHead, ListEntry, Lock);
}

PLIST_ENTRY NTAPI ExInterlockedInsertTailList(PLIST_ENTRY ListHead, PLIST_ENTRY ListEntry, PKSPIN_LOCK Lock)
{
    return ExfInterlockedInsertTailList(ListHead, ListEntry, Lock);
}

PLIST_ENTRY NTAPI ExInterlockedRemoveHeadList(PLIST_ENTRY ListHead, PKSPIN_LOCK Lock)
{
    return ExfInterlockedRemoveHeadList(ListHead, Lock);
}

PSINGLE_LIST_ENTRY NTAPI ExInterlockedPushEntryList(PSINGLE_LIST_ENTRY ListHead, PSINGLE_LIST_ENTRY ListEntry,
                                                    PKSPIN_LOCK Lock)
{
    return ExfInterlockedPushEntryList(ListHead, ListEntry, Lock);
}

PSINGLE_LIST_ENTRY NTAPI ExInterlockedPopEntryList(PSINGLE_LIST_ENTRY ListHead, PKSPIN_LOCK Lock)
{
    return ExfInterlockedPopEntryList(ListHead, Lock);
}

/* --- SLISTs: cmpxchg8b needs no lock, so the one a caller passes is ignored, as on NT x86 -- */

PSLIST_ENTRY FASTCALL ExInterlockedPushEntrySList(PSLIST_HEADER ListHead, PSLIST_ENTRY ListEntry, PKSPIN_LOCK Lock)
{
    UNREFERENCED_PARAMETER(Lock);
    return InterlockedPushEntrySList(ListHead, ListEntry);
}

PSLIST_ENTRY FASTCALL ExInterlockedPopEntrySList(PSLIST_HEADER ListHead, PKSPIN_LOCK Lock)
{
    UNREFERENCED_PARAMETER(Lock);
    return InterlockedPopEntrySList(ListHead);
}

PSLIST_ENTRY FASTCALL ExInterlockedFlushSList(PSLIST_HEADER ListHead)
{
    return InterlockedFlushSList(ListHead);
}

/* --- Counters: each returns the value before the addition ---------------------------- */

ULONG FASTCALL ExfInterlockedAddUlong(PULONG Addend, ULONG Increment, PKSPIN_LOCK Lock)
{
    KIRQL OldIrql = ExpAcquireInterlockedLock(Lock);
    ULONG Old = *Addend;

    *Addend = Old + Increment;
    ExpReleaseInterlockedLock(Lock, OldIrql);
    return Old;
}

ULONG NTAPI ExInterlockedAddUlong(PULONG Addend, ULONG Increment, PKSPIN_LOCK Lock)
{
    return ExfInterlockedAddUlong(Addend, Increment, Lock);
}

LARGE_INTEGER NTAPI ExInterlockedAddLargeInteger(PLARGE_INTEGER Addend, LARGE_INTEGER Increment, PKSPIN_LOCK Lock)
{
    KIRQL OldIrql = ExpAcquireInterlockedLock(Lock);
    LARGE_INTEGER Old = *Addend;

    Addend->QuadPart = (LONGLONG)((ULONGLONG)Old.QuadPart + (ULONGLONG)Increment.QuadPart);
    ExpReleaseInterlockedLock(Lock, OldIrql);
    return Old;
}

/*
 * A statistic: the low word gets a locked add and the carry a locked
 * increment of the high word, as NT's lock add / lock adc pair. A reader
 * may see the two halves apart; the sum is never lost.
 */
VOID FASTCALL ExInterlockedAddLargeStatistic(PLARGE_INTEGER Addend, ULONG Increment)
{
    ULONG Old = __atomic_fetch_add(&Addend->LowPart, Increment, __ATOMIC_SEQ_CST);

    if (Old + Increment < Old)
        __atomic_fetch_add(&Addend->HighPart, 1, __ATOMIC_SEQ_CST);
}

/* --- The x86 helpers that answer with the sign of the result ------------------------ */

static INTERLOCKED_RESULT ExpResultOf(LONG Value)
{
    return Value < 0 ? ResultNegative : Value == 0 ? ResultZero : ResultPositive;
}

INTERLOCKED_RESULT FASTCALL Exfi386InterlockedIncrementLong(PLONG Addend)
{
    return ExpResultOf(InterlockedIncrement(Addend));
}

INTERLOCKED_RESULT FASTCALL Exfi386InterlockedDecrementLong(PLONG Addend)
{
    return ExpResultOf(InterlockedDecrement(Addend));
}

ULONG FASTCALL Exfi386InterlockedExchangeUlong(PULONG Target, ULONG Value)
{
    return (ULONG)InterlockedExchange((PLONG)Target, (LONG)Value);
}

INTERLOCKED_RESULT NTAPI Exi386InterlockedIncrementLong(PLONG Addend)
{
    return Exfi386InterlockedIncrementLong(Addend);
}

INTERLOCKED_RESULT NTAPI Exi386InterlockedDecrementLong(PLONG Addend)
{
    return Exfi386InterlockedDecrementLong(Addend);
}

ULONG NTAPI Exi386InterlockedExchangeUlong(PULONG Target, ULONG Value)
{
    return Exfi386InterlockedExchangeUlong(Target, Value);
}
