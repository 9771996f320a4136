/*
 * pagfault.c: MmAccessFault, what a page fault means.
 *
 * System space: a PDE missing only in this directory is copied from the
 * master (at any IRQL: it pages nothing in), whether the fault was on an
 * address it maps or on one of its PTEs through the self-map (a system PTE
 * read in a process whose directory predates the page table, as NT's
 * MiCheckPdeForPagedPool copies it); a write to a valid read-only
 * page stops with ATTEMPTED_WRITE_TO_READONLY_MEMORY. Special pool's
 * invalid pages are its guards and freed blocks, which stop at any IRQL
 * with the verifier's codes (specpool.c); only a page trimmed by forced
 * IRQL checking is paged in, and that follows the rule below. Above APC_LEVEL
 * nothing else is resolved, as in NT, because pageable memory cannot be
 * brought in where the fault could not wait: a probe instruction of the
 * kernel inside a try block (KeInvalidAccessAllowed) gets
 * STATUS_ACCESS_VIOLATION, anything else stops with IRQL_NOT_LESS_OR_EQUAL.
 * At APC_LEVEL or below a demand-zero PTE in pool gets a zeroed page (paged
 * pool's first touch is the common case, which MmAccessFault looks for
 * before anything else; only pool is demand-zero in system space, since
 * elsewhere an invalid PTE may hold anything, mapaddr.c), a prototype-format
 * PTE of a system view the section's page (sysview.c), a transition PTE
 * in pool (a page forced IRQL checking trimmed) its page back, and anything
 * else is a reference nobody mapped: an access violation for a probe in a
 * try block, PAGE_FAULT_IN_NONPAGED_AREA otherwise.
 * User space belongs to the current process: its faults are resolved from
 * the process's VADs (userfault.c), below APC_LEVEL only; a kernel fault on
 * a user page SMEP or SMAP refused is not resolved at all.
 */
#include "mi.h"

/*
 * A demand-zero fault on a system address (paged pool's first touch, which
 * takes a page promised to it when the pool page was allocated, so one is
 * always there): a page from the zeroed list,
 * or else a free page zeroed through the faulting address itself once its
 * PTE is valid, with no hyperspace mapping to make, tear down and flush.
 * That is safe on one processor: the PFN lock is held at DISPATCH_LEVEL,
 * so nothing else runs until the page is full of zeroes, and the PTE was
 * not valid, so no TLB entry holds another page for the address. A page
 * the kernel may not write through its PTE is zeroed in hyperspace first.
 */
static NTSTATUS MiResolveDemandZeroFault(PVOID VirtualAddress, PMMPTE PointerPte, ULONG Protection)
{
    PFN_NUMBER PageFrameIndex;
    BOOLEAN MustZero;
    KIRQL OldIrql;

    MiAcquirePfnLock(&OldIrql);
    PageFrameIndex = MiRemovePageForZeroing(&MustZero);
    if (PageFrameIndex == MM_EMPTY_LIST) {
        MiReleasePfnLock(OldIrql);
        KeBugCheckEx(NO_PAGES_AVAILABLE, 1, MmAvailablePages, (ULONG_PTR)VirtualAddress, 0);
    }
    MmPromisedPages--;
    if (MustZero && !MI_IS_WRITABLE(Protection)) {
        MiZeroPhysicalPage(PageFrameIndex);
        MustZero = FALSE;
    }
    MiInitializePfn(PageFrameIndex, PointerPte, TRUE);
    MI_WRITE_VALID_PTE(PointerPte, MiMakeSystemPte(PageFrameIndex, Protection));
    if (MustZero) {
        MiZeroPage(PAGE_ALIGN(VirtualAddress));
        MmStatistics.PagesZeroed++;
    }
    MmStatistics.DemandZeroFaults++;
    MiReleasePfnLock(OldIrql);
    return STATUS_SUCCESS;
}

/*
 * A paged-pool page forced IRQL checking trimmed (vftrim.c): its PTE kept
 * the page, which only has to be made valid again.
 */
static NTSTATUS MiResolveSystemTransitionFault(PMMPTE PointerPte)
{
    KIRQL OldIrql;

    MiAcquirePfnLock(&OldIrql);
    if (MiIsTransitionPte(*PointerPte))
        MI_WRITE_VALID_PTE(PointerPte, MiMakeSystemPte(PointerPte->u.Trans.PageFrameNumber,
                                                       PointerPte->u.Trans.Protection));
    MiReleasePfnLock(OldIrql);
    return STATUS_SUCCESS;
}

/*
 * A bad reference from the pool's own code means the pool's data was
 * corrupted (a free-list link overwritten, say): NT names that
 * DRIVER_CORRUPTED_EXPOOL rather than blaming the pool.
 */
static VOID MiCheckPoolCodeFault(PVOID VirtualAddress, ULONG FaultStatus, PKTRAP_FRAME TrapFrame)
{
    extern UCHAR ExPoolCodeStart[], ExPoolCodeEnd[];

    if (TrapFrame->Eip >= (ULONG_PTR)ExPoolCodeStart && TrapFrame->Eip < (ULONG_PTR)ExPoolCodeEnd) {
        KeBugCheckWithTf(DRIVER_CORRUPTED_EXPOOL, (ULONG_PTR)VirtualAddress, KeGetCurrentIrql(),
                         (FaultStatus & PF_WRITE) ? 1 : 0, TrapFrame->Eip, TrapFrame);
    }
}

/* A system address nobody mapped: an access violation for a probe in a try block, else a stop. */
static NTSTATUS MiBadSystemReference(PVOID VirtualAddress, ULONG FaultStatus, PKTRAP_FRAME TrapFrame)
{
    if (KeInvalidAccessAllowed(TrapFrame))
        return STATUS_ACCESS_VIOLATION;
    MiCheckPoolCodeFault(VirtualAddress, FaultStatus, TrapFrame);
    KeBugCheckWithTf(PAGE_FAULT_IN_NONPAGED_AREA, (ULONG_PTR)VirtualAddress,
                     (FaultStatus & PF_WRITE) ? 1 : 0, TrapFrame->Eip, 0, TrapFrame);
}

/* A fault above APC_LEVEL that the self-map cannot satisfy: never paged in, whatever the PTE holds. */
static NTSTATUS MiFaultAtRaisedIrql(PVOID VirtualAddress, ULONG FaultStatus, PKTRAP_FRAME TrapFrame)
{
    if (KeInvalidAccessAllowed(TrapFrame))
        return STATUS_ACCESS_VIOLATION;
    MiCheckPoolCodeFault(VirtualAddress, FaultStatus, TrapFrame);
    KeBugCheckWithTf(IRQL_NOT_LESS_OR_EQUAL, (ULONG_PTR)VirtualAddress, KeGetCurrentIrql(),
                     (FaultStatus & PF_WRITE) ? 1 : 0, TrapFrame->Eip, TrapFrame);
}

/*
 * A system view's page (sysview.c): made resident through its prototype
 * PTE. A page the view does not have is a bad reference; running out of
 * pages stops as a demand-zero fault does; a file that could not be read
 * is NT's KERNEL_DATA_INPAGE_ERROR, or the in-page status for a probe in a
 * try block.
 */
static NTSTATUS MiSystemViewFault(PVOID VirtualAddress, PMMPTE PointerPte, ULONG FaultStatus, PKTRAP_FRAME TrapFrame)
{
    MMPTE TempPte = *PointerPte;
    NTSTATUS Status = MiResolveSystemViewFault(VirtualAddress, PointerPte, FaultStatus);

    if (NT_SUCCESS(Status))
        return Status;
    if (Status == STATUS_ACCESS_VIOLATION)
        return MiBadSystemReference(VirtualAddress, FaultStatus, TrapFrame);
    if (Status == STATUS_NO_MEMORY)
        KeBugCheckEx(NO_PAGES_AVAILABLE, 1, MmAvailablePages, (ULONG_PTR)VirtualAddress, 0);
    if (KeInvalidAccessAllowed(TrapFrame))
        return Status;
    KeBugCheckWithTf(KERNEL_DATA_INPAGE_ERROR, (ULONG_PTR)PointerPte, (ULONG_PTR)Status, TempPte.u.Long,
                     (ULONG_PTR)VirtualAddress, TrapFrame);
}

/*
 * A kernel-mode fault on a present user page that the processor's guards
 * refused. An instruction fetch is SMEP stopping ring 0 from running user
 * code: NT stops for that (ATTEMPTED_EXECUTE_OF_NOEXECUTE_MEMORY: address,
 * PTE). A read or write with SMAP on and EFLAGS.AC clear is a touch outside
 * the probe and copy helpers: TRUE, an access violation for the code that
 * made it. A write to a read-only page is neither; MiResolveUserFault
 * decides it.
 */
static BOOLEAN MiIsUserPageGuarded(ULONG FaultStatus, PVOID VirtualAddress, PKTRAP_FRAME TrapFrame)
{
    MMPTE Pte;

    if (!MiAddressToPde(VirtualAddress)->u.Hard.Valid)
        return FALSE;
    Pte = *MiAddressToPte(VirtualAddress);
    if (!Pte.u.Hard.Valid || !Pte.u.Hard.Owner)
        return FALSE;
    if (FaultStatus & PF_FETCH)
        KeBugCheckWithTf(ATTEMPTED_EXECUTE_OF_NOEXECUTE_MEMORY, (ULONG_PTR)VirtualAddress, Pte.u.Long, 0, 0,
                         TrapFrame);
    return KeSmapEnabled && !(TrapFrame->EFlags & EFLAGS_AC) && !((FaultStatus & PF_WRITE) && !Pte.u.Hard.Write);
}

/* Every fault but the common one MmAccessFault takes itself, in the order the opening comment gives. */
static NTSTATUS __attribute__((noinline)) MiAccessFault(ULONG FaultStatus, PVOID VirtualAddress,
                                                        KPROCESSOR_MODE PreviousMode, PKTRAP_FRAME TrapFrame)
{
    PMMPTE PointerPde = MiAddressToPde(VirtualAddress);
    PMMPTE PointerPte;
    MMPTE TempPte;

    if ((ULONG_PTR)VirtualAddress < MI_SYSTEM_RANGE_START) {
        if (PreviousMode == KernelMode && (FaultStatus & PF_PRESENT) &&
            MiIsUserPageGuarded(FaultStatus, VirtualAddress, TrapFrame))
            return STATUS_ACCESS_VIOLATION;
        if (KiPcr.Irql > APC_LEVEL)
            return MiFaultAtRaisedIrql(VirtualAddress, FaultStatus, TrapFrame);
        return MiResolveUserFault(FaultStatus, VirtualAddress, TrapFrame);
    }
    if (PreviousMode == UserMode)
        return STATUS_ACCESS_VIOLATION;

    if (!PointerPde->u.Hard.Valid) {
        if (MiSyncSystemPde(VirtualAddress))
            return STATUS_SUCCESS;
        if (KiPcr.Irql > APC_LEVEL)
            return MiFaultAtRaisedIrql(VirtualAddress, FaultStatus, TrapFrame);
        return MiBadSystemReference(VirtualAddress, FaultStatus, TrapFrame);
    }

    PointerPte = PointerPde->u.Hard.LargePage ? PointerPde : MiAddressToPte(VirtualAddress);
    TempPte = *PointerPte;
    if (!TempPte.u.Hard.Valid && (ULONG_PTR)VirtualAddress >= PTE_BASE && (ULONG_PTR)VirtualAddress <= PTE_TOP &&
        MiSyncSystemPde(MiPteToAddress(VirtualAddress)))
        return STATUS_SUCCESS;
    if (TempPte.u.Hard.Valid) {
        if ((FaultStatus & PF_WRITE) && !TempPte.u.Hard.Write) {
            KeBugCheckWithTf(ATTEMPTED_WRITE_TO_READONLY_MEMORY, (ULONG_PTR)VirtualAddress,
                             TempPte.u.Long, 0, 0, TrapFrame);
        }
        /* The PTE became valid after the TLB cached the old one: refetch and go on. */
        MiFlushTb(VirtualAddress);
        return STATUS_SUCCESS;
    }

    if (MmIsSpecialPoolAddress(VirtualAddress) && !(KiPcr.Irql > APC_LEVEL && MiIsTransitionPte(TempPte))) {
        NTSTATUS Status = MiCheckSpecialPoolFault(VirtualAddress, FaultStatus, TrapFrame);

        if (Status != STATUS_NOT_FOUND)
            return Status;
    }
    if (KiPcr.Irql > APC_LEVEL)
        return MiFaultAtRaisedIrql(VirtualAddress, FaultStatus, TrapFrame);
    /* Only pool is demand-zero in system space: elsewhere an invalid PTE may hold anything (mapaddr.c). */
    if (MiIsDemandZeroPte(TempPte) && MiIsPoolRange(VirtualAddress, NULL))
        return MiResolveDemandZeroFault(VirtualAddress, PointerPte, TempPte.u.Soft.Protection);
    if (TempPte.u.Soft.Prototype && MiIsSystemViewAddress(VirtualAddress))
        return MiSystemViewFault(VirtualAddress, PointerPte, FaultStatus, TrapFrame);
    if (MiIsTransitionPte(TempPte) && MiIsPoolRange(VirtualAddress, NULL))
        return MiResolveSystemTransitionFault(PointerPte);
    return MiBadSystemReference(VirtualAddress, FaultStatus, TrapFrame);
}

/*
 * The common fault, paged pool's first touch (a paged pool address, from
 * kernel mode, at APC_LEVEL or below, whose page table is there and whose
 * PTE is demand-zero), is resolved here without the rest's frame; every
 * other goes to MiAccessFault.
 */
NTSTATUS MmAccessFault(ULONG FaultStatus, PVOID VirtualAddress, KPROCESSOR_MODE PreviousMode,
                       PKTRAP_FRAME TrapFrame)
{
    if (VirtualAddress >= MmPagedPoolStart && VirtualAddress < MmPagedPoolEnd && PreviousMode == KernelMode &&
        KiPcr.Irql <= APC_LEVEL && (MiAddressToPde(VirtualAddress)->u.Long & (PTE_VALID | PTE_LARGE_PAGE)) == PTE_VALID &&
        MiIsDemandZeroPte(*MiAddressToPte(VirtualAddress)))
        return MiResolveDemandZeroFault(VirtualAddress, MiAddressToPte(VirtualAddress),
                                        MiAddressToPte(VirtualAddress)->u.Soft.Protection);
    return MiAccessFault(FaultStatus, VirtualAddress, PreviousMode, TrapFrame);
}

/*
 * Could touching the range need a page brought in? User space and paged
 * pool (special pool's paged blocks too) can; the rest of system space is
 * resident or not mapped at all. A range that wraps reaches user space.
 */
BOOLEAN MiIsPageableRange(PVOID VirtualAddress, SIZE_T Length)
{
    ULONG_PTR Start = (ULONG_PTR)VirtualAddress, Last = Start + (Length != 0 ? Length - 1 : 0);

    return Start < MI_SYSTEM_RANGE_START || Last < Start ||
           (Last >= (ULONG_PTR)MmPagedPoolStart && Start < (ULONG_PTR)MmPagedPoolEnd) ||
           (MmIsSpecialPoolAddress(VirtualAddress) && !MmIsSpecialPoolAddressNonPaged(VirtualAddress));
}
