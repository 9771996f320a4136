/*
 * pfncheck.c: MiCheckPfnDatabase, the walker that proves the PFN database
 * consistent: every list is well linked and as long as its Total says, every
 * physical page is on exactly one list or in use with a sane reference
 * count, the lists add up to MmAvailablePages and MmNumberOfPhysicalPages,
 * an in-use page's PTE (when it has one) maps that page (a section's page:
 * its prototype PTE holds it, valid or in transition), every valid PTE
 * that maps RAM maps a page in use, and zeroed pages really hold zeroes.
 * The test runner calls it after every suite.
 */
#include "mi.h"

#define MI_ZEROED_PAGES_TO_SCAN 32

static ULONG MiCheckErrors;

static VOID MiCheckFailed(BOOLEAN Verbose, PCSTR What, PFN_NUMBER PageFrameIndex, ULONG_PTR Value)
{
    if (Verbose && MiCheckErrors < 10)
        DbgPrint("    # pfn check: %s (page %X, value %X)\n", What, PageFrameIndex, Value);
    MiCheckErrors++;
}

static VOID MiCheckList(PMMPFNLIST ListHead, BOOLEAN Verbose)
{
    PFN_NUMBER Previous = MM_EMPTY_LIST, Count = 0;

    for (PFN_NUMBER Page = ListHead->Flink; Page != MM_EMPTY_LIST; Page = MI_PFN_ELEMENT(Page)->u1.Flink) {
        PMMPFN Pfn1;

        if (!MiIsPhysicalPage(Page) || Count > ListHead->Total) {
            MiCheckFailed(Verbose, "list runs off RAM or past its total", Page, ListHead->ListName);
            return;
        }
        Pfn1 = MI_PFN_ELEMENT(Page);
        if (Pfn1->u2.Blink != Previous)
            MiCheckFailed(Verbose, "backward link does not match", Page, Pfn1->u2.Blink);
        if (Pfn1->u3.e2.e1.PageLocation != ListHead->ListName)
            MiCheckFailed(Verbose, "page on a list it does not name", Page, Pfn1->u3.e2.e1.PageLocation);
        Previous = Page;
        Count++;
    }
    if (ListHead->Blink != Previous)
        MiCheckFailed(Verbose, "list tail is not the last page", ListHead->Blink, Previous);
    if (Count != ListHead->Total)
        MiCheckFailed(Verbose, "list total differs from its length", Count, ListHead->Total);
}

static BOOLEAN MiIsPageZero(PFN_NUMBER PageFrameIndex)
{
    KIRQL OldIrql;
    PULONG Page = MiMapPageInHyperSpace(PageFrameIndex, &OldIrql);
    BOOLEAN Zero = TRUE;

    for (ULONG i = 0; i < PAGE_SIZE / sizeof(ULONG) && Zero; i++)
        Zero = Page[i] == 0;
    MiUnmapPageInHyperSpace(Page, OldIrql);
    return Zero;
}

/*
 * A user PTE or PDE is an address in its own process's self-map, not in the
 * current one: read it through its page-table page (PteFrame) instead.
 */
static BOOLEAN MiIsUserPageTableEntry(PMMPTE PointerPte)
{
    return (ULONG_PTR)PointerPte < (ULONG_PTR)MiAddressToPte(MI_SYSTEM_RANGE_START) ||
           ((ULONG_PTR)PointerPte >= PDE_BASE && (ULONG_PTR)PointerPte < (ULONG_PTR)MiAddressToPde(MI_SYSTEM_RANGE_START));
}

static VOID MiCheckUserPteBackLink(PFN_NUMBER PageFrameIndex, PMMPFN Pfn1, BOOLEAN Verbose)
{
    KIRQL OldIrql;
    PMMPTE PageTable;
    MMPTE Pte;

    if (!MiIsPhysicalPage(Pfn1->u4.PteFrame)) {
        MiCheckFailed(Verbose, "user page's page table is not RAM", PageFrameIndex, Pfn1->u4.PteFrame);
        return;
    }
    PageTable = MiMapPageInHyperSpace(Pfn1->u4.PteFrame, &OldIrql);
    Pte = PageTable[BYTE_OFFSET(Pfn1->PteAddress) / sizeof(MMPTE)];
    MiUnmapPageInHyperSpace(PageTable, OldIrql);
    if (Pte.u.Hard.Valid ? PFN_FROM_PTE(&Pte) != PageFrameIndex
                         : !(MiIsTransitionPte(Pte) && Pte.u.Trans.PageFrameNumber == PageFrameIndex))
        MiCheckFailed(Verbose, "user page's PTE maps another page", PageFrameIndex, Pte.u.Long);
}

/*
 * A section's page points at its prototype PTE, in nonpaged pool (section.c):
 * valid and mapping the page while PTEs share it, in transition once none
 * does.
 */
static VOID MiCheckProtoBackLink(PFN_NUMBER PageFrameIndex, PMMPFN Pfn1, BOOLEAN Verbose)
{
    PMMPTE ProtoPte = Pfn1->PteAddress;
    MI_POOL_PAGE_TYPE Type;
    MMPTE Contents;

    if (!MiIsPoolRange(ProtoPte, &Type) || Type != MiNonPagedPoolPages || !MmIsAddressValid(ProtoPte)) {
        MiCheckFailed(Verbose, "prototype page's PTE is not in nonpaged pool", PageFrameIndex, (ULONG_PTR)ProtoPte);
        return;
    }
    Contents = *ProtoPte;
    if (Contents.u.Hard.Valid ? PFN_FROM_PTE(&Contents) != PageFrameIndex || Pfn1->u2.ShareCount == 0
                              : !MiIsTransitionPte(Contents) || Contents.u.Trans.PageFrameNumber != PageFrameIndex ||
                                    Pfn1->u2.ShareCount != 0)
        MiCheckFailed(Verbose, "prototype page's PTE does not hold it as its shares say", PageFrameIndex,
                      Contents.u.Long);
}

/* Does the PTE this in-use page names (when it is a live page-table entry) map the page? */
static VOID MiCheckPteBackLink(PFN_NUMBER PageFrameIndex, PMMPFN Pfn1, BOOLEAN Verbose)
{
    PMMPTE PointerPte = Pfn1->PteAddress;

    /* A page whose PTE went while locks held it has no PTE to point back at, and no share. */
    if (MI_IS_PFN_DELETED(Pfn1)) {
        if (Pfn1->u2.ShareCount != 0)
            MiCheckFailed(Verbose, "page marked deleted is still mapped", PageFrameIndex, Pfn1->u2.ShareCount);
        return;
    }
    if (Pfn1->u3.e2.e1.PrototypePte) {
        MiCheckProtoBackLink(PageFrameIndex, Pfn1, Verbose);
        return;
    }
    if (PointerPte != NULL && Pfn1->u2.ShareCount != 0 && MiIsUserPageTableEntry(PointerPte)) {
        MiCheckUserPteBackLink(PageFrameIndex, Pfn1, Verbose);
        return;
    }
    if (PointerPte == NULL || Pfn1->u2.ShareCount == 0 ||
        (ULONG_PTR)PointerPte < PTE_BASE || (ULONG_PTR)PointerPte > PTE_TOP ||
        !MiAddressToPte(PointerPte)->u.Hard.Valid)
        return;
    if (!PointerPte->u.Hard.Valid) {
        /* A pool page forced IRQL checking trimmed keeps its page in a transition PTE. */
        if (!MiIsTransitionPte(*PointerPte) || PointerPte->u.Trans.PageFrameNumber != PageFrameIndex)
            MiCheckFailed(Verbose, "page's PTE is not valid", PageFrameIndex, PointerPte->u.Long);
    } else if ((ULONG_PTR)PointerPte >= PDE_BASE && PointerPte->u.Hard.LargePage) {
        if (PageFrameIndex - PFN_FROM_PTE(PointerPte) >= PDE_MAPPED_SIZE / PAGE_SIZE)
            MiCheckFailed(Verbose, "page is outside its large page", PageFrameIndex, PointerPte->u.Long);
    } else if (PFN_FROM_PTE(PointerPte) != PageFrameIndex) {
        MiCheckFailed(Verbose, "page's PTE maps another page", PageFrameIndex, PointerPte->u.Long);
    }
}

static VOID MiCheckMappedPage(PFN_NUMBER PageFrameIndex, PMMPTE PointerPte, BOOLEAN Verbose)
{
    PMMPFN Pfn1;

    if (!MiIsPhysicalPage(PageFrameIndex))
        return;
    Pfn1 = MI_PFN_ELEMENT(PageFrameIndex);
    if (Pfn1->u3.e2.e1.PageLocation != ActiveAndValid || Pfn1->u3.e2.ReferenceCount == 0)
        MiCheckFailed(Verbose, "valid PTE maps a page that is not in use", PageFrameIndex, (ULONG_PTR)PointerPte);
}

/*
 * The other direction: a page on a free list that some valid PTE or PDE
 * still maps would be handed out while the old mapping can reach it. Walks
 * every valid entry of the current directory (system space is the same in
 * all of them) and every page of a large page; the self-map entry is the
 * directory itself, checked as a page table is.
 */
static VOID MiCheckMappingsPointAtPagesInUse(BOOLEAN Verbose)
{
    for (ULONG Pde = 0; Pde < PTE_PER_PAGE; Pde++) {
        PMMPTE PointerPde = (PMMPTE)PDE_BASE + Pde;
        PMMPTE PointerPte = MiPdeToPte(PointerPde);

        if (!PointerPde->u.Hard.Valid)
            continue;
        if (PointerPde->u.Hard.LargePage) {
            for (ULONG i = 0; i < PDE_MAPPED_SIZE / PAGE_SIZE; i++)
                MiCheckMappedPage(PFN_FROM_PTE(PointerPde) + i, PointerPde, Verbose);
            continue;
        }
        MiCheckMappedPage(PFN_FROM_PTE(PointerPde), PointerPde, Verbose);
        if (Pde == PDE_SELFMAP_INDEX)
            continue;
        for (ULONG i = 0; i < PTE_PER_PAGE; i++) {
            if (PointerPte[i].u.Hard.Valid)
                MiCheckMappedPage(PFN_FROM_PTE(&PointerPte[i]), &PointerPte[i], Verbose);
        }
    }
}

BOOLEAN MiCheckPfnDatabase(BOOLEAN Verbose)
{
    PFN_NUMBER Counts[8] = { 0 }, Total = 0;
    ULONG ZeroedScanned = 0;
    KIRQL OldIrql;

    MiCheckErrors = 0;
    MiAcquirePfnLock(&OldIrql);
    MiCheckList(&MmZeroedPageListHead, Verbose);
    MiCheckList(&MmFreePageListHead, Verbose);
    MiCheckList(&MmBadPageListHead, Verbose);

    for (ULONG Run = 0; Run < MmPhysicalMemoryBlock.NumberOfRuns; Run++) {
        PPHYSICAL_MEMORY_RUN Block = &MmPhysicalMemoryBlock.Run[Run];

        for (PFN_NUMBER Page = Block->BasePage; Page < Block->BasePage + Block->PageCount; Page++) {
            PMMPFN Pfn1 = MI_PFN_ELEMENT(Page);
            MMLISTS Location = Pfn1->u3.e2.e1.PageLocation;

            Counts[Location]++;
            Total++;
            if (Location == ActiveAndValid) {
                if (Pfn1->u3.e2.ReferenceCount == 0)
                    MiCheckFailed(Verbose, "page in use with no reference", Page, Pfn1->u2.ShareCount);
                MiCheckPteBackLink(Page, Pfn1, Verbose);
            } else if (Location == ZeroedPageList || Location == FreePageList || Location == BadPageList) {
                if (Pfn1->u3.e2.ReferenceCount != 0)
                    MiCheckFailed(Verbose, "page on a list is still referenced", Page, Pfn1->u3.e2.ReferenceCount);
            } else {
                MiCheckFailed(Verbose, "page in a state ntmm does not use yet", Page, Location);
            }
        }
    }
    if (Counts[ZeroedPageList] != MmZeroedPageListHead.Total || Counts[FreePageList] != MmFreePageListHead.Total ||
        Counts[BadPageList] != MmBadPageListHead.Total)
        MiCheckFailed(Verbose, "pages marked on a list differ from the list totals", Counts[FreePageList], MmFreePageListHead.Total);
    if (MmAvailablePages != MmZeroedPageListHead.Total + MmFreePageListHead.Total)
        MiCheckFailed(Verbose, "MmAvailablePages is not zeroed + free", MmAvailablePages,
                      MmZeroedPageListHead.Total + MmFreePageListHead.Total);
    if (Total != MmNumberOfPhysicalPages)
        MiCheckFailed(Verbose, "pages counted differ from MmNumberOfPhysicalPages", Total, MmNumberOfPhysicalPages);
    MiCheckMappingsPointAtPagesInUse(Verbose);

    for (PFN_NUMBER Page = MmZeroedPageListHead.Flink;
         Page != MM_EMPTY_LIST && ZeroedScanned < MI_ZEROED_PAGES_TO_SCAN && MiCheckErrors == 0;
         Page = MI_PFN_ELEMENT(Page)->u1.Flink, ZeroedScanned++) {
        if (!MiIsPageZero(Page))
            MiCheckFailed(Verbose, "page on the zeroed list is not zero", Page, 0);
    }
    MiReleasePfnLock(OldIrql);
    return MiCheckErrors == 0;
}
