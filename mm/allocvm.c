/*
 * allocvm.c: NtAllocateVirtualMemory: reserving ranges of a process's user
 * space and committing pages in them.
 *
 * Reserving (MEM_RESERVE, or any request without a base) makes a VAD: at
 * the base given, rounded down to the 64 KB allocation granularity, or at
 * the lowest (MEM_TOP_DOWN or a VmTopDown process: highest) free range of
 * that granularity below the ZeroBits limit. With MEM_COMMIT too, the VAD
 * is committed as a whole: its pages are charged now and its zero PTEs
 * mean "committed", so nothing else is written. Committing inside an
 * existing reservation charges the pages not yet committed and writes
 * demand-zero PTEs for them; pages already committed take the new
 * protection. Either way no page is taken until a page is touched
 * (userfault.c). Arguments are checked in NT's order and get NT's
 * statuses (vmargs.c); a caller in user mode has every pointer probed.
 */
#include "mi.h"

/* A reservation of StartingAddress..EndingAddress, committed as a whole with Commit. */
static NTSTATUS MiReserveRange(PEPROCESS Process, PVOID StartingAddress, PVOID EndingAddress, ULONG Protection,
                               BOOLEAN Commit)
{
    SIZE_T Pages = ((ULONG_PTR)EndingAddress - (ULONG_PTR)StartingAddress + 1) >> PAGE_SHIFT;
    PMMVAD Vad;

    if (Commit && !MiChargeCommitment(&Process->CommitCharge, Pages))
        return STATUS_COMMITMENT_LIMIT;
    Vad = MiAllocateVad(StartingAddress, EndingAddress, Protection);
    if (Vad == NULL) {
        if (Commit)
            MiReturnCommitment(&Process->CommitCharge, Pages);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    Vad->u.VadFlags.PrivateMemory = 1;
    Vad->u.VadFlags.MemCommit = Commit;
    Vad->u.VadFlags.CommitCharge = Commit ? Pages : 0;
    MiInsertVad(Process, Vad);
    return STATUS_SUCCESS;
}

/*
 * Commits StartingAddress..EndingAddress inside an existing private
 * reservation, or inside a view of a SEC_RESERVE section, where the pages
 * are committed in the section for every view and keep the view's
 * protection, which Protect may not exceed.
 */
static NTSTATUS MiCommitRange(PEPROCESS Process, PVOID StartingAddress, PVOID EndingAddress, ULONG Protection,
                              ULONG Protect)
{
    PMMVAD Vad = MiLocateAddress(Process, StartingAddress);
    SIZE_T NewPages = 0;
    BOOLEAN Committed;

    if (Vad != NULL && MI_IS_VIEW(Vad) && (ULONG_PTR)EndingAddress <= (ULONG_PTR)MI_VAD_END(Vad)) {
        if (!MiIsProtectionCompatible(Vad->u.VadFlags.Protection, Protect))
            return STATUS_SECTION_PROTECTION;
        return MiCommitSectionPages(Vad, StartingAddress, EndingAddress);
    }
    if (Vad == NULL || (ULONG_PTR)EndingAddress > (ULONG_PTR)MI_VAD_END(Vad) || Vad->u.VadFlags.NoChange ||
        Vad->u.VadFlags.PhysicalMapping || !Vad->u.VadFlags.PrivateMemory)
        return STATUS_CONFLICTING_ADDRESSES;
    for (ULONG_PTR Va = (ULONG_PTR)StartingAddress; Va < (ULONG_PTR)EndingAddress; Va += PAGE_SIZE) {
        MiQueryPageProtection(Vad, (PVOID)Va, &Committed);
        NewPages += !Committed;
    }
    if (NewPages != 0 && !MiChargeCommitment(&Process->CommitCharge, NewPages))
        return STATUS_COMMITMENT_LIMIT;
    /* Every page table first, so that running out of pages changes nothing. */
    if (!NT_SUCCESS(MiMakePageTablesForRange(Process, StartingAddress, EndingAddress))) {
        if (NewPages != 0)
            MiReturnCommitment(&Process->CommitCharge, NewPages);
        return STATUS_NO_MEMORY;
    }
    for (ULONG_PTR Va = (ULONG_PTR)StartingAddress; Va < (ULONG_PTR)EndingAddress; Va += PAGE_SIZE) {
        ULONG Current = MiQueryPageProtection(Vad, (PVOID)Va, &Committed);

        if (!Committed)
            MiWriteUserPte(Process, MiAddressToPte(Va), MiMakeDemandZeroPte(Protection));
        else if (Current != Protection)
            MiSetPageProtection(Process, Vad, (PVOID)Va, Protection);
    }
    Vad->u.VadFlags.CommitCharge += NewPages;
    MiDeleteEmptyPageTables(Process, StartingAddress, EndingAddress);
    return STATUS_SUCCESS;
}

/* ProbeForWrite for a service: the exception a bad pointer raises, as a status. */
NTSTATUS MiProbeForWrite(PVOID Address, SIZE_T Length, ULONG Alignment)
{
    volatile NTSTATUS Status = STATUS_SUCCESS;

    _SEH2_TRY {
        ProbeForWrite(Address, Length, Alignment);
    } _SEH2_EXCEPT(EXCEPTION_EXECUTE_HANDLER) {
        Status = _SEH2_GetExceptionCode();
    } _SEH2_END;
    return Status;
}

/*
 * Reads a service's base-address and size arguments, probing them first
 * for a caller in user mode; the exception a bad pointer raises is the
 * status to return.
 */
NTSTATUS MiCaptureAddressAndSize(KPROCESSOR_MODE PreviousMode, PVOID *BaseAddress, PSIZE_T RegionSize,
                                 PVOID *CapturedBase, PSIZE_T CapturedSize)
{
    volatile NTSTATUS Status = STATUS_SUCCESS;

    _SEH2_TRY {
        if (PreviousMode != KernelMode) {
            ProbeForWrite(BaseAddress, sizeof(*BaseAddress), sizeof(ULONG_PTR));
            ProbeForWrite(RegionSize, sizeof(*RegionSize), sizeof(ULONG_PTR));
        }
        KiAllowUserAccess();
        *CapturedBase = *BaseAddress;
        *CapturedSize = *RegionSize;
        KiForbidUserAccess();
    } _SEH2_EXCEPT(EXCEPTION_EXECUTE_HANDLER) {
        Status = _SEH2_GetExceptionCode();
    } _SEH2_END;
    return Status;
}

/*
 * Writes back the range a service acted on. The work is done by then: as
 * in NT, a caller whose pointers went bad meanwhile only loses the answer.
 */
VOID MiReturnAddressAndSize(PVOID *BaseAddress, PSIZE_T RegionSize, PVOID StartingAddress, PVOID EndingAddress)
{
    _SEH2_TRY {
        KiAllowUserAccess();
        *BaseAddress = StartingAddress;
        *RegionSize = (PUCHAR)EndingAddress - (PUCHAR)StartingAddress + 1;
        KiForbidUserAccess();
    } _SEH2_EXCEPT(EXCEPTION_EXECUTE_HANDLER) {
    } _SEH2_END;
}

NTSTATUS NTAPI NtAllocateVirtualMemory(HANDLE ProcessHandle, PVOID *BaseAddress, ULONG_PTR ZeroBits,
                                       PSIZE_T RegionSize, ULONG AllocationType, ULONG Protect)
{
    KPROCESSOR_MODE PreviousMode = ExGetPreviousMode();
    ULONG_PTR HighestAddress;
    PVOID CapturedBase, StartingAddress = NULL, EndingAddress = NULL;
    SIZE_T CapturedSize;
    ULONG Protection;
    PEPROCESS Process;
    KAPC_STATE ApcState;
    NTSTATUS Status;

    Status = MiCheckAllocateArguments(AllocationType, ZeroBits, Protect, &Protection);
    if (!NT_SUCCESS(Status))
        return Status;
    Status = MiCaptureAddressAndSize(PreviousMode, BaseAddress, RegionSize, &CapturedBase, &CapturedSize);
    if (!NT_SUCCESS(Status))
        return Status;
    Status = MiCheckAllocateRange(CapturedBase, CapturedSize, ZeroBits, &HighestAddress);
    if (!NT_SUCCESS(Status))
        return Status;

    Status = ObReferenceObjectByHandle(ProcessHandle, PROCESS_VM_OPERATION, PsProcessObjectType, PreviousMode,
                                       (PVOID *)&Process, NULL);
    if (!NT_SUCCESS(Status))
        return Status;
    KeStackAttachProcess(&Process->Pcb, &ApcState);
    MmLockAddressSpace(Process);
    if (Process->ProcessExiting) {
        Status = STATUS_PROCESS_IS_TERMINATING;
    } else if (CapturedBase == NULL || (AllocationType & MEM_RESERVE)) {
        if (CapturedBase == NULL) {
            CapturedSize = ROUND_TO_PAGES(CapturedSize);
            Status = MiFindEmptyAddressRange(Process, CapturedSize, MM_ALLOCATION_GRANULARITY,
                                             (PVOID)HighestAddress,
                                             (AllocationType & MEM_TOP_DOWN) || Process->VmTopDown,
                                             &StartingAddress);
            EndingAddress = (PUCHAR)StartingAddress + CapturedSize - 1;
        } else {
            StartingAddress = (PVOID)ALIGN_DOWN_BY(CapturedBase, MM_ALLOCATION_GRANULARITY);
            EndingAddress = (PVOID)(((ULONG_PTR)CapturedBase + CapturedSize - 1) | (PAGE_SIZE - 1));
            if (MiCheckForConflictingVadExistence(Process, StartingAddress, EndingAddress))
                Status = STATUS_CONFLICTING_ADDRESSES;
        }
        if (NT_SUCCESS(Status))
            Status = MiReserveRange(Process, StartingAddress, EndingAddress, Protection,
                                    (AllocationType & MEM_COMMIT) != 0);
    } else {
        StartingAddress = PAGE_ALIGN(CapturedBase);
        EndingAddress = (PVOID)(((ULONG_PTR)CapturedBase + CapturedSize - 1) | (PAGE_SIZE - 1));
        Status = MiCommitRange(Process, StartingAddress, EndingAddress, Protection, Protect);
    }
    MmUnlockAddressSpace(Process);
    KeUnstackDetachProcess(&ApcState);
    ObDereferenceObject(Process);
    if (!NT_SUCCESS(Status))
        return Status;

    MiReturnAddressAndSize(BaseAddress, RegionSize, StartingAddress, EndingAddress);
    return STATUS_SUCCESS;
}

NTSTATUS NTAPI ZwAllocateVirtualMemory(HANDLE ProcessHandle, PVOID *BaseAddress, ULONG_PTR ZeroBits,
                                       PSIZE_T RegionSize, ULONG AllocationType, ULONG Protect)
{
    KPROCESSOR_MODE PreviousMode = KiEnterKernelService();
    NTSTATUS Status = NtAllocateVirtualMemory(ProcessHandle, BaseAddress, ZeroBits, RegionSize, AllocationType,
                                              Protect);

    KiLeaveKernelService(PreviousMode);
    return Status;
}
