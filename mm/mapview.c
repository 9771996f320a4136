/*
 * mapview.c: views of sections in a process's user space:
 * MmMapViewOfSection and NtMapViewOfSection, MmUnmapViewOfSection and
 * NtUnmapViewOfSection.
 *
 * A view is a VAD that is not private: ControlArea names the section's
 * control area and FirstPrototypePte..LastContiguousPte the prototype PTEs
 * of its pages, in order. Mapping writes no PTE; the first touch of each
 * page finds its PTE zero and resolves it through the prototype PTE
 * (protofault.c). A data view starts at a section offset on a 64 KB
 * boundary and lies where the caller asks (also on a 64 KB boundary) or in
 * the lowest free range, the highest with MEM_TOP_DOWN or in a VmTopDown
 * process; an image view maps the whole image, at its preferred base when
 * it can. A copy-on-write view
 * charges its process's commitment for every page, since each may become a
 * private copy. Unmapping gives every PTE's share back, frees the private
 * copies, returns the charge, and lets the control area go if it was the
 * last user (MiCheckControlArea).
 *
 * Arguments are checked in NT's order and get NT's statuses.
 */
#include "mi.h"
#include <ntimage.h>

#define MI_MAXIMUM_ZERO_BITS 21
#define MI_VALID_VIEW_ALLOCATION_TYPES (MEM_TOP_DOWN | MEM_LARGE_PAGES | MEM_DOS_LIM | SEC_NO_CHANGE | MEM_RESERVE)
#define MI_UNSUPPORTED_VIEW_ALLOCATION_TYPES (MEM_LARGE_PAGES | MEM_DOS_LIM | MEM_RESERVE)

/* The highest address ZeroBits lets a view reach. */
static ULONG_PTR MiZeroBitsLimit(ULONG_PTR ZeroBits)
{
    ULONG_PTR Highest = MM_HIGHEST_VAD_ADDRESS;

    if (ZeroBits != 0 && (MAXULONG >> ZeroBits) < Highest)
        Highest = MAXULONG >> ZeroBits;
    return Highest;
}

/*
 * Finds or checks the range a view of Size bytes (a multiple of pages)
 * takes: at *Base when given, which must be on a 64 KB boundary and free,
 * else the first free 64 KB-aligned range from the bottom (or the top).
 */
NTSTATUS MiChooseViewRange(PEPROCESS Process, PVOID *Base, SIZE_T Size, ULONG_PTR ZeroBits, ULONG AllocationType)
{
    ULONG_PTR Highest = MiZeroBitsLimit(ZeroBits), Start = (ULONG_PTR)*Base;

    if (Start == 0)
        return MiFindEmptyAddressRange(Process, Size, MM_ALLOCATION_GRANULARITY, (PVOID)Highest,
                                       (AllocationType & MEM_TOP_DOWN) || Process->VmTopDown, Base);
    if (Start & (MM_ALLOCATION_GRANULARITY - 1))
        return STATUS_MAPPED_ALIGNMENT;
    if (Start > MM_HIGHEST_VAD_ADDRESS || MM_HIGHEST_VAD_ADDRESS - Start < Size - 1)
        return STATUS_INVALID_VIEW_SIZE;
    if (Start + Size - 1 > Highest)
        return STATUS_INVALID_PARAMETER_4;
    if (MiCheckForConflictingVadExistence(Process, *Base, (PVOID)(Start + Size - 1)))
        return STATUS_CONFLICTING_ADDRESSES;
    return STATUS_SUCCESS;
}

/*
 * Makes the VAD of a view of Pages pages at Base whose first page is
 * prototype PTE FirstPte of ControlArea's segment, charging CommitCharge
 * pages to the process first, and counts the view on its control area.
 */
NTSTATUS MiInsertMappedView(PEPROCESS Process, PCONTROL_AREA ControlArea, PVOID Base, SIZE_T Pages, ULONG FirstPte,
                            ULONG Protection, SIZE_T CommitCharge, ULONG AllocationType, PMMVAD *NewVad)
{
    PMMVAD Vad;
    KIRQL OldIrql;

    if (CommitCharge != 0 && !MiChargeCommitment(&Process->CommitCharge, CommitCharge))
        return STATUS_COMMITMENT_LIMIT;
    Vad = MiAllocateVad(Base, (PUCHAR)Base + (Pages << PAGE_SHIFT) - 1, Protection);
    if (Vad == NULL) {
        if (CommitCharge != 0)
            MiReturnCommitment(&Process->CommitCharge, CommitCharge);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    Vad->ControlArea = ControlArea;
    Vad->FirstPrototypePte = &ControlArea->Segment->ThePtes[FirstPte];
    Vad->LastContiguousPte = Vad->FirstPrototypePte + Pages - 1;
    Vad->u.VadFlags.CommitCharge = CommitCharge;
    Vad->u.VadFlags.ImageMap = ControlArea->u.Flags.Image;
    Vad->u.VadFlags.NoChange = (AllocationType & SEC_NO_CHANGE) != 0;
    MiAcquirePfnLock(&OldIrql);
    ControlArea->NumberOfMappedViews++;
    ControlArea->NumberOfUserReferences++;
    MiReleasePfnLock(OldIrql);
    MiInsertVad(Process, Vad);
    *NewVad = Vad;
    return STATUS_SUCCESS;
}

/*
 * A view of a data section (NT's MiMapViewOfDataSection): ViewSize bytes
 * (0: to the section's end) from SectionOffset, which must be on a 64 KB
 * boundary inside the section. In a SEC_RESERVE section the first
 * CommitSize bytes are committed for every view.
 */
static NTSTATUS MiMapViewOfDataSection(PSECTION Section, PEPROCESS Process, PVOID *CapturedBase, ULONG_PTR ZeroBits,
                                       SIZE_T CommitSize, ULONGLONG Offset, PSIZE_T CapturedViewSize,
                                       ULONG AllocationType, ULONG Protection)
{
    PCONTROL_AREA ControlArea = Section->Segment->ControlArea;
    ULONGLONG SectionSize = Section->SizeOfSection.QuadPart;
    SIZE_T Size = *CapturedViewSize, Pages;
    NTSTATUS Status;
    PMMVAD Vad;

    if (Offset & (MM_ALLOCATION_GRANULARITY - 1))
        return STATUS_MAPPED_ALIGNMENT;
    if (Offset >= SectionSize)
        return STATUS_INVALID_VIEW_SIZE;
    if (Size == 0)
        Size = (SIZE_T)(SectionSize - Offset);
    else if (Size > SectionSize - Offset)
        return STATUS_INVALID_VIEW_SIZE;
    Pages = BYTES_TO_PAGES(Size);
    Status = MiChooseViewRange(Process, CapturedBase, Pages << PAGE_SHIFT, ZeroBits, AllocationType);
    if (!NT_SUCCESS(Status))
        return Status;
    Status = MiInsertMappedView(Process, ControlArea, *CapturedBase, Pages, (ULONG)(Offset >> PAGE_SHIFT), Protection,
                                MI_IS_COPY_ON_WRITE(Protection) ? Pages : 0, AllocationType, &Vad);
    if (!NT_SUCCESS(Status))
        return Status;
    if (ControlArea->u.Flags.Reserve && CommitSize != 0) {
        SIZE_T CommitBytes = CommitSize < (Pages << PAGE_SHIFT) ? CommitSize : Pages << PAGE_SHIFT;

        Status = MiCommitSectionPages(Vad, *CapturedBase, (PUCHAR)*CapturedBase + CommitBytes - 1);
        if (!NT_SUCCESS(Status)) {
            MiRemoveMappedView(Process, Vad);
            return Status;
        }
    }
    *CapturedViewSize = Pages << PAGE_SHIFT;
    return STATUS_SUCCESS;
}

/*
 * A view of a whole image (NT's MiMapViewOfImageSection): where the caller
 * asks, or at the image's preferred base when that range is free, or
 * anywhere (top-down if asked) when it is taken and the image can be
 * relocated; then its base relocations are applied to this view's private
 * copies of the pages they touch (relocate.c), and the view succeeds with
 * STATUS_IMAGE_NOT_AT_BASE. An image without relocations runs only at its
 * base: STATUS_CONFLICTING_ADDRESSES, as NT. The view charges the image's
 * copy-on-write pages.
 */
static NTSTATUS MiMapViewOfImageSection(PSECTION Section, PEPROCESS Process, PVOID *CapturedBase, ULONG_PTR ZeroBits,
                                        PSIZE_T CapturedViewSize, ULONG AllocationType)
{
    PSEGMENT Segment = Section->Segment;
    BOOLEAN Relocatable = (Segment->ImageInformation->ImageCharacteristics & IMAGE_FILE_RELOCS_STRIPPED) == 0;
    SIZE_T Size = (SIZE_T)Segment->TotalNumberOfPtes << PAGE_SHIFT;
    PVOID Base = *CapturedBase;
    NTSTATUS Status;
    PMMVAD Vad;

    if (Base == NULL) {
        Base = Segment->BasedAddress;
        Status = MiChooseViewRange(Process, &Base, Size, ZeroBits, AllocationType);
        if (!NT_SUCCESS(Status)) {
            Base = NULL;
            Status = Relocatable ? MiChooseViewRange(Process, &Base, Size, ZeroBits, AllocationType)
                                 : STATUS_CONFLICTING_ADDRESSES;
        }
    } else {
        Status = MiChooseViewRange(Process, &Base, Size, ZeroBits, AllocationType);
        if (NT_SUCCESS(Status) && Base != Segment->BasedAddress && !Relocatable)
            Status = STATUS_CONFLICTING_ADDRESSES;
    }
    if (!NT_SUCCESS(Status))
        return Status;
    Status = MiInsertMappedView(Process, Segment->ControlArea, Base, Segment->TotalNumberOfPtes, 0,
                                MM_EXECUTE_WRITECOPY, Segment->ImageCommitment, AllocationType, &Vad);
    if (!NT_SUCCESS(Status))
        return Status;
    if (Base != Segment->BasedAddress) {
        Status = MiRelocateImageView(Process, Vad, (ULONG_PTR)Base - (ULONG_PTR)Segment->BasedAddress);
        if (!NT_SUCCESS(Status)) {
            MiRemoveMappedView(Process, Vad);
            return Status;
        }
        Status = STATUS_IMAGE_NOT_AT_BASE;
    }
    *CapturedBase = Base;
    *CapturedViewSize = Size;
    return Status;
}

/*
 * Maps a view of SectionToMap into Process (NT's MmMapViewOfSection), from
 * kernel mode: the arguments are the caller's own and already captured.
 * *CapturedBase and *CapturedViewSize give where and how much, and return
 * what was mapped. An image section succeeds with STATUS_IMAGE_NOT_AT_BASE
 * when its view had to go elsewhere than its preferred base.
 */
NTSTATUS MmMapViewOfSection(PVOID SectionToMap, PEPROCESS Process, PVOID *CapturedBase, ULONG_PTR ZeroBits,
                            SIZE_T CommitSize, PLARGE_INTEGER SectionOffset, PSIZE_T CapturedViewSize,
                            SECTION_INHERIT InheritDisposition, ULONG AllocationType, ULONG Protect)
{
    PSECTION Section = SectionToMap;
    ULONG Protection = MiMakeProtectionMask(Protect);
    ULONGLONG Offset = SectionOffset != NULL ? (ULONGLONG)SectionOffset->QuadPart : 0;
    KAPC_STATE ApcState;
    NTSTATUS Status;

    UNREFERENCED_PARAMETER(InheritDisposition);
    /* Views take a base protection: guard pages and cache types are not offered. */
    if (Protection == MM_INVALID_PROTECTION || (Protection & MM_NOACCESS) != 0)
        return STATUS_INVALID_PAGE_PROTECTION;
    if (!Section->u.Flags.Image && !MiIsProtectionCompatible(Section->InitialPageProtection, Protect))
        return STATUS_SECTION_PROTECTION;
    KeStackAttachProcess(&Process->Pcb, &ApcState);
    MmLockAddressSpace(Process);
    if (Process->ProcessExiting)
        Status = STATUS_PROCESS_IS_TERMINATING;
    else if (Section->u.Flags.Image)
        Status = MiMapViewOfImageSection(Section, Process, CapturedBase, ZeroBits, CapturedViewSize, AllocationType);
    else
        Status = MiMapViewOfDataSection(Section, Process, CapturedBase, ZeroBits, CommitSize, Offset,
                                        CapturedViewSize, AllocationType, Protection);
    MmUnlockAddressSpace(Process);
    KeUnstackDetachProcess(&ApcState);
    return Status;
}

/*
 * Takes a view out of Process (attached, under its address-space lock):
 * every PTE's page given back (a shared page loses a share, a private copy
 * is freed), the page tables left empty, the view's commitment, the VAD;
 * then the control area learns it has one view fewer.
 */
VOID MiRemoveMappedView(PEPROCESS Process, PMMVAD Vad)
{
    PCONTROL_AREA ControlArea = Vad->ControlArea;
    PVOID Start = MI_VAD_START(Vad), End = MI_VAD_END(Vad);
    KIRQL OldIrql;

    for (ULONG_PTR Va = (ULONG_PTR)Start; Va < (ULONG_PTR)End; Va += PAGE_SIZE) {
        if (!MiIsPageTablePresent((PVOID)Va)) {
            Va |= PDE_MAPPED_SIZE - PAGE_SIZE;     /* the loop's step reaches the next table */
            continue;
        }
        MiDeleteUserPte(Process, Vad, MiAddressToPte(Va));
    }
    MiDeleteEmptyPageTables(Process, Start, End);
    MiReturnCommitment(&Process->CommitCharge, Vad->u.VadFlags.CommitCharge);
    MiRemoveVad(Process, Vad);
    MiFreeVad(Vad);
    MiAcquirePfnLock(&OldIrql);
    ControlArea->NumberOfMappedViews--;
    ControlArea->NumberOfUserReferences--;
    MiReleasePfnLock(OldIrql);
    MiCheckControlArea(ControlArea);
}

/*
 * Unmaps the view that starts at BaseAddress in Process. An address that
 * is not a view's base (inside one, in private memory, or free) is
 * STATUS_NOT_MAPPED_VIEW: the documented contract, where NT's code would
 * unmap the view around an inner address too.
 */
NTSTATUS MmUnmapViewOfSection(PEPROCESS Process, PVOID BaseAddress)
{
    KAPC_STATE ApcState;
    NTSTATUS Status = STATUS_SUCCESS;
    PMMVAD Vad;

    KeStackAttachProcess(&Process->Pcb, &ApcState);
    MmLockAddressSpace(Process);
    Vad = MiLocateAddress(Process, BaseAddress);
    if (Process->ProcessExiting)
        Status = STATUS_PROCESS_IS_TERMINATING;
    else if (Vad == NULL || !MI_IS_VIEW(Vad) || MI_VAD_START(Vad) != BaseAddress)
        Status = STATUS_NOT_MAPPED_VIEW;
    else
        MiRemoveMappedView(Process, Vad);
    MmUnlockAddressSpace(Process);
    KeUnstackDetachProcess(&ApcState);
    return Status;
}

/* The rights a view of each MM_* protection needs on the section handle (NT's MmMakeSectionAccess). */
static const ACCESS_MASK MiMakeSectionAccess[8] = {
    SECTION_MAP_READ,
    SECTION_MAP_READ,
    SECTION_MAP_EXECUTE,
    SECTION_MAP_EXECUTE | SECTION_MAP_READ,
    SECTION_MAP_WRITE,
    SECTION_MAP_READ,
    SECTION_MAP_EXECUTE | SECTION_MAP_WRITE,
    SECTION_MAP_EXECUTE | SECTION_MAP_READ,
};

/* Reads the in-out arguments of NtMapViewOfSection, probing them for a caller in user mode. */
static NTSTATUS MiCaptureViewArguments(KPROCESSOR_MODE PreviousMode, PVOID *BaseAddress, PLARGE_INTEGER SectionOffset,
                                       PSIZE_T ViewSize, PVOID *CapturedBase, PLARGE_INTEGER CapturedOffset,
                                       PSIZE_T CapturedSize)
{
    volatile NTSTATUS Status = MiCaptureAddressAndSize(PreviousMode, BaseAddress, ViewSize, CapturedBase,
                                                       CapturedSize);

    if (!NT_SUCCESS(Status) || SectionOffset == NULL)
        return Status;
    _SEH2_TRY {
        if (PreviousMode != KernelMode)
            ProbeForWrite(SectionOffset, sizeof(*SectionOffset), sizeof(ULONG));
        KiAllowUserAccess();
        *CapturedOffset = *SectionOffset;
        KiForbidUserAccess();
    } _SEH2_EXCEPT(EXCEPTION_EXECUTE_HANDLER) {
        Status = _SEH2_GetExceptionCode();
    } _SEH2_END;
    return Status;
}

NTSTATUS NTAPI NtMapViewOfSection(HANDLE SectionHandle, HANDLE ProcessHandle, PVOID *BaseAddress, ULONG_PTR ZeroBits,
                                  SIZE_T CommitSize, PLARGE_INTEGER SectionOffset, PSIZE_T ViewSize,
                                  SECTION_INHERIT InheritDisposition, ULONG AllocationType, ULONG Win32Protect)
{
    KPROCESSOR_MODE PreviousMode = ExGetPreviousMode();
    ULONG Protection = MiMakeProtectionMask(Win32Protect);
    LARGE_INTEGER CapturedOffset = { 0 };
    PVOID CapturedBase;
    SIZE_T CapturedSize;
    PEPROCESS Process;
    PSECTION Section;
    NTSTATUS Status;

    if (ZeroBits > MI_MAXIMUM_ZERO_BITS)
        return STATUS_INVALID_PARAMETER_4;
    if (InheritDisposition != ViewShare && InheritDisposition != ViewUnmap)
        return STATUS_INVALID_PARAMETER_8;
    if ((AllocationType & ~MI_VALID_VIEW_ALLOCATION_TYPES) != 0)
        return STATUS_INVALID_PARAMETER_9;
    if (Protection == MM_INVALID_PROTECTION)
        return STATUS_INVALID_PAGE_PROTECTION;
    if (AllocationType & MI_UNSUPPORTED_VIEW_ALLOCATION_TYPES)
        return STATUS_NOT_SUPPORTED;
    Status = MiCaptureViewArguments(PreviousMode, BaseAddress, SectionOffset, ViewSize, &CapturedBase,
                                    &CapturedOffset, &CapturedSize);
    if (!NT_SUCCESS(Status))
        return Status;
    if ((ULONG_PTR)CapturedBase > MM_HIGHEST_VAD_ADDRESS)
        return STATUS_INVALID_PARAMETER_3;
    if (MM_HIGHEST_VAD_ADDRESS + 1 - (ULONG_PTR)CapturedBase < CapturedSize)
        return STATUS_INVALID_VIEW_SIZE;

    Status = ObReferenceObjectByHandle(ProcessHandle, PROCESS_VM_OPERATION, PsProcessObjectType, PreviousMode,
                                       (PVOID *)&Process, NULL);
    if (!NT_SUCCESS(Status))
        return Status;
    Status = ObReferenceObjectByHandle(SectionHandle, MiMakeSectionAccess[Protection & 7], MiSectionObjectType,
                                       PreviousMode, (PVOID *)&Section, NULL);
    if (NT_SUCCESS(Status)) {
        Status = MmMapViewOfSection(Section, Process, &CapturedBase, ZeroBits, CommitSize,
                                    SectionOffset != NULL ? &CapturedOffset : NULL, &CapturedSize,
                                    InheritDisposition, AllocationType, Win32Protect);
        ObDereferenceObject(Section);
    }
    ObDereferenceObject(Process);
    if (!NT_SUCCESS(Status))
        return Status;

    MiReturnAddressAndSize(BaseAddress, ViewSize, CapturedBase, (PUCHAR)CapturedBase + CapturedSize - 1);
    return Status;
}

NTSTATUS NTAPI ZwMapViewOfSection(HANDLE SectionHandle, HANDLE ProcessHandle, PVOID *BaseAddress, ULONG_PTR ZeroBits,
                                  SIZE_T CommitSize, PLARGE_INTEGER SectionOffset, PSIZE_T ViewSize,
                                  SECTION_INHERIT InheritDisposition, ULONG AllocationType, ULONG Win32Protect)
{
    KPROCESSOR_MODE PreviousMode = KiEnterKernelService();
    NTSTATUS Status = NtMapViewOfSection(SectionHandle, ProcessHandle, BaseAddress, ZeroBits, CommitSize,
                                         SectionOffset, ViewSize, InheritDisposition, AllocationType, Win32Protect);

    KiLeaveKernelService(PreviousMode);
    return Status;
}

NTSTATUS NTAPI NtUnmapViewOfSection(HANDLE ProcessHandle, PVOID BaseAddress)
{
    PEPROCESS Process;
    NTSTATUS Status;

    Status = ObReferenceObjectByHandle(ProcessHandle, PROCESS_VM_OPERATION, PsProcessObjectType, ExGetPreviousMode(),
                                       (PVOID *)&Process, NULL);
    if (!NT_SUCCESS(Status))
        return Status;
    Status = MmUnmapViewOfSection(Process, BaseAddress);
    ObDereferenceObject(Process);
    return Status;
}

NTSTATUS NTAPI ZwUnmapViewOfSection(HANDLE ProcessHandle, PVOID BaseAddress)
{
    KPROCESSOR_MODE PreviousMode = KiEnterKernelService();
    NTSTATUS Status = NtUnmapViewOfSection(ProcessHandle, BaseAddress);

    KiLeaveKernelService(PreviousMode);
    return Status;
}
