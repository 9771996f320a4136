/* mdl_test.c: MDLs from allocation to probe, lock, map, partial MDLs, page MDLs, and the misuse stops. */
#define NTMM_MM_WHITEBOX_TEST
#include "ktest.h"
#include "vftest.h"
#include "../../mm/mi.h"
#include "mmtest.h"
#include <io.h>

#define TAG 'tldM'

/* Every PFN of the MDL is the frame MmGetPhysicalAddress gives for its page. */
static BOOLEAN PfnsMatchBuffer(PMDL Mdl)
{
    PUCHAR Va = MmGetMdlVirtualAddress(Mdl);
    PULONG Pages = MmGetMdlPfnArray(Mdl);
    ULONG Count = ADDRESS_AND_SIZE_TO_SPAN_PAGES(Va, Mdl->ByteCount);

    for (ULONG i = 0; i < Count; i++) {
        PVOID Page = (PUCHAR)PAGE_ALIGN(Va) + i * PAGE_SIZE;
        if (Pages[i] != PHYSICAL_TO_PFN(MmGetPhysicalAddress(Page).QuadPart))
            return FALSE;
    }
    return TRUE;
}

KTEST(mdl, size_and_address_macros)
{
    PVOID Va = (PVOID)0x80123456;

    KT_EXPECT_EQ(BYTE_OFFSET(Va), 0x456);
    KT_EXPECT_EQ(PAGE_ALIGN(Va), (PVOID)0x80123000);
    KT_EXPECT_EQ(ADDRESS_AND_SIZE_TO_SPAN_PAGES(Va, 0xBAA), 1);
    KT_EXPECT_EQ(ADDRESS_AND_SIZE_TO_SPAN_PAGES(Va, 0xBAB), 2);
    KT_EXPECT_EQ(ADDRESS_AND_SIZE_TO_SPAN_PAGES((PVOID)0x1000, 0x3000), 3);
    KT_EXPECT_EQ(ADDRESS_AND_SIZE_TO_SPAN_PAGES((PVOID)0x1FFF, 2), 2);
    KT_EXPECT_EQ(MmSizeOfMdl(Va, 0x2000), sizeof(MDL) + 3 * sizeof(ULONG));
}

KTEST(mdl, io_allocate_mdl_initialises_and_picks_lookaside_or_pool)
{
    PVOID Buffer = (PVOID)0xE1000234;
    PMDL Small = IoAllocateMdl(Buffer, 5 * PAGE_SIZE, FALSE, FALSE, NULL);
    PMDL Large = IoAllocateMdl(Buffer, 40 * PAGE_SIZE, FALSE, FALSE, NULL);

    KT_ASSERT(Small != NULL && Large != NULL);
    KT_EXPECT_EQ(Small->MdlFlags, MDL_ALLOCATED_FIXED_SIZE);
    KT_EXPECT_EQ(Large->MdlFlags, 0);
    KT_EXPECT(Small->StartVa == (PVOID)0xE1000000);
    KT_EXPECT_EQ(Small->ByteOffset, 0x234);
    KT_EXPECT_EQ(Small->ByteCount, 5 * PAGE_SIZE);
    KT_EXPECT_EQ(Small->Size, sizeof(MDL) + 6 * sizeof(ULONG));
    KT_EXPECT(MmGetMdlVirtualAddress(Small) == Buffer);
    KT_EXPECT_EQ(MmGetMdlByteCount(Small), 5 * PAGE_SIZE);
    KT_EXPECT_EQ(MmGetMdlByteOffset(Small), 0x234);
    KT_EXPECT(Small->Next == NULL && Small->Process == NULL);
    KT_EXPECT(ExQueryPoolBlockSize(Large, NULL) >= MmSizeOfMdl(Buffer, 40 * PAGE_SIZE));
    KT_EXPECT(IoAllocateMdl(Buffer, 0, FALSE, FALSE, NULL) == NULL);
    KT_EXPECT(IoAllocateMdl(Buffer, 0x7FFFF000, FALSE, FALSE, NULL) == NULL);
    IoFreeMdl(Small);
    IoFreeMdl(Large);
}

/* Size is a CSHORT that NT reads as unsigned: an MDL fits while its header and PFNs fit 0xFFFF bytes. */
KTEST(mdl, io_allocate_mdl_accepts_every_size_up_to_0xffff)
{
    PVOID Buffer = (PVOID)MM_PAGED_POOL_START;
    PMDL Largest = IoAllocateMdl(Buffer, MM_MAXIMUM_MDL_PAGES * PAGE_SIZE, FALSE, FALSE, NULL);

    KT_EXPECT_EQ(MM_MAXIMUM_MDL_PAGES, 16376);
    KT_ASSERT(Largest != NULL);
    KT_EXPECT_EQ((USHORT)Largest->Size, sizeof(MDL) + 16376 * sizeof(PFN_NUMBER));
    KT_EXPECT_EQ(Largest->ByteCount, 0x3FF8000);
    KT_EXPECT(IoAllocateMdl(Buffer, (MM_MAXIMUM_MDL_PAGES + 1) * PAGE_SIZE, FALSE, FALSE, NULL) == NULL);
    /* One byte more at an unaligned start spans one page more. */
    KT_EXPECT(IoAllocateMdl((PUCHAR)Buffer + 1, MM_MAXIMUM_MDL_PAGES * PAGE_SIZE, FALSE, FALSE, NULL) == NULL);
    IoFreeMdl(Largest);
}

/* A partial MDL of more than 32 KB of PFNs: the capacity check reads both sizes unsigned. */
KTEST(mdl, partial_mdls_of_the_largest_mdls_fit)
{
    PVOID Buffer = (PVOID)MM_PAGED_POOL_START;
    PMDL Source = IoAllocateMdl(Buffer, MM_MAXIMUM_MDL_PAGES * PAGE_SIZE, FALSE, FALSE, NULL);
    PMDL Target = IoAllocateMdl(Buffer, MM_MAXIMUM_MDL_PAGES * PAGE_SIZE, FALSE, FALSE, NULL);
    PULONG Pages;

    KT_ASSERT(Source != NULL && Target != NULL);
    Pages = MmGetMdlPfnArray(Source);
    for (ULONG i = 0; i < MM_MAXIMUM_MDL_PAGES; i++)
        Pages[i] = i;
    IoBuildPartialMdl(Source, Target, (PUCHAR)Buffer + PAGE_SIZE, 0);
    KT_EXPECT_EQ(Target->ByteCount, (MM_MAXIMUM_MDL_PAGES - 1) * PAGE_SIZE);
    KT_EXPECT_EQ(MmGetMdlPfnArray(Target)[0], 1);
    KT_EXPECT_EQ(MmGetMdlPfnArray(Target)[MM_MAXIMUM_MDL_PAGES - 2], MM_MAXIMUM_MDL_PAGES - 1);
    IoFreeMdl(Target);
    IoFreeMdl(Source);
}

KTEST(mdl, mdls_attach_to_an_irp_and_chain_after_it)
{
    IRP Irp = { 0 };
    PMDL First = IoAllocateMdl((PVOID)0xE1000000, 100, FALSE, FALSE, &Irp);
    PMDL Second = IoAllocateMdl((PVOID)0xE1002000, 100, TRUE, FALSE, &Irp);
    PMDL Third = IoAllocateMdl((PVOID)0xE1004000, 100, TRUE, FALSE, &Irp);

    KT_ASSERT(First && Second && Third);
    KT_EXPECT(Irp.MdlAddress == First);
    KT_EXPECT(First->Next == Second);
    KT_EXPECT(Second->Next == Third);
    KT_EXPECT(Third->Next == NULL);
    IoFreeMdl(Third);
    IoFreeMdl(Second);
    IoFreeMdl(First);
}

KTEST(mdl, build_for_nonpaged_pool_fills_pfns_and_the_system_address)
{
    PUCHAR Buffer = ExAllocatePoolWithTag(NonPagedPool, 3 * PAGE_SIZE + 100, TAG);
    PMDL Mdl = IoAllocateMdl(Buffer + 50, 2 * PAGE_SIZE + 100, FALSE, FALSE, NULL);

    KT_ASSERT(Buffer != NULL && Mdl != NULL);
    MmBuildMdlForNonPagedPool(Mdl);
    KT_EXPECT(Mdl->MdlFlags & MDL_SOURCE_IS_NONPAGED_POOL);
    KT_EXPECT(!(Mdl->MdlFlags & MDL_PAGES_LOCKED));
    KT_EXPECT(Mdl->MappedSystemVa == Buffer + 50);
    KT_EXPECT(PfnsMatchBuffer(Mdl));
    KT_EXPECT(MmGetSystemAddressForMdlSafe(Mdl, NormalPagePriority) == Buffer + 50);
    KT_EXPECT(MmMapLockedPagesSpecifyCache(Mdl, KernelMode, MmCached, NULL, FALSE, NormalPagePriority) == Buffer + 50);
    IoFreeMdl(Mdl);
    ExFreePoolWithTag(Buffer, TAG);
}

KTEST(mdl, probe_and_lock_faults_pages_in_and_references_them)
{
    PUCHAR Buffer = ExAllocatePoolWithTag(PagedPool, 4 * PAGE_SIZE, TAG);
    PMDL Mdl = IoAllocateMdl(Buffer + 10, 3 * PAGE_SIZE, FALSE, FALSE, NULL);
    PULONG Pages;
    volatile NTSTATUS Status = STATUS_SUCCESS;

    KT_ASSERT(Buffer != NULL && Mdl != NULL);
    KT_EXPECT(!MmIsAddressValid(Buffer));           /* nothing touched yet */
    _SEH2_TRY {
        MmProbeAndLockPages(Mdl, KernelMode, IoWriteAccess);
    } _SEH2_EXCEPT(EXCEPTION_EXECUTE_HANDLER) {
        Status = _SEH2_GetExceptionCode();
    } _SEH2_END;
    KT_ASSERT_EQ(Status, STATUS_SUCCESS);
    KT_EXPECT_EQ(Mdl->MdlFlags & (MDL_PAGES_LOCKED | MDL_WRITE_OPERATION), MDL_PAGES_LOCKED | MDL_WRITE_OPERATION);
    KT_EXPECT(MmIsAddressValid(Buffer) && MmIsAddressValid(Buffer + 3 * PAGE_SIZE - 1));
    KT_EXPECT(PfnsMatchBuffer(Mdl));
    Pages = MmGetMdlPfnArray(Mdl);
    for (ULONG i = 0; i < 4; i++)
        KT_EXPECT_EQ(MI_PFN_ELEMENT(Pages[i])->u3.e2.ReferenceCount, 2);   /* mapping + lock */
    MmUnlockPages(Mdl);
    for (ULONG i = 0; i < 4; i++)
        KT_EXPECT_EQ(MI_PFN_ELEMENT(Pages[i])->u3.e2.ReferenceCount, 1);
    KT_EXPECT_EQ(Mdl->MdlFlags & MDL_PAGES_LOCKED, 0);
    IoFreeMdl(Mdl);
    ExFreePoolWithTag(Buffer, TAG);
}

KTEST(mdl, locked_paged_pool_pages_stay_resident_until_unlocked)
{
    PUCHAR Buffer = ExAllocatePoolWithTag(PagedPool, 2 * PAGE_SIZE, TAG);
    PMDL Mdl = IoAllocateMdl(Buffer, 2 * PAGE_SIZE, FALSE, FALSE, NULL);
    PFN_NUMBER Page, Available;
    PVOID Mapped;

    KT_ASSERT(Buffer != NULL && Mdl != NULL);
    Buffer[PAGE_SIZE + 9] = 0x77;
    MmProbeAndLockPages(Mdl, KernelMode, IoReadAccess);
    Page = MmGetMdlPfnArray(Mdl)[1];
    ExFreePoolWithTag(Buffer, TAG);                 /* the pool's PTEs are gone... */
    KT_EXPECT_EQ(MI_PFN_ELEMENT(Page)->u3.e2.e1.PageLocation, ActiveAndValid);   /* ...the page is not */
    KT_EXPECT_EQ(MI_PFN_ELEMENT(Page)->u3.e2.ReferenceCount, 1);
    Mapped = MmMapLockedPagesSpecifyCache(Mdl, KernelMode, MmCached, NULL, FALSE, NormalPagePriority);
    KT_ASSERT(Mapped != NULL);
    KT_EXPECT_EQ(((PUCHAR)Mapped)[PAGE_SIZE + 9], 0x77);
    Available = MmAvailablePages;
    MmUnlockPages(Mdl);                             /* unmaps too */
    KT_EXPECT_EQ(MI_PFN_ELEMENT(Page)->u3.e2.e1.PageLocation, FreePageList);
    KT_EXPECT_EQ(MmAvailablePages, Available + 2);
    IoFreeMdl(Mdl);
}

static NTSTATUS ProbeAndLock(PMDL Mdl, KPROCESSOR_MODE Mode, LOCK_OPERATION Operation)
{
    volatile NTSTATUS Status = STATUS_SUCCESS;

    _SEH2_TRY {
        MmProbeAndLockPages(Mdl, Mode, Operation);
    } _SEH2_EXCEPT(EXCEPTION_EXECUTE_HANDLER) {
        Status = _SEH2_GetExceptionCode();
    } _SEH2_END;
    return Status;
}

/*
 * The 16-bit reference count cannot wrap: past MAXUSHORT / 2 references a
 * lock raises STATUS_WORKING_SET_QUOTA, and an MDL that reaches such a page
 * keeps none of the locks it took on the pages before it.
 */
KTEST(mdl, locking_a_page_too_many_times_raises_working_set_quota)
{
    const ULONG MdlBytes = sizeof(MDL) + 2 * sizeof(PFN_NUMBER);
    PUCHAR Buffer = ExAllocatePoolWithTag(NonPagedPool, 2 * PAGE_SIZE, TAG);
    PUCHAR Mdls = ExAllocatePoolWithTag(NonPagedPool, MI_LOCKED_PAGE_REFERENCE_LIMIT * MdlBytes, TAG);
    PMDL Both = IoAllocateMdl(Buffer, 2 * PAGE_SIZE, FALSE, FALSE, NULL);
    PMMPFN First, Second;
    USHORT FirstBefore, SecondBefore;
    NTSTATUS Status = STATUS_SUCCESS;
    ULONG Locked = 0;

    KT_ASSERT(Buffer != NULL && Mdls != NULL && Both != NULL);
    First = MI_PFN_ELEMENT(PHYSICAL_TO_PFN(MmGetPhysicalAddress(Buffer).QuadPart));
    Second = MI_PFN_ELEMENT(PHYSICAL_TO_PFN(MmGetPhysicalAddress(Buffer + PAGE_SIZE).QuadPart));
    FirstBefore = First->u3.e2.ReferenceCount;
    SecondBefore = Second->u3.e2.ReferenceCount;
    while (Locked < MI_LOCKED_PAGE_REFERENCE_LIMIT) {
        PMDL Mdl = (PMDL)(Mdls + Locked * MdlBytes);

        MmInitializeMdl(Mdl, Buffer + PAGE_SIZE, PAGE_SIZE);
        Status = ProbeAndLock(Mdl, KernelMode, IoReadAccess);
        if (!NT_SUCCESS(Status)) {
            KT_EXPECT_EQ(Mdl->MdlFlags & MDL_PAGES_LOCKED, 0);
            break;
        }
        Locked++;
    }
    KT_EXPECT_EQ(Status, STATUS_WORKING_SET_QUOTA);
    KT_EXPECT_EQ(Locked, MI_LOCKED_PAGE_REFERENCE_LIMIT - SecondBefore);
    KT_EXPECT_EQ(Second->u3.e2.ReferenceCount, MI_LOCKED_PAGE_REFERENCE_LIMIT);
    /* The first page locks, the second refuses: the first page's lock is dropped again. */
    KT_EXPECT_EQ(ProbeAndLock(Both, KernelMode, IoReadAccess), STATUS_WORKING_SET_QUOTA);
    KT_EXPECT_EQ(First->u3.e2.ReferenceCount, FirstBefore);
    KT_EXPECT_EQ(Both->MdlFlags & MDL_PAGES_LOCKED, 0);
    while (Locked > 0)
        MmUnlockPages((PMDL)(Mdls + --Locked * MdlBytes));
    KT_EXPECT_EQ(Second->u3.e2.ReferenceCount, SecondBefore);
    IoFreeMdl(Both);
    ExFreePoolWithTag(Mdls, TAG);
    ExFreePoolWithTag(Buffer, TAG);
}

KTEST(mdl, probe_raises_access_violation_for_ranges_it_cannot_lock)
{
    PUCHAR Buffer = ExAllocatePoolWithTag(NonPagedPool, PAGE_SIZE, TAG);
    PMDL Mdl = IoAllocateMdl(NULL, PAGE_SIZE, FALSE, FALSE, NULL);
    PFN_NUMBER Available = MmAvailablePages;

    KT_ASSERT(Buffer != NULL && Mdl != NULL);
    /* Kernel text is read-only: reading locks, writing is refused. */
    MmInitializeMdl(Mdl, (PVOID)KeBugCheckEx, 64);
    KT_EXPECT_EQ(ProbeAndLock(Mdl, KernelMode, IoWriteAccess), STATUS_ACCESS_VIOLATION);
    KT_EXPECT_EQ(Mdl->MdlFlags & MDL_PAGES_LOCKED, 0);
    KT_EXPECT_EQ(ProbeAndLock(Mdl, KernelMode, IoReadAccess), STATUS_SUCCESS);
    MmUnlockPages(Mdl);
    /* Nothing mapped there. */
    MmInitializeMdl(Mdl, (PVOID)(MM_SYSTEM_PTE_END + 1 - 3 * PDE_MAPPED_SIZE), 3 * PAGE_SIZE);
    KT_EXPECT_EQ(ProbeAndLock(Mdl, KernelMode, IoReadAccess), STATUS_ACCESS_VIOLATION);
    /* A range that starts valid and runs into the boot stack's guard page: nothing stays locked. */
    MmInitializeMdl(Mdl, (PVOID)((ULONG_PTR)KiBootStackGuard - 2 * PAGE_SIZE), 3 * PAGE_SIZE);
    KT_EXPECT_EQ(ProbeAndLock(Mdl, KernelMode, IoReadAccess), STATUS_ACCESS_VIOLATION);
    /* User mode may not name kernel memory; user space has nothing to lock yet. */
    MmInitializeMdl(Mdl, Buffer, 16);
    KT_EXPECT_EQ(ProbeAndLock(Mdl, UserMode, IoReadAccess), STATUS_ACCESS_VIOLATION);
    MmInitializeMdl(Mdl, (PVOID)0x00400000, 16);
    KT_EXPECT_EQ(ProbeAndLock(Mdl, UserMode, IoReadAccess), STATUS_ACCESS_VIOLATION);
    MmInitializeMdl(Mdl, (PVOID)0x7FFEF000, 0x2000);
    KT_EXPECT_EQ(ProbeAndLock(Mdl, UserMode, IoReadAccess), STATUS_ACCESS_VIOLATION);
    KT_EXPECT_EQ(MmAvailablePages, Available);
    IoFreeMdl(Mdl);
    ExFreePoolWithTag(Buffer, TAG);
}

KTEST(mdl, mapping_locked_pages_makes_a_second_view)
{
    PUCHAR Buffer = ExAllocatePoolWithTag(NonPagedPool, 2 * PAGE_SIZE, TAG);
    PMDL Mdl = IoAllocateMdl(Buffer + 0x40, PAGE_SIZE, FALSE, FALSE, NULL);
    ULONG Free = MmTotalFreeSystemPtes;
    PUCHAR View, Again;

    KT_ASSERT(Buffer != NULL && Mdl != NULL);
    MmProbeAndLockPages(Mdl, KernelMode, IoModifyAccess);
    View = MmGetSystemAddressForMdlSafe(Mdl, NormalPagePriority);
    KT_ASSERT(View != NULL);
    KT_EXPECT(View != Buffer + 0x40);
    KT_EXPECT_EQ(BYTE_OFFSET(View), 0x40);
    KT_EXPECT(Mdl->MdlFlags & MDL_MAPPED_TO_SYSTEM_VA);
    KT_EXPECT_EQ(MmTotalFreeSystemPtes, Free - 2);
    Again = MmGetSystemAddressForMdlSafe(Mdl, NormalPagePriority);
    KT_EXPECT(Again == View);                       /* mapped already: the same address */
    View[100] = 0xAB;
    KT_EXPECT_EQ(Buffer[0x40 + 100], 0xAB);
    KT_EXPECT_EQ(MmGetPhysicalAddress(View).QuadPart, MmGetPhysicalAddress(Buffer + 0x40).QuadPart);
    MmUnmapLockedPages(View, Mdl);
    KT_EXPECT_EQ(MmTotalFreeSystemPtes, Free);
    KT_EXPECT_EQ(KtProbeRead(View), STATUS_ACCESS_VIOLATION);
    KT_EXPECT_EQ(Mdl->MdlFlags & MDL_MAPPED_TO_SYSTEM_VA, 0);
    /* The old interface maps too. */
    View = MmMapLockedPages(Mdl, KernelMode);
    KT_EXPECT_EQ(View[100], 0xAB);
    MmUnlockPages(Mdl);                             /* unmaps what is still mapped */
    KT_EXPECT_EQ(MmTotalFreeSystemPtes, Free);
    IoFreeMdl(Mdl);
    ExFreePoolWithTag(Buffer, TAG);
}

/* A page MDL's first mapping chooses its memory type; every later mapping follows it, whatever it asks. */
KTEST(mdl, a_page_mdl_keeps_the_memory_type_of_its_first_mapping)
{
    PMDL Mdl = MmAllocatePagesForMdl(KtPhysical(0), KtPhysical(0xFFFFFFFF), KtPhysical(0), 2 * PAGE_SIZE);
    PHYSICAL_ADDRESS Second;
    PUCHAR View, Alias;
    PMMPFN Pfn1;

    KT_ASSERT(Mdl != NULL);
    Pfn1 = MI_PFN_ELEMENT(MmGetMdlPfnArray(Mdl)[1]);
    Second = KtPhysical(PFN_TO_PHYSICAL(MmGetMdlPfnArray(Mdl)[1]));
    KT_EXPECT_EQ(Pfn1->u3.e2.e1.CacheAttribute, MiNotMapped);
    View = MmMapLockedPagesSpecifyCache(Mdl, KernelMode, MmNonCached, NULL, FALSE, NormalPagePriority);
    KT_ASSERT(View != NULL);
    KT_EXPECT(MiAddressToPte(View)->u.Hard.CacheDisable && MiAddressToPte(View + PAGE_SIZE)->u.Hard.CacheDisable);
    KT_EXPECT_EQ(Pfn1->u3.e2.e1.CacheAttribute, MiNonCached);
    MmUnmapLockedPages(View, Mdl);
    /* Asked for cached, given the pages' own type (NT's cache override). */
    View = MmMapLockedPagesSpecifyCache(Mdl, KernelMode, MmCached, NULL, FALSE, NormalPagePriority);
    KT_ASSERT(View != NULL);
    KT_EXPECT(MiAddressToPte(View + PAGE_SIZE)->u.Hard.CacheDisable);
    /* I/O space views of the pages must use that type too. */
    KT_EXPECT(MmMapIoSpace(Second, PAGE_SIZE, MmCached) == NULL);
    Alias = MmMapIoSpace(Second, PAGE_SIZE, MmNonCached);
    KT_ASSERT(Alias != NULL);
    KT_EXPECT(MiAddressToPte(Alias)->u.Hard.CacheDisable);
    MmUnmapIoSpace(Alias, PAGE_SIZE);
    MmFreePagesFromMdl(Mdl);
    KT_EXPECT_EQ(Pfn1->u3.e2.e1.CacheAttribute, MiCached);   /* free pages go out cached */
    ExFreePool(Mdl);
}

/*
 * Pool pages are cached. Under the initial pool's large page an uncached
 * view is refused (NT's MI_PAGE_FRAME_INDEX_MUST_BE_CACHED); elsewhere the
 * view takes the pages' own type.
 */
KTEST(mdl, an_uncached_view_of_cached_pages_is_refused_or_follows_the_pages)
{
    PUCHAR Buffer = ExAllocatePoolWithTag(NonPagedPool, PAGE_SIZE, TAG);
    PMDL Mdl = IoAllocateMdl(Buffer, PAGE_SIZE, FALSE, FALSE, NULL);
    ULONG Free = MmTotalFreeSystemPtes;
    PFN_NUMBER Frame;
    PUCHAR View;

    KT_ASSERT(Buffer != NULL && Mdl != NULL);
    MmProbeAndLockPages(Mdl, KernelMode, IoReadAccess);
    Frame = MmGetMdlPfnArray(Mdl)[0];
    View = MmMapLockedPagesSpecifyCache(Mdl, KernelMode, MmNonCached, NULL, FALSE, NormalPagePriority);
    if (MI_PAGE_FRAME_INDEX_MUST_BE_CACHED(Frame)) {
        KtLog("buffer under the initial pool's large page: refused");
        KT_EXPECT(View == NULL);
        KT_EXPECT_EQ(Mdl->MdlFlags & MDL_MAPPED_TO_SYSTEM_VA, 0);
        Mdl->MdlFlags |= MDL_MAPPING_CAN_FAIL;      /* so asking for a stop gets NULL too */
        KT_EXPECT(MmMapLockedPagesSpecifyCache(Mdl, KernelMode, MmWriteCombined, NULL, TRUE, NormalPagePriority) == NULL);
        Mdl->MdlFlags &= ~MDL_MAPPING_CAN_FAIL;
    } else {
        KtLog("buffer in 4 KB pages: mapped cached");
        KT_ASSERT(View != NULL);
        KT_EXPECT(!MiAddressToPte(View)->u.Hard.CacheDisable && !MiAddressToPte(View)->u.Hard.WriteThrough);
        MmUnmapLockedPages(View, Mdl);
    }
    KT_EXPECT_EQ(MmTotalFreeSystemPtes, Free);
    MmUnlockPages(Mdl);
    IoFreeMdl(Mdl);
    ExFreePoolWithTag(Buffer, TAG);
}

KTEST(mdl, low_priority_mapping_fails_when_ptes_are_scarce)
{
    PUCHAR Buffer = ExAllocatePoolWithTag(NonPagedPool, PAGE_SIZE, TAG);
    PMDL Mdl = IoAllocateMdl(Buffer, 64, FALSE, FALSE, NULL);
    static PMMPTE Taken[128];
    static ULONG Sizes[128];
    ULONG Chunks = 0;
    PVOID View;

    KT_ASSERT(Buffer != NULL && Mdl != NULL);
    MmProbeAndLockPages(Mdl, KernelMode, IoReadAccess);
    /* Leave about 1000 free PTEs: under the low-priority reserve, above what this mapping needs. */
    KtVerifierSuspendLowResources();
    while (MmTotalFreeSystemPtes > 1000 && Chunks < RTL_NUMBER_OF(Taken)) {
        Sizes[Chunks] = MmTotalFreeSystemPtes > 1000 + 4096 ? 4096 : 64;
        Taken[Chunks] = MiReserveSystemPtes(Sizes[Chunks]);
        KT_ASSERT(Taken[Chunks] != NULL);
        Chunks++;
    }
    KtVerifierResumeLowResources();
    KT_EXPECT(MmGetSystemAddressForMdlSafe(Mdl, LowPagePriority) == NULL);
    /* The flags a driver ORs in do not change the level. */
    KT_EXPECT(MmGetSystemAddressForMdlSafe(Mdl, LowPagePriority | MdlMappingNoExecute) == NULL);
    View = MmGetSystemAddressForMdlSafe(Mdl, HighPagePriority);
    KT_EXPECT(View != NULL);
    MmUnlockPages(Mdl);
    while (Chunks > 0) {
        Chunks--;
        MiReleaseSystemPtes(Taken[Chunks], Sizes[Chunks]);
    }
    IoFreeMdl(Mdl);
    ExFreePoolWithTag(Buffer, TAG);
}

/* MdlMappingNoWrite: a view the processor will not write through; MdlMappingNoExecute has nothing to enforce. */
static PUCHAR MapWithoutWrite(PMDL *Mdl)
{
    *Mdl = MmAllocatePagesForMdl(KtPhysical(0), KtPhysical(0xFFFFFFFF), KtPhysical(0), 2 * PAGE_SIZE);
    if (*Mdl == NULL)
        return NULL;
    KtFillPhysicalPage(MmGetMdlPfnArray(*Mdl)[1], 0x0DDBA11);
    return MmGetSystemAddressForMdlSafe(*Mdl, NormalPagePriority | MdlMappingNoWrite | MdlMappingNoExecute);
}

KTEST(mdl, a_no_write_mapping_is_read_only)
{
    PMDL Mdl;
    PUCHAR View = MapWithoutWrite(&Mdl);

    KT_ASSERT(View != NULL);
    KT_EXPECT_EQ(*(volatile ULONG *)(View + PAGE_SIZE), 0x0DDBA11);
    KT_EXPECT(!MiAddressToPte(View)->u.Hard.Write && !MiAddressToPte(View + PAGE_SIZE)->u.Hard.Write);
    MmUnmapLockedPages(View, Mdl);
    MmFreePagesFromMdl(Mdl);
    ExFreePool(Mdl);
}

KTEST_BUGCHECK(mdl, writing_through_a_no_write_mapping_stops, ATTEMPTED_WRITE_TO_READONLY_MEMORY)
{
    PMDL Mdl;
    PUCHAR View = MapWithoutWrite(&Mdl);

    KT_ASSERT(View != NULL);
    KT_BUGCHECK_PARAMETER(1, View + PAGE_SIZE);
    *(volatile ULONG *)(View + PAGE_SIZE) = 0;
}

KTEST(mdl, partial_mdls_describe_part_of_a_source)
{
    PUCHAR Buffer = ExAllocatePoolWithTag(NonPagedPool, 4 * PAGE_SIZE, TAG);
    PMDL Source = IoAllocateMdl(Buffer, 4 * PAGE_SIZE, FALSE, FALSE, NULL);
    PMDL Partial = IoAllocateMdl(Buffer, 4 * PAGE_SIZE, FALSE, FALSE, NULL);
    PUCHAR View;

    KT_ASSERT(Buffer && Source && Partial);
    MmProbeAndLockPages(Source, KernelMode, IoWriteAccess);
    IoBuildPartialMdl(Source, Partial, Buffer + PAGE_SIZE + 8, PAGE_SIZE);
    KT_EXPECT(Partial->MdlFlags & MDL_PARTIAL);
    KT_EXPECT_EQ(Partial->ByteOffset, 8);
    KT_EXPECT_EQ(Partial->ByteCount, PAGE_SIZE);
    KT_EXPECT(PfnsMatchBuffer(Partial));
    KT_EXPECT_EQ(MmGetMdlPfnArray(Partial)[0], MmGetMdlPfnArray(Source)[1]);
    View = MmGetSystemAddressForMdlSafe(Partial, NormalPagePriority);
    KT_ASSERT(View != NULL);
    KT_EXPECT(Partial->MdlFlags & MDL_PARTIAL_HAS_BEEN_MAPPED);
    View[0] = 0x5C;
    KT_EXPECT_EQ(Buffer[PAGE_SIZE + 8], 0x5C);
    MmPrepareMdlForReuse(Partial);                  /* unmaps the partial's view */
    KT_EXPECT_EQ(Partial->MdlFlags & (MDL_PARTIAL_HAS_BEEN_MAPPED | MDL_MAPPED_TO_SYSTEM_VA), 0);
    /* Length 0 runs to the end of the source. */
    IoBuildPartialMdl(Source, Partial, Buffer + 3 * PAGE_SIZE, 0);
    KT_EXPECT_EQ(Partial->ByteCount, PAGE_SIZE);
    KT_EXPECT_EQ(MmGetMdlPfnArray(Partial)[0], MmGetMdlPfnArray(Source)[3]);
    IoFreeMdl(Partial);
    MmUnlockPages(Source);
    IoFreeMdl(Source);
    ExFreePoolWithTag(Buffer, TAG);
}

/* As in NT, a partial MDL of a mapped source points into the source's mapping instead of making its own. */
KTEST(mdl, partial_mdl_of_a_mapped_source_shares_its_mapping)
{
    PUCHAR Buffer = ExAllocatePoolWithTag(NonPagedPool, 4 * PAGE_SIZE, TAG);
    PMDL Source = IoAllocateMdl(Buffer, 4 * PAGE_SIZE, FALSE, FALSE, NULL);
    PMDL Partial = IoAllocateMdl(Buffer, 4 * PAGE_SIZE, FALSE, FALSE, NULL);
    PUCHAR View;
    ULONG Free;

    KT_ASSERT(Buffer && Source && Partial);
    MmProbeAndLockPages(Source, KernelMode, IoWriteAccess);
    View = MmGetSystemAddressForMdlSafe(Source, NormalPagePriority);
    KT_ASSERT(View != NULL);
    Free = MmTotalFreeSystemPtes;
    IoBuildPartialMdl(Source, Partial, Buffer + PAGE_SIZE + 8, PAGE_SIZE);
    KT_EXPECT_EQ(Partial->MdlFlags & (MDL_MAPPED_TO_SYSTEM_VA | MDL_PARENT_MAPPED_SYSTEM_VA),
                 MDL_MAPPED_TO_SYSTEM_VA | MDL_PARENT_MAPPED_SYSTEM_VA);
    KT_EXPECT(Partial->MappedSystemVa == View + PAGE_SIZE + 8);
    KT_EXPECT(MmGetSystemAddressForMdlSafe(Partial, NormalPagePriority) == View + PAGE_SIZE + 8);
    KT_EXPECT(MmMapLockedPagesSpecifyCache(Partial, KernelMode, MmCached, NULL, FALSE, NormalPagePriority) ==
              View + PAGE_SIZE + 8);
    KT_EXPECT_EQ(MmTotalFreeSystemPtes, Free);
    /* Freeing the partial MDL leaves the source's mapping alone. */
    IoFreeMdl(Partial);
    KT_EXPECT(Source->MdlFlags & MDL_MAPPED_TO_SYSTEM_VA);
    KT_EXPECT_EQ(KtProbeWrite(View + 3 * PAGE_SIZE), STATUS_SUCCESS);
    KT_EXPECT_EQ(MmTotalFreeSystemPtes, Free);
    MmUnlockPages(Source);
    IoFreeMdl(Source);
    ExFreePoolWithTag(Buffer, TAG);
}

KTEST(mdl, partial_mdl_of_a_nonpaged_pool_mdl_keeps_its_address)
{
    PUCHAR Buffer = ExAllocatePoolWithTag(NonPagedPool, 2 * PAGE_SIZE, TAG);
    PMDL Source = IoAllocateMdl(Buffer, 2 * PAGE_SIZE, FALSE, FALSE, NULL);
    PMDL Partial = IoAllocateMdl(Buffer, 2 * PAGE_SIZE, FALSE, FALSE, NULL);

    KT_ASSERT(Buffer && Source && Partial);
    MmBuildMdlForNonPagedPool(Source);
    IoBuildPartialMdl(Source, Partial, Buffer + 100, 200);
    KT_EXPECT(Partial->MdlFlags & MDL_SOURCE_IS_NONPAGED_POOL);
    KT_EXPECT(MmGetSystemAddressForMdlSafe(Partial, NormalPagePriority) == Buffer + 100);
    IoFreeMdl(Partial);
    IoFreeMdl(Source);
    ExFreePoolWithTag(Buffer, TAG);
}

KTEST(mdl, allocate_pages_for_mdl_honours_range_and_zeroes)
{
    KT_SKIP_UNDER_SPECIAL_POOL();
    PHYSICAL_ADDRESS Low, High, Skip;
    PFN_NUMBER Available = MmAvailablePages;
    PMDL Mdl;
    PULONG Pages;
    PUCHAR View;

    Low.QuadPart = 0x00200000;
    High.QuadPart = 0x00FFFFFF;
    Skip.QuadPart = 0;
    Mdl = MmAllocatePagesForMdl(Low, High, Skip, 10 * PAGE_SIZE);
    KT_ASSERT(Mdl != NULL);
    KT_EXPECT_EQ(Mdl->ByteCount, 10 * PAGE_SIZE);
    KT_EXPECT(Mdl->MdlFlags & MDL_PAGES_LOCKED);
    KT_EXPECT_EQ(MmAvailablePages, Available - 10);
    Pages = MmGetMdlPfnArray(Mdl);
    for (ULONG i = 0; i < 10; i++) {
        KT_EXPECT(Pages[i] >= 0x200 && Pages[i] <= 0xFFF);
        KT_EXPECT(KtPhysicalPageHolds(Pages[i], 0));
        KtFillPhysicalPage(Pages[i], 0x11111111 * i);
    }
    View = MmMapLockedPagesSpecifyCache(Mdl, KernelMode, MmCached, NULL, FALSE, NormalPagePriority);
    KT_ASSERT(View != NULL);
    KT_EXPECT_EQ(*(PULONG)(View + 3 * PAGE_SIZE), 0x33333333);
    MmUnmapLockedPages(View, Mdl);
    MmFreePagesFromMdl(Mdl);
    ExFreePool(Mdl);
    KT_EXPECT_EQ(MmAvailablePages, Available);
}

KTEST(mdl, allocate_pages_for_mdl_may_return_fewer_and_respects_flags)
{
    PHYSICAL_ADDRESS Low, High, Skip;
    PMDL Mdl;

    /* A window of 16 pages below 1 MB, no skipping: at most those that are free. */
    Low.QuadPart = 0x80000;
    High.QuadPart = 0x8FFFF;
    Skip.QuadPart = 0;
    Mdl = MmAllocatePagesForMdlEx(Low, High, Skip, 64 * PAGE_SIZE, MmCached, 0);
    KT_ASSERT(Mdl != NULL);
    KT_EXPECT(Mdl->ByteCount <= 16 * PAGE_SIZE);
    MmFreePagesFromMdl(Mdl);
    ExFreePool(Mdl);
    KT_EXPECT(MmAllocatePagesForMdlEx(Low, High, Skip, 64 * PAGE_SIZE, MmCached, MM_ALLOCATE_FULLY_REQUIRED) == NULL);
    /* With a skip the window moves up until it has found enough. */
    Skip.QuadPart = 0x10000;
    Mdl = MmAllocatePagesForMdlEx(Low, High, Skip, 40 * PAGE_SIZE, MmCached, MM_DONT_ZERO_ALLOCATION);
    KT_ASSERT(Mdl != NULL);
    KT_EXPECT_EQ(Mdl->ByteCount, 40 * PAGE_SIZE);
    MmFreePagesFromMdl(Mdl);
    ExFreePool(Mdl);
    /* Impossible constraints. */
    KT_EXPECT(MmAllocatePagesForMdl(High, Low, Skip, PAGE_SIZE) == NULL);
    KT_EXPECT(MmAllocatePagesForMdl(Low, High, Skip, 0) == NULL);
    /* A highest address past what a page number holds takes in all RAM; it does not wrap to page 0. */
    Skip.QuadPart = 0;
    High.QuadPart = 1LL << 44;
    Mdl = MmAllocatePagesForMdl(Low, High, Skip, PAGE_SIZE);
    KT_ASSERT(Mdl != NULL);
    KT_EXPECT(MmGetMdlPfnArray(Mdl)[0] >= PHYSICAL_TO_PFN(Low.QuadPart));
    MmFreePagesFromMdl(Mdl);
    ExFreePool(Mdl);
}

/* Freed slots read MM_EMPTY_LIST, so freeing twice cannot free a frame another MDL owns by now. */
KTEST(mdl, freeing_pages_from_an_mdl_twice_frees_nothing_the_second_time)
{
    PMDL First = MmAllocatePagesForMdl(KtPhysical(0), KtPhysical(0xFFFFFFFF), KtPhysical(0), PAGE_SIZE), Second;
    PFN_NUMBER Page, Available;

    KT_ASSERT(First != NULL);
    Page = MmGetMdlPfnArray(First)[0];
    MmFreePagesFromMdl(First);
    KT_EXPECT_EQ(MmGetMdlPfnArray(First)[0], MM_EMPTY_LIST);
    KT_EXPECT_EQ(First->MdlFlags & MDL_PAGES_LOCKED, 0);
    /* The same frame goes to a second MDL... */
    Second = MmAllocatePagesForMdl(KtPhysical(PFN_TO_PHYSICAL(Page)), KtPhysical(PFN_TO_PHYSICAL(Page) + PAGE_SIZE - 1),
                                   KtPhysical(0), PAGE_SIZE);
    KT_ASSERT(Second != NULL);
    KT_ASSERT_EQ(MmGetMdlPfnArray(Second)[0], Page);
    /* ...and a second free of the first MDL leaves it alone. */
    Available = MmAvailablePages;
    MmFreePagesFromMdl(First);
    KT_EXPECT_EQ(MmAvailablePages, Available);
    KT_EXPECT_EQ(MI_PFN_ELEMENT(Page)->u3.e2.e1.PageLocation, ActiveAndValid);
    KT_EXPECT_EQ(MI_PFN_ELEMENT(Page)->u3.e2.ReferenceCount, 1);
    MmFreePagesFromMdl(Second);
    ExFreePool(Second);
    ExFreePool(First);
}

/* kmtest MmMdl's "map it, and free without unmapping": the mapping goes first, then the pages. */
KTEST(mdl, freeing_pages_from_a_mapped_mdl_releases_the_mapping)
{
    ULONG Free = MmTotalFreeSystemPtes;
    PMDL Mdl = MmAllocatePagesForMdl(KtPhysical(0), KtPhysical(0xFFFFFFFF), KtPhysical(0), 2 * 1024 * 1024);
    PFN_NUMBER Available;
    PUCHAR View;

    KT_ASSERT(Mdl != NULL);
    View = MmMapLockedPagesSpecifyCache(Mdl, KernelMode, MmCached, NULL, FALSE, NormalPagePriority);
    KT_ASSERT(View != NULL);
    KT_EXPECT_EQ(MmTotalFreeSystemPtes, Free - 512);
    Available = MmAvailablePages;          /* after any page table the mapping needed */
    MmFreePagesFromMdl(Mdl);
    KT_EXPECT_EQ(Mdl->MdlFlags & (MDL_MAPPED_TO_SYSTEM_VA | MDL_PAGES_LOCKED), 0);
    KT_EXPECT_EQ(MmTotalFreeSystemPtes, Free);
    KT_EXPECT_EQ(KtProbeRead(View), STATUS_ACCESS_VIOLATION);
    KT_EXPECT_EQ(KtProbeRead(View + 511 * PAGE_SIZE), STATUS_ACCESS_VIOLATION);
    KT_EXPECT_EQ(MmAvailablePages, Available + 512);
    KT_EXPECT(MiCheckPfnDatabase(TRUE));
    ExFreePool(Mdl);
}

/* NT's own comment: the MDL may describe fewer pages than asked for. Asking for more than is free is no error. */
KTEST(mdl, allocate_pages_for_mdl_beyond_what_is_available_returns_what_it_found)
{
    ULONGLONG Beyond = ((ULONGLONG)MmAvailablePages + 1) * PAGE_SIZE;
    PMDL Mdl;

    /* Below 576 KB, where only a few dozen pages can be had. */
    Mdl = MmAllocatePagesForMdl(KtPhysical(0), KtPhysical(0x8FFFF), KtPhysical(0),
                                Beyond > 0xFFFFF000 ? 0xFFFFF000 : (SIZE_T)Beyond);
    KT_ASSERT(Mdl != NULL);
    KT_EXPECT(Mdl->ByteCount > 0 && Mdl->ByteCount <= 0x90 * PAGE_SIZE);
    MmFreePagesFromMdl(Mdl);
    ExFreePool(Mdl);
}

/* An MDL's Size must hold its PFNs as the unsigned 16-bit count it is: at most 16,376 pages. */
KTEST(mdl, allocate_pages_for_mdl_stops_at_what_one_mdl_can_describe)
{
    SIZE_T Asked = (MM_MAXIMUM_MDL_PAGES + 100) * PAGE_SIZE;
    PMDL Mdl = MmAllocatePagesForMdl(KtPhysical(0), KtPhysical(0xFFFFFFFF), KtPhysical(0), Asked);

    KT_ASSERT(Mdl != NULL);
    KT_EXPECT(Mdl->ByteCount <= MM_MAXIMUM_MDL_PAGES * PAGE_SIZE);
    KT_EXPECT_EQ((USHORT)Mdl->Size, MmSizeOfMdl(NULL, Mdl->ByteCount));
    KtLog("asked %u pages, got %u", Asked / PAGE_SIZE, Mdl->ByteCount / PAGE_SIZE);
    MmFreePagesFromMdl(Mdl);
    ExFreePool(Mdl);
    KT_EXPECT(MmAllocatePagesForMdlEx(KtPhysical(0), KtPhysical(0xFFFFFFFF), KtPhysical(0), Asked, MmCached,
                                      MM_ALLOCATE_FULLY_REQUIRED) == NULL);
}

/* Flags NT does not know fail the call; a caching type past the last valid one leaves the choice to the mapping. */
KTEST(mdl, allocate_pages_for_mdl_ex_refuses_unknown_flags_and_translates_cache_types)
{
    static const struct {
        MEMORY_CACHING_TYPE CacheType;
        ULONG Attribute;
    } Types[] = {
        { MmCached, MiCached }, { MmNonCached, MiNonCached }, { MmHardwareCoherentCached, MiCached },
        { MmNonCachedUnordered, MiNonCached }, { MmMaximumCacheType, MiNotMapped }, { 0x100, MiNotMapped },
    };
    PHYSICAL_ADDRESS Low = KtPhysical(0), High = KtPhysical(0xFFFFFFFF), Skip = KtPhysical(0);

    KT_EXPECT(MmAllocatePagesForMdlEx(Low, High, Skip, PAGE_SIZE, MmCached, 0x100) == NULL);
    KT_EXPECT(MmAllocatePagesForMdlEx(Low, High, Skip, PAGE_SIZE, MmCached,
                                      MM_ALLOCATE_REQUIRE_CONTIGUOUS_CHUNKS) == NULL);
    KT_EXPECT(MmAllocatePagesForMdlEx(Low, High, KtPhysical(0x1800), PAGE_SIZE, MmCached, 0) == NULL);
    for (ULONG i = 0; i < RTL_NUMBER_OF(Types); i++) {
        PMDL Mdl = MmAllocatePagesForMdlEx(Low, High, Skip, PAGE_SIZE, Types[i].CacheType,
                                           MM_ALLOCATE_NO_WAIT | MM_ALLOCATE_FROM_LOCAL_NODE_ONLY);

        KT_ASSERT(Mdl != NULL);
        KT_EXPECT_EQ(MI_PFN_ELEMENT(MmGetMdlPfnArray(Mdl)[0])->u3.e2.e1.CacheAttribute, Types[i].Attribute);
        MmFreePagesFromMdl(Mdl);
        ExFreePool(Mdl);
    }
}

KTEST_BUGCHECK(mdl, unlocking_pages_not_locked_stops_with_0x76, PROCESS_HAS_LOCKED_PAGES)
{
    PMDL Mdl = IoAllocateMdl((PVOID)KeBugCheckEx, 100, FALSE, FALSE, NULL);

    KT_BUGCHECK_PARAMETER(1, 1);
    KT_BUGCHECK_PARAMETER(2, (ULONG_PTR)Mdl);
    MmUnlockPages(Mdl);
}

KTEST_BUGCHECK(mdl, unlocking_twice_stops_with_0x76, PROCESS_HAS_LOCKED_PAGES)
{
    PMDL Mdl = IoAllocateMdl((PVOID)KeBugCheckEx, 100, FALSE, FALSE, NULL);

    KT_BUGCHECK_PARAMETER(1, 1);
    MmProbeAndLockPages(Mdl, KernelMode, IoReadAccess);
    MmUnlockPages(Mdl);
    MmUnlockPages(Mdl);
}

KTEST_BUGCHECK(mdl, freeing_a_locked_mdl_stops_with_0xcb, DRIVER_LEFT_LOCKED_PAGES_IN_PROCESS)
{
    PMDL Mdl = IoAllocateMdl((PVOID)KeBugCheckEx, 2 * PAGE_SIZE, FALSE, FALSE, NULL);

    KT_BUGCHECK_PARAMETER(3, (ULONG_PTR)Mdl);
    KT_BUGCHECK_PARAMETER(4, ADDRESS_AND_SIZE_TO_SPAN_PAGES(KeBugCheckEx, 2 * PAGE_SIZE));
    MmProbeAndLockPages(Mdl, KernelMode, IoReadAccess);
    IoFreeMdl(Mdl);
}

KTEST_BUGCHECK(mdl, mapping_unlocked_pages_stops_with_0x1a_1233, MEMORY_MANAGEMENT)
{
    PMDL Mdl = IoAllocateMdl((PVOID)KeBugCheckEx, 100, FALSE, FALSE, NULL);

    MmGetMdlPfnArray(Mdl)[0] = 0x123;
    KT_BUGCHECK_PARAMETER(1, 0x1233);
    KT_BUGCHECK_PARAMETER(2, 0x123);
    MmMapLockedPagesSpecifyCache(Mdl, KernelMode, MmCached, NULL, TRUE, NormalPagePriority);
}

KTEST_BUGCHECK(mdl, a_mapping_that_must_not_fail_stops_with_0x3f, NO_MORE_SYSTEM_PTES)
{
    PMDL Mdl = IoAllocateMdl((PVOID)KeBugCheckEx, 2 * PAGE_SIZE, FALSE, FALSE, NULL);

    MmProbeAndLockPages(Mdl, KernelMode, IoReadAccess);
    while (MiReserveSystemPtes(4096) != NULL)
        ;
    while (MiReserveSystemPtes(1) != NULL)
        ;
    KT_BUGCHECK_PARAMETER(1, 0);
    KT_BUGCHECK_PARAMETER(2, ADDRESS_AND_SIZE_TO_SPAN_PAGES(KeBugCheckEx, 2 * PAGE_SIZE));
    KT_BUGCHECK_PARAMETER(3, 0);
    MmMapLockedPages(Mdl, KernelMode);
}
