/* mmtest.h: helpers the memory manager's test suites share (mmtest.c). */
#ifndef NTMM_MMTEST_H
#define NTMM_MMTEST_H

#include <mm.h>

/* Reads a byte through the kernel's probe instruction inside a try block; the status it raised, or success. */
NTSTATUS KtProbeRead(PVOID Address);
NTSTATUS KtProbeWrite(PVOID Address);

/*
 * An address nobody maps: the last page of system PTE space, which
 * first-fit reservations reach only when every other PTE is taken (the
 * first pages hold special pool's window).
 */
#define KT_UNMAPPED_SYSTEM_ADDRESS (MM_SYSTEM_PTE_END + 1 - PAGE_SIZE)

/* A physical address from a number, for the calls that take a PHYSICAL_ADDRESS. */
PHYSICAL_ADDRESS KtPhysical(ULONGLONG Address);

/* Fills, or checks, a whole physical page through hyperspace. */
VOID KtFillPhysicalPage(PFN_NUMBER PageFrameIndex, ULONG Pattern);
BOOLEAN KtPhysicalPageHolds(PFN_NUMBER PageFrameIndex, ULONG Pattern);

/*
 * Takes available pages (zeroed ones only, with Zeroed) while Keep more
 * than Leave are left, chained through their PFNs; KtReleaseHeldPages gives
 * the chain back. For tests that need memory scarce or a list empty.
 */
PFN_NUMBER KtHoldPages(BOOLEAN Zeroed, PFN_NUMBER Leave);
VOID KtReleaseHeldPages(PFN_NUMBER Held);

#endif
