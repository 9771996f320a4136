/*
 * hypermap.c: hyperspace, a window of per-address-space PTEs at HYPER_SPACE
 * for touching one physical page for a moment (zeroing it, reading a page
 * table of another address space). Each directory has its own hyperspace
 * page table, so these PTEs are never global. Mappings nest as a stack of
 * MI_HYPERSPACE_SLOTS and are held at DISPATCH_LEVEL, which is what keeps
 * another user off the same slot; unmapping erases the PTE and invalidates
 * the TLB entry at once.
 */
#include "mi.h"

static ULONG MiHyperSpaceDepth;

#define MiHyperSpaceSlotPte(Slot) (MiAddressToPte(HYPER_SPACE) + (Slot))
#define MiHyperSpaceSlotAddress(Slot) ((PVOID)(HYPER_SPACE + (Slot) * PAGE_SIZE))

/* Points a directory's hyperspace PDE at its own page table (which must be zeroed). */
VOID MiInitializeHyperSpace(PFN_NUMBER DirectoryFrame, PFN_NUMBER HyperSpaceTableFrame)
{
    KIRQL OldIrql;
    PMMPTE Directory = MiMapPageInHyperSpace(DirectoryFrame, &OldIrql);
    MMPTE TempPte;

    TempPte.u.Long = (HyperSpaceTableFrame << PAGE_SHIFT) | PTE_VALID | PTE_WRITE | PTE_ACCESSED | PTE_DIRTY;
    Directory[MiAddressToPdeOffset(HYPER_SPACE)] = TempPte;
    MiUnmapPageInHyperSpace(Directory, OldIrql);
}

PVOID MiMapPageInHyperSpace(PFN_NUMBER PageFrameIndex, PKIRQL OldIrql)
{
    MMPTE TempPte;
    ULONG Slot;

    *OldIrql = KiRaiseIrqlToDispatch();
    Slot = MiHyperSpaceDepth++;
    if (Slot >= MI_HYPERSPACE_SLOTS)
        KeBugCheckEx(MEMORY_MANAGEMENT, MI_BUGCHECK_HYPERSPACE_OVERFLOW, Slot, PageFrameIndex, 0);
    TempPte.u.Long = (PageFrameIndex << PAGE_SHIFT) | PTE_VALID | PTE_WRITE | PTE_ACCESSED | PTE_DIRTY;
    MI_WRITE_VALID_PTE(MiHyperSpaceSlotPte(Slot), TempPte);
    return MiHyperSpaceSlotAddress(Slot);
}

VOID MiUnmapPageInHyperSpace(PVOID VirtualAddress, KIRQL OldIrql)
{
    ULONG Slot = MiHyperSpaceDepth - 1;

    if (MiHyperSpaceDepth == 0 || VirtualAddress != MiHyperSpaceSlotAddress(Slot))
        KeBugCheckEx(MEMORY_MANAGEMENT, MI_BUGCHECK_HYPERSPACE_ORDER, (ULONG_PTR)VirtualAddress, MiHyperSpaceDepth, 0);
    MI_ERASE_PTE(MiHyperSpaceSlotPte(Slot));
    MiFlushTb(VirtualAddress);
    MiHyperSpaceDepth = Slot;
    KiLowerIrqlFromDispatch(OldIrql);
}

VOID MiZeroPhysicalPage(PFN_NUMBER PageFrameIndex)
{
    KIRQL OldIrql;
    PVOID Page = MiMapPageInHyperSpace(PageFrameIndex, &OldIrql);

    MiZeroPage(Page);
    MiUnmapPageInHyperSpace(Page, OldIrql);
    MmStatistics.PagesZeroed++;
}
