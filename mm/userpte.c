/*
 * userpte.c: page tables for user space, and the one way user PTEs change.
 *
 * A process's user page table is made when one of its PTEs is first needed
 * (a fault, a commit, a protection change) and freed when its last PTE that
 * is not zero goes. UsedPageTableEntries[i] counts those PTEs for table i
 * (the table mapping user address i * 4 MB), and MiWriteUserPte is the only
 * writer of user PTEs, so the count follows every change; NT keeps the same
 * count in its working-set list. A page table is itself a page of the
 * process: it counts in the working set and its PFN points back at its PDE.
 *
 * The PTEs and PDEs here are the current process's, through the self-map:
 * callers run in the process (at home or attached) under its address-space
 * lock.
 */
#include "mi.h"

#define MI_USER_PDE_BITS (PTE_VALID | PTE_WRITE | PTE_OWNER | PTE_ACCESSED | PTE_DIRTY)

/* One more page in the process's working set (its PTEs map it now). */
VOID MiWorkingSetGrew(PEPROCESS Process)
{
    if (++Process->Vm.WorkingSetSize > Process->Vm.PeakWorkingSetSize)
        Process->Vm.PeakWorkingSetSize = Process->Vm.WorkingSetSize;
}

BOOLEAN MiIsPageTablePresent(PVOID VirtualAddress)
{
    return MiAddressToPde(VirtualAddress)->u.Hard.Valid;
}

/* Makes sure a page table maps VirtualAddress; STATUS_NO_MEMORY when no page is left for one. */
NTSTATUS MiMakeUserPageTable(PEPROCESS Process, PVOID VirtualAddress)
{
    PMMPTE PointerPde = MiAddressToPde(VirtualAddress);
    PFN_NUMBER PageFrameIndex;
    MMPTE TempPde;
    KIRQL OldIrql;

    ASSERT((ULONG_PTR)VirtualAddress < MI_SYSTEM_RANGE_START);
    if (PointerPde->u.Hard.Valid)
        return STATUS_SUCCESS;
    MiAcquirePfnLock(&OldIrql);
    PageFrameIndex = MiRemoveZeroPage();
    if (PageFrameIndex == MM_EMPTY_LIST) {
        MiReleasePfnLock(OldIrql);
        return STATUS_NO_MEMORY;
    }
    MiInitializePfn(PageFrameIndex, PointerPde, TRUE);
    TempPde.u.Long = (PageFrameIndex << PAGE_SHIFT) | MI_USER_PDE_BITS;
    MI_WRITE_VALID_PTE(PointerPde, TempPde);
    MiReleasePfnLock(OldIrql);
    Process->NumberOfPageTables++;
    MiWorkingSetGrew(Process);
    return STATUS_SUCCESS;
}

/* Makes every page table StartingAddress..EndingAddress needs; STATUS_NO_MEMORY (none left made) on failure. */
NTSTATUS MiMakePageTablesForRange(PEPROCESS Process, PVOID StartingAddress, PVOID EndingAddress)
{
    for (ULONG_PTR Va = (ULONG_PTR)StartingAddress; Va <= (ULONG_PTR)EndingAddress;
         Va = (Va | (PDE_MAPPED_SIZE - 1)) + 1) {
        if (!NT_SUCCESS(MiMakeUserPageTable(Process, (PVOID)Va))) {
            MiDeleteEmptyPageTables(Process, StartingAddress, EndingAddress);
            return STATUS_NO_MEMORY;
        }
    }
    return STATUS_SUCCESS;
}

/*
 * Writes a user PTE (its page table must exist). The count of PTEs in use
 * follows a change to or from zero, and a valid PTE that changes or goes
 * has its TLB entry flushed here.
 */
VOID MiWriteUserPte(PEPROCESS Process, PMMPTE PointerPte, MMPTE NewPte)
{
    PVOID VirtualAddress = MiPteToAddress(PointerPte);
    ULONG Table = MiAddressToPdeOffset(VirtualAddress);
    MMPTE OldPte = *PointerPte;

    if (OldPte.u.Long == 0 && NewPte.u.Long != 0) {
        if (Process->UsedPageTableEntries[Table] == PTE_PER_PAGE)
            KeBugCheckEx(MEMORY_MANAGEMENT, MI_BUGCHECK_PAGE_TABLE_COUNT, (ULONG_PTR)Process,
                         (ULONG_PTR)VirtualAddress, PTE_PER_PAGE);
        Process->UsedPageTableEntries[Table]++;
    } else if (OldPte.u.Long != 0 && NewPte.u.Long == 0) {
        if (Process->UsedPageTableEntries[Table] == 0)
            KeBugCheckEx(MEMORY_MANAGEMENT, MI_BUGCHECK_PAGE_TABLE_COUNT, (ULONG_PTR)Process,
                         (ULONG_PTR)VirtualAddress, 0);
        Process->UsedPageTableEntries[Table]--;
    }
    if (NewPte.u.Hard.Valid && OldPte.u.Hard.Valid) {
        if (NewPte.u.Hard.PageFrameNumber == OldPte.u.Hard.PageFrameNumber)
            MI_UPDATE_VALID_PTE(PointerPte, NewPte);
        else
            MI_WRITE_VALID_PTE_NEW_PAGE(PointerPte, NewPte);
        MiFlushTb(VirtualAddress);
    } else if (NewPte.u.Hard.Valid) {
        MI_WRITE_VALID_PTE(PointerPte, NewPte);
    } else {
        MI_WRITE_INVALID_PTE(PointerPte, NewPte);
        if (OldPte.u.Hard.Valid)
            MiFlushTb(VirtualAddress);
    }
}

/*
 * Takes the page (if any) away from a user PTE and zeroes it. The page
 * loses the share its PTE held: a private page is then freed unless a lock
 * holds it longer, a section's shared page stays with its section. A
 * PhysicalMapping VAD's pages are not the process's and are left alone.
 */
VOID MiDeleteUserPte(PEPROCESS Process, PMMVAD Vad, PMMPTE PointerPte)
{
    MMPTE OldPte = *PointerPte, ZeroPte;
    PFN_NUMBER PageFrameIndex;
    BOOLEAN Private;
    PMMPFN Pfn1;
    KIRQL OldIrql;

    if (OldPte.u.Long == 0)
        return;
    ZeroPte.u.Long = 0;
    MiWriteUserPte(Process, PointerPte, ZeroPte);
    if (!OldPte.u.Hard.Valid && !MiIsTransitionPte(OldPte))
        return;
    if (OldPte.u.Hard.Valid)
        Process->Vm.WorkingSetSize--;
    if (Vad->u.VadFlags.PhysicalMapping)
        return;
    PageFrameIndex = OldPte.u.Hard.Valid ? PFN_FROM_PTE(&OldPte) : OldPte.u.Trans.PageFrameNumber;
    Pfn1 = MI_PFN_ELEMENT(PageFrameIndex);
    MiAcquirePfnLock(&OldIrql);
    Private = !Pfn1->u3.e2.e1.PrototypePte;
    MiDecrementShareCount(Pfn1, PageFrameIndex);
    MiReleasePfnLock(OldIrql);
    if (Private)
        Process->NumberOfPrivatePages--;
}

/* Frees every page table in StartingAddress..EndingAddress that no longer holds a PTE. */
VOID MiDeleteEmptyPageTables(PEPROCESS Process, PVOID StartingAddress, PVOID EndingAddress)
{
    for (ULONG Table = MiAddressToPdeOffset(StartingAddress); Table <= MiAddressToPdeOffset(EndingAddress);
         Table++) {
        PMMPTE PointerPde = (PMMPTE)PDE_BASE + Table;
        PFN_NUMBER PageFrameIndex;
        MMPTE ZeroPde;
        KIRQL OldIrql;

        if (!PointerPde->u.Hard.Valid || Process->UsedPageTableEntries[Table] != 0)
            continue;
        PageFrameIndex = PFN_FROM_PTE(PointerPde);
        ZeroPde.u.Long = 0;
        MI_WRITE_INVALID_PTE(PointerPde, ZeroPde);
        /* The table's own self-map entry; invlpg also empties the paging-structure caches. */
        MiFlushTb(MiPdeToPte(PointerPde));
        MiAcquirePfnLock(&OldIrql);
        MiDecrementShareCount(MI_PFN_ELEMENT(PageFrameIndex), PageFrameIndex);
        MiReleasePfnLock(OldIrql);
        Process->NumberOfPageTables--;
        Process->Vm.WorkingSetSize--;
    }
}

/*
 * The MM_* protection of a page of Vad and whether it is committed, from
 * its PTE, or from the VAD when the PTE (or its whole table) is zero. A
 * resident private page's protection lives in its PFN's OriginalPte; a
 * view's pages are answered from their prototype PTEs (protofault.c).
 */
ULONG MiQueryPageProtection(PMMVAD Vad, PVOID VirtualAddress, PBOOLEAN Committed)
{
    MMPTE Pte;

    if (MI_IS_VIEW(Vad))
        return MiQueryViewPageProtection(Vad, VirtualAddress, Committed);

    Pte.u.Long = MiIsPageTablePresent(VirtualAddress) ? MiAddressToPte(VirtualAddress)->u.Long : 0;
    if (Pte.u.Long == 0) {
        *Committed = Vad->u.VadFlags.MemCommit;
        return Vad->u.VadFlags.Protection;
    }
    *Committed = TRUE;
    if (Pte.u.Hard.Valid) {
        if (Vad->u.VadFlags.PhysicalMapping)
            return Vad->u.VadFlags.Protection;
        return MI_PFN_ELEMENT(PFN_FROM_PTE(&Pte))->OriginalPte.u.Soft.Protection;
    }
    if (MiIsTransitionPte(Pte))
        return Pte.u.Trans.Protection;
    if (Pte.u.Soft.Protection == MM_DECOMMIT) {
        *Committed = FALSE;
        return Vad->u.VadFlags.Protection;
    }
    return Pte.u.Soft.Protection;
}
