/*
 * pooldbg.c: the pools as a debugger reads them (the kd shell's !pool and
 * !poolfind): the blocks of the page holding an address, and every block of
 * a pool, each with its size, tag and state. A walk reads headers only on
 * pages the page allocator says are allocated and present, bounds itself to
 * the page, and stops at the first header that cannot be right, so a
 * corrupted pool gives a short answer rather than a fault. The pool is held
 * (its lock IRQL) during a walk, so a DPC cannot change it under the reader.
 */
#include "exp.h"
#include <vf.h>
#include <ex.h>

typedef struct _EXP_FIND_ALLOCATION {
    PUCHAR Address;
    PVOID Start;
    ULONG Pages;
} EXP_FIND_ALLOCATION, *PEXP_FIND_ALLOCATION;

static VOID ExpFindAllocation(PVOID StartingAddress, ULONG Pages, PVOID Context)
{
    PEXP_FIND_ALLOCATION Find = Context;

    if (Find->Address >= (PUCHAR)StartingAddress && Find->Address < (PUCHAR)StartingAddress + Pages * PAGE_SIZE) {
        Find->Start = StartingAddress;
        Find->Pages = Pages;
    }
}

static UCHAR ExpBlockState(PPOOL_HEADER Entry)
{
    if (Entry->PoolType != 0)
        return ExPoolBlockAllocated;
    if (Entry->PoolIndex & POOL_INDEX_CACHED)
        return ExPoolBlockLookaside;
    return Entry->BlockSize < POOL_MINIMUM_UNITS ? ExPoolBlockFragment : ExPoolBlockFree;
}

/* The blocks of one small-block page, in order; FALSE when a header cannot be right (reported as such). */
static BOOLEAN ExpWalkBlocks(PUCHAR Page, PEX_POOL_BLOCK_CALLBACK Callback, PVOID Context)
{
    ULONG Units = 0, Previous = 0;

    while (Units < POOL_PAGE_UNITS) {
        PPOOL_HEADER Entry = (PPOOL_HEADER)(Page + (Units << POOL_BLOCK_SHIFT));
        EX_POOL_BLOCK Block = { Entry, (ULONG)Entry->BlockSize << POOL_BLOCK_SHIFT,
                                (ULONG)Entry->PreviousSize << POOL_BLOCK_SHIFT, Entry->PoolTag, ExpBlockState(Entry) };

        if (Entry->BlockSize == 0 || Units + Entry->BlockSize > POOL_PAGE_UNITS || Entry->PreviousSize != Previous) {
            Block.State = ExPoolBlockCorrupt;
            Callback(&Block, Context);
            return FALSE;
        }
        Callback(&Block, Context);
        Previous = Entry->BlockSize;
        Units += Entry->BlockSize;
    }
    return TRUE;
}

/*
 * Describes the pool page holding VirtualAddress: *PoolType says which pool,
 * *Kind what the page is, and Callback gets its blocks (one for a whole-page
 * allocation, none for the spare page or the big-page table's storage).
 * STATUS_INVALID_ADDRESS outside the pools, STATUS_NOT_FOUND on a pool page
 * no allocation holds, STATUS_IN_PAGE_ERROR on a paged page never touched.
 */
NTSTATUS ExDescribePoolPage(PVOID VirtualAddress, POOL_TYPE *PoolType, PEX_POOL_PAGE_KIND Kind,
                            PEX_POOL_BLOCK_CALLBACK Callback, PVOID Context)
{
    EXP_FIND_ALLOCATION Find = { VirtualAddress, NULL, 0 };
    MI_POOL_PAGE_TYPE Type;
    PPOOL_DESCRIPTOR Descriptor;
    NTSTATUS Status = STATUS_SUCCESS;
    PUCHAR Page = PAGE_ALIGN(VirtualAddress);
    ULONG Tag, Pages;
    KIRQL OldIrql;

    if (!MiIsPoolRange(VirtualAddress, &Type))
        return STATUS_INVALID_ADDRESS;
    *PoolType = Type == MiPagedPoolPages ? PagedPool : NonPagedPool;
    if (!MiIsPoolAddress(VirtualAddress, NULL))
        return STATUS_NOT_FOUND;
    Descriptor = ExpDescriptorFor(*PoolType);
    ExpLockPool(Descriptor, &OldIrql);
    MiEnumeratePoolAllocations(Type, ExpFindAllocation, &Find);
    if (Find.Start != NULL && ExpFindBigPage(Find.Start, &Tag, &Pages)) {
        EX_POOL_BLOCK Block = { Find.Start, Pages * PAGE_SIZE, 0, Tag, ExPoolBlockAllocated };

        *Kind = ExPoolPageBig;
        Callback(&Block, Context);
    } else if (ExpIsBigPageTableStorage(Page)) {
        *Kind = ExPoolPageBigPageTable;
    } else if (Page == Descriptor->SparePage) {
        *Kind = ExPoolPageSpare;
    } else if (!MmIsAddressValid(Page)) {
        Status = STATUS_IN_PAGE_ERROR;
    } else {
        *Kind = ExPoolPageSmallBlocks;
        ExpWalkBlocks(Page, Callback, Context);
    }
    ExpUnlockPool(OldIrql);
    return Status;
}

typedef struct _EXP_WALK_POOL {
    PPOOL_DESCRIPTOR Descriptor;
    PEX_POOL_BLOCK_CALLBACK Callback;
    PVOID Context;
} EXP_WALK_POOL, *PEXP_WALK_POOL;

static VOID ExpWalkAllocationBlocks(PVOID StartingAddress, ULONG Pages, PVOID Context)
{
    PEXP_WALK_POOL Walk = Context;
    ULONG Tag, BigPages;

    if (ExpFindBigPage(StartingAddress, &Tag, &BigPages)) {
        EX_POOL_BLOCK Block = { StartingAddress, BigPages * PAGE_SIZE, 0, Tag, ExPoolBlockAllocated };

        Walk->Callback(&Block, Walk->Context);
        return;
    }
    if (Pages != 1 || ExpIsBigPageTableStorage(StartingAddress) || StartingAddress == Walk->Descriptor->SparePage ||
        VfIsVerifierStorage(StartingAddress) || !MmIsAddressValid(StartingAddress))
        return;
    ExpWalkBlocks(StartingAddress, Walk->Callback, Walk->Context);
}

/* Every block of one pool, whole-page allocations included, in address order. */
VOID ExWalkPoolBlocks(POOL_TYPE PoolType, PEX_POOL_BLOCK_CALLBACK Callback, PVOID Context)
{
    EXP_WALK_POOL Walk = { ExpDescriptorFor(PoolType), Callback, Context };
    KIRQL OldIrql;

    ExpLockPool(Walk.Descriptor, &OldIrql);
    MiEnumeratePoolAllocations((PoolType & BASE_POOL_TYPE_MASK) ? MiPagedPoolPages : MiNonPagedPoolPages,
                               ExpWalkAllocationBlocks, &Walk);
    ExpUnlockPool(OldIrql);
}

/* The tracker's rows (poolmon's and !poolused's table), unsorted; returns how many were copied. */
ULONG ExQueryPoolTags(PEX_POOL_TAG_INFORMATION Rows, ULONG MaximumRows)
{
    ULONG Records = ExpTrackerCount(), Count = 0;

    for (ULONG i = 0; i <= Records && Count < MaximumRows; i++) {
        PPOOL_TRACKER_TABLE Entry = i < Records ? ExpTrackerRecord(i) : &ExpPoolTrackOverflow;
        POOL_TRACKER_COUNTS *NonPaged = &Entry->Counts[NonPagedPool], *Paged = &Entry->Counts[PagedPool];

        if (NonPaged->Allocs + Paged->Allocs == 0)
            continue;
        Rows[Count].Tag = Entry->Key;
        Rows[Count].NonPagedAllocs = NonPaged->Allocs;
        Rows[Count].NonPagedFrees = NonPaged->Frees;
        Rows[Count].NonPagedBytes = NonPaged->Bytes;
        Rows[Count].PagedAllocs = Paged->Allocs;
        Rows[Count].PagedFrees = Paged->Frees;
        Rows[Count].PagedBytes = Paged->Bytes;
        Count++;
    }
    return Count;
}
