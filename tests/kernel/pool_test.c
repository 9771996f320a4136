/* pool_test.c: ExAllocatePoolWithTag and friends: layout, alignment, growth, coalescing, tracking, and the stops. */
#include "ktest.h"
#include <ex.h>
#include <mm.h>
#include "mmtest.h"
#include "../../kernel/ex/exp.h"
#include "window.h"
#include "vftest.h"

#define TAG 'tseT'

/* What tracking counts for a small block: its whole size, header included (a split may leave it a unit over). */
static ULONG BlockBytes(PVOID P)
{
    return (ULONG)POOL_BLOCK_HEADER(P)->BlockSize << POOL_BLOCK_SHIFT;
}

static ULONG TagBytes(ULONG Tag, BOOLEAN Paged)
{
    EX_POOL_TAG_INFORMATION Info;

    ExQueryPoolTag(Tag, &Info);
    return (ULONG)(Paged ? Info.PagedBytes : Info.NonPagedBytes);
}

KTEST(pool, zero_byte_allocation_is_valid)
{
    KT_SKIP_UNDER_SPECIAL_POOL();
    PVOID p = ExAllocatePoolWithTag(NonPagedPool, 0, TAG);

    KT_ASSERT(p != NULL);
    KT_EXPECT_EQ((ULONG_PTR)p & 7, 0);
    KT_EXPECT(ExQueryPoolBlockSize(p, NULL) >= sizeof(LIST_ENTRY));
    ExFreePoolWithTag(p, TAG);
}

KTEST(pool, header_holds_size_type_and_tag)
{
    KT_SKIP_UNDER_SPECIAL_POOL();
    PUCHAR p = ExAllocatePoolWithTag(PagedPool, 100, 'draH');
    PPOOL_HEADER Header;

    KT_ASSERT(p != NULL);
    Header = POOL_BLOCK_HEADER(p);
    KT_EXPECT_EQ(Header->PoolTag, 'draH');
    KT_EXPECT_EQ(Header->PoolType, PagedPool + 1);
    KT_EXPECT_EQ(Header->BlockSize, (100 + 8 + 7) / 8);
    KT_EXPECT_EQ(ExQueryPoolBlockSize(p, NULL), Header->BlockSize * 8 - 8);
    KT_EXPECT((ULONG_PTR)p >= (ULONG_PTR)MmPagedPoolStart && (ULONG_PTR)p < (ULONG_PTR)MmPagedPoolEnd);
    ExFreePoolWithTag(p, 'draH');
}

/* The fast paths read and write the header's first word whole: its masks must be the bit-fields' places. */
KTEST(pool, header_word_masks_match_the_bit_fields)
{
    POOL_HEADER Header;

    Header.Ulong1 = 0;
    Header.PreviousSize = 0x1FF;
    Header.BlockSize = 0x1FF;
    KT_EXPECT_EQ(Header.Ulong1, POOL_HEADER_SIZES);
    Header.Ulong1 = 0;
    Header.PoolIndex = POOL_INDEX_CACHED;
    KT_EXPECT_EQ(Header.Ulong1, POOL_INDEX_CACHED << POOL_HEADER_INDEX_SHIFT);
    Header.Ulong1 = 0;
    Header.PoolType = PagedPool + 1;
    Header.BlockSize = 33;
    KT_EXPECT_EQ(Header.Ulong1, ((PagedPool + 1) << POOL_HEADER_TYPE_SHIFT) | (33 << POOL_HEADER_BLOCK_SHIFT));
    KT_EXPECT_EQ(POOL_HEADER_BLOCK_SIZE(Header.Ulong1), 33);
}

/*
 * The free path looks up an address's 4 MB region before it reads a
 * header: the initial pool's regions, expansion and paged pool are pool
 * (resident only where the initial pool fills its region), the kernel
 * image is not.
 */
KTEST(pool, region_table_knows_the_pools)
{
    ULONG_PTR InitialLast = (ULONG_PTR)MmNonPagedPoolEnd - 1;

    KT_EXPECT_NE(MmPoolRegion[(ULONG_PTR)MmNonPagedPoolStart >> PDE_SHIFT], MM_POOL_REGION_NONE);
    KT_EXPECT_EQ(MmPoolRegion[InitialLast >> PDE_SHIFT],
                 (InitialLast + 1) % PDE_MAPPED_SIZE == 0 ? MM_POOL_REGION_RESIDENT : MM_POOL_REGION_CHECK_PTE);
    KT_EXPECT_EQ(MmPoolRegion[(ULONG_PTR)MmNonPagedPoolExpansionStart >> PDE_SHIFT], MM_POOL_REGION_CHECK_PTE);
    KT_EXPECT_EQ(MmPoolRegion[(ULONG_PTR)MmPagedPoolStart >> PDE_SHIFT], MM_POOL_REGION_CHECK_PTE);
    KT_EXPECT_EQ(MmPoolRegion[((ULONG_PTR)MmPagedPoolEnd - 1) >> PDE_SHIFT], MM_POOL_REGION_CHECK_PTE);
    KT_EXPECT_EQ(MmPoolRegion[(ULONG_PTR)&KeLoaderBlock >> PDE_SHIFT], MM_POOL_REGION_NONE);
    KT_EXPECT_EQ(MmPoolRegion[MM_SYSTEM_PTE_START >> PDE_SHIFT], MM_POOL_REGION_NONE);
}

KTEST(pool, every_pool_type_is_served_with_its_alignment)
{
    KT_SKIP_UNDER_SPECIAL_POOL();
    static const struct { POOL_TYPE Type; ULONG Alignment; BOOLEAN Paged; } Types[] = {
        { NonPagedPool, 8, FALSE }, { PagedPool, 8, TRUE },
        { NonPagedPoolMustSucceed, 8, FALSE }, { NonPagedPoolCacheAligned, 64, FALSE },
        { PagedPoolCacheAligned, 64, TRUE }, { NonPagedPoolCacheAlignedMustSucceed, 64, FALSE },
        { NonPagedPoolSession, 8, FALSE }, { PagedPoolSession, 8, TRUE },
        { NonPagedPoolCacheAlignedSession, 64, FALSE }, { NonPagedPoolNx, 8, FALSE },
        { NonPagedPoolNxCacheAligned, 64, FALSE }, { NonPagedPoolSessionNx, 8, FALSE },
    };
    static const SIZE_T Sizes[] = { 1, 24, 100, 300, 1000, 4000, 4080, 4081, 5000 };

    for (ULONG t = 0; t < RTL_NUMBER_OF(Types); t++) {
        for (ULONG s = 0; s < RTL_NUMBER_OF(Sizes); s++) {
            PUCHAR p = ExAllocatePoolWithTag(Types[t].Type, Sizes[s], TAG);
            MI_POOL_PAGE_TYPE Where;

            KT_ASSERT(p != NULL);
            KT_EXPECT_EQ((ULONG_PTR)p % Types[t].Alignment, 0);
            KT_EXPECT(MiIsPoolAddress(p, &Where));
            KT_EXPECT_EQ(Where == MiPagedPoolPages, Types[t].Paged);
            KT_EXPECT(ExQueryPoolBlockSize(p, NULL) >= Sizes[s]);
            p[0] = 1;
            p[Sizes[s] - 1] = 2;
            ExFreePoolWithTag(p, TAG);
        }
    }
    KT_EXPECT(ExCheckPool(TRUE));
}

KTEST(pool, reserved_and_unknown_pool_types_are_refused)
{
    KT_EXPECT(ExAllocatePoolWithTag(DontUseThisType, 16, TAG) == NULL);
    KT_EXPECT(ExAllocatePoolWithTag(DontUseThisTypeSession, 16, TAG) == NULL);
    KT_EXPECT(ExAllocatePoolWithTag((POOL_TYPE)7, 16, TAG) == NULL);
    KT_EXPECT(ExAllocatePoolWithTag((POOL_TYPE)(POOL_NX_ALLOCATION | PagedPool), 16, TAG) == NULL);
}

KTEST(pool, sizes_around_the_page_boundary)
{
    KT_SKIP_UNDER_SPECIAL_POOL();
    static const SIZE_T Sizes[] = { POOL_BUDDY_MAX - 1, POOL_BUDDY_MAX, POOL_BUDDY_MAX + 1, 4095, 4096,
                                    4097, 8191, 8192, 8193, 3 * 4096 };

    for (ULONG i = 0; i < RTL_NUMBER_OF(Sizes); i++) {
        PUCHAR p = ExAllocatePoolWithTag(NonPagedPool, Sizes[i], TAG);
        BOOLEAN Big = Sizes[i] > POOL_BUDDY_MAX;

        KT_ASSERT(p != NULL);
        KT_EXPECT_EQ(PAGE_ALIGN(p) == p, Big);
        KT_EXPECT_EQ(ExQueryPoolBlockSize(p, NULL), Big ? ROUND_TO_PAGES(Sizes[i]) : ((Sizes[i] + 15) & ~7u) - 8);
        memset(p, 0xA5, Sizes[i]);
        KT_EXPECT_EQ(TagBytes(TAG, FALSE) >= Sizes[i], TRUE);
        ExFreePoolWithTag(p, TAG);
    }
}

/* NT x86's limit: PAGE_SIZE - 16 bytes is still a small block with a header; one more is a page. */
KTEST(pool, the_largest_small_block_is_4080_bytes)
{
    KT_SKIP_UNDER_SPECIAL_POOL();
    static const POOL_TYPE Types[] = { NonPagedPool, PagedPool };

    for (ULONG t = 0; t < RTL_NUMBER_OF(Types); t++) {
        PUCHAR Small = ExAllocatePoolWithTag(Types[t], 4080, TAG);
        PUCHAR Big = ExAllocatePoolWithTag(Types[t], 4081, TAG);
        PPOOL_HEADER Fragment;

        KT_ASSERT(Small != NULL && Big != NULL);
        KT_EXPECT_EQ(BYTE_OFFSET(Small), sizeof(POOL_HEADER));
        KT_EXPECT_EQ(POOL_BLOCK_HEADER(Small)->BlockSize, 511);
        KT_EXPECT_EQ(POOL_BLOCK_HEADER(Small)->PoolTag, TAG);
        KT_EXPECT_EQ(ExQueryPoolBlockSize(Small, NULL), 4080);
        KT_EXPECT_EQ(BYTE_OFFSET(Big), 0);
        memset(Small, 0x5A, 4080);
        KT_EXPECT(ExCheckPool(TRUE));
        /* The unit left over is a free fragment on no list; the walker refuses one that claims to be in use. */
        Fragment = POOL_NEXT_BLOCK(POOL_BLOCK_HEADER(Small));
        KT_EXPECT_EQ(Fragment->BlockSize, 1);
        KT_EXPECT_EQ(Fragment->PoolType, 0);
        Fragment->PoolType = Types[t] + 1;
        KT_EXPECT(!ExCheckPool(FALSE));
        Fragment->PoolType = 0;
        ExFreePoolWithTag(Small, TAG);
        ExFreePoolWithTag(Big, TAG);
        KT_EXPECT(ExCheckPool(TRUE));
    }
}

KTEST(pool, allocate_pool_uses_the_none_tag_and_free_pool_ignores_tags)
{
    KT_SKIP_UNDER_SPECIAL_POOL();
    ULONG Before = TagBytes('enoN', FALSE);
    PVOID p = ExAllocatePool(NonPagedPool, 40);

    KT_ASSERT(p != NULL);
    KT_EXPECT_EQ(POOL_BLOCK_HEADER(p)->PoolTag, 'enoN');
    KT_EXPECT(BlockBytes(p) >= 48);
    KT_EXPECT_EQ(TagBytes('enoN', FALSE), Before + BlockBytes(p));
    ExFreePool(p);
    KT_EXPECT_EQ(TagBytes('enoN', FALSE), Before);
}

KTEST(pool, tracking_counts_allocations_frees_and_bytes_per_tag)
{
    KT_SKIP_UNDER_SPECIAL_POOL();
    EX_POOL_TAG_INFORMATION Before, After;
    PVOID Small, Big, Paged;

    ExQueryPoolTag('kcrT', &Before);
    KtVerifierSuspendLowResources();
    Small = ExAllocatePoolWithTag(NonPagedPool, 50, 'kcrT');
    Big = ExAllocatePoolWithTag(NonPagedPool, 2 * PAGE_SIZE, 'kcrT');
    Paged = ExAllocatePoolWithTag(PagedPool, 10, 'kcrT');
    KtVerifierResumeLowResources();
    KT_ASSERT(Small != NULL && Big != NULL && Paged != NULL);
    ExQueryPoolTag('kcrT', &After);
    KT_EXPECT_EQ(After.NonPagedAllocs, Before.NonPagedAllocs + 2);
    /* A block counts with its header; it may be a unit larger than asked when the rest was too small to keep. */
    KT_EXPECT_EQ(After.NonPagedBytes, Before.NonPagedBytes + ExQueryPoolBlockSize(Small, NULL) + 8 + 2 * PAGE_SIZE);
    KT_EXPECT(ExQueryPoolBlockSize(Small, NULL) >= 56);
    KT_EXPECT_EQ(After.PagedAllocs, Before.PagedAllocs + 1);
    KT_EXPECT_EQ(After.PagedBytes, Before.PagedBytes + ExQueryPoolBlockSize(Paged, NULL) + 8);
    KT_EXPECT(ExQueryPoolBlockSize(Paged, NULL) >= 16);
    ExFreePoolWithTag(Small, 'kcrT');
    ExFreePoolWithTag(Big, 'kcrT');
    ExFreePoolWithTag(Paged, 'kcrT');
    ExQueryPoolTag('kcrT', &After);
    KT_EXPECT_EQ(After.NonPagedFrees, Before.NonPagedFrees + 2);
    KT_EXPECT_EQ(After.PagedFrees, Before.PagedFrees + 1);
    KT_EXPECT_EQ(After.NonPagedBytes, Before.NonPagedBytes);
    KT_EXPECT_EQ(After.PagedBytes, Before.PagedBytes);
    ExDumpPoolTags(8);
}

/*
 * Tags match without the protected bit: a block allocated with it is
 * counted under the plain tag and frees with it, and a big allocation made
 * with the plain tag frees with the bit set.
 */
KTEST(pool, protected_tag_bit_is_ignored_when_matching)
{
    EX_POOL_TAG_INFORMATION Before, During, Protected, After;
    PVOID Small, Big;

    ExQueryPoolTag(TAG, &Before);
    Small = ExAllocatePoolWithTag(NonPagedPool, 16, TAG | PROTECTED_POOL);
    Big = ExAllocatePoolWithTag(NonPagedPool, 2 * PAGE_SIZE, TAG);
    KT_ASSERT(Small != NULL && Big != NULL);
    ExQueryPoolTag(TAG, &During);
    KT_EXPECT(ExQueryPoolTag(TAG | PROTECTED_POOL, &Protected));
    KT_EXPECT_EQ(During.NonPagedAllocs, Before.NonPagedAllocs + 2);
    KT_EXPECT_EQ(Protected.NonPagedAllocs, During.NonPagedAllocs);
    ExFreePoolWithTag(Small, TAG);
    ExFreePoolWithTag(Big, TAG | PROTECTED_POOL);
    ExQueryPoolTag(TAG, &After);
    KT_EXPECT_EQ(After.NonPagedFrees, Before.NonPagedFrees + 2);
    KT_EXPECT_EQ(After.NonPagedBytes, Before.NonPagedBytes);
}

/*
 * Drivers use hundreds of tags: the tracker grows rather than share one
 * overflow entry among the tags past its first table (512 records in a
 * 1024-slot index), so each of 5200 new tags keeps its own counts, a third
 * of them new at DISPATCH_LEVEL (where the index is rebuilt and record
 * blocks added with the caller already at the index's level), and they
 * stay apart after a trim.
 */
KTEST(pool, tracking_gives_every_tag_its_own_counts_past_the_first_table)
{
    KT_SKIP_UNDER_SPECIAL_POOL();
    enum { TAGS = 5200 };
    static PVOID Blocks[TAGS];
    POOL_TRACKER_TABLE Overflow = ExpPoolTrackOverflow;
    EX_POOL_TAG_INFORMATION Info;
    ULONG Wrong = 0;
    KIRQL OldIrql;

    KtVerifierSuspendLowResources();
    for (ULONG i = 0; i < TAGS; i++) {
        BOOLEAN Raised = i % 3 == 0;

        if (Raised)
            KeRaiseIrql(DISPATCH_LEVEL, &OldIrql);
        Blocks[i] = ExAllocatePoolWithTag(!Raised && (i & 1) ? PagedPool : NonPagedPool, 8 * (i % 5), 'A0gT' + i);
        if (Raised)
            KeLowerIrql(OldIrql);
        KT_ASSERT(Blocks[i] != NULL);
    }
    KtVerifierResumeLowResources();
    for (ULONG i = 0; i < TAGS; i++) {
        SIZE_T Bytes = ExQueryPoolBlockSize(Blocks[i], NULL) + sizeof(POOL_HEADER);
        BOOLEAN Paged = i % 3 != 0 && (i & 1);

        Wrong += !ExQueryPoolTag('A0gT' + i, &Info) || Info.NonPagedAllocs + Info.PagedAllocs != 1 ||
                 (Paged ? Info.PagedBytes : Info.NonPagedBytes) != Bytes;
        ExFreePoolWithTag(Blocks[i], 'A0gT' + i);
    }
    ExTrimPool();
    for (ULONG i = 0; i < TAGS; i++)
        Wrong += !ExQueryPoolTag('A0gT' + i, &Info) || Info.NonPagedBytes + Info.PagedBytes != 0;
    KT_EXPECT_EQ(Wrong, 0);
    KT_EXPECT_EQ(ExpPoolTrackOverflow.Counts[NonPagedPool].Allocs, Overflow.Counts[NonPagedPool].Allocs);
    KT_EXPECT_EQ(ExpPoolTrackOverflow.Counts[PagedPool].Allocs, Overflow.Counts[PagedPool].Allocs);
    KT_EXPECT(ExCheckPool(TRUE));
}

/* A snapshot has room for 512 tags; the tags past that are summed under 'Ovfl', so a leak among them is still seen. */
KTEST(pool, leak_report_sees_tags_past_the_snapshots_room)
{
    KT_SKIP_UNDER_SPECIAL_POOL();
    enum { TAGS = EX_POOL_SNAPSHOT_ENTRIES + 100 };
    static EX_POOL_SNAPSHOT Before, After;
    static PVOID Blocks[TAGS];

    ExTakePoolSnapshot(&Before);
    KtVerifierSuspendLowResources();
    for (ULONG i = 0; i < TAGS; i++) {
        Blocks[i] = ExAllocatePoolWithTag(NonPagedPool, 40, 'a0nS' + i);
        KT_ASSERT(Blocks[i] != NULL);
    }
    KtVerifierResumeLowResources();
    ExTakePoolSnapshot(&After);
    KT_EXPECT_EQ(After.Count, EX_POOL_SNAPSHOT_ENTRIES);
    KT_EXPECT_EQ(After.Entries[EX_POOL_SNAPSHOT_ENTRIES - 1].Tag, 'lfvO');
    KT_EXPECT(After.Entries[EX_POOL_SNAPSHOT_ENTRIES - 1].NonPagedBytes >= 100 * 48);
    for (ULONG i = 0; i < TAGS; i++)
        ExFreePoolWithTag(Blocks[i], 'a0nS' + i);
    ExTakePoolSnapshot(&After);
    KT_EXPECT_EQ(ExReportPoolLeaks(&Before, &After), 0);
}

/* The leak check must see every tag, the one whose only bit is the protected bit (masked: zero) included. */
KTEST(pool, leak_report_sees_a_tag_that_masks_to_zero)
{
    KT_SKIP_UNDER_SPECIAL_POOL();
    static EX_POOL_SNAPSHOT Before, After;
    EX_POOL_TAG_INFORMATION Info;
    PVOID p;

    ExTakePoolSnapshot(&Before);
    p = ExAllocatePoolWithTag(NonPagedPool, 40, PROTECTED_POOL);
    KT_ASSERT(p != NULL);
    ExTakePoolSnapshot(&After);
    KT_EXPECT_EQ(ExReportPoolLeaks(&Before, &After), 1);
    KT_EXPECT(ExQueryPoolTag(PROTECTED_POOL, &Info));
    KT_EXPECT_EQ(Info.NonPagedBytes, BlockBytes(p));
    ExFreePoolWithTag(p, PROTECTED_POOL);
    ExTakePoolSnapshot(&After);
    KT_EXPECT_EQ(ExReportPoolLeaks(&Before, &After), 0);
}

static ULONG RacingTag;
static PVOID RacingBlock;

static VOID NTAPI AllocateWithRacingTagDpc(PKDPC Dpc, PVOID Context, PVOID Argument1, PVOID Argument2)
{
    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(Context);
    UNREFERENCED_PARAMETER(Argument1);
    UNREFERENCED_PARAMETER(Argument2);
    RacingBlock = ExAllocatePoolWithTag(NonPagedPool, 24, RacingTag);
}

/* A tag the tracker has not seen whose home slot in its index is free and is also the home of Other (when not 0). */
static ULONG UnseenTagWithHome(ULONG Other)
{
    EX_POOL_TAG_INFORMATION Info;

    for (ULONG Tag = 'a0cR'; Tag < 'a0cR' + 0x10000; Tag++) {
        ULONG Home = POOL_TRACKER_HASH(Tag, ExpTrackIndexShift);

        if (Tag == Other || ExQueryPoolTag(Tag, &Info) || ExpTrackIndex[Home] != NULL)
            continue;
        if (Other == 0 || Home == POOL_TRACKER_HASH(Other, ExpTrackIndexShift))
            return Tag;
    }
    return 0;
}

/*
 * A DPC allocating with another tag takes the very slot this allocation's
 * tag would have had, between the look in the lookaside list's cache and
 * the claim: each tag keeps its own count.
 */
KTEST(pool, tracker_slot_claimed_by_a_dpc_in_the_window_keeps_both_tags_apart)
{
    KT_SKIP_UNDER_SPECIAL_POOL();
    EX_POOL_TAG_INFORMATION Mine, Theirs;
    ULONG Tag = UnseenTagWithHome(0);
    PVOID Block;
    KDPC Dpc;

    KT_ASSERT(Tag != 0);
    RacingTag = UnseenTagWithHome(Tag);
    KT_ASSERT(RacingTag != 0);
    RacingBlock = NULL;
    KeInitializeDpc(&Dpc, AllocateWithRacingTagDpc, NULL);
    KtArmInterruptWindow(KiWindowPoolTrackerClaim, &Dpc);
    Block = ExAllocatePoolWithTag(NonPagedPool, 40, Tag);
    KtDisarmInterruptWindow();
    KT_ASSERT(Block != NULL);
    KT_ASSERT(KtInterruptWindowPlayed() && RacingBlock != NULL);
    KT_EXPECT(ExQueryPoolTag(Tag, &Mine));
    KT_EXPECT(ExQueryPoolTag(RacingTag, &Theirs));
    KT_EXPECT_EQ(Mine.NonPagedAllocs, 1);
    KT_EXPECT_EQ(Mine.NonPagedBytes, BlockBytes(Block));
    KT_EXPECT_EQ(Theirs.NonPagedAllocs, 1);
    KT_EXPECT_EQ(Theirs.NonPagedBytes, BlockBytes(RacingBlock));
    ExFreePoolWithTag(RacingBlock, RacingTag);
    ExFreePoolWithTag(Block, Tag);
}

KTEST(pool, small_sizes_take_the_lookaside_fast_path)
{
    PGENERAL_LOOKASIDE Lookaside = &ExpSmallNPagedPoolLookasideLists[(24 + 8) / 8 - 2].L;
    ULONG Allocates = Lookaside->TotalAllocates, Misses = Lookaside->AllocateMisses;
    PVOID First, Second;

    if (VfOptions.Level != 0)
        KT_SKIP("with the verifier on, every request takes the slow path");
    First = ExAllocatePoolWithTag(NonPagedPool, 24, TAG);
    KT_ASSERT(First != NULL);
    ExFreePoolWithTag(First, TAG);
    /* The block sits cached, marked free to the caller: the next request of that size gets it back. */
    KT_EXPECT_EQ(POOL_BLOCK_HEADER(First)->PoolType, 0);
    KT_EXPECT_EQ(POOL_BLOCK_HEADER(First)->PoolIndex, POOL_INDEX_CACHED);
    Second = ExAllocatePoolWithTag(NonPagedPool, 24, TAG);
    KT_EXPECT_EQ(Second, First);
    KT_EXPECT_EQ(Lookaside->TotalAllocates, Allocates + 2);
    KT_EXPECT(Lookaside->AllocateMisses <= Misses + 1);
    ExFreePoolWithTag(Second, TAG);
}

/* Allocations that would fragment a naive allocator: every block freed leaves whole free pages. */
KTEST(pool, freed_blocks_coalesce_into_whole_free_pages)
{
    KT_SKIP_UNDER_SPECIAL_POOL();
    static PVOID Blocks[300];
    EX_POOL_STATISTICS Before, Full, After;

    ExTrimPool();
    ExQueryPoolStatistics(NonPagedPool, &Before);
    KtVerifierSuspendLowResources();
    for (ULONG i = 0; i < RTL_NUMBER_OF(Blocks); i++) {
        Blocks[i] = ExAllocatePoolWithTag(NonPagedPool, 300 + (i % 7) * 40, TAG);
        KT_ASSERT(Blocks[i] != NULL);
    }
    KtVerifierResumeLowResources();
    ExQueryPoolStatistics(NonPagedPool, &Full);
    KT_EXPECT(Full.SmallPages > Before.SmallPages + 20);
    /* Odd blocks first, then even ones: every free leaves holes until the end. */
    for (ULONG i = 1; i < RTL_NUMBER_OF(Blocks); i += 2)
        ExFreePoolWithTag(Blocks[i], TAG);
    KT_EXPECT(ExCheckPool(TRUE));
    for (ULONG i = 0; i < RTL_NUMBER_OF(Blocks); i += 2)
        ExFreePoolWithTag(Blocks[i], TAG);
    ExTrimPool();
    ExQueryPoolStatistics(NonPagedPool, &After);
    KT_EXPECT_EQ(After.SmallPages, Before.SmallPages);
    KT_EXPECT_EQ(After.FreeBytes, Before.FreeBytes);
}

KTEST(pool, nonpaged_pool_grows_from_the_pfn_database_and_gives_pages_back)
{
    static PVOID Pages[2048];
    PFN_NUMBER Available;
    ULONG Count = 0, InUse, Total, Resident, PageTables;

    ExTrimPool();
    Available = MmAvailablePages;
    PageTables = MmStatistics.PageTablesCreated;
    /* More than the initial pool holds: the rest comes from expansion, page by page. */
    KtVerifierSuspendLowResources();
    while (Count < RTL_NUMBER_OF(Pages)) {
        Pages[Count] = ExAllocatePoolWithTag(NonPagedPool, PAGE_SIZE, TAG);
        if (Pages[Count] == NULL)
            break;
        Count++;
        if ((ULONG_PTR)Pages[Count - 1] >= (ULONG_PTR)MmNonPagedPoolExpansionStart &&
            MmAvailablePages + 64 < Available)
            break;
    }
    KT_ASSERT(Count > 0);
    KT_EXPECT((ULONG_PTR)Pages[Count - 1] >= (ULONG_PTR)MmNonPagedPoolExpansionStart);
    KT_EXPECT(MmAvailablePages < Available);
    MiQueryPoolPageCounts(MiNonPagedPoolPages, &InUse, &Total, &Resident);
    KT_EXPECT(InUse >= Count);
    KtLog("%u one-page allocations; available pages %u -> %u", Count, (ULONG)Available, (ULONG)MmAvailablePages);
    KT_EXPECT(MiCheckPoolPages());
    /* Every other page given back: a two-page allocation takes a run, not two holes. */
    for (ULONG i = 0; i + 1 < Count; i += 2) {
        ExFreePoolWithTag(Pages[i], TAG);
        Pages[i] = NULL;
    }
    Pages[0] = ExAllocatePoolWithTag(NonPagedPool, 2 * PAGE_SIZE, TAG);
    KtVerifierResumeLowResources();
    KT_ASSERT(Pages[0] != NULL);
    KT_EXPECT_EQ(MiQueryPoolPages(Pages[0]), 2);
    KT_EXPECT(MiCheckPoolPages());
    while (Count > 0) {
        if (Pages[--Count] != NULL)
            ExFreePoolWithTag(Pages[Count], TAG);
    }
    KT_EXPECT(MiCheckPoolPages());
    ExTrimPool();
    /* Every page came back but the page tables expansion needed, which stay. */
    KT_EXPECT_EQ(MmAvailablePages + (MmStatistics.PageTablesCreated - PageTables), Available);
}

KTEST(pool, paged_pool_pages_are_absent_until_touched)
{
    PUCHAR p = ExAllocatePoolWithTag(PagedPool, 3 * PAGE_SIZE, TAG);
    PFN_NUMBER Available = MmAvailablePages;

    KT_ASSERT(p != NULL);
    for (ULONG i = 0; i < 3; i++)
        KT_EXPECT(!MmIsAddressValid(p + i * PAGE_SIZE));
    p[PAGE_SIZE + 5] = 7;
    KT_EXPECT(MmIsAddressValid(p + PAGE_SIZE));
    KT_EXPECT(!MmIsAddressValid(p));
    KT_EXPECT_EQ(MmAvailablePages, Available - 1);
    KT_EXPECT_EQ(p[2 * PAGE_SIZE + 100], 0);
    KT_EXPECT_EQ(MmAvailablePages, Available - 2);
    ExFreePoolWithTag(p, TAG);
    KT_EXPECT_EQ(MmAvailablePages, Available);
}

KTEST(pool, priority_low_fails_when_memory_is_scarce)
{
    PFN_NUMBER Head;
    PVOID p;

    p = ExAllocatePoolWithTagPriority(NonPagedPool, 64, TAG, LowPoolPriority);
    KT_ASSERT(p != NULL);
    ExFreePoolWithTag(p, TAG);
    /* Take pages until fewer than the low-priority reserve are left. */
    Head = KtHoldPages(FALSE, 199);
    KT_EXPECT(ExAllocatePoolWithTagPriority(NonPagedPool, 64, TAG, LowPoolPriority) == NULL);
    KT_EXPECT(ExAllocatePoolWithTagPriority(NonPagedPool, 64, TAG, LowPoolPrioritySpecialPoolOverrun) == NULL);
    p = ExAllocatePoolWithTagPriority(NonPagedPool, 64, TAG, NormalPoolPriority);
    KT_EXPECT(p != NULL);
    if (p != NULL)
        ExFreePoolWithTag(p, TAG);
    p = ExAllocatePoolWithTagPriority(NonPagedPool, 64, TAG, HighPoolPriority);
    KT_EXPECT(p != NULL);
    if (p != NULL)
        ExFreePoolWithTag(p, TAG);
    KtReleaseHeldPages(Head);
}

KTEST(pool, impossible_sizes_fail_or_raise_as_asked)
{
    volatile NTSTATUS Status = STATUS_SUCCESS;

    KT_EXPECT(ExAllocatePoolWithTag(NonPagedPool, 0x7FFFFFFF, TAG) == NULL);
    KT_EXPECT(ExAllocatePoolWithTag(PagedPool, 0xFFFF0000, TAG) == NULL);
    _SEH2_TRY {
        ExAllocatePoolWithTag((POOL_TYPE)(NonPagedPool | POOL_RAISE_IF_ALLOCATION_FAILURE), 0x7FFFFFFF, TAG);
    } _SEH2_EXCEPT(EXCEPTION_EXECUTE_HANDLER) {
        Status = _SEH2_GetExceptionCode();
    } _SEH2_END;
    KT_EXPECT_EQ(Status, STATUS_INSUFFICIENT_RESOURCES);
}

/* A fixed-seed mix of sizes and types, every block patterned and checked before it is freed. */
KTEST(pool, randomized_stress_keeps_every_block_intact)
{
    enum { SLOTS = 512, STEPS = 6000 };
    static PUCHAR Blocks[SLOTS];
    static SIZE_T Sizes[SLOTS];
    static POOL_TYPE Types[SLOTS];
    ULONG Seed = 0x1234567, Corrupt = 0;

    for (ULONG Step = 0; Step < STEPS; Step++) {
        ULONG Slot, Roll;

        Seed = Seed * 1103515245 + 12345;
        Slot = (Seed >> 8) % SLOTS;
        Roll = Seed >> 24;
        if (Blocks[Slot] != NULL) {
            for (SIZE_T i = 0; i < Sizes[Slot]; i++)
                Corrupt += Blocks[Slot][i] != (UCHAR)(Slot + i);
            ExFreePoolWithTag(Blocks[Slot], 'sstS');
            Blocks[Slot] = NULL;
            continue;
        }
        Sizes[Slot] = (Roll & 3) == 0 ? (Seed % 9000) : (Roll & 3) == 1 ? (Seed % 600) : (Seed % 90);
        Types[Slot] = (POOL_TYPE)((Roll >> 2) % 6 == 3 ? NonPagedPool : (Roll >> 2) % 6);
        Blocks[Slot] = ExAllocatePoolWithTag(Types[Slot], Sizes[Slot], 'sstS');
        if (KT_INJECTED(Blocks[Slot]))
            continue;
        KT_ASSERT(Blocks[Slot] != NULL);
        for (SIZE_T i = 0; i < Sizes[Slot]; i++)
            Blocks[Slot][i] = (UCHAR)(Slot + i);
    }
    KT_EXPECT(ExCheckPool(TRUE));
    for (ULONG Slot = 0; Slot < SLOTS; Slot++) {
        if (Blocks[Slot] == NULL)
            continue;
        for (SIZE_T i = 0; i < Sizes[Slot]; i++)
            Corrupt += Blocks[Slot][i] != (UCHAR)(Slot + i);
        ExFreePoolWithTag(Blocks[Slot], 'sstS');
        Blocks[Slot] = NULL;
    }
    KT_EXPECT_EQ(Corrupt, 0);
    KT_EXPECT_EQ(TagBytes('sstS', FALSE) + TagBytes('sstS', TRUE), 0);
    KT_EXPECT(ExCheckPool(TRUE));
}

KTEST(pool, walker_notices_an_overwritten_header)
{
    KT_SKIP_UNDER_SPECIAL_POOL();
    PUCHAR First = ExAllocatePoolWithTag(NonPagedPool, 1000, TAG);
    PUCHAR Second = ExAllocatePoolWithTag(NonPagedPool, 1000, TAG);
    PPOOL_HEADER Header;
    ULONG Saved;

    KT_ASSERT(First != NULL && Second != NULL);
    KT_ASSERT(ExCheckPool(TRUE));
    Header = POOL_NEXT_BLOCK(POOL_BLOCK_HEADER(First));
    Saved = Header->Ulong1;
    Header->Ulong1 = 0x01010101;        /* what an overrun of First leaves */
    KT_EXPECT(!ExCheckPool(FALSE));
    Header->Ulong1 = Saved;
    KT_EXPECT(ExCheckPool(TRUE));
    ExFreePoolWithTag(First, TAG);
    ExFreePoolWithTag(Second, TAG);
}

KTEST_BUGCHECK(pool, double_free_stops_with_0xc2_7, BAD_POOL_CALLER)
{
    KT_SKIP_UNDER_VERIFIER(DRIVER_VERIFIER_SPECIAL_POOLING, "special pool's own codes stop it (specpool)");
    PVOID p = ExAllocatePoolWithTag(NonPagedPool, 16, TAG);

    KT_BUGCHECK_PARAMETER(1, 0x07);
    KT_BUGCHECK_PARAMETER(4, (ULONG_PTR)p);
    ExFreePoolWithTag(p, TAG);
    ExFreePoolWithTag(p, TAG);
}

/*
 * A block the coalescer merged into the free block in front of it: freeing
 * it again must still find it free. The block ends its page, so the next
 * header the fast free path checks is none, and ExTrimPool is what merges
 * it, as the test runner's leak check does after every suite.
 */
KTEST_BUGCHECK(pool, double_free_of_a_block_merged_into_its_free_neighbour_stops_with_0xc2_7, BAD_POOL_CALLER)
{
    KT_SKIP_UNDER_VERIFIER(DRIVER_VERIFIER_SPECIAL_POOLING, "special pool's own codes stop it (specpool)");
    enum { FIRST_UNITS = POOL_PAGE_UNITS - 10, LAST_UNITS = 10, FRONT_UNITS = 450 };
    PPOOL_HEADER Page;
    PUCHAR First, Last, Front;

    ExTrimPool();
    /* A fresh page: a block to its last ten units, and a ten-unit block after it, ending the page. */
    First = ExAllocatePoolWithTag(NonPagedPool, (FIRST_UNITS << POOL_BLOCK_SHIFT) - sizeof(POOL_HEADER), TAG);
    Last = ExAllocatePoolWithTag(NonPagedPool, (LAST_UNITS << POOL_BLOCK_SHIFT) - sizeof(POOL_HEADER), TAG);
    KT_ASSERT(First != NULL && Last != NULL);
    Page = PAGE_ALIGN(First);
    KT_ASSERT_EQ(POOL_BLOCK_HEADER(First), Page);
    KT_ASSERT_EQ(POOL_BLOCK_HEADER(Last), (PPOOL_HEADER)((PULONGLONG)Page + FIRST_UNITS));
    /* The front of the page in use again, the units between it and Last free. */
    ExFreePoolWithTag(First, TAG);
    Front = ExAllocatePoolWithTag(NonPagedPool, (FRONT_UNITS << POOL_BLOCK_SHIFT) - sizeof(POOL_HEADER), TAG);
    KT_ASSERT_EQ(POOL_BLOCK_HEADER(Front), Page);
    ExFreePoolWithTag(Last, TAG);               /* cached on its lookaside list */
    ExTrimPool();                               /* off the list, merged into the free units before it */
    KT_BUGCHECK_PARAMETER(1, 0x07);
    KT_BUGCHECK_PARAMETER(4, (ULONG_PTR)Last);
    ExFreePoolWithTag(Last, TAG);
}

/*
 * An address that is not 8-byte aligned was never returned by the pool,
 * whatever the bytes in front of it look like: here a caller's data that
 * reads as a header of a small block in use, with a next header agreeing.
 */
KTEST_BUGCHECK(pool, free_of_a_misaligned_address_stops_with_0xc2_44, BAD_POOL_CALLER)
{
    KT_SKIP_UNDER_VERIFIER(DRIVER_VERIFIER_SPECIAL_POOLING, "special pool's own codes stop it (specpool)");
    PULONG Block = ExAllocatePoolWithTag(NonPagedPool, 64, TAG);
    PVOID Misaligned;

    KT_ASSERT(Block != NULL);
    ExTrimPool();                               /* the two-unit list has room */
    Block[1] = ((NonPagedPool + 1) << POOL_HEADER_TYPE_SHIFT) | (POOL_MINIMUM_UNITS << POOL_HEADER_BLOCK_SHIFT);
    Block[2] = TAG;
    Block[1 + 2 * POOL_MINIMUM_UNITS] = POOL_MINIMUM_UNITS;       /* the next "header": its PreviousSize */
    Misaligned = &Block[3];
    KT_BUGCHECK_PARAMETER(1, 0x44);
    KT_BUGCHECK_PARAMETER(2, (ULONG_PTR)Misaligned);
    ExFreePoolWithTag(Misaligned, TAG);
}

KTEST_BUGCHECK(pool, double_free_of_a_large_block_stops_with_0xc2_7, BAD_POOL_CALLER)
{
    KT_SKIP_UNDER_VERIFIER(DRIVER_VERIFIER_SPECIAL_POOLING, "special pool's own codes stop it (specpool)");
    PVOID p = ExAllocatePoolWithTag(PagedPool, 2000, TAG);

    KT_BUGCHECK_PARAMETER(1, 0x07);
    KT_BUGCHECK_PARAMETER(4, (ULONG_PTR)p);
    ExFreePoolWithTag(p, TAG);
    ExFreePoolWithTag(p, TAG);
}

KTEST_BUGCHECK(pool, free_with_another_tag_stops_with_0xc2_a, BAD_POOL_CALLER)
{
    PVOID p = ExAllocatePoolWithTag(NonPagedPool, 16, TAG);

    KT_BUGCHECK_PARAMETER(1, 0x0A);
    KT_BUGCHECK_PARAMETER(2, (ULONG_PTR)p);
    KT_BUGCHECK_PARAMETER(3, TAG);
    KT_BUGCHECK_PARAMETER(4, 'rehO');
    ExFreePoolWithTag(p, 'rehO');
}

KTEST_BUGCHECK(pool, free_of_a_big_block_with_another_tag_stops_with_0xc2_a, BAD_POOL_CALLER)
{
    PVOID p = ExAllocatePoolWithTag(NonPagedPool, 3 * PAGE_SIZE, TAG);

    KT_BUGCHECK_PARAMETER(1, 0x0A);
    KT_BUGCHECK_PARAMETER(3, TAG);
    ExFreePoolWithTag(p, 'rehO');
}

KTEST_BUGCHECK(pool, free_of_a_non_pool_address_stops_with_0xc2_42, BAD_POOL_CALLER)
{
    KT_BUGCHECK_PARAMETER(1, 0x42);
    KT_BUGCHECK_PARAMETER(2, (ULONG_PTR)&KeLoaderBlock.CommandLine[8]);
    ExFreePool(&KeLoaderBlock.CommandLine[8]);
}

KTEST_BUGCHECK(pool, free_of_a_user_address_stops_with_0xc2_40, BAD_POOL_CALLER)
{
    KT_BUGCHECK_PARAMETER(1, 0x40);
    KT_BUGCHECK_PARAMETER(2, 0x10008);
    KT_BUGCHECK_PARAMETER(3, MI_SYSTEM_RANGE_START);
    ExFreePool((PVOID)0x10008);
}

KTEST_BUGCHECK(pool, free_of_unallocated_paged_pages_stops_with_0xc2_50, BAD_POOL_CALLER)
{
    PUCHAR Address = (PUCHAR)MmPagedPoolEnd - 16 * PAGE_SIZE;

    KT_BUGCHECK_PARAMETER(1, 0x50);
    KT_BUGCHECK_PARAMETER(2, (ULONG_PTR)Address);
    KT_BUGCHECK_PARAMETER(3, (Address - (PUCHAR)MmPagedPoolStart) / PAGE_SIZE);
    ExFreePool(Address);
}

KTEST_BUGCHECK(pool, free_of_unallocated_nonpaged_pages_stops_with_0xc2_44, BAD_POOL_CALLER)
{
    PUCHAR Address = (PUCHAR)MmNonPagedPoolExpansionEnd - 16 * PAGE_SIZE;

    KT_BUGCHECK_PARAMETER(1, 0x44);
    KT_BUGCHECK_PARAMETER(2, (ULONG_PTR)Address);
    ExFreePool(Address);
}

/*
 * Just past the initial pool: its last region's rest (when it does not
 * fill the region) or the first expansion page, neither allocated nor
 * mapped. The free must not read a header there.
 */
KTEST_BUGCHECK(pool, free_just_past_the_initial_pool_stops_with_0xc2, BAD_POOL_CALLER)
{
    ExFreePool((PUCHAR)MmNonPagedPoolEnd + 0x10);
}

/* An address inside a page nobody allocated: the free must not read a header there (a fault in pool code is 0xC5). */
KTEST_BUGCHECK(pool, free_inside_an_unallocated_nonpaged_page_stops_with_0xc2_44, BAD_POOL_CALLER)
{
    PUCHAR Address = (PUCHAR)MmNonPagedPoolExpansionEnd - 16 * PAGE_SIZE + 0x10;

    KT_BUGCHECK_PARAMETER(1, 0x44);
    KT_BUGCHECK_PARAMETER(2, (ULONG_PTR)Address);
    ExFreePool(Address);
}

KTEST_BUGCHECK(pool, free_inside_an_unallocated_paged_page_stops_with_0xc2_50, BAD_POOL_CALLER)
{
    PUCHAR Address = (PUCHAR)MmPagedPoolEnd - 16 * PAGE_SIZE + 0x10;

    KT_BUGCHECK_PARAMETER(1, 0x50);
    KT_BUGCHECK_PARAMETER(2, (ULONG_PTR)Address);
    ExFreePool(Address);
}

KTEST_BUGCHECK(pool, paged_allocation_at_dispatch_stops_with_0xc2_8, BAD_POOL_CALLER)
{
    KIRQL OldIrql;

    KT_BUGCHECK_PARAMETER(1, 0x08);
    KT_BUGCHECK_PARAMETER(2, DISPATCH_LEVEL);
    KT_BUGCHECK_PARAMETER(3, PagedPool);
    KT_BUGCHECK_PARAMETER(4, 100);
    KeRaiseIrql(DISPATCH_LEVEL, &OldIrql);
    ExAllocatePoolWithTag(PagedPool, 100, TAG);
}

KTEST_BUGCHECK(pool, paged_free_at_dispatch_stops_with_0xc2_9, BAD_POOL_CALLER)
{
    KT_SKIP_UNDER_VERIFIER(DRIVER_VERIFIER_SPECIAL_POOLING, "special pool's own codes stop it (specpool)");
    PVOID p = ExAllocatePoolWithTag(PagedPool, 100, TAG);
    KIRQL OldIrql;

    KT_BUGCHECK_PARAMETER(1, 0x09);
    KT_BUGCHECK_PARAMETER(2, DISPATCH_LEVEL);
    KT_BUGCHECK_PARAMETER(3, PagedPool);
    KT_BUGCHECK_PARAMETER(4, (ULONG_PTR)p);
    KeRaiseIrql(DISPATCH_LEVEL, &OldIrql);
    ExFreePoolWithTag(p, TAG);
}

KTEST_BUGCHECK(pool, nonpaged_allocation_above_dispatch_stops_with_0xc2_8, BAD_POOL_CALLER)
{
    KIRQL OldIrql;

    KT_BUGCHECK_PARAMETER(1, 0x08);
    KT_BUGCHECK_PARAMETER(2, CLOCK2_LEVEL);
    KT_BUGCHECK_PARAMETER(3, NonPagedPool);
    KeRaiseIrql(CLOCK2_LEVEL, &OldIrql);
    ExAllocatePoolWithTag(NonPagedPool, 100, TAG);
}

KTEST_BUGCHECK(pool, nonpaged_free_above_dispatch_stops_with_0xc2_9, BAD_POOL_CALLER)
{
    KT_SKIP_UNDER_VERIFIER(DRIVER_VERIFIER_SPECIAL_POOLING, "special pool's own codes stop it (specpool)");
    PVOID p = ExAllocatePoolWithTag(NonPagedPool, 100, TAG);
    KIRQL OldIrql;

    KT_BUGCHECK_PARAMETER(1, 0x09);
    KT_BUGCHECK_PARAMETER(2, HIGH_LEVEL);
    KeRaiseIrql(HIGH_LEVEL, &OldIrql);
    ExFreePoolWithTag(p, TAG);
}

/* The big-page table is looked up first: it must not stop the caller itself (found by make fuzz FUZZ=pool). */
KTEST_BUGCHECK(pool, big_free_above_dispatch_stops_with_0xc2_9, BAD_POOL_CALLER)
{
    KT_SKIP_UNDER_VERIFIER(DRIVER_VERIFIER_SPECIAL_POOLING, "special pool's own codes stop it (specpool)");
    PVOID p = ExAllocatePoolWithTag(NonPagedPool, 2 * PAGE_SIZE, TAG);
    KIRQL OldIrql;

    KT_BUGCHECK_PARAMETER(1, 0x09);
    KT_BUGCHECK_PARAMETER(2, HIGH_LEVEL);
    KT_BUGCHECK_PARAMETER(3, NonPagedPool);
    KT_BUGCHECK_PARAMETER(4, (ULONG_PTR)p);
    KeRaiseIrql(HIGH_LEVEL, &OldIrql);
    ExFreePoolWithTag(p, TAG);
}

KTEST_BUGCHECK(pool, zero_tag_stops_with_0xc2_9b, BAD_POOL_CALLER)
{
    KT_BUGCHECK_PARAMETER(1, 0x9B);
    KT_BUGCHECK_PARAMETER(2, NonPagedPool);
    KT_BUGCHECK_PARAMETER(3, 32);
    ExAllocatePoolWithTag(NonPagedPool, 32, 0);
}

KTEST_BUGCHECK(pool, overrun_into_the_next_header_stops_on_free_with_0x19_20, BAD_POOL_HEADER)
{
    KT_SKIP_UNDER_VERIFIER(DRIVER_VERIFIER_SPECIAL_POOLING, "special pool's own codes stop it (specpool)");
    PUCHAR First = ExAllocatePoolWithTag(NonPagedPool, 1000, TAG);
    PUCHAR Second = ExAllocatePoolWithTag(NonPagedPool, 1000, TAG);

    KT_BUGCHECK_PARAMETER(1, 0x20);
    KT_BUGCHECK_PARAMETER(2, (ULONG_PTR)POOL_BLOCK_HEADER(First));
    KT_BUGCHECK_PARAMETER(3, (ULONG_PTR)POOL_NEXT_BLOCK(POOL_BLOCK_HEADER(First)));
    UNREFERENCED_PARAMETER(Second);
    memset(First, 0x41, ExQueryPoolBlockSize(First, NULL) + 4);   /* four bytes too many */
    ExFreePoolWithTag(First, TAG);
}

/* The same four bytes over a 32-byte block, which the lookaside fast path frees. */
KTEST_BUGCHECK(pool, small_block_overrun_into_the_next_header_stops_on_free_with_0x19_20, BAD_POOL_HEADER)
{
    KT_SKIP_UNDER_VERIFIER(DRIVER_VERIFIER_SPECIAL_POOLING, "special pool's own codes stop it (specpool)");
    PUCHAR Blocks[4], Victim = NULL;

    for (ULONG i = 0; i < RTL_NUMBER_OF(Blocks); i++) {
        Blocks[i] = ExAllocatePoolWithTag(NonPagedPool, 32, TAG);
        if (Victim == NULL && BYTE_OFFSET(POOL_NEXT_BLOCK(POOL_BLOCK_HEADER(Blocks[i]))) != 0)
            Victim = Blocks[i];
    }
    KT_ASSERT(Victim != NULL);
    KT_BUGCHECK_PARAMETER(1, 0x20);
    KT_BUGCHECK_PARAMETER(2, (ULONG_PTR)POOL_BLOCK_HEADER(Victim));
    KT_BUGCHECK_PARAMETER(3, (ULONG_PTR)POOL_NEXT_BLOCK(POOL_BLOCK_HEADER(Victim)));
    memset(Victim, 0x41, 32 + 4);
    ExFreePoolWithTag(Victim, TAG);
}

KTEST_BUGCHECK(pool, overwritten_header_stops_the_next_walk_with_0x19, BAD_POOL_HEADER)
{
    KT_SKIP_UNDER_VERIFIER(DRIVER_VERIFIER_SPECIAL_POOLING, "special pool's own codes stop it (specpool)");
    PUCHAR First = ExAllocatePoolWithTag(PagedPool, 700, TAG);
    PUCHAR Second = ExAllocatePoolWithTag(PagedPool, 700, TAG);

    UNREFERENCED_PARAMETER(Second);
    POOL_BLOCK_HEADER(First)->Ulong1 = 0;   /* a zero block size */
    ExVerifyPool();
}

/* A free-list link overwritten with a bad address: following it faults in pool code. */
KTEST_BUGCHECK(pool, corrupted_free_list_stops_with_0xc5, DRIVER_CORRUPTED_EXPOOL)
{
    KT_SKIP_UNDER_VERIFIER(DRIVER_VERIFIER_SPECIAL_POOLING, "special pool's own codes stop it (specpool)");
    PUCHAR First = ExAllocatePoolWithTag(NonPagedPool, 1500, TAG);
    PUCHAR Guard = ExAllocatePoolWithTag(NonPagedPool, 1500, TAG);
    PVOID Bad = (PVOID)(MM_SYSTEM_PTE_END + 1 - 2 * PDE_MAPPED_SIZE);
    ULONG FreeBytes;

    UNREFERENCED_PARAMETER(Guard);
    KT_BUGCHECK_PARAMETER(1, (ULONG_PTR)Bad + 4);   /* Flink->Blink */
    KT_BUGCHECK_PARAMETER(2, DISPATCH_LEVEL);
    ExFreePoolWithTag(First, TAG);
    /* The freed block may have merged with free space after it: ask for exactly its size, so it is the one taken. */
    FreeBytes = (POOL_BLOCK_HEADER(First)->BlockSize << POOL_BLOCK_SHIFT) - sizeof(POOL_HEADER);
    ((PLIST_ENTRY)First)->Flink = Bad;
    ExAllocatePoolWithTag(NonPagedPool, FreeBytes, TAG);
}

KTEST_BUGCHECK(pool, must_succeed_that_cannot_stops_with_0x41, MUST_SUCCEED_POOL_EMPTY)
{
    KT_BUGCHECK_PARAMETER(1, 0x7FFFF000);
    ExAllocatePoolWithTag(NonPagedPoolMustSucceed, 0x7FFFF000, TAG);
}
