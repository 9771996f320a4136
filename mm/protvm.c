/*
 * protvm.c: NtProtectVirtualMemory, and giving one committed page a new
 * protection whatever state its PTE is in: a resident page keeps its
 * frame (a valid PTE rewritten, or a transition PTE while it is guarded or
 * no-access), a page not yet touched gets a demand-zero PTE with the new
 * protection. The whole range must lie in one VAD and be committed; the
 * old protection reported is the first page's.
 *
 * PAGE_NOCACHE and PAGE_WRITECOMBINE change a resident page's memory
 * type, which its PFN records for every mapping of it (mi.h): the PFN
 * follows, and leaving the cached type flushes the caches. A page an MDL
 * has locked may have a system mapping of the old type, so its type
 * cannot change while it is locked: STATUS_CONFLICTING_ADDRESSES, and
 * nothing in the range changes.
 */
#include "mi.h"

/* The frame a committed page keeps under a valid or transition PTE, or 0 when it has none yet. */
static PFN_NUMBER MiResidentFrame(PVOID VirtualAddress)
{
    MMPTE TempPte;

    if (!MiIsPageTablePresent(VirtualAddress))
        return 0;
    TempPte = *MiAddressToPte(VirtualAddress);
    if (TempPte.u.Hard.Valid)
        return PFN_FROM_PTE(&TempPte);
    return MiIsTransitionPte(TempPte) ? TempPte.u.Trans.PageFrameNumber : 0;
}

VOID MiSetPageProtection(PEPROCESS Process, PMMVAD Vad, PVOID VirtualAddress, ULONG NewProtection)
{
    PMMPTE PointerPte = MiAddressToPte(VirtualAddress);
    BOOLEAN OutOfReach = MI_IS_NOACCESS(NewProtection) || MI_IS_GUARD(NewProtection);
    MMPTE TempPte = *PointerPte;
    PFN_NUMBER PageFrameIndex;
    PMMPFN Pfn1;

    UNREFERENCED_PARAMETER(Vad);
    ASSERT(MiIsPageTablePresent(VirtualAddress));
    if (!TempPte.u.Hard.Valid && !MiIsTransitionPte(TempPte)) {
        MiWriteUserPte(Process, PointerPte, MiMakeDemandZeroPte(NewProtection));
        return;
    }
    PageFrameIndex = TempPte.u.Hard.Valid ? PFN_FROM_PTE(&TempPte) : TempPte.u.Trans.PageFrameNumber;
    Pfn1 = MI_PFN_ELEMENT(PageFrameIndex);
    Pfn1->OriginalPte = MiMakeDemandZeroPte(NewProtection);
    if (OutOfReach) {
        MiWriteUserPte(Process, PointerPte, MiMakeTransitionPte(PageFrameIndex, NewProtection));
        if (TempPte.u.Hard.Valid)
            Process->Vm.WorkingSetSize--;
    } else {
        MiWriteUserPte(Process, PointerPte, MiMakeUserPte(PageFrameIndex, NewProtection));
        if (!TempPte.u.Hard.Valid)
            Process->Vm.WorkingSetSize++;
    }
    /* The cached mapping is gone: its lines leave the caches before the page is reached another way. */
    if (Pfn1->u3.e2.e1.CacheAttribute != MiProtectionToCacheAttribute(NewProtection)) {
        if (Pfn1->u3.e2.e1.CacheAttribute == MiCached)
            MiPrepareForNonCached(MiProtectionToCacheAttribute(NewProtection));
        Pfn1->u3.e2.e1.CacheAttribute = MiProtectionToCacheAttribute(NewProtection);
    }
}

/* Checks StartingAddress..EndingAddress can take a new protection; returns the first page's old one. */
static NTSTATUS MiCheckProtectRange(PEPROCESS Process, PVOID StartingAddress, PVOID EndingAddress,
                                    ULONG NewProtection, PMMVAD *FoundVad, PULONG OldProtection)
{
    PMMVAD Vad = MiLocateAddress(Process, StartingAddress);
    BOOLEAN Committed;
    PFN_NUMBER Frame;

    /* NT's order and statuses: a physical view has no PFNs to protect, and private pages no copy to write. */
    if (Vad == NULL || (ULONG_PTR)EndingAddress > (ULONG_PTR)MI_VAD_END(Vad) || Vad->u.VadFlags.PhysicalMapping)
        return STATUS_CONFLICTING_ADDRESSES;
    if (Vad->u.VadFlags.NoChange)
        return STATUS_INVALID_PAGE_PROTECTION;
    if (Vad->u.VadFlags.PrivateMemory && (NewProtection & MM_WRITECOPY) == MM_WRITECOPY)
        return STATUS_INVALID_PARAMETER_4;
    for (ULONG_PTR Va = (ULONG_PTR)StartingAddress; Va < (ULONG_PTR)EndingAddress; Va += PAGE_SIZE) {
        ULONG Protection = MiQueryPageProtection(Vad, (PVOID)Va, &Committed);

        if (!Committed)
            return STATUS_NOT_COMMITTED;
        Frame = MiResidentFrame((PVOID)Va);
        if (Frame != 0 && MI_PFN_ELEMENT(Frame)->u3.e2.ReferenceCount > 1 &&
            MI_PFN_ELEMENT(Frame)->u3.e2.e1.CacheAttribute != MiProtectionToCacheAttribute(NewProtection))
            return STATUS_CONFLICTING_ADDRESSES;
        if (Va == (ULONG_PTR)StartingAddress)
            *OldProtection = Protection;
    }
    *FoundVad = Vad;
    return STATUS_SUCCESS;
}

NTSTATUS NTAPI NtProtectVirtualMemory(HANDLE ProcessHandle, PVOID *BaseAddress, PSIZE_T NumberOfBytesToProtect,
                                      ULONG NewAccessProtection, PULONG OldAccessProtection)
{
    KPROCESSOR_MODE PreviousMode = ExGetPreviousMode();
    ULONG Protection = MiMakeProtectionMask(NewAccessProtection), OldProtection = 0;
    PVOID CapturedBase, StartingAddress, EndingAddress;
    SIZE_T CapturedSize;
    PEPROCESS Process;
    KAPC_STATE ApcState;
    NTSTATUS Status;
    PMMVAD Vad = NULL;

    if (Protection == MM_INVALID_PROTECTION)
        return STATUS_INVALID_PAGE_PROTECTION;
    Status = MiCaptureAddressAndSize(PreviousMode, BaseAddress, NumberOfBytesToProtect, &CapturedBase, &CapturedSize);
    if (!NT_SUCCESS(Status))
        return Status;
    if (PreviousMode != KernelMode)
        Status = MiProbeForWrite(OldAccessProtection, sizeof(*OldAccessProtection), sizeof(ULONG));
    if (!NT_SUCCESS(Status))
        return Status;
    if ((ULONG_PTR)CapturedBase > MI_HIGHEST_USER_ADDRESS)
        return STATUS_INVALID_PARAMETER_2;
    if (CapturedSize == 0 || MI_HIGHEST_USER_ADDRESS - (ULONG_PTR)CapturedBase < CapturedSize)
        return STATUS_INVALID_PARAMETER_3;
    StartingAddress = PAGE_ALIGN(CapturedBase);
    EndingAddress = (PVOID)(((ULONG_PTR)CapturedBase + CapturedSize - 1) | (PAGE_SIZE - 1));

    Status = ObReferenceObjectByHandle(ProcessHandle, PROCESS_VM_OPERATION, PsProcessObjectType, PreviousMode,
                                       (PVOID *)&Process, NULL);
    if (!NT_SUCCESS(Status))
        return Status;
    KeStackAttachProcess(&Process->Pcb, &ApcState);
    MmLockAddressSpace(Process);
    Status = Process->ProcessExiting ? STATUS_PROCESS_IS_TERMINATING
                                     : MiCheckProtectRange(Process, StartingAddress, EndingAddress, Protection,
                                                           &Vad, &OldProtection);
    if (NT_SUCCESS(Status))
        Status = MiMakePageTablesForRange(Process, StartingAddress, EndingAddress);
    if (NT_SUCCESS(Status)) {
        for (ULONG_PTR Va = (ULONG_PTR)StartingAddress; Va < (ULONG_PTR)EndingAddress; Va += PAGE_SIZE)
            MiSetPageProtection(Process, Vad, (PVOID)Va, Protection);
    }
    MmUnlockAddressSpace(Process);
    KeUnstackDetachProcess(&ApcState);
    ObDereferenceObject(Process);
    if (!NT_SUCCESS(Status))
        return Status;

    MiReturnAddressAndSize(BaseAddress, NumberOfBytesToProtect, StartingAddress, EndingAddress);
    _SEH2_TRY {
        KiAllowUserAccess();
        *OldAccessProtection = MiProtectionToPageProtect(OldProtection);
        KiForbidUserAccess();
    } _SEH2_EXCEPT(EXCEPTION_EXECUTE_HANDLER) {
    } _SEH2_END;
    return STATUS_SUCCESS;
}

NTSTATUS NTAPI ZwProtectVirtualMemory(HANDLE ProcessHandle, PVOID *BaseAddress, PSIZE_T NumberOfBytesToProtect,
                                      ULONG NewAccessProtection, PULONG OldAccessProtection)
{
    KPROCESSOR_MODE PreviousMode = KiEnterKernelService();
    NTSTATUS Status = NtProtectVirtualMemory(ProcessHandle, BaseAddress, NumberOfBytesToProtect,
                                             NewAccessProtection, OldAccessProtection);

    KiLeaveKernelService(PreviousMode);
    return Status;
}
