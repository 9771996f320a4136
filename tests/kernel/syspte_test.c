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

KTEST(syspte, the_range_runs_out_and_comes_back)
{
    ULONG Free = MmTotalFreeSystemPtes, Chunks = 0;
    static PMMPTE Taken[128];

    /* Large runs first, then whatever is left one PTE at a time. */
    while (Chunks < RTL_NUMBER_OF(Taken) && (Taken[Chunks] = MiReserveSystemPtes(4096)) != NULL)
        Chunks++;
    KT_EXPECT(Chunks < RTL_NUMBER_OF(Taken));
    KT_EXPECT(MmTotalFreeSystemPtes < 4096);
    KT_EXPECT(MiReserveSystemPtes(4096) == NULL);
    KT_EXPECT(MiCheckSystemPtes());
    while (Chunks > 0)
        MiReleaseSystemPtes(Taken[--Chunks], 4096);
    KT_EXPECT_EQ(MmTotalFreeSystemPtes, Free);
    KT_EXPECT(MiCheckSystemPtes());
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

KTEST_BUGCHECK(syspte, releasing_ptes_never_reserved_stops_with_0xda, SYSTEM_PTE_MISUSE)
{
    PMMPTE Pte = MiReserveSystemPtes(1);

    KT_BUGCHECK_PARAMETER(1, 0x303);
    KT_BUGCHECK_PARAMETER(2, (ULONG_PTR)MiPteToAddress(Pte + 1));
    MiReleaseSystemPtes(Pte + 1, 1);
}
