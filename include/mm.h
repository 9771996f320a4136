/* mm.h: the memory manager's interface to the rest of the kernel (not to drivers). */
#ifndef NTMM_MM_H
#define NTMM_MM_H

#include <ke.h>

VOID MmInitSystem(VOID);
VOID MmDumpSystemState(VOID);

/*
 * Called by the page-fault trap with CR2 and the error code. Returns
 * STATUS_SUCCESS when the fault was resolved and the instruction can run
 * again, or the status to raise (STATUS_ACCESS_VIOLATION) to the faulting
 * code's try block; stops the system itself where NT does.
 */
NTSTATUS MmAccessFault(ULONG FaultStatus, PVOID VirtualAddress, KPROCESSOR_MODE PreviousMode,
                       PKTRAP_FRAME TrapFrame);

#endif
