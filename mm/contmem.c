/*
 * contmem.c: physically contiguous memory and noncached memory for
 * drivers. Contiguous runs are found by walking the PFN database over the
 * acceptable range for free pages that do not cross the boundary multiple;
 * both kinds are mapped in system PTEs with the caching type asked for.
 * Contiguous allocations are remembered so MmFreeContiguousMemory can check
 * what it is given; noncached ones are freed by the size the caller passes.
 */
#include "mi.h"
#include <vf.h>

typedef struct _MI_CONTIGUOUS_ALLOCATION {
    LIST_ENTRY Links;
    PVOID BaseAddress;
    ULONG Pages;
} MI_CONTIGUOUS_ALLOCATION, *PMI_CONTIGUOUS_ALLOCATION;

static LIST_ENTRY MiContiguousAllocations = { &MiContiguousAllocations, &MiContiguousAllocations };

/* Is every page of [First, First + Count) RAM on the free or zeroed list? */
static BOOLEAN MiIsRunAvailable(PFN_NUMBER First, ULONG Count)
{
    for (ULONG i = 0; i < Count; i++) {
        PMMPFN Pfn1;

        if (!MiIsPhysicalPage(First + i))
            return FALSE;
        Pfn1 = MI_PFN_ELEMENT(First + i);
        if (Pfn1->u3.e2.e1.PageLocation != FreePageList && Pfn1->u3.e2.e1.PageLocation != ZeroedPageList)
            return FALSE;
    }
    return TRUE;
}

/*
 * Maps Count pages (Pages[i], or First + i; already taken, so no other
 * mapping of them exists) into system PTEs with a caching type, which their
 * PFNs record for every later mapping.
 */
static PVOID MiMapPages(PPFN_NUMBER Pages, PFN_NUMBER First, ULONG Count, MEMORY_CACHING_TYPE CacheType)
{
    PMMPTE PointerPte = MiReserveSystemPtes(Count);
    ULONG CacheAttribute = MiCacheTypeToAttribute(CacheType);
    ULONG Protection = MiCacheAttributeToProtection(CacheAttribute);
    KIRQL OldIrql;

    if (PointerPte == NULL)
        return NULL;
    MiAcquirePfnLock(&OldIrql);
    for (ULONG i = 0; i < Count; i++)
        MI_PFN_ELEMENT(Pages != NULL ? Pages[i] : First + i)->u3.e2.e1.CacheAttribute = CacheAttribute;
    MiReleasePfnLock(OldIrql);
    MiPrepareForNonCached(CacheAttribute);
    for (ULONG i = 0; i < Count; i++)
        MI_WRITE_VALID_PTE(&PointerPte[i], MiMakeSystemPte(Pages != NULL ? Pages[i] : First + i, Protection));
    return MiPteToAddress(PointerPte);
}

/* Takes an available page for good: one reference, no PTE of its own. */
static VOID MiTakePage(PFN_NUMBER PageFrameIndex)
{
    MiUnlinkFreeOrZeroedPage(PageFrameIndex);
    MI_PFN_ELEMENT(PageFrameIndex)->u3.e2.ReferenceCount = 1;
    MI_PFN_ELEMENT(PageFrameIndex)->PteAddress = NULL;
    MI_PFN_ELEMENT(PageFrameIndex)->u4.PteFrame = 0;
}

/* Unmaps Count pages at BaseAddress and gives their frames back, each after its PTE is gone. */
static VOID MiUnmapAndFreePages(PVOID BaseAddress, ULONG Count)
{
    PMMPTE PointerPte = MiAddressToPte(BaseAddress);
    KIRQL OldIrql;

    for (ULONG i = 0; i < Count; i++) {
        PFN_NUMBER PageFrameIndex = PFN_FROM_PTE(&PointerPte[i]);

        MI_ERASE_PTE(&PointerPte[i]);
        MiFlushTb((PUCHAR)BaseAddress + i * PAGE_SIZE);
        MiAcquirePfnLock(&OldIrql);
        MiDecrementReferenceCount(MI_PFN_ELEMENT(PageFrameIndex), PageFrameIndex);
        MiReleasePfnLock(OldIrql);
    }
    MiReleaseSystemPtes(PointerPte, Count);
}

PVOID NTAPI MmAllocateContiguousMemorySpecifyCache(SIZE_T NumberOfBytes, PHYSICAL_ADDRESS LowestAcceptableAddress,
                                                   PHYSICAL_ADDRESS HighestAcceptableAddress,
                                                   PHYSICAL_ADDRESS BoundaryAddressMultiple,
                                                   MEMORY_CACHING_TYPE CacheType)
{
    ULONG Count = BYTES_TO_PAGES(NumberOfBytes);
    /* The range is 64-bit (MAXULONG64 is the usual "anywhere"): clipped to RAM before it is narrowed. */
    ULONGLONG LowestPage = ((ULONGLONG)LowestAcceptableAddress.QuadPart >> PAGE_SHIFT) +
                           (BYTE_OFFSET(LowestAcceptableAddress.LowPart) != 0);
    ULONGLONG HighestPage = (ULONGLONG)HighestAcceptableAddress.QuadPart >> PAGE_SHIFT;
    ULONGLONG BoundaryPages = (ULONGLONG)BoundaryAddressMultiple.QuadPart >> PAGE_SHIFT;
    PFN_NUMBER Lowest, Highest, Boundary;
    PFN_NUMBER First = MM_EMPTY_LIST;
    PMI_CONTIGUOUS_ALLOCATION Allocation;
    PVOID BaseAddress;
    KIRQL OldIrql;

    if (HighestPage > MmHighestPhysicalPage)
        HighestPage = MmHighestPhysicalPage;
    if (Count == 0 || CacheType >= MmMaximumCacheType || HighestPage < LowestPage ||
        HighestPage - LowestPage + 1 < Count ||
        (BoundaryPages != 0 && (BoundaryPages < Count || (BoundaryPages & (BoundaryPages - 1)) != 0)) ||
        VF_INJECT_FAILURE(VfResourcePages, __builtin_return_address(0)))
        return NULL;
    Lowest = (PFN_NUMBER)LowestPage;
    Highest = (PFN_NUMBER)HighestPage;
    /* No multiple of a boundary past the last page lies inside RAM: no constraint. */
    Boundary = BoundaryPages > MmHighestPhysicalPage ? 0 : (PFN_NUMBER)BoundaryPages;
    Allocation = ExAllocatePoolWithTag(NonPagedPool, sizeof(*Allocation), 'tnoC');
    if (Allocation == NULL)
        return NULL;

    MiAcquirePfnLock(&OldIrql);
    /* Pages promised to paged pool are not to be had (MiUsablePages). */
    for (PFN_NUMBER Start = Lowest; Count <= MiUsablePages() && Start + Count - 1 <= Highest && Count <= Highest + 1;
         Start++) {
        /* A run may not cross a multiple of the boundary: start again at the next one. */
        if (Boundary != 0 && (Start / Boundary) != ((Start + Count - 1) / Boundary)) {
            Start = ALIGN_UP_BY(Start + 1, Boundary) - 1;
            continue;
        }
        if (MiIsRunAvailable(Start, Count)) {
            First = Start;
            break;
        }
    }
    if (First != MM_EMPTY_LIST) {
        for (ULONG i = 0; i < Count; i++)
            MiTakePage(First + i);
    }
    MiReleasePfnLock(OldIrql);
    if (First == MM_EMPTY_LIST) {
        ExFreePoolWithTag(Allocation, 'tnoC');
        return NULL;
    }

    BaseAddress = MiMapPages(NULL, First, Count, CacheType);
    if (BaseAddress == NULL) {
        MiAcquirePfnLock(&OldIrql);
        for (ULONG i = 0; i < Count; i++)
            MiDecrementReferenceCount(MI_PFN_ELEMENT(First + i), First + i);
        MiReleasePfnLock(OldIrql);
        ExFreePoolWithTag(Allocation, 'tnoC');
        return NULL;
    }
    Allocation->BaseAddress = BaseAddress;
    Allocation->Pages = Count;
    KeRaiseIrql(DISPATCH_LEVEL, &OldIrql);
    InsertTailList(&MiContiguousAllocations, &Allocation->Links);
    KeLowerIrql(OldIrql);
    return BaseAddress;
}

PVOID NTAPI MmAllocateContiguousMemory(SIZE_T NumberOfBytes, PHYSICAL_ADDRESS HighestAcceptableAddress)
{
    PHYSICAL_ADDRESS Zero;

    Zero.QuadPart = 0;
    return MmAllocateContiguousMemorySpecifyCache(NumberOfBytes, Zero, HighestAcceptableAddress, Zero, MmCached);
}

VOID NTAPI MmFreeContiguousMemory(PVOID BaseAddress)
{
    PMI_CONTIGUOUS_ALLOCATION Allocation = NULL;
    KIRQL OldIrql;

    KeRaiseIrql(DISPATCH_LEVEL, &OldIrql);
    for (PLIST_ENTRY Entry = MiContiguousAllocations.Flink; Entry != &MiContiguousAllocations; Entry = Entry->Flink) {
        PMI_CONTIGUOUS_ALLOCATION Candidate = CONTAINING_RECORD(Entry, MI_CONTIGUOUS_ALLOCATION, Links);
        if (Candidate->BaseAddress == BaseAddress) {
            Allocation = Candidate;
            RemoveEntryList(Entry);
            break;
        }
    }
    KeLowerIrql(OldIrql);
    if (Allocation == NULL)
        KeBugCheckEx(BAD_POOL_CALLER, 0x60, (ULONG_PTR)BaseAddress, 0, 0);
    MiUnmapAndFreePages(BaseAddress, Allocation->Pages);
    ExFreePoolWithTag(Allocation, 'tnoC');
}

/* As NT's: the size and type are those of the allocation, which the memory manager already knows. */
VOID NTAPI MmFreeContiguousMemorySpecifyCache(PVOID BaseAddress, SIZE_T NumberOfBytes, MEMORY_CACHING_TYPE CacheType)
{
    UNREFERENCED_PARAMETER(NumberOfBytes);
    UNREFERENCED_PARAMETER(CacheType);
    MmFreeContiguousMemory(BaseAddress);
}

/* Any pages, zeroed, mapped uncached (NT's MmAllocateNonCachedMemory). */
PVOID NTAPI MmAllocateNonCachedMemory(SIZE_T NumberOfBytes)
{
    ULONG Count = BYTES_TO_PAGES(NumberOfBytes);
    PPFN_NUMBER Pages;
    PVOID BaseAddress = NULL;
    ULONG Taken = 0;

    if (Count == 0 || VF_INJECT_FAILURE(VfResourcePages, __builtin_return_address(0)))
        return NULL;
    Pages = ExAllocatePoolWithTag(NonPagedPool, Count * sizeof(PFN_NUMBER), 'CNmM');
    if (Pages == NULL)
        return NULL;
    for (; Taken < Count; Taken++) {
        Pages[Taken] = MmAllocatePhysicalPage(TRUE);
        if (Pages[Taken] == MM_EMPTY_LIST)
            break;
    }
    if (Taken == Count)
        BaseAddress = MiMapPages(Pages, 0, Count, MmNonCached);
    if (BaseAddress == NULL) {
        while (Taken > 0)
            MmFreePhysicalPage(Pages[--Taken]);
    }
    ExFreePoolWithTag(Pages, 'CNmM');
    return BaseAddress;
}

VOID NTAPI MmFreeNonCachedMemory(PVOID BaseAddress, SIZE_T NumberOfBytes)
{
    ULONG Count = BYTES_TO_PAGES(NumberOfBytes);

    if (!MiIsSystemPteAddress(BaseAddress) || BYTE_OFFSET(BaseAddress) != 0 ||
        !MiAreSystemPtesReserved(MiAddressToPte(BaseAddress), Count))
        KeBugCheckEx(SYSTEM_PTE_MISUSE, 0x302, (ULONG_PTR)BaseAddress, NumberOfBytes, 0);
    MiUnmapAndFreePages(BaseAddress, Count);
}
