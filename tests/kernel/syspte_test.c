/* syspte_test.c: system PTEs and the kernel stacks made from them. */
#define NTMM_MM_WHITEBOX_TEST
#include "ktest.h"
#include "../../mm/mi.h"
#include "mmtest.h"
#include "vftest.h"

KTEST(syspte, reserve_and_release_keep_the_free_count)
{
    ULONG Free = MmTotalFreeSystemPtes;
    PMMPTE First = MiReserveSystemPtes(3), Second;

    KT_ASSERT(First != NULL);
    KT_EXPECT_EQ(MmTotalFreeSystemPtes, Free - 3);
    KT_EXPECT(MiIsSystemPteAddress(MiPteToAddress(First)));
    for (ULONG i = 0; i < 3; i++)
        KT_EXPECT_EQ(First[i].u.Long, 0);
    /* The page table behind them exists. */
    KT_EXPECT(MiAddressToPde(MiPteToAddress(First))->u.Hard.Valid);
    Second = MiReserveSystemPtes(1);
    KT_ASSERT(Second != NULL);
    KT_EXPECT(Second < First || Second >= First + 3);
    MiReleaseSystemPtes(First, 3);
    MiReleaseSystemPtes(Second, 1);
    KT_EXPECT_EQ(MmTotalFreeSystemPtes, Free);
    KT_EXPECT(MiCheckSystemPtes());
}

KTEST(syspte, ten_thousand_outstanding_do_not_collide)
{
    enum { COUNT = 10000 };
    static PMMPTE Ptes[COUNT];
    ULONG Free = MmTotalFreeSystemPtes;
    PMMPTE Extra;

    /* Where reservations land is the subject, not whether they fail: none fails on purpose here. */
    KtVerifierSuspendLowResources();
    for (ULONG i = 0; i < COUNT; i++) {
        Ptes[i] = MiReserveSystemPtes(1 + (i % 3 == 0));
        KT_ASSERT(Ptes[i] != NULL);
        Ptes[i]->u.Long = 0x100 | (i << 12);      /* an invalid PTE carrying a mark */
    }
    for (ULONG i = 0; i < COUNT; i++)
        KT_ASSERT_EQ(Ptes[i]->u.Long, 0x100 | (i << 12));
    /* Release every other one, reserve again: the holes are reused, nothing overlaps. */
    for (ULONG i = 0; i < COUNT; i += 2) {
        Ptes[i]->u.Long = 0;
        MiReleaseSystemPtes(Ptes[i], 1 + (i % 3 == 0));
    }
    Extra = MiReserveSystemPtes(1);
    KT_ASSERT(Extra != NULL);
    for (ULONG i = 1; i < COUNT; i += 2)
        KT_EXPECT(Extra < Ptes[i] || Extra >= Ptes[i] + 1 + (i % 3 == 0));
    MiReleaseSystemPtes(Extra, 1);
    for (ULONG i = 1; i < COUNT; i += 2) {
        Ptes[i]->u.Long = 0;
        MiReleaseSystemPtes(Ptes[i], 1 + (i % 3 == 0));
    }
    KT_EXPECT_EQ(MmTotalFreeSystemPtes, Free);
}

/*
 * One-PTE holes below free space: a run of two comes from where two are
 * free (not across a hole), a single PTE fills the lowest hole, a run of
 * more than a page table's worth still fits, and the map's summaries keep
 * agreeing with it throughout.
 */
KTEST(syspte, runs_skip_one_pte_holes_and_holes_get_filled)
{
    enum { HOLES = 3000 };
    static PMMPTE Ptes[2 * HOLES + 1];
    ULONG Free = MmTotalFreeSystemPtes;
    PMMPTE Two, One, Large;

    KtVerifierSuspendLowResources();   /* where runs land is the subject, not whether they fail */
    for (ULONG i = 0; i < RTL_NUMBER_OF(Ptes); i++) {
        Ptes[i] = MiReserveSystemPtes(1);
        KT_ASSERT(Ptes[i] != NULL);
        Ptes[i]->u.Long = 0x100;               /* an invalid PTE carrying a mark */
    }
    for (ULONG i = 0; i < 2 * HOLES; i += 2) {
        Ptes[i]->u.Long = 0;
        MiReleaseSystemPtes(Ptes[i], 1);
    }
    KT_EXPECT(MiCheckSystemPtes());
    Two = MiReserveSystemPtes(2);
    One = MiReserveSystemPtes(1);
    Large = MiReserveSystemPtes(PTE_PER_PAGE + 3);
    KT_ASSERT(Two != NULL && One != NULL && Large != NULL);
    KT_EXPECT(Two[0].u.Long == 0 && Two[1].u.Long == 0);
    KT_EXPECT_EQ(One->u.Long, 0);
    for (ULONG i = 0; i < PTE_PER_PAGE + 3; i++)
        KT_EXPECT_EQ(Large[i].u.Long, 0);
    KT_EXPECT(One < Ptes[RTL_NUMBER_OF(Ptes) - 1]);        /* a hole, not fresh space */
    KT_EXPECT(MiCheckSystemPtes());
    MiReleaseSystemPtes(Large, PTE_PER_PAGE + 3);
    MiReleaseSystemPtes(One, 1);
    MiReleaseSystemPtes(Two, 2);
    for (ULONG i = 1; i < 2 * HOLES; i += 2) {
        Ptes[i]->u.Long = 0;
        MiReleaseSystemPtes(Ptes[i], 1);
    }
    Ptes[2 * HOLES]->u.Long = 0;                /* the last one, above the holes */
    MiReleaseSystemPtes(Ptes[2 * HOLES], 1);
    KT_EXPECT_EQ(MmTotalFreeSystemPtes, Free);
    KT_EXPECT(MiCheckSystemPtes());
}

/* Nothing, more than the range, or more than is free: NULL, with nothing taken. */
KTEST(syspte, impossible_counts_fail_and_take_nothing)
{
    ULONG Free = MmTotalFreeSystemPtes;

    KT_EXPECT(MiReserveSystemPtes(0) == NULL);
    KT_EXPECT(MiReserveSystemPtes(MmNumberOfSystemPtes + 1) == NULL);
    KT_EXPECT(MiReserveSystemPtes(Free + 1) == NULL);
    KT_EXPECT(MiReserveSystemPtes(0xFFFFFFFF) == NULL);
    KT_EXPECT_EQ(MmTotalFreeSystemPtes, Free);
    KT_EXPECT(MiCheckSystemPtes());
}

/*
 * Released PTEs reserved again map new pages: a read through each address
 * sees its new page, not the one a TLB entry left from before the release
 * would give (the pages hold distinct patterns).
 */
KTEST(syspte, ptes_reserved_again_map_their_new_pages)
{
    enum { PAGES = 3 };
    PFN_NUMBER Old[PAGES], New[PAGES];
    PMMPTE First, Again;
    ULONG Seen = 0;

    for (ULONG i = 0; i < PAGES; i++) {
        Old[i] = MmAllocatePhysicalPage(FALSE);
        New[i] = MmAllocatePhysicalPage(FALSE);
        KT_ASSERT(Old[i] != MM_EMPTY_LIST && New[i] != MM_EMPTY_LIST);
        KtFillPhysicalPage(Old[i], 0x01010101 * (i + 1));
        KtFillPhysicalPage(New[i], 0x10101010 * (i + 1));
    }
    First = MiReserveSystemPtes(PAGES);
    KT_ASSERT(First != NULL);
    for (ULONG i = 0; i < PAGES; i++) {
        MI_WRITE_VALID_PTE(&First[i], MiMakeSystemPte(Old[i], MM_READWRITE));
        Seen += *(volatile ULONG *)MiPteToAddress(&First[i]) == 0x01010101 * (i + 1);
    }
    KT_EXPECT_EQ(Seen, PAGES);
    MiReleaseSystemPtes(First, PAGES);
    Again = MiReserveSystemPtes(PAGES);
    KT_ASSERT_EQ(Again, First);                 /* the lowest run again: the same addresses */
    for (ULONG i = 0; i < PAGES; i++) {
        MI_WRITE_VALID_PTE(&Again[i], MiMakeSystemPte(New[i], MM_READWRITE));
        Seen += *(volatile ULONG *)MiPteToAddress(&Again[i]) == 0x10101010 * (i + 1);
    }
    KT_EXPECT_EQ(Seen, 2 * PAGES);
    MiReleaseSystemPtes(Again, PAGES);
    for (ULONG i = 0; i < PAGES; i++) {
        MmFreePhysicalPage(Old[i]);
        MmFreePhysicalPage(New[i]);
    }
}

/*
 * Large runs first, then the last of them given back and taken again with
 * whatever else is left, one PTE at a time: every last PTE can be had.
 * With none left MmMapIoSpace returns NULL; with one given back it maps a
 * page there.
 */
KTEST(syspte, the_range_runs_out_and_comes_back)
{
    ULONG Free = MmTotalFreeSystemPtes, Chunks = 0, Singles = 0;
    static PMMPTE Taken[128], Single[8192];
    PVOID Va;

    /* A NULL here must mean the range is used up, not a request failed on purpose. */
    KtVerifierSuspendLowResources();
    while (Chunks < RTL_NUMBER_OF(Taken) && (Taken[Chunks] = MiReserveSystemPtes(4096)) != NULL)
        Chunks++;
    KT_EXPECT(Chunks < RTL_NUMBER_OF(Taken));
    KT_EXPECT(MiReserveSystemPtes(4096) == NULL);
    KT_EXPECT(MiCheckSystemPtes());
    KT_ASSERT(Chunks > 0);
    MiReleaseSystemPtes(Taken[--Chunks], 4096);
    while (Singles < RTL_NUMBER_OF(Single) && (Single[Singles] = MiReserveSystemPtes(1)) != NULL)
        Singles++;
    KT_EXPECT(Singles >= 4096 && Singles < RTL_NUMBER_OF(Single));
    KT_EXPECT_EQ(MmTotalFreeSystemPtes, 0);
    KT_EXPECT(MmMapIoSpace(KtPhysical(0xB8000), PAGE_SIZE, MmNonCached) == NULL);
    MiReleaseSystemPtes(Single[--Singles], 1);
    Va = MmMapIoSpace(KtPhysical(0xB8000), PAGE_SIZE, MmNonCached);
    KT_EXPECT_EQ(Va, MiPteToAddress(Single[Singles]));
    if (Va != NULL)
        MmUnmapIoSpace(Va, PAGE_SIZE);
    KT_EXPECT(MiCheckSystemPtes());
    while (Singles > 0)
        MiReleaseSystemPtes(Single[--Singles], 1);
    while (Chunks > 0)
        MiReleaseSystemPtes(Taken[--Chunks], 4096);
    KT_EXPECT_EQ(MmTotalFreeSystemPtes, Free);
    KT_EXPECT(MiCheckSystemPtes());
    KtVerifierResumeLowResources();
}

static ULONG RecordFrame(PVOID Context)
{
    *(ULONG_PTR *)Context = (ULONG_PTR)__builtin_frame_address(0);
    return 0x5151;
}

KTEST(syspte, kernel_stacks_come_from_system_ptes_with_a_guard_page)
{
    PFN_NUMBER Available = MmAvailablePages;
    ULONG Free = MmTotalFreeSystemPtes, Result = 0;
    ULONG_PTR Frame = 0;
    PUCHAR Base = MmCreateKernelStack(3);

    KT_ASSERT(Base != NULL);
    KT_EXPECT(MiIsSystemPteAddress(Base - 1));
    KT_EXPECT_EQ(MmTotalFreeSystemPtes, Free - 4);
    KT_EXPECT(MmIsAddressValid(Base - 3 * PAGE_SIZE));
    KT_EXPECT(!MmIsAddressValid(Base - 3 * PAGE_SIZE - 1));       /* the guard */
    KT_EXPECT(MmAvailablePages <= Available - 3);
    MmDeleteKernelStack(Base, 3);
    KT_EXPECT_EQ(MmTotalFreeSystemPtes, Free);

    KT_ASSERT_EQ(KeCallOnKernelStack(2, RecordFrame, &Frame, &Result), STATUS_SUCCESS);
    KT_EXPECT_EQ(Result, 0x5151);
    KT_EXPECT(MiIsSystemPteAddress((PVOID)Frame));
    KT_EXPECT((ULONG_PTR)__builtin_frame_address(0) > KiPcr.StackLimit);   /* bounds restored */
    KT_EXPECT_EQ(MmTotalFreeSystemPtes, Free);
}

static volatile ULONG RecursionLimit = 0xFFFFFFFF;

static ULONG __attribute__((noinline)) Recurse(PVOID Context)
{
    volatile UCHAR Frame[512];
    ULONG Depth = (ULONG)(ULONG_PTR)Context;

    Frame[0] = (UCHAR)Depth;
    if (Depth == RecursionLimit)
        return 0;
    return Recurse((PVOID)(ULONG_PTR)(Depth + 1)) + Frame[0];
}

KTEST_BUGCHECK(syspte, overflowing_a_created_stack_stops_with_0x7f_8, UNEXPECTED_KERNEL_MODE_TRAP)
{
    ULONG Result;

    KT_BUGCHECK_PARAMETER(1, EXCEPTION_DOUBLE_FAULT);
    KeCallOnKernelStack(2, Recurse, NULL, &Result);
}

/* Two reserved and given back: the second is free, whatever holes lie around (a lone hole may have a neighbour in use). */
KTEST_BUGCHECK(syspte, releasing_ptes_never_reserved_stops_with_0xda, SYSTEM_PTE_MISUSE)
{
    PMMPTE Pte = MiReserveSystemPtes(2);

    KT_ASSERT(Pte != NULL);
    MiReleaseSystemPtes(Pte, 2);
    KT_BUGCHECK_PARAMETER(1, 0x303);
    KT_BUGCHECK_PARAMETER(2, (ULONG_PTR)MiPteToAddress(Pte + 1));
    MiReleaseSystemPtes(Pte + 1, 1);
}
