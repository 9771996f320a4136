/*
 * lowmem_test.c: allocators asked for more when no physical page is left.
 * The suite sorts before mdl, whose cases take every system PTE: page
 * tables for system space stay once made, so only an early suite still
 * finds regions of the system PTE range without one.
 */
#define NTMM_MM_WHITEBOX_TEST
#include "ktest.h"
#include "../../mm/mi.h"
#include "mmtest.h"

/* Reservations of 16 MB (four page tables' worth), and how many of them the range holds. */
#define KT_SYSTEM_PTE_RUN 4096
#define KT_SYSTEM_PTE_RUNS ((MM_SYSTEM_PTE_END + 1 - MM_SYSTEM_PTE_START) / PAGE_SIZE / KT_SYSTEM_PTE_RUN + 1)
/* Whole pages of paged pool, so every request needs fresh ones. */
#define KT_PAGED_BLOCK_PAGES 3
#define KT_LOW_MEMORY_TAG 'mLtK'

/*
 * With no page left for a page table, a reservation reaching a 4 MB
 * region whose table is not made yet returns NULL and gives its run back
 * without touching the PTEs that have no table behind them (it once
 * erased them, and stopped with PAGE_FAULT_IN_NONPAGED_AREA).
 */
KTEST(low_memory, system_ptes_with_no_page_for_their_page_table_fail_cleanly)
{
    static PMMPTE Taken[KT_SYSTEM_PTE_RUNS];
    ULONG Free = MmTotalFreeSystemPtes, Chunks = 0, FreeAtFailure;
    PFN_NUMBER Held = KtHoldPages(FALSE, 0);

    while (Chunks < RTL_NUMBER_OF(Taken) && (Taken[Chunks] = MiReserveSystemPtes(KT_SYSTEM_PTE_RUN)) != NULL)
        Chunks++;
    FreeAtFailure = MmTotalFreeSystemPtes;
    KtReleaseHeldPages(Held);
    KT_EXPECT_EQ(FreeAtFailure, Free - Chunks * KT_SYSTEM_PTE_RUN);
    KT_EXPECT(MiCheckSystemPtes());
    while (Chunks > 0)
        MiReleaseSystemPtes(Taken[--Chunks], KT_SYSTEM_PTE_RUN);
    KT_EXPECT_EQ(MmTotalFreeSystemPtes, Free);
    if (FreeAtFailure < KT_SYSTEM_PTE_RUN)
        KT_SKIP("every page table of the system PTE range was made before this case");
}

/*
 * Paged pool is committed when its pages are allocated, and they are held
 * back from other takers until their first touch: with no page left, a
 * request that needs a new page returns NULL, and a block allocated before
 * the pages ran out can be touched all over (its first touch once stopped
 * with NO_PAGES_AVAILABLE).
 */
KTEST(low_memory, paged_pool_with_no_page_to_back_it_fails_cleanly)
{
    PUCHAR Block = ExAllocatePoolWithTag(PagedPool, KT_PAGED_BLOCK_PAGES * PAGE_SIZE, KT_LOW_MEMORY_TAG), Fresh;
    PFN_NUMBER Held;

    KT_ASSERT(Block != NULL);
    Held = KtHoldPages(FALSE, 0);
    Fresh = ExAllocatePoolWithTag(PagedPool, KT_PAGED_BLOCK_PAGES * PAGE_SIZE, KT_LOW_MEMORY_TAG);
    if (Fresh != NULL) {
        RtlFillMemory(Fresh, KT_PAGED_BLOCK_PAGES * PAGE_SIZE, 0xA5);
        ExFreePoolWithTag(Fresh, KT_LOW_MEMORY_TAG);
    }
    KT_EXPECT(Fresh == NULL);
    RtlFillMemory(Block, KT_PAGED_BLOCK_PAGES * PAGE_SIZE, 0x5A);
    KT_EXPECT_EQ(Block[KT_PAGED_BLOCK_PAGES * PAGE_SIZE - 1], 0x5A);
    KtReleaseHeldPages(Held);
    ExFreePoolWithTag(Block, KT_LOW_MEMORY_TAG);
}
