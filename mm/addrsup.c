/*
 * addrsup.c: from a virtual address to what backs it: MmGetPhysicalAddress
 * (the large-page path, the 4 KB path, zero for an invalid address, as the
 * WRK's) and MmIsAddressValid, both through the self-map; and the bounds
 * of user space the DDK exports as variables.
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
