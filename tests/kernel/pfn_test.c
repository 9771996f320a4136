/* pfn_test.c: the PFN database and page lists: counts, allocation, zeroing, the walker, and the stops. */
#define NTMM_MM_WHITEBOX_TEST
#include "ktest.h"
#include "../../mm/mi.h"
#include "mmtest.h"

KTEST(pfn, database_covers_ram)
{
    KT_EXPECT(MmNumberOfPhysicalPages > 0);
    KT_EXPECT(MmHighestPhysicalPage < (1u << 20));
    KT_EXPECT_EQ(MmPhysicalMemoryBlock.NumberOfPages, MmNumberOfPhysicalPages);
    for (ULONG i = 1; i < MmPhysicalMemoryBlock.NumberOfRuns; i++) {
        PPHYSICAL_MEMORY_RUN Previous = &MmPhysicalMemoryBlock.Run[i - 1];
        KT_EXPECT(Previous->BasePage + Previous->PageCount < MmPhysicalMemoryBlock.Run[i].BasePage);
    }
}

/* A page of the PFN database is mapped exactly when some entry on it describes RAM. */
KTEST(pfn, database_is_mapped_only_where_ram_exists)
{
    ULONG_PTR Start = (ULONG_PTR)MmPfnDatabase;
    ULONG_PTR End = (ULONG_PTR)MI_PFN_ELEMENT(MmHighestPhysicalPage + 1);
    ULONG Mapped = 0, Holes = 0;

    for (ULONG_PTR Va = Start; Va < End; Va += PAGE_SIZE) {
        PFN_NUMBER First = (Va - Start) / sizeof(MMPFN);
        PFN_NUMBER Last = (Va + PAGE_SIZE - 1 - Start) / sizeof(MMPFN);
        BOOLEAN Ram = FALSE;

        for (PFN_NUMBER Page = First; Page <= Last && !Ram; Page++)
            Ram = MiIsPhysicalPage(Page);
        KT_EXPECT_EQ(MmIsAddressValid((PVOID)Va), Ram);
        Mapped += Ram;
        Holes += !Ram;
    }
    KtLog("PFN database: %u pages mapped, %u pages of holes left unmapped", Mapped, Holes);
}

KTEST(pfn, allocate_and_free_keep_the_counts)
{
    PFN_NUMBER Available = MmAvailablePages;
    PFN_NUMBER Page = MmAllocatePhysicalPage(FALSE);
    PMMPFN Pfn1;

    KT_ASSERT(Page != MM_EMPTY_LIST);
    Pfn1 = MI_PFN_ELEMENT(Page);
    KT_EXPECT_EQ(MmAvailablePages, Available - 1);
    KT_EXPECT_EQ(Pfn1->u3.e2.e1.PageLocation, ActiveAndValid);
    KT_EXPECT_EQ(Pfn1->u3.e2.ReferenceCount, 1);
    KT_EXPECT(MiCheckPfnDatabase(TRUE));
    MmFreePhysicalPage(Page);
    KT_EXPECT_EQ(MmAvailablePages, Available);
    KT_EXPECT_EQ(Pfn1->u3.e2.e1.PageLocation, FreePageList);
    KT_EXPECT_EQ(Pfn1->u3.e2.ReferenceCount, 0);
}

KTEST(pfn, zeroed_pages_are_really_zero)
{
    PFN_NUMBER Dirty = MmAllocatePhysicalPage(FALSE), Zeroed;

    KT_ASSERT(Dirty != MM_EMPTY_LIST);
    KtFillPhysicalPage(Dirty, 0xDEADBEEF);
    KT_EXPECT(KtPhysicalPageHolds(Dirty, 0xDEADBEEF));
    MmFreePhysicalPage(Dirty);
    /* The dirty page is at the head of the free list now: a zeroed request must not see its contents. */
    Zeroed = MmAllocatePhysicalPage(TRUE);
    KT_ASSERT(Zeroed != MM_EMPTY_LIST);
    KT_EXPECT(KtPhysicalPageHolds(Zeroed, 0));
    MmFreePhysicalPage(Zeroed);
}

KTEST(pfn, zeroed_list_is_used_first_for_zeroed_requests)
{
    PFN_NUMBER Page = MmAllocatePhysicalPage(TRUE), Again;
    ULONG ZeroedBefore = MmStatistics.PagesZeroed;
    KIRQL OldIrql;

    KT_ASSERT(Page != MM_EMPTY_LIST);
    /* Put a (zero) page on the zeroed list by hand, as the idle zeroing does. */
    MmFreePhysicalPage(Page);
    MiAcquirePfnLock(&OldIrql);
    MiUnlinkFreeOrZeroedPage(Page);
    MiInsertPageInList(&MmZeroedPageListHead, Page);
    MiReleasePfnLock(OldIrql);
    KT_EXPECT_EQ(MI_PFN_ELEMENT(Page)->u3.e2.e1.PageLocation, ZeroedPageList);
    Again = MmAllocatePhysicalPage(TRUE);
    KT_EXPECT_EQ(Again, Page);
    KT_EXPECT_EQ(MmStatistics.PagesZeroed, ZeroedBefore); /* no zeroing was needed */
    MmFreePhysicalPage(Again);
}

KTEST(pfn, idle_zeroing_moves_free_pages_to_the_zeroed_list)
{
    PFN_NUMBER Free = MmFreePageListHead.Total, Zeroed = MmZeroedPageListHead.Total, Available = MmAvailablePages;
    PFN_NUMBER Page = MmFreePageListHead.Flink;

    KtFillPhysicalPage(Page, 0xA5A5A5A5);       /* a free page with old contents */
    KT_EXPECT_EQ(MiZeroFreePages(8), 8);
    KT_EXPECT_EQ(MmFreePageListHead.Total, Free - 8);
    KT_EXPECT_EQ(MmZeroedPageListHead.Total, Zeroed + 8);
    KT_EXPECT_EQ(MmAvailablePages, Available);
    KT_EXPECT_EQ(MI_PFN_ELEMENT(Page)->u3.e2.e1.PageLocation, ZeroedPageList);
    KT_EXPECT(KtPhysicalPageHolds(Page, 0));
    KT_EXPECT(MiCheckPfnDatabase(TRUE));        /* which also reads zeroed pages back */
}

KTEST(pfn, a_bad_page_leaves_the_available_pages_for_good)
{
    PFN_NUMBER Available = MmAvailablePages, Bad = MmBadPageListHead.Total;
    PFN_NUMBER Page = MmFreePageListHead.Blink;
    KIRQL OldIrql;

    MiAcquirePfnLock(&OldIrql);
    MiMarkPageBad(Page);
    MiReleasePfnLock(OldIrql);
    KT_EXPECT_EQ(MmAvailablePages, Available - 1);
    KT_EXPECT_EQ(MmBadPageListHead.Total, Bad + 1);
    KT_EXPECT_EQ(MI_PFN_ELEMENT(Page)->u3.e2.e1.PageLocation, BadPageList);
    KT_EXPECT(MiCheckPfnDatabase(TRUE));
}

KTEST(pfn, allocating_every_page_runs_out_cleanly_and_gives_them_back)
{
    PFN_NUMBER Available = MmAvailablePages, Taken = 0;
    PFN_NUMBER Head = MM_EMPTY_LIST;
    KIRQL OldIrql;

    /* Chain the pages through their own PFN entries (u1 is ours while we hold them). */
    for (;;) {
        PFN_NUMBER Page = MmAllocatePhysicalPage(FALSE);
        if (Page == MM_EMPTY_LIST)
            break;
        MI_PFN_ELEMENT(Page)->u1.Flink = Head;
        Head = Page;
        Taken++;
    }
    /* Every page but those promised to paged pool's first touches. */
    KT_EXPECT_EQ(Taken, Available - MmPromisedPages);
    KT_EXPECT_EQ(MmAvailablePages, MmPromisedPages);
    KT_EXPECT_EQ(MmAllocatePhysicalPage(TRUE), MM_EMPTY_LIST);
    MiAcquirePfnLock(&OldIrql);
    KT_EXPECT_EQ(MiRemoveAnyPage(), MM_EMPTY_LIST);
    MiReleasePfnLock(OldIrql);
    while (Head != MM_EMPTY_LIST) {
        PFN_NUMBER Next = MI_PFN_ELEMENT(Head)->u1.Flink;
        MI_PFN_ELEMENT(Head)->u1.Flink = 0;
        MmFreePhysicalPage(Head);
        Head = Next;
    }
    KT_EXPECT_EQ(MmAvailablePages, Available);
}

KTEST(pfn, walker_finds_a_broken_link_and_a_wrong_count)
{
    PFN_NUMBER Page = MmFreePageListHead.Flink;
    PMMPFN Pfn1 = MI_PFN_ELEMENT(MI_PFN_ELEMENT(Page)->u1.Flink);
    PFN_NUMBER SavedBlink = Pfn1->u2.Blink;

    KT_ASSERT(MiCheckPfnDatabase(FALSE));
    Pfn1->u2.Blink = MmFreePageListHead.Blink;   /* corrupt, on purpose */
    KT_EXPECT(!MiCheckPfnDatabase(FALSE));
    Pfn1->u2.Blink = SavedBlink;
    KT_EXPECT(MiCheckPfnDatabase(FALSE));

    MmFreePageListHead.Total++;
    KT_EXPECT(!MiCheckPfnDatabase(FALSE));
    MmFreePageListHead.Total--;
    MmAvailablePages++;
    KT_EXPECT(!MiCheckPfnDatabase(FALSE));
    MmAvailablePages--;
    KT_EXPECT(MiCheckPfnDatabase(FALSE));
}

KTEST(pfn, walker_finds_a_valid_pte_that_maps_a_free_page)
{
    PMMPTE PointerPte = MiReserveSystemPtes(1);
    PFN_NUMBER Page = MmAllocatePhysicalPage(FALSE);

    KT_ASSERT(PointerPte != NULL && Page != MM_EMPTY_LIST);
    MI_WRITE_VALID_PTE(PointerPte, MiMakeSystemPte(Page, MM_READWRITE));
    KT_EXPECT(MiCheckPfnDatabase(FALSE));
    MmFreePhysicalPage(Page);                   /* freed while still mapped, on purpose */
    KT_EXPECT(!MiCheckPfnDatabase(FALSE));
    MiReleaseSystemPtes(PointerPte, 1);         /* erases the PTE and flushes its TLB entry */
    KT_EXPECT(MiCheckPfnDatabase(FALSE));
}

KTEST_BUGCHECK(pfn, freeing_a_free_page_stops_with_0x4e, PFN_LIST_CORRUPT)
{
    PFN_NUMBER Page = MmAllocatePhysicalPage(FALSE);

    KT_BUGCHECK_PARAMETER(1, 0x99);
    KT_BUGCHECK_PARAMETER(2, Page);
    KT_BUGCHECK_PARAMETER(3, FreePageList);
    MmFreePhysicalPage(Page);
    MmFreePhysicalPage(Page);
}

KTEST_BUGCHECK(pfn, dropping_a_reference_nobody_holds_stops_with_0x4e, PFN_LIST_CORRUPT)
{
    PFN_NUMBER Page = MmAllocatePhysicalPage(FALSE);
    KIRQL OldIrql;

    KT_BUGCHECK_PARAMETER(1, 0x07);
    KT_BUGCHECK_PARAMETER(2, Page);
    MI_PFN_ELEMENT(Page)->u3.e2.ReferenceCount = 0;  /* a count gone wrong */
    MiAcquirePfnLock(&OldIrql);
    MiDecrementReferenceCount(MI_PFN_ELEMENT(Page), Page);
}

KTEST_BUGCHECK(pfn, freeing_a_referenced_page_stops_with_0x4e, PFN_LIST_CORRUPT)
{
    PFN_NUMBER Page = MmAllocatePhysicalPage(FALSE);
    KIRQL OldIrql;

    KT_BUGCHECK_PARAMETER(1, 0x99);
    KT_BUGCHECK_PARAMETER(2, Page);
    KT_BUGCHECK_PARAMETER(3, ActiveAndValid);
    KT_BUGCHECK_PARAMETER(4, 1);
    MiAcquirePfnLock(&OldIrql);
    MiInsertPageInFreeList(Page);
}

KTEST_BUGCHECK(pfn, unlinking_from_a_corrupt_list_stops_with_0x4e, PFN_LIST_CORRUPT)
{
    PFN_NUMBER Page = MmFreePageListHead.Flink;
    KIRQL OldIrql;

    KT_BUGCHECK_PARAMETER(1, 0x02);
    KT_BUGCHECK_PARAMETER(2, MI_PFN_ELEMENT(Page)->u1.Flink);
    MI_PFN_ELEMENT(MI_PFN_ELEMENT(Page)->u1.Flink)->u2.Blink = MM_EMPTY_LIST;
    MiAcquirePfnLock(&OldIrql);
    MiUnlinkFreeOrZeroedPage(MI_PFN_ELEMENT(Page)->u1.Flink);
}
