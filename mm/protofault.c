/*
 * protofault.c: faults resolved through prototype PTEs, in the order they
 * are decided.
 *
 *  1. The page's prototype PTE comes from the view's VAD (user space) or
 *     from the prototype-format PTE (system views). A zero prototype PTE is
 *     a SEC_RESERVE page nobody committed: an access violation.
 *  2. The protection is the view's (a data view) or the prototype PTE's
 *     own (an image view: each PE section has its own). No access, or a
 *     write the protection does not allow, is an access violation;
 *     copy-on-write counts as writable.
 *  3. The shared page is made resident (MiMakeProtoPageResident): already
 *     valid, it gains a share; in transition (resident, mapped by nobody),
 *     it becomes valid again; demand-zero, it is a new zeroed page; in the
 *     file, it is read in through its subsection.
 *  4. This PTE maps the shared page, read-only and marked copy-on-write
 *     when the protection is; a write to such a page then gets a private
 *     copy (MiCopyOnWrite), at once when the fault was a write.
 *
 * The PFN of a shared page points at its prototype PTE, and its share
 * count counts the valid PTEs that map it, in every process and in system
 * space. Running out of pages is STATUS_NO_MEMORY, as for private pages.
 */
#include "mi.h"
#include <io.h>
#include <vf.h>
#include <string.h>

/* The MM_* protection a prototype PTE gives its page, whatever state it is in. */
ULONG MiProtoPteProtection(PMMPTE ProtoPte)
{
    MMPTE Contents = *ProtoPte;

    if (Contents.u.Hard.Valid)
        return MI_PFN_ELEMENT(PFN_FROM_PTE(&Contents))->OriginalPte.u.Soft.Protection;
    if (MiIsTransitionPte(Contents))
        return Contents.u.Trans.Protection;
    return Contents.u.Soft.Protection;
}

/* A page of a view gets the view's protection, or in an image its PE section's. */
ULONG MiViewPageProtection(PMMVAD Vad, PMMPTE ProtoPte)
{
    return Vad->u.VadFlags.ImageMap ? MiProtoPteProtection(ProtoPte) : Vad->u.VadFlags.Protection;
}

/*
 * Reads the file bytes behind ProtoPte into PageFrameIndex, a zeroed page:
 * its subsection says where they are and where the file's data for it
 * ends; a page past that end stays zero (NT's in-page read, through an MDL
 * of the one page and IoPageRead). Called at APC_LEVEL or below without
 * the PFN lock. The read's mappings are the memory manager's own, not a
 * driver's requests: the low-resources simulation leaves them alone, as
 * NT's fails only the verified drivers' calls, or a touch of a mapped file
 * would be an in-page error (KERNEL_DATA_INPAGE_ERROR in system space).
 */
static NTSTATUS MiReadProtoPageFromFile(PCONTROL_AREA ControlArea, PMMPTE ProtoPte, PFN_NUMBER PageFrameIndex)
{
    PSUBSECTION Subsection = MiLocateSubsection(ControlArea, ProtoPte);
    struct {
        MDL Mdl;
        PFN_NUMBER Page;
    } PageMdl;
    IO_STATUS_BLOCK IoStatus;
    LARGE_INTEGER Offset;
    NTSTATUS Status;
    ULONGLONG End;
    ULONG Length;

    if (Subsection == NULL)
        return STATUS_IN_PAGE_ERROR;
    Offset.QuadPart = ((ULONGLONG)Subsection->StartingSector << MI_SECTOR_SHIFT) +
                      ((ULONGLONG)(ProtoPte - Subsection->SubsectionBase) << PAGE_SHIFT);
    End = ((ULONGLONG)(Subsection->StartingSector + Subsection->NumberOfFullSectors) << MI_SECTOR_SHIFT) +
          Subsection->u.SubsectionFlags.SectorEndOffset;
    if ((ULONGLONG)Offset.QuadPart >= End)
        return STATUS_SUCCESS;
    Length = End - Offset.QuadPart < PAGE_SIZE ? (ULONG)(End - Offset.QuadPart) : PAGE_SIZE;
    MmInitializeMdl(&PageMdl.Mdl, NULL, Length);
    PageMdl.Mdl.MdlFlags |= MDL_PAGES_LOCKED | MDL_IO_PAGE_READ;
    PageMdl.Page = PageFrameIndex;
    VfSuspendLowResources();
    Status = IoPageRead(ControlArea->FilePointer, &PageMdl.Mdl, &Offset, NULL, &IoStatus);
    VfResumeLowResources();
    return Status;
}

/*
 * A page for a prototype PTE in subsection format: a zeroed page, marked
 * ReadInProgress with its prototype PTE in transition while the file is
 * read, then valid with its first share; a failed read gives the page back
 * and leaves the prototype PTE as it was. Called with the PFN lock held;
 * releases it.
 */
static NTSTATUS MiReadInProtoPage(PCONTROL_AREA ControlArea, PMMPTE ProtoPte, PFN_NUMBER NewPage, MMPTE Contents,
                                  KIRQL OldIrql)
{
    PMMPFN Pfn1 = MI_PFN_ELEMENT(NewPage);
    NTSTATUS Status;

    Pfn1->u3.e2.e1.ReadInProgress = 1;
    MI_WRITE_INVALID_PTE(ProtoPte, MiMakeTransitionPte(NewPage, Contents.u.Subsect.Protection));
    MiReleasePfnLock(OldIrql);
    Status = MiReadProtoPageFromFile(ControlArea, ProtoPte, NewPage);
    MiAcquirePfnLock(&OldIrql);
    Pfn1->u3.e2.e1.ReadInProgress = 0;
    if (!NT_SUCCESS(Status)) {
        MI_WRITE_INVALID_PTE(ProtoPte, Contents);
        ControlArea->NumberOfPfnReferences--;
        MI_SET_PFN_DELETED(Pfn1);
        MiDecrementReferenceCount(Pfn1, NewPage);
        MiReleasePfnLock(OldIrql);
        return STATUS_IN_PAGE_ERROR;
    }
    Pfn1->u2.ShareCount = 1;
    MI_WRITE_VALID_PTE(ProtoPte, MiMakeValidPrototypePte(NewPage, Contents.u.Subsect.Protection));
    MiReleasePfnLock(OldIrql);
    return STATUS_SUCCESS;
}

/*
 * The shared page ProtoPte describes, resident and with one more share for
 * the PTE the caller is about to make valid. Called at APC_LEVEL or below;
 * STATUS_ACCESS_VIOLATION for a page not committed, STATUS_NO_MEMORY when
 * no page is left, STATUS_IN_PAGE_ERROR when the file could not be read.
 */
NTSTATUS MiMakeProtoPageResident(PCONTROL_AREA ControlArea, PMMPTE ProtoPte, PPFN_NUMBER PageFrameIndex)
{
    PFN_NUMBER NewPage;
    MMPTE Contents;
    PMMPFN Pfn1;
    KIRQL OldIrql;

    MiAcquirePfnLock(&OldIrql);
    Contents = *ProtoPte;
    if (Contents.u.Hard.Valid) {
        *PageFrameIndex = PFN_FROM_PTE(&Contents);
        MI_PFN_ELEMENT(*PageFrameIndex)->u2.ShareCount++;
        MiReleasePfnLock(OldIrql);
        return STATUS_SUCCESS;
    }
    if (MiIsTransitionPte(Contents)) {
        *PageFrameIndex = Contents.u.Trans.PageFrameNumber;
        Pfn1 = MI_PFN_ELEMENT(*PageFrameIndex);
        ASSERT(Pfn1->u2.ShareCount == 0 && Pfn1->PteAddress == ProtoPte && !Pfn1->u3.e2.e1.ReadInProgress);
        Pfn1->u2.ShareCount = 1;
        MI_WRITE_VALID_PTE(ProtoPte, MiMakeValidPrototypePte(*PageFrameIndex, Contents.u.Trans.Protection));
        MiReleasePfnLock(OldIrql);
        return STATUS_SUCCESS;
    }
    if (Contents.u.Long == 0) {
        MiReleasePfnLock(OldIrql);
        return STATUS_ACCESS_VIOLATION;
    }
    NewPage = MiRemoveZeroPage();
    if (NewPage == MM_EMPTY_LIST) {
        MiReleasePfnLock(OldIrql);
        return STATUS_NO_MEMORY;
    }
    MiInitializeProtoPfn(NewPage, ProtoPte);
    ControlArea->NumberOfPfnReferences++;
    *PageFrameIndex = NewPage;
    if (MiIsSubsectionPte(Contents))
        return MiReadInProtoPage(ControlArea, ProtoPte, NewPage, Contents, OldIrql);
    MI_PFN_ELEMENT(NewPage)->u2.ShareCount = 1;
    MI_WRITE_VALID_PTE(ProtoPte, MiMakeValidPrototypePte(NewPage, Contents.u.Soft.Protection));
    MiReleasePfnLock(OldIrql);
    return STATUS_SUCCESS;
}

/* The PTE that maps a shared page with Protection: read-only and marked when it is copy-on-write. */
static MMPTE MiMakeSharedUserPte(PFN_NUMBER PageFrameIndex, ULONG Protection)
{
    MMPTE TempPte = MiMakeUserPte(PageFrameIndex, Protection);

    if (MI_IS_COPY_ON_WRITE(Protection))
        TempPte.u.Hard.CopyOnWrite = 1;
    return TempPte;
}

/*
 * Replaces the shared page PointerPte maps with a private copy of it that
 * has Protection: the copy is the process's own page (its PFN points at
 * this PTE, its OriginalPte keeps the protection), and the shared page
 * loses this PTE's share. Both pages are reached through hyperspace, so
 * the copy needs neither mapping to be writable.
 */
static NTSTATUS MiReplaceWithPrivateCopy(PEPROCESS Process, PMMPTE PointerPte, ULONG Protection)
{
    PFN_NUMBER Source = PFN_FROM_PTE(PointerPte), Copy;
    KIRQL OldIrql, CopyIrql, SourceIrql;
    PVOID To, From;

    MiAcquirePfnLock(&OldIrql);
    Copy = MiRemoveAnyPage();
    if (Copy == MM_EMPTY_LIST) {
        MiReleasePfnLock(OldIrql);
        return STATUS_NO_MEMORY;
    }
    MiInitializePfn(Copy, PointerPte, TRUE);
    MI_PFN_ELEMENT(Copy)->OriginalPte = MiMakeDemandZeroPte(Protection);
    To = MiMapPageInHyperSpace(Copy, &CopyIrql);
    From = MiMapPageInHyperSpace(Source, &SourceIrql);
    memcpy(To, From, PAGE_SIZE);
    MiUnmapPageInHyperSpace(From, SourceIrql);
    MiUnmapPageInHyperSpace(To, CopyIrql);
    MiWriteUserPte(Process, PointerPte, MiMakeUserPte(Copy, Protection));
    MiDecrementShareCount(MI_PFN_ELEMENT(Source), Source);
    MiReleasePfnLock(OldIrql);
    Process->NumberOfPrivatePages++;
    return STATUS_SUCCESS;
}

/*
 * A write to a copy-on-write page of a view that PointerPte maps shared
 * (read-only, marked CopyOnWrite): the process gets its own copy, writable,
 * and every other view keeps the shared page (NT's MiCopyOnWrite). The
 * view charged a page of commitment for it when it was mapped.
 */
NTSTATUS MiCopyOnWrite(PEPROCESS Process, PMMVAD Vad, PVOID VirtualAddress, PMMPTE PointerPte)
{
    ULONG Protection = MiViewPageProtection(Vad, MiGetProtoPteAddress(Vad, VirtualAddress));

    ASSERT(PointerPte->u.Hard.Valid && PointerPte->u.Hard.CopyOnWrite && MI_IS_COPY_ON_WRITE(Protection));
    return MiReplaceWithPrivateCopy(Process, PointerPte, MI_MAKE_PROTECT_NOT_WRITE_COPY(Protection));
}

/*
 * Gives a page of a view a private copy whatever its protection, for the
 * loader's own writes (base relocations): the page is made resident as a
 * read would make it, then copied; its protection stays (a code page stays
 * execute-read). A copy of a page that was not copy-on-write costs the
 * view a page of commitment more. *PageFrameIndex is the private page.
 */
NTSTATUS MiMakeViewPagePrivate(PEPROCESS Process, PMMVAD Vad, PVOID VirtualAddress, PPFN_NUMBER PageFrameIndex)
{
    PMMPTE PointerPte = MiAddressToPte(VirtualAddress);
    ULONG Protection = MiViewPageProtection(Vad, MiGetProtoPteAddress(Vad, VirtualAddress));
    NTSTATUS Status;

    if (MiIsPageTablePresent(VirtualAddress) && PointerPte->u.Hard.Valid &&
        !MI_PFN_ELEMENT(PFN_FROM_PTE(PointerPte))->u3.e2.e1.PrototypePte) {
        *PageFrameIndex = PFN_FROM_PTE(PointerPte);
        return STATUS_SUCCESS;
    }
    if (!MI_IS_COPY_ON_WRITE(Protection) && !MiChargeCommitment(&Process->CommitCharge, 1))
        return STATUS_COMMITMENT_LIMIT;
    Status = MiIsPageTablePresent(VirtualAddress) && PointerPte->u.Hard.Valid
                 ? STATUS_SUCCESS
                 : MiResolveProtoPteFault(Process, Vad, VirtualAddress, PointerPte, 0);
    if (NT_SUCCESS(Status))
        Status = MiReplaceWithPrivateCopy(Process, PointerPte, MI_MAKE_PROTECT_NOT_WRITE_COPY(Protection));
    if (!NT_SUCCESS(Status)) {
        if (!MI_IS_COPY_ON_WRITE(Protection))
            MiReturnCommitment(&Process->CommitCharge, 1);
        return Status;
    }
    Vad->u.VadFlags.CommitCharge += !MI_IS_COPY_ON_WRITE(Protection);
    *PageFrameIndex = PFN_FROM_PTE(PointerPte);
    return STATUS_SUCCESS;
}

/*
 * A fault on a page of a view in the current process whose PTE is zero:
 * the page table is made first, so that running out of pages leaves no
 * share behind.
 */
NTSTATUS MiResolveProtoPteFault(PEPROCESS Process, PMMVAD Vad, PVOID VirtualAddress, PMMPTE PointerPte,
                                ULONG FaultStatus)
{
    PMMPTE ProtoPte = MiGetProtoPteAddress(Vad, VirtualAddress);
    PFN_NUMBER PageFrameIndex;
    ULONG Protection;
    NTSTATUS Status;

    if (ProtoPte->u.Long == 0)
        return STATUS_ACCESS_VIOLATION;
    Protection = MiViewPageProtection(Vad, ProtoPte);
    if (MI_IS_NOACCESS(Protection) || ((FaultStatus & PF_WRITE) && !MI_IS_WRITABLE(Protection)))
        return STATUS_ACCESS_VIOLATION;
    Status = MiMakeUserPageTable(Process, VirtualAddress);
    if (NT_SUCCESS(Status))
        Status = MiMakeProtoPageResident(Vad->ControlArea, ProtoPte, &PageFrameIndex);
    if (!NT_SUCCESS(Status))
        return Status;
    MiWriteUserPte(Process, PointerPte, MiMakeSharedUserPte(PageFrameIndex, Protection));
    MiWorkingSetGrew(Process);
    if ((FaultStatus & PF_WRITE) && MI_IS_COPY_ON_WRITE(Protection))
        return MiCopyOnWrite(Process, Vad, VirtualAddress, PointerPte);
    return STATUS_SUCCESS;
}

/*
 * The protection of a page of a view, and whether it is committed, for
 * NtQueryVirtualMemory and the address-space walker: a private copy has
 * its own (its PFN's OriginalPte); a shared page, or one not yet touched,
 * the view's or its PE section's, committed when its prototype PTE is not
 * zero.
 */
ULONG MiQueryViewPageProtection(PMMVAD Vad, PVOID VirtualAddress, PBOOLEAN Committed)
{
    PMMPTE ProtoPte = MiGetProtoPteAddress(Vad, VirtualAddress);
    MMPTE Pte;

    Pte.u.Long = MiIsPageTablePresent(VirtualAddress) ? MiAddressToPte(VirtualAddress)->u.Long : 0;
    if (Pte.u.Hard.Valid && !MI_PFN_ELEMENT(PFN_FROM_PTE(&Pte))->u3.e2.e1.PrototypePte) {
        *Committed = TRUE;
        return MI_PFN_ELEMENT(PFN_FROM_PTE(&Pte))->OriginalPte.u.Soft.Protection;
    }
    *Committed = ProtoPte->u.Long != 0;
    return MiViewPageProtection(Vad, ProtoPte);
}
