/*
 * allocpag.c: whole pages for the executive pools (NT's MiAllocatePoolPages).
 *
 * Three ranges of system space, each described by a run map of the pages
 * in use (rtl/runmap.h) and a bitmap marking the last page of each
 * allocation (so a free needs only the start address):
 *   initial nonpaged pool    mapped for good at boot (one large page when it
 *                            could be); allocation only flips bits;
 *   nonpaged pool expansion  pages taken from the PFN database when
 *                            allocated and given back when freed;
 *   paged pool               PTEs made demand-zero when allocated, so a page
 *                            arrives on first touch; freed pages go back.
 *                            As in NT, the pages are committed when
 *                            allocated; since nothing can be paged out to
 *                            make room, they are also held back from the
 *                            available pages (MmPromisedPages) until that
 *                            first touch takes them, so it always finds one.
 * A request finds its run through the map's summaries by run length, so
 * its cost does not depend on how many holes earlier frees left below the
 * free space (NT keeps nonpaged pool's free runs on lists by length for
 * the same reason). Callers hold no lock; the range's state is guarded by
 * raising to DISPATCH_LEVEL.
 */
#include "mi.h"
#include <rtl/runmap.h>

typedef struct _MI_POOL_RANGE {
    PUCHAR Base;
    ULONG Pages;
    BOOLEAN Resident;          /* pages stay mapped when free (initial nonpaged pool) */
    BOOLEAN DemandZero;        /* pages arrive on first touch (paged pool) */
    ULONG PagesInUse;
    RTL_RUN_MAP InUse;
    RTL_BITMAP EndOfAllocation;
} MI_POOL_RANGE, *PMI_POOL_RANGE;

static MI_POOL_RANGE MiInitialNonPagedPool, MiNonPagedPoolExpansion, MiPagedPool;
UCHAR MmPoolRegion[PTE_PER_PAGE];
static ULONG MiPoolBitmapBytes;

/* ULONGs of bitmap one range of Pages needs: its run map, then its end-of-allocation bits. */
#define MI_RANGE_BITMAP_WORDS(Pages) (RTL_RUN_MAP_BUFFER_WORDS(Pages) + RTL_RUN_MAP_WORDS(Pages))

/* Bytes of bitmap the three ranges need: a little over two bits a page. */
ULONG MiPoolPageBitmapBytes(ULONG InitialPages, ULONG ExpansionPages, ULONG PagedPages)
{
    return sizeof(ULONG) * (MI_RANGE_BITMAP_WORDS(InitialPages) + MI_RANGE_BITMAP_WORDS(ExpansionPages) +
                            MI_RANGE_BITMAP_WORDS(PagedPages));
}

/* Gives a range its run map and end bitmap, cut from *Bitmaps, which moves past them. */
static VOID MiInitializeRange(PMI_POOL_RANGE Range, PVOID Base, ULONG Pages, PULONG *Bitmaps)
{
    Range->Base = Base;
    Range->Pages = Pages;
    RtlInitializeRunMap(&Range->InUse, *Bitmaps, Pages);
    *Bitmaps += RTL_RUN_MAP_BUFFER_WORDS(Pages);
    RtlInitializeBitMap(&Range->EndOfAllocation, *Bitmaps, Pages);
    *Bitmaps += RTL_RUN_MAP_WORDS(Pages);
    RtlClearAllBits(&Range->EndOfAllocation);
}

/* Marks the regions a range covers with Kind; a region it fills only in part must have its PTEs looked at. */
static VOID MiMarkPoolRegions(PMI_POOL_RANGE Range, UCHAR Kind)
{
    ULONG_PTR Start = (ULONG_PTR)Range->Base, End = Start + (SIZE_T)Range->Pages * PAGE_SIZE;

    for (ULONG_PTR Region = ALIGN_DOWN_BY(Start, PDE_MAPPED_SIZE); Region < End; Region += PDE_MAPPED_SIZE) {
        BOOLEAN Whole = Region >= Start && End - Region >= PDE_MAPPED_SIZE;

        MmPoolRegion[Region >> PDE_SHIFT] = Whole ? Kind : MM_POOL_REGION_CHECK_PTE;
    }
}

/*
 * The ranges are sized by mminit.c from the machine's RAM (their end
 * addresses are set already); Bitmaps is zeroed memory of
 * MiPoolPageBitmapBytes for them, mapped next to the PFN database.
 */
VOID MiInitializePoolPages(ULONG InitialPages, PULONG Bitmaps)
{
    ULONG ExpansionPages = ((ULONG_PTR)MmNonPagedPoolExpansionEnd - (ULONG_PTR)MmNonPagedPoolExpansionStart) / PAGE_SIZE;
    ULONG PagedPages = ((ULONG_PTR)MmPagedPoolEnd - (ULONG_PTR)MmPagedPoolStart) / PAGE_SIZE;

    MiPoolBitmapBytes = MiPoolPageBitmapBytes(InitialPages, ExpansionPages, PagedPages);
    MiInitializeRange(&MiInitialNonPagedPool, MmNonPagedPoolStart, InitialPages, &Bitmaps);
    MiInitialNonPagedPool.Resident = TRUE;
    MiInitializeRange(&MiNonPagedPoolExpansion, MmNonPagedPoolExpansionStart, ExpansionPages, &Bitmaps);
    MiInitializeRange(&MiPagedPool, MmPagedPoolStart, PagedPages, &Bitmaps);
    MiPagedPool.DemandZero = TRUE;
    MiMarkPoolRegions(&MiNonPagedPoolExpansion, MM_POOL_REGION_CHECK_PTE);
    MiMarkPoolRegions(&MiPagedPool, MM_POOL_REGION_CHECK_PTE);
    MiMarkPoolRegions(&MiInitialNonPagedPool, MM_POOL_REGION_RESIDENT);
}

static PMI_POOL_RANGE MiRangeOf(PVOID VirtualAddress)
{
    PMI_POOL_RANGE Ranges[] = { &MiInitialNonPagedPool, &MiNonPagedPoolExpansion, &MiPagedPool };

    for (ULONG i = 0; i < RTL_NUMBER_OF(Ranges); i++) {
        if ((PUCHAR)VirtualAddress >= Ranges[i]->Base &&
            (PUCHAR)VirtualAddress < Ranges[i]->Base + (SIZE_T)Ranges[i]->Pages * PAGE_SIZE)
            return Ranges[i];
    }
    return NULL;
}

/* Is VirtualAddress inside a pool page that is allocated now? Type (optional) says which pool. */
BOOLEAN MiIsPoolAddress(PVOID VirtualAddress, MI_POOL_PAGE_TYPE *Type)
{
    PMI_POOL_RANGE Range = MiRangeOf(VirtualAddress);

    if (Range == NULL || !RtlCheckBit(&Range->InUse.Bits, ((PUCHAR)VirtualAddress - Range->Base) / PAGE_SIZE))
        return FALSE;
    if (Type != NULL)
        *Type = Range == &MiPagedPool ? MiPagedPoolPages : MiNonPagedPoolPages;
    return TRUE;
}

/* Is VirtualAddress inside one of the pool ranges, allocated or not? */
BOOLEAN MiIsPoolRange(PVOID VirtualAddress, MI_POOL_PAGE_TYPE *Type)
{
    PMI_POOL_RANGE Range = MiRangeOf(VirtualAddress);

    if (Range != NULL && Type != NULL)
        *Type = Range == &MiPagedPool ? MiPagedPoolPages : MiNonPagedPoolPages;
    return Range != NULL;
}

/*
 * Takes pages [First, First + Count) of a non-resident range out of use,
 * whatever their PTEs hold; returns how many had a page (the rest were
 * demand-zero, never touched).
 */
static ULONG MiReleaseRangePages(PMI_POOL_RANGE Range, ULONG First, ULONG Count)
{
    ULONG Resident = 0;
    KIRQL OldIrql;

    MiAcquirePfnLock(&OldIrql);
    for (ULONG i = First; i < First + Count; i++) {
        PVOID Va = Range->Base + (SIZE_T)i * PAGE_SIZE;
        PMMPTE PointerPte = MiAddressToPte(Va);

        if (PointerPte->u.Hard.Valid) {
            PFN_NUMBER PageFrameIndex = PFN_FROM_PTE(PointerPte);

            MI_ERASE_PTE(PointerPte);
            MiFlushTb(Va);
            MiDecrementShareCount(MI_PFN_ELEMENT(PageFrameIndex), PageFrameIndex);
            Resident++;
        } else if (MiIsTransitionPte(*PointerPte)) {
            PFN_NUMBER PageFrameIndex = PointerPte->u.Trans.PageFrameNumber;

            /* Trimmed by forced IRQL checking: the page is still the allocation's. */
            MI_ERASE_PTE(PointerPte);
            MiDecrementShareCount(MI_PFN_ELEMENT(PageFrameIndex), PageFrameIndex);
            Resident++;
        } else {
            MI_ERASE_PTE(PointerPte);
        }
    }
    MiReleasePfnLock(OldIrql);
    return Resident;
}

/*
 * Commits Count pages of paged pool and holds as many available pages
 * back for their first touches; FALSE (nothing taken) past the commit
 * limit or when the pages are not there to hold.
 */
static BOOLEAN MiPromisePagedPoolPages(ULONG Count)
{
    BOOLEAN Promised;
    KIRQL OldIrql;

    if (!MiChargeCommitment(&MmPagedPoolCommit, Count))
        return FALSE;
    MiAcquirePfnLock(&OldIrql);
    Promised = MiUsablePages() >= Count;
    if (Promised)
        MmPromisedPages += Count;
    MiReleasePfnLock(OldIrql);
    if (!Promised)
        MiReturnCommitment(&MmPagedPoolCommit, Count);
    return Promised;
}

/* Gives back the commitment of Count pages of paged pool, Untouched of which still held their promised page. */
static VOID MiReturnPagedPoolPages(ULONG Count, ULONG Untouched)
{
    KIRQL OldIrql;

    MiAcquirePfnLock(&OldIrql);
    MmPromisedPages -= Untouched;
    MiReleasePfnLock(OldIrql);
    MiReturnCommitment(&MmPagedPoolCommit, Count);
}

/* Gives pages [First, First + Count) of a non-resident range their PTEs. */
static BOOLEAN MiBackRangePages(PMI_POOL_RANGE Range, ULONG First, ULONG Count)
{
    for (ULONG i = First; i < First + Count; i++) {
        PVOID Va = Range->Base + (SIZE_T)i * PAGE_SIZE;
        PMMPTE PointerPte;
        PFN_NUMBER PageFrameIndex;
        KIRQL OldIrql;

        if (!NT_SUCCESS(MiEnsureSystemPageTable(Va))) {
            MiReleaseRangePages(Range, First, i - First);
            return FALSE;
        }
        PointerPte = MiAddressToPte(Va);
        if (Range->DemandZero) {
            MI_WRITE_INVALID_PTE(PointerPte, MiMakeDemandZeroPte(MM_READWRITE));
            continue;
        }
        MiAcquirePfnLock(&OldIrql);
        PageFrameIndex = MiRemoveAnyPage();
        if (PageFrameIndex == MM_EMPTY_LIST) {
            MiReleasePfnLock(OldIrql);
            MiReleaseRangePages(Range, First, i - First);
            return FALSE;
        }
        MI_WRITE_INVALID_PTE(PointerPte, MiMakeDemandZeroPte(MM_READWRITE));
        MiInitializePfn(PageFrameIndex, PointerPte, TRUE);
        MI_PFN_ELEMENT(PageFrameIndex)->u3.e2.e1.NonPagedPool = 1;
        MI_WRITE_VALID_PTE(PointerPte, MiMakeSystemPte(PageFrameIndex, MM_READWRITE));
        MiReleasePfnLock(OldIrql);
    }
    return TRUE;
}

/* Exhaustive: when the map's summaries see no run, scan the whole range (see rtl/runmap.h). */
static PVOID MiAllocateFromRange(PMI_POOL_RANGE Range, ULONG Count, BOOLEAN Exhaustive)
{
    ULONG First;
    KIRQL OldIrql;

    KeRaiseIrql(DISPATCH_LEVEL, &OldIrql);
    First = RtlRunMapAllocate(&Range->InUse, Count, Exhaustive);
    if (First != RTL_BITMAP_NOT_FOUND) {
        RtlSetBits(&Range->EndOfAllocation, First + Count - 1, 1);
        Range->PagesInUse += Count;
    }
    KeLowerIrql(OldIrql);
    if (First == RTL_BITMAP_NOT_FOUND)
        return NULL;

    if (!Range->Resident && !MiBackRangePages(Range, First, Count)) {
        KeRaiseIrql(DISPATCH_LEVEL, &OldIrql);
        RtlRunMapClear(&Range->InUse, First, Count);
        RtlClearBits(&Range->EndOfAllocation, First + Count - 1, 1);
        Range->PagesInUse -= Count;
        KeLowerIrql(OldIrql);
        return NULL;
    }
    return Range->Base + (SIZE_T)First * PAGE_SIZE;
}

/*
 * NumberOfBytes rounded up to whole pages, page-aligned; NULL when the
 * range or physical memory is exhausted. Nonpaged pages come from the
 * initial pool first, then from expansion; only when neither range's
 * summaries show a run is either scanned whole, so a shredded initial
 * pool does not make every request that expansion could serve walk it.
 */
PVOID MiAllocatePoolPages(MI_POOL_PAGE_TYPE Type, SIZE_T NumberOfBytes)
{
    ULONG Count = BYTES_TO_PAGES(NumberOfBytes);
    PVOID Va;

    if (Count == 0)
        Count = 1;
    if (Type == MiPagedPoolPages) {
        if (!MiPromisePagedPoolPages(Count))
            return NULL;
        Va = MiAllocateFromRange(&MiPagedPool, Count, TRUE);
        if (Va == NULL)
            MiReturnPagedPoolPages(Count, Count);
        return Va;
    }
    Va = MiAllocateFromRange(&MiInitialNonPagedPool, Count, FALSE);
    if (Va == NULL)
        Va = MiAllocateFromRange(&MiNonPagedPoolExpansion, Count, FALSE);
    if (Va == NULL)
        Va = MiAllocateFromRange(&MiInitialNonPagedPool, Count, TRUE);
    if (Va == NULL)
        Va = MiAllocateFromRange(&MiNonPagedPoolExpansion, Count, TRUE);
    return Va;
}

/* Length in pages of the allocation starting at StartingAddress, 0 if none starts there. */
static ULONG MiAllocationPages(PMI_POOL_RANGE Range, ULONG First)
{
    ULONG End;

    if (!RtlCheckBit(&Range->InUse.Bits, First))
        return 0;
    if (First != 0 && RtlCheckBit(&Range->InUse.Bits, First - 1) && !RtlCheckBit(&Range->EndOfAllocation, First - 1))
        return 0; /* inside another allocation */
    End = RtlFindNextSetBit(&Range->EndOfAllocation, First);
    return End == RTL_BITMAP_NOT_FOUND ? 0 : End - First + 1;
}

ULONG MiQueryPoolPages(PVOID StartingAddress)
{
    PMI_POOL_RANGE Range = MiRangeOf(StartingAddress);

    if (Range == NULL || BYTE_OFFSET(StartingAddress) != 0)
        return 0;
    return MiAllocationPages(Range, ((PUCHAR)StartingAddress - Range->Base) / PAGE_SIZE);
}

/* Frees an allocation by its first address; returns its pages, or 0 if none starts there. */
ULONG MiFreePoolPages(PVOID StartingAddress)
{
    PMI_POOL_RANGE Range = MiRangeOf(StartingAddress);
    ULONG First, Count;
    KIRQL OldIrql;

    if (Range == NULL || BYTE_OFFSET(StartingAddress) != 0)
        return 0;
    First = ((PUCHAR)StartingAddress - Range->Base) / PAGE_SIZE;
    Count = MiAllocationPages(Range, First);
    if (Count == 0)
        return 0;
    if (Range == &MiPagedPool)
        MiReturnPagedPoolPages(Count, Count - MiReleaseRangePages(Range, First, Count));
    else if (!Range->Resident)
        MiReleaseRangePages(Range, First, Count);
    KeRaiseIrql(DISPATCH_LEVEL, &OldIrql);
    RtlRunMapClear(&Range->InUse, First, Count);
    RtlClearBits(&Range->EndOfAllocation, First + Count - 1, 1);
    Range->PagesInUse -= Count;
    KeLowerIrql(OldIrql);
    return Count;
}

/* Calls Callback for every allocation of one pool type, in address order. */
static VOID MiEnumerateRange(PMI_POOL_RANGE Range, PMI_POOL_ALLOCATION_CALLBACK Callback, PVOID Context)
{
    ULONG First = RtlFindNextSetBit(&Range->InUse.Bits, 0);

    while (First != RTL_BITMAP_NOT_FOUND) {
        ULONG Last = RtlFindNextSetBit(&Range->EndOfAllocation, First);

        if (Last == RTL_BITMAP_NOT_FOUND)
            break;
        Callback(Range->Base + (SIZE_T)First * PAGE_SIZE, Last - First + 1, Context);
        First = Last + 1 < Range->Pages ? RtlFindNextSetBit(&Range->InUse.Bits, Last + 1) : RTL_BITMAP_NOT_FOUND;
    }
}

VOID MiEnumeratePoolAllocations(MI_POOL_PAGE_TYPE Type, PMI_POOL_ALLOCATION_CALLBACK Callback,
                                PVOID Context)
{
    if (Type == MiPagedPoolPages) {
        MiEnumerateRange(&MiPagedPool, Callback, Context);
    } else {
        MiEnumerateRange(&MiInitialNonPagedPool, Callback, Context);
        MiEnumerateRange(&MiNonPagedPoolExpansion, Callback, Context);
    }
}

VOID MiQueryPoolPageCounts(MI_POOL_PAGE_TYPE Type, PULONG PagesInUse, PULONG PagesTotal,
                           PULONG PagesResident)
{
    if (Type == MiPagedPoolPages) {
        ULONG Resident = 0;

        for (ULONG i = RtlFindNextSetBit(&MiPagedPool.InUse.Bits, 0); i != RTL_BITMAP_NOT_FOUND;
             i = RtlFindNextSetBit(&MiPagedPool.InUse.Bits, i + 1)) {
            PVOID Va = MiPagedPool.Base + (SIZE_T)i * PAGE_SIZE;

            /* A page forced IRQL checking trimmed is still resident. */
            Resident += MiAddressToPde(Va)->u.Hard.Valid &&
                        (MiAddressToPte(Va)->u.Hard.Valid || MiIsTransitionPte(*MiAddressToPte(Va)));
        }
        *PagesInUse = MiPagedPool.PagesInUse;
        *PagesTotal = MiPagedPool.Pages;
        *PagesResident = Resident;
        return;
    }
    *PagesInUse = MiInitialNonPagedPool.PagesInUse + MiNonPagedPoolExpansion.PagesInUse;
    *PagesTotal = MiInitialNonPagedPool.Pages + MiNonPagedPoolExpansion.Pages;
    *PagesResident = MiInitialNonPagedPool.Pages + MiNonPagedPoolExpansion.PagesInUse;
}

/* The bitmaps behind the three ranges: the page allocator's own metadata. */
ULONG MiPoolPageMetadataBytes(VOID)
{
    return MiPoolBitmapBytes;
}

/*
 * Does every range's run map agree with itself and with its count of pages
 * in use, and does every page of paged pool not touched yet hold a promise?
 */
BOOLEAN MiCheckPoolPages(VOID)
{
    PMI_POOL_RANGE Ranges[] = { &MiInitialNonPagedPool, &MiNonPagedPoolExpansion, &MiPagedPool };
    ULONG InUse, Total, Resident;

    for (ULONG i = 0; i < RTL_NUMBER_OF(Ranges); i++) {
        if (!RtlCheckRunMap(&Ranges[i]->InUse) || Ranges[i]->InUse.ClearBits != Ranges[i]->Pages - Ranges[i]->PagesInUse)
            return FALSE;
    }
    MiQueryPoolPageCounts(MiPagedPoolPages, &InUse, &Total, &Resident);
    return MmPromisedPages == InUse - Resident && MmPagedPoolCommit == InUse;
}
