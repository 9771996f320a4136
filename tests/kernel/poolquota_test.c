/*
 * poolquota_test.c: ExAllocatePoolWithQuotaTag charging the current
 * process: usage, peak and limit, the raise and the NULL past the limit,
 * the charge given back on free, the System process and whole pages never
 * charged, and a process that ends while it still has a charged block.
 */
#define NTMM_WHITEBOX_TEST
#include "ktest.h"
#include "vftest.h"
#include <ps.h>
#include <ob.h>

#define TAG 'atoQ'

/* A process with the given nonpaged-pool limit, and the current thread attached to it. */
static PEPROCESS AttachToNewProcess(SIZE_T NonPagedLimit, PKAPC_STATE ApcState)
{
    PEPROCESS Process;

    if (!NT_SUCCESS(PsCreateProcess("quota", 0, &Process)))
        return NULL;
    Process->QuotaLimit[PsNonPagedPool] = NonPagedLimit;
    KeStackAttachProcess(&Process->Pcb, ApcState);
    return Process;
}

static VOID DetachAndEnd(PEPROCESS Process, PKAPC_STATE ApcState)
{
    KeUnstackDetachProcess(ApcState);
    PsTerminateProcess(Process, STATUS_SUCCESS);
    ObDereferenceObject(Process);
}

/* A charged allocation that raises on failure, through ExAllocatePoolWithQuotaTag or (Pool2) ExAllocatePool2. */
static NTSTATUS AllocateRaisingThrough(BOOLEAN Pool2, SIZE_T Bytes, PVOID *Block)
{
    volatile NTSTATUS Status = STATUS_SUCCESS;

    *Block = NULL;
    _SEH2_TRY {
        if (Pool2)
            *Block = ExAllocatePool2(POOL_FLAG_NON_PAGED | POOL_FLAG_USE_QUOTA | POOL_FLAG_RAISE_ON_FAILURE, Bytes, TAG);
        else
            *Block = ExAllocatePoolWithQuotaTag(NonPagedPool, Bytes, TAG);
    } _SEH2_EXCEPT(EXCEPTION_EXECUTE_HANDLER) {
        Status = _SEH2_GetExceptionCode();
    } _SEH2_END;
    return Status;
}

static NTSTATUS AllocateRaising(SIZE_T Bytes, PVOID *Block)
{
    return AllocateRaisingThrough(FALSE, Bytes, Block);
}

KTEST(pool_quota, charges_the_whole_block_and_gives_it_back)
{
    KT_SKIP_UNDER_VERIFIER(DRIVER_VERIFIER_SPECIAL_POOLING, "special-pool blocks are never charged");
    KAPC_STATE ApcState;
    PEPROCESS Process = AttachToNewProcess(4096, &ApcState);
    PVOID Block, Paged;
    BOOLEAN Charged = FALSE;
    SIZE_T Size;

    KT_ASSERT(Process != NULL);
    Block = ExAllocatePoolWithQuotaTag(NonPagedPool, 100, TAG);
    KT_ASSERT(Block != NULL);
    Size = ExQueryPoolBlockSize(Block, &Charged);
    KT_EXPECT(Charged);
    KT_EXPECT(Size >= 100);
    /* The charge is the block: its header, the caller's bytes and the process pointer at its end. */
    KT_EXPECT_EQ(Process->QuotaUsage[PsNonPagedPool], Size + 8 + sizeof(PVOID));
    KT_EXPECT_EQ(Process->QuotaPeak[PsNonPagedPool], Process->QuotaUsage[PsNonPagedPool]);
    RtlFillMemory(Block, Size, 0xA5);            /* every byte it claims is the caller's */

    Paged = ExAllocatePoolWithQuota(PagedPool, 40);
    KT_ASSERT(Paged != NULL);
    KT_EXPECT(Process->QuotaUsage[PsPagedPool] >= 40);
    ExFreePool(Paged);
    KT_EXPECT_EQ(Process->QuotaUsage[PsPagedPool], 0);

    ExFreePoolWithTag(Block, TAG);
    KT_EXPECT_EQ(Process->QuotaUsage[PsNonPagedPool], 0);
    KT_EXPECT(Process->QuotaPeak[PsNonPagedPool] >= 100);
    DetachAndEnd(Process, &ApcState);
}

KTEST(pool_quota, past_the_limit_raises_or_returns_null)
{
    KT_SKIP_UNDER_VERIFIER(DRIVER_VERIFIER_SPECIAL_POOLING, "special-pool blocks are never charged");
    KAPC_STATE ApcState;
    PEPROCESS Process = AttachToNewProcess(256, &ApcState);
    PVOID First, Second;
    SIZE_T Used;

    KT_ASSERT(Process != NULL);
    KT_EXPECT_EQ(AllocateRaising(200, &First), STATUS_SUCCESS);
    KT_ASSERT(First != NULL);
    Used = Process->QuotaUsage[PsNonPagedPool];
    KT_EXPECT_EQ(AllocateRaising(100, &Second), STATUS_QUOTA_EXCEEDED);
    KT_EXPECT(Second == NULL);
    KT_EXPECT(ExAllocatePoolWithQuotaTag(NonPagedPool | POOL_QUOTA_FAIL_INSTEAD_OF_RAISE, 100, TAG) == NULL);
    KT_EXPECT_EQ(Process->QuotaUsage[PsNonPagedPool], Used);     /* a refused charge changes nothing */
    /* What fits under the limit still works. */
    Second = ExAllocatePoolWithQuotaTag(NonPagedPool | POOL_QUOTA_FAIL_INSTEAD_OF_RAISE, 8, TAG);
    KT_EXPECT(Second != NULL);
    if (Second != NULL)
        ExFreePoolWithTag(Second, TAG);
    ExFreePoolWithTag(First, TAG);
    KT_EXPECT_EQ(Process->QuotaUsage[PsNonPagedPool], 0);
    DetachAndEnd(Process, &ApcState);
}

/* A charge that reaches the limit exactly is allowed; one byte's block past it is not. */
KTEST(pool_quota, a_charge_may_reach_the_limit_exactly)
{
    KT_SKIP_UNDER_VERIFIER(DRIVER_VERIFIER_SPECIAL_POOLING, "special-pool blocks are never charged");
    KAPC_STATE ApcState;
    PEPROCESS Process = AttachToNewProcess((SIZE_T)-1, &ApcState);
    SIZE_T Charge;
    PVOID Block;

    KT_ASSERT(Process != NULL);
    Block = ExAllocatePoolWithQuotaTag(NonPagedPool, 100, TAG);
    KT_ASSERT(Block != NULL);
    Charge = Process->QuotaUsage[PsNonPagedPool];
    ExFreePoolWithTag(Block, TAG);
    Process->QuotaLimit[PsNonPagedPool] = Charge;
    Block = ExAllocatePoolWithQuotaTag(NonPagedPool | POOL_QUOTA_FAIL_INSTEAD_OF_RAISE, 100, TAG);
    KT_EXPECT(Block != NULL);
    KT_EXPECT_EQ(Process->QuotaUsage[PsNonPagedPool], Charge);
    KT_EXPECT(ExAllocatePoolWithQuotaTag(NonPagedPool | POOL_QUOTA_FAIL_INSTEAD_OF_RAISE, 1, TAG) == NULL);
    if (Block != NULL)
        ExFreePoolWithTag(Block, TAG);
    DetachAndEnd(Process, &ApcState);
}

KTEST(pool_quota, the_system_process_and_whole_pages_are_not_charged)
{
    KAPC_STATE ApcState;
    PEPROCESS Process;
    SIZE_T Before = PsInitialSystemProcess->QuotaUsage[PsNonPagedPool];
    BOOLEAN Charged = TRUE;
    PVOID Block = ExAllocatePoolWithQuotaTag(NonPagedPool, 100, TAG);

    KT_ASSERT(Block != NULL);
    ExQueryPoolBlockSize(Block, &Charged);
    KT_EXPECT(!Charged);
    KT_EXPECT_EQ(PsInitialSystemProcess->QuotaUsage[PsNonPagedPool], Before);
    ExFreePoolWithTag(Block, TAG);

    Process = AttachToNewProcess(PAGE_SIZE, &ApcState);
    KT_ASSERT(Process != NULL);
    Block = ExAllocatePoolWithQuotaTag(NonPagedPool, 2 * PAGE_SIZE, TAG);
    KT_ASSERT(Block != NULL);
    ExQueryPoolBlockSize(Block, &Charged);
    KT_EXPECT(!Charged);
    KT_EXPECT_EQ(Process->QuotaUsage[PsNonPagedPool], 0);
    ExFreePoolWithTag(Block, TAG);
    DetachAndEnd(Process, &ApcState);
}

KTEST(pool_quota, running_out_of_pool_raises_or_returns_null)
{
    KAPC_STATE ApcState;
    PEPROCESS Process = AttachToNewProcess((SIZE_T)-1, &ApcState);
    PVOID Block;

    KT_ASSERT(Process != NULL);
    KT_EXPECT_EQ(AllocateRaising(0x7FFFF000, &Block), STATUS_INSUFFICIENT_RESOURCES);
    KT_EXPECT(ExAllocatePoolWithQuotaTag(NonPagedPool | POOL_QUOTA_FAIL_INSTEAD_OF_RAISE, 0x7FFFF000, TAG) == NULL);
    DetachAndEnd(Process, &ApcState);
}

/* A process that has ended while *Block, charged to it, is still allocated; NULL if either cannot be had. */
static PEPROCESS EndWithChargedBlock(PVOID *Block)
{
    KT_SKIP_UNDER_VERIFIER(DRIVER_VERIFIER_SPECIAL_POOLING, "special-pool blocks are never charged");
    KAPC_STATE ApcState;
    PEPROCESS Process = AttachToNewProcess(PAGE_SIZE, &ApcState);

    if (Process == NULL)
        return NULL;
    *Block = ExAllocatePoolWithQuotaTag(NonPagedPool | POOL_QUOTA_FAIL_INSTEAD_OF_RAISE, 64, TAG);
    DetachAndEnd(Process, &ApcState);
    return *Block != NULL ? Process : NULL;
}

/* Each charged block holds a reference: the process object outlives its last charged block. */
KTEST(pool_quota, a_process_that_ends_lives_on_until_its_blocks_are_freed)
{
    ULONG Processes = PsActiveProcessCount;
    PVOID Block = NULL;
    PEPROCESS Process = EndWithChargedBlock(&Block);

    KT_ASSERT(Process != NULL);
    KT_EXPECT_EQ(PsActiveProcessCount, Processes + 1);              /* still an object */
    KT_EXPECT_EQ(OBJECT_TO_OBJECT_HEADER(Process)->PointerCount, 1);
    KT_EXPECT(Process->QuotaUsage[PsNonPagedPool] != 0);
    ExFreePoolWithTag(Block, TAG);                                   /* the last reference */
    KT_EXPECT_EQ(PsActiveProcessCount, Processes);
}

/*
 * The same last free at DISPATCH_LEVEL would delete the process there; NT
 * defers that to a worker thread, ntmm has none and stops (docs/DESIGN.md).
 */
KTEST_BUGCHECK(pool_quota, the_last_block_of_an_ended_process_freed_at_dispatch_level_stops, IRQL_NOT_LESS_OR_EQUAL)
{
    PVOID Block = NULL;
    PEPROCESS Process = EndWithChargedBlock(&Block);
    KIRQL OldIrql;

    KT_ASSERT(Process != NULL);
    KT_BUGCHECK_PARAMETER(1, Process);
    KT_BUGCHECK_PARAMETER(2, DISPATCH_LEVEL);
    KeRaiseIrql(DISPATCH_LEVEL, &OldIrql);
    ExFreePoolWithTag(Block, TAG);
}

KTEST(pool_quota, irps_charged_to_the_process)
{
    KT_SKIP_UNDER_VERIFIER(DRIVER_VERIFIER_SPECIAL_POOLING, "special-pool blocks are never charged");
    KAPC_STATE ApcState;
    PEPROCESS Process = AttachToNewProcess(PAGE_SIZE, &ApcState);
    PIRP Irp;

    KT_ASSERT(Process != NULL);
    Irp = IoAllocateIrp(2, TRUE);
    KT_ASSERT(Irp != NULL);
    KT_EXPECT(Irp->AllocationFlags & IRP_QUOTA_CHARGED);
    KT_EXPECT(Process->QuotaUsage[PsNonPagedPool] >= IoSizeOfIrp(2));
    IoFreeIrp(Irp);
    KT_EXPECT_EQ(Process->QuotaUsage[PsNonPagedPool], 0);
    DetachAndEnd(Process, &ApcState);
}

/* ExAllocatePool2's POOL_FLAG_USE_QUOTA: the same charge, and past the limit NULL or the raise asked for. */
KTEST(pool_quota, pool2_use_quota_charges_the_process)
{
    KT_SKIP_UNDER_VERIFIER(DRIVER_VERIFIER_SPECIAL_POOLING, "special-pool blocks are never charged");
    KAPC_STATE ApcState;
    PEPROCESS Process = AttachToNewProcess(256, &ApcState);
    PUCHAR Block;
    PVOID Raised;
    BOOLEAN Charged = FALSE;

    KT_ASSERT(Process != NULL);
    Block = ExAllocatePool2(POOL_FLAG_NON_PAGED | POOL_FLAG_USE_QUOTA, 200, TAG);
    KT_ASSERT(Block != NULL);
    ExQueryPoolBlockSize(Block, &Charged);
    KT_EXPECT(Charged);
    KT_EXPECT(Process->QuotaUsage[PsNonPagedPool] >= 200);
    KT_EXPECT_EQ(RtlCompareMemoryUlong(Block, 200, 0), 200);
    KT_EXPECT(ExAllocatePool2(POOL_FLAG_NON_PAGED | POOL_FLAG_USE_QUOTA, 100, TAG) == NULL);
    KT_EXPECT_EQ(AllocateRaisingThrough(TRUE, 100, &Raised), STATUS_QUOTA_EXCEEDED);
    KT_EXPECT(Raised == NULL);
    ExFreePoolWithTag(Block, TAG);
    KT_EXPECT_EQ(Process->QuotaUsage[PsNonPagedPool], 0);
    Block = ExAllocatePool2(POOL_FLAG_NON_PAGED | POOL_FLAG_USE_QUOTA | POOL_FLAG_CACHE_ALIGNED, 24, TAG);
    KT_ASSERT(Block != NULL);
    KT_EXPECT_EQ((ULONG_PTR)Block % 64, 0);
    KT_EXPECT(Process->QuotaUsage[PsNonPagedPool] >= 24);
    ExFreePoolWithTag(Block, TAG);
    KT_EXPECT_EQ(Process->QuotaUsage[PsNonPagedPool], 0);
    Block = ExAllocatePoolQuotaZero(NonPagedPoolNx, 64, TAG);
    KT_ASSERT(Block != NULL);
    KT_EXPECT_EQ(RtlCompareMemoryUlong(Block, 64, 0), 64);
    ExFreePoolWithTag(Block, TAG);
    DetachAndEnd(Process, &ApcState);
}

KTEST_BUGCHECK(pool_quota, returning_more_than_was_charged_stops, QUOTA_UNDERFLOW)
{
    KT_BUGCHECK_PARAMETER(1, PsInitialSystemProcess);
    KT_BUGCHECK_PARAMETER(2, PsNonPagedPool);
    KT_BUGCHECK_PARAMETER(4, PsInitialSystemProcess->QuotaUsage[PsNonPagedPool] + 1);
    PsReturnPoolQuota(PsInitialSystemProcess, NonPagedPool, PsInitialSystemProcess->QuotaUsage[PsNonPagedPool] + 1);
}
