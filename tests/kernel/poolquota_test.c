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

static NTSTATUS AllocateRaising(SIZE_T Bytes, PVOID *Block)
{
    volatile NTSTATUS Status = STATUS_SUCCESS;

    *Block = NULL;
    _SEH2_TRY {
        *Block = ExAllocatePoolWithQuotaTag(NonPagedPool, Bytes, TAG);
    } _SEH2_EXCEPT(EXCEPTION_EXECUTE_HANDLER) {
        Status = _SEH2_GetExceptionCode();
    } _SEH2_END;
    return Status;
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

/* Each charged block holds a reference: the process object outlives its last charged block. */
KTEST(pool_quota, a_process_that_ends_lives_on_until_its_blocks_are_freed)
{
    KT_SKIP_UNDER_VERIFIER(DRIVER_VERIFIER_SPECIAL_POOLING, "special-pool blocks are never charged");
    KAPC_STATE ApcState;
    PEPROCESS Process = AttachToNewProcess(PAGE_SIZE, &ApcState);
    ULONG Processes;
    PVOID Block;

    KT_ASSERT(Process != NULL);
    Block = ExAllocatePoolWithQuotaTag(NonPagedPool, 64, TAG);
    KT_ASSERT(Block != NULL);
    Processes = PsActiveProcessCount;
    DetachAndEnd(Process, &ApcState);
    KT_EXPECT_EQ(PsActiveProcessCount, Processes);                  /* still an object */
    KT_EXPECT_EQ(OBJECT_TO_OBJECT_HEADER(Process)->PointerCount, 1);
    KT_EXPECT(Process->QuotaUsage[PsNonPagedPool] != 0);
    ExFreePoolWithTag(Block, TAG);                                   /* the last reference */
    KT_EXPECT_EQ(PsActiveProcessCount, Processes - 1);
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

KTEST_BUGCHECK(pool_quota, returning_more_than_was_charged_stops, QUOTA_UNDERFLOW)
{
    KT_BUGCHECK_PARAMETER(1, PsInitialSystemProcess);
    KT_BUGCHECK_PARAMETER(2, PsNonPagedPool);
    KT_BUGCHECK_PARAMETER(4, PsInitialSystemProcess->QuotaUsage[PsNonPagedPool] + 1);
    PsReturnPoolQuota(PsInitialSystemProcess, NonPagedPool, PsInitialSystemProcess->QuotaUsage[PsNonPagedPool] + 1);
}
