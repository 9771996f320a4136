/* hyperspace_test.c: mapping a physical page for a moment, and that unmapping really takes it away. */
#define NTMM_MM_WHITEBOX_TEST
#include "ktest.h"
#include "../../mm/mi.h"
#include "mmtest.h"

KTEST(hyperspace, map_runs_at_dispatch_and_unmap_invalidates_the_tlb)
{
    PFN_NUMBER Page = MmAllocatePhysicalPage(TRUE);
    ULONG Flushes = MmStatistics.TbFlushSingle;
    PULONG Mapped;
    KIRQL OldIrql;

    KT_ASSERT(Page != MM_EMPTY_LIST);
    Mapped = MiMapPageInHyperSpace(Page, &OldIrql);
    KT_EXPECT((ULONG_PTR)Mapped >= HYPER_SPACE && (ULONG_PTR)Mapped <= HYPER_SPACE_END);
    KT_EXPECT_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);
    KT_EXPECT_EQ(OldIrql, PASSIVE_LEVEL);
    KT_EXPECT_EQ(PFN_FROM_PTE(MiAddressToPte(Mapped)), Page);
    KT_EXPECT_EQ(MiAddressToPte(Mapped)->u.Hard.Global, 0);
    Mapped[5] = 0xFEEDF00D;                  /* fills the TLB entry */
    MiUnmapPageInHyperSpace(Mapped, OldIrql);
    KT_EXPECT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
    KT_EXPECT_EQ(MiAddressToPte(Mapped)->u.Long, 0);
    KT_EXPECT_EQ(MmStatistics.TbFlushSingle, Flushes + 1);
    /* A stale TLB entry would let this read succeed. */
    KT_EXPECT_EQ(KtProbeRead(Mapped), STATUS_ACCESS_VIOLATION);

    Mapped = MiMapPageInHyperSpace(Page, &OldIrql);
    KT_EXPECT_EQ(Mapped[5], 0xFEEDF00D);
    MiUnmapPageInHyperSpace(Mapped, OldIrql);
    MmFreePhysicalPage(Page);
}

KTEST(hyperspace, mappings_nest)
{
    PFN_NUMBER First = MmAllocatePhysicalPage(TRUE), Second = MmAllocatePhysicalPage(TRUE);
    PULONG A, B;
    KIRQL IrqlA, IrqlB;

    KT_ASSERT(First != MM_EMPTY_LIST && Second != MM_EMPTY_LIST);
    A = MiMapPageInHyperSpace(First, &IrqlA);
    B = MiMapPageInHyperSpace(Second, &IrqlB);
    KT_EXPECT_NE(A, B);
    KT_EXPECT_EQ(IrqlB, DISPATCH_LEVEL);
    A[0] = 1;
    B[0] = 2;
    MiUnmapPageInHyperSpace(B, IrqlB);
    KT_EXPECT_EQ(A[0], 1);
    MiUnmapPageInHyperSpace(A, IrqlA);
    KT_EXPECT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
    MmFreePhysicalPage(First);
    MmFreePhysicalPage(Second);
}

KTEST(hyperspace, zero_physical_page_clears_every_byte)
{
    PFN_NUMBER Page = MmAllocatePhysicalPage(FALSE);
    PUCHAR Mapped;
    KIRQL OldIrql;
    ULONG NonZero = 0;

    KT_ASSERT(Page != MM_EMPTY_LIST);
    Mapped = MiMapPageInHyperSpace(Page, &OldIrql);
    for (ULONG i = 0; i < PAGE_SIZE; i++)
        Mapped[i] = (UCHAR)(i | 1);
    MiUnmapPageInHyperSpace(Mapped, OldIrql);
    MiZeroPhysicalPage(Page);
    Mapped = MiMapPageInHyperSpace(Page, &OldIrql);
    for (ULONG i = 0; i < PAGE_SIZE; i++)
        NonZero += Mapped[i] != 0;
    MiUnmapPageInHyperSpace(Mapped, OldIrql);
    KT_EXPECT_EQ(NonZero, 0);
    MmFreePhysicalPage(Page);
}

KTEST_BUGCHECK(hyperspace, unmapping_out_of_order_stops_with_0x1a, MEMORY_MANAGEMENT)
{
    PFN_NUMBER Page = MmAllocatePhysicalPage(TRUE);
    KIRQL IrqlA, IrqlB;
    PVOID A = MiMapPageInHyperSpace(Page, &IrqlA);
    PVOID B = MiMapPageInHyperSpace(Page, &IrqlB);

    KT_BUGCHECK_PARAMETER(1, MI_BUGCHECK_HYPERSPACE_ORDER);
    KT_BUGCHECK_PARAMETER(2, (ULONG_PTR)A);
    UNREFERENCED_PARAMETER(B);
    MiUnmapPageInHyperSpace(A, IrqlA);
}
