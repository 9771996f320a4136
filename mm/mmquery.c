/*
 * mmquery.c: what the memory manager tells a driver about the machine: its
 * size class (MmQuerySystemSize, by NT's thresholds of 13 and 19 MB), its
 * product type (MmIsThisAnNtAsSystem) and the runs of RAM
 * (MmGetPhysicalMemoryRanges).
 */
#include "mi.h"

#define MI_SMALL_SYSTEM_PAGES  ((13 * 1024 * 1024) / PAGE_SIZE)
#define MI_MEDIUM_SYSTEM_PAGES ((19 * 1024 * 1024) / PAGE_SIZE)
#define MI_MEMORY_RANGES_TAG 'hPmM'

MM_SYSTEMSIZE NTAPI MmQuerySystemSize(VOID)
{
    if (MmNumberOfPhysicalPages <= MI_SMALL_SYSTEM_PAGES)
        return MmSmallSystem;
    if (MmNumberOfPhysicalPages <= MI_MEDIUM_SYSTEM_PAGES)
        return MmMediumSystem;
    return MmLargeSystem;
}

/* TRUE on a server product; ntmm is a workstation (NtProductWinNt), as its build number says. */
BOOLEAN NTAPI MmIsThisAnNtAsSystem(VOID)
{
    return FALSE;
}

/*
 * The RAM the memory manager owns, one entry per run in address order and
 * a zeroed entry after the last, in nonpaged pool the caller frees with
 * ExFreePool; NULL when pool runs out.
 */
PPHYSICAL_MEMORY_RANGE NTAPI MmGetPhysicalMemoryRanges(VOID)
{
    ULONG Runs = MmPhysicalMemoryBlock.NumberOfRuns;
    PPHYSICAL_MEMORY_RANGE Ranges;

    Ranges = ExAllocatePoolWithTag(NonPagedPool, (Runs + 1) * sizeof(PHYSICAL_MEMORY_RANGE), MI_MEMORY_RANGES_TAG);
    if (Ranges == NULL)
        return NULL;
    for (ULONG i = 0; i < Runs; i++) {
        Ranges[i].BaseAddress.QuadPart = (LONGLONG)PFN_TO_PHYSICAL(MmPhysicalMemoryBlock.Run[i].BasePage);
        Ranges[i].NumberOfBytes.QuadPart = (LONGLONG)PFN_TO_PHYSICAL(MmPhysicalMemoryBlock.Run[i].PageCount);
    }
    Ranges[Runs].BaseAddress.QuadPart = 0;
    Ranges[Runs].NumberOfBytes.QuadPart = 0;
    return Ranges;
}
