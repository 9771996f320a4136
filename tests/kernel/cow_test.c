/*
 * cow_test.c: copy-on-write views. A PAGE_WRITECOPY view reads the shared
 * page through a read-only PTE marked CopyOnWrite; its first write gives
 * it a private copy (the page's contents, then the write) while every
 * other view, in this process or another, keeps the shared page; the view
 * charged its process a page of commitment for each page when it was
 * mapped, and unmapping gives the copies and the charge back.
 */
#define NTMM_MM_WHITEBOX_TEST
#include "ktest.h"
#include "../../mm/mi.h"
#include "mmtest.h"

/* The segment of the section a handle names. */
static PSEGMENT SegmentOf(HANDLE Handle)
{
    return ((PSECTION)KtSectionObject(Handle))->Segment;
}

static NTSTATUS TryMap(HANDLE Section, HANDLE Process, PVOID *Base, ULONG Protect)
{
    SIZE_T Size = 0;

    *Base = NULL;
    return ZwMapViewOfSection(Section, Process, Base, 0, 0, NULL, &Size, ViewShare, 0, Protect);
}

static PUCHAR Map(HANDLE Section, ULONG Protect)
{
    PVOID Base;

    KT_ASSERT_EQ(TryMap(Section, NtCurrentProcess(), &Base, Protect), STATUS_SUCCESS);
    return Base;
}

static PMMPFN PfnOf(PVOID VirtualAddress)
{
    PMMPTE PointerPte = MiAddressToPte(VirtualAddress);

    KT_ASSERT(PointerPte->u.Hard.Valid);
    return MI_PFN_ELEMENT(PFN_FROM_PTE(PointerPte));
}

KTEST(cow, a_write_gives_the_view_a_private_copy_and_the_other_views_keep_the_shared_page)
{
    HANDLE Handle = KtCreateSection(2 * PAGE_SIZE, PAGE_READWRITE, SEC_COMMIT);
    PSEGMENT Segment = SegmentOf(Handle);
    SIZE_T Committed = MmTotalCommittedPages, Charge = PsGetCurrentProcessEx()->CommitCharge;
    PUCHAR Shared = Map(Handle, PAGE_READWRITE), Copy = Map(Handle, PAGE_WRITECOPY);
    PFN_NUMBER Available;
    PMMPTE PointerPte = MiAddressToPte(Copy);
    MEMORY_BASIC_INFORMATION Mbi;
    PMMPFN Pfn1;

    KT_EXPECT_EQ(PsGetCurrentProcessEx()->CommitCharge, Charge + 2);   /* each page may become a copy */
    KT_EXPECT_EQ(MmTotalCommittedPages, Committed + 2);
    Shared[0] = 'S';
    Shared[PAGE_SIZE - 1] = 'E';
    KT_EXPECT_EQ(Copy[0], 'S');                                        /* a read shares the page */
    KT_EXPECT(!PointerPte->u.Hard.Write && PointerPte->u.Hard.CopyOnWrite);
    KT_EXPECT_EQ(PfnOf(Copy), PfnOf(Shared));
    KT_EXPECT_EQ(PfnOf(Shared)->u2.ShareCount, 2);
    KT_EXPECT_EQ(KtQueryRegion(Copy).Protect, PAGE_WRITECOPY);
    Available = KtAvailablePages();

    Copy[1] = 'C';                                                     /* the write makes the copy */
    Pfn1 = PfnOf(Copy);
    KT_EXPECT_NE(Pfn1, PfnOf(Shared));
    KT_EXPECT(!Pfn1->u3.e2.e1.PrototypePte);
    KT_EXPECT(Pfn1->PteAddress == PointerPte);
    KT_EXPECT_EQ(Pfn1->OriginalPte.u.Soft.Protection, MM_READWRITE);
    KT_EXPECT(PointerPte->u.Hard.Write && !PointerPte->u.Hard.CopyOnWrite);
    KT_EXPECT_EQ(Copy[0], 'S');                                        /* the shared contents, then the write */
    KT_EXPECT_EQ(Copy[PAGE_SIZE - 1], 'E');
    KT_EXPECT_EQ(Shared[1], 0);
    KT_EXPECT_EQ(PfnOf(Shared)->u2.ShareCount, 1);
    KT_EXPECT_EQ(KtAvailablePages(), Available - 1);
    Shared[2] = 'T';
    KT_EXPECT_EQ(Copy[2], 0);
    Mbi = KtQueryRegion(Copy);
    KT_EXPECT_EQ(Mbi.Protect, PAGE_READWRITE);                         /* the copied page, on its own */
    KT_EXPECT_EQ(Mbi.RegionSize, PAGE_SIZE);
    KT_EXPECT_EQ(Mbi.AllocationProtect, PAGE_WRITECOPY);
    KT_EXPECT_EQ(KtQueryRegion(Copy + PAGE_SIZE).Protect, PAGE_WRITECOPY);
    KT_EXPECT(MmCheckSections(TRUE) && MmCheckProcessAddressSpace(PsGetCurrentProcessEx(), TRUE));

    ZwUnmapViewOfSection(NtCurrentProcess(), Copy);
    KT_EXPECT_EQ(KtAvailablePages(), Available);                         /* the copy is freed */
    KT_EXPECT_EQ(PsGetCurrentProcessEx()->CommitCharge, Charge);
    KT_EXPECT_EQ(Segment->ControlArea->NumberOfMappedViews, 1);
    KT_EXPECT_EQ(Shared[1], 0);
    ZwUnmapViewOfSection(NtCurrentProcess(), Shared);
    ZwClose(Handle);
}

KTEST(cow, a_first_touch_that_writes_copies_at_once)
{
    HANDLE Handle = KtCreateSection(PAGE_SIZE, PAGE_READONLY, SEC_COMMIT);
    PSEGMENT Segment = SegmentOf(Handle);
    PUCHAR Copy = Map(Handle, PAGE_WRITECOPY);                         /* a read-only section allows copies */

    Copy[5] = 5;
    KT_EXPECT(!PfnOf(Copy)->u3.e2.e1.PrototypePte);
    KT_EXPECT_EQ(Copy[5], 5);
    /* The shared page was made to copy it; no PTE maps it now. */
    KT_EXPECT(MiIsTransitionPte(Segment->ThePtes[0]));
    KT_EXPECT_EQ(MI_PFN_ELEMENT(Segment->ThePtes[0].u.Trans.PageFrameNumber)->u2.ShareCount, 0);
    KT_EXPECT(MmCheckSections(TRUE));
    ZwUnmapViewOfSection(NtCurrentProcess(), Copy);
    Copy = Map(Handle, PAGE_READONLY);
    KT_EXPECT_EQ(Copy[5], 0);                                          /* the section never saw the write */
    KT_EXPECT_EQ(KtProbeWrite(Copy), STATUS_ACCESS_VIOLATION);
    ZwUnmapViewOfSection(NtCurrentProcess(), Copy);
    ZwClose(Handle);
}

KTEST(cow, copies_in_two_processes_are_their_own)
{
    HANDLE Handle = KtCreateSection(PAGE_SIZE, PAGE_READWRITE, SEC_COMMIT);
    PEPROCESS Process = NULL;
    HANDLE ProcessHandle = NULL;
    PUCHAR Mine = Map(Handle, PAGE_WRITECOPY), Shared = Map(Handle, PAGE_READWRITE);
    PVOID Theirs;
    KAPC_STATE ApcState;

    KT_ASSERT_EQ(PsCreateProcess("cow", 0, &Process), STATUS_SUCCESS);
    KT_ASSERT_EQ(ObOpenObjectByPointer(Process, OBJ_KERNEL_HANDLE, NULL, PROCESS_ALL_ACCESS, *PsProcessType,
                                       KernelMode, &ProcessHandle),
                 STATUS_SUCCESS);
    KT_ASSERT_EQ(TryMap(Handle, ProcessHandle, &Theirs, PAGE_WRITECOPY), STATUS_SUCCESS);
    Shared[0] = 1;
    Mine[0] = 2;
    KeStackAttachProcess(&Process->Pcb, &ApcState);
    KT_EXPECT_EQ(*(PUCHAR)Theirs, 1);
    *(PUCHAR)Theirs = 3;
    KeUnstackDetachProcess(&ApcState);
    KT_EXPECT_EQ(Mine[0], 2);
    KT_EXPECT_EQ(Shared[0], 1);
    KT_EXPECT(MmCheckSections(TRUE) && MmCheckProcessAddressSpace(Process, TRUE));
    ZwClose(ProcessHandle);
    PsTerminateProcess(Process, STATUS_SUCCESS);
    ObDereferenceObject(Process);
    ZwUnmapViewOfSection(NtCurrentProcess(), Shared);
    ZwUnmapViewOfSection(NtCurrentProcess(), Mine);
    ZwClose(Handle);
}

KTEST(cow, a_copy_on_write_view_needs_commitment_for_every_page)
{
    SIZE_T Pages = MmTotalCommitLimit - MmTotalCommittedPages + 1;
    HANDLE Handle;
    PVOID Base;

    /* The view must fit in the address space for its commitment to be the reason it is refused. */
    if (Pages >= (MM_HIGHEST_VAD_ADDRESS >> PAGE_SHIFT) / 2)
        KT_SKIP("the commit limit is beyond what one process's user space can reach");
    Handle = KtCreateSection(Pages * PAGE_SIZE, PAGE_READWRITE, SEC_RESERVE);
    KT_EXPECT_EQ(TryMap(Handle, NtCurrentProcess(), &Base, PAGE_WRITECOPY), STATUS_COMMITMENT_LIMIT);
    KT_ASSERT_EQ(TryMap(Handle, NtCurrentProcess(), &Base, PAGE_READWRITE), STATUS_SUCCESS);
    ZwUnmapViewOfSection(NtCurrentProcess(), Base);
    ZwClose(Handle);
}

/*
 * Locking a copy-on-write page for writing makes the copy first, as NT's
 * probe for write does: the MDL describes the page the view will write.
 */
KTEST(cow, locking_a_copy_on_write_page_for_writing_locks_the_private_copy)
{
    HANDLE Handle = KtCreateSection(PAGE_SIZE, PAGE_READWRITE, SEC_COMMIT);
    PUCHAR Copy = Map(Handle, PAGE_WRITECOPY), Shared = Map(Handle, PAGE_READWRITE);
    PMDL Mdl = IoAllocateMdl(Copy, PAGE_SIZE, FALSE, FALSE, NULL);
    volatile NTSTATUS Status = STATUS_SUCCESS;

    KT_ASSERT(Mdl != NULL);
    Shared[0] = 'S';
    KT_EXPECT_EQ(Copy[0], 'S');                                        /* mapped shared, read-only */
    _SEH2_TRY {
        MmProbeAndLockPages(Mdl, KernelMode, IoWriteAccess);
    } _SEH2_EXCEPT(EXCEPTION_EXECUTE_HANDLER) {
        Status = _SEH2_GetExceptionCode();
    } _SEH2_END;
    KT_EXPECT_EQ(Status, STATUS_SUCCESS);
    if (NT_SUCCESS(Status)) {
        PMMPFN Pfn1 = PfnOf(Copy);

        KT_EXPECT(!Pfn1->u3.e2.e1.PrototypePte);
        KT_EXPECT_EQ(MmGetMdlPfnArray(Mdl)[0], PFN_FROM_PTE(MiAddressToPte(Copy)));
        KT_EXPECT_EQ(Pfn1->u3.e2.ReferenceCount, 2);                  /* its mapping and the lock */
        KT_EXPECT_EQ(Copy[0], 'S');
        MmUnlockPages(Mdl);
    }
    IoFreeMdl(Mdl);
    ZwUnmapViewOfSection(NtCurrentProcess(), Shared);
    ZwUnmapViewOfSection(NtCurrentProcess(), Copy);
    ZwClose(Handle);
}
