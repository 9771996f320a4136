/*
 * sysptab.c: page tables for system space, and page directories.
 *
 * The upper half of every address space is the same system space, but on
 * non-PAE x86 each directory has its own copy of the system PDEs. As in NT,
 * the system directory (the boot one, always reachable at its image
 * address) holds the master copy: a new system page table goes into it
 * (and into the current directory), and a fault on a system address whose
 * PDE is missing only in the current directory copies the PDE over
 * (MiSyncSystemPde). New directories start with a copy of the master.
 */
#include "mi.h"
#include <ps.h>
#include <string.h>

PFN_NUMBER MmSystemPageDirectory;

VOID MiFlushEntireTb(BOOLEAN IncludeGlobal)
{
    ULONG Cr4 = KiReadCr4();

    if (IncludeGlobal && (Cr4 & CR4_PGE)) {
        /* Clearing CR4.PGE flushes global entries too. */
        KiWriteCr4(Cr4 & ~CR4_PGE);
        KiWriteCr4(Cr4);
    } else {
        KiWriteCr3(KiReadCr3());
    }
    MmStatistics.TbFlushEntire++;
}

static BOOLEAN MiIsSelfMapPde(ULONG PdeIndex)
{
    return PdeIndex == PDE_SELFMAP_INDEX || PdeIndex == MiAddressToPdeOffset(HYPER_SPACE);
}

/* Copies the master PDE for a system address into the current directory; FALSE if there is none. */
BOOLEAN MiSyncSystemPde(PVOID VirtualAddress)
{
    ULONG Index = MiAddressToPdeOffset(VirtualAddress);
    PMMPTE PointerPde = MiAddressToPde(VirtualAddress);

    if ((ULONG_PTR)VirtualAddress < MI_SYSTEM_RANGE_START || MiIsSelfMapPde(Index) ||
        !MmSystemPagePtes[Index].u.Hard.Valid || PointerPde->u.Hard.Valid)
        return FALSE;
    *PointerPde = MmSystemPagePtes[Index];
    MmStatistics.SystemPdeSyncs++;
    return TRUE;
}

/*
 * Makes sure a page table maps VirtualAddress (a system address), creating a
 * zeroed one in the master directory if needed. Returns STATUS_NO_MEMORY when
 * no page is left for it. The first look is made without the PFN lock, so
 * it is made again under it: a DPC may have built the same table in
 * between (pool expansion, MmMapIoSpace or MmMapLockedPages at
 * DISPATCH_LEVEL), and replacing it would lose its mappings.
 */
NTSTATUS MiEnsureSystemPageTable(PVOID VirtualAddress)
{
    ULONG Index = MiAddressToPdeOffset(VirtualAddress);
    PMMPTE PointerPde = MiAddressToPde(VirtualAddress);
    PFN_NUMBER PageFrameIndex;
    MMPTE TempPde;
    KIRQL OldIrql;

    ASSERT((ULONG_PTR)VirtualAddress >= MI_SYSTEM_RANGE_START && !MiIsSelfMapPde(Index));
    if (PointerPde->u.Hard.Valid || MiSyncSystemPde(VirtualAddress))
        return STATUS_SUCCESS;

    KI_INTERRUPT_WINDOW(KiWindowSystemPageTable);
    MiAcquirePfnLock(&OldIrql);
    if (PointerPde->u.Hard.Valid || MiSyncSystemPde(VirtualAddress)) {
        MiReleasePfnLock(OldIrql);
        return STATUS_SUCCESS;
    }
    PageFrameIndex = MiRemoveZeroPage();
    if (PageFrameIndex == MM_EMPTY_LIST) {
        MiReleasePfnLock(OldIrql);
        return STATUS_NO_MEMORY;
    }
    /* The page table is mapped by its PDE, which lives in the directory page. */
    MiInitializePfn(PageFrameIndex, &MmSystemPagePtes[Index], TRUE);
    MI_PFN_ELEMENT(PageFrameIndex)->PteAddress = PointerPde;
    MI_PFN_ELEMENT(PageFrameIndex)->u4.PteFrame = MmSystemPageDirectory;
    TempPde.u.Long = (PageFrameIndex << PAGE_SHIFT) | PTE_VALID | PTE_WRITE | PTE_ACCESSED | PTE_DIRTY;
    MmSystemPagePtes[Index] = TempPde;
    *PointerPde = TempPde;
    MmStatistics.PageTablesCreated++;
    MiReleasePfnLock(OldIrql);
    return STATUS_SUCCESS;
}

/*
 * Copies the master's PDEs for StartingAddress..EndingAddress (system
 * space) into Process's directory where it lacks them. A fault would copy
 * each on first touch (MiSyncSystemPde), but not for the one range that
 * cannot take a fault: the kernel stack a thread runs on when it starts in
 * that directory, where the first push of a page fault would find no stack
 * and double-fault.
 */
VOID MmMakeSystemRangeAddressable(PEPROCESS Process, PVOID StartingAddress, PVOID EndingAddress)
{
    PFN_NUMBER DirectoryFrame = PHYSICAL_TO_PFN(Process->Pcb.DirectoryTableBase[0]);
    PMMPTE Directory;
    KIRQL OldIrql;

    ASSERT((ULONG_PTR)StartingAddress >= MI_SYSTEM_RANGE_START);
    Directory = MiMapPageInHyperSpace(DirectoryFrame, &OldIrql);
    for (ULONG Index = MiAddressToPdeOffset(StartingAddress); Index <= MiAddressToPdeOffset(EndingAddress); Index++) {
        if (!MiIsSelfMapPde(Index) && !Directory[Index].u.Hard.Valid && MmSystemPagePtes[Index].u.Hard.Valid)
            Directory[Index] = MmSystemPagePtes[Index];
    }
    MiUnmapPageInHyperSpace(Directory, OldIrql);
}

/*
 * A new page directory: no user mappings, the master system PDEs, the
 * self-map pointing at itself, and a hyperspace page table of its own
 * (*HyperSpaceFrame). Returns its page frame, or MM_EMPTY_LIST when memory
 * ran out.
 */
PFN_NUMBER MiCreateAddressSpace(PPFN_NUMBER HyperSpaceFrame)
{
    PFN_NUMBER DirectoryFrame = MmAllocatePhysicalPage(TRUE);
    PFN_NUMBER HyperFrame;
    PMMPTE Directory;
    KIRQL OldIrql;

    if (DirectoryFrame == MM_EMPTY_LIST)
        return MM_EMPTY_LIST;
    HyperFrame = MmAllocatePhysicalPage(TRUE);
    if (HyperFrame == MM_EMPTY_LIST) {
        MmFreePhysicalPage(DirectoryFrame);
        return MM_EMPTY_LIST;
    }
    Directory = MiMapPageInHyperSpace(DirectoryFrame, &OldIrql);
    for (ULONG Index = MiAddressToPdeOffset(MI_SYSTEM_RANGE_START); Index < PTE_PER_PAGE; Index++) {
        if (!MiIsSelfMapPde(Index))
            Directory[Index] = MmSystemPagePtes[Index];
    }
    Directory[PDE_SELFMAP_INDEX].u.Long = (DirectoryFrame << PAGE_SHIFT) | PTE_VALID | PTE_WRITE |
                                          PTE_ACCESSED | PTE_DIRTY;
    MiUnmapPageInHyperSpace(Directory, OldIrql);
    MiInitializeHyperSpace(DirectoryFrame, HyperFrame);
    *HyperSpaceFrame = HyperFrame;
    return DirectoryFrame;
}

/* Frees a directory MiCreateAddressSpace made; it must not be the current one. */
VOID MiDeleteAddressSpace(PFN_NUMBER DirectoryFrame)
{
    PMMPTE Directory;
    PFN_NUMBER HyperFrame;
    KIRQL OldIrql;

    ASSERT((KiReadCr3() >> PAGE_SHIFT) != DirectoryFrame && DirectoryFrame != MmSystemPageDirectory);
    Directory = MiMapPageInHyperSpace(DirectoryFrame, &OldIrql);
    HyperFrame = PFN_FROM_PTE(&Directory[MiAddressToPdeOffset(HYPER_SPACE)]);
    MiUnmapPageInHyperSpace(Directory, OldIrql);
    MmFreePhysicalPage(HyperFrame);
    MmFreePhysicalPage(DirectoryFrame);
}
