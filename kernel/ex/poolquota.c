/*
 * poolquota.c: pool charged to a process, ExAllocatePoolWithQuotaTag and
 * ExAllocatePoolWithQuota, laid out as NT x86 lays them out.
 *
 * A charged block is a small block with one more pointer at its end, which
 * names the process charged; its header's PoolType carries POOL_QUOTA_MASK,
 * so the free path (pool.c) knows to give the charge back. The whole block
 * is charged. The process is referenced for as long as a charged block
 * lives, so a process that ends while one is outstanding stays an object
 * (its address space already gone) until the block is freed: the pointer
 * never dangles. As on NT, the System process is never charged, nor are
 * allocations of a page or more (they have no header to mark).
 */
#include "exp.h"
#include <ps.h>

#define EXP_QUOTA_NONE_TAG 'enoN'
/* Charged blocks must stay small blocks: a page-sized one would lose its header. */
#define EXP_QUOTA_MAXIMUM_BYTES (POOL_BUDDY_MAX - sizeof(PEPROCESS))
#define EXP_QUOTA_PROCESS(Entry) \
    ((PEPROCESS *)((PUCHAR)(Entry) + ((SIZE_T)(Entry)->BlockSize << POOL_BLOCK_SHIFT)) - 1)

/*
 * Like ExAllocatePoolWithTag, but charged to the current process. Running
 * out of pool raises STATUS_INSUFFICIENT_RESOURCES and a charge past the
 * process's limit raises STATUS_QUOTA_EXCEEDED, unless the caller adds
 * POOL_QUOTA_FAIL_INSTEAD_OF_RAISE to PoolType: then both return NULL.
 */
PVOID NTAPI ExAllocatePoolWithQuotaTag(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag)
{
    BOOLEAN Raise = (PoolType & POOL_QUOTA_FAIL_INSTEAD_OF_RAISE) == 0;
    PEPROCESS Process = PsGetCurrentProcess();
    BOOLEAN Charge = Process != PsInitialSystemProcess && NumberOfBytes <= EXP_QUOTA_MAXIMUM_BYTES;
    PPOOL_HEADER Entry;
    NTSTATUS Status;
    PVOID Block;

    PoolType &= ~POOL_QUOTA_FAIL_INSTEAD_OF_RAISE;
    Block = ExAllocatePoolWithTag(PoolType, NumberOfBytes + (Charge ? sizeof(PEPROCESS) : 0), Tag);
    if (Block == NULL) {
        if (Raise)
            ExRaiseStatus(STATUS_INSUFFICIENT_RESOURCES);
        return NULL;
    }
    /* A special-pool block has no header to mark, and is not charged either (DESIGN.md). */
    if (!Charge || PAGE_ALIGN(Block) == Block || MmIsSpecialPoolAddress(Block))
        return Block;

    Entry = POOL_BLOCK_HEADER(Block);
    Status = PsChargeProcessPoolQuota(Process, PoolType, (SIZE_T)Entry->BlockSize << POOL_BLOCK_SHIFT);
    if (!NT_SUCCESS(Status)) {
        ExFreePoolWithTag(Block, Tag);
        if (Raise)
            ExRaiseStatus(Status);
        return NULL;
    }
    ObReferenceObject(Process);
    *EXP_QUOTA_PROCESS(Entry) = Process;
    Entry->PoolType |= POOL_QUOTA_MASK;      /* (type + 1) | mask: the type still decodes as before */
    return Block;
}

PVOID NTAPI ExAllocatePoolWithQuota(POOL_TYPE PoolType, SIZE_T NumberOfBytes)
{
    return ExAllocatePoolWithQuotaTag(PoolType, NumberOfBytes, EXP_QUOTA_NONE_TAG);
}

/* The free path's half: the charge goes back and the block forgets its process. */
VOID ExpReturnPoolQuota(PPOOL_HEADER Entry)
{
    PEPROCESS Process = *EXP_QUOTA_PROCESS(Entry);

    Entry->PoolType &= ~POOL_QUOTA_MASK;
    PsReturnPoolQuota(Process, (POOL_TYPE)((Entry->PoolType - 1) & BASE_POOL_TYPE_MASK),
                      (SIZE_T)Entry->BlockSize << POOL_BLOCK_SHIFT);
    ObDereferenceObject(Process);
}
