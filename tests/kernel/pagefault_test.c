/* pagefault_test.c: MmAccessFault for real: demand-zero pages, probes in try blocks, and the stops. */
#define NTMM_MM_WHITEBOX_TEST
#include "ktest.h"
#include "../../mm/mi.h"
#include "mmtest.h"
#include "userprog.h"
#include <ps.h>
#include <ob.h>

KTEST(pagefault, demand_zero_page_arrives_on_first_touch)
{
    PFN_NUMBER Available = MmAvailablePages;
    ULONG Faults = MmStatistics.DemandZeroFaults;
    PULONG Pages = MiAllocatePoolPages(MiPagedPoolPages, 3 * PAGE_SIZE);
    PMMPTE PointerPte;

    KT_ASSERT(Pages != NULL);
    PointerPte = MiAddressToPte(Pages);
    for (ULONG i = 0; i < 3; i++) {
        KT_EXPECT(MiIsDemandZeroPte(PointerPte[i]));
        KT_EXPECT(!MmIsAddressValid((PUCHAR)Pages + i * PAGE_SIZE));
    }
    /* Only the page table the range needed was taken. */
    KT_EXPECT(MmAvailablePages + 1 >= Available);
    Available = MmAvailablePages;

    KT_EXPECT_EQ(Pages[1024 + 7], 0);          /* a read faults the second page in */
    KT_EXPECT_EQ(MmStatistics.DemandZeroFaults, Faults + 1);
    KT_EXPECT_EQ(MmAvailablePages, Available - 1);
    KT_EXPECT(PointerPte[1].u.Hard.Valid);
    KT_EXPECT(!PointerPte[0].u.Hard.Valid && !PointerPte[2].u.Hard.Valid);
    KT_EXPECT_EQ(MI_PFN_ELEMENT(PFN_FROM_PTE(&PointerPte[1]))->PteAddress, &PointerPte[1]);

    for (ULONG i = 0; i < 3 * 1024; i++)       /* every word of every page is zero */
        if (Pages[i] != 0)
            KT_EXPECT_EQ(Pages[i], 0);
    Pages[2 * 1024] = 0x12345678;              /* a write faults the third page in */
    KT_EXPECT_EQ(Pages[2 * 1024], 0x12345678);
    KT_EXPECT_EQ(MmStatistics.DemandZeroFaults, Faults + 3);
    KT_EXPECT_EQ(MmAvailablePages, Available - 3);

    KT_EXPECT_EQ(MiFreePoolPages(Pages), 3);
    KT_EXPECT_EQ(MmAvailablePages, Available);
    KT_EXPECT_EQ(PointerPte[0].u.Long, 0);
    KT_EXPECT_EQ(KtProbeRead(Pages), STATUS_ACCESS_VIOLATION);
}

/*
 * With no zeroed page in stock the fault takes the free list's first page
 * and zeroes it through the faulting address itself (no hyperspace): it
 * must arrive all zeroes whatever it held. A read-only demand-zero page
 * cannot be zeroed through its own PTE and is zeroed in hyperspace.
 */
KTEST(pagefault, a_dirty_free_page_arrives_zeroed_writable_or_not)
{
    PFN_NUMBER Held = KtHoldPages(TRUE, 0);
    PULONG Pages = MiAllocatePoolPages(MiPagedPoolPages, 2 * PAGE_SIZE);
    PMMPTE PointerPte;
    ULONG Zeroed = MmStatistics.PagesZeroed, Flushes;
    PFN_NUMBER Dirty;
    BOOLEAN AllZero = TRUE;

    KT_ASSERT(Pages != NULL);
    PointerPte = MiAddressToPte(Pages);
    Dirty = MmFreePageListHead.Flink;
    KT_ASSERT(Dirty != MM_EMPTY_LIST);
    KtFillPhysicalPage(Dirty, 0xA5A5A5A5);
    Flushes = MmStatistics.TbFlushSingle;
    Pages[5] = 1;
    KT_EXPECT_EQ(PFN_FROM_PTE(PointerPte), Dirty);
    KT_EXPECT_EQ(MmStatistics.TbFlushSingle, Flushes);          /* no hyperspace mapping made and flushed */
    KT_EXPECT_EQ(MmStatistics.PagesZeroed, Zeroed + 1);
    for (ULONG i = 0; i < PAGE_SIZE / sizeof(ULONG); i++)
        AllZero &= Pages[i] == (i == 5);
    KT_EXPECT(AllZero);

    MI_WRITE_INVALID_PTE(&PointerPte[1], MiMakeDemandZeroPte(MM_READONLY));
    Dirty = MmFreePageListHead.Flink;
    KtFillPhysicalPage(Dirty, 0x5A5A5A5A);
    KT_EXPECT_EQ(Pages[1024 + 9], 0);
    KT_EXPECT_EQ(PFN_FROM_PTE(&PointerPte[1]), Dirty);
    KT_EXPECT(!PointerPte[1].u.Hard.Write);
    KT_EXPECT(KtPhysicalPageHolds(Dirty, 0));
    KT_EXPECT_EQ(MmStatistics.PagesZeroed, Zeroed + 2);
    KT_EXPECT_EQ(MiFreePoolPages(Pages), 2);
    KtReleaseHeldPages(Held);
}

KTEST(pagefault, probe_of_an_unmapped_system_address_raises_access_violation)
{
    KT_EXPECT_EQ(KtProbeRead((PVOID)(KT_UNMAPPED_SYSTEM_ADDRESS + 0x123)), STATUS_ACCESS_VIOLATION);
    KT_EXPECT_EQ(KtProbeRead((PVOID)HYPER_SPACE_END), STATUS_ACCESS_VIOLATION);
    KT_EXPECT_EQ(KtProbeRead(KiBootStackGuard), STATUS_ACCESS_VIOLATION);
    KT_EXPECT_EQ(KtProbeRead(__ImageBase), STATUS_SUCCESS);
}

KTEST(pagefault, user_addresses_are_access_violations_in_try)
{
    KT_EXPECT_EQ(KtProbeRead(NULL), STATUS_ACCESS_VIOLATION);
    KT_EXPECT_EQ(KtProbeRead((PVOID)MI_LOWEST_USER_ADDRESS), STATUS_ACCESS_VIOLATION);
    KT_EXPECT_EQ(KtProbeRead((PVOID)MI_HIGHEST_USER_ADDRESS), STATUS_ACCESS_VIOLATION);
}

/* Above APC_LEVEL no fault is resolved: a probe in a try block gets the access violation instead. */
KTEST(pagefault, probe_at_dispatch_of_an_absent_paged_page_raises_and_pages_nothing_in)
{
    PUCHAR Page = MiAllocatePoolPages(MiPagedPoolPages, PAGE_SIZE);
    ULONG Faults = MmStatistics.DemandZeroFaults;
    PFN_NUMBER Available;
    NTSTATUS Status;
    KIRQL OldIrql;

    KT_ASSERT(Page != NULL);
    Available = MmAvailablePages;
    KeRaiseIrql(DISPATCH_LEVEL, &OldIrql);
    Status = KtProbeRead(Page + 8);
    KeLowerIrql(OldIrql);
    KT_EXPECT_EQ(Status, STATUS_ACCESS_VIOLATION);
    KT_EXPECT(!MmIsAddressValid(Page));
    KT_EXPECT(MiIsDemandZeroPte(*MiAddressToPte(Page)));
    KT_EXPECT_EQ(MmStatistics.DemandZeroFaults, Faults);
    KT_EXPECT_EQ(MmAvailablePages, Available);
    KT_EXPECT_EQ(KtProbeRead(Page + 8), STATUS_SUCCESS);   /* at PASSIVE_LEVEL the same probe pages it in */
    KT_EXPECT_EQ(MmStatistics.DemandZeroFaults, Faults + 1);
    MiFreePoolPages(Page);
}

/* APC_LEVEL is still low enough to page in: paged pool's first touch there resolves, zeroed. */
KTEST(pagefault, first_touch_of_paged_pool_at_apc_level_resolves)
{
    PULONG Page = MiAllocatePoolPages(MiPagedPoolPages, PAGE_SIZE);
    ULONG Faults = MmStatistics.DemandZeroFaults;
    KIRQL OldIrql;
    ULONG Value;

    KT_ASSERT(Page != NULL);
    KeRaiseIrql(APC_LEVEL, &OldIrql);
    Value = Page[100];
    KeLowerIrql(OldIrql);
    KT_EXPECT_EQ(Value, 0);
    KT_EXPECT(MiAddressToPte(Page)->u.Hard.Valid);
    KT_EXPECT_EQ(MmStatistics.DemandZeroFaults, Faults + 1);
    MiFreePoolPages(Page);
}

/*
 * Paged pool's first touch from a process whose directory was made before
 * the page table: the fault copies the master PDE, the touch faults again
 * and the page arrives zeroed.
 */
KTEST(pagefault, first_touch_of_paged_pool_in_a_directory_without_its_page_table)
{
    ULONG_PTR Region = (ULONG_PTR)MmPagedPoolStart;
    SIZE_T Bytes;
    ULONG Syncs, Faults;
    PEPROCESS Process;
    KAPC_STATE ApcState;
    PUCHAR Run, Target;
    ULONG Value;

    while (Region < (ULONG_PTR)MmPagedPoolEnd && MmSystemPagePtes[MiAddressToPdeOffset(Region)].u.Hard.Valid)
        Region += PDE_MAPPED_SIZE;
    if (Region >= (ULONG_PTR)MmPagedPoolEnd)
        KT_SKIP("every paged pool page table exists already");
    /* The directory is made first, so it lacks the table the run below brings into being. */
    KT_ASSERT_EQ(PsCreateProcess("pdesync", 0, &Process), STATUS_SUCCESS);
    /* A run this long reaches into the region at least: its first page there has a new table. */
    Bytes = Region + PAGE_SIZE - (ULONG_PTR)MmPagedPoolStart;
    Run = MiAllocatePoolPages(MiPagedPoolPages, Bytes);
    if (Run == NULL) {
        BOOLEAN NoCommitment = BYTES_TO_PAGES(Bytes) > MmTotalCommitLimit - MmTotalCommittedPages;

        PsTerminateProcess(Process, STATUS_SUCCESS);
        ObDereferenceObject(Process);
        if (NoCommitment)
            KT_SKIP("paged pool is committed when allocated, and a run reaching the region needs more than is left");
        KT_ASSERT(!"a run of paged pool reaching the region");
    }
    Target = (ULONG_PTR)Run > Region ? Run : (PUCHAR)Region;
    KeStackAttachProcess(&Process->Pcb, &ApcState);
    KT_EXPECT(!MiAddressToPde(Target)->u.Hard.Valid);
    Syncs = MmStatistics.SystemPdeSyncs;
    Faults = MmStatistics.DemandZeroFaults;
    Value = *(volatile ULONG *)(Target + 12);
    KT_EXPECT_EQ(Value, 0);
    KT_EXPECT(MiAddressToPte(Target)->u.Hard.Valid);
    KT_EXPECT_EQ(MmStatistics.SystemPdeSyncs, Syncs + 1);
    KT_EXPECT_EQ(MmStatistics.DemandZeroFaults, Faults + 1);
    KeUnstackDetachProcess(&ApcState);
    MiFreePoolPages(Run);
    PsTerminateProcess(Process, STATUS_SUCCESS);
    ObDereferenceObject(Process);
}

/*
 * Ring 3 reading a paged pool page nobody touched yet: an access violation
 * for the program, and the page is not brought in on its behalf (the
 * kernel's quick way through a paged pool fault is for kernel mode only).
 */
KTEST(pagefault, ring_3_touching_untouched_paged_pool_gets_an_access_violation_and_pages_nothing_in)
{
    PULONG Page = MiAllocatePoolPages(MiPagedPoolPages, PAGE_SIZE);

    KT_ASSERT(Page != NULL);
    KT_EXPECT_EQ(KtRunUserProgram("peek", Page), STATUS_ACCESS_VIOLATION);
    KT_EXPECT(MiIsDemandZeroPte(*MiAddressToPte(Page)));
    MiFreePoolPages(Page);
}

/* Pageable memory at DISPATCH_LEVEL: NT's rule for the probe stops the caller before anything is touched. */
KTEST_BUGCHECK(pagefault, probe_and_lock_of_paged_pool_at_dispatch_stops_with_0xa, IRQL_NOT_LESS_OR_EQUAL)
{
    PUCHAR Buffer = ExAllocatePoolWithTag(PagedPool, 2 * PAGE_SIZE, 'fgaP');
    PMDL Mdl = IoAllocateMdl(Buffer + PAGE_SIZE, 64, FALSE, FALSE, NULL);
    KIRQL OldIrql;

    KT_BUGCHECK_PARAMETER(1, (ULONG_PTR)(Buffer + PAGE_SIZE));
    KT_BUGCHECK_PARAMETER(2, DISPATCH_LEVEL);
    KT_BUGCHECK_PARAMETER(3, 0);           /* a read */
    KeRaiseIrql(DISPATCH_LEVEL, &OldIrql);
    _SEH2_TRY {
        MmProbeAndLockPages(Mdl, KernelMode, IoReadAccess);
    } _SEH2_EXCEPT(EXCEPTION_EXECUTE_HANDLER) {
    } _SEH2_END;
}

KTEST_BUGCHECK(pagefault, probe_and_lock_above_dispatch_stops_with_0xa, IRQL_NOT_LESS_OR_EQUAL)
{
    PUCHAR Buffer = ExAllocatePoolWithTag(NonPagedPool, 64, 'fgaP');
    PMDL Mdl = IoAllocateMdl(Buffer, 64, FALSE, FALSE, NULL);
    KIRQL OldIrql;

    KT_BUGCHECK_PARAMETER(1, (ULONG_PTR)Buffer);
    KT_BUGCHECK_PARAMETER(2, CLOCK2_LEVEL);
    KT_BUGCHECK_PARAMETER(3, 1);           /* a write */
    KeRaiseIrql(CLOCK2_LEVEL, &OldIrql);
    MmProbeAndLockPages(Mdl, KernelMode, IoWriteAccess);
}

KTEST(pagefault, probe_and_lock_of_nonpaged_pool_at_dispatch_locks)
{
    PUCHAR Buffer = ExAllocatePoolWithTag(NonPagedPool, 64, 'fgaP');
    PMDL Mdl = IoAllocateMdl(Buffer, 64, FALSE, FALSE, NULL);
    KIRQL OldIrql;

    KT_ASSERT(Buffer != NULL && Mdl != NULL);
    KeRaiseIrql(DISPATCH_LEVEL, &OldIrql);
    MmProbeAndLockPages(Mdl, KernelMode, IoWriteAccess);
    KT_EXPECT(Mdl->MdlFlags & MDL_PAGES_LOCKED);
    MmUnlockPages(Mdl);
    KeLowerIrql(OldIrql);
    IoFreeMdl(Mdl);
    ExFreePoolWithTag(Buffer, 'fgaP');
}

KTEST_BUGCHECK(pagefault, write_to_kernel_text_stops_with_0xbe, ATTEMPTED_WRITE_TO_READONLY_MEMORY)
{
    PUCHAR Text = (PUCHAR)KeBugCheckEx;

    KT_BUGCHECK_PARAMETER(1, (ULONG_PTR)Text);
    KT_BUGCHECK_PARAMETER(2, MiAddressToPte(Text)->u.Long);
    *(volatile UCHAR *)Text = 0xCC;
}

KTEST_BUGCHECK(pagefault, write_to_read_only_data_stops_with_0xbe, ATTEMPTED_WRITE_TO_READONLY_MEMORY)
{
    extern const ULONG NtBuildNumber;

    KT_BUGCHECK_PARAMETER(1, (ULONG_PTR)&NtBuildNumber);
    *(volatile ULONG *)&NtBuildNumber = 1;
}

KTEST_BUGCHECK(pagefault, touching_unmapped_system_space_stops_with_0x50, PAGE_FAULT_IN_NONPAGED_AREA)
{
    PVOID Address = (PVOID)(KT_UNMAPPED_SYSTEM_ADDRESS + 0x10);

    KT_BUGCHECK_PARAMETER(1, (ULONG_PTR)Address);
    KT_BUGCHECK_PARAMETER(2, 1);               /* a write */
    *(volatile ULONG *)Address = 0;
}

/* A plain load is not a probe: a try block does not turn it into an exception. */
KTEST_BUGCHECK(pagefault, plain_load_in_try_still_stops_with_0x50, PAGE_FAULT_IN_NONPAGED_AREA)
{
    KT_BUGCHECK_PARAMETER(1, (ULONG_PTR)KiBootStackGuard);
    KT_BUGCHECK_PARAMETER(2, 0);               /* a read */
    _SEH2_TRY {
        (void)*(volatile ULONG *)KiBootStackGuard;
    } _SEH2_EXCEPT(EXCEPTION_EXECUTE_HANDLER) {
    } _SEH2_END;
}

KTEST_BUGCHECK(pagefault, pageable_touch_at_dispatch_stops_with_0xa, IRQL_NOT_LESS_OR_EQUAL)
{
    PULONG Pages = MiAllocatePoolPages(MiPagedPoolPages, PAGE_SIZE);
    KIRQL OldIrql;

    KT_BUGCHECK_PARAMETER(1, (ULONG_PTR)Pages);
    KT_BUGCHECK_PARAMETER(2, DISPATCH_LEVEL);
    KT_BUGCHECK_PARAMETER(3, 0);
    KeRaiseIrql(DISPATCH_LEVEL, &OldIrql);
    (void)*(volatile ULONG *)Pages;
}

static volatile ULONG RecursionLimit = 0xFFFFFFFF; /* never reached; hides the recursion's end from GCC */

static ULONG __attribute__((noinline)) Recurse(ULONG Depth)
{
    volatile UCHAR Frame[256];

    Frame[0] = (UCHAR)Depth;
    if (Depth == RecursionLimit)
        return 0;
    return Recurse(Depth + 1) + Frame[0];
}

/* Running off the stack hits the guard page; the double-fault task catches what follows. */
KTEST_BUGCHECK(pagefault, stack_overflow_stops_with_0x7f_8, UNEXPECTED_KERNEL_MODE_TRAP)
{
    KT_BUGCHECK_PARAMETER(1, EXCEPTION_DOUBLE_FAULT);
    Recurse(0);
}
