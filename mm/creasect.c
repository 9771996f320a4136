/*
 * creasect.c: the segments of sections backed by files (NT's
 * MiCreateDataFileMap and MiCreateImageFileMap).
 *
 * A data section's segment has one prototype PTE per page of the file,
 * each in subsection format: its page is read from the file on its first
 * touch (protofault.c). Its one subsection starts at sector 0 and ends
 * where the file does; the last page's bytes past the end are zero. The
 * prototype PTEs allow everything a view could ask for; the section object
 * limits what views may ask for.
 */
#include "mi.h"
#include <io.h>

/* The subsection's file range: StartingSector, then Bytes of file data. */
static VOID MiSetSubsectionFileRange(PSUBSECTION Subsection, ULONG StartingSector, ULONG Bytes)
{
    Subsection->StartingSector = StartingSector;
    Subsection->NumberOfFullSectors = Bytes >> MI_SECTOR_SHIFT;
    Subsection->u.SubsectionFlags.SectorEndOffset = Bytes & (MI_SECTOR_SIZE - 1);
}

NTSTATUS MiCreateDataFileMap(PFILE_OBJECT File, ULONGLONG FileSize, PCONTROL_AREA *NewControlArea)
{
    ULONG Pages = BYTES_TO_PAGES((SIZE_T)FileSize);
    PCONTROL_AREA ControlArea;
    PSUBSECTION Subsection;
    PSEGMENT Segment;

    UNREFERENCED_PARAMETER(File);
    if (FileSize > MAXULONG - PAGE_SIZE + 1)
        return STATUS_SECTION_TOO_BIG;
    ControlArea = MiAllocateControlArea(1, Pages, 0);
    if (ControlArea == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    Segment = ControlArea->Segment;
    Segment->SegmentPteTemplate = MiMakeSubsectionPte(MM_EXECUTE_READWRITE);
    for (ULONG i = 0; i < Pages; i++)
        Segment->ThePtes[i] = Segment->SegmentPteTemplate;
    Subsection = MI_FIRST_SUBSECTION(ControlArea);
    Subsection->u.SubsectionFlags.Protection = MM_EXECUTE_READWRITE;
    Subsection->u.SubsectionFlags.ReadWrite = 1;
    Subsection->SubsectionBase = Segment->ThePtes;
    Subsection->PtesInSubsection = Pages;
    MiSetSubsectionFileRange(Subsection, 0, (ULONG)FileSize);
    *NewControlArea = ControlArea;
    return STATUS_SUCCESS;
}
