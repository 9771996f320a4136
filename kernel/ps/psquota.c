/*
 * psquota.c: pool quota, the bytes of each pool a process may hold through
 * ExAllocatePoolWithQuotaTag. A charge past the limit fails with
 * STATUS_QUOTA_EXCEEDED and changes nothing; returning more than was
 * charged is a broken invariant and stops with QUOTA_UNDERFLOW. NT raises
 * a limit on demand while the system has pool to spare; ntmm's limits are
 * what the process was given (PsCreateProcess: none).
 */
#include <ps.h>

static PS_QUOTA_TYPE PspPoolQuotaType(POOL_TYPE PoolType)
{
    return (PoolType & BASE_POOL_TYPE_MASK) ? PsPagedPool : PsNonPagedPool;
}

NTSTATUS NTAPI PsChargeProcessPoolQuota(PEPROCESS Process, POOL_TYPE PoolType, ULONG_PTR Amount)
{
    PS_QUOTA_TYPE Type = PspPoolQuotaType(PoolType);
    NTSTATUS Status = STATUS_SUCCESS;
    KIRQL OldIrql;

    /* Charges come from pool allocations at up to DISPATCH_LEVEL: the counters are kept there. */
    KeRaiseIrql(DISPATCH_LEVEL, &OldIrql);
    if (Amount > Process->QuotaLimit[Type] - Process->QuotaUsage[Type]) {
        Status = STATUS_QUOTA_EXCEEDED;
    } else {
        Process->QuotaUsage[Type] += Amount;
        if (Process->QuotaUsage[Type] > Process->QuotaPeak[Type])
            Process->QuotaPeak[Type] = Process->QuotaUsage[Type];
    }
    KeLowerIrql(OldIrql);
    return Status;
}

VOID NTAPI PsReturnPoolQuota(PEPROCESS Process, POOL_TYPE PoolType, ULONG_PTR Amount)
{
    PS_QUOTA_TYPE Type = PspPoolQuotaType(PoolType);
    KIRQL OldIrql;

    KeRaiseIrql(DISPATCH_LEVEL, &OldIrql);
    if (Amount > Process->QuotaUsage[Type])
        KeBugCheckEx(QUOTA_UNDERFLOW, (ULONG_PTR)Process, Type, Process->QuotaUsage[Type], Amount);
    Process->QuotaUsage[Type] -= Amount;
    KeLowerIrql(OldIrql);
}
