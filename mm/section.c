/*
 * section.c: section objects and the control areas behind them:
 * MmCreateSection and NtCreateSection, NtQuerySection, the segments of
 * pagefile-backed sections, and the end of a control area.
 *
 * A section object names a control area (through its segment); the control
 * area counts the section objects and the views that use it. When both
 * counts reach zero (MiCheckControlArea) the control area goes, and with it
 * the segment, every page its prototype PTEs still hold, the commitment of
 * a pagefile-backed section and the reference on its file. A section
 * object's own end is its object type's delete routine (MiSectionDelete),
 * so a reference dropped after the last is the object manager's
 * REFERENCE_BY_POINTER stop, as for any object.
 *
 * A pagefile-backed section (no file) is memory shared by whoever maps it:
 * SEC_COMMIT charges every page to MmSharedCommit now and its prototype
 * PTEs start demand-zero; SEC_RESERVE leaves them zero, and committing in
 * any view (NtAllocateVirtualMemory, MiCommitSectionPages) commits them for
 * every view. With no paging file its pages stay in memory until the
 * section goes. File-backed data and image sections are built in creasect.c.
 *
 * Control-area counts change under the PFN lock, as in NT.
 */
#include "mi.h"
#include <ob.h>
#include <io.h>
#include <fs.h>
#include <string.h>

/* NtCreateSection's AllocationAttributes: those ntmm knows, and those it refuses (SEC_BASED, SEC_NOCACHE). */
#define MI_VALID_SECTION_ATTRIBUTES (SEC_COMMIT | SEC_RESERVE | SEC_BASED | SEC_IMAGE | SEC_NOCACHE | SEC_NO_CHANGE)
#define MI_UNSUPPORTED_SECTION_ATTRIBUTES (SEC_BASED | SEC_NOCACHE)
/* The largest section: its page count must fit a ULONG of PTEs (4 GB less a page). */
#define MI_MAXIMUM_SECTION_SIZE ((ULONGLONG)MAXULONG - PAGE_SIZE + 1)

POBJECT_TYPE MiSectionObjectType;
POBJECT_TYPE *MmSectionObjectType = &MiSectionObjectType;
LIST_ENTRY MiControlAreaList;

/*
 * The views a section of each protection allows (NT's
 * MmCompatibleProtectionMask, by MM_* protection): never more access than
 * the section has, but copy-on-write whenever it can be read.
 */
static const ULONG MiCompatibleProtectionMask[8] = {
    PAGE_NOACCESS,
    PAGE_NOACCESS | PAGE_READONLY | PAGE_WRITECOPY,
    PAGE_NOACCESS | PAGE_EXECUTE,
    PAGE_NOACCESS | PAGE_READONLY | PAGE_WRITECOPY | PAGE_EXECUTE | PAGE_EXECUTE_READ,
    PAGE_NOACCESS | PAGE_READONLY | PAGE_WRITECOPY | PAGE_READWRITE,
    PAGE_NOACCESS | PAGE_READONLY | PAGE_WRITECOPY,
    PAGE_NOACCESS | PAGE_READONLY | PAGE_WRITECOPY | PAGE_READWRITE | PAGE_EXECUTE | PAGE_EXECUTE_READ |
        PAGE_EXECUTE_READWRITE | PAGE_EXECUTE_WRITECOPY,
    PAGE_NOACCESS | PAGE_READONLY | PAGE_WRITECOPY | PAGE_EXECUTE | PAGE_EXECUTE_READ | PAGE_EXECUTE_WRITECOPY,
};

/* The file access a section of each MM_* protection needs (NT's MmMakeFileAccess). */
static const ACCESS_MASK MiMakeFileAccess[8] = {
    FILE_READ_DATA,
    FILE_READ_DATA,
    FILE_EXECUTE,
    FILE_EXECUTE | FILE_READ_DATA,
    FILE_WRITE_DATA | FILE_READ_DATA,
    FILE_READ_DATA,
    FILE_EXECUTE | FILE_WRITE_DATA | FILE_READ_DATA,
    FILE_EXECUTE | FILE_READ_DATA,
};

/* May a view of a section created with SectionProtection (MM_*) ask for NewProtect (PAGE_*)? */
BOOLEAN MiIsProtectionCompatible(ULONG SectionProtection, ULONG NewProtect)
{
    ULONG Allowed = MiCompatibleProtectionMask[SectionProtection & 7] | PAGE_GUARD | PAGE_NOCACHE | PAGE_WRITECOMBINE;

    return (NewProtect & ~Allowed) == 0;
}

/*
 * A control area with Subsections subsections after it and a segment of
 * SegmentPtes prototype PTEs followed by SegmentExtraBytes, all zero and
 * linked to each other. Both are nonpaged, since the PFN lock's holders read
 * them at DISPATCH_LEVEL. NT keeps segments in paged pool (MmSt) and makes a
 * prototype PTE's page resident before each such read
 * (MiMakeSystemAddressValidPfn); with no paging file ntmm's paged pool is
 * never paged out, so that machinery would only ever run against forced
 * IRQL checking's trims. NULL when pool is short, or when the PTEs would
 * need more pages than are free.
 */
PCONTROL_AREA MiAllocateControlArea(ULONG Subsections, ULONG SegmentPtes, ULONG SegmentExtraBytes)
{
    SIZE_T AreaBytes = sizeof(CONTROL_AREA) + (SIZE_T)Subsections * sizeof(SUBSECTION);
    SIZE_T SegmentBytes = FIELD_OFFSET(SEGMENT, ThePtes) + (SIZE_T)SegmentPtes * sizeof(MMPTE) + SegmentExtraBytes;
    PCONTROL_AREA ControlArea;
    PSEGMENT Segment;

    if (SegmentPtes > (MAXULONG - FIELD_OFFSET(SEGMENT, ThePtes) - SegmentExtraBytes) / sizeof(MMPTE) ||
        BYTES_TO_PAGES(SegmentBytes) > MmAvailablePages)
        return NULL;
    ControlArea = ExAllocatePoolWithTag(NonPagedPool, AreaBytes, MI_CONTROL_AREA_TAG);
    if (ControlArea == NULL)
        return NULL;
    Segment = ExAllocatePoolWithTag(NonPagedPool, SegmentBytes, MI_SEGMENT_TAG);
    if (Segment == NULL) {
        ExFreePoolWithTag(ControlArea, MI_CONTROL_AREA_TAG);
        return NULL;
    }
    memset(ControlArea, 0, AreaBytes);
    memset(Segment, 0, SegmentBytes);
    ControlArea->Segment = Segment;
    Segment->ControlArea = ControlArea;
    Segment->TotalNumberOfPtes = SegmentPtes;
    Segment->NonExtendedPtes = SegmentPtes;
    Segment->SizeOfSegment = (ULONGLONG)SegmentPtes << PAGE_SHIFT;
    Segment->PrototypePte = Segment->ThePtes;
    for (ULONG i = 0; i < Subsections; i++) {
        MI_FIRST_SUBSECTION(ControlArea)[i].ControlArea = ControlArea;
        if (i + 1 < Subsections)
            MI_FIRST_SUBSECTION(ControlArea)[i].NextSubsection = &MI_FIRST_SUBSECTION(ControlArea)[i + 1];
    }
    InsertTailList(&MiControlAreaList, &ControlArea->ControlAreaLinks);
    return ControlArea;
}

/* Frees a control area and its segment; their pages and commitment are already gone. */
VOID MiFreeControlArea(PCONTROL_AREA ControlArea)
{
    RemoveEntryList(&ControlArea->ControlAreaLinks);
    ExFreePoolWithTag(ControlArea->Segment, MI_SEGMENT_TAG);
    ExFreePoolWithTag(ControlArea, MI_CONTROL_AREA_TAG);
}

/* The subsection whose run of prototype PTEs holds ProtoPte (NULL: none, a broken segment). */
PSUBSECTION MiLocateSubsection(PCONTROL_AREA ControlArea, PMMPTE ProtoPte)
{
    for (PSUBSECTION Subsection = MI_FIRST_SUBSECTION(ControlArea); Subsection != NULL;
         Subsection = Subsection->NextSubsection) {
        if (ProtoPte >= Subsection->SubsectionBase &&
            ProtoPte < Subsection->SubsectionBase + Subsection->PtesInSubsection)
            return Subsection;
    }
    return NULL;
}

/*
 * Gives back every page the segment's prototype PTEs hold (NT's
 * MiSegmentDelete). No view maps the segment any more, so a resident page's
 * prototype PTE is in transition; a page a lock still holds is marked
 * deleted and freed by its last unlock.
 */
static VOID MiSegmentDelete(PSEGMENT Segment)
{
    PCONTROL_AREA ControlArea = Segment->ControlArea;
    KIRQL OldIrql;

    MiAcquirePfnLock(&OldIrql);
    for (ULONG i = 0; i < Segment->TotalNumberOfPtes; i++) {
        PMMPTE ProtoPte = &Segment->ThePtes[i];
        PFN_NUMBER PageFrameIndex;
        PMMPFN Pfn1;

        if (ProtoPte->u.Hard.Valid)
            KeBugCheckEx(MEMORY_MANAGEMENT, MI_BUGCHECK_SEGMENT_STILL_MAPPED, (ULONG_PTR)ControlArea,
                         (ULONG_PTR)ProtoPte, ProtoPte->u.Long);
        if (!MiIsTransitionPte(*ProtoPte))
            continue;
        PageFrameIndex = ProtoPte->u.Trans.PageFrameNumber;
        Pfn1 = MI_PFN_ELEMENT(PageFrameIndex);
        ProtoPte->u.Long = 0;
        MI_SET_PFN_DELETED(Pfn1);
        MiDecrementReferenceCount(Pfn1, PageFrameIndex);
        ControlArea->NumberOfPfnReferences--;
    }
    MiReleasePfnLock(OldIrql);
    ASSERT(ControlArea->NumberOfPfnReferences == 0);
    if (Segment->NumberOfCommittedPages != 0)
        MiReturnCommitment(&MmSharedCommit, Segment->NumberOfCommittedPages);
}

/*
 * Deletes a control area nothing uses any more: no section object, no
 * view. Its file forgets it first, so a new section on the file builds a
 * new one. Called at APC_LEVEL or below.
 */
VOID MiCheckControlArea(PCONTROL_AREA ControlArea)
{
    PFILE_OBJECT File = ControlArea->FilePointer;
    KIRQL OldIrql;

    MiAcquirePfnLock(&OldIrql);
    if (ControlArea->NumberOfSectionReferences != 0 || ControlArea->NumberOfMappedViews != 0 ||
        ControlArea->u.Flags.BeingDeleted) {
        MiReleasePfnLock(OldIrql);
        return;
    }
    ControlArea->u.Flags.BeingDeleted = 1;
    MiReleasePfnLock(OldIrql);

    if (File != NULL) {
        PSECTION_OBJECT_POINTERS Pointers = File->SectionObjectPointer;

        if (Pointers->DataSectionObject == ControlArea)
            Pointers->DataSectionObject = NULL;
        if (Pointers->ImageSectionObject == ControlArea)
            Pointers->ImageSectionObject = NULL;
    }
    MiSegmentDelete(ControlArea->Segment);
    MiFreeControlArea(ControlArea);
    if (File != NULL)
        ObDereferenceObject(File);
}

/* The section object type's delete routine: one section reference fewer on its control area. */
static VOID NTAPI MiSectionDelete(PVOID Object)
{
    PSECTION Section = Object;
    PCONTROL_AREA ControlArea;
    KIRQL OldIrql;

    if (Section->Segment == NULL)          /* creation failed before it had one */
        return;
    ControlArea = Section->Segment->ControlArea;
    MiAcquirePfnLock(&OldIrql);
    ControlArea->NumberOfSectionReferences--;
    ControlArea->NumberOfUserReferences--;
    MiReleasePfnLock(OldIrql);
    MiCheckControlArea(ControlArea);
}

/*
 * The segment of a pagefile-backed section of Pages pages (NT's
 * MiCreatePagingFileMap): one subsection over all its prototype PTEs,
 * demand-zero with Protection when committed now (charged to
 * MmSharedCommit), zero when only reserved.
 */
static NTSTATUS MiCreatePagingFileMap(ULONG Pages, ULONG Protection, ULONG AllocationAttributes,
                                      PCONTROL_AREA *NewControlArea)
{
    BOOLEAN Commit = (AllocationAttributes & SEC_COMMIT) != 0;
    PCONTROL_AREA ControlArea;
    PSUBSECTION Subsection;
    PSEGMENT Segment;

    if (Commit && !MiChargeCommitment(&MmSharedCommit, Pages))
        return STATUS_COMMITMENT_LIMIT;
    ControlArea = MiAllocateControlArea(1, Pages, 0);
    if (ControlArea == NULL) {
        if (Commit)
            MiReturnCommitment(&MmSharedCommit, Pages);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    Segment = ControlArea->Segment;
    Segment->SegmentPteTemplate = MiMakeDemandZeroPte(Protection);
    if (Commit) {
        Segment->NumberOfCommittedPages = Pages;
        for (ULONG i = 0; i < Pages; i++)
            Segment->ThePtes[i] = Segment->SegmentPteTemplate;
    }
    Subsection = MI_FIRST_SUBSECTION(ControlArea);
    Subsection->u.SubsectionFlags.Protection = Protection;
    Subsection->u.SubsectionFlags.ReadWrite = MI_IS_WRITABLE(Protection);
    Subsection->u.SubsectionFlags.ReadOnly = !MI_IS_WRITABLE(Protection);
    Subsection->SubsectionBase = Segment->ThePtes;
    Subsection->PtesInSubsection = Pages;
    ControlArea->u.Flags.Commit = Commit;
    ControlArea->u.Flags.Reserve = !Commit;
    *NewControlArea = ControlArea;
    return STATUS_SUCCESS;
}

/*
 * The control area of a file's data or image section: the one the file
 * already has (every section on a file shares it), or a new one, which
 * keeps its own reference on the file.
 */
static NTSTATUS MiGetFileControlArea(PFILE_OBJECT File, BOOLEAN Image, PCONTROL_AREA *Found)
{
    PSECTION_OBJECT_POINTERS Pointers = File->SectionObjectPointer;
    PVOID *Slot = Image ? &Pointers->ImageSectionObject : &Pointers->DataSectionObject;
    LARGE_INTEGER FileSize;
    PCONTROL_AREA ControlArea = *Slot;
    NTSTATUS Status;
    KIRQL OldIrql;

    if (ControlArea != NULL) {
        MiAcquirePfnLock(&OldIrql);
        ControlArea->NumberOfSectionReferences++;
        ControlArea->NumberOfUserReferences++;
        MiReleasePfnLock(OldIrql);
        *Found = ControlArea;
        return STATUS_SUCCESS;
    }
    Status = FsRtlGetFileSize(File, &FileSize);
    if (!NT_SUCCESS(Status))
        return Status;
    Status = Image ? MiCreateImageFileMap(File, FileSize.QuadPart, &ControlArea)
                   : MiCreateDataFileMap(File, FileSize.QuadPart, &ControlArea);
    if (!NT_SUCCESS(Status))
        return Status;
    ObReferenceObject(File);
    ControlArea->FilePointer = File;
    ControlArea->u.Flags.File = 1;
    ControlArea->NumberOfSectionReferences = 1;
    ControlArea->NumberOfUserReferences = 1;
    *Slot = ControlArea;
    *Found = ControlArea;
    return STATUS_SUCCESS;
}

/*
 * A data section on File: as large as the file when MaximumSize is zero,
 * never larger (ntmm's only file system is read-only, so a file cannot
 * grow), and writable only if the file was opened for writing.
 */
static NTSTATUS MiCreateFileSection(PSECTION Section, PFILE_OBJECT File, ULONGLONG MaximumSize, ULONG Protection,
                                    ULONG AllocationAttributes)
{
    BOOLEAN Image = (AllocationAttributes & SEC_IMAGE) != 0;
    PCONTROL_AREA ControlArea;
    LARGE_INTEGER FileSize;
    NTSTATUS Status;

    if (!Image) {
        Status = FsRtlGetFileSize(File, &FileSize);
        if (!NT_SUCCESS(Status))
            return Status;
        if (MaximumSize == 0 && FileSize.QuadPart == 0)
            return STATUS_MAPPED_FILE_SIZE_ZERO;
        if (MaximumSize > (ULONGLONG)FileSize.QuadPart)
            return STATUS_SECTION_TOO_BIG;
        if (MI_IS_WRITABLE(Protection) && !MI_IS_COPY_ON_WRITE(Protection) && !File->WriteAccess)
            return STATUS_ACCESS_DENIED;
        if (MaximumSize == 0)
            MaximumSize = FileSize.QuadPart;
    }
    Status = MiGetFileControlArea(File, Image, &ControlArea);
    if (!NT_SUCCESS(Status))
        return Status;
    Section->Segment = ControlArea->Segment;
    Section->u.Flags.File = 1;
    Section->u.Flags.Image = Image;
    if (Image) {
        /* An image's views take each page's protection from its PE section; the section allows them all. */
        Section->SizeOfSection.QuadPart = ControlArea->Segment->SizeOfSegment;
        Section->InitialPageProtection = MM_EXECUTE_WRITECOPY;
    } else {
        Section->SizeOfSection.QuadPart = MaximumSize;
    }
    return STATUS_SUCCESS;
}

/* NtCreateSection's checks of its flags and protection, in NT's order. */
static NTSTATUS MiCheckSectionArguments(ULONG SectionPageProtection, ULONG AllocationAttributes)
{
    if ((AllocationAttributes & ~MI_VALID_SECTION_ATTRIBUTES) != 0 ||
        (AllocationAttributes & (SEC_COMMIT | SEC_RESERVE | SEC_IMAGE)) == 0 ||
        ((AllocationAttributes & SEC_IMAGE) && (AllocationAttributes & (SEC_COMMIT | SEC_RESERVE | SEC_NOCACHE |
                                                                         SEC_NO_CHANGE))) ||
        ((AllocationAttributes & SEC_COMMIT) && (AllocationAttributes & SEC_RESERVE)))
        return STATUS_INVALID_PARAMETER_6;
    if (SectionPageProtection & (PAGE_NOCACHE | PAGE_GUARD | PAGE_NOACCESS | PAGE_WRITECOMBINE))
        return STATUS_INVALID_PAGE_PROTECTION;
    if (MiMakeProtectionMask(SectionPageProtection) == MM_INVALID_PROTECTION)
        return STATUS_INVALID_PAGE_PROTECTION;
    if (AllocationAttributes & MI_UNSUPPORTED_SECTION_ATTRIBUTES)
        return STATUS_NOT_SUPPORTED;
    return STATUS_SUCCESS;
}

/*
 * Creates a section object (NT's internal MmCreateSection): backed by the
 * paging file when neither FileHandle nor FileObject is given, else by the
 * file, as data or (SEC_IMAGE) as an executable image. Returns the object
 * with one reference. Objects have no names here (there is no object
 * directory), so a name is STATUS_NOT_SUPPORTED.
 */
NTSTATUS MmCreateSection(PVOID *SectionObject, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                         PLARGE_INTEGER MaximumSize, ULONG SectionPageProtection, ULONG AllocationAttributes,
                         HANDLE FileHandle, PFILE_OBJECT FileObject)
{
    KPROCESSOR_MODE PreviousMode = ExGetPreviousMode();
    ULONG Protection = MiMakeProtectionMask(SectionPageProtection);
    ULONGLONG Size = MaximumSize != NULL ? (ULONGLONG)MaximumSize->QuadPart : 0;
    PCONTROL_AREA ControlArea;
    PFILE_OBJECT File = FileObject;
    PSECTION Section;
    NTSTATUS Status;

    UNREFERENCED_PARAMETER(DesiredAccess);
    Status = MiCheckSectionArguments(SectionPageProtection, AllocationAttributes);
    if (!NT_SUCCESS(Status))
        return Status;
    if (ObjectAttributes != NULL && ObjectAttributes->ObjectName != NULL)
        return STATUS_NOT_SUPPORTED;
    if (FileHandle == NULL && FileObject == NULL) {
        if (AllocationAttributes & SEC_IMAGE)
            return STATUS_INVALID_FILE_FOR_SECTION;
        if (Size == 0)
            return STATUS_INVALID_PARAMETER_4;
        if ((LONGLONG)Size < 0 || Size > MI_MAXIMUM_SECTION_SIZE)
            return STATUS_SECTION_TOO_BIG;
    } else if ((LONGLONG)Size < 0) {
        return STATUS_SECTION_TOO_BIG;
    }
    if (FileHandle != NULL) {
        Status = ObReferenceObjectByHandle(FileHandle, MiMakeFileAccess[Protection & 7], *IoFileObjectType,
                                           PreviousMode, (PVOID *)&File, NULL);
        if (!NT_SUCCESS(Status))
            return Status;
    }

    Status = ObCreateObject(PreviousMode, MiSectionObjectType, ObjectAttributes, PreviousMode, NULL, sizeof(SECTION),
                            0, 0, (PVOID *)&Section);
    if (NT_SUCCESS(Status)) {
        Section->InitialPageProtection = Protection;
        if (File != NULL) {
            Status = MiCreateFileSection(Section, File, Size, Protection, AllocationAttributes);
        } else {
            Status = MiCreatePagingFileMap(BYTES_TO_PAGES(Size), Protection, AllocationAttributes, &ControlArea);
            if (NT_SUCCESS(Status)) {
                ControlArea->NumberOfSectionReferences = 1;
                ControlArea->NumberOfUserReferences = 1;
                Section->Segment = ControlArea->Segment;
                Section->SizeOfSection.QuadPart = ControlArea->Segment->SizeOfSegment;
                Section->u.Flags.Commit = ControlArea->u.Flags.Commit;
                Section->u.Flags.Reserve = ControlArea->u.Flags.Reserve;
            }
        }
        if (!NT_SUCCESS(Status))
            ObDereferenceObject(Section);
    }
    if (FileHandle != NULL)
        ObDereferenceObject(File);
    if (NT_SUCCESS(Status))
        *SectionObject = Section;
    return Status;
}

NTSTATUS NTAPI NtCreateSection(PHANDLE SectionHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                               PLARGE_INTEGER MaximumSize, ULONG SectionPageProtection, ULONG AllocationAttributes,
                               HANDLE FileHandle)
{
    KPROCESSOR_MODE PreviousMode = ExGetPreviousMode();
    volatile NTSTATUS Status = STATUS_SUCCESS;
    OBJECT_ATTRIBUTES CapturedAttributes;
    LARGE_INTEGER CapturedSize = { 0 };
    PVOID Section;
    HANDLE Handle;

    Status = MiCheckSectionArguments(SectionPageProtection, AllocationAttributes);
    if (!NT_SUCCESS(Status))
        return Status;
    _SEH2_TRY {
        if (PreviousMode != KernelMode) {
            ProbeForWrite(SectionHandle, sizeof(*SectionHandle), sizeof(ULONG_PTR));
            if (MaximumSize != NULL)
                ProbeForRead(MaximumSize, sizeof(*MaximumSize), sizeof(ULONG));
            if (ObjectAttributes != NULL)
                ProbeForRead(ObjectAttributes, sizeof(*ObjectAttributes), sizeof(ULONG));
        }
        KiAllowUserAccess();
        if (MaximumSize != NULL)
            CapturedSize = *MaximumSize;
        if (ObjectAttributes != NULL)
            CapturedAttributes = *ObjectAttributes;
        KiForbidUserAccess();
    } _SEH2_EXCEPT(EXCEPTION_EXECUTE_HANDLER) {
        Status = _SEH2_GetExceptionCode();
    } _SEH2_END;
    if (!NT_SUCCESS(Status))
        return Status;
    /* User mode may not ask for a kernel handle. */
    if (ObjectAttributes != NULL && PreviousMode != KernelMode)
        CapturedAttributes.Attributes &= ~OBJ_KERNEL_HANDLE;

    Status = MmCreateSection(&Section, DesiredAccess, ObjectAttributes != NULL ? &CapturedAttributes : NULL,
                             &CapturedSize, SectionPageProtection, AllocationAttributes, FileHandle, NULL);
    if (!NT_SUCCESS(Status))
        return Status;
    Status = ObInsertObject(Section, NULL, DesiredAccess, 0, NULL, &Handle);
    if (!NT_SUCCESS(Status))
        return Status;
    _SEH2_TRY {
        KiAllowUserAccess();
        *SectionHandle = Handle;
        KiForbidUserAccess();
    } _SEH2_EXCEPT(EXCEPTION_EXECUTE_HANDLER) {
    } _SEH2_END;
    return STATUS_SUCCESS;
}

NTSTATUS NTAPI ZwCreateSection(PHANDLE SectionHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                               PLARGE_INTEGER MaximumSize, ULONG SectionPageProtection, ULONG AllocationAttributes,
                               HANDLE FileHandle)
{
    KPROCESSOR_MODE PreviousMode = KiEnterKernelService();
    NTSTATUS Status = NtCreateSection(SectionHandle, DesiredAccess, ObjectAttributes, MaximumSize,
                                      SectionPageProtection, AllocationAttributes, FileHandle);

    KiLeaveKernelService(PreviousMode);
    return Status;
}

/* NtQuerySection's answers, built before they are copied out. */
static NTSTATUS MiQuerySection(PSECTION Section, SECTION_INFORMATION_CLASS Class, PVOID Buffer, SIZE_T *Length)
{
    PSEGMENT Segment = Section->Segment;

    if (Class == SectionBasicInformation) {
        PSECTION_BASIC_INFORMATION Basic = Buffer;

        Basic->BaseAddress = NULL;
        Basic->MaximumSize = Section->SizeOfSection;
        Basic->AllocationAttributes = (Section->u.Flags.Image ? SEC_IMAGE : 0) |
                                      (Section->u.Flags.File ? SEC_FILE : 0) |
                                      (Section->u.Flags.Reserve ? SEC_RESERVE : 0) |
                                      (Section->u.Flags.Commit || Section->u.Flags.File ? SEC_COMMIT : 0);
        *Length = sizeof(*Basic);
        return STATUS_SUCCESS;
    }
    if (!Section->u.Flags.Image)
        return STATUS_SECTION_NOT_IMAGE;
    *(PSECTION_IMAGE_INFORMATION)Buffer = *Segment->ImageInformation;
    *Length = sizeof(SECTION_IMAGE_INFORMATION);
    return STATUS_SUCCESS;
}

NTSTATUS NTAPI NtQuerySection(HANDLE SectionHandle, SECTION_INFORMATION_CLASS SectionInformationClass,
                              PVOID SectionInformation, SIZE_T SectionInformationLength, PSIZE_T ReturnLength)
{
    KPROCESSOR_MODE PreviousMode = ExGetPreviousMode();
    union {
        SECTION_BASIC_INFORMATION Basic;
        SECTION_IMAGE_INFORMATION Image;
    } Answer;
    volatile NTSTATUS Status = STATUS_SUCCESS;
    SIZE_T Length = 0;
    PSECTION Section;

    if (SectionInformationClass != SectionBasicInformation && SectionInformationClass != SectionImageInformation)
        return STATUS_INVALID_INFO_CLASS;
    if (SectionInformationLength < (SectionInformationClass == SectionBasicInformation
                                        ? sizeof(SECTION_BASIC_INFORMATION)
                                        : sizeof(SECTION_IMAGE_INFORMATION)))
        return STATUS_INFO_LENGTH_MISMATCH;
    if (PreviousMode != KernelMode) {
        Status = MiProbeForWrite(SectionInformation, SectionInformationLength, sizeof(ULONG));
        if (NT_SUCCESS(Status) && ReturnLength != NULL)
            Status = MiProbeForWrite(ReturnLength, sizeof(*ReturnLength), sizeof(ULONG_PTR));
        if (!NT_SUCCESS(Status))
            return Status;
    }
    Status = ObReferenceObjectByHandle(SectionHandle, SECTION_QUERY, MiSectionObjectType, PreviousMode,
                                       (PVOID *)&Section, NULL);
    if (!NT_SUCCESS(Status))
        return Status;
    Status = MiQuerySection(Section, SectionInformationClass, &Answer, &Length);
    ObDereferenceObject(Section);
    if (!NT_SUCCESS(Status))
        return Status;
    _SEH2_TRY {
        KiAllowUserAccess();
        memcpy(SectionInformation, &Answer, Length);
        if (ReturnLength != NULL)
            *ReturnLength = Length;
        KiForbidUserAccess();
    } _SEH2_EXCEPT(EXCEPTION_EXECUTE_HANDLER) {
        Status = _SEH2_GetExceptionCode();
    } _SEH2_END;
    return Status;
}

NTSTATUS NTAPI ZwQuerySection(HANDLE SectionHandle, SECTION_INFORMATION_CLASS SectionInformationClass,
                              PVOID SectionInformation, SIZE_T SectionInformationLength, PSIZE_T ReturnLength)
{
    KPROCESSOR_MODE PreviousMode = KiEnterKernelService();
    NTSTATUS Status = NtQuerySection(SectionHandle, SectionInformationClass, SectionInformation,
                                     SectionInformationLength, ReturnLength);

    KiLeaveKernelService(PreviousMode);
    return Status;
}

/*
 * Commits StartingAddress..EndingAddress of a view of a SEC_RESERVE
 * section: its prototype PTEs that are still zero become the segment's
 * demand-zero template, charged to MmSharedCommit, so every view of the
 * section sees them committed. File-backed and image sections are
 * committed as a whole already. Called under the view's process's
 * address-space lock.
 */
NTSTATUS MiCommitSectionPages(PMMVAD Vad, PVOID StartingAddress, PVOID EndingAddress)
{
    PCONTROL_AREA ControlArea = Vad->ControlArea;
    PSEGMENT Segment = ControlArea->Segment;
    PMMPTE First = MiGetProtoPteAddress(Vad, StartingAddress), Last = MiGetProtoPteAddress(Vad, EndingAddress);
    SIZE_T NewPages = 0;
    KIRQL OldIrql;

    if (ControlArea->u.Flags.File || ControlArea->u.Flags.Image)
        return STATUS_ALREADY_COMMITTED;
    for (PMMPTE ProtoPte = First; ProtoPte <= Last; ProtoPte++)
        NewPages += ProtoPte->u.Long == 0;
    if (NewPages == 0)
        return STATUS_SUCCESS;
    if (!MiChargeCommitment(&MmSharedCommit, NewPages))
        return STATUS_COMMITMENT_LIMIT;
    MiAcquirePfnLock(&OldIrql);
    for (PMMPTE ProtoPte = First; ProtoPte <= Last; ProtoPte++) {
        if (ProtoPte->u.Long == 0)
            MI_WRITE_INVALID_PTE(ProtoPte, Segment->SegmentPteTemplate);
    }
    Segment->NumberOfCommittedPages += NewPages;
    MiReleasePfnLock(OldIrql);
    return STATUS_SUCCESS;
}

VOID MmInitializeSections(VOID)
{
    OBJECT_TYPE_INITIALIZER Initializer = { 0 };

    InitializeListHead(&MiControlAreaList);
    Initializer.PoolType = PagedPool;
    Initializer.PoolTag = MI_SECTION_TAG;
    Initializer.ValidAccessMask = SECTION_ALL_ACCESS;
    Initializer.GenericMapping.GenericRead = STANDARD_RIGHTS_READ | SECTION_MAP_READ | SECTION_QUERY;
    Initializer.GenericMapping.GenericWrite = STANDARD_RIGHTS_WRITE | SECTION_MAP_WRITE;
    Initializer.GenericMapping.GenericExecute = STANDARD_RIGHTS_EXECUTE | SECTION_MAP_EXECUTE;
    Initializer.GenericMapping.GenericAll = SECTION_ALL_ACCESS;
    Initializer.DeleteProcedure = MiSectionDelete;
    if (!NT_SUCCESS(ObCreateObjectType("Section", &Initializer, &MiSectionObjectType)))
        KeBugCheckEx(MEMORY_MANAGEMENT, MI_BUGCHECK_BOOT_ALLOCATION, 0, 0, 0);
}
