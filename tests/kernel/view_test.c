/*
 * view_test.c: views of pagefile-backed sections. A view maps nothing
 * until it is touched; the first touch makes the page valid in its
 * prototype PTE and in this PTE, later touches (other views, other
 * processes, system space) share it, and the PFN's share count counts the
 * valid mappings page by page. Two views and two processes see each
 * other's writes; a section's data outlives its views; SEC_RESERVE pages
 * are committed in the section, for every view at once; read-only views
 * refuse writes; every bad argument gets NT's status; NtQueryVirtualMemory
 * reports MEM_MAPPED regions with the view's base. The walkers are shown
 * to catch a wrong share count, view charge and prototype back link.
 */
#define NTMM_MM_WHITEBOX_TEST
#include "ktest.h"
#include "../../mm/mi.h"
#include "mmtest.h"

#define VIEW_PAGES(Pages) ((SIZE_T)(Pages) * PAGE_SIZE)

/* The segment of the section a handle names. */
static PSEGMENT SegmentOf(HANDLE Handle)
{
    return ((PSECTION)KtSectionObject(Handle))->Segment;
}

static VOID Unmap(PVOID Base)
{
    KT_EXPECT_EQ(ZwUnmapViewOfSection(NtCurrentProcess(), Base), STATUS_SUCCESS);
}

static PMMPFN PfnOfProto(PMMPTE ProtoPte)
{
    KT_ASSERT(ProtoPte->u.Hard.Valid || MiIsTransitionPte(*ProtoPte));
    return MI_PFN_ELEMENT(ProtoPte->u.Hard.Valid ? PFN_FROM_PTE(ProtoPte) : ProtoPte->u.Trans.PageFrameNumber);
}

KTEST(view, the_first_touch_makes_the_prototype_pte_valid_and_later_views_share_its_page)
{
    HANDLE Handle = KtCreateSection(VIEW_PAGES(4), PAGE_READWRITE, SEC_COMMIT);
    PSEGMENT Segment = SegmentOf(Handle);
    PCONTROL_AREA ControlArea = Segment->ControlArea;
    PMMPTE ProtoPte = &Segment->ThePtes[1];
    PFN_NUMBER Available = KtAvailablePages(), PageFrameIndex;
    PUCHAR First, Second;
    PMMPFN Pfn1;

    First = KtMapWholeView(Handle, PAGE_READWRITE);
    KT_EXPECT_EQ((ULONG_PTR)First % MM_ALLOCATION_GRANULARITY, 0);
    KT_EXPECT_EQ(ControlArea->NumberOfMappedViews, 1);
    KT_EXPECT_EQ(ControlArea->NumberOfPfnReferences, 0);           /* mapping takes no page */
    KT_EXPECT(ProtoPte->u.Long == Segment->SegmentPteTemplate.u.Long);

    First[PAGE_SIZE + 8] = 0x5A;                                   /* a write fault through the prototype PTE */
    KT_ASSERT(ProtoPte->u.Hard.Valid);
    PageFrameIndex = PFN_FROM_PTE(ProtoPte);
    Pfn1 = MI_PFN_ELEMENT(PageFrameIndex);
    KT_EXPECT(Pfn1->u3.e2.e1.PrototypePte);
    KT_EXPECT(Pfn1->PteAddress == ProtoPte);
    KT_EXPECT_EQ(Pfn1->u2.ShareCount, 1);
    KT_EXPECT_EQ(Pfn1->u3.e2.ReferenceCount, 1);
    KT_EXPECT_EQ(Pfn1->OriginalPte.u.Long, Segment->SegmentPteTemplate.u.Long);
    KT_EXPECT_EQ(PFN_FROM_PTE(MiAddressToPte(First + PAGE_SIZE)), PageFrameIndex);
    KT_EXPECT_EQ(ControlArea->NumberOfPfnReferences, 1);
    KT_EXPECT(Segment->ThePtes[0].u.Long == Segment->SegmentPteTemplate.u.Long);   /* untouched pages stay so */

    Second = KtMapWholeView(Handle, PAGE_READWRITE);
    KT_EXPECT_NE(Second, First);
    KT_EXPECT_EQ(Second[PAGE_SIZE + 8], 0x5A);                     /* a read fault finds the page valid */
    KT_EXPECT_EQ(PFN_FROM_PTE(MiAddressToPte(Second + PAGE_SIZE)), PageFrameIndex);
    KT_EXPECT_EQ(Pfn1->u2.ShareCount, 2);
    Second[PAGE_SIZE + 9] = 0xA5;
    KT_EXPECT_EQ(First[PAGE_SIZE + 9], 0xA5);
    KT_EXPECT_EQ(ControlArea->NumberOfMappedViews, 2);
    KT_EXPECT(MmCheckSections(TRUE));

    Unmap(Second);
    KT_EXPECT_EQ(Pfn1->u2.ShareCount, 1);
    Unmap(First);
    /* No PTE maps it, the section still holds it: the prototype PTE is in transition. */
    KT_EXPECT(MiIsTransitionPte(*ProtoPte));
    KT_EXPECT_EQ(ProtoPte->u.Trans.PageFrameNumber, PageFrameIndex);
    KT_EXPECT_EQ(Pfn1->u2.ShareCount, 0);
    KT_EXPECT_EQ(Pfn1->u3.e2.ReferenceCount, 1);
    KT_EXPECT_EQ(Pfn1->u3.e2.e1.PageLocation, ActiveAndValid);
    KT_EXPECT_EQ(ControlArea->NumberOfMappedViews, 0);
    KT_EXPECT(MmCheckSections(TRUE));

    First = KtMapWholeView(Handle, PAGE_READONLY);                          /* the data outlived its views */
    KT_EXPECT_EQ(First[PAGE_SIZE + 8], 0x5A);
    KT_EXPECT(ProtoPte->u.Hard.Valid);
    KT_EXPECT_EQ(Pfn1->u2.ShareCount, 1);
    Unmap(First);
    KT_EXPECT_EQ(ZwClose(Handle), STATUS_SUCCESS);
    KT_EXPECT_EQ(KtAvailablePages(), Available);                     /* the page went with the section */
}

KTEST(view, share_counts_follow_every_mapping_page_by_page)
{
    HANDLE Handle = KtCreateSection(VIEW_PAGES(3), PAGE_READWRITE, SEC_COMMIT);
    PSEGMENT Segment = SegmentOf(Handle);
    PUCHAR Views[3];

    for (ULONG i = 0; i < 3; i++)
        Views[i] = KtMapWholeView(Handle, PAGE_READWRITE);
    /* Page i is touched through views 0..i: its share count is i + 1. */
    for (ULONG Page = 0; Page < 3; Page++) {
        for (ULONG View = 0; View <= Page; View++)
            KT_EXPECT_EQ(Views[View][Page * PAGE_SIZE], 0);
    }
    for (ULONG Page = 0; Page < 3; Page++)
        KT_EXPECT_EQ(PfnOfProto(&Segment->ThePtes[Page])->u2.ShareCount, Page + 1);
    KT_EXPECT(MmCheckSections(TRUE));
    Unmap(Views[2]);                                                /* page 2 loses one; pages 0, 1 none */
    KT_EXPECT_EQ(PfnOfProto(&Segment->ThePtes[0])->u2.ShareCount, 1);
    KT_EXPECT_EQ(PfnOfProto(&Segment->ThePtes[1])->u2.ShareCount, 2);
    KT_EXPECT_EQ(PfnOfProto(&Segment->ThePtes[2])->u2.ShareCount, 2);
    Unmap(Views[0]);
    KT_EXPECT_EQ(PfnOfProto(&Segment->ThePtes[0])->u2.ShareCount, 0);
    KT_EXPECT(MiIsTransitionPte(Segment->ThePtes[0]));
    KT_EXPECT_EQ(PfnOfProto(&Segment->ThePtes[2])->u2.ShareCount, 1);
    Unmap(Views[1]);
    KT_EXPECT(MmCheckSections(TRUE));
    KT_EXPECT_EQ(ZwClose(Handle), STATUS_SUCCESS);
}

static PEPROCESS CreateProcess(PCSTR Name, ULONG Flags)
{
    PEPROCESS Process = NULL;

    KT_ASSERT_EQ(PsCreateProcess(Name, Flags, &Process), STATUS_SUCCESS);
    return Process;
}

static HANDLE OpenProcess(PEPROCESS Process)
{
    HANDLE Handle = NULL;

    KT_ASSERT_EQ(ObOpenObjectByPointer(Process, OBJ_KERNEL_HANDLE, NULL, PROCESS_ALL_ACCESS, *PsProcessType,
                                       KernelMode, &Handle),
                 STATUS_SUCCESS);
    return Handle;
}

KTEST(view, two_processes_see_each_others_writes_and_exit_unmaps_their_views)
{
    HANDLE Handle = KtCreateSection(VIEW_PAGES(2), PAGE_READWRITE, SEC_COMMIT);
    PSEGMENT Segment = SegmentOf(Handle);
    PEPROCESS A = CreateProcess("viewA", 0), B = CreateProcess("viewB", 0);
    HANDLE HandleA = OpenProcess(A), HandleB = OpenProcess(B);
    PVOID BaseA = NULL, BaseB = (PVOID)0x30000000;
    SIZE_T Size = 0;
    KAPC_STATE ApcState;

    KT_ASSERT_EQ(KtMapView(Handle, HandleA, &BaseA, 0, &Size, 0, PAGE_READWRITE), STATUS_SUCCESS);
    KT_EXPECT_EQ(Size, VIEW_PAGES(2));
    Size = 0;
    KT_ASSERT_EQ(KtMapView(Handle, HandleB, &BaseB, 0, &Size, 0, PAGE_READWRITE), STATUS_SUCCESS);
    KT_EXPECT_EQ(BaseB, (PVOID)0x30000000);
    KeStackAttachProcess(&A->Pcb, &ApcState);
    *(PULONG)BaseA = 'AAAA';
    KeUnstackDetachProcess(&ApcState);
    KeStackAttachProcess(&B->Pcb, &ApcState);
    KT_EXPECT_EQ(*(PULONG)BaseB, 'AAAA');
    ((PULONG)BaseB)[1] = 'BBBB';
    KeUnstackDetachProcess(&ApcState);
    KeStackAttachProcess(&A->Pcb, &ApcState);
    KT_EXPECT_EQ(((PULONG)BaseA)[1], 'BBBB');
    KeUnstackDetachProcess(&ApcState);
    KT_EXPECT_EQ(PfnOfProto(&Segment->ThePtes[0])->u2.ShareCount, 2);
    KT_EXPECT_EQ(Segment->ControlArea->NumberOfMappedViews, 2);
    KT_EXPECT(MmCheckSections(TRUE));
    KT_EXPECT(MmCheckProcessAddressSpace(A, TRUE) && MmCheckProcessAddressSpace(B, TRUE));

    ZwClose(HandleA);
    ZwClose(HandleB);
    PsTerminateProcess(A, STATUS_SUCCESS);                          /* its view goes with its address space */
    ObDereferenceObject(A);
    KT_EXPECT_EQ(Segment->ControlArea->NumberOfMappedViews, 1);
    KT_EXPECT_EQ(PfnOfProto(&Segment->ThePtes[0])->u2.ShareCount, 1);
    PsTerminateProcess(B, STATUS_SUCCESS);
    ObDereferenceObject(B);
    KT_EXPECT(MiIsTransitionPte(Segment->ThePtes[0]));
    KT_EXPECT_EQ(ZwClose(Handle), STATUS_SUCCESS);
}

KTEST(view, a_view_at_an_offset_maps_the_pages_from_there)
{
    HANDLE Handle = KtCreateSection(VIEW_PAGES(40), PAGE_READWRITE, SEC_COMMIT);
    PUCHAR All = KtMapWholeView(Handle, PAGE_READWRITE), Part = NULL;
    SIZE_T Size = VIEW_PAGES(3) - 100;
    MEMORY_BASIC_INFORMATION Mbi;

    All[MM_ALLOCATION_GRANULARITY + PAGE_SIZE + 3] = 0x77;
    KT_ASSERT_EQ(KtMapView(Handle, NtCurrentProcess(), (PVOID *)&Part, MM_ALLOCATION_GRANULARITY, &Size, 0,
                           PAGE_READONLY),
                 STATUS_SUCCESS);
    KT_EXPECT_EQ(Size, VIEW_PAGES(3));                              /* rounded up to pages */
    KT_EXPECT_EQ(Part[PAGE_SIZE + 3], 0x77);
    Mbi = KtQueryRegion(Part + PAGE_SIZE + 5);
    KT_EXPECT(Mbi.BaseAddress == Part + PAGE_SIZE);
    KT_EXPECT(Mbi.AllocationBase == Part);
    KT_EXPECT_EQ(Mbi.AllocationProtect, PAGE_READONLY);
    KT_EXPECT_EQ(Mbi.RegionSize, VIEW_PAGES(2));
    KT_EXPECT_EQ(Mbi.State, MEM_COMMIT);
    KT_EXPECT_EQ(Mbi.Protect, PAGE_READONLY);
    KT_EXPECT_EQ(Mbi.Type, MEM_MAPPED);
    Mbi = KtQueryRegion(All);
    KT_EXPECT(Mbi.AllocationBase == All);
    KT_EXPECT_EQ(Mbi.RegionSize, VIEW_PAGES(40));
    KT_EXPECT_EQ(Mbi.Protect, PAGE_READWRITE);
    KT_EXPECT_EQ(Mbi.Type, MEM_MAPPED);
    Unmap(Part);
    Unmap(All);
    ZwClose(Handle);
}

KTEST(view, a_read_only_view_refuses_writes)
{
    HANDLE Handle = KtCreateSection(VIEW_PAGES(1), PAGE_READWRITE, SEC_COMMIT);
    PUCHAR Writable = KtMapWholeView(Handle, PAGE_READWRITE), ReadOnly = KtMapWholeView(Handle, PAGE_READONLY);

    KT_EXPECT_EQ(KtProbeWrite(ReadOnly), STATUS_ACCESS_VIOLATION);   /* not yet valid */
    KT_EXPECT_EQ(KtProbeRead(ReadOnly), STATUS_SUCCESS);
    KT_EXPECT_EQ(KtProbeWrite(ReadOnly), STATUS_ACCESS_VIOLATION);   /* valid, read-only */
    Writable[0] = 1;
    KT_EXPECT_EQ(ReadOnly[0], 1);
    KT_EXPECT_EQ(KtQueryRegion(ReadOnly).Protect, PAGE_READONLY);
    Unmap(ReadOnly);
    Unmap(Writable);
    ZwClose(Handle);
}

KTEST(view, bad_views_get_nt_statuses)
{
    HANDLE Handle = KtCreateSection(VIEW_PAGES(20), PAGE_READONLY, SEC_COMMIT);
    PVOID Base = NULL, Taken = KtMapWholeView(Handle, PAGE_READONLY), Private = NULL;
    SIZE_T Size = 0, PrivateSize = PAGE_SIZE;
    LARGE_INTEGER Offset;

    KT_EXPECT_EQ(KtMapView(Handle, NtCurrentProcess(), &Base, PAGE_SIZE, &Size, 0, PAGE_READONLY),
                 STATUS_MAPPED_ALIGNMENT);
    Base = (PVOID)((ULONG_PTR)Taken + 2 * MM_ALLOCATION_GRANULARITY + PAGE_SIZE);
    KT_EXPECT_EQ(KtMapView(Handle, NtCurrentProcess(), &Base, 0, &Size, 0, PAGE_READONLY), STATUS_MAPPED_ALIGNMENT);
    Base = NULL;
    KT_EXPECT_EQ(KtMapView(Handle, NtCurrentProcess(), &Base, MM_ALLOCATION_GRANULARITY * 2, &Size, 0, PAGE_READONLY),
                 STATUS_INVALID_VIEW_SIZE);                         /* the offset is past the end */
    Size = VIEW_PAGES(5);
    KT_EXPECT_EQ(KtMapView(Handle, NtCurrentProcess(), &Base, MM_ALLOCATION_GRANULARITY, &Size, 0, PAGE_READONLY),
                 STATUS_INVALID_VIEW_SIZE);                         /* 16 + 5 pages of 20 */
    Size = 0;
    Base = Taken;
    KT_EXPECT_EQ(KtMapView(Handle, NtCurrentProcess(), &Base, 0, &Size, 0, PAGE_READONLY),
                 STATUS_CONFLICTING_ADDRESSES);
    Base = NULL;
    KT_EXPECT_EQ(KtMapView(Handle, NtCurrentProcess(), &Base, 0, &Size, 0, PAGE_READWRITE), STATUS_SECTION_PROTECTION);
    KT_EXPECT_EQ(KtMapView(Handle, NtCurrentProcess(), &Base, 0, &Size, 0, PAGE_EXECUTE), STATUS_SECTION_PROTECTION);
    KT_EXPECT_EQ(KtMapView(Handle, NtCurrentProcess(), &Base, 0, &Size, 0, PAGE_READONLY | PAGE_GUARD),
                 STATUS_INVALID_PAGE_PROTECTION);
    KT_EXPECT_EQ(KtMapView(Handle, NtCurrentProcess(), &Base, 0, &Size, 0, 0), STATUS_INVALID_PAGE_PROTECTION);
    KT_EXPECT_EQ(KtMapView(Handle, NtCurrentProcess(), &Base, 0, &Size, 0x1, PAGE_READONLY),
                 STATUS_INVALID_PARAMETER_9);
    Offset.QuadPart = 0;
    KT_EXPECT_EQ(ZwMapViewOfSection(Handle, NtCurrentProcess(), &Base, 22, 0, &Offset, &Size, ViewShare, 0,
                                    PAGE_READONLY),
                 STATUS_INVALID_PARAMETER_4);
    KT_EXPECT_EQ(ZwMapViewOfSection(Handle, NtCurrentProcess(), &Base, 0, 0, &Offset, &Size, (SECTION_INHERIT)3, 0,
                                    PAGE_READONLY),
                 STATUS_INVALID_PARAMETER_8);
    KT_EXPECT_EQ(ZwMapViewOfSection(NtCurrentProcess(), NtCurrentProcess(), &Base, 0, 0, &Offset, &Size, ViewShare,
                                    0, PAGE_READONLY),
                 STATUS_OBJECT_TYPE_MISMATCH);
    Base = (PVOID)(MM_HIGHEST_VAD_ADDRESS + 1 - MM_ALLOCATION_GRANULARITY);
    KT_EXPECT_EQ(KtMapView(Handle, NtCurrentProcess(), &Base, 0, &Size, 0, PAGE_READONLY), STATUS_INVALID_VIEW_SIZE);

    /* Unmapping: only a view's base unmaps it; private memory is freed another way, a view not by freeing. */
    KT_EXPECT_EQ(ZwUnmapViewOfSection(NtCurrentProcess(), (PUCHAR)Taken + PAGE_SIZE), STATUS_NOT_MAPPED_VIEW);
    KT_EXPECT_EQ(ZwUnmapViewOfSection(NtCurrentProcess(), (PVOID)0x7000000), STATUS_NOT_MAPPED_VIEW);
    KT_ASSERT_EQ(ZwAllocateVirtualMemory(NtCurrentProcess(), &Private, 0, &PrivateSize, MEM_RESERVE | MEM_COMMIT,
                                         PAGE_READWRITE),
                 STATUS_SUCCESS);
    KT_EXPECT_EQ(ZwUnmapViewOfSection(NtCurrentProcess(), Private), STATUS_NOT_MAPPED_VIEW);
    PrivateSize = 0;
    KT_EXPECT_EQ(ZwFreeVirtualMemory(NtCurrentProcess(), &Private, &PrivateSize, MEM_RELEASE), STATUS_SUCCESS);
    Base = Taken;
    Size = 0;
    KT_EXPECT_EQ(ZwFreeVirtualMemory(NtCurrentProcess(), &Base, &Size, MEM_RELEASE), STATUS_UNABLE_TO_DELETE_SECTION);
    Unmap(Taken);
    KT_EXPECT_EQ(ZwUnmapViewOfSection(NtCurrentProcess(), Taken), STATUS_NOT_MAPPED_VIEW);
    ZwClose(Handle);
}

KTEST(view, views_go_top_down_when_asked_or_when_the_process_prefers_it)
{
    HANDLE Handle = KtCreateSection(VIEW_PAGES(1), PAGE_READWRITE, SEC_COMMIT);
    PEPROCESS TopDown = CreateProcess("topdown", PS_CREATE_TOP_DOWN);
    HANDLE Process = OpenProcess(TopDown);
    PVOID Low = KtMapWholeView(Handle, PAGE_READWRITE), High = NULL, Other = NULL;
    SIZE_T Size = 0;

    KT_ASSERT_EQ(KtMapView(Handle, NtCurrentProcess(), &High, 0, &Size, MEM_TOP_DOWN, PAGE_READWRITE), STATUS_SUCCESS);
    KT_EXPECT((ULONG_PTR)High > (ULONG_PTR)Low);
    KT_EXPECT((ULONG_PTR)High >= MM_HIGHEST_VAD_ADDRESS - 0x10000000);
    Size = 0;
    KT_ASSERT_EQ(KtMapView(Handle, Process, &Other, 0, &Size, 0, PAGE_READWRITE), STATUS_SUCCESS);
    KT_EXPECT((ULONG_PTR)Other >= MM_HIGHEST_VAD_ADDRESS - 0x10000000);
    KT_EXPECT_EQ(ZwUnmapViewOfSection(Process, Other), STATUS_SUCCESS);
    Unmap(High);
    Unmap(Low);
    ZwClose(Process);
    PsTerminateProcess(TopDown, STATUS_SUCCESS);
    ObDereferenceObject(TopDown);
    ZwClose(Handle);
}

KTEST(view, committing_in_a_reserve_view_commits_the_section_for_every_view)
{
    HANDLE Handle = KtCreateSection(VIEW_PAGES(4), PAGE_READWRITE, SEC_RESERVE);
    PSEGMENT Segment = SegmentOf(Handle);
    PUCHAR First = KtMapWholeView(Handle, PAGE_READWRITE), Second = KtMapWholeView(Handle, PAGE_READWRITE);
    PUCHAR Third = NULL;
    SIZE_T Shared = MmSharedCommit, Size = PAGE_SIZE + 1;
    LARGE_INTEGER Offset;
    PVOID Commit = First + PAGE_SIZE;

    KT_EXPECT_EQ(KtProbeRead(First + PAGE_SIZE), STATUS_ACCESS_VIOLATION);
    KT_EXPECT_EQ(KtQueryRegion(First).State, MEM_RESERVE);
    KT_EXPECT_EQ(KtQueryRegion(First).RegionSize, VIEW_PAGES(4));
    KT_ASSERT_EQ(ZwAllocateVirtualMemory(NtCurrentProcess(), &Commit, 0, &Size, MEM_COMMIT, PAGE_READWRITE),
                 STATUS_SUCCESS);
    KT_EXPECT(Commit == First + PAGE_SIZE);
    KT_EXPECT_EQ(Size, VIEW_PAGES(2));
    KT_EXPECT_EQ(MmSharedCommit, Shared + 2);
    KT_EXPECT_EQ(Segment->NumberOfCommittedPages, 2);
    KT_EXPECT_EQ(Segment->ThePtes[2].u.Long, Segment->SegmentPteTemplate.u.Long);
    Second[2 * PAGE_SIZE] = 9;                                      /* committed in the other view too */
    KT_EXPECT_EQ(First[2 * PAGE_SIZE], 9);
    KT_EXPECT_EQ(KtQueryRegion(Second + PAGE_SIZE).State, MEM_COMMIT);
    KT_EXPECT_EQ(KtQueryRegion(Second + PAGE_SIZE).RegionSize, VIEW_PAGES(2));
    KT_EXPECT_EQ(KtQueryRegion(Second + 3 * PAGE_SIZE).State, MEM_RESERVE);
    /* Committing again charges nothing; more than the view allows is refused. */
    KT_EXPECT_EQ(ZwAllocateVirtualMemory(NtCurrentProcess(), &Commit, 0, &Size, MEM_COMMIT, PAGE_READWRITE),
                 STATUS_SUCCESS);
    KT_EXPECT_EQ(MmSharedCommit, Shared + 2);
    KT_EXPECT_EQ(ZwAllocateVirtualMemory(NtCurrentProcess(), &Commit, 0, &Size, MEM_COMMIT, PAGE_EXECUTE_READWRITE),
                 STATUS_SECTION_PROTECTION);
    /* CommitSize at map time commits the view's first pages. */
    Offset.QuadPart = 0;
    Size = 0;
    KT_ASSERT_EQ(ZwMapViewOfSection(Handle, NtCurrentProcess(), (PVOID *)&Third, 0, 1, &Offset, &Size, ViewUnmap, 0,
                                    PAGE_READWRITE),
                 STATUS_SUCCESS);
    KT_EXPECT_EQ(MmSharedCommit, Shared + 3);
    KT_EXPECT_EQ(First[0], 0);
    KT_EXPECT(MmCheckSections(TRUE));
    Unmap(Third);
    Unmap(Second);
    Unmap(First);
    ZwClose(Handle);
    KT_EXPECT_EQ(MmSharedCommit, Shared);
}

KTEST(view, a_system_view_maps_prototype_ptes_and_shares_pages_with_user_views)
{
    HANDLE Handle = KtCreateSection(VIEW_PAGES(3), PAGE_READWRITE, SEC_COMMIT);
    PSECTION Section = (PSECTION)KtSectionObject(Handle);
    PSEGMENT Segment = Section->Segment;
    PUCHAR User = KtMapWholeView(Handle, PAGE_READWRITE), System = NULL;
    SIZE_T Size = 0;
    PMMPTE PointerPte;

    KT_ASSERT_EQ(MmMapViewInSystemSpace(Section, (PVOID *)&System, &Size), STATUS_SUCCESS);
    KT_EXPECT_EQ(Size, VIEW_PAGES(3));
    KT_EXPECT((ULONG_PTR)System >= MM_SYSTEM_VIEW_START && (ULONG_PTR)System < MM_SYSTEM_VIEW_END);
    KT_EXPECT_EQ((ULONG_PTR)System % MM_ALLOCATION_GRANULARITY, 0);
    PointerPte = MiAddressToPte(System);
    KT_EXPECT(!PointerPte[1].u.Hard.Valid && PointerPte[1].u.Proto.Prototype);
    KT_EXPECT(MiPteToProto(PointerPte[1]) == &Segment->ThePtes[1]);
    KT_EXPECT_EQ(Segment->ControlArea->NumberOfSystemCacheViews, 1);

    System[PAGE_SIZE] = 0x11;
    KT_EXPECT(PointerPte[1].u.Hard.Valid);
    KT_EXPECT_EQ(User[PAGE_SIZE], 0x11);
    KT_EXPECT_EQ(PfnOfProto(&Segment->ThePtes[1])->u2.ShareCount, 2);
    KT_EXPECT(MmCheckSections(TRUE));
    KT_EXPECT_EQ(MmUnmapViewInSystemSpace(System), STATUS_SUCCESS);
    KT_EXPECT_EQ(PointerPte[1].u.Long, 0);
    KT_EXPECT_EQ(PfnOfProto(&Segment->ThePtes[1])->u2.ShareCount, 1);
    KT_EXPECT_EQ(Segment->ControlArea->NumberOfSystemCacheViews, 0);

    Size = VIEW_PAGES(4);
    KT_EXPECT_EQ(MmMapViewInSystemSpace(Section, (PVOID *)&System, &Size), STATUS_INVALID_VIEW_SIZE);
    Unmap(User);
    ZwClose(Handle);
}

KTEST_BUGCHECK(view, unmapping_what_is_not_a_system_view_stops, DRIVER_UNMAPPING_INVALID_VIEW)
{
    KT_BUGCHECK_PARAMETER(1, MM_SYSTEM_VIEW_START + PAGE_SIZE);
    KT_BUGCHECK_PARAMETER(2, 1);
    MmUnmapViewInSystemSpace((PVOID)(MM_SYSTEM_VIEW_START + PAGE_SIZE));
}

KTEST(view, the_walkers_catch_a_wrong_share_count_charge_and_back_link)
{
    HANDLE Handle = KtCreateSection(VIEW_PAGES(1), PAGE_READWRITE, SEC_COMMIT);
    PSEGMENT Segment = SegmentOf(Handle);
    PUCHAR View = KtMapWholeView(Handle, PAGE_WRITECOPY);
    PMMVAD Vad;
    PMMPFN Pfn1;

    KT_EXPECT_EQ(View[0], 0);
    Pfn1 = PfnOfProto(&Segment->ThePtes[0]);
    KT_EXPECT(MmCheckSections(FALSE));
    Pfn1->u2.ShareCount++;
    KT_EXPECT(!MmCheckSections(FALSE));
    Pfn1->u2.ShareCount--;

    Vad = MiLocateAddress(PsGetCurrentProcessEx(), View);
    KT_ASSERT(Vad != NULL);
    KT_EXPECT_EQ(Vad->u.VadFlags.CommitCharge, 1);                 /* a copy-on-write view charges its page */
    KT_EXPECT(MmCheckProcessAddressSpace(PsGetCurrentProcessEx(), FALSE));
    Vad->u.VadFlags.CommitCharge = 0;
    PsGetCurrentProcessEx()->CommitCharge--;
    KT_EXPECT(!MmCheckProcessAddressSpace(PsGetCurrentProcessEx(), FALSE));
    Vad->u.VadFlags.CommitCharge = 1;
    PsGetCurrentProcessEx()->CommitCharge++;

    KT_EXPECT(MiCheckPfnDatabase(FALSE));
    Pfn1->PteAddress++;
    KT_EXPECT(!MiCheckPfnDatabase(FALSE));
    Pfn1->PteAddress--;
    KT_EXPECT(MiCheckPfnDatabase(TRUE) && MmCheckSections(TRUE));
    Unmap(View);
    ZwClose(Handle);
}
