/* selfmap_test.c: the page directory mapping itself, checked against a walk done by hand. */
#define NTMM_MM_WHITEBOX_TEST
#include "ktest.h"
#include "../../mm/mi.h"

KTEST(selfmap, macros_are_the_pagetable_map_arithmetic)
{
    static const ULONG_PTR Addresses[] = { 0, 0x1234, 0x7FFEFFFF, 0x80100000, 0xC0000000,
                                           0xC0300000, 0xE1234567, 0xFFFFF000 };

    for (ULONG i = 0; i < RTL_NUMBER_OF(Addresses); i++) {
        ULONG_PTR Va = Addresses[i];

        KT_EXPECT_EQ((ULONG_PTR)MiAddressToPte(Va), PTE_BASE + (Va >> 12) * 4);
        KT_EXPECT_EQ((ULONG_PTR)MiAddressToPde(Va), PDE_BASE + (Va >> 22) * 4);
        KT_EXPECT_EQ(MiPteToAddress(MiAddressToPte(Va)), PAGE_ALIGN(Va));
        KT_EXPECT_EQ((ULONG_PTR)MiPdeToAddress(MiAddressToPde(Va)), Va & ~(PDE_MAPPED_SIZE - 1));
        /* The PTE that maps a page table is that table's PDE: the self-map's whole point. */
        KT_EXPECT_EQ(MiAddressToPte(MiAddressToPte(Va)), MiAddressToPde(Va));
    }
    KT_EXPECT_EQ((ULONG_PTR)MiAddressToPde(PTE_BASE), PDE_BASE + PDE_SELFMAP_INDEX * 4);
    KT_EXPECT_EQ(MiAddressToPte(PDE_BASE), MiAddressToPde(PTE_BASE));
}

/*
 * Reads CR3's page through hyperspace and every page table through a second
 * hyperspace slot, and compares each entry with what the self-map shows, for
 * addresses spread over the whole 4 GB.
 */
KTEST(selfmap, hand_walk_of_cr3_agrees_across_4gb)
{
    KIRQL DirectoryIrql, TableIrql;
    PMMPTE Directory = MiMapPageInHyperSpace(KiReadCr3() >> PAGE_SHIFT, &DirectoryIrql);
    ULONG Compared = 0;

    for (ULONGLONG Va64 = 0; Va64 < (1ULL << 32); Va64 += 0x00101000) {
        ULONG_PTR Va = (ULONG_PTR)Va64;
        MMPTE HandPde = Directory[Va >> PDE_SHIFT];
        PMMPTE Table;

        KT_EXPECT_EQ(HandPde.u.Long, MiAddressToPde(Va)->u.Long);
        if (!HandPde.u.Hard.Valid || HandPde.u.Hard.LargePage)
            continue;
        Table = MiMapPageInHyperSpace(PFN_FROM_PTE(&HandPde), &TableIrql);
        KT_EXPECT_EQ(Table[MiAddressToPteOffset(Va)].u.Long, MiAddressToPte(Va)->u.Long);
        MiUnmapPageInHyperSpace(Table, TableIrql);
        Compared++;
    }
    MiUnmapPageInHyperSpace(Directory, DirectoryIrql);
    KT_EXPECT(Compared > 16);
    KtLog("compared %u PTEs", Compared);
}

static VOID SwitchDirectory(PFN_NUMBER DirectoryFrame)
{
    KiWriteCr3(DirectoryFrame << PAGE_SHIFT);
}

/*
 * A directory made before a system page table existed still sees it: the
 * first touch faults, the fault copies the master PDE, the read goes on.
 */
KTEST(selfmap, system_page_tables_reach_directories_made_earlier)
{
    PFN_NUMBER SystemDirectory = KiReadCr3() >> PAGE_SHIFT, Other, OtherHyperFrame, Page;
    ULONG Syncs = MmStatistics.SystemPdeSyncs;
    PMMPTE OtherHyperSpace;
    volatile ULONG Value;
    PVOID Va = NULL;
    KIRQL OldIrql;

    /* 4 MB between the system PTEs and the HAL's area that has no page table yet. */
    for (ULONG_PTR Candidate = MM_SYSTEM_PTE_END + 1; Candidate < MM_HAL_VA_START; Candidate += PDE_MAPPED_SIZE) {
        if (!MmSystemPagePtes[MiAddressToPdeOffset(Candidate)].u.Hard.Valid) {
            Va = (PVOID)Candidate;
            break;
        }
    }
    if (Va == NULL)
        KT_SKIP("every page table of the unused system range exists already");
    Other = MiCreateAddressSpace(&OtherHyperFrame);
    KT_ASSERT(Other != MM_EMPTY_LIST);
    KT_ASSERT(NT_SUCCESS(MiEnsureSystemPageTable(Va)));
    Page = MmAllocatePhysicalPage(TRUE);
    KT_ASSERT(Page != MM_EMPTY_LIST);
    MI_WRITE_VALID_PTE(MiAddressToPte(Va), MiMakeSystemPte(Page, MM_READWRITE));
    *(volatile ULONG *)Va = 0x5A5A1234;

    KeRaiseIrql(DISPATCH_LEVEL, &OldIrql);
    SwitchDirectory(Other);
    Value = *(volatile ULONG *)Va;
    OtherHyperSpace = (PMMPTE)MiAddressToPde(HYPER_SPACE);
    KT_EXPECT_NE(PFN_FROM_PTE(OtherHyperSpace), PFN_FROM_PTE(&MmSystemPagePtes[MiAddressToPdeOffset(HYPER_SPACE)]));
    KT_EXPECT_EQ(PFN_FROM_PTE(MiAddressToPde(PTE_BASE)), Other);
    SwitchDirectory(SystemDirectory);
    KeLowerIrql(OldIrql);

    KT_EXPECT_EQ(Value, 0x5A5A1234);
    KT_EXPECT_EQ(MmStatistics.SystemPdeSyncs, Syncs + 1);
    MI_ERASE_PTE(MiAddressToPte(Va));
    MiFlushTb(Va);
    MmFreePhysicalPage(Page);
    MiDeleteAddressSpace(Other);
}
