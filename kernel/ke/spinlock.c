/*
 * spinlock.c: spin locks for one processor. Holding a lock means running at
 * DISPATCH_LEVEL, which is what keeps other code off the data; the lock word
 * records the holder so that taking a lock twice, or releasing one that is
 * not held, stops the system as NT's checked build does instead of
 * deadlocking a multiprocessor later. With the verifier's deadlock
 * detection on, the checks are its own (vfdeadlk.c) and every acquire and
 * release is recorded with its caller, so lock orders can be compared.
 */
#include <ke.h>
#include <vf.h>

#define KI_LOCK_OWNED 1

VOID NTAPI KeInitializeSpinLock(PKSPIN_LOCK SpinLock)
{
    *SpinLock = 0;
}

/* Caller is the driver's address, for the verifier's reports. */
static VOID KiAcquireSpinLock(PKSPIN_LOCK SpinLock, PVOID Caller)
{
    if (VfIsEnabled(DRIVER_VERIFIER_DEADLOCK_DETECTION))
        VfDeadlockAcquireResource(SpinLock, Caller);
    if (KeGetCurrentIrql() < DISPATCH_LEVEL)
        KeBugCheckEx(IRQL_NOT_GREATER_OR_EQUAL, (ULONG_PTR)SpinLock, KeGetCurrentIrql(), DISPATCH_LEVEL, 0);
    if (*SpinLock & KI_LOCK_OWNED)
        KeBugCheckEx(SPIN_LOCK_ALREADY_OWNED, (ULONG_PTR)SpinLock, 0, 0, 0);
    *SpinLock |= KI_LOCK_OWNED;
}

static VOID KiReleaseSpinLock(PKSPIN_LOCK SpinLock, BOOLEAN AtDpcLevel, PVOID Caller)
{
    if (VfIsEnabled(DRIVER_VERIFIER_DEADLOCK_DETECTION)) {
        VfCheckSpinLockRelease(SpinLock, AtDpcLevel, (*SpinLock & KI_LOCK_OWNED) != 0);
        VfDeadlockReleaseResource(SpinLock, Caller);
    }
    if ((*SpinLock & KI_LOCK_OWNED) == 0)
        KeBugCheckEx(SPIN_LOCK_NOT_OWNED, (ULONG_PTR)SpinLock, 0, 0, 0);
    *SpinLock &= ~KI_LOCK_OWNED;
}

VOID NTAPI KeAcquireSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock)
{
    if (VfIsEnabled(DRIVER_VERIFIER_DEADLOCK_DETECTION))
        VfCheckSpinLockAcquire(SpinLock, TRUE);
    KiAcquireSpinLock(SpinLock, __builtin_return_address(0));
}

VOID NTAPI KeReleaseSpinLockFromDpcLevel(PKSPIN_LOCK SpinLock)
{
    KiReleaseSpinLock(SpinLock, TRUE, __builtin_return_address(0));
}

VOID NTAPI KeAcquireSpinLock(PKSPIN_LOCK SpinLock, PKIRQL OldIrql)
{
    if (VfIsEnabled(DRIVER_VERIFIER_DEADLOCK_DETECTION))
        VfCheckSpinLockAcquire(SpinLock, FALSE);
    KeRaiseIrql(DISPATCH_LEVEL, OldIrql);
    KiAcquireSpinLock(SpinLock, __builtin_return_address(0));
}

VOID NTAPI KeReleaseSpinLock(PKSPIN_LOCK SpinLock, KIRQL NewIrql)
{
    KiReleaseSpinLock(SpinLock, FALSE, __builtin_return_address(0));
    KeLowerIrql(NewIrql);
}
