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
 *
 * An image's segment describes the image as it runs, SizeOfImage bytes
 * from its base: a subsection for the headers (read-only), then one per PE
 * section, in order and without gaps or overlaps, each with the protection
 * its characteristics ask for (code execute-read, read-only data
 * read-only, writable data copy-on-write unless shared) and its raw data's
 * sectors; pages past the raw data are demand-zero (.bss). Every field
 * used is checked first (imagehdr.c), against the file's size and the
 * image's: a malformed file is an error status, never a fault.
 */
#include "mi.h"
#include <io.h>
#include <ntimage.h>
#include <string.h>

/* The most of a file read for its headers: the section table must end in them (imagehdr.c). */
#define MI_IMAGE_HEADER_BYTES (2 * PAGE_SIZE)
#define MI_IMAGE_HEADER_TAG 'hImM'            /* "MmIh": the headers while they are checked */

/* A PE section's MM_* protection, by its SHARED, EXECUTE, READ and WRITE bits (NT's MmImageProtectionArray). */
static const UCHAR MiImageProtection[16] = {
    MM_NOACCESS,          MM_NOACCESS,          MM_EXECUTE,           MM_EXECUTE,
    MM_READONLY,          MM_READONLY,          MM_EXECUTE_READ,      MM_EXECUTE_READ,
    MM_WRITECOPY,         MM_READWRITE,         MM_EXECUTE_WRITECOPY, MM_EXECUTE_READWRITE,
    MM_WRITECOPY,         MM_READWRITE,         MM_EXECUTE_WRITECOPY, MM_EXECUTE_READWRITE,
};

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

/* Reads the first Length bytes of File into Buffer, nonpaged pool (zeroed: a short file leaves zeroes). */
static NTSTATUS MiReadImageHeader(PFILE_OBJECT File, PVOID Buffer, ULONG Length)
{
    PMDL Mdl = IoAllocateMdl(Buffer, Length, FALSE, FALSE, NULL);
    IO_STATUS_BLOCK IoStatus;
    LARGE_INTEGER Offset;
    NTSTATUS Status;

    if (Mdl == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    MmBuildMdlForNonPagedPool(Mdl);
    Offset.QuadPart = 0;
    Status = IoPageRead(File, Mdl, &Offset, NULL, &IoStatus);
    IoFreeMdl(Mdl);
    return Status;
}

/*
 * Fills Ptes prototype PTEs from First: pages holding file data (RawBytes
 * of it) read from the file, the rest of VirtualSize demand-zero, the rest
 * of the run (alignment padding) not committed. Returns the copy-on-write
 * pages, which each view of the image charges its process.
 */
static ULONG MiInitializeImageSubsection(PSUBSECTION Subsection, PMMPTE First, ULONG Ptes, ULONG Protection,
                                         ULONG StartingSector, ULONG RawBytes, ULONG VirtualSize)
{
    ULONG FilePages = BYTES_TO_PAGES(RawBytes), Pages = BYTES_TO_PAGES(VirtualSize), Charged = 0;

    Subsection->SubsectionBase = First;
    Subsection->PtesInSubsection = Ptes;
    Subsection->u.SubsectionFlags.Protection = Protection;
    Subsection->u.SubsectionFlags.ReadOnly = !MI_IS_WRITABLE(Protection);
    Subsection->u.SubsectionFlags.ReadWrite = MI_IS_WRITABLE(Protection);
    MiSetSubsectionFileRange(Subsection, StartingSector, RawBytes);
    for (ULONG i = 0; i < Ptes; i++) {
        if (i < FilePages)
            First[i] = MiMakeSubsectionPte(Protection);
        else if (i < Pages)
            First[i] = MiMakeDemandZeroPte(Protection);
        else
            First[i].u.Long = 0;
        Charged += i < Pages && MI_IS_COPY_ON_WRITE(Protection);
    }
    return Charged;
}

/* What NtQuerySection's SectionImageInformation reports, from the headers. */
static VOID MiFillImageInformation(PSECTION_IMAGE_INFORMATION Information, PIMAGE_NT_HEADERS32 NtHeaders,
                                   ULONGLONG FileSize)
{
    PIMAGE_OPTIONAL_HEADER32 Optional = &NtHeaders->OptionalHeader;

    memset(Information, 0, sizeof(*Information));
    Information->TransferAddress = (PVOID)(Optional->ImageBase + Optional->AddressOfEntryPoint);
    Information->MaximumStackSize = Optional->SizeOfStackReserve;
    Information->CommittedStackSize = Optional->SizeOfStackCommit;
    Information->SubSystemType = Optional->Subsystem;
    Information->SubSystemMinorVersion = Optional->MinorSubsystemVersion;
    Information->SubSystemMajorVersion = Optional->MajorSubsystemVersion;
    Information->ImageCharacteristics = NtHeaders->FileHeader.Characteristics;
    Information->DllCharacteristics = Optional->DllCharacteristics;
    Information->Machine = NtHeaders->FileHeader.Machine;
    Information->ImageContainsCode = Optional->SizeOfCode != 0;
    Information->LoaderFlags = Optional->LoaderFlags;
    Information->ImageFileSize = (ULONG)FileSize;
    Information->CheckSum = Optional->CheckSum;
}

/* The pages Bytes of a checked image take, rounded to its SectionAlignment. */
static ULONG MiImagePages(ULONG Bytes, ULONG SectionAlignment)
{
    return (ULONG)(ALIGN_UP_BY((ULONGLONG)Bytes, SectionAlignment) >> PAGE_SHIFT);
}

/* The segment of a checked image: the headers' subsection, then one per PE section. */
static NTSTATUS MiBuildImageSegment(PIMAGE_NT_HEADERS32 NtHeaders, ULONGLONG FileSize, PCONTROL_AREA *NewControlArea)
{
    PIMAGE_OPTIONAL_HEADER32 Optional = &NtHeaders->OptionalHeader;
    ULONG Sections = NtHeaders->FileHeader.NumberOfSections;
    ULONG Pages = MiImagePages(Optional->SizeOfImage, Optional->SectionAlignment);
    ULONG HeaderPages = MiImagePages(Optional->SizeOfHeaders, Optional->SectionAlignment);
    PCONTROL_AREA ControlArea = MiAllocateControlArea(Sections + 1, Pages, sizeof(SECTION_IMAGE_INFORMATION));
    PSUBSECTION Subsection;
    PSEGMENT Segment;

    if (ControlArea == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    Segment = ControlArea->Segment;
    Subsection = MI_FIRST_SUBSECTION(ControlArea);
    MiInitializeImageSubsection(Subsection, Segment->ThePtes, HeaderPages, MM_READONLY, 0, Optional->SizeOfHeaders,
                                Optional->SizeOfHeaders);
    for (ULONG i = 0; i < Sections; i++) {
        IMAGE_SECTION_HEADER Section;
        ULONG VirtualSize, RawBytes, Protection;
        PMMPTE First;

        MiReadImageSection(NtHeaders, i, &Section);
        VirtualSize = Section.Misc.VirtualSize != 0 ? Section.Misc.VirtualSize : Section.SizeOfRawData;
        RawBytes = Section.SizeOfRawData < VirtualSize ? Section.SizeOfRawData : VirtualSize;
        Protection = MiImageProtection[Section.Characteristics >> IMAGE_SCN_MEM_SHIFT];
        First = &Segment->ThePtes[Section.VirtualAddress >> PAGE_SHIFT];

        Subsection = Subsection->NextSubsection;
        Segment->ImageCommitment += MiInitializeImageSubsection(Subsection, First,
                                                                MiImagePages(VirtualSize, Optional->SectionAlignment),
                                                                Protection, Section.PointerToRawData >> MI_SECTOR_SHIFT,
                                                                RawBytes, VirtualSize);
    }
    Segment->BasedAddress = (PVOID)Optional->ImageBase;
    Segment->ImageInformation = (PSECTION_IMAGE_INFORMATION)&Segment->ThePtes[Pages];
    MiFillImageInformation(Segment->ImageInformation, NtHeaders, FileSize);
    Segment->SegmentPteTemplate = MiMakeSubsectionPte(MM_EXECUTE_WRITECOPY);
    ControlArea->u.Flags.Image = 1;
    *NewControlArea = ControlArea;
    return STATUS_SUCCESS;
}

NTSTATUS MiCreateImageFileMap(PFILE_OBJECT File, ULONGLONG FileSize, PCONTROL_AREA *NewControlArea)
{
    ULONG Bytes = FileSize < (ULONGLONG)MI_IMAGE_HEADER_BYTES ? (ULONG)FileSize : MI_IMAGE_HEADER_BYTES;
    PIMAGE_NT_HEADERS32 NtHeaders;
    PUCHAR Header;
    NTSTATUS Status;

    if (Bytes < sizeof(IMAGE_DOS_HEADER))
        return STATUS_INVALID_IMAGE_NOT_MZ;
    Header = ExAllocatePoolWithTag(NonPagedPool, MI_IMAGE_HEADER_BYTES, MI_IMAGE_HEADER_TAG);
    if (Header == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    memset(Header, 0, MI_IMAGE_HEADER_BYTES);
    Status = MiReadImageHeader(File, Header, Bytes);
    if (NT_SUCCESS(Status))
        Status = MiVerifyImageHeader(Header, Bytes, FileSize, &NtHeaders);
    if (NT_SUCCESS(Status))
        Status = MiVerifyImageSections(NtHeaders, FileSize);
    if (NT_SUCCESS(Status))
        Status = MiBuildImageSegment(NtHeaders, FileSize, NewControlArea);
    ExFreePoolWithTag(Header, MI_IMAGE_HEADER_TAG);
    return Status;
}
