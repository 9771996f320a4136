/*
 * syspte.c: system PTEs, the range of system space (MM_SYSTEM_PTE_START to
 * MM_SYSTEM_PTE_END) handed out a few PTEs at a time for MDL mappings, I/O
 * space, kernel stacks, contiguous and noncached memory.
 *
 * A run map (rtl/runmap.h) holds which PTEs are reserved: a request finds
 * its run through summaries by run length, so its cost depends neither on
 * how many mappings are outstanding nor on how many holes earlier releases
 * left (NT keeps lists of free clusters by size for the same reason). Page
 * tables for the range are created on first use and stay.
 * MmTotalFreeSystemPtes is exact.
 */
#include "mi.h"
#include <rtl/runmap.h>
#include <vf.h>

#define MI_SYSTEM_PTES ((MM_SYSTEM_PTE_END + 1 - MM_SYSTEM_PTE_START) / PAGE_SIZE)

static ULONG MiSystemPteBuffer[RTL_RUN_MAP_BUFFER_WORDS(MI_SYSTEM_PTES)];
static RTL_RUN_MAP MiSystemPteMap;
ULONG MmTotalFreeSystemPtes;
ULONG MmNumberOfSystemPtes;
PMMPTE MmSystemPtesStart, MmSystemPtesEnd;

VOID MiInitializeSystemPtes(VOID)
{
    RtlInitializeRunMap(&MiSystemPteMap, MiSystemPteBuffer, MI_SYSTEM_PTES);
    MmNumberOfSystemPtes = MmTotalFreeSystemPtes = MI_SYSTEM_PTES;
    MmSystemPtesStart = MiAddressToPte(MM_SYSTEM_PTE_START);
    MmSystemPtesEnd = MiAddressToPte(MM_SYSTEM_PTE_END);
}

/* Marks NumberOfPtes PTEs from First free again; their PTEs are the caller's to have erased. */
static VOID MiFreeSystemPteRun(ULONG First, ULONG NumberOfPtes)
{
    KIRQL OldIrql;

    KeRaiseIrql(DISPATCH_LEVEL, &OldIrql);
    RtlRunMapClear(&MiSystemPteMap, First, NumberOfPtes);
    MmTotalFreeSystemPtes += NumberOfPtes;
    KeLowerIrql(OldIrql);
}

/*
 * NumberOfPtes consecutive system PTEs, all zero (invalid), with page tables
 * behind them; NULL when the range is exhausted or no page table can be
 * had, or the low-resources simulation fails the request (vf.h). The
 * caller fills them with MI_WRITE_VALID_PTE. A run given back
 * because a table could not be made is not touched: its PTEs are zero
 * where a table exists, and where none does there is nothing to write.
 */
PMMPTE MiReserveSystemPtes(ULONG NumberOfPtes)
{
    ULONG First;
    KIRQL OldIrql;
    PVOID Va;

    if (NumberOfPtes == 0 || NumberOfPtes > MI_SYSTEM_PTES ||
        VF_INJECT_FAILURE(VfResourceSystemPtes, __builtin_return_address(0)))
        return NULL;
    KeRaiseIrql(DISPATCH_LEVEL, &OldIrql);
    First = RtlRunMapAllocate(&MiSystemPteMap, NumberOfPtes, TRUE);
    if (First != RTL_BITMAP_NOT_FOUND)
        MmTotalFreeSystemPtes -= NumberOfPtes;
    KeLowerIrql(OldIrql);
    if (First == RTL_BITMAP_NOT_FOUND)
        return NULL;

    /* A page table for every 4 MB the run touches. */
    Va = MiPteToAddress(MmSystemPtesStart + First);
    for (ULONG_PTR Table = ALIGN_DOWN_BY(Va, PDE_MAPPED_SIZE);
         Table < (ULONG_PTR)Va + (ULONG_PTR)NumberOfPtes * PAGE_SIZE; Table += PDE_MAPPED_SIZE) {
        if (!NT_SUCCESS(MiEnsureSystemPageTable((PVOID)Table))) {
            MiFreeSystemPteRun(First, NumberOfPtes);
            return NULL;
        }
    }
    return MmSystemPtesStart + First;
}

/*
 * Gives back NumberOfPtes PTEs from StartingPte. Valid ones are erased and
 * their TLB entries flushed here; the pages they mapped are the caller's.
 * Releasing PTEs that are not reserved stops with SYSTEM_PTE_MISUSE.
 */
VOID MiReleaseSystemPtes(PMMPTE StartingPte, ULONG NumberOfPtes)
{
    if (!MiAreSystemPtesReserved(StartingPte, NumberOfPtes) || NumberOfPtes == 0)
        KeBugCheckEx(SYSTEM_PTE_MISUSE, 0x303, (ULONG_PTR)MiPteToAddress(StartingPte), NumberOfPtes, 0);
    for (ULONG i = 0; i < NumberOfPtes; i++) {
        if (StartingPte[i].u.Hard.Valid) {
            MI_ERASE_PTE(&StartingPte[i]);
            MiFlushTb(MiPteToAddress(&StartingPte[i]));
        } else {
            MI_ERASE_PTE(&StartingPte[i]);
        }
    }
    MiFreeSystemPteRun((ULONG)(StartingPte - MmSystemPtesStart), NumberOfPtes);
}

BOOLEAN MiIsSystemPteAddress(PVOID VirtualAddress)
{
    return (ULONG_PTR)VirtualAddress >= MM_SYSTEM_PTE_START && (ULONG_PTR)VirtualAddress <= MM_SYSTEM_PTE_END;
}

/* Are these PTEs reserved now (for checks on unmap)? */
BOOLEAN MiAreSystemPtesReserved(PMMPTE StartingPte, ULONG NumberOfPtes)
{
    ULONG First = (ULONG)(StartingPte - MmSystemPtesStart);

    return StartingPte >= MmSystemPtesStart && First < MI_SYSTEM_PTES && NumberOfPtes <= MI_SYSTEM_PTES - First &&
           RtlAreBitsSet(&MiSystemPteMap.Bits, First, NumberOfPtes);
}

/* Do the reserved PTEs' map and its summaries agree, and with MmTotalFreeSystemPtes? */
BOOLEAN MiCheckSystemPtes(VOID)
{
    return RtlCheckRunMap(&MiSystemPteMap) && MiSystemPteMap.ClearBits == MmTotalFreeSystemPtes;
}
