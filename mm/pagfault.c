/* pagfault.c: MmAccessFault, what the kernel does with a page fault. */
#include <mm.h>

NTSTATUS MmAccessFault(ULONG FaultStatus, PVOID VirtualAddress, KPROCESSOR_MODE PreviousMode,
                       PKTRAP_FRAME TrapFrame)
{
    UNREFERENCED_PARAMETER(PreviousMode);
    if (KeExceptionHandlerActive())
        return STATUS_ACCESS_VIOLATION;
    KeBugCheckWithTf(PAGE_FAULT_IN_NONPAGED_AREA, (ULONG_PTR)VirtualAddress,
                     (FaultStatus & PF_WRITE) ? 1 : 0, TrapFrame->Eip, 0, TrapFrame);
}
