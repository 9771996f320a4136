/*
 * addrsup.c: from a virtual address to what backs it: MmGetPhysicalAddress
 * (the large-page path, the 4 KB path, zero for an invalid address, as the
 * WRK's), MmIsAddressValid and MmIsNonPagedSystemAddressValid, all through
 * the self-map; back from a physical page to the system address that maps
 * it (MmGetVirtualForPhysical, through its PFN); and the bounds of user
 * space the DDK exports as variables.
 */
#include "mi.h"

/* The DDK's MM_HIGHEST_USER_ADDRESS, MM_SYSTEM_RANGE_START and MM_USER_PROBE_ADDRESS read these. */
PVOID MmHighestUserAddress = (PVOID)MI_HIGHEST_USER_ADDRESS;
PVOID MmSystemRangeStart = (PVOID)MI_SYSTEM_RANGE_START;
ULONG_PTR MmUserProbeAddress = MI_USER_PROBE_ADDRESS;

PHYSICAL_ADDRESS NTAPI MmGetPhysicalAddress(PVOID BaseAddress)
{
    PHYSICAL_ADDRESS PhysicalAddress;
    PMMPTE PointerPde = MiAddressToPde(BaseAddress);
    PMMPTE PointerPte;

    PhysicalAddress.QuadPart = 0;
    if (!PointerPde->u.Hard.Valid && !MiSyncSystemPde(BaseAddress))
        return PhysicalAddress;
    if (PointerPde->u.Hard.LargePage) {
        PhysicalAddress.QuadPart = (PointerPde->u.Long & ~(PDE_MAPPED_SIZE - 1)) +
                                   ((ULONG_PTR)BaseAddress & (PDE_MAPPED_SIZE - 1));
        return PhysicalAddress;
    }
    PointerPte = MiAddressToPte(BaseAddress);
    if (!PointerPte->u.Hard.Valid)
        return PhysicalAddress;
    PhysicalAddress.QuadPart = PFN_TO_PHYSICAL(PFN_FROM_PTE(PointerPte)) + BYTE_OFFSET(BaseAddress);
    return PhysicalAddress;
}

BOOLEAN NTAPI MmIsAddressValid(PVOID VirtualAddress)
{
    PMMPTE PointerPde = MiAddressToPde(VirtualAddress);

    if (!PointerPde->u.Hard.Valid && !MiSyncSystemPde(VirtualAddress))
        return FALSE;
    return PointerPde->u.Hard.LargePage || MiAddressToPte(VirtualAddress)->u.Hard.Valid;
}

/*
 * The old DDK's test: TRUE for a system address that is mapped now and can
 * never be paged out, which excludes user space and paged pool.
 */
BOOLEAN NTAPI MmIsNonPagedSystemAddressValid(PVOID VirtualAddress)
{
    MI_POOL_PAGE_TYPE Type;

    if ((ULONG_PTR)VirtualAddress < MI_SYSTEM_RANGE_START)
        return FALSE;
    if ((MiIsPoolRange(VirtualAddress, &Type) && Type == MiPagedPoolPages) ||
        (MmIsSpecialPoolAddress(VirtualAddress) && !MmIsSpecialPoolAddressNonPaged(VirtualAddress)))
        return FALSE;
    return MmIsAddressValid(VirtualAddress);
}

/*
 * The system address mapping a physical address, found as NT finds it:
 * from the PTE (or large-page PDE) its PFN records. NULL when the page is
 * not RAM, not in use, has no mapping of its own in system space (pages of
 * MmAllocatePagesForMdl, user pages), or that PTE maps something else now.
 */
PVOID NTAPI MmGetVirtualForPhysical(PHYSICAL_ADDRESS PhysicalAddress)
{
    PFN_NUMBER PageFrameIndex = PHYSICAL_TO_PFN_CLIPPED(PhysicalAddress.QuadPart);
    PMMPTE PointerPte;
    PMMPFN Pfn1;
    PUCHAR Va;

    if (!MiIsPhysicalPage(PageFrameIndex))
        return NULL;
    Pfn1 = MI_PFN_ELEMENT(PageFrameIndex);
    PointerPte = Pfn1->PteAddress;
    if (Pfn1->u3.e2.e1.PageLocation != ActiveAndValid || (ULONG_PTR)PointerPte < PTE_BASE ||
        (ULONG_PTR)PointerPte > PTE_TOP || !MiAddressToPte(PointerPte)->u.Hard.Valid || !PointerPte->u.Hard.Valid)
        return NULL;
    if ((ULONG_PTR)PointerPte >= PDE_BASE && PointerPte->u.Hard.LargePage)
        Va = (PUCHAR)MiPdeToAddress(PointerPte) + ((PageFrameIndex - PFN_FROM_PTE(PointerPte)) << PAGE_SHIFT);
    else
        Va = MiPteToAddress(PointerPte);
    if ((ULONG_PTR)Va < MI_SYSTEM_RANGE_START ||
        MmGetPhysicalAddress(Va).QuadPart != (LONGLONG)PFN_TO_PHYSICAL(PageFrameIndex))
        return NULL;
    return Va + BYTE_OFFSET(PhysicalAddress.LowPart);
}
