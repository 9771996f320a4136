/* selfmap_test.c: the page directory mapping itself, checked against a walk done by hand. */
#define NTMM_MM_WHITEBOX_TEST
#include "ktest.h"
#include "../../mm/mi.h"
#include "window.h"

/*
 * The macros' relations rather than their formulas (the hand walk below
 * checks what they point at): each inverts the other, and the PTE that
 * maps a page table is that table's PDE, the self-map's whole point.
 */
KTEST(selfmap, macros_invert_each_other_and_nest_into_the_directory)
{
    static const ULONG_PTR Addresses[] = { 0, 0x1234, 0x7FFEFFFF, 0x80100000, 0xC0000000,
                                           0xC0300000, 0xE1234567, 0xFFFFF000 };

    for (ULONG i = 0; i < RTL_NUMBER_OF(Addresses); i++) {
        ULONG_PTR Va = Addresses[i];

        KT_EXPECT_EQ(MiPteToAddress(MiAddressToPte(Va)), PAGE_ALIGN(Va));
        KT_EXPECT_EQ((ULONG_PTR)MiPdeToAddress(MiAddressToPde(Va)), Va & ~(PDE_MAPPED_SIZE - 1));
        KT_EXPECT_EQ(MiAddressToPte(MiAddressToPte(Va)), MiAddressToPde(Va));
    }
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

/* A 4 MB of system space between the system PTEs and the HAL's area that has no page table yet, or NULL. */
static PVOID UnusedSystemTableRange(VOID)
{
    for (ULONG_PTR Candidate = MM_SYSTEM_PTE_END + 1; Candidate < MM_HAL_VA_START; Candidate += PDE_MAPPED_SIZE) {
        if (!MmSystemPagePtes[MiAddressToPdeOffset(Candidate)].u.Hard.Valid)
            return (PVOID)Candidate;
    }
    return NULL;
}

static PVOID TableVa;
static PFN_NUMBER TablePage;
static volatile NTSTATUS TableDpcStatus;

/* What a DPC doing pool expansion or MmMapIoSpace does: build the page table and map a page through it. */
static VOID NTAPI MapThroughNewTableDpc(PKDPC Dpc, PVOID Context, PVOID Argument1, PVOID Argument2)
{
    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(Context);
    UNREFERENCED_PARAMETER(Argument1);
    UNREFERENCED_PARAMETER(Argument2);
    TableDpcStatus = MiEnsureSystemPageTable(TableVa);
    if (NT_SUCCESS(TableDpcStatus))
        MI_WRITE_VALID_PTE(MiAddressToPte(TableVa), MiMakeSystemPte(TablePage, MM_READWRITE));
}

/*
 * The page table a DPC builds between MiEnsureSystemPageTable's first look
 * and its PFN lock is the one that stays, with the page the DPC mapped.
 */
KTEST(selfmap, page_table_built_by_a_dpc_in_the_window_is_kept)
{
    ULONG Created = MmStatistics.PageTablesCreated;
    KDPC Dpc;

    TableVa = UnusedSystemTableRange();
    if (TableVa == NULL)
        KT_SKIP("every page table of the unused system range exists already");
    TablePage = MmAllocatePhysicalPage(TRUE);
    KT_ASSERT(TablePage != MM_EMPTY_LIST);
    TableDpcStatus = STATUS_UNSUCCESSFUL;
    KeInitializeDpc(&Dpc, MapThroughNewTableDpc, NULL);
    KtArmInterruptWindow(KiWindowSystemPageTable, &Dpc);
    KT_EXPECT_EQ(MiEnsureSystemPageTable(TableVa), STATUS_SUCCESS);
    KtDisarmInterruptWindow();
    KT_ASSERT(KtInterruptWindowPlayed());
    KT_EXPECT_EQ(TableDpcStatus, STATUS_SUCCESS);
    KT_EXPECT_EQ(MmStatistics.PageTablesCreated, Created + 1);
    KT_EXPECT(MmIsAddressValid(TableVa));
    KT_EXPECT_EQ(PFN_FROM_PTE(MiAddressToPte(TableVa)), TablePage);
    KT_EXPECT_EQ(MiAddressToPde(TableVa)->u.Long, MmSystemPagePtes[MiAddressToPdeOffset(TableVa)].u.Long);
    if (MiAddressToPte(TableVa)->u.Hard.Valid) {
        MI_ERASE_PTE(MiAddressToPte(TableVa));
        MiFlushTb(TableVa);
    }
    MmFreePhysicalPage(TablePage);
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
    PVOID Va;
    KIRQL OldIrql;

    Va = UnusedSystemTableRange();
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
    /*
     * The write above left a global TLB entry for Va, which the CR3 write
     * keeps on hardware with PGE (TCG happens to drop it): without this
     * the read would hit it and never walk Other's directory at all.
     */
    MiFlushTb(Va);
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
