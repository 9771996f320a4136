/*
 * vfpool.c: the pool under the verifier: which requests go to special
 * pool (mm/specpool.c) and how its blocks are counted against their tags,
 * and pool tracking, a record of every allocation with the caller that
 * made it, so a leak is reported as the blocks left behind and who
 * allocated them rather than as a tag's byte count alone.
 *
 * Special pool serves a request when the verifier's special pool option
 * is on and the request fits a page with its header, is not charged to a
 * process, and matches special.tag and special.size when they are set
 * (ExAllocatePoolWithTagPriority's special-pool priorities ask for it
 * whatever the tag). Its blocks count against their tag by the bytes
 * asked for.
 *
 * The tracking records are byte ranges in an AVL range tree (rtl/avl.h),
 * found by the address a free is given; each carries its tag, size,
 * caller and the generation it was made in (vf.h), so the runner's leak
 * check lists what a suite allocated and left behind. They are kept at
 * DISPATCH_LEVEL, where the tree is alone on one processor.
 */
#include "exp.h"
#include <ex.h>
#include <vf.h>

#define VF_POOL_FIRST_RECORDS 512

typedef struct _VF_POOL_RECORD {
    RTL_AVL_RANGE_NODE Node;      /* the block's bytes, first to last */
    PVOID CallersAddress;
    ULONG Tag;
    ULONG Generation;
    SIZE_T NumberOfBytes;
    POOL_TYPE PoolType;
} VF_POOL_RECORD, *PVF_POOL_RECORD;

static VF_RECORD_TABLE VfPoolRecords = VF_RECORD_TABLE_INITIALIZER(VF_POOL_RECORD, VF_POOL_FIRST_RECORDS);

/*
 * The memory manager's segments stay in normal pool: a PTE in prototype
 * format names its prototype PTE by an offset that reaches only as far as
 * nonpaged pool (mm/mi.h), and special pool lies beyond. NT's special pool
 * never sees them either: it serves the drivers being verified, not the
 * kernel.
 */
#define EXP_SEGMENT_TAG 'tSmM'

/* Does the verifier want this request in special pool? */
BOOLEAN ExpIsSpecialPoolRequest(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag)
{
    return VfIsEnabled(DRIVER_VERIFIER_SPECIAL_POOLING) && !(PoolType & MUST_SUCCEED_POOL_TYPE_MASK) &&
           (Tag & EXP_TAG_MASK) != EXP_SEGMENT_TAG &&
           (VfOptions.SpecialPoolTag == 0 || (VfOptions.SpecialPoolTag & EXP_TAG_MASK) == (Tag & EXP_TAG_MASK)) &&
           (VfOptions.SpecialPoolSize == 0 || VfOptions.SpecialPoolSize == NumberOfBytes);
}

/* A special-pool block counted against Tag, or NULL (special pool full: the caller uses normal pool). */
PVOID ExpAllocateSpecialPool(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag, ULONG SpecialPoolType,
                             PVOID CallersAddress)
{
    PPOOL_DESCRIPTOR Descriptor = ExpDescriptorFor(PoolType);
    PVOID Block = MmAllocateSpecialPool(NumberOfBytes, Tag, PoolType, SpecialPoolType, CallersAddress);

    if (Block == NULL) {
        VfStatistics.SpecialPoolFallbacks++;
        return NULL;
    }
    VfStatistics.AllocationsSucceededSpecialPool++;
    ExpCounterAdd(Descriptor->RunningAllocs, 1);
    ExpInsertPoolTracker(&Descriptor->Tracker, Tag, NumberOfBytes, PoolType);
    return Block;
}

/*
 * Frees a special-pool block: a tag that is not the block's stops as it
 * does for any block (BAD_POOL_CALLER 0xA); the rest special pool checks.
 */
VOID ExpFreeSpecialPool(PVOID P, ULONG Tag, PVOID CallersAddress)
{
    SIZE_T NumberOfBytes = 0;
    ULONG BlockTag = 0;
    POOL_TYPE PoolType = NonPagedPool;

    if (MmQuerySpecialPoolBlock(P, &NumberOfBytes, &BlockTag, &PoolType) && Tag != 0 &&
        (Tag & EXP_TAG_MASK) != (BlockTag & EXP_TAG_MASK))
        KeBugCheckEx(BAD_POOL_CALLER, BAD_POOL_WRONG_TAG, (ULONG_PTR)P, BlockTag, Tag);
    MmFreeSpecialPool(P, CallersAddress);
    ExpCounterAdd(ExpDescriptorFor(PoolType)->RunningDeAllocs, 1);
    ExpRemovePoolTracker(&ExpDescriptorFor(PoolType)->Tracker, BlockTag, NumberOfBytes, PoolType);
}

/* Records an allocation with its caller (pool tracking); a record that cannot be had is counted as lost. */
VOID VfTrackPoolAllocation(PVOID P, ULONG Tag, SIZE_T NumberOfBytes, POOL_TYPE PoolType, PVOID CallersAddress)
{
    KIRQL OldIrql = VfLockTables();
    PVF_POOL_RECORD Record = VfInsertRecord(&VfPoolRecords, (ULONG_PTR)P,
                                            (ULONG_PTR)P + (NumberOfBytes != 0 ? NumberOfBytes - 1 : 0));

    if (Record != NULL) {
        Record->CallersAddress = CallersAddress;
        Record->Tag = Tag & EXP_TAG_MASK;
        Record->Generation = VfGeneration;
        Record->NumberOfBytes = NumberOfBytes;
        Record->PoolType = (POOL_TYPE)(PoolType & BASE_POOL_TYPE_MASK);
    }
    VfUnlockTables(OldIrql);
}

/*
 * Forgets the allocation at P, if one was recorded, and with it (deadlock
 * detection) any spin lock that lived in its bytes.
 */
VOID VfUntrackPoolAllocation(PVOID P)
{
    VF_POOL_RECORD Record;

    if (VfRemoveRecord(&VfPoolRecords, (ULONG_PTR)P, &Record) && VfIsEnabled(DRIVER_VERIFIER_DEADLOCK_DETECTION))
        VfDeadlockDeleteMemoryRange(P, Record.NumberOfBytes);
}

/*
 * Prints every recorded allocation of Tag (0: of any tag) made since
 * Generation, with its size and the caller that made it; returns how many.
 */
ULONG VfReportPoolAllocations(ULONG Generation, ULONG Tag)
{
    ULONG Count = 0;
    KIRQL OldIrql;

    OldIrql = VfLockTables();
    for (PRTL_AVL_RANGE_NODE Node = RtlAvlFirstRange(&VfPoolRecords.Tree); Node != NULL; Node = RtlAvlNextRange(Node)) {
        PVF_POOL_RECORD Record = CONTAINING_RECORD(Node, VF_POOL_RECORD, Node);
        CHAR Text[sizeof(ULONG) + 1];
        ULONG_PTR Offset;
        PCSTR Name;

        if (Record->Generation < Generation || (Tag != 0 && Record->Tag != (Tag & EXP_TAG_MASK)))
            continue;
        ExpFormatTag(Record->Tag, Text);
        Name = KiSymbolFromAddress((ULONG_PTR)Record->CallersAddress, &Offset);
        DbgPrint("    # pool leak: tag '%s', %u bytes of %s pool at %p, allocated by %s+0x%X\n", Text,
                 (ULONG)Record->NumberOfBytes, Record->PoolType == PagedPool ? "paged" : "nonpaged",
                 (PVOID)Record->Node.StartingVpn, Name != NULL ? Name : "?", Offset);
        Count++;
    }
    if (VfPoolRecords.Pool.Lost != 0)
        DbgPrint("    # pool tracking: %u allocations went unrecorded (no room for their records)\n",
                 VfPoolRecords.Pool.Lost);
    VfUnlockTables(OldIrql);
    return Count;
}

ULONG VfTrackedPoolAllocations(VOID)
{
    return VfPoolRecords.Pool.InUse;
}
