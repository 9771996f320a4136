/*
 * spinlock.c: spin locks for one processor. Holding a lock means running at
 * DISPATCH_LEVEL, which is what keeps other code off the data; the lock word
 * records the holder so that taking a lock twice, or releasing one that is
 * not held, stops the system as NT's checked build does instead of
 * deadlocking a multiprocessor later.
 */
#include <ke.h>

#define KI_LOCK_OWNED 1

VOID NTAPI KeInitializeSpinLock(PKSPIN_LOCK SpinLock)
{
    *SpinLock = 0;
}

VOID NTAPI KeAcquireSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock)
{
    if (KeGetCurrentIrql() < DISPATCH_LEVEL)
        KeBugCheckEx(IRQL_NOT_GREATER_OR_EQUAL, (ULONG_PTR)SpinLock, KeGetCurrentIrql(), DISPATCH_LEVEL, 0);
    if (*SpinLock & KI_LOCK_OWNED)
        KeBugCheckEx(SPIN_LOCK_ALREADY_OWNED, (ULONG_PTR)SpinLock, 0, 0, 0);
    *SpinLock |= KI_LOCK_OWNED;
}

VOID NTAPI KeReleaseSpinLockFromDpcLevel(PKSPIN_LOCK SpinLock)
{
    if ((*SpinLock & KI_LOCK_OWNED) == 0)
        KeBugCheckEx(SPIN_LOCK_NOT_OWNED, (ULONG_PTR)SpinLock, 0, 0, 0);
    *SpinLock &= ~KI_LOCK_OWNED;
}

VOID NTAPI KeAcquireSpinLock(PKSPIN_LOCK SpinLock, PKIRQL OldIrql)
{
    KeRaiseIrql(DISPATCH_LEVEL, OldIrql);
    KeAcquireSpinLockAtDpcLevel(SpinLock);
}

VOID NTAPI KeReleaseSpinLock(PKSPIN_LOCK SpinLock, KIRQL NewIrql)
{
    KeReleaseSpinLockFromDpcLevel(SpinLock);
    KeLowerIrql(NewIrql);
}
