/*
 * queryvm.c: NtQueryVirtualMemory's MemoryBasicInformation: the region
 * around an address whose pages share one state (free, reserved or
 * committed) and, when committed, one protection. A free region runs to the
 * next VAD; a region inside a VAD runs as far as its pages agree, reading
 * each PTE (a missing page table answers for 4 MB at once) and, for a zero
 * PTE, the VAD. Pages of private VADs are MEM_PRIVATE, of views MEM_MAPPED
 * (MEM_IMAGE for an image), each view its own allocation.
 */
#include "mi.h"

static VOID MiQueryFreeRegion(PEPROCESS Process, ULONG_PTR Va, PMEMORY_BASIC_INFORMATION Information)
{
    PRTL_AVL_RANGE_NODE Next = RtlAvlFindFirstOverlap(&Process->VadRoot, Va >> PAGE_SHIFT,
                                                      MI_HIGHEST_USER_ADDRESS >> PAGE_SHIFT);
    ULONG_PTR End = Next != NULL ? Next->StartingVpn << PAGE_SHIFT : MI_HIGHEST_USER_ADDRESS + 1;

    Information->BaseAddress = (PVOID)Va;
    Information->AllocationBase = NULL;
    Information->AllocationProtect = 0;
    Information->RegionSize = End - Va;
    Information->State = MEM_FREE;
    Information->Protect = PAGE_NOACCESS;
    Information->Type = 0;
}

static VOID MiQueryVadRegion(PMMVAD Vad, ULONG_PTR Va, PMEMORY_BASIC_INFORMATION Information)
{
    ULONG_PTR End = (ULONG_PTR)MI_VAD_END(Vad), Cursor = Va, RegionEnd = Va;
    BOOLEAN Committed, PageCommitted;
    ULONG Protection = MiQueryPageProtection(Vad, (PVOID)Va, &Committed);

    for (;;) {
        /*
         * The run Cursor starts shares its state: one page, or the rest of a
         * missing page table (in a view, only a page: its prototype PTEs differ).
         */
        ULONG_PTR RunEnd = MiIsPageTablePresent((PVOID)Cursor) || MI_IS_VIEW(Vad) ? Cursor | (PAGE_SIZE - 1)
                                                                                  : Cursor | (PDE_MAPPED_SIZE - 1);
        ULONG PageProtection = MiQueryPageProtection(Vad, (PVOID)Cursor, &PageCommitted);

        if (PageCommitted != Committed || (Committed && PageProtection != Protection))
            break;
        RegionEnd = RunEnd < End ? RunEnd : End;
        if (RegionEnd == End)
            break;
        Cursor = RegionEnd + 1;
    }
    Information->BaseAddress = (PVOID)Va;
    Information->AllocationBase = MI_VAD_START(Vad);
    Information->AllocationProtect = MiProtectionToPageProtect(Vad->u.VadFlags.Protection);
    Information->RegionSize = RegionEnd + 1 - Va;
    Information->State = Committed ? MEM_COMMIT : MEM_RESERVE;
    Information->Protect = Committed ? MiProtectionToPageProtect(Protection) : 0;
    Information->Type = Vad->u.VadFlags.PrivateMemory ? MEM_PRIVATE
                        : Vad->u.VadFlags.ImageMap    ? MEM_IMAGE
                                                      : MEM_MAPPED;
}

/* Writes the answer to the caller's buffer; a pointer gone bad since the probe is the status. */
static NTSTATUS MiReturnBasicInformation(PVOID MemoryInformation, PSIZE_T ReturnLength,
                                         const MEMORY_BASIC_INFORMATION *Information)
{
    volatile NTSTATUS Status = STATUS_SUCCESS;

    _SEH2_TRY {
        KiAllowUserAccess();
        *(PMEMORY_BASIC_INFORMATION)MemoryInformation = *Information;
        if (ReturnLength != NULL)
            *ReturnLength = sizeof(*Information);
        KiForbidUserAccess();
    } _SEH2_EXCEPT(EXCEPTION_EXECUTE_HANDLER) {
        Status = _SEH2_GetExceptionCode();
    } _SEH2_END;
    return Status;
}

NTSTATUS NTAPI NtQueryVirtualMemory(HANDLE ProcessHandle, PVOID BaseAddress,
                                    MEMORY_INFORMATION_CLASS MemoryInformationClass, PVOID MemoryInformation,
                                    SIZE_T MemoryInformationLength, PSIZE_T ReturnLength)
{
    KPROCESSOR_MODE PreviousMode = ExGetPreviousMode();
    MEMORY_BASIC_INFORMATION Information;
    PEPROCESS Process;
    KAPC_STATE ApcState;
    NTSTATUS Status;
    PMMVAD Vad;

    if (MemoryInformationClass != MemoryBasicInformation)
        return STATUS_INVALID_INFO_CLASS;
    if (MemoryInformationLength < sizeof(MEMORY_BASIC_INFORMATION))
        return STATUS_INFO_LENGTH_MISMATCH;
    if (PreviousMode != KernelMode) {
        Status = MiProbeForWrite(MemoryInformation, MemoryInformationLength, sizeof(ULONG_PTR));
        if (NT_SUCCESS(Status) && ReturnLength != NULL)
            Status = MiProbeForWrite(ReturnLength, sizeof(*ReturnLength), sizeof(ULONG_PTR));
        if (!NT_SUCCESS(Status))
            return Status;
    }
    /* NT's status here is the plain one, not STATUS_INVALID_PARAMETER_2. */
    if ((ULONG_PTR)BaseAddress > MI_HIGHEST_USER_ADDRESS)
        return STATUS_INVALID_PARAMETER;

    Status = ObReferenceObjectByHandle(ProcessHandle, PROCESS_QUERY_INFORMATION, PsProcessObjectType, PreviousMode,
                                       (PVOID *)&Process, NULL);
    if (!NT_SUCCESS(Status))
        return Status;
    KeStackAttachProcess(&Process->Pcb, &ApcState);
    MmLockAddressSpace(Process);
    Vad = MiLocateAddress(Process, BaseAddress);
    Status = STATUS_SUCCESS;
    if (Process->ProcessExiting)
        Status = STATUS_PROCESS_IS_TERMINATING;
    else if (Vad == NULL)
        MiQueryFreeRegion(Process, (ULONG_PTR)PAGE_ALIGN(BaseAddress), &Information);
    else
        MiQueryVadRegion(Vad, (ULONG_PTR)PAGE_ALIGN(BaseAddress), &Information);
    MmUnlockAddressSpace(Process);
    KeUnstackDetachProcess(&ApcState);
    ObDereferenceObject(Process);
    if (!NT_SUCCESS(Status))
        return Status;

    return MiReturnBasicInformation(MemoryInformation, ReturnLength, &Information);
}

NTSTATUS NTAPI ZwQueryVirtualMemory(HANDLE ProcessHandle, PVOID BaseAddress,
                                    MEMORY_INFORMATION_CLASS MemoryInformationClass, PVOID MemoryInformation,
                                    SIZE_T MemoryInformationLength, PSIZE_T ReturnLength)
{
    KPROCESSOR_MODE PreviousMode = KiEnterKernelService();
    NTSTATUS Status = NtQueryVirtualMemory(ProcessHandle, BaseAddress, MemoryInformationClass, MemoryInformation,
                                           MemoryInformationLength, ReturnLength);

    KiLeaveKernelService(PreviousMode);
    return Status;
}
