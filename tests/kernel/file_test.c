/*
 * file_test.c: the ramdisk's files (tests/images/mkdata.py, loaded as
 * multiboot modules by tests/run.py and the GRUB ISO) through the I/O
 * manager: ZwOpenFile and ZwCreateFile by name with NT's statuses,
 * ZwReadFile at an offset and at the current position, ZwQueryInformationFile;
 * then data sections on a file: one control area per file, pages read on
 * their first touch through the subsection, shared by every view and every
 * section on the file, copy-on-write kept private, and everything given
 * back when the last handle goes.
 */
#define NTMM_MM_WHITEBOX_TEST
#include "ktest.h"
#include "../../mm/mi.h"
#include "mmtest.h"
#include <fs.h>
#include "vftest.h"

#define DATA_SIZE (3 * PAGE_SIZE + 100)           /* tests/images/mkdata.py */
#define DATA_BYTE(i) ((UCHAR)((i) * 7 + (i) / PAGE_SIZE))

static NTSTATUS OpenFile(PCWSTR Name, ACCESS_MASK Access, ULONG Disposition, ULONG Options, PHANDLE Handle)
{
    UNICODE_STRING String;
    OBJECT_ATTRIBUTES Attributes;
    IO_STATUS_BLOCK IoStatus = { { 0 }, 0 };
    NTSTATUS Status;

    RtlInitUnicodeString(&String, Name);
    InitializeObjectAttributes(&Attributes, &String, OBJ_CASE_INSENSITIVE, NULL, NULL);
    Status = ZwCreateFile(Handle, Access, &Attributes, &IoStatus, NULL, FILE_ATTRIBUTE_NORMAL, FILE_SHARE_READ,
                          Disposition, Options, NULL, 0);
    if (NT_SUCCESS(Status))
        KT_EXPECT_EQ(IoStatus.Information, FILE_OPENED);
    return Status;
}

/* data.bin for reading, or a skip when this boot has no ramdisk (a kernel booted by hand). */
static HANDLE OpenData(ULONG Options)
{
    HANDLE Handle = NULL;
    NTSTATUS Status = OpenFile(u"\\Device\\Ramdisk\\data.bin", FILE_READ_DATA | SYNCHRONIZE, FILE_OPEN, Options,
                               &Handle);

    if (Status == STATUS_OBJECT_NAME_NOT_FOUND)
        KT_SKIP("no ramdisk: boot with tests/run.py --initrd, or the ISO");
    KT_ASSERT_EQ(Status, STATUS_SUCCESS);
    return Handle;
}

static PFILE_OBJECT FileOf(HANDLE Handle)
{
    PFILE_OBJECT File = NULL;

    KT_ASSERT_EQ(ObReferenceObjectByHandle(Handle, 0, *IoFileObjectType, KernelMode, (PVOID *)&File, NULL),
                 STATUS_SUCCESS);
    ObDereferenceObject(File);
    return File;
}

static BOOLEAN HoldsData(const UCHAR *Bytes, ULONG Offset, ULONG Length)
{
    for (ULONG i = 0; i < Length; i++) {
        if (Bytes[i] != (Offset + i < DATA_SIZE ? DATA_BYTE(Offset + i) : 0))
            return FALSE;
    }
    return TRUE;
}

KTEST(file, open_query_and_read_a_ramdisk_file)
{
    HANDLE Handle = OpenData(FILE_SYNCHRONOUS_IO_NONALERT);
    PFS_FCB Fcb = FileOf(Handle)->FsContext;
    FILE_STANDARD_INFORMATION Standard;
    FILE_POSITION_INFORMATION Position;
    IO_STATUS_BLOCK IoStatus;
    LARGE_INTEGER Offset;
    UCHAR Buffer[200];

    KT_EXPECT_EQ(Fcb->OpenCount, 1);
    KT_EXPECT_EQ(ZwQueryInformationFile(Handle, &IoStatus, &Standard, sizeof(Standard), FileStandardInformation),
                 STATUS_SUCCESS);
    KT_EXPECT_EQ(IoStatus.Information, sizeof(Standard));
    KT_EXPECT_EQ(Standard.EndOfFile.QuadPart, DATA_SIZE);
    KT_EXPECT_EQ(Standard.AllocationSize.QuadPart, 4 * PAGE_SIZE);
    KT_EXPECT_EQ(Standard.NumberOfLinks, 1);
    KT_EXPECT(!Standard.Directory && !Standard.DeletePending);

    Offset.QuadPart = PAGE_SIZE - 6;                                /* across a page boundary */
    KT_EXPECT_EQ(ZwReadFile(Handle, NULL, NULL, NULL, &IoStatus, Buffer, 100, &Offset, NULL), STATUS_SUCCESS);
    KT_EXPECT_EQ(IoStatus.Information, 100);
    KT_EXPECT(HoldsData(Buffer, PAGE_SIZE - 6, 100));
    /* Without an offset, a synchronous file reads on from where the last read ended. */
    KT_EXPECT_EQ(ZwReadFile(Handle, NULL, NULL, NULL, &IoStatus, Buffer, 50, NULL, NULL), STATUS_SUCCESS);
    KT_EXPECT(HoldsData(Buffer, PAGE_SIZE + 94, 50));
    KT_EXPECT_EQ(ZwQueryInformationFile(Handle, &IoStatus, &Position, sizeof(Position), FilePositionInformation),
                 STATUS_SUCCESS);
    KT_EXPECT_EQ(Position.CurrentByteOffset.QuadPart, PAGE_SIZE + 144);
    /* The end: a short read, then STATUS_END_OF_FILE and nothing. */
    Offset.QuadPart = DATA_SIZE - 30;
    KT_EXPECT_EQ(ZwReadFile(Handle, NULL, NULL, NULL, &IoStatus, Buffer, sizeof(Buffer), &Offset, NULL),
                 STATUS_SUCCESS);
    KT_EXPECT_EQ(IoStatus.Information, 30);
    KT_EXPECT(HoldsData(Buffer, DATA_SIZE - 30, 30));
    KT_EXPECT_EQ(ZwReadFile(Handle, NULL, NULL, NULL, &IoStatus, Buffer, sizeof(Buffer), NULL, NULL),
                 STATUS_END_OF_FILE);
    KT_EXPECT_EQ(IoStatus.Status, STATUS_END_OF_FILE);
    KT_EXPECT_EQ(IoStatus.Information, 0);
    KT_EXPECT_EQ(ZwReadFile(Handle, NULL, NULL, NULL, &IoStatus, Buffer, 0, &Offset, NULL), STATUS_SUCCESS);
    KT_EXPECT_EQ(ZwClose(Handle), STATUS_SUCCESS);
    KT_EXPECT_EQ(Fcb->OpenCount, 0);
}

KTEST(file, names_dispositions_and_access_get_nt_statuses)
{
    ULONG Read = FILE_READ_DATA | SYNCHRONIZE;
    OBJECT_ATTRIBUTES Attributes;
    IO_STATUS_BLOCK IoStatus;
    UNICODE_STRING Name;
    HANDLE Handle = OpenData(0);

    KT_EXPECT_EQ(ZwClose(Handle), STATUS_SUCCESS);
    KT_EXPECT_EQ(OpenFile(u"\\DEVICE\\RAMDISK\\Data.Bin", Read, FILE_OPEN, 0, &Handle), STATUS_SUCCESS);
    KT_EXPECT_EQ(ZwClose(Handle), STATUS_SUCCESS);
    KT_EXPECT_EQ(OpenFile(u"\\Device\\Ramdisk\\nothing.bin", Read, FILE_OPEN, 0, &Handle),
                 STATUS_OBJECT_NAME_NOT_FOUND);
    KT_EXPECT_EQ(OpenFile(u"data.bin", Read, FILE_OPEN, 0, &Handle), STATUS_OBJECT_PATH_SYNTAX_BAD);
    KT_EXPECT_EQ(OpenFile(u"\\Device\\Floppy0\\data.bin", Read, FILE_OPEN, 0, &Handle), STATUS_OBJECT_PATH_NOT_FOUND);
    KT_EXPECT_EQ(OpenFile(u"\\Device\\RamdiskX\\data.bin", Read, FILE_OPEN, 0, &Handle), STATUS_OBJECT_PATH_NOT_FOUND);
    KT_EXPECT_EQ(OpenFile(u"\\Device\\Ramdisk\\dir\\data.bin", Read, FILE_OPEN, 0, &Handle),
                 STATUS_OBJECT_PATH_NOT_FOUND);
    KT_EXPECT_EQ(OpenFile(u"\\Device\\Ramdisk\\", Read, FILE_OPEN, 0, &Handle), STATUS_OBJECT_NAME_INVALID);
    KT_EXPECT_EQ(OpenFile(u"", Read, FILE_OPEN, 0, &Handle), STATUS_OBJECT_NAME_INVALID);
    /* A read-only medium: nothing that would write, create or replace. */
    KT_EXPECT_EQ(OpenFile(u"\\Device\\Ramdisk\\data.bin", FILE_WRITE_DATA, FILE_OPEN, 0, &Handle),
                 STATUS_MEDIA_WRITE_PROTECTED);
    KT_EXPECT_EQ(OpenFile(u"\\Device\\Ramdisk\\data.bin", GENERIC_WRITE, FILE_OPEN, 0, &Handle),
                 STATUS_MEDIA_WRITE_PROTECTED);
    KT_EXPECT_EQ(OpenFile(u"\\Device\\Ramdisk\\data.bin", Read, FILE_CREATE, 0, &Handle), STATUS_OBJECT_NAME_COLLISION);
    KT_EXPECT_EQ(OpenFile(u"\\Device\\Ramdisk\\data.bin", Read, FILE_OVERWRITE, 0, &Handle),
                 STATUS_MEDIA_WRITE_PROTECTED);
    KT_EXPECT_EQ(OpenFile(u"\\Device\\Ramdisk\\new.bin", Read, FILE_OPEN_IF, 0, &Handle), STATUS_MEDIA_WRITE_PROTECTED);
    KT_EXPECT_EQ(OpenFile(u"\\Device\\Ramdisk\\data.bin", Read, FILE_OPEN, FILE_DIRECTORY_FILE, &Handle),
                 STATUS_NOT_A_DIRECTORY);
    KT_EXPECT_EQ(OpenFile(u"\\Device\\Ramdisk\\data.bin", Read, FILE_MAXIMUM_DISPOSITION + 1, 0, &Handle),
                 STATUS_INVALID_PARAMETER);
    KT_EXPECT_EQ(OpenFile(u"\\Device\\Ramdisk\\data.bin", Read, FILE_OPEN,
                          FILE_DIRECTORY_FILE | FILE_NON_DIRECTORY_FILE, &Handle),
                 STATUS_INVALID_PARAMETER);
    /* No directories to be relative to. */
    RtlInitUnicodeString(&Name, u"data.bin");
    InitializeObjectAttributes(&Attributes, &Name, 0, NtCurrentProcess(), NULL);
    KT_EXPECT_EQ(ZwOpenFile(&Handle, Read, &Attributes, &IoStatus, FILE_SHARE_READ, 0), STATUS_NOT_SUPPORTED);
    KT_EXPECT_EQ(ZwOpenFile(&Handle, Read, NULL, &IoStatus, FILE_SHARE_READ, 0), STATUS_OBJECT_NAME_INVALID);
}

KTEST(file, bad_reads_and_queries_get_nt_statuses)
{
    HANDLE Handle = OpenData(0), Section = KtCreateSection(PAGE_SIZE, PAGE_READWRITE, SEC_COMMIT);
    FILE_STANDARD_INFORMATION Standard;
    IO_STATUS_BLOCK IoStatus;
    LARGE_INTEGER Offset;
    UCHAR Buffer[16];

    /* A file opened for asynchronous I/O has no current position to read from. */
    KT_EXPECT_EQ(ZwReadFile(Handle, NULL, NULL, NULL, &IoStatus, Buffer, sizeof(Buffer), NULL, NULL),
                 STATUS_INVALID_PARAMETER);
    Offset.QuadPart = -5;
    KT_EXPECT_EQ(ZwReadFile(Handle, NULL, NULL, NULL, &IoStatus, Buffer, sizeof(Buffer), &Offset, NULL),
                 STATUS_INVALID_PARAMETER);
    Offset.QuadPart = 0;
    KT_EXPECT_EQ(ZwReadFile(Handle, Section, NULL, NULL, &IoStatus, Buffer, sizeof(Buffer), &Offset, NULL),
                 STATUS_OBJECT_TYPE_MISMATCH);                      /* an event handle that names no event */
    KT_EXPECT_EQ(ZwReadFile(Section, NULL, NULL, NULL, &IoStatus, Buffer, sizeof(Buffer), &Offset, NULL),
                 STATUS_OBJECT_TYPE_MISMATCH);
    KT_EXPECT_EQ(ZwQueryInformationFile(Handle, &IoStatus, &Standard, sizeof(Standard) - 1, FileStandardInformation),
                 STATUS_INFO_LENGTH_MISMATCH);
    KT_EXPECT_EQ(ZwQueryInformationFile(Handle, &IoStatus, &Standard, sizeof(Standard), (FILE_INFORMATION_CLASS)0),
                 STATUS_INVALID_INFO_CLASS);
    KT_EXPECT_EQ(ZwQueryInformationFile(Handle, &IoStatus, &Standard, sizeof(Standard), FileMaximumInformation),
                 STATUS_INVALID_INFO_CLASS);
    KT_EXPECT_EQ(ZwQueryInformationFile(Handle, &IoStatus, &Standard, sizeof(Standard), FileEndOfFileInformation),
                 STATUS_INVALID_PARAMETER);
    ZwClose(Section);
    ZwClose(Handle);
}

static NTSTATUS CreateFileSection(HANDLE File, ULONGLONG Size, ULONG Protect, ULONG Attributes, PHANDLE Section)
{
    LARGE_INTEGER MaximumSize;

    MaximumSize.QuadPart = Size;
    return ZwCreateSection(Section, SECTION_ALL_ACCESS, NULL, &MaximumSize, Protect, Attributes, File);
}

KTEST(file, a_data_section_reads_each_page_from_the_file_on_its_first_touch)
{
    HANDLE File = OpenData(0), Section;
    PFILE_OBJECT FileObject = FileOf(File);
    PFN_NUMBER Available = KtAvailablePages();
    PCONTROL_AREA ControlArea;
    PSUBSECTION Subsection;
    PSECTION SectionObject;
    PUCHAR View;

    KT_ASSERT_EQ(CreateFileSection(File, 0, PAGE_READONLY, SEC_COMMIT, &Section), STATUS_SUCCESS);
    SectionObject = KtSectionObject(Section);
    ControlArea = SectionObject->Segment->ControlArea;
    Subsection = MI_FIRST_SUBSECTION(ControlArea);
    KT_EXPECT_EQ(SectionObject->SizeOfSection.QuadPart, DATA_SIZE);     /* the file's size */
    KT_EXPECT(ControlArea->u.Flags.File && ControlArea->FilePointer == FileObject);
    KT_EXPECT(FileObject->SectionObjectPointer->DataSectionObject == ControlArea);
    KT_EXPECT_EQ(SectionObject->Segment->TotalNumberOfPtes, 4);
    for (ULONG i = 0; i < 4; i++)
        KT_EXPECT(MiIsSubsectionPte(SectionObject->Segment->ThePtes[i]));
    KT_EXPECT_EQ(Subsection->StartingSector, 0);
    KT_EXPECT_EQ(Subsection->NumberOfFullSectors, DATA_SIZE / 512);
    KT_EXPECT_EQ(Subsection->u.SubsectionFlags.SectorEndOffset, DATA_SIZE % 512);
    KT_EXPECT_EQ(Subsection->PtesInSubsection, 4);

    View = KtMapWholeView(Section, PAGE_READONLY);
    KT_EXPECT_EQ(ControlArea->NumberOfPfnReferences, 0);                /* nothing read yet */
    KT_EXPECT(HoldsData(View + 2 * PAGE_SIZE, 2 * PAGE_SIZE, PAGE_SIZE));
    KT_EXPECT(SectionObject->Segment->ThePtes[2].u.Hard.Valid);
    KT_EXPECT(MiIsSubsectionPte(SectionObject->Segment->ThePtes[1]));
    KT_EXPECT(HoldsData(View + 3 * PAGE_SIZE, 3 * PAGE_SIZE, PAGE_SIZE));  /* 100 bytes, then zeroes */
    KT_EXPECT(HoldsData(View, 0, PAGE_SIZE));
    KT_EXPECT_EQ(ControlArea->NumberOfPfnReferences, 3);
    KT_EXPECT_EQ(KtProbeWrite(View), STATUS_ACCESS_VIOLATION);
    KT_EXPECT_EQ(KtQueryRegion(View).Type, MEM_MAPPED);
    KT_EXPECT(MmCheckSections(TRUE));

    ZwClose(File);                                                      /* the section keeps the file */
    KT_EXPECT(HoldsData(View + PAGE_SIZE, PAGE_SIZE, PAGE_SIZE));
    ZwUnmapViewOfSection(NtCurrentProcess(), View);
    ZwClose(Section);
    KT_EXPECT_EQ(KtAvailablePages(), Available);                          /* pages, segment, file object: all gone */
}

KTEST(file, every_section_on_a_file_shares_one_control_area_and_its_pages)
{
    HANDLE First = OpenData(0), Second = OpenData(0), SectionA, SectionB;
    PUCHAR ViewA, ViewB, Copy;
    PCONTROL_AREA ControlArea;

    KT_ASSERT_EQ(CreateFileSection(First, 0, PAGE_READONLY, SEC_COMMIT, &SectionA), STATUS_SUCCESS);
    KT_ASSERT_EQ(CreateFileSection(Second, 2 * PAGE_SIZE, PAGE_READONLY, SEC_COMMIT, &SectionB), STATUS_SUCCESS);
    ControlArea = ((PSECTION)KtSectionObject(SectionA))->Segment->ControlArea;
    KT_EXPECT(((PSECTION)KtSectionObject(SectionB))->Segment->ControlArea == ControlArea);
    KT_EXPECT_EQ(ControlArea->NumberOfSectionReferences, 2);
    KT_EXPECT_EQ(((PSECTION)KtSectionObject(SectionB))->SizeOfSection.QuadPart, 2 * PAGE_SIZE);
    ViewA = KtMapWholeView(SectionA, PAGE_READONLY);
    ViewB = KtMapWholeView(SectionB, PAGE_READONLY);
    Copy = KtMapWholeView(SectionB, PAGE_WRITECOPY);
    KT_EXPECT_EQ(ViewA[PAGE_SIZE + 1], DATA_BYTE(PAGE_SIZE + 1));
    KT_EXPECT_EQ(ViewB[PAGE_SIZE + 1], DATA_BYTE(PAGE_SIZE + 1));
    KT_EXPECT_EQ(PFN_FROM_PTE(MiAddressToPte(ViewA + PAGE_SIZE)), PFN_FROM_PTE(MiAddressToPte(ViewB + PAGE_SIZE)));
    KT_EXPECT_EQ(ControlArea->NumberOfPfnReferences, 1);
    Copy[PAGE_SIZE + 1] = 0xEE;                                         /* a private copy; the file's page stays */
    KT_EXPECT_EQ(ViewA[PAGE_SIZE + 1], DATA_BYTE(PAGE_SIZE + 1));
    KT_EXPECT_EQ(Copy[PAGE_SIZE + 2], DATA_BYTE(PAGE_SIZE + 2));
    KT_EXPECT(MmCheckSections(TRUE) && MmCheckProcessAddressSpace(PsGetCurrentProcessEx(), TRUE));
    ZwUnmapViewOfSection(NtCurrentProcess(), Copy);
    ZwUnmapViewOfSection(NtCurrentProcess(), ViewB);
    ZwUnmapViewOfSection(NtCurrentProcess(), ViewA);
    ZwClose(SectionA);
    KT_EXPECT_EQ(ControlArea->NumberOfSectionReferences, 1);
    ZwClose(SectionB);
    KT_EXPECT(FileOf(First)->SectionObjectPointer->DataSectionObject == NULL);   /* the file forgot it */
    ZwClose(Second);
    ZwClose(First);
}

KTEST(file, file_sections_get_nt_statuses)
{
    HANDLE File = OpenData(0), Empty = NULL, Section;
    PVOID Base = NULL, Commit;
    SIZE_T Size = 0;

    KT_EXPECT_EQ(CreateFileSection(File, 0, PAGE_READWRITE, SEC_COMMIT, &Section), STATUS_ACCESS_DENIED);
    KT_EXPECT_EQ(CreateFileSection(File, DATA_SIZE + 1, PAGE_READONLY, SEC_COMMIT, &Section), STATUS_SECTION_TOO_BIG);
    KT_EXPECT_EQ(CreateFileSection(NtCurrentProcess(), 0, PAGE_READONLY, SEC_COMMIT, &Section),
                 STATUS_OBJECT_TYPE_MISMATCH);
    KT_ASSERT_EQ(OpenFile(u"\\Device\\Ramdisk\\empty.bin", FILE_READ_DATA, FILE_OPEN, 0, &Empty), STATUS_SUCCESS);
    KT_EXPECT_EQ(CreateFileSection(Empty, 0, PAGE_READONLY, SEC_COMMIT, &Section), STATUS_MAPPED_FILE_SIZE_ZERO);
    ZwClose(Empty);

    KT_ASSERT_EQ(CreateFileSection(File, 0, PAGE_READONLY, SEC_COMMIT, &Section), STATUS_SUCCESS);
    KT_EXPECT_EQ(KtMapView(Section, NtCurrentProcess(), &Base, MM_ALLOCATION_GRANULARITY, &Size, 0, PAGE_READONLY),
                 STATUS_INVALID_VIEW_SIZE);
    KT_EXPECT_EQ(KtMapView(Section, NtCurrentProcess(), &Base, 0, &Size, 0, PAGE_READWRITE), STATUS_SECTION_PROTECTION);
    Commit = KtMapWholeView(Section, PAGE_READONLY);
    Size = PAGE_SIZE;
    KT_EXPECT_EQ(ZwAllocateVirtualMemory(NtCurrentProcess(), &Commit, 0, &Size, MEM_COMMIT, PAGE_READONLY),
                 STATUS_ALREADY_COMMITTED);
    ZwUnmapViewOfSection(NtCurrentProcess(), Commit);
    ZwClose(Section);
    ZwClose(File);
}

/*
 * A file that cannot give the page is an in-page error. The low-resources
 * simulation failing the read's mappings is not: it fails a driver's
 * requests, never the memory manager's own read of a page (NT's fails only
 * the verified drivers' calls), so with every request failing a touch
 * still reads the page, where it was an in-page error (and in system space
 * KERNEL_DATA_INPAGE_ERROR).
 */
KTEST(file, a_page_the_file_cannot_give_is_an_in_page_error)
{
    HANDLE File = OpenData(0), Section;
    PSUBSECTION Subsection;
    PSEGMENT Segment;
    VF_OPTIONS Saved;
    NTSTATUS Status;
    PUCHAR View;

    KT_ASSERT_EQ(CreateFileSection(File, 0, PAGE_READONLY, SEC_COMMIT, &Section), STATUS_SUCCESS);
    Segment = ((PSECTION)KtSectionObject(Section))->Segment;
    Subsection = MI_FIRST_SUBSECTION(Segment->ControlArea);
    View = KtMapWholeView(Section, PAGE_READONLY);
    Subsection->StartingSector += 1000;                                 /* past the file's end */
    KT_EXPECT_EQ(KtProbeRead(View), STATUS_IN_PAGE_ERROR);
    Subsection->StartingSector -= 1000;
    KT_EXPECT(MiIsSubsectionPte(Segment->ThePtes[0]));                  /* as it was: the next touch tries again */
    KT_EXPECT_EQ(Segment->ControlArea->NumberOfPfnReferences, 0);
    KT_EXPECT(HoldsData(View, 0, PAGE_SIZE));

    Saved = KtVerifierEnable(DRIVER_VERIFIER_INJECT_ALLOCATION_FAILURES, 0);
    VfOptions.Rate = VF_FAILURE_RATE_UNIT;
    Status = KtProbeRead(View + PAGE_SIZE);
    KtVerifierRestore(Saved);
    VfReseedLowResources(0);                  /* judged as any case: failing on purpose here is the subject */
    KT_EXPECT_EQ(Status, STATUS_SUCCESS);
    KT_EXPECT(HoldsData(View + PAGE_SIZE, PAGE_SIZE, PAGE_SIZE));
    ZwUnmapViewOfSection(NtCurrentProcess(), View);
    ZwClose(Section);
    ZwClose(File);
}

KTEST(file, a_system_view_reads_the_file_too)
{
    HANDLE File = OpenData(0), Section;
    PUCHAR View = NULL;
    SIZE_T Size = 0;

    KT_ASSERT_EQ(CreateFileSection(File, 0, PAGE_READONLY, SEC_COMMIT, &Section), STATUS_SUCCESS);
    KT_ASSERT_EQ(MmMapViewInSystemSpace(KtSectionObject(Section), (PVOID *)&View, &Size), STATUS_SUCCESS);
    KT_EXPECT_EQ(Size, 4 * PAGE_SIZE);
    KT_EXPECT(HoldsData(View, 0, (ULONG)Size));
    KT_EXPECT_EQ(MmUnmapViewInSystemSpace(View), STATUS_SUCCESS);
    ZwClose(Section);
    ZwClose(File);
}
