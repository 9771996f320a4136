/*
 * freevm.c: NtFreeVirtualMemory, and deleting the pages of a range.
 *
 * MEM_DECOMMIT gives back the pages of a range and their commitment, and
 * keeps the range reserved; MEM_RELEASE also gives back the range itself:
 * the whole VAD (size 0, from its base), or part of it, which trims the VAD
 * or splits it in two. The pages go back to the PFN lists at once, their
 * TLB entries flushed as their PTEs go, and page tables left with no PTE
 * are freed. A VAD committed as a whole remembers a decommitted page with
 * an MM_DECOMMIT PTE, since its zero PTEs mean "committed".
 */
#include "mi.h"

/*
 * Deletes the pages of StartingAddress..EndingAddress, a range inside Vad,
 * and returns how many of them were committed. With Decommit, a VAD
 * committed as a whole gets MM_DECOMMIT PTEs (its page tables must exist:
 * the caller made them); otherwise the PTEs end zero.
 */
SIZE_T MiDeleteVirtualAddresses(PEPROCESS Process, PMMVAD Vad, PVOID StartingAddress, PVOID EndingAddress,
                                BOOLEAN Decommit)
{
    ULONG_PTR Va = (ULONG_PTR)PAGE_ALIGN(StartingAddress), Last = (ULONG_PTR)PAGE_ALIGN(EndingAddress);
    MMPTE DecommitPte = MiMakeDemandZeroPte(MM_DECOMMIT);
    SIZE_T Committed = 0;

    while (Va <= Last) {
        BOOLEAN PageCommitted;

        if (!MiIsPageTablePresent((PVOID)Va)) {
            /* No table: every page up to the table's end is as the VAD says, and has no page. */
            ULONG_PTR TableLast = Va | (PDE_MAPPED_SIZE - PAGE_SIZE);
            ULONG_PTR Stop = TableLast < Last ? TableLast : Last;

            ASSERT(!(Decommit && Vad->u.VadFlags.MemCommit));
            if (Vad->u.VadFlags.MemCommit)
                Committed += (Stop - Va) / PAGE_SIZE + 1;
            Va = Stop + PAGE_SIZE;
            continue;
        }
        MiQueryPageProtection(Vad, (PVOID)Va, &PageCommitted);
        Committed += PageCommitted;
        MiDeleteUserPte(Process, Vad, MiAddressToPte(Va));
        if (Decommit && Vad->u.VadFlags.MemCommit)
            MiWriteUserPte(Process, MiAddressToPte(Va), DecommitPte);
        Va += PAGE_SIZE;
    }
    return Committed;
}

/*
 * Deletes a whole VAD: its pages, its commitment and the VAD itself (page
 * tables are the caller's); a view goes as NtUnmapViewOfSection takes it.
 */
VOID MiDeleteVad(PEPROCESS Process, PMMVAD Vad)
{
    SIZE_T Committed;

    if (MI_IS_VIEW(Vad)) {
        MiRemoveMappedView(Process, Vad);
        return;
    }
    Committed = MiDeleteVirtualAddresses(Process, Vad, MI_VAD_START(Vad), MI_VAD_END(Vad), FALSE);

    ASSERT(Vad->u.VadFlags.PhysicalMapping || Committed == Vad->u.VadFlags.CommitCharge);
    UNREFERENCED_PARAMETER(Committed);
    MiReturnCommitment(&Process->CommitCharge, Vad->u.VadFlags.CommitCharge);
    MiRemoveVad(Process, Vad);
    MiFreeVad(Vad);
}

/* Releases StartingAddress..EndingAddress of Vad: the whole VAD, one end of it, or its middle (a split). */
static NTSTATUS MiReleaseRange(PEPROCESS Process, PMMVAD Vad, PVOID StartingAddress, PVOID EndingAddress)
{
    ULONG_PTR FirstVpn = (ULONG_PTR)StartingAddress >> PAGE_SHIFT, LastVpn = (ULONG_PTR)EndingAddress >> PAGE_SHIFT;
    PMMVAD Tail = NULL;
    SIZE_T Committed;

    if (FirstVpn == Vad->Node.StartingVpn && LastVpn == Vad->Node.EndingVpn) {
        MiDeleteVad(Process, Vad);
        return STATUS_SUCCESS;
    }
    if (FirstVpn != Vad->Node.StartingVpn && LastVpn != Vad->Node.EndingVpn) {
        /* The part above the hole becomes a VAD of its own, with the commitment of its pages. */
        SIZE_T TailCommitted = 0;

        Tail = MiAllocateVad((PVOID)((LastVpn + 1) << PAGE_SHIFT), MI_VAD_END(Vad), Vad->u.VadFlags.Protection);
        if (Tail == NULL)
            return STATUS_INSUFFICIENT_RESOURCES;
        Tail->u.LongFlags = Vad->u.LongFlags;
        for (ULONG_PTR Vpn = LastVpn + 1; Vpn <= Vad->Node.EndingVpn; Vpn++) {
            BOOLEAN PageCommitted;

            MiQueryPageProtection(Vad, (PVOID)(Vpn << PAGE_SHIFT), &PageCommitted);
            TailCommitted += PageCommitted;
        }
        Tail->u.VadFlags.CommitCharge = TailCommitted;
        Vad->u.VadFlags.CommitCharge -= TailCommitted;
    }
    Committed = MiDeleteVirtualAddresses(Process, Vad, StartingAddress, EndingAddress, FALSE);
    Vad->u.VadFlags.CommitCharge -= Committed;
    MiReturnCommitment(&Process->CommitCharge, Committed);
    /* Shrinking a node in place keeps the tree's order: nothing else lies in the part given up. */
    Process->VirtualSize -= (LastVpn - FirstVpn + 1) << PAGE_SHIFT;
    if (Tail != NULL) {
        /* The tail's pages leave this VAD's count; MiInsertVad counts them again as the tail's. */
        Process->VirtualSize -= MI_VAD_PAGES(Tail) << PAGE_SHIFT;
        Vad->Node.EndingVpn = FirstVpn - 1;
        MiInsertVad(Process, Tail);
    } else if (FirstVpn == Vad->Node.StartingVpn) {
        Vad->Node.StartingVpn = LastVpn + 1;
    } else {
        Vad->Node.EndingVpn = FirstVpn - 1;
    }
    return STATUS_SUCCESS;
}

NTSTATUS NTAPI NtFreeVirtualMemory(HANDLE ProcessHandle, PVOID *BaseAddress, PSIZE_T RegionSize, ULONG FreeType)
{
    KPROCESSOR_MODE PreviousMode = ExGetPreviousMode();
    PVOID CapturedBase, StartingAddress, EndingAddress;
    SIZE_T CapturedSize;
    PEPROCESS Process;
    KAPC_STATE ApcState;
    NTSTATUS Status;
    PMMVAD Vad;

    if (FreeType != MEM_DECOMMIT && FreeType != MEM_RELEASE)
        return STATUS_INVALID_PARAMETER_4;
    Status = MiCaptureAddressAndSize(PreviousMode, BaseAddress, RegionSize, &CapturedBase, &CapturedSize);
    if (!NT_SUCCESS(Status))
        return Status;
    if ((ULONG_PTR)CapturedBase > MI_HIGHEST_USER_ADDRESS)
        return STATUS_INVALID_PARAMETER_2;
    /* As NT measures it: a range may not reach MM_HIGHEST_USER_ADDRESS itself. */
    if (MI_HIGHEST_USER_ADDRESS - (ULONG_PTR)CapturedBase < CapturedSize)
        return STATUS_INVALID_PARAMETER_3;

    Status = ObReferenceObjectByHandle(ProcessHandle, PROCESS_VM_OPERATION, PsProcessObjectType, PreviousMode,
                                       (PVOID *)&Process, NULL);
    if (!NT_SUCCESS(Status))
        return Status;
    KeStackAttachProcess(&Process->Pcb, &ApcState);
    MmLockAddressSpace(Process);
    Vad = MiLocateAddress(Process, CapturedBase);
    StartingAddress = PAGE_ALIGN(CapturedBase);
    EndingAddress = CapturedSize == 0 || Vad == NULL
                        ? (Vad != NULL ? MI_VAD_END(Vad) : NULL)
                        : (PVOID)(((ULONG_PTR)CapturedBase + CapturedSize - 1) | (PAGE_SIZE - 1));
    if (Process->ProcessExiting)
        Status = STATUS_PROCESS_IS_TERMINATING;
    else if (Vad == NULL)
        Status = STATUS_MEMORY_NOT_ALLOCATED;
    else if (MI_IS_VIEW(Vad))
        Status = STATUS_UNABLE_TO_DELETE_SECTION;     /* a view goes through NtUnmapViewOfSection */
    else if (Vad->u.VadFlags.NoChange || Vad->u.VadFlags.PhysicalMapping || !Vad->u.VadFlags.PrivateMemory ||
             (ULONG_PTR)EndingAddress > (ULONG_PTR)MI_VAD_END(Vad))
        Status = STATUS_UNABLE_TO_FREE_VM;
    else if (FreeType == MEM_RELEASE && CapturedSize == 0 && StartingAddress != MI_VAD_START(Vad))
        Status = STATUS_FREE_VM_NOT_AT_BASE;
    else if (FreeType == MEM_RELEASE)
        Status = MiReleaseRange(Process, Vad, StartingAddress, EndingAddress);
    else if (Vad->u.VadFlags.MemCommit)
        Status = MiMakePageTablesForRange(Process, StartingAddress, EndingAddress);
    if (NT_SUCCESS(Status) && FreeType == MEM_DECOMMIT) {
        SIZE_T Released = MiDeleteVirtualAddresses(Process, Vad, StartingAddress, EndingAddress, TRUE);

        Vad->u.VadFlags.CommitCharge -= Released;
        MiReturnCommitment(&Process->CommitCharge, Released);
    }
    if (NT_SUCCESS(Status))
        MiDeleteEmptyPageTables(Process, StartingAddress, EndingAddress);
    MmUnlockAddressSpace(Process);
    KeUnstackDetachProcess(&ApcState);
    ObDereferenceObject(Process);
    if (!NT_SUCCESS(Status))
        return Status;

    MiReturnAddressAndSize(BaseAddress, RegionSize, StartingAddress, EndingAddress);
    return STATUS_SUCCESS;
}

NTSTATUS NTAPI ZwFreeVirtualMemory(HANDLE ProcessHandle, PVOID *BaseAddress, PSIZE_T RegionSize, ULONG FreeType)
{
    KPROCESSOR_MODE PreviousMode = KiEnterKernelService();
    NTSTATUS Status = NtFreeVirtualMemory(ProcessHandle, BaseAddress, RegionSize, FreeType);

    KiLeaveKernelService(PreviousMode);
    return Status;
}
