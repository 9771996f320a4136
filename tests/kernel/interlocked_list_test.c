/*
 * interlocked_list_test.c: the ExInterlocked* operations under a caller's
 * spin lock, the SLIST Ex forms and the x86 counter helpers: what each
 * returns, that the lock is free and the IRQL back afterwards, and the
 * stops for a held lock and a corrupted list.
 */
#include "ktest.h"
#include "window.h"
#include "vftest.h"

KTEST(interlocked_list, inserts_return_the_old_first_and_last_entries)
{
    LIST_ENTRY Head, A, B, C;
    KSPIN_LOCK Lock;
    KIRQL OldIrql;

    InitializeListHead(&Head);
    KeInitializeSpinLock(&Lock);
    KT_EXPECT(ExInterlockedInsertTailList(&Head, &A, &Lock) == NULL);
    KT_EXPECT(ExInterlockedInsertTailList(&Head, &B, &Lock) == &A);
    KT_EXPECT(ExInterlockedInsertHeadList(&Head, &C, &Lock) == &A);
    /* Order now C, A, B. */
    KT_EXPECT(ExInterlockedRemoveHeadList(&Head, &Lock) == &C);
    KT_EXPECT(ExInterlockedRemoveHeadList(&Head, &Lock) == &A);
    KT_EXPECT(ExInterlockedRemoveHeadList(&Head, &Lock) == &B);
    KT_EXPECT(IsListEmpty(&Head));
    KT_EXPECT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
    /* The lock is free again: taking it does not stop. */
    KeAcquireSpinLock(&Lock, &OldIrql);
    KeReleaseSpinLock(&Lock, OldIrql);
}

KTEST(interlocked_list, remove_head_of_an_empty_list_is_null)
{
    LIST_ENTRY Head;
    KSPIN_LOCK Lock;

    InitializeListHead(&Head);
    KeInitializeSpinLock(&Lock);
    KT_EXPECT(ExInterlockedRemoveHeadList(&Head, &Lock) == NULL);
    KT_EXPECT(ExfInterlockedRemoveHeadList(&Head, &Lock) == NULL);
    KT_EXPECT(IsListEmpty(&Head));
}

KTEST(interlocked_list, usable_at_any_irql)
{
    LIST_ENTRY Head, A;
    KSPIN_LOCK Lock;
    KIRQL OldIrql;

    InitializeListHead(&Head);
    KeInitializeSpinLock(&Lock);
    KeRaiseIrql(HIGH_LEVEL, &OldIrql);
    KT_EXPECT(ExInterlockedInsertHeadList(&Head, &A, &Lock) == NULL);
    KT_EXPECT(ExInterlockedRemoveHeadList(&Head, &Lock) == &A);
    KT_EXPECT_EQ(KeGetCurrentIrql(), HIGH_LEVEL);
    KeLowerIrql(OldIrql);
}

/* A list and lock a DPC shares with the code it interrupts. */
typedef struct _SHARED_LIST {
    LIST_ENTRY Head;
    KSPIN_LOCK Lock;
    LIST_ENTRY DpcEntry;
} SHARED_LIST;

static VOID NTAPI InsertingDpc(PKDPC Dpc, PVOID Context, PVOID Argument1, PVOID Argument2)
{
    SHARED_LIST *Shared = Context;

    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(Argument1);
    UNREFERENCED_PARAMETER(Argument2);
    ExInterlockedInsertTailList(&Shared->Head, &Shared->DpcEntry, &Shared->Lock);
}

/*
 * An interrupt as the lock is let go (before the old IRQL is stored back):
 * its DPC, inserting into the same list under the same lock, runs once the
 * lock is free and the IRQL is down, and both entries land. (Taking the
 * lock raises with interrupts off, so no interrupt comes in as it is
 * taken.)
 */
KTEST(interlocked_list, a_dpc_on_the_same_list_runs_after_the_lock_is_free)
{
    SHARED_LIST Shared;
    LIST_ENTRY Mine;
    KDPC Dpc;

    InitializeListHead(&Shared.Head);
    KeInitializeSpinLock(&Shared.Lock);
    KeInitializeDpc(&Dpc, InsertingDpc, &Shared);
    KtArmInterruptWindow(KiWindowLowerIrql, &Dpc);
    ExInterlockedInsertTailList(&Shared.Head, &Mine, &Shared.Lock);
    KtDisarmInterruptWindow();
    KT_EXPECT(KtInterruptWindowPlayed());
    KT_EXPECT(Shared.Head.Flink == &Mine && Mine.Flink == &Shared.DpcEntry);
    KT_EXPECT(Shared.DpcEntry.Flink == &Shared.Head && Shared.Head.Blink == &Shared.DpcEntry);
    KT_EXPECT_EQ(Shared.Lock, 0);
    KT_EXPECT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
}

KTEST(interlocked_list, singly_linked_push_and_pop)
{
    SINGLE_LIST_ENTRY Head = { NULL }, A, B;
    KSPIN_LOCK Lock;

    KeInitializeSpinLock(&Lock);
    KT_EXPECT(ExInterlockedPopEntryList(&Head, &Lock) == NULL);
    KT_EXPECT(ExInterlockedPushEntryList(&Head, &A, &Lock) == NULL);
    KT_EXPECT(ExInterlockedPushEntryList(&Head, &B, &Lock) == &A);
    KT_EXPECT(ExInterlockedPopEntryList(&Head, &Lock) == &B);
    KT_EXPECT(ExInterlockedPopEntryList(&Head, &Lock) == &A);
    KT_EXPECT(Head.Next == NULL);
}

KTEST(interlocked_list, slist_ex_forms_and_depth)
{
    SLIST_HEADER Head;
    SLIST_ENTRY A, B;
    KSPIN_LOCK Lock;

    KeInitializeSpinLock(&Lock);
    ExInitializeSListHead(&Head);
    KT_EXPECT_EQ(ExQueryDepthSList(&Head), 0);
    KT_EXPECT(ExInterlockedPopEntrySList(&Head, &Lock) == NULL);
    KT_EXPECT(ExInterlockedPushEntrySList(&Head, &A, &Lock) == NULL);
    KT_EXPECT(ExInterlockedPushEntrySList(&Head, &B, &Lock) == &A);
    KT_EXPECT_EQ(ExQueryDepthSList(&Head), 2);
    KT_EXPECT(ExInterlockedPopEntrySList(&Head, &Lock) == &B);
    KT_EXPECT_EQ(QueryDepthSList(&Head), 1);
    KT_EXPECT(ExInterlockedPushEntrySList(&Head, &B, &Lock) == &A);
    KT_EXPECT(ExInterlockedFlushSList(&Head) == &B);
    KT_EXPECT(B.Next == &A);
    KT_EXPECT_EQ(ExQueryDepthSList(&Head), 0);
    KT_EXPECT(ExInterlockedFlushSList(&Head) == NULL);
}

KTEST(interlocked_list, counters_return_the_value_before_and_carry)
{
    ULONG Ulong = MAXULONG;
    LARGE_INTEGER Large, Increment, Old;
    KSPIN_LOCK Lock;

    KeInitializeSpinLock(&Lock);
    KT_EXPECT_EQ(ExInterlockedAddUlong(&Ulong, 2, &Lock), MAXULONG);
    KT_EXPECT_EQ(Ulong, 1);
    Large.QuadPart = 0xFFFFFFFFLL;
    Increment.QuadPart = 1;
    Old = ExInterlockedAddLargeInteger(&Large, Increment, &Lock);
    KT_EXPECT_EQ(Old.QuadPart, 0xFFFFFFFFLL);
    KT_EXPECT_EQ(Large.QuadPart, 0x100000000LL);
    Large.QuadPart = 0xFFFFFFF0LL;
    ExInterlockedAddLargeStatistic(&Large, 0x20);
    KT_EXPECT_EQ(Large.QuadPart, 0x100000010LL);
    ExInterlockedAddLargeStatistic(&Large, 0);
    KT_EXPECT_EQ(Large.QuadPart, 0x100000010LL);
}

KTEST(interlocked_list, x86_helpers_answer_with_the_sign)
{
    LONG Value = -2;
    ULONG Target = 3;

    KT_EXPECT_EQ(Exfi386InterlockedIncrementLong(&Value), ResultNegative);
    KT_EXPECT_EQ(ExInterlockedIncrementLong(&Value, NULL), ResultZero);
    KT_EXPECT_EQ(Exi386InterlockedIncrementLong(&Value), ResultPositive);
    KT_EXPECT_EQ(Exfi386InterlockedDecrementLong(&Value), ResultZero);
    KT_EXPECT_EQ(Exi386InterlockedDecrementLong(&Value), ResultNegative);
    KT_EXPECT_EQ(Value, -1);
    KT_EXPECT_EQ(Exfi386InterlockedExchangeUlong(&Target, 9), 3);
    KT_EXPECT_EQ(Exi386InterlockedExchangeUlong(&Target, 1), 9);
    KT_EXPECT_EQ(ExInterlockedExchangeUlong(&Target, 0, NULL), 1);
}

/* The caller holds the lock it passes: on one processor that is a deadlock NT's checked build reports. */
/*
 * Depth is the header's 16 bits, as on NT x86, whose push adds 0x10001 to
 * the word holding depth and sequence: 65536 entries read as depth 0. The
 * entries are linked all the same, and every one pops back out.
 */
KTEST(interlocked_list, slist_depth_wraps_at_65536_and_every_entry_still_pops)
{
    ULONG Count = MAXUSHORT + 1;
    PSLIST_ENTRY Entries = ExAllocatePoolWithTag(NonPagedPool, Count * sizeof(SLIST_ENTRY), 'tsLS');
    SLIST_HEADER Head;
    ULONG Popped = 0;

    KT_ASSERT(Entries != NULL);
    InitializeSListHead(&Head);
    for (ULONG i = 0; i < Count - 1; i++)
        InterlockedPushEntrySList(&Head, &Entries[i]);
    KT_EXPECT_EQ(ExQueryDepthSList(&Head), MAXUSHORT);
    InterlockedPushEntrySList(&Head, &Entries[Count - 1]);
    KT_EXPECT_EQ(ExQueryDepthSList(&Head), 0);
    for (PSLIST_ENTRY Entry = InterlockedPopEntrySList(&Head); Entry != NULL && Entry == &Entries[Count - 1 - Popped];
         Entry = InterlockedPopEntrySList(&Head))
        Popped++;
    KT_EXPECT_EQ(Popped, Count);
    KT_EXPECT(Head.Next.Next == NULL);
    ExFreePoolWithTag(Entries, 'tsLS');
}

KTEST_BUGCHECK(interlocked_list, a_lock_the_caller_holds_stops, SPIN_LOCK_ALREADY_OWNED)
{
    LIST_ENTRY Head, A;
    KSPIN_LOCK Lock;
    KIRQL OldIrql;

    KT_SKIP_UNDER_VERIFIER(DRIVER_VERIFIER_DEADLOCK_DETECTION, "the verifier stops with its own code (0xC4, 0x1000)");
    InitializeListHead(&Head);
    KeInitializeSpinLock(&Lock);
    KT_BUGCHECK_PARAMETER(1, &Lock);
    KeAcquireSpinLock(&Lock, &OldIrql);
    ExInterlockedInsertTailList(&Head, &A, &Lock);
}

KTEST_BUGCHECK(interlocked_list, a_corrupted_list_stops, KERNEL_SECURITY_CHECK_FAILURE)
{
    LIST_ENTRY Head, A, Stray;
    KSPIN_LOCK Lock;

    InitializeListHead(&Head);
    KeInitializeSpinLock(&Lock);
    ExInterlockedInsertTailList(&Head, &A, &Lock);
    A.Blink = &Stray;                      /* the head's first entry no longer points back */
    KT_BUGCHECK_PARAMETER(1, FAST_FAIL_CORRUPT_LIST_ENTRY);
    ExInterlockedRemoveHeadList(&Head, &Lock);
}
