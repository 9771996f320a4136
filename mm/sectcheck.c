/*
 * sectcheck.c: MmCheckSections, the walker that proves every section
 * consistent: each live control area's segment points back at it, its
 * subsections cover its prototype PTEs in order, each prototype PTE is in a
 * state a prototype PTE may be in, a resident one names a page whose PFN
 * is a prototype page pointing back at it, NumberOfPfnReferences counts the
 * resident pages and NumberOfCommittedPages the committed ones, each
 * resident page's share count is the number of valid PTEs that map it in
 * every process and in system space, NumberOfMappedViews counts the views
 * found there, and the pagefile-backed sections' commitment adds up to
 * MmSharedCommit. It attaches to each process in turn to read its views.
 * The test runner calls it after every suite.
 */
#include "mi.h"
#include <string.h>

static ULONG MiSectionCheckErrors;

static VOID MiSectionCheckFailed(BOOLEAN Verbose, PCONTROL_AREA ControlArea, PCSTR What, ULONG_PTR Where,
                                 ULONG_PTR Value)
{
    if (Verbose && MiSectionCheckErrors < 10)
        DbgPrint("    # section check, control area %p: %s (at %X, value %X)\n", ControlArea, What, Where, Value);
    MiSectionCheckErrors++;
}

/* The subsections run over the prototype PTEs one after another, each pointing back at the control area. */
static VOID MiCheckSubsections(PCONTROL_AREA ControlArea, BOOLEAN Verbose)
{
    PSEGMENT Segment = ControlArea->Segment;
    PMMPTE Next = Segment->ThePtes;

    for (PSUBSECTION Subsection = MI_FIRST_SUBSECTION(ControlArea); Subsection != NULL;
         Subsection = Subsection->NextSubsection) {
        if (Subsection->ControlArea != ControlArea)
            MiSectionCheckFailed(Verbose, ControlArea, "a subsection names another control area",
                                 (ULONG_PTR)Subsection, (ULONG_PTR)Subsection->ControlArea);
        if (Subsection->SubsectionBase != Next)
            MiSectionCheckFailed(Verbose, ControlArea, "a subsection does not start where the last one ended",
                                 (ULONG_PTR)Subsection, (ULONG_PTR)Subsection->SubsectionBase);
        Next = Subsection->SubsectionBase + Subsection->PtesInSubsection;
    }
    if (Next != Segment->ThePtes + Segment->TotalNumberOfPtes)
        MiSectionCheckFailed(Verbose, ControlArea, "the subsections do not cover the segment", (ULONG_PTR)Next,
                             Segment->TotalNumberOfPtes);
}

/*
 * What the views of one control area hold: the valid PTEs that map each of
 * its pages (in every process and in system space), and its views.
 */
typedef struct _MI_SHARE_TALLY {
    PCONTROL_AREA ControlArea;
    PULONG Shares;                    /* by prototype PTE; NULL: no pool to count them in */
    ULONG Views, SystemViews;
} MI_SHARE_TALLY, *PMI_SHARE_TALLY;

#define MI_SHARE_TALLY_TAG 'hCmM'     /* "MmCh": the walker's own counts, freed before it returns */

/* One valid PTE counts a share of its page when that page is one of the tallied segment's. */
static VOID MiTallyPte(PMI_SHARE_TALLY Tally, MMPTE Pte)
{
    PSEGMENT Segment = Tally->ControlArea->Segment;
    PMMPFN Pfn1;

    if (!Pte.u.Hard.Valid || !MiIsPhysicalPage(PFN_FROM_PTE(&Pte)))
        return;
    Pfn1 = MI_PFN_ELEMENT(PFN_FROM_PTE(&Pte));
    if (Pfn1->u3.e2.e1.PrototypePte && Pfn1->PteAddress >= Segment->ThePtes &&
        Pfn1->PteAddress < Segment->ThePtes + Segment->TotalNumberOfPtes && Tally->Shares != NULL)
        Tally->Shares[Pfn1->PteAddress - Segment->ThePtes]++;
}

static VOID MiTallyProcessViews(PEPROCESS Process, PMI_SHARE_TALLY Tally)
{
    KAPC_STATE ApcState;

    if (!Process->AddressSpaceInitialized)
        return;
    KeStackAttachProcess(&Process->Pcb, &ApcState);
    MmLockAddressSpace(Process);
    for (PRTL_AVL_RANGE_NODE Node = RtlAvlFirstRange(&Process->VadRoot); Node != NULL; Node = RtlAvlNextRange(Node)) {
        PMMVAD Vad = CONTAINING_RECORD(Node, MMVAD, Node);

        if (Vad->ControlArea != Tally->ControlArea)
            continue;
        Tally->Views++;
        for (ULONG_PTR Va = (ULONG_PTR)MI_VAD_START(Vad); Va < (ULONG_PTR)MI_VAD_END(Vad); Va += PAGE_SIZE) {
            if (MiIsPageTablePresent((PVOID)Va))
                MiTallyPte(Tally, *MiAddressToPte(Va));
        }
    }
    MmUnlockAddressSpace(Process);
    KeUnstackDetachProcess(&ApcState);
}

static VOID MiTallySystemView(PVOID Base, ULONG Pages, PCONTROL_AREA ControlArea, PVOID Context)
{
    PMI_SHARE_TALLY Tally = Context;

    if (ControlArea != Tally->ControlArea)
        return;
    Tally->Views++;
    Tally->SystemViews++;
    for (ULONG i = 0; i < Pages; i++)
        MiTallyPte(Tally, MiAddressToPte(Base)[i]);
}

/* Counts what every process and system space holds of ControlArea; the caller frees Tally->Shares. */
static VOID MiTallyShares(PCONTROL_AREA ControlArea, PMI_SHARE_TALLY Tally)
{
    SIZE_T Bytes = (SIZE_T)ControlArea->Segment->TotalNumberOfPtes * sizeof(ULONG);

    Tally->ControlArea = ControlArea;
    Tally->Views = Tally->SystemViews = 0;
    Tally->Shares = ExAllocatePoolWithTag(NonPagedPool, Bytes != 0 ? Bytes : sizeof(ULONG), MI_SHARE_TALLY_TAG);
    if (Tally->Shares != NULL)
        memset(Tally->Shares, 0, Bytes);
    for (PLIST_ENTRY Entry = PsActiveProcessHead.Flink; Entry != &PsActiveProcessHead; Entry = Entry->Flink)
        MiTallyProcessViews(CONTAINING_RECORD(Entry, EPROCESS, ActiveProcessLinks), Tally);
    MiEnumerateSystemViews(MiTallySystemView, Tally);
}

/* A resident prototype PTE's page is a prototype page that points back at it. */
static VOID MiCheckResidentProtoPte(PCONTROL_AREA ControlArea, PMMPTE ProtoPte, PFN_NUMBER PageFrameIndex,
                                    ULONG Shares, BOOLEAN Verbose)
{
    PMMPFN Pfn1;

    if (!MiIsPhysicalPage(PageFrameIndex)) {
        MiSectionCheckFailed(Verbose, ControlArea, "a prototype PTE maps no RAM", (ULONG_PTR)ProtoPte,
                             ProtoPte->u.Long);
        return;
    }
    Pfn1 = MI_PFN_ELEMENT(PageFrameIndex);
    if (Pfn1->u3.e2.e1.PageLocation != ActiveAndValid || Pfn1->u3.e2.ReferenceCount == 0 ||
        !Pfn1->u3.e2.e1.PrototypePte || Pfn1->PteAddress != ProtoPte)
        MiSectionCheckFailed(Verbose, ControlArea, "a prototype PTE's page does not point back at it",
                             (ULONG_PTR)ProtoPte, PageFrameIndex);
    else if ((Pfn1->u2.ShareCount != 0) != ProtoPte->u.Hard.Valid)
        MiSectionCheckFailed(Verbose, ControlArea, "a prototype PTE is valid without a share or in transition with one",
                             (ULONG_PTR)ProtoPte, Pfn1->u2.ShareCount);
    else if (Shares != MAXULONG && Pfn1->u2.ShareCount != Shares)
        MiSectionCheckFailed(Verbose, ControlArea, "a page's share count differs from the PTEs that map it",
                             (ULONG_PTR)ProtoPte, Pfn1->u2.ShareCount);
}

static SIZE_T MiCheckControlAreaPtes(PCONTROL_AREA ControlArea, BOOLEAN Verbose)
{
    PSEGMENT Segment = ControlArea->Segment;
    ULONG Resident = 0, Committed = 0;
    MI_SHARE_TALLY Tally;

    MiTallyShares(ControlArea, &Tally);
    if (Tally.Views != ControlArea->NumberOfMappedViews || Tally.SystemViews != ControlArea->NumberOfSystemCacheViews)
        MiSectionCheckFailed(Verbose, ControlArea, "the views found differ from NumberOfMappedViews", Tally.Views,
                             ControlArea->NumberOfMappedViews);

    for (ULONG i = 0; i < Segment->TotalNumberOfPtes; i++) {
        PMMPTE ProtoPte = &Segment->ThePtes[i];
        MMPTE Contents = *ProtoPte;

        Committed += Contents.u.Long != 0;
        if (Contents.u.Hard.Valid || MiIsTransitionPte(Contents)) {
            MiCheckResidentProtoPte(ControlArea, ProtoPte,
                                    Contents.u.Hard.Valid ? PFN_FROM_PTE(&Contents) : Contents.u.Trans.PageFrameNumber,
                                    Tally.Shares != NULL ? Tally.Shares[i] : MAXULONG, Verbose);
            Resident++;
        } else if (Contents.u.Long != 0 && !MiIsSubsectionPte(Contents) && !MiIsDemandZeroPte(Contents)) {
            MiSectionCheckFailed(Verbose, ControlArea, "a prototype PTE in no state a prototype PTE has",
                                 (ULONG_PTR)ProtoPte, Contents.u.Long);
        } else if (MiIsSubsectionPte(Contents) && !ControlArea->u.Flags.File) {
            MiSectionCheckFailed(Verbose, ControlArea, "a pagefile-backed prototype PTE reads from a file",
                                 (ULONG_PTR)ProtoPte, Contents.u.Long);
        }
    }
    if (Resident != ControlArea->NumberOfPfnReferences)
        MiSectionCheckFailed(Verbose, ControlArea, "NumberOfPfnReferences differs from the resident pages", Resident,
                             ControlArea->NumberOfPfnReferences);
    if (!ControlArea->u.Flags.File && Committed != Segment->NumberOfCommittedPages)
        MiSectionCheckFailed(Verbose, ControlArea, "NumberOfCommittedPages differs from the committed PTEs", Committed,
                             Segment->NumberOfCommittedPages);
    if (Tally.Shares != NULL)
        ExFreePoolWithTag(Tally.Shares, MI_SHARE_TALLY_TAG);
    return ControlArea->u.Flags.File ? 0 : Segment->NumberOfCommittedPages;
}

BOOLEAN MmCheckSections(BOOLEAN Verbose)
{
    SIZE_T SharedCommit = 0;

    MiSectionCheckErrors = 0;
    for (PLIST_ENTRY Entry = MiControlAreaList.Flink; Entry != &MiControlAreaList; Entry = Entry->Flink) {
        PCONTROL_AREA ControlArea = CONTAINING_RECORD(Entry, CONTROL_AREA, ControlAreaLinks);

        if (ControlArea->Segment == NULL || ControlArea->Segment->ControlArea != ControlArea) {
            MiSectionCheckFailed(Verbose, ControlArea, "the segment does not point back", 0,
                                 (ULONG_PTR)ControlArea->Segment);
            continue;
        }
        if (ControlArea->NumberOfSectionReferences == 0 && ControlArea->NumberOfMappedViews == 0)
            MiSectionCheckFailed(Verbose, ControlArea, "a control area nothing uses was not deleted", 0, 0);
        MiCheckSubsections(ControlArea, Verbose);
        SharedCommit += MiCheckControlAreaPtes(ControlArea, Verbose);
    }
    if (SharedCommit != MmSharedCommit)
        MiSectionCheckFailed(Verbose, NULL, "MmSharedCommit differs from the sections' committed pages", SharedCommit,
                             MmSharedCommit);
    return MiSectionCheckErrors == 0;
}
