/*
 * pool.c: ExAllocatePoolWithTag, ExFreePoolWithTag and their family.
 *
 * Three paths by size (bytes asked for, header not counted):
 *   up to 248 bytes   the per-size lookaside list of the pool type (NT's
 *                     per-processor small-pool lists): a pop or a push;
 *                     misses and overflows fall to the block allocator;
 *   up to 4080 bytes  small blocks carved from pool pages (poolblk.c);
 *   more              whole pages from the memory manager, recorded with
 *                     their tag and length in the big-page table.
 * Cache-aligned types align the body to POOL_CACHE_ALIGNMENT. Every
 * allocation and free is counted against its tag (pooltag.c).
 *
 * Callers are checked as NT checks them: paged pool above APC_LEVEL,
 * nonpaged above DISPATCH_LEVEL, double frees, frees with another tag,
 * frees of addresses no allocation returned stop with BAD_POOL_CALLER and
 * NT's first parameter; a header that disagrees with its neighbours stops
 * with BAD_POOL_HEADER (poolblk.c), the next block's on every free.
 *
 * With the verifier on, every request and free takes the slow path, which
 * knows its caller: requests may fail on purpose (low resources), go to
 * special pool, and be recorded with their caller (vfpool.c); a freed
 * block's spin locks are forgotten by deadlock detection.
 */
#include "exp.h"
#include <ex.h>
#include <vf.h>

#define POOL_NONE_TAG 'enoN'

/* Available pages below which a request of that priority fails rather than drain the system. */
#define POOL_LOW_PRIORITY_RESERVE 256
#define POOL_NORMAL_PRIORITY_RESERVE 32

const KIRQL ExpMaximumIrql[2] = { DISPATCH_LEVEL, APC_LEVEL };

VOID ExInitializePool(VOID)
{
    ExpNonPagedPoolDescriptor.PoolType = NonPagedPool;
    ExpNonPagedPoolDescriptor.LockIrql = DISPATCH_LEVEL;
    ExpPagedPoolDescriptor.PoolType = PagedPool;
    ExpPagedPoolDescriptor.LockIrql = APC_LEVEL;
    for (ULONG i = 0; i < POOL_LIST_HEADS; i++) {
        InitializeListHead(&ExpNonPagedPoolDescriptor.ListHeads[i]);
        InitializeListHead(&ExpPagedPoolDescriptor.ListHeads[i]);
    }
    ExpInitializePoolTracker();
    ExpInitializeSmallPoolLookasides();
    ExpInitializeBigPageTable();
    ExpStartLookasideScan();
}

/*
 * Which of NT's pool types this kernel serves. Session pool has no session
 * here and is served from the system pools, NX pool is nonpaged pool (no NX
 * bit without PAE); DontUseThisType and unknown values are refused.
 */
static BOOLEAN ExpIsValidPoolType(POOL_TYPE PoolType)
{
    ULONG Type = (ULONG)PoolType & ~(POOL_RAISE_IF_ALLOCATION_FAILURE | POOL_QUOTA_FAIL_INSTEAD_OF_RAISE);

    if (Type & POOL_NX_ALLOCATION)
        Type &= ~POOL_NX_ALLOCATION;
    if (Type & SESSION_POOL_MASK)
        Type &= ~SESSION_POOL_MASK;
    return Type <= NonPagedPoolCacheAlignedMustSucceed && Type != DontUseThisType &&
           !(((ULONG)PoolType & POOL_NX_ALLOCATION) && (Type & BASE_POOL_TYPE_MASK));
}

SIZE_T ExpTrackedBytes(PVOID Body)
{
    ULONG Tag, Pages;
    SIZE_T SpecialBytes;
    POOL_TYPE SpecialType;

    if (MmIsSpecialPoolAddress(Body) && MmQuerySpecialPoolBlock(Body, &SpecialBytes, &Tag, &SpecialType))
        return SpecialBytes;
    if (PAGE_ALIGN(Body) == Body && ExpFindBigPage(Body, &Tag, &Pages))
        return (SIZE_T)Pages * PAGE_SIZE;
    return (SIZE_T)POOL_BLOCK_HEADER(Body)->BlockSize << POOL_BLOCK_SHIFT;
}

static PVOID ExpAllocateBigPages(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag)
{
    PPOOL_DESCRIPTOR Descriptor = ExpDescriptorFor(PoolType);
    ULONG Pages = BYTES_TO_PAGES(NumberOfBytes);
    PVOID Va;

    Va = MiAllocatePoolPages((PoolType & BASE_POOL_TYPE_MASK) ? MiPagedPoolPages : MiNonPagedPoolPages,
                             NumberOfBytes);
    if (Va == NULL)
        return NULL;
    if (!ExpInsertBigPage(Va, Tag, Pages, PoolType)) {
        MiFreePoolPages(Va);
        return NULL;
    }
    /* Without the pool's lock: a DPC may be counting its own big allocation. */
    ExpCounterAdd(Descriptor->TotalBigPages, Pages);
    ExpCounterAdd(Descriptor->TotalBytes, Pages * PAGE_SIZE);
    ExpCounterAdd(Descriptor->RunningAllocs, 1);
    ExpInsertPoolTracker(&Descriptor->Tracker, Tag, (SIZE_T)Pages * PAGE_SIZE, PoolType);
    return Va;
}

static PVOID EXP_POOL_CODE ExpAllocateSmallBlock(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag)
{
    PPOOL_DESCRIPTOR Descriptor = ExpDescriptorFor(PoolType);
    ULONG Units = BYTES_TO_POOL_UNITS(NumberOfBytes);
    ULONG Alignment = (PoolType & CACHE_ALIGNED_POOL_TYPE_MASK) ? POOL_CACHE_ALIGNMENT / POOL_SMALLEST_BLOCK : 1;
    PPOOL_HEADER Entry;
    KIRQL OldIrql;

    if (Units < POOL_MINIMUM_UNITS)
        Units = POOL_MINIMUM_UNITS;
    ExpLockPool(Descriptor, &OldIrql);
    Entry = ExpAllocateBlock(Descriptor, Units, Alignment);
    if (Entry != NULL) {
        Entry->PoolTag = Tag;
        Descriptor->RunningAllocs++;
        Descriptor->TotalBytes += Entry->BlockSize << POOL_BLOCK_SHIFT;
    }
    ExpUnlockPool(OldIrql);
    if (Entry == NULL)
        return NULL;
    ExpInsertPoolTracker(&Descriptor->Tracker, Tag, (SIZE_T)Entry->BlockSize << POOL_BLOCK_SHIFT, PoolType);
    return POOL_BLOCK_BODY(Entry);
}

/* An allocation that failed: must-succeed types stop, the raise flag raises, the rest get NULL. */
static PVOID ExpAllocationFailed(POOL_TYPE PoolType, SIZE_T NumberOfBytes)
{
    if (PoolType & MUST_SUCCEED_POOL_TYPE_MASK) {
        ULONG InUse, Total, Resident;

        MiQueryPoolPageCounts((PoolType & BASE_POOL_TYPE_MASK) ? MiPagedPoolPages : MiNonPagedPoolPages,
                              &InUse, &Total, &Resident);
        KeBugCheckEx(MUST_SUCCEED_POOL_EMPTY, NumberOfBytes, InUse, 0, MmAvailablePages);
    }
    if (PoolType & POOL_RAISE_IF_ALLOCATION_FAILURE)
        ExRaiseStatus(STATUS_INSUFFICIENT_RESOURCES);
    return NULL;
}

/* What a request asks of special pool: whatever the verifier's options say, or one side guarded for certain. */
#define EXP_SPECIAL_POOL_BY_OPTIONS MAXULONG

/*
 * Everything but a lookaside hit: the checks that stop bad callers, the
 * verifier's part, then blocks or pages. SpecialPoolType is
 * EXP_SPECIAL_POOL_BY_OPTIONS or the guard ExAllocatePoolWithTagPriority
 * asked for.
 */
static PVOID __attribute__((noinline)) EXP_POOL_CODE ExpAllocatePoolSlow(POOL_TYPE PoolType, SIZE_T NumberOfBytes,
                                                                     ULONG Tag, ULONG SpecialPoolType,
                                                                     PVOID CallersAddress)
{
    KIRQL Irql = ExpGetIrql();
    PVOID Block = NULL;

    if (Irql > ExpMaximumIrql[PoolType & BASE_POOL_TYPE_MASK])
        KeBugCheckEx(BAD_POOL_CALLER, BAD_POOL_ALLOCATE_IRQL, Irql, PoolType, NumberOfBytes);
    if (Tag == 0)
        KeBugCheckEx(BAD_POOL_CALLER, BAD_POOL_ZERO_TAG, PoolType, NumberOfBytes,
                     (ULONG_PTR)__builtin_return_address(0));
    if (!ExpIsValidPoolType(PoolType))
        return NULL;
    if (VfOptions.Level != 0) {
        if (!(PoolType & MUST_SUCCEED_POOL_TYPE_MASK) && VF_INJECT_FAILURE(VfResourcePool, CallersAddress))
            return ExpAllocationFailed(PoolType, NumberOfBytes);
        if (SpecialPoolType != EXP_SPECIAL_POOL_BY_OPTIONS ? VfIsEnabled(DRIVER_VERIFIER_SPECIAL_POOLING)
                                                           : ExpIsSpecialPoolRequest(PoolType, NumberOfBytes, Tag))
            Block = ExpAllocateSpecialPool(PoolType, NumberOfBytes, Tag,
                                           SpecialPoolType != EXP_SPECIAL_POOL_BY_OPTIONS ? SpecialPoolType
                                                                                          : VfOptions.SpecialPoolUnderruns,
                                           CallersAddress);
    }
    /* A cache-aligned block may need to give up to an alignment and a free block at its front. */
    if (Block == NULL && (NumberOfBytes > POOL_BUDDY_MAX ||
                          ((PoolType & CACHE_ALIGNED_POOL_TYPE_MASK) &&
                           BYTES_TO_POOL_UNITS(NumberOfBytes) + POOL_CACHE_ALIGNMENT / POOL_SMALLEST_BLOCK +
                                   POOL_MINIMUM_UNITS > POOL_MAXIMUM_UNITS)))
        Block = ExpAllocateBigPages(PoolType, NumberOfBytes, Tag);
    else if (Block == NULL)
        Block = ExpAllocateSmallBlock(PoolType, NumberOfBytes, Tag);
    if (Block == NULL)
        return ExpAllocationFailed(PoolType, NumberOfBytes);
    if (VfOptions.Level & VF_POOL_RECORD_FLAGS)
        VfTrackPoolAllocation(Block, Tag, NumberOfBytes, PoolType, CallersAddress);
    return Block;
}

/* The fast paths' tracking when the list's cached record is another tag's: out of line, so they keep few registers. */
VOID __attribute__((noinline)) EXP_POOL_CODE ExpTrackLookasideMiss(PPOOL_LOOKASIDE Lookaside, ULONG Tag,
                                                                   BOOLEAN Allocate)
{
    if (Allocate)
        ExpInsertPoolTracker(&Lookaside->Tracker, Tag, Lookaside->L.Size, Lookaside->L.Type);
    else
        ExpRemovePoolTracker(&Lookaside->Tracker, Tag, Lookaside->L.Size, Lookaside->L.Type);
}

/*
 * Counts a block of a list's size against Tag, allocated or freed, in the
 * record the list remembers when it is Tag's; a single offset reaches the
 * counters of the list's pool type.
 */
FORCEINLINE VOID ExpTrackLookasideBlock(PPOOL_LOOKASIDE Lookaside, ULONG Tag, BOOLEAN Allocate)
{
    PPOOL_TRACKER_TABLE Tracker = Lookaside->Tracker;
    POOL_TRACKER_COUNTS *Counts = (POOL_TRACKER_COUNTS *)((PUCHAR)Tracker + Lookaside->CountsOffset);

    if (Tracker->Key != (Tag & EXP_TAG_MASK)) {
        ExpTrackLookasideMiss(Lookaside, Tag, Allocate);
    } else if (Allocate) {
        ExpCounterAdd(Counts->Allocs, 1);
        ExpCounterAdd(Counts->Bytes, Lookaside->L.Size);
    } else {
        ExpCounterAdd(Counts->Frees, 1);
        ExpCounterSubtract(Counts->Bytes, Lookaside->L.Size);
    }
}

/*
 * The fast path takes a plain nonpaged or paged request of up to 256 bytes,
 * from a caller at a legal IRQL with a tag, off the lookaside list of its
 * size, when the verifier is off. Anything else, a miss included, goes the
 * slow way. The header is written as one word: the sizes kept, the pool
 * type set, PoolIndex cleared. Inline in each entry point, so the slow
 * path learns that entry point's caller.
 */
FORCEINLINE PVOID ExpAllocatePool(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag, PVOID CallersAddress)
{
    if ((ULONG)PoolType <= PagedPool && NumberOfBytes <= POOL_SMALL_MAXIMUM_BYTES &&
        ExpGetIrql() <= ExpMaximumIrql[PoolType] && Tag != 0 && VfOptions.Level == 0) {
        PPOOL_LOOKASIDE Lookaside = ExpSmallPoolLookasideFor[POOL_SMALL_SIZE_INDEX(NumberOfBytes)][PoolType];
        PSLIST_ENTRY Entry;

        ExpCounterAdd(Lookaside->L.TotalAllocates, 1);
        Entry = ExpInterlockedPopEntrySList(&Lookaside->L.ListHead);
        if (Entry != NULL) {
            PPOOL_HEADER Header = POOL_BLOCK_HEADER(Entry);

            Header->Ulong1 = (Header->Ulong1 & POOL_HEADER_SIZES) | ((PoolType + 1) << POOL_HEADER_TYPE_SHIFT);
            Header->PoolTag = Tag;
            ExpTrackLookasideBlock(Lookaside, Tag, TRUE);
            return Entry;
        }
        ExpCounterAdd(Lookaside->L.AllocateMisses, 1);
    }
    return ExpAllocatePoolSlow(PoolType, NumberOfBytes, Tag, EXP_SPECIAL_POOL_BY_OPTIONS, CallersAddress);
}

PVOID NTAPI EXP_POOL_CODE ExAllocatePoolWithTag(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag)
{
    return ExpAllocatePool(PoolType, NumberOfBytes, Tag, __builtin_return_address(0));
}

PVOID NTAPI ExAllocatePool(POOL_TYPE PoolType, SIZE_T NumberOfBytes)
{
    return ExpAllocatePool(PoolType, NumberOfBytes, POOL_NONE_TAG, __builtin_return_address(0));
}

/*
 * The special-pool priorities ask, as in NT, for special pool with the
 * guard after (Overrun) or before (Underrun) the block when the verifier's
 * special pool is on, whatever the tag; otherwise they are their level.
 */
#define EXP_PRIORITY_SPECIAL_POOL 0x8
#define EXP_PRIORITY_SPECIAL_POOL_UNDERRUN 0x1

PVOID NTAPI ExAllocatePoolWithTagPriority(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag,
                                          EX_POOL_PRIORITY Priority)
{
    ULONG Level = Priority & ~(ULONG)0xF;   /* the special-pool variants share their level */

    if ((PoolType & MUST_SUCCEED_POOL_TYPE_MASK) == 0) {
        if ((Level == LowPoolPriority && MmAvailablePages < POOL_LOW_PRIORITY_RESERVE) ||
            (Level == NormalPoolPriority && MmAvailablePages < POOL_NORMAL_PRIORITY_RESERVE))
            return NULL;
    }
    if (Priority & EXP_PRIORITY_SPECIAL_POOL)
        return ExpAllocatePoolSlow(PoolType, NumberOfBytes, Tag, Priority & EXP_PRIORITY_SPECIAL_POOL_UNDERRUN,
                                   __builtin_return_address(0));
    return ExpAllocatePool(PoolType, NumberOfBytes, Tag, __builtin_return_address(0));
}

static DECLSPEC_NORETURN VOID ExpFreeOfNonPoolAddress(PVOID P)
{
    MI_POOL_PAGE_TYPE Type;

    if ((ULONG_PTR)P < MI_SYSTEM_RANGE_START)
        KeBugCheckEx(BAD_POOL_CALLER, BAD_POOL_USER_ADDRESS, (ULONG_PTR)P, MI_SYSTEM_RANGE_START, 0);
    if (!MiIsPoolRange(P, &Type))
        KeBugCheckEx(BAD_POOL_CALLER, BAD_POOL_NEVER_IN_POOL, (ULONG_PTR)P, 0, 0);
    if (Type == MiPagedPoolPages)
        KeBugCheckEx(BAD_POOL_CALLER, BAD_POOL_PAGED_NOT_ALLOCATED, (ULONG_PTR)P,
                     ((ULONG_PTR)P - (ULONG_PTR)MmPagedPoolStart) >> PAGE_SHIFT,
                     (ULONG_PTR)MmPagedPoolEnd - (ULONG_PTR)MmPagedPoolStart);
    KeBugCheckEx(BAD_POOL_CALLER, BAD_POOL_NONPAGED_NOT_ALLOCATED, (ULONG_PTR)P, 0, 0);
}

static VOID ExpFreeBigPages(PVOID P, ULONG Tag)
{
    ULONG AllocatorTag, Pages;
    MI_POOL_PAGE_TYPE Type;
    POOL_TYPE PoolType;
    PPOOL_DESCRIPTOR Descriptor;
    KIRQL Irql = KeGetCurrentIrql();

    if (!ExpFindBigPage(P, &AllocatorTag, &Pages))
        ExpFreeOfNonPoolAddress(P);
    MiIsPoolAddress(P, &Type);
    PoolType = Type == MiPagedPoolPages ? PagedPool : NonPagedPool;
    if (Irql > ExpMaximumIrql[PoolType])
        KeBugCheckEx(BAD_POOL_CALLER, BAD_POOL_FREE_IRQL, Irql, PoolType, (ULONG_PTR)P);
    if (Tag != 0 && (Tag & EXP_TAG_MASK) != AllocatorTag)
        KeBugCheckEx(BAD_POOL_CALLER, BAD_POOL_WRONG_TAG, (ULONG_PTR)P, AllocatorTag, Tag);
    ExpRemoveBigPage(P, &AllocatorTag, &Pages);
    MiFreePoolPages(P);
    Descriptor = ExpDescriptorFor(PoolType);
    ExpCounterSubtract(Descriptor->TotalBigPages, Pages);
    ExpCounterSubtract(Descriptor->TotalBytes, Pages * PAGE_SIZE);
    ExpCounterAdd(Descriptor->RunningDeAllocs, 1);
    ExpRemovePoolTracker(&Descriptor->Tracker, AllocatorTag, (SIZE_T)Pages * PAGE_SIZE, PoolType);
}

/* Caches a block on its size's lookaside list, free to the caller (a second free is caught) but not to merge. */
FORCEINLINE VOID ExpCacheBlock(PPOOL_LOOKASIDE Lookaside, PPOOL_HEADER Entry)
{
    Entry->PoolType = 0;
    Entry->PoolIndex = POOL_INDEX_CACHED;
    ExpInterlockedPushEntrySList(&Lookaside->L.ListHead, (PSLIST_ENTRY)POOL_BLOCK_BODY(Entry));
}

/*
 * Every free but a clean lookaside push: the verifier's records and special
 * pool first, then all the checks, then big pages, the cache or the
 * block's page.
 */
static VOID __attribute__((noinline)) EXP_POOL_CODE ExpFreePoolSlow(PVOID P, ULONG Tag, PVOID CallersAddress)
{
    MI_POOL_PAGE_TYPE PageType;
    PPOOL_HEADER Entry;
    PPOOL_DESCRIPTOR Descriptor;
    POOL_TYPE PoolType;
    KIRQL Irql, OldIrql;
    ULONG Units;

    if (VfOptions.Level & VF_POOL_RECORD_FLAGS)
        VfUntrackPoolAllocation(P);
    if (MmIsSpecialPoolAddress(P)) {
        ExpFreeSpecialPool(P, Tag, CallersAddress);
        return;
    }
    if (PAGE_ALIGN(P) == P) {
        ExpFreeBigPages(P, Tag);
        return;
    }
    if ((ULONG_PTR)P < MI_SYSTEM_RANGE_START || !MiIsPoolAddress(P, &PageType) || ((ULONG_PTR)P & 7) != 0)
        ExpFreeOfNonPoolAddress(P);
    Entry = POOL_BLOCK_HEADER(P);
    /* The IRQL is checked by the page's pool before the header is read: a paged header may be absent. */
    PoolType = PageType == MiPagedPoolPages ? PagedPool : NonPagedPool;
    Irql = ExpGetIrql();
    if (Irql > ExpMaximumIrql[PoolType])
        KeBugCheckEx(BAD_POOL_CALLER, BAD_POOL_FREE_IRQL, Irql, PoolType, (ULONG_PTR)P);
    if (Entry->PoolType == 0)
        KeBugCheckEx(BAD_POOL_CALLER, BAD_POOL_ALREADY_FREE, 0, Entry->Ulong1, (ULONG_PTR)P);
    if (Tag != 0 && (Tag & EXP_TAG_MASK) != (Entry->PoolTag & EXP_TAG_MASK))
        KeBugCheckEx(BAD_POOL_CALLER, BAD_POOL_WRONG_TAG, (ULONG_PTR)P, Entry->PoolTag, Tag);

    Units = Entry->BlockSize;
    if (Units == 0 || (ULONG_PTR)Entry + (Units << POOL_BLOCK_SHIFT) > (ULONG_PTR)PAGE_END(Entry))
        KeBugCheckEx(BAD_POOL_CALLER, BAD_POOL_INVALID_ADDRESS, (ULONG_PTR)P, 0, 0);
    if (!ExpNextBlockAgrees(Entry, Units))
        ExpBadNextBlock(Entry);
    if (EXP_IS_QUOTA_BLOCK(Entry))
        ExpReturnPoolQuota(Entry);

    Descriptor = ExpDescriptorFor(PoolType);
    if (Units - POOL_MINIMUM_UNITS < POOL_SMALL_LISTS) {
        PPOOL_LOOKASIDE Lookaside = ExpSmallPoolLookasideFor[POOL_SMALL_UNITS_INDEX(Units)][PoolType];

        ExpRemovePoolTracker(&Lookaside->Tracker, Entry->PoolTag, (SIZE_T)Units << POOL_BLOCK_SHIFT, PoolType);
        ExpCounterAdd(Lookaside->L.TotalFrees, 1);
        if (Lookaside->L.ListHead.Depth < Lookaside->L.Depth) {
            ExpCacheBlock(Lookaside, Entry);
            return;
        }
        ExpCounterAdd(Lookaside->L.FreeMisses, 1);
    } else {
        ExpRemovePoolTracker(&Descriptor->Tracker, Entry->PoolTag, (SIZE_T)Units << POOL_BLOCK_SHIFT, PoolType);
    }

    ExpLockPool(Descriptor, &OldIrql);
    Descriptor->RunningDeAllocs++;
    Descriptor->TotalBytes -= Units << POOL_BLOCK_SHIFT;
    ExpFreeBlock(Descriptor, Entry);
    ExpUnlockPool(OldIrql);
}

/*
 * The fast path pushes a small block in use, freed at a legal IRQL with the
 * right tag (or none), onto its size's lookaside list when the list has
 * room, once the next block's header agrees with it. Whatever fails a
 * check goes the slow way, which stops bad callers. It reads a header only
 * in front of an address the pool could have returned (8-byte aligned, not
 * a page start) on a page that is present; the slow path also checks that
 * P's page is allocated. The header's first word is read once and written
 * once. With the verifier on, every free goes the slow way.
 */
FORCEINLINE VOID ExpFreePool(PVOID P, ULONG Tag, PVOID CallersAddress)
{
    /* The header's address only once P is known to be past NULL: C has no pointer in front of it. */
    if (((ULONG_PTR)P & (POOL_SMALLEST_BLOCK - 1)) == 0 && BYTE_OFFSET(P) != 0 && VfOptions.Level == 0 &&
        ExpIsReadablePoolAddress(P)) {
        PPOOL_HEADER Entry = POOL_BLOCK_HEADER(P);
        ULONG Header = Entry->Ulong1;
        ULONG PoolType = (Header >> POOL_HEADER_TYPE_SHIFT) - 1;    /* a free block (0) wraps and fails below */
        ULONG Units = POOL_HEADER_BLOCK_SIZE(Header);

        if (PoolType <= PagedPool && Units - POOL_MINIMUM_UNITS < POOL_SMALL_LISTS) {
            PPOOL_LOOKASIDE Lookaside = ExpSmallPoolLookasideFor[POOL_SMALL_UNITS_INDEX(Units)][PoolType];
            ULONG BlockTag = Entry->PoolTag;

            if (ExpGetIrql() <= Lookaside->MaximumIrql && (((Tag ^ BlockTag) & EXP_TAG_MASK) == 0 || Tag == 0) &&
                ExpNextBlockAgreesBytes(Entry, Lookaside->L.Size) && Lookaside->L.ListHead.Depth < Lookaside->L.Depth) {
                ExpCounterAdd(Lookaside->L.TotalFrees, 1);
                ExpTrackLookasideBlock(Lookaside, BlockTag, FALSE);
                Entry->Ulong1 = (Header & POOL_HEADER_SIZES) | (POOL_INDEX_CACHED << POOL_HEADER_INDEX_SHIFT);
                ExpInterlockedPushEntrySList(&Lookaside->L.ListHead, (PSLIST_ENTRY)P);
                return;
            }
        }
    }
    ExpFreePoolSlow(P, Tag, CallersAddress);
}

VOID NTAPI EXP_POOL_CODE ExFreePoolWithTag(PVOID P, ULONG Tag)
{
    ExpFreePool(P, Tag, __builtin_return_address(0));
}

VOID NTAPI ExFreePool(PVOID P)
{
    ExpFreePool(P, 0, __builtin_return_address(0));
}

SIZE_T NTAPI ExQueryPoolBlockSize(PVOID PoolBlock, PBOOLEAN QuotaCharged)
{
    ULONG Tag, Pages;
    SIZE_T SpecialBytes;
    POOL_TYPE SpecialType;

    if (QuotaCharged != NULL)
        *QuotaCharged = FALSE;
    if (MmIsSpecialPoolAddress(PoolBlock) && MmQuerySpecialPoolBlock(PoolBlock, &SpecialBytes, &Tag, &SpecialType))
        return SpecialBytes;
    if (PAGE_ALIGN(PoolBlock) == PoolBlock && ExpFindBigPage(PoolBlock, &Tag, &Pages))
        return (SIZE_T)Pages * PAGE_SIZE;
    /* A charged block's last pointer names its process: it is not the caller's to use. */
    if (EXP_IS_QUOTA_BLOCK(POOL_BLOCK_HEADER(PoolBlock))) {
        if (QuotaCharged != NULL)
            *QuotaCharged = TRUE;
        return ((SIZE_T)POOL_BLOCK_HEADER(PoolBlock)->BlockSize << POOL_BLOCK_SHIFT) - sizeof(POOL_HEADER) -
               sizeof(PVOID);
    }
    return ((SIZE_T)POOL_BLOCK_HEADER(PoolBlock)->BlockSize << POOL_BLOCK_SHIFT) - sizeof(POOL_HEADER);
}

/*
 * Gives back what the pool keeps for speed: the blocks cached on its own
 * small-block lookaside lists and the spare pages. Used before measuring
 * (leak checks, tests of pool shrinking); afterwards the caches refill.
 */
VOID ExTrimPool(VOID)
{
    for (ULONG t = 0; t < 2; t++) {
        PPOOL_DESCRIPTOR Descriptor = t ? &ExpPagedPoolDescriptor : &ExpNonPagedPoolDescriptor;

        for (ULONG i = 0; i < POOL_SMALL_LISTS; i++) {
            PSLIST_ENTRY Entry = InterlockedFlushSList(&ExpSmallPoolLookasides[t][i].L.ListHead);

            while (Entry != NULL) {
                PSLIST_ENTRY Next = Entry->Next;
                PPOOL_HEADER Header = POOL_BLOCK_HEADER(Entry);
                KIRQL OldIrql;

                ExpLockPool(Descriptor, &OldIrql);
                Header->PoolType = Descriptor->PoolType + 1;
                Header->PoolIndex = 0;
                Descriptor->RunningDeAllocs++;
                Descriptor->TotalBytes -= Header->BlockSize << POOL_BLOCK_SHIFT;
                ExpFreeBlock(Descriptor, Header);
                ExpUnlockPool(OldIrql);
                Entry = Next;
            }
        }
    }
    ExpReleaseSparePages();
}

VOID ExQueryPoolStatistics(POOL_TYPE PoolType, PEX_POOL_STATISTICS Statistics)
{
    PPOOL_DESCRIPTOR Descriptor = ExpDescriptorFor(PoolType);
    KIRQL OldIrql;

    memset(Statistics, 0, sizeof(*Statistics));
    ExpLockPool(Descriptor, &OldIrql);
    Statistics->SmallPages = Descriptor->TotalPages;
    Statistics->BigPages = Descriptor->TotalBigPages;
    Statistics->RunningAllocs = Descriptor->RunningAllocs;
    Statistics->RunningDeAllocs = Descriptor->RunningDeAllocs;
    for (ULONG i = 0; i < POOL_LIST_HEADS; i++) {
        for (PLIST_ENTRY Entry = Descriptor->ListHeads[i].Flink; Entry != &Descriptor->ListHeads[i]; Entry = Entry->Flink) {
            Statistics->FreeBlocks++;
            Statistics->FreeBytes += (SIZE_T)i << POOL_BLOCK_SHIFT;
        }
    }
    ExpUnlockPool(OldIrql);
}

/* Bytes the pool keeps for itself whatever is allocated: descriptors, tag table, small-block lists. */
ULONG ExPoolMetadataBytes(VOID)
{
    return (ULONG)(sizeof(ExpNonPagedPoolDescriptor) + sizeof(ExpPagedPoolDescriptor) + sizeof(ExpSmallPoolLookasides)) +
           ExpTrackerMetadataBytes() + ExpBigPageTableBytes();
}
