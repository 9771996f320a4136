/*
 * section_test.c: section objects backed by the paging file: MmCreateSection
 * and ZwCreateSection build a segment whose prototype PTEs describe every
 * page (demand-zero when SEC_COMMIT, zero when SEC_RESERVE), a control area
 * and a subsection; SEC_COMMIT charges MmSharedCommit; every bad argument
 * gets NT's status; the last reference gives back the commitment, the
 * prototype PTEs and the pool; a reference dropped twice stops.
 */
#define NTMM_MM_WHITEBOX_TEST
#include "ktest.h"
#include "../../mm/mi.h"
#include <ex.h>
#include "vftest.h"

static PSECTION CreatePagefileSection(ULONGLONG Size, ULONG Protect, ULONG Attributes)
{
    LARGE_INTEGER MaximumSize;
    PVOID Section = NULL;

    MaximumSize.QuadPart = Size;
    KT_ASSERT_EQ(MmCreateSection(&Section, SECTION_ALL_ACCESS, NULL, &MaximumSize, Protect, Attributes, NULL, NULL),
                 STATUS_SUCCESS);
    return Section;
}

static NTSTATUS TryCreate(ULONGLONG Size, ULONG Protect, ULONG Attributes)
{
    LARGE_INTEGER MaximumSize;
    PVOID Section = NULL;
    NTSTATUS Status;

    MaximumSize.QuadPart = Size;
    Status = MmCreateSection(&Section, SECTION_ALL_ACCESS, NULL, &MaximumSize, Protect, Attributes, NULL, NULL);
    if (NT_SUCCESS(Status))
        ObDereferenceObject(Section);
    return Status;
}

static SIZE_T SegmentBytes(VOID)
{
    EX_POOL_TAG_INFORMATION Information;

    return ExQueryPoolTag(MI_SEGMENT_TAG, &Information) ? Information.NonPagedBytes : 0;
}

KTEST(section, commit_section_charges_its_pages_and_makes_them_demand_zero)
{
    SIZE_T Shared = MmSharedCommit, Total = MmTotalCommittedPages, Segments = SegmentBytes();
    PSECTION Section = CreatePagefileSection(5 * PAGE_SIZE + 1, PAGE_READWRITE, SEC_COMMIT);
    PSEGMENT Segment = Section->Segment;
    PCONTROL_AREA ControlArea = Segment->ControlArea;
    PSUBSECTION Subsection = MI_FIRST_SUBSECTION(ControlArea);

    KT_EXPECT_EQ(Section->SizeOfSection.QuadPart, 6 * PAGE_SIZE);      /* rounded to pages */
    KT_EXPECT_EQ(Segment->TotalNumberOfPtes, 6);
    KT_EXPECT_EQ(Segment->SizeOfSegment, 6 * PAGE_SIZE);
    KT_EXPECT_EQ(Segment->NumberOfCommittedPages, 6);
    KT_EXPECT_EQ(Segment->SegmentPteTemplate.u.Long, MiMakeDemandZeroPte(MM_READWRITE).u.Long);
    for (ULONG i = 0; i < 6; i++)
        KT_EXPECT_EQ(Segment->ThePtes[i].u.Long, Segment->SegmentPteTemplate.u.Long);
    KT_EXPECT_EQ(ControlArea->Segment, Segment);
    KT_EXPECT_EQ(ControlArea->NumberOfSectionReferences, 1);
    KT_EXPECT_EQ(ControlArea->NumberOfUserReferences, 1);
    KT_EXPECT_EQ(ControlArea->NumberOfMappedViews, 0);
    KT_EXPECT_EQ(ControlArea->NumberOfPfnReferences, 0);
    KT_EXPECT(ControlArea->u.Flags.Commit && !ControlArea->u.Flags.Reserve && !ControlArea->u.Flags.File);
    KT_EXPECT(ControlArea->FilePointer == NULL);
    KT_EXPECT_EQ(Subsection->ControlArea, ControlArea);
    KT_EXPECT(Subsection->SubsectionBase == &Segment->ThePtes[0]);
    KT_EXPECT_EQ(Subsection->PtesInSubsection, 6);
    KT_EXPECT(Subsection->NextSubsection == NULL);
    KT_EXPECT_EQ(Subsection->u.SubsectionFlags.Protection, MM_READWRITE);
    KT_EXPECT_EQ(MmSharedCommit, Shared + 6);
    KT_EXPECT_EQ(MmTotalCommittedPages, Total + 6);
    KT_EXPECT(SegmentBytes() >= Segments + 6 * sizeof(MMPTE));
    KT_EXPECT(MmCheckSections(TRUE));

    ObDereferenceObject(Section);
    KT_EXPECT_EQ(MmSharedCommit, Shared);
    KT_EXPECT_EQ(MmTotalCommittedPages, Total);
    KT_EXPECT_EQ(SegmentBytes(), Segments);
}

KTEST(section, reserve_section_charges_nothing_and_leaves_its_prototype_ptes_zero)
{
    SIZE_T Shared = MmSharedCommit;
    PSECTION Section = CreatePagefileSection(64 * PAGE_SIZE, PAGE_READONLY, SEC_RESERVE);
    PSEGMENT Segment = Section->Segment;

    KT_EXPECT_EQ(Segment->TotalNumberOfPtes, 64);
    KT_EXPECT_EQ(Segment->NumberOfCommittedPages, 0);
    KT_EXPECT_EQ(Segment->SegmentPteTemplate.u.Soft.Protection, MM_READONLY);
    for (ULONG i = 0; i < 64; i++)
        KT_EXPECT_EQ(Segment->ThePtes[i].u.Long, 0);
    KT_EXPECT(Segment->ControlArea->u.Flags.Reserve && !Segment->ControlArea->u.Flags.Commit);
    KT_EXPECT_EQ(MmSharedCommit, Shared);
    ObDereferenceObject(Section);
    KT_EXPECT_EQ(MmSharedCommit, Shared);
}

KTEST(section, bad_attributes_protections_and_sizes_get_nt_statuses)
{
    ULONGLONG Page = PAGE_SIZE;

    KT_EXPECT_EQ(TryCreate(Page, PAGE_READWRITE, 0), STATUS_INVALID_PARAMETER_6);
    KT_EXPECT_EQ(TryCreate(Page, PAGE_READWRITE, SEC_COMMIT | SEC_RESERVE), STATUS_INVALID_PARAMETER_6);
    KT_EXPECT_EQ(TryCreate(Page, PAGE_READWRITE, SEC_COMMIT | 0x1), STATUS_INVALID_PARAMETER_6);
    KT_EXPECT_EQ(TryCreate(Page, PAGE_READWRITE, SEC_IMAGE | SEC_COMMIT), STATUS_INVALID_PARAMETER_6);
    KT_EXPECT_EQ(TryCreate(Page, PAGE_READWRITE, SEC_IMAGE), STATUS_INVALID_FILE_FOR_SECTION);
    KT_EXPECT_EQ(TryCreate(Page, PAGE_NOACCESS, SEC_COMMIT), STATUS_INVALID_PAGE_PROTECTION);
    KT_EXPECT_EQ(TryCreate(Page, PAGE_READWRITE | PAGE_GUARD, SEC_COMMIT), STATUS_INVALID_PAGE_PROTECTION);
    KT_EXPECT_EQ(TryCreate(Page, PAGE_READWRITE | PAGE_NOCACHE, SEC_COMMIT), STATUS_INVALID_PAGE_PROTECTION);
    KT_EXPECT_EQ(TryCreate(Page, PAGE_READONLY | PAGE_READWRITE, SEC_COMMIT), STATUS_INVALID_PAGE_PROTECTION);
    KT_EXPECT_EQ(TryCreate(Page, 0, SEC_COMMIT), STATUS_INVALID_PAGE_PROTECTION);
    KT_EXPECT_EQ(TryCreate(0, PAGE_READWRITE, SEC_COMMIT), STATUS_INVALID_PARAMETER_4);
    KT_EXPECT_EQ(TryCreate(0x100000000ULL, PAGE_READWRITE, SEC_RESERVE), STATUS_SECTION_TOO_BIG);
    KT_EXPECT_EQ(TryCreate(0xFFFFF001ULL, PAGE_READWRITE, SEC_RESERVE), STATUS_SECTION_TOO_BIG);
    KT_EXPECT_EQ(TryCreate((ULONGLONG)-1, PAGE_READWRITE, SEC_RESERVE), STATUS_SECTION_TOO_BIG);
    KT_EXPECT_EQ(TryCreate(Page, PAGE_READWRITE, SEC_COMMIT | SEC_BASED), STATUS_NOT_SUPPORTED);
    /* One page more than commitment has left: refused before anything is built. */
    KT_EXPECT_EQ(TryCreate((ULONGLONG)(MmTotalCommitLimit - MmTotalCommittedPages + 1) * PAGE_SIZE, PAGE_READWRITE,
                           SEC_COMMIT),
                 STATUS_COMMITMENT_LIMIT);
    KT_EXPECT_EQ(ZwCreateSection(NULL, SECTION_ALL_ACCESS, NULL, NULL, PAGE_READWRITE, SEC_COMMIT, NULL),
                 STATUS_INVALID_PARAMETER_4);
}

KTEST(section, a_named_section_is_not_supported_without_an_object_directory)
{
    UNICODE_STRING Name;
    OBJECT_ATTRIBUTES Attributes;
    LARGE_INTEGER Size;
    HANDLE Handle;

    RtlInitUnicodeString(&Name, u"\\BaseNamedObjects\\Shared");
    InitializeObjectAttributes(&Attributes, &Name, 0, NULL, NULL);
    Size.QuadPart = PAGE_SIZE;
    KT_EXPECT_EQ(ZwCreateSection(&Handle, SECTION_ALL_ACCESS, &Attributes, &Size, PAGE_READWRITE, SEC_COMMIT, NULL),
                 STATUS_NOT_SUPPORTED);
}

KTEST(section, a_handle_grants_only_the_access_asked_for_and_closing_it_deletes_the_section)
{
    SIZE_T Shared = MmSharedCommit;
    LARGE_INTEGER Size;
    HANDLE Handle = NULL;
    PVOID Object;

    Size.QuadPart = 3 * PAGE_SIZE;
    KT_ASSERT_EQ(ZwCreateSection(&Handle, SECTION_MAP_READ | SECTION_QUERY, NULL, &Size, PAGE_READWRITE, SEC_COMMIT,
                                 NULL),
                 STATUS_SUCCESS);
    KT_EXPECT_EQ(MmSharedCommit, Shared + 3);
    KT_EXPECT_EQ(ObReferenceObjectByHandle(Handle, SECTION_MAP_WRITE, *MmSectionObjectType, UserMode, &Object, NULL),
                 STATUS_ACCESS_DENIED);
    KT_EXPECT_EQ(ObReferenceObjectByHandle(Handle, 0, *PsProcessType, KernelMode, &Object, NULL),
                 STATUS_OBJECT_TYPE_MISMATCH);
    KT_ASSERT_EQ(ObReferenceObjectByHandle(Handle, SECTION_MAP_READ, *MmSectionObjectType, UserMode, &Object, NULL),
                 STATUS_SUCCESS);
    KT_EXPECT_EQ(((PSECTION)Object)->Segment->TotalNumberOfPtes, 3);
    ObDereferenceObject(Object);
    KT_EXPECT_EQ(ZwClose(Handle), STATUS_SUCCESS);
    KT_EXPECT_EQ(MmSharedCommit, Shared);
}

KTEST(section, query_section_reports_size_and_attributes)
{
    SECTION_BASIC_INFORMATION Basic;
    SECTION_IMAGE_INFORMATION Image;
    LARGE_INTEGER Size;
    SIZE_T Length = 0;
    HANDLE Handle;

    Size.QuadPart = 2 * PAGE_SIZE - 100;
    KT_ASSERT_EQ(ZwCreateSection(&Handle, SECTION_ALL_ACCESS, NULL, &Size, PAGE_READONLY, SEC_RESERVE, NULL),
                 STATUS_SUCCESS);
    KT_EXPECT_EQ(ZwQuerySection(Handle, SectionBasicInformation, &Basic, sizeof(Basic), &Length), STATUS_SUCCESS);
    KT_EXPECT_EQ(Length, sizeof(Basic));
    KT_EXPECT_EQ(Basic.MaximumSize.QuadPart, 2 * PAGE_SIZE);
    KT_EXPECT_EQ(Basic.AllocationAttributes, SEC_RESERVE);
    KT_EXPECT(Basic.BaseAddress == NULL);
    KT_EXPECT_EQ(ZwQuerySection(Handle, SectionImageInformation, &Image, sizeof(Image), NULL),
                 STATUS_SECTION_NOT_IMAGE);
    KT_EXPECT_EQ(ZwQuerySection(Handle, SectionBasicInformation, &Basic, sizeof(Basic) - 1, NULL),
                 STATUS_INFO_LENGTH_MISMATCH);
    KT_EXPECT_EQ(ZwQuerySection(Handle, (SECTION_INFORMATION_CLASS)7, &Basic, sizeof(Basic), NULL),
                 STATUS_INVALID_INFO_CLASS);
    KT_EXPECT_EQ(ZwClose(Handle), STATUS_SUCCESS);
}

KTEST_BUGCHECK(section, a_reference_dropped_twice_stops, REFERENCE_BY_POINTER)
{
    KT_SKIP_UNDER_VERIFIER(DRIVER_VERIFIER_SPECIAL_POOLING, "the freed object is unmapped: 0xD5 first");
    PSECTION Section = CreatePagefileSection(PAGE_SIZE, PAGE_READWRITE, SEC_COMMIT);

    KT_BUGCHECK_PARAMETER(2, (ULONG_PTR)Section);
    ObDereferenceObject(Section);        /* the last reference: the section is deleted */
    ObDereferenceObject(Section);
}
