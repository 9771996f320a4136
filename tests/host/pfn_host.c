/*
 * pfn_host.c: what mm/pfnlist.c needs from the rest of the kernel, on the
 * host, so the page lists build unchanged into make test-host: a PFN
 * database of HOST_PFN_PAGES entries in ordinary memory, the processor
 * block the PFN lock raises IRQL in, and a record of the pages zeroed
 * instead of a hyperspace mapping to zero them through.
 */
#define NTMM_MM_WHITEBOX_TEST
#include <ntddk.h>
#include "../../mm/mi.h"
#include "pfn_host.h"
#include <string.h>

KPCR KiPcr;
PFN_NUMBER MmHighestPhysicalPage;
ULONG HostPagesZeroed;
PFN_NUMBER HostLastPageZeroed;
static MMPFN HostPfnDatabase[HOST_PFN_PAGES];

VOID KiDispatchPendingDpcs(KIRQL Irql)
{
    UNREFERENCED_PARAMETER(Irql);
    KiPcr.DpcRequested = FALSE;
}

BOOLEAN MiIsPhysicalPage(PFN_NUMBER PageFrameIndex)
{
    return PageFrameIndex >= HOST_PFN_FIRST_PAGE && PageFrameIndex <= MmHighestPhysicalPage;
}

VOID MiZeroPhysicalPage(PFN_NUMBER PageFrameIndex)
{
    HostPagesZeroed++;
    HostLastPageZeroed = PageFrameIndex;
}

/* Every page of the database free and on the free list in order, the other lists empty, the counts to match. */
VOID HostResetPfnDatabase(VOID)
{
    memset(HostPfnDatabase, 0, sizeof(HostPfnDatabase));
    MmPfnDatabase = HostPfnDatabase;
    MmHighestPhysicalPage = HOST_PFN_PAGES - 1;
    MmZeroedPageListHead.Total = MmFreePageListHead.Total = MmBadPageListHead.Total = 0;
    MmZeroedPageListHead.Flink = MmZeroedPageListHead.Blink = MM_EMPTY_LIST;
    MmFreePageListHead.Flink = MmFreePageListHead.Blink = MM_EMPTY_LIST;
    MmBadPageListHead.Flink = MmBadPageListHead.Blink = MM_EMPTY_LIST;
    MmAvailablePages = 0;
    MmPromisedPages = 0;
    HostPagesZeroed = 0;
    for (PFN_NUMBER Page = HOST_PFN_FIRST_PAGE; Page < HOST_PFN_PAGES; Page++)
        MiInsertPageInList(&MmFreePageListHead, Page);
}
