/*
 * pfnlist_test.c: mm/pfnlist.c's page lists on the host, over a PFN
 * database of 64 pages (pfn_host.c): each list stays a chain its Flink and
 * Blink agree on with its Total, MmAvailablePages counts the zeroed and
 * free lists and no more, a zeroed page is taken before one that must be
 * zeroed, and a page freed when nobody held it stops with PFN_LIST_CORRUPT
 * and NT's parameters. In the kernel the PFN walker checks the same lists
 * after every suite; here each operation is checked on its own.
 */
#define NTMM_MM_WHITEBOX_TEST
#include "ktest.h"
#include "../../mm/mi.h"
#include "pfn_host.h"
#include "pool_host.h"

/* Walks List both ways: the pages it holds in order, and whether its links and Total agree. */
static BOOLEAN ListIsConsistent(PMMPFNLIST List, PFN_NUMBER *Pages, ULONG Capacity, ULONG *Count)
{
    PFN_NUMBER Page = List->Flink, Previous = MM_EMPTY_LIST;
    ULONG Seen = 0;

    while (Page != MM_EMPTY_LIST) {
        PMMPFN Pfn1 = MI_PFN_ELEMENT(Page);

        if (Seen >= HOST_PFN_PAGES || Pfn1->u2.Blink != Previous || Pfn1->u3.e2.e1.PageLocation != List->ListName)
            return FALSE;
        if (Seen < Capacity)
            Pages[Seen] = Page;
        Seen++;
        Previous = Page;
        Page = Pfn1->u1.Flink;
    }
    *Count = Seen;
    return List->Blink == Previous && List->Total == Seen;
}

static BOOLEAN ListsAreConsistent(VOID)
{
    PFN_NUMBER Pages[HOST_PFN_PAGES];
    ULONG Zeroed, Free, Bad;

    return ListIsConsistent(&MmZeroedPageListHead, Pages, 0, &Zeroed) &&
           ListIsConsistent(&MmFreePageListHead, Pages, 0, &Free) &&
           ListIsConsistent(&MmBadPageListHead, Pages, 0, &Bad) && MmAvailablePages == Zeroed + Free;
}

/* Runs Operation(Page), which must stop: the stop's code, and its parameters in *Stop. */
static ULONG StopOf(VOID (*Operation)(PFN_NUMBER), PFN_NUMBER Page, HOST_BUGCHECK *Stop)
{
    jmp_buf Jump;
    KIRQL Irql = KeHostIrql;

    HostLastBugCheck.Code = 0;
    if (setjmp(Jump) == 0) {
        HostBugCheckJump = &Jump;
        Operation(Page);
        HostBugCheckJump = NULL;
    }
    /* A stop inside the PFN lock leaves it held: the next case starts from a clean state anyway. */
    MmPfnLock = 0;
    KiPcr.Irql = Irql;
    *Stop = HostLastBugCheck;
    return HostLastBugCheck.Code;
}

KTEST(pfnlist, pages_come_off_the_free_list_in_order_and_go_back_to_its_end)
{
    PFN_NUMBER First, Second, Pages[HOST_PFN_PAGES];
    ULONG Count;

    HostResetPfnDatabase();
    KT_EXPECT(ListsAreConsistent());
    KT_EXPECT_EQ(MmAvailablePages, HOST_PFN_PAGES - HOST_PFN_FIRST_PAGE);
    First = MmAllocatePhysicalPage(FALSE);
    Second = MmAllocatePhysicalPage(FALSE);
    KT_EXPECT_EQ(First, HOST_PFN_FIRST_PAGE);
    KT_EXPECT_EQ(Second, HOST_PFN_FIRST_PAGE + 1);
    KT_EXPECT_EQ(MI_PFN_ELEMENT(First)->u3.e2.e1.PageLocation, ActiveAndValid);
    KT_EXPECT_EQ(MI_PFN_ELEMENT(First)->u3.e2.ReferenceCount, 1);
    KT_EXPECT_EQ(MmAvailablePages, HOST_PFN_PAGES - HOST_PFN_FIRST_PAGE - 2);
    KT_EXPECT_EQ(HostPagesZeroed, 0);
    KT_EXPECT(ListsAreConsistent());

    MmFreePhysicalPage(First);
    KT_EXPECT(ListIsConsistent(&MmFreePageListHead, Pages, HOST_PFN_PAGES, &Count));
    KT_EXPECT_EQ(Pages[Count - 1], First);                          /* at the end, not the head */
    KT_EXPECT_EQ(Pages[0], Second + 1);
    MmFreePhysicalPage(Second);
    KT_EXPECT_EQ(MmAvailablePages, HOST_PFN_PAGES - HOST_PFN_FIRST_PAGE);
    KT_EXPECT(ListsAreConsistent());
}

KTEST(pfnlist, a_zeroed_page_comes_from_the_zeroed_list_before_a_free_page_is_zeroed)
{
    PFN_NUMBER Page;

    HostResetPfnDatabase();
    KT_EXPECT_EQ(MiZeroFreePages(2), 2);                            /* the idle loop's work */
    KT_EXPECT_EQ(MmZeroedPageListHead.Total, 2);
    KT_EXPECT_EQ(HostPagesZeroed, 2);
    KT_EXPECT(ListsAreConsistent());
    Page = MmAllocatePhysicalPage(TRUE);
    KT_EXPECT_EQ(Page, HOST_PFN_FIRST_PAGE);                        /* the first zeroed, not zeroed again */
    KT_EXPECT_EQ(HostPagesZeroed, 2);
    MmFreePhysicalPage(Page);                                       /* back to the free list: zeroes are gone */
    KT_EXPECT_EQ(MmZeroedPageListHead.Total, 1);
    KT_EXPECT_EQ(MmAllocatePhysicalPage(TRUE), HOST_PFN_FIRST_PAGE + 1);
    Page = MmAllocatePhysicalPage(TRUE);                            /* the zeroed list is empty now */
    KT_EXPECT_EQ(HostPagesZeroed, 3);
    KT_EXPECT_EQ(HostLastPageZeroed, Page);
    KT_EXPECT(ListsAreConsistent());
}

KTEST(pfnlist, the_last_pages_go_and_then_none_is_had)
{
    ULONG Taken = 0;

    HostResetPfnDatabase();
    while (MmAllocatePhysicalPage(Taken % 2 == 0) != MM_EMPTY_LIST)
        Taken++;
    KT_EXPECT_EQ(Taken, HOST_PFN_PAGES - HOST_PFN_FIRST_PAGE);
    KT_EXPECT_EQ(MmAvailablePages, 0);
    KT_EXPECT(ListsAreConsistent());
    /* Pages promised to paged pool are not to be had, however many are on the lists. */
    MmFreePhysicalPage(HOST_PFN_FIRST_PAGE);
    MmPromisedPages = 1;
    KT_EXPECT_EQ(MmAllocatePhysicalPage(FALSE), MM_EMPTY_LIST);
    MmPromisedPages = 0;
    KT_EXPECT_EQ(MmAllocatePhysicalPage(FALSE), HOST_PFN_FIRST_PAGE);
}

KTEST(pfnlist, a_bad_page_leaves_the_available_lists)
{
    PFN_NUMBER Pages[HOST_PFN_PAGES];
    ULONG Count;
    KIRQL OldIrql;

    HostResetPfnDatabase();
    MiAcquirePfnLock(&OldIrql);
    MiMarkPageBad(HOST_PFN_FIRST_PAGE + 5);
    MiReleasePfnLock(OldIrql);
    KT_EXPECT(ListIsConsistent(&MmBadPageListHead, Pages, HOST_PFN_PAGES, &Count));
    KT_EXPECT_EQ(Count, 1);
    KT_EXPECT_EQ(Pages[0], HOST_PFN_FIRST_PAGE + 5);
    KT_EXPECT_EQ(MmAvailablePages, HOST_PFN_PAGES - HOST_PFN_FIRST_PAGE - 1);
    KT_EXPECT(ListsAreConsistent());
    for (PFN_NUMBER Page; (Page = MmAllocatePhysicalPage(FALSE)) != MM_EMPTY_LIST;)
        KT_EXPECT_NE(Page, HOST_PFN_FIRST_PAGE + 5);
}

/* The last share of a section's page leaves it resident, its prototype PTE in transition; a private page goes free. */
KTEST(pfnlist, the_last_share_of_a_prototype_page_leaves_it_in_transition)
{
    MMPTE ProtoPte = { .u.Long = 0 }, PrivatePte = { .u.Long = 0 };
    PFN_NUMBER Shared, Private;
    PMMPFN Pfn1;
    KIRQL OldIrql;

    HostResetPfnDatabase();
    Shared = MmAllocatePhysicalPage(TRUE);
    Private = MmAllocatePhysicalPage(TRUE);
    Pfn1 = MI_PFN_ELEMENT(Shared);
    Pfn1->PteAddress = &ProtoPte;
    Pfn1->OriginalPte.u.Soft.Protection = MM_READWRITE;
    Pfn1->u3.e2.e1.PrototypePte = 1;
    Pfn1->u2.ShareCount = 2;
    MI_PFN_ELEMENT(Private)->PteAddress = &PrivatePte;
    MI_PFN_ELEMENT(Private)->u2.ShareCount = 1;

    MiAcquirePfnLock(&OldIrql);
    MiDecrementShareCount(Pfn1, Shared);
    KT_EXPECT_EQ(ProtoPte.u.Long, 0);                               /* one share left: untouched */
    MiDecrementShareCount(Pfn1, Shared);
    MiDecrementShareCount(MI_PFN_ELEMENT(Private), Private);
    MiReleasePfnLock(OldIrql);
    KT_EXPECT(MiIsTransitionPte(ProtoPte));
    KT_EXPECT_EQ(ProtoPte.u.Trans.PageFrameNumber, Shared);
    KT_EXPECT_EQ(ProtoPte.u.Trans.Protection, MM_READWRITE);
    KT_EXPECT_EQ(Pfn1->u3.e2.ReferenceCount, 1);                    /* kept until the segment goes */
    KT_EXPECT_EQ(MI_PFN_ELEMENT(Private)->u3.e2.e1.PageLocation, FreePageList);
    KT_EXPECT(ListsAreConsistent());
}

static VOID FreePage(PFN_NUMBER Page)
{
    MmFreePhysicalPage(Page);
}

static VOID DropShare(PFN_NUMBER Page)
{
    MiDecrementShareCount(MI_PFN_ELEMENT(Page), Page);
}

KTEST(pfnlist, freeing_what_nobody_holds_stops_with_pfn_list_corrupt)
{
    HOST_BUGCHECK Stop;
    PFN_NUMBER Page;

    HostResetPfnDatabase();
    Page = MmAllocatePhysicalPage(FALSE);
    FreePage(Page);
    /* A second free: the page is on the free list (page state 0x99: page, its list, its references). */
    KT_EXPECT_EQ(StopOf(FreePage, Page, &Stop), PFN_LIST_CORRUPT);
    KT_EXPECT_EQ(Stop.Parameter[0], PFN_CORRUPT_PAGE_STATE);
    KT_EXPECT_EQ(Stop.Parameter[1], Page);
    KT_EXPECT_EQ(Stop.Parameter[2], FreePageList);
    /* A page outside RAM (0x02: page, highest page). */
    KT_EXPECT_EQ(StopOf(FreePage, HOST_PFN_PAGES, &Stop), PFN_LIST_CORRUPT);
    KT_EXPECT_EQ(Stop.Parameter[0], PFN_CORRUPT_LIST_ENTRY);
    KT_EXPECT_EQ(Stop.Parameter[1], HOST_PFN_PAGES);
    KT_EXPECT_EQ(Stop.Parameter[2], HOST_PFN_PAGES - 1);
    /* A share dropped from a page in use that no PTE maps. */
    Page = MmAllocatePhysicalPage(FALSE);
    KT_EXPECT_EQ(StopOf(DropShare, Page, &Stop), PFN_LIST_CORRUPT);
    KT_EXPECT_EQ(Stop.Parameter[0], PFN_CORRUPT_PAGE_STATE);
    KT_EXPECT_EQ(Stop.Parameter[1], Page);
    /* A reference dropped past zero from a page in use (0x07: page, share count). */
    MI_PFN_ELEMENT(Page)->u3.e2.ReferenceCount = 0;
    KT_EXPECT_EQ(StopOf(FreePage, Page, &Stop), PFN_LIST_CORRUPT);
    KT_EXPECT_EQ(Stop.Parameter[0], PFN_CORRUPT_UNLOCKED_TOO_MUCH);
    KT_EXPECT_EQ(Stop.Parameter[1], Page);
    KT_EXPECT(ListsAreConsistent());
}
