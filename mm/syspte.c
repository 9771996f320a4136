/*
 * syspte.c: system PTEs, the range of system space (MM_SYSTEM_PTE_START to
 * MM_SYSTEM_PTE_END) handed out a few PTEs at a time for MDL mappings, I/O
 * space, kernel stacks, contiguous and noncached memory.
 *
 * A bitmap holds which PTEs are reserved, searched first-fit from a hint
 * that follows the last reservation and falls back to the lowest release:
 * a reservation looks at the words around the hint, so its cost does not
 * depend on how many mappings are outstanding, and a full scan happens only
 * when the range is fragmented around the hint. Page tables for the range
 * are created on first use and stay. MmTotalFreeSystemPtes is exact.
 */
#include "mi.h"

#define MI_SYSTEM_PTES ((MM_SYSTEM_PTE_END + 1 - MM_SYSTEM_PTE_START) / PAGE_SIZE)

static ULONG MiSystemPteBits[MI_SYSTEM_PTES / 32];
static RTL_BITMAP MiSystemPteBitmap;
static ULONG MiSystemPteHint;
ULONG MmTotalFreeSystemPtes;
ULONG MmNumberOfSystemPtes;
PMMPTE MmSystemPtesStart, MmSystemPtesEnd;

VOID MiInitializeSystemPtes(VOID)
{
    RtlInitializeBitMap(&MiSystemPteBitmap, MiSystemPteBits, MI_SYSTEM_PTES);
    RtlClearAllBits(&MiSystemPteBitmap);
    MmNumberOfSystemPtes = MmTotalFreeSystemPtes = MI_SYSTEM_PTES;
    MmSystemPtesStart = MiAddressToPte(MM_SYSTEM_PTE_START);
    MmSystemPtesEnd = MiAddressToPte(MM_SYSTEM_PTE_END);
}

/*
 * NumberOfPtes consecutive system PTEs, all zero (invalid), with page tables
 * behind them; NULL when the range is exhausted or no page table can be
 * had. The caller fills them with MI_WRITE_VALID_PTE.
 */
PMMPTE MiReserveSystemPtes(ULONG NumberOfPtes)
{
    ULONG First;
    KIRQL OldIrql;
    PVOID Va;

    if (NumberOfPtes == 0 || NumberOfPtes > MI_SYSTEM_PTES)
        return NULL;
    KeRaiseIrql(DISPATCH_LEVEL, &OldIrql);
    First = RtlFindClearBitsAndSet(&MiSystemPteBitmap, NumberOfPtes, MiSystemPteHint);
    if (First != RTL_BITMAP_NOT_FOUND) {
        MiSystemPteHint = First + NumberOfPtes;
        MmTotalFreeSystemPtes -= NumberOfPtes;
    }
    KeLowerIrql(OldIrql);
    if (First == RTL_BITMAP_NOT_FOUND)
        return NULL;

    /* A page table for every 4 MB the run touches. */
    Va = MiPteToAddress(MmSystemPtesStart + First);
    for (ULONG_PTR Table = ALIGN_DOWN_BY(Va, PDE_MAPPED_SIZE);
         Table < (ULONG_PTR)Va + (ULONG_PTR)NumberOfPtes * PAGE_SIZE; Table += PDE_MAPPED_SIZE) {
        if (!NT_SUCCESS(MiEnsureSystemPageTable((PVOID)Table))) {
            MiReleaseSystemPtes(MmSystemPtesStart + First, NumberOfPtes);
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
    ULONG First = (ULONG)(StartingPte - MmSystemPtesStart);
    KIRQL OldIrql;

    if (StartingPte < MmSystemPtesStart || First + NumberOfPtes > MI_SYSTEM_PTES || NumberOfPtes == 0 ||
        !RtlAreBitsSet(&MiSystemPteBitmap, First, NumberOfPtes)) {
        KeBugCheckEx(SYSTEM_PTE_MISUSE, 0x303, (ULONG_PTR)MiPteToAddress(StartingPte), NumberOfPtes, 0);
    }
    for (ULONG i = 0; i < NumberOfPtes; i++) {
        if (StartingPte[i].u.Hard.Valid) {
            MI_ERASE_PTE(&StartingPte[i]);
            MiFlushTb(MiPteToAddress(&StartingPte[i]));
        } else {
            MI_ERASE_PTE(&StartingPte[i]);
        }
    }
    KeRaiseIrql(DISPATCH_LEVEL, &OldIrql);
    RtlClearBits(&MiSystemPteBitmap, First, NumberOfPtes);
    MmTotalFreeSystemPtes += NumberOfPtes;
    if (First < MiSystemPteHint)
        MiSystemPteHint = First;
    KeLowerIrql(OldIrql);
}

BOOLEAN MiIsSystemPteAddress(PVOID VirtualAddress)
{
    return (ULONG_PTR)VirtualAddress >= MM_SYSTEM_PTE_START && (ULONG_PTR)VirtualAddress <= MM_SYSTEM_PTE_END;
}

/* Are these PTEs reserved now (for checks on unmap)? */
BOOLEAN MiAreSystemPtesReserved(PMMPTE StartingPte, ULONG NumberOfPtes)
{
    ULONG First = (ULONG)(StartingPte - MmSystemPtesStart);

    return StartingPte >= MmSystemPtesStart && First + NumberOfPtes <= MI_SYSTEM_PTES &&
           RtlAreBitsSet(&MiSystemPteBitmap, First, NumberOfPtes);
}
