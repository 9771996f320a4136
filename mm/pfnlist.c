/*
 * pfnlist.c: the page lists and the life of a physical page.
 *
 * A page that nobody uses is on exactly one list (zeroed, free or bad),
 * linked through its PFN entry by page frame number; a page in use is
 * ActiveAndValid with a share count (PTEs mapping it) and a reference count
 * (one for the mappings as a whole plus one per lock). Every change of list
 * goes through the functions here, which keep each list's Total and
 * MmAvailablePages (zeroed + free) exact, and stop with PFN_LIST_CORRUPT
 * when a caller frees a page that is not in use or whose counts are wrong.
 *
 * Callers hold the PFN lock (DISPATCH_LEVEL).
 */
#include "mi.h"

KSPIN_LOCK MmPfnLock;
PMMPFN MmPfnDatabase;
volatile PFN_NUMBER MmAvailablePages;
PFN_NUMBER MmPromisedPages;

MMPFNLIST MmZeroedPageListHead = { 0, ZeroedPageList, MM_EMPTY_LIST, MM_EMPTY_LIST };
MMPFNLIST MmFreePageListHead = { 0, FreePageList, MM_EMPTY_LIST, MM_EMPTY_LIST };
MMPFNLIST MmBadPageListHead = { 0, BadPageList, MM_EMPTY_LIST, MM_EMPTY_LIST };

static PMMPFNLIST MiPageListFor(MMLISTS ListName)
{
    switch (ListName) {
    case ZeroedPageList: return &MmZeroedPageListHead;
    case FreePageList: return &MmFreePageListHead;
    case BadPageList: return &MmBadPageListHead;
    default: return NULL;
    }
}

static BOOLEAN MiIsAvailableList(MMLISTS ListName)
{
    return ListName == ZeroedPageList || ListName == FreePageList;
}

/* Appends a page to ListHead; the page must not be on any list. */
VOID MiInsertPageInList(PMMPFNLIST ListHead, PFN_NUMBER PageFrameIndex)
{
    PMMPFN Pfn1 = MI_PFN_ELEMENT(PageFrameIndex);
    PFN_NUMBER Last = ListHead->Blink;

    Pfn1->u3.e2.e1.PageLocation = ListHead->ListName;
    Pfn1->u3.e2.ReferenceCount = 0;
    Pfn1->u1.Flink = MM_EMPTY_LIST;
    Pfn1->u2.Blink = Last;
    if (Last == MM_EMPTY_LIST)
        ListHead->Flink = PageFrameIndex;
    else
        MI_PFN_ELEMENT(Last)->u1.Flink = PageFrameIndex;
    ListHead->Blink = PageFrameIndex;
    ListHead->Total++;
    if (MiIsAvailableList(ListHead->ListName))
        MmAvailablePages++;
}

/* Takes a page off the zeroed or free list it is on, checking its neighbours point back. */
VOID MiUnlinkFreeOrZeroedPage(PFN_NUMBER PageFrameIndex)
{
    PMMPFN Pfn1 = MI_PFN_ELEMENT(PageFrameIndex);
    PMMPFNLIST ListHead = MiPageListFor(Pfn1->u3.e2.e1.PageLocation);
    PFN_NUMBER Flink = Pfn1->u1.Flink, Blink = Pfn1->u2.Blink;

    if (ListHead == NULL || ListHead->Total == 0 ||
        (Flink == MM_EMPTY_LIST ? ListHead->Blink : MI_PFN_ELEMENT(Flink)->u2.Blink) != PageFrameIndex ||
        (Blink == MM_EMPTY_LIST ? ListHead->Flink : MI_PFN_ELEMENT(Blink)->u1.Flink) != PageFrameIndex) {
        KeBugCheckEx(PFN_LIST_CORRUPT, PFN_CORRUPT_LIST_ENTRY, PageFrameIndex,
                     MmHighestPhysicalPage, Pfn1->u3.e2.ReferenceCount);
    }
    if (Flink == MM_EMPTY_LIST)
        ListHead->Blink = Blink;
    else
        MI_PFN_ELEMENT(Flink)->u2.Blink = Blink;
    if (Blink == MM_EMPTY_LIST)
        ListHead->Flink = Flink;
    else
        MI_PFN_ELEMENT(Blink)->u1.Flink = Flink;
    ListHead->Total--;
    if (MiIsAvailableList(ListHead->ListName))
        MmAvailablePages--;
    /* Off every list, not yet in use: the caller initialises it (MiInitializePfn). */
    Pfn1->u1.Flink = 0;
    Pfn1->u2.ShareCount = 0;
    Pfn1->u3.e2.e1.PageLocation = ActiveAndValid;
}

/*
 * Any available page, contents unknown: free pages first, so zeroed ones
 * last for those who need them. Pages promised to paged pool are not
 * among them.
 */
PFN_NUMBER MiRemoveAnyPage(VOID)
{
    PFN_NUMBER PageFrameIndex;

    if (MiUsablePages() == 0)
        return MM_EMPTY_LIST;
    PageFrameIndex = MiRemoveHeadPage(&MmFreePageListHead);
    if (PageFrameIndex == MM_EMPTY_LIST)
        PageFrameIndex = MiRemoveHeadPage(&MmZeroedPageListHead);
    return PageFrameIndex;
}

/* A page full of zeroes: from the zeroed list, or a free page zeroed now. Not a promised one. */
PFN_NUMBER MiRemoveZeroPage(VOID)
{
    BOOLEAN MustZero;
    PFN_NUMBER PageFrameIndex;

    if (MiUsablePages() == 0)
        return MM_EMPTY_LIST;
    PageFrameIndex = MiRemovePageForZeroing(&MustZero);
    if (MustZero)
        MiZeroPhysicalPage(PageFrameIndex);
    return PageFrameIndex;
}

/*
 * Zeroes up to MaximumPages free pages and moves them to the zeroed list,
 * the work NT's zero-page thread does when the processor is idle, so a
 * demand-zero fault can take a page without zeroing it. Returns the pages
 * zeroed. Takes the PFN lock page by page, so an interrupt waits no longer
 * than one page takes.
 */
ULONG MiZeroFreePages(ULONG MaximumPages)
{
    ULONG Zeroed = 0;

    while (Zeroed < MaximumPages) {
        PFN_NUMBER PageFrameIndex;
        KIRQL OldIrql;

        MiAcquirePfnLock(&OldIrql);
        PageFrameIndex = MiRemoveHeadPage(&MmFreePageListHead);
        if (PageFrameIndex != MM_EMPTY_LIST) {
            MiZeroPhysicalPage(PageFrameIndex);
            MiInsertPageInList(&MmZeroedPageListHead, PageFrameIndex);
        }
        MiReleasePfnLock(OldIrql);
        if (PageFrameIndex == MM_EMPTY_LIST)
            break;
        Zeroed++;
    }
    return Zeroed;
}

/*
 * Puts a page nobody references back on the free list. A page already on a
 * list, or one still referenced, means a caller freed what it did not own.
 */
VOID MiInsertPageInFreeList(PFN_NUMBER PageFrameIndex)
{
    PMMPFN Pfn1 = MI_PFN_ELEMENT(PageFrameIndex);

    if (Pfn1->u3.e2.e1.PageLocation != ActiveAndValid || Pfn1->u3.e2.ReferenceCount != 0) {
        KeBugCheckEx(PFN_LIST_CORRUPT, PFN_CORRUPT_PAGE_STATE, PageFrameIndex,
                     Pfn1->u3.e2.e1.PageLocation, Pfn1->u3.e2.ReferenceCount);
    }
    Pfn1->PteAddress = NULL;
    Pfn1->OriginalPte.u.Long = 0;
    Pfn1->u4.PteFrame = 0;
    Pfn1->u3.e2.e1.CacheAttribute = MiCached;
    Pfn1->u3.e2.e1.NonPagedPool = 0;
    Pfn1->u3.e2.e1.Modified = 0;
    Pfn1->u3.e2.e1.PrototypePte = 0;
    Pfn1->u3.e2.e1.ReadInProgress = 0;
    MiInsertPageInList(&MmFreePageListHead, PageFrameIndex);
}

/* Takes an available page out of use for good (a failed memory test, an ECC report). */
VOID MiMarkPageBad(PFN_NUMBER PageFrameIndex)
{
    MiUnlinkFreeOrZeroedPage(PageFrameIndex);
    MiInsertPageInList(&MmBadPageListHead, PageFrameIndex);
}

/*
 * One PTE fewer maps the page; with none left, the mappings' reference
 * goes. A page that locks still hold outlives its PTE: its PteAddress is
 * marked deleted (NT's MI_SET_PFN_DELETED), since that PTE, and perhaps its
 * page table and process, are gone. A section's page that no PTE maps any
 * more keeps its reference and its prototype PTE goes to transition: NT
 * would put the page on the standby or modified list, ntmm has neither and
 * keeps it until the segment goes.
 */
VOID MiDecrementShareCount(PMMPFN Pfn1, PFN_NUMBER PageFrameIndex)
{
    if (Pfn1->u3.e2.e1.PageLocation != ActiveAndValid || Pfn1->u2.ShareCount == 0) {
        KeBugCheckEx(PFN_LIST_CORRUPT, PFN_CORRUPT_PAGE_STATE, PageFrameIndex,
                     Pfn1->u3.e2.e1.PageLocation, Pfn1->u3.e2.ReferenceCount);
    }
    if (--Pfn1->u2.ShareCount != 0)
        return;
    if (Pfn1->u3.e2.e1.PrototypePte) {
        MI_WRITE_INVALID_PTE(Pfn1->PteAddress,
                             MiMakeTransitionPte(PageFrameIndex, Pfn1->OriginalPte.u.Soft.Protection));
        return;
    }
    MI_SET_PFN_DELETED(Pfn1);
    MiDecrementReferenceCount(Pfn1, PageFrameIndex);
}

/* One reference fewer; the last one sends the page to the free list. */
VOID MiDecrementReferenceCount(PMMPFN Pfn1, PFN_NUMBER PageFrameIndex)
{
    if (Pfn1->u3.e2.e1.PageLocation != ActiveAndValid) {
        KeBugCheckEx(PFN_LIST_CORRUPT, PFN_CORRUPT_PAGE_STATE, PageFrameIndex,
                     Pfn1->u3.e2.e1.PageLocation, Pfn1->u3.e2.ReferenceCount);
    }
    if (Pfn1->u3.e2.ReferenceCount == 0) {
        KeBugCheckEx(PFN_LIST_CORRUPT, PFN_CORRUPT_UNLOCKED_TOO_MUCH, PageFrameIndex,
                     Pfn1->u2.ShareCount, 0);
    }
    if (--Pfn1->u3.e2.ReferenceCount == 0) {
        if (Pfn1->u2.ShareCount != 0) {
            KeBugCheckEx(PFN_LIST_CORRUPT, PFN_CORRUPT_PAGE_STATE, PageFrameIndex,
                         Pfn1->u3.e2.e1.PageLocation, Pfn1->u2.ShareCount);
        }
        MiInsertPageInFreeList(PageFrameIndex);
    }
}

/*
 * A page frame for a caller outside the page tables (pool, MDL pages): one
 * reference, no PTE. Zeroed asks for a page of zeroes. MM_EMPTY_LIST when
 * no page is available.
 */
PFN_NUMBER MmAllocatePhysicalPage(BOOLEAN Zeroed)
{
    PFN_NUMBER PageFrameIndex;
    PMMPFN Pfn1;
    KIRQL OldIrql;

    MiAcquirePfnLock(&OldIrql);
    PageFrameIndex = Zeroed ? MiRemoveZeroPage() : MiRemoveAnyPage();
    if (PageFrameIndex != MM_EMPTY_LIST) {
        Pfn1 = MI_PFN_ELEMENT(PageFrameIndex);
        Pfn1->PteAddress = NULL;
        Pfn1->OriginalPte.u.Long = 0;
        Pfn1->u4.PteFrame = 0;
        Pfn1->u2.ShareCount = 0;
        Pfn1->u3.e2.ReferenceCount = 1;
        Pfn1->u3.e2.e1.CacheAttribute = MiCached;
    }
    MiReleasePfnLock(OldIrql);
    return PageFrameIndex;
}

/* Drops the reference MmAllocatePhysicalPage gave; the page must no longer be mapped. */
VOID MmFreePhysicalPage(PFN_NUMBER PageFrameIndex)
{
    KIRQL OldIrql;

    if (!MiIsPhysicalPage(PageFrameIndex))
        KeBugCheckEx(PFN_LIST_CORRUPT, PFN_CORRUPT_LIST_ENTRY, PageFrameIndex, MmHighestPhysicalPage, 0);
    MiAcquirePfnLock(&OldIrql);
    MiDecrementReferenceCount(MI_PFN_ELEMENT(PageFrameIndex), PageFrameIndex);
    MiReleasePfnLock(OldIrql);
}
