/*
 * sectcheck.c: MmCheckSections, the walker that proves every section
 * consistent: each live control area's segment points back at it, its
 * subsections cover its prototype PTEs in order, each prototype PTE is in a
 * state a prototype PTE may be in, a resident one names a page whose PFN
 * is a prototype page pointing back at it, NumberOfPfnReferences counts the
 * resident pages and NumberOfCommittedPages the committed ones, and the
 * pagefile-backed sections' commitment adds up to MmSharedCommit. The test
 * runner calls it after every suite.
 */
#include "mi.h"

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

/* A resident prototype PTE's page is a prototype page that points back at it. */
static VOID MiCheckResidentProtoPte(PCONTROL_AREA ControlArea, PMMPTE ProtoPte, PFN_NUMBER PageFrameIndex,
                                    BOOLEAN Verbose)
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
}

static SIZE_T MiCheckControlAreaPtes(PCONTROL_AREA ControlArea, BOOLEAN Verbose)
{
    PSEGMENT Segment = ControlArea->Segment;
    ULONG Resident = 0, Committed = 0;

    for (ULONG i = 0; i < Segment->TotalNumberOfPtes; i++) {
        PMMPTE ProtoPte = &Segment->ThePtes[i];
        MMPTE Contents = *ProtoPte;

        Committed += Contents.u.Long != 0;
        if (Contents.u.Hard.Valid || MiIsTransitionPte(Contents)) {
            MiCheckResidentProtoPte(ControlArea, ProtoPte,
                                    Contents.u.Hard.Valid ? PFN_FROM_PTE(&Contents) : Contents.u.Trans.PageFrameNumber,
                                    Verbose);
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
