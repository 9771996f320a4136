/*
 * image_test.c: image sections from the ramdisk's PE32 files
 * (tests/images). MmCreateSection(SEC_IMAGE) builds a subsection per PE
 * section with the protection its characteristics ask for and remembers
 * the preferred base; a view lands there when it can and the image's entry
 * point runs at ring 3; the same image mapped again in the same process is
 * relocated (STATUS_IMAGE_NOT_AT_BASE), its absolute pointers moved by the
 * distance and its code still read-only, while the view at the base keeps
 * the file's bytes; an image without relocations maps only at its base;
 * malformed images are refused with NT's statuses and leave nothing behind.
 */
#define NTMM_MM_WHITEBOX_TEST
#include "ktest.h"
#include "../../mm/mi.h"
#include "mmtest.h"
#include "vftest.h"
#include "../images/image.h"
#include <ntimage.h>
#include <string.h>

#define RELOC_BASE 0x10000000                   /* the Makefile's --image-base for reloc.exe */
#define FIXED_BASE 0x11000000                   /* and for fixed.exe */

/* A section on the ramdisk file Name, or its status; a skip when this boot has no ramdisk. */
static NTSTATUS CreateImageSection(PCWSTR Name, PHANDLE Section)
{
    UNICODE_STRING String;
    OBJECT_ATTRIBUTES Attributes;
    IO_STATUS_BLOCK IoStatus;
    HANDLE File;
    NTSTATUS Status;

    RtlInitUnicodeString(&String, Name);
    InitializeObjectAttributes(&Attributes, &String, OBJ_CASE_INSENSITIVE, NULL, NULL);
    Status = ZwOpenFile(&File, FILE_READ_DATA | FILE_EXECUTE, &Attributes, &IoStatus, FILE_SHARE_READ, 0);
    if (Status == STATUS_OBJECT_NAME_NOT_FOUND)
        KT_SKIP("no ramdisk: boot with tests/run.py --initrd, or the ISO");
    KT_ASSERT_EQ(Status, STATUS_SUCCESS);
    Status = ZwCreateSection(Section, SECTION_ALL_ACCESS, NULL, NULL, PAGE_EXECUTE, SEC_IMAGE, File);
    ZwClose(File);
    return Status;
}

static HANDLE ImageSection(PCWSTR Name)
{
    HANDLE Section = NULL;

    KT_ASSERT_EQ(CreateImageSection(Name, &Section), STATUS_SUCCESS);
    return Section;
}

static PSEGMENT SegmentOf(HANDLE Section)
{
    return ((PSECTION)KtSectionObject(Section))->Segment;
}

/*
 * A process to map images into and run them in. From here on a case is
 * about where views go and what runs in them, which a request failed on
 * purpose would only cut short (and leave a process behind): the
 * low-resources simulation stays off until the next case starts, having
 * tried the image section's creation first.
 */
static PEPROCESS CreateProcess(PCSTR Name, HANDLE *Handle)
{
    PEPROCESS Process = NULL;

    KtVerifierSuspendLowResources();
    KT_ASSERT_EQ(PsCreateProcess(Name, 0, &Process), STATUS_SUCCESS);
    KT_ASSERT_EQ(ObOpenObjectByPointer(Process, OBJ_KERNEL_HANDLE, NULL, PROCESS_ALL_ACCESS, *PsProcessType,
                                       KernelMode, Handle),
                 STATUS_SUCCESS);
    return Process;
}

static VOID DeleteProcess(PEPROCESS Process, HANDLE Handle)
{
    ZwClose(Handle);
    PsTerminateProcess(Process, STATUS_SUCCESS);
    ObDereferenceObject(Process);
}

static NTSTATUS MapImage(HANDLE Section, HANDLE Process, PVOID *Base, ULONG AllocationType)
{
    SIZE_T Size = 0;

    return ZwMapViewOfSection(Section, Process, Base, 0, 0, NULL, &Size, ViewShare, AllocationType,
                              PAGE_EXECUTE_WRITECOPY);
}

/* Runs the image's entry point in Process at ring 3 with the view's base as its argument. */
static NTSTATUS RunImage(PEPROCESS Process, HANDLE Section, PVOID Base)
{
    PSEGMENT Segment = SegmentOf(Section);
    PUCHAR Entry = (PUCHAR)Base + ((ULONG_PTR)Segment->ImageInformation->TransferAddress -
                                   (ULONG_PTR)Segment->BasedAddress);
    NTSTATUS ExitStatus = STATUS_UNSUCCESSFUL;

    KT_EXPECT_EQ(PsRunUserThread(Process, Entry, Base, &ExitStatus), STATUS_SUCCESS);
    return ExitStatus;
}

/* The section header named Name in the image at Base, in the current process. */
static PIMAGE_SECTION_HEADER FindSection(PVOID Base, PCSTR Name)
{
    PIMAGE_NT_HEADERS32 NtHeaders = (PIMAGE_NT_HEADERS32)((PUCHAR)Base + ((PIMAGE_DOS_HEADER)Base)->e_lfanew);
    PIMAGE_SECTION_HEADER Section = IMAGE_FIRST_SECTION(NtHeaders);

    for (ULONG i = 0; i < NtHeaders->FileHeader.NumberOfSections; i++, Section++) {
        if (strncmp((PCSTR)Section->Name, Name, IMAGE_SIZEOF_SHORT_NAME) == 0)
            return Section;
    }
    KT_ASSERT(!"the section is in the image");
    return NULL;
}

/* Reads the byte at Address in Process's address space, faulting its page in there. */
static UCHAR Attached(PEPROCESS Process, PVOID Address)
{
    KAPC_STATE ApcState;
    UCHAR Byte;

    KeStackAttachProcess(&Process->Pcb, &ApcState);
    Byte = *(volatile UCHAR *)Address;
    KeUnstackDetachProcess(&ApcState);
    return Byte;
}

static MEMORY_BASIC_INFORMATION QueryIn(HANDLE Process, PVOID Address)
{
    MEMORY_BASIC_INFORMATION Information;

    KT_EXPECT_EQ(ZwQueryVirtualMemory(Process, Address, MemoryBasicInformation, &Information, sizeof(Information),
                                      NULL),
                 STATUS_SUCCESS);
    return Information;
}

KTEST(image, an_image_section_has_a_subsection_per_pe_section_with_its_protection)
{
    HANDLE Section = ImageSection(u"\\Device\\Ramdisk\\reloc.exe");
    PSEGMENT Segment = SegmentOf(Section);
    PCONTROL_AREA ControlArea = Segment->ControlArea;
    PSUBSECTION Subsection = MI_FIRST_SUBSECTION(ControlArea);
    SECTION_IMAGE_INFORMATION Information;
    SECTION_BASIC_INFORMATION Basic;
    ULONG Writable = 0;

    KT_EXPECT(ControlArea->u.Flags.Image && ControlArea->u.Flags.File);
    KT_EXPECT(ControlArea->FilePointer->SectionObjectPointer->ImageSectionObject == ControlArea);
    KT_EXPECT(ControlArea->FilePointer->SectionObjectPointer->DataSectionObject == NULL);
    KT_EXPECT_EQ((ULONG_PTR)Segment->BasedAddress, RELOC_BASE);
    /* The headers, read-only, from sector 0; then .text .data .ptrs .rdata .idata .reloc as MinGW lays them out. */
    KT_EXPECT_EQ(Subsection->u.SubsectionFlags.Protection, MM_READONLY);
    KT_EXPECT_EQ(Subsection->StartingSector, 0);
    KT_EXPECT(Subsection->SubsectionBase == &Segment->ThePtes[0]);
    {
        static const ULONG Expected[] = { MM_EXECUTE_READ, MM_WRITECOPY, MM_WRITECOPY, MM_READONLY, MM_WRITECOPY,
                                          MM_READONLY };
        ULONG i = 0;

        for (Subsection = Subsection->NextSubsection; Subsection != NULL;
             Subsection = Subsection->NextSubsection, i++) {
            KT_ASSERT(i < RTL_NUMBER_OF(Expected));
            KT_EXPECT_EQ(Subsection->u.SubsectionFlags.Protection, Expected[i]);
            KT_EXPECT(MiIsSubsectionPte(Subsection->SubsectionBase[0]));     /* its page comes from the file */
            KT_EXPECT_EQ(Subsection->SubsectionBase[0].u.Subsect.Protection, Expected[i]);
            KT_EXPECT_NE(Subsection->StartingSector, 0);
            Writable += MI_IS_COPY_ON_WRITE(Expected[i]) ? Subsection->PtesInSubsection : 0;
        }
        KT_EXPECT_EQ(i, RTL_NUMBER_OF(Expected));
    }
    KT_EXPECT_EQ(Segment->ImageCommitment, Writable);
    KT_ASSERT_EQ(ZwQuerySection(Section, SectionImageInformation, &Information, sizeof(Information), NULL),
                 STATUS_SUCCESS);
    KT_EXPECT_EQ(Information.Machine, IMAGE_FILE_MACHINE_I386);
    KT_EXPECT((ULONG_PTR)Information.TransferAddress > RELOC_BASE &&
              (ULONG_PTR)Information.TransferAddress < RELOC_BASE + (Segment->TotalNumberOfPtes << PAGE_SHIFT));
    KT_EXPECT(Information.ImageContainsCode);
    KT_EXPECT_EQ(Information.ImageCharacteristics & IMAGE_FILE_RELOCS_STRIPPED, 0);
    KT_ASSERT_EQ(ZwQuerySection(Section, SectionBasicInformation, &Basic, sizeof(Basic), NULL), STATUS_SUCCESS);
    KT_EXPECT_EQ(Basic.AllocationAttributes & (SEC_IMAGE | SEC_FILE), SEC_IMAGE | SEC_FILE);
    KT_EXPECT_EQ(Basic.MaximumSize.QuadPart, Segment->TotalNumberOfPtes << PAGE_SHIFT);
    KT_EXPECT(MmCheckSections(TRUE));
    ZwClose(Section);
}

KTEST(image, an_image_maps_at_its_base_and_its_entry_point_runs_at_ring_3)
{
    HANDLE Section = ImageSection(u"\\Device\\Ramdisk\\reloc.exe"), Handle;
    PEPROCESS Process = CreateProcess("reloc", &Handle);
    PSEGMENT Segment = SegmentOf(Section);
    PVOID Base = NULL;
    MEMORY_BASIC_INFORMATION Mbi;
    KAPC_STATE ApcState;
    ULONG TextRva, DataRva;

    KT_ASSERT_EQ(MapImage(Section, Handle, &Base, 0), STATUS_SUCCESS);
    KT_EXPECT_EQ((ULONG_PTR)Base, RELOC_BASE);
    KT_EXPECT_EQ(Process->CommitCharge - 1, Segment->ImageCommitment);     /* the PEB, and the image's copies */
    KeStackAttachProcess(&Process->Pcb, &ApcState);
    TextRva = FindSection(Base, ".text")->VirtualAddress;
    DataRva = FindSection(Base, ".data")->VirtualAddress;
    KeUnstackDetachProcess(&ApcState);
    Mbi = QueryIn(Handle, Base);
    KT_EXPECT_EQ(Mbi.Type, MEM_IMAGE);
    KT_EXPECT(Mbi.AllocationBase == Base);
    KT_EXPECT_EQ(Mbi.AllocationProtect, PAGE_EXECUTE_WRITECOPY);
    KT_EXPECT_EQ(Mbi.Protect, PAGE_READONLY);                                /* the headers */
    KT_EXPECT_EQ(Mbi.RegionSize, TextRva);
    KT_EXPECT_EQ(QueryIn(Handle, (PUCHAR)Base + TextRva).Protect, PAGE_EXECUTE_READ);
    KT_EXPECT_EQ(QueryIn(Handle, (PUCHAR)Base + DataRva).Protect, PAGE_WRITECOPY);

    KT_EXPECT(MmCheckProcessAddressSpace(Process, TRUE) && MmCheckSections(TRUE));

    /* The process ends with its thread, as NT's does with its last one, and the view goes with it. */
    KT_EXPECT_EQ(RunImage(Process, Section, Base), IMAGE_PASSED + IMAGE_COUNTER_START + 1);
    KT_EXPECT_EQ(Segment->ControlArea->NumberOfMappedViews, 0);
    KT_EXPECT_EQ(ZwUnmapViewOfSection(Handle, Base), STATUS_PROCESS_IS_TERMINATING);
    KT_EXPECT(MmCheckSections(TRUE));
    DeleteProcess(Process, Handle);
    ZwClose(Section);
}

KTEST(image, the_same_image_mapped_again_in_one_process_is_relocated)
{
    HANDLE Section = ImageSection(u"\\Device\\Ramdisk\\reloc.exe"), Handle;
    PEPROCESS Process = CreateProcess("relocated", &Handle);
    PSEGMENT Segment = SegmentOf(Section);
    PVOID AtBase = NULL, Moved = NULL, High = NULL;
    IMAGE_TEST_POINTERS Linked, Relocated;
    ULONG PointersRva, TextRva;
    MMPTE TextPte, ZeroPte = { .u.Long = 0 };
    ULONG_PTR Delta;
    KAPC_STATE ApcState;

    KT_ASSERT_EQ(MapImage(Section, Handle, &AtBase, 0), STATUS_SUCCESS);
    KT_ASSERT_EQ(MapImage(Section, Handle, &Moved, 0), STATUS_IMAGE_NOT_AT_BASE);
    KT_EXPECT_NE((ULONG_PTR)Moved, RELOC_BASE);
    KT_EXPECT_EQ((ULONG_PTR)Moved % MM_ALLOCATION_GRANULARITY, 0);
    Delta = (ULONG_PTR)Moved - RELOC_BASE;

    KeStackAttachProcess(&Process->Pcb, &ApcState);
    PointersRva = FindSection(AtBase, IMAGE_POINTER_SECTION)->VirtualAddress;
    TextRva = FindSection(AtBase, ".text")->VirtualAddress;
    Linked = *(IMAGE_TEST_POINTERS *)((PUCHAR)AtBase + PointersRva);
    Relocated = *(IMAGE_TEST_POINTERS *)((PUCHAR)Moved + PointersRva);
    TextPte = MiIsPageTablePresent((PUCHAR)Moved + TextRva) ? *MiAddressToPte((PUCHAR)Moved + TextRva) : ZeroPte;
    KeUnstackDetachProcess(&ApcState);
    /* The code page with fixups is this view's own copy, still read-only; the view at the base shares the file's. */
    KT_EXPECT(TextPte.u.Hard.Valid && !TextPte.u.Hard.Write);
    KT_EXPECT(TextPte.u.Hard.Valid && !MI_PFN_ELEMENT(PFN_FROM_PTE(&TextPte))->u3.e2.e1.PrototypePte);
    KT_EXPECT_EQ(Linked.Magic, IMAGE_POINTERS_MAGIC);
    KT_EXPECT_EQ((ULONG_PTR)Linked.Self, RELOC_BASE + PointersRva);         /* the file's, untouched */
    KT_EXPECT_EQ(Relocated.Magic, IMAGE_POINTERS_MAGIC);
    KT_EXPECT_EQ((ULONG_PTR)Relocated.Self, (ULONG_PTR)Moved + PointersRva);
    KT_EXPECT_EQ((ULONG_PTR)Relocated.Function, (ULONG_PTR)Linked.Function + Delta);
    KT_EXPECT_EQ((ULONG_PTR)Relocated.Greeting, (ULONG_PTR)Linked.Greeting + Delta);
    KT_EXPECT_EQ((ULONG_PTR)Relocated.Counter, (ULONG_PTR)Linked.Counter + Delta);
    KT_EXPECT_EQ(QueryIn(Handle, (PUCHAR)Moved + TextRva).Protect, PAGE_EXECUTE_READ);
    KT_EXPECT_EQ(QueryIn(Handle, Moved).Type, MEM_IMAGE);
    KT_EXPECT(MmCheckProcessAddressSpace(Process, TRUE) && MmCheckSections(TRUE));

    /* Top-down when asked. */
    KT_ASSERT_EQ(MapImage(Section, Handle, &High, MEM_TOP_DOWN), STATUS_IMAGE_NOT_AT_BASE);
    KT_EXPECT((ULONG_PTR)High > (ULONG_PTR)Moved && (ULONG_PTR)High > RELOC_BASE);
    KT_EXPECT(MmCheckProcessAddressSpace(Process, TRUE) && MmCheckSections(TRUE));
    KT_EXPECT_EQ(Segment->ControlArea->NumberOfMappedViews, 3);

    /*
     * Each copy runs where it is (the program checks every pointer against the view it was
     * given), each in a process of its own, since a process ends with its only thread, and
     * every view goes with it.
     */
    KT_EXPECT_EQ(RunImage(Process, Section, Moved), IMAGE_PASSED + IMAGE_COUNTER_START + 1);
    KT_EXPECT_EQ(Segment->ControlArea->NumberOfMappedViews, 0);
    DeleteProcess(Process, Handle);
    Process = CreateProcess("relocated2", &Handle);
    AtBase = High = NULL;
    KT_ASSERT_EQ(MapImage(Section, Handle, &AtBase, 0), STATUS_SUCCESS);
    KT_ASSERT_EQ(MapImage(Section, Handle, &High, MEM_TOP_DOWN), STATUS_IMAGE_NOT_AT_BASE);
    KT_EXPECT_EQ(RunImage(Process, Section, High), IMAGE_PASSED + IMAGE_COUNTER_START + 1);
    DeleteProcess(Process, Handle);
    Process = CreateProcess("relocated3", &Handle);
    AtBase = NULL;
    KT_ASSERT_EQ(MapImage(Section, Handle, &AtBase, 0), STATUS_SUCCESS);
    KT_EXPECT_EQ(RunImage(Process, Section, AtBase), IMAGE_PASSED + IMAGE_COUNTER_START + 1);
    DeleteProcess(Process, Handle);
    KT_EXPECT_EQ(Segment->ControlArea->NumberOfMappedViews, 0);
    KT_EXPECT(MmCheckSections(TRUE));
    ZwClose(Section);
}

/*
 * Relocating reads the view's own pages, as a loader would: user pages,
 * read through a stac/clac window, so with SMAP on an image away from its
 * base is still relocated rather than refused as malformed.
 */
KTEST(image, an_image_is_relocated_with_smap_on)
{
    HANDLE Section = ImageSection(u"\\Device\\Ramdisk\\reloc.exe"), Handle;
    PEPROCESS Process = CreateProcess("smaprelocated", &Handle);
    PVOID AtBase = NULL, Moved = NULL;
    BOOLEAN Smap;

    KiSetSmap(TRUE);
    Smap = KeSmapEnabled;
    if (Smap) {
        KT_EXPECT_EQ(MapImage(Section, Handle, &AtBase, 0), STATUS_SUCCESS);
        KT_EXPECT_EQ(MapImage(Section, Handle, &Moved, 0), STATUS_IMAGE_NOT_AT_BASE);
        KiSetSmap(FALSE);
    }
    DeleteProcess(Process, Handle);
    ZwClose(Section);
    if (!Smap)
        KT_SKIP("this CPU has no SMAP (boot with QEMU_ARGS='-cpu max')");
}

KTEST(image, an_image_without_relocations_maps_only_at_its_base)
{
    HANDLE Section = ImageSection(u"\\Device\\Ramdisk\\fixed.exe"), Handle;
    PEPROCESS Process = CreateProcess("fixed", &Handle);
    PVOID Base = NULL, Again = NULL, Elsewhere = (PVOID)0x20000000;

    KT_EXPECT(SegmentOf(Section)->ImageInformation->ImageCharacteristics & IMAGE_FILE_RELOCS_STRIPPED);
    KT_ASSERT_EQ(MapImage(Section, Handle, &Base, 0), STATUS_SUCCESS);
    KT_EXPECT_EQ((ULONG_PTR)Base, FIXED_BASE);
    KT_EXPECT_EQ(MapImage(Section, Handle, &Again, 0), STATUS_CONFLICTING_ADDRESSES);
    KT_EXPECT_EQ(MapImage(Section, Handle, &Elsewhere, 0), STATUS_CONFLICTING_ADDRESSES);
    KT_EXPECT_EQ(RunImage(Process, Section, Base), IMAGE_PASSED + IMAGE_COUNTER_START + 1);
    DeleteProcess(Process, Handle);
    ZwClose(Section);
}

KTEST(image, two_processes_share_the_code_and_keep_their_own_data)
{
    HANDLE Section = ImageSection(u"\\Device\\Ramdisk\\reloc.exe"), HandleA, HandleB;
    PEPROCESS A = CreateProcess("imageA", &HandleA), B = CreateProcess("imageB", &HandleB);
    PSEGMENT Segment = SegmentOf(Section);
    PVOID BaseA = NULL, BaseB = NULL;
    UCHAR EntryA, EntryB;
    ULONG TextPte;

    KT_ASSERT_EQ(MapImage(Section, HandleA, &BaseA, 0), STATUS_SUCCESS);
    KT_ASSERT_EQ(MapImage(Section, HandleB, &BaseB, 0), STATUS_SUCCESS);
    /* Both read their entry point's page: one physical page behind both views. */
    EntryA = Attached(A, Segment->ImageInformation->TransferAddress);
    EntryB = Attached(B, Segment->ImageInformation->TransferAddress);
    KT_EXPECT_EQ(EntryA, EntryB);
    TextPte = (ULONG)(((ULONG_PTR)Segment->ImageInformation->TransferAddress - RELOC_BASE) >> PAGE_SHIFT);
    KT_ASSERT(Segment->ThePtes[TextPte].u.Hard.Valid);
    KT_EXPECT_EQ(MI_PFN_ELEMENT(PFN_FROM_PTE(&Segment->ThePtes[TextPte]))->u2.ShareCount, 2);
    KT_EXPECT(MmCheckSections(TRUE));
    KT_EXPECT_EQ(RunImage(A, Section, BaseA), IMAGE_PASSED + IMAGE_COUNTER_START + 1);
    KT_EXPECT_EQ(RunImage(B, Section, BaseB), IMAGE_PASSED + IMAGE_COUNTER_START + 1);   /* not A's copy */
    KT_EXPECT(MmCheckSections(TRUE));
    DeleteProcess(A, HandleA);
    DeleteProcess(B, HandleB);
    ZwClose(Section);
}

KTEST(image, malformed_images_are_refused_with_nt_statuses)
{
    static const struct {
        PCWSTR Name;
        NTSTATUS Status;
    } Cases[] = {
        { u"\\Device\\Ramdisk\\bad-truncated.exe", STATUS_INVALID_IMAGE_FORMAT },
        { u"\\Device\\Ramdisk\\bad-pastend.exe", STATUS_INVALID_IMAGE_FORMAT },
        { u"\\Device\\Ramdisk\\bad-overlap.exe", STATUS_INVALID_IMAGE_FORMAT },
        { u"\\Device\\Ramdisk\\bad-align.exe", STATUS_INVALID_IMAGE_FORMAT },
        { u"\\Device\\Ramdisk\\bad-filealign.exe", STATUS_INVALID_IMAGE_FORMAT },
        { u"\\Device\\Ramdisk\\bad-lfanew.exe", STATUS_INVALID_IMAGE_FORMAT },
        { u"\\Device\\Ramdisk\\bad-machine.exe", STATUS_INVALID_IMAGE_FORMAT },
        { u"\\Device\\Ramdisk\\bad-sizeofimage.exe", STATUS_INVALID_IMAGE_FORMAT },
        { u"\\Device\\Ramdisk\\bad-entry.exe", STATUS_INVALID_IMAGE_FORMAT },
        { u"\\Device\\Ramdisk\\bad-relocdir.exe", STATUS_INVALID_IMAGE_FORMAT },
        { u"\\Device\\Ramdisk\\bad-signature.exe", STATUS_INVALID_IMAGE_PROTECT },
        { u"\\Device\\Ramdisk\\data.bin", STATUS_INVALID_IMAGE_NOT_MZ },
        { u"\\Device\\Ramdisk\\empty.bin", STATUS_INVALID_IMAGE_NOT_MZ },
    };
    PFN_NUMBER Available = KtAvailablePages();

    for (ULONG i = 0; i < RTL_NUMBER_OF(Cases); i++) {
        HANDLE Section = NULL;
        NTSTATUS Status = CreateImageSection(Cases[i].Name, &Section);

        if (Status != Cases[i].Status)
            KtLog("case %u: status %08X, expected %08X", i, Status, Cases[i].Status);
        KT_EXPECT_EQ(Status, Cases[i].Status);
        if (NT_SUCCESS(Status))
            ZwClose(Section);
    }
    KT_EXPECT_EQ(KtAvailablePages(), Available);
}

KTEST(image, a_relocation_that_cannot_be_applied_fails_the_view_elsewhere)
{
    HANDLE Section = ImageSection(u"\\Device\\Ramdisk\\bad-reloctype.exe"), Handle;
    PEPROCESS Process = CreateProcess("badreloc", &Handle);
    PVOID Base = NULL, Moved = NULL;
    SIZE_T Charge;

    KT_ASSERT_EQ(MapImage(Section, Handle, &Base, 0), STATUS_SUCCESS);    /* at its base it needs none */
    Charge = Process->CommitCharge;
    KT_EXPECT_EQ(MapImage(Section, Handle, &Moved, 0), STATUS_INVALID_IMAGE_FORMAT);
    KT_EXPECT(Moved == NULL);
    KT_EXPECT_EQ(Process->CommitCharge, Charge);                           /* the failed view left nothing */
    KT_EXPECT_EQ(SegmentOf(Section)->ControlArea->NumberOfMappedViews, 1);
    KT_EXPECT(MmCheckProcessAddressSpace(Process, TRUE));
    DeleteProcess(Process, Handle);
    ZwClose(Section);
}
