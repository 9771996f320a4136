/* mmtest.h: helpers the memory manager's test suites share (mmtest.c). */
#ifndef NTMM_MMTEST_H
#define NTMM_MMTEST_H

#include <mm.h>

/* Reads a byte through the kernel's probe instruction inside a try block; the status it raised, or success. */
NTSTATUS KtProbeRead(PVOID Address);
NTSTATUS KtProbeWrite(PVOID Address);

/* Fills, or checks, a whole physical page through hyperspace. */
VOID KtFillPhysicalPage(PFN_NUMBER PageFrameIndex, ULONG Pattern);
BOOLEAN KtPhysicalPageHolds(PFN_NUMBER PageFrameIndex, ULONG Pattern);

#endif
