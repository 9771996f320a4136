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

/*
 * Available pages, counting as available those special pool holds for live
 * blocks: under the verifier every pool block a case allocates or frees
 * takes or gives back a page of its own, which the case's count of its own
 * pages must not see.
 */
#define KtAvailablePages() (MmAvailablePages + MmSpecialPoolInUse)

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

/*
 * Sections for the section, view and copy-on-write suites: a new section's
 * handle, the section object a handle names (the handle keeps it alive), a
 * view in any process (Offset and *Size as NtMapViewOfSection takes them),
 * a whole view anywhere in the current process, and NtQueryVirtualMemory's
 * region around an address of the current process.
 */
HANDLE KtCreateSection(SIZE_T Size, ULONG Protect, ULONG Attributes);
PVOID KtSectionObject(HANDLE Handle);
NTSTATUS KtMapView(HANDLE Section, HANDLE Process, PVOID *Base, ULONGLONG Offset, PSIZE_T Size, ULONG AllocationType,
                   ULONG Protect);
PVOID KtMapWholeView(HANDLE Section, ULONG Protect);
MEMORY_BASIC_INFORMATION KtQueryRegion(PVOID Address);

#endif
