/*
 * addrsup.c: from a virtual address to what backs it: MmGetPhysicalAddress
 * (the large-page path, the 4 KB path, zero for an invalid address, as the
 * WRK's) and MmIsAddressValid, both through the self-map.
 */
#include "mi.h"

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
