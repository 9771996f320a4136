/*
 * pagfault.c: MmAccessFault, what a page fault means.
 *
 * System space: a PDE missing only in this directory is copied from the
 * master; a demand-zero PTE in pool gets a zeroed page (only below DISPATCH_LEVEL:
 * pageable memory cannot be touched where the fault could not wait); a
 * write to a valid read-only page stops with ATTEMPTED_WRITE_TO_READONLY_MEMORY;
 * anything else is a reference nobody mapped and stops with
 * PAGE_FAULT_IN_NONPAGED_AREA, unless it was made by one of the kernel's
 * probe instructions inside a try block (KeInvalidAccessAllowed), which get
 * STATUS_ACCESS_VIOLATION raised to them instead.
 * User space belongs to the current process: its faults are resolved from
 * the process's VADs (userfault.c), never above APC_LEVEL.
 */
#include "mi.h"

static NTSTATUS MiResolveDemandZeroFault(PVOID VirtualAddress, PMMPTE PointerPte)
{
    ULONG Protection = PointerPte->u.Soft.Protection;
    PFN_NUMBER PageFrameIndex;
    KIRQL OldIrql;

    MiAcquirePfnLock(&OldIrql);
    PageFrameIndex = MiRemoveZeroPage();
    if (PageFrameIndex == MM_EMPTY_LIST) {
        MiReleasePfnLock(OldIrql);
        KeBugCheckEx(NO_PAGES_AVAILABLE, 1, MmAvailablePages, (ULONG_PTR)VirtualAddress, 0);
    }
    MiInitializePfn(PageFrameIndex, PointerPte, TRUE);
    MI_WRITE_VALID_PTE(PointerPte, MiMakeSystemPte(PageFrameIndex, Protection));
    MmStatistics.DemandZeroFaults++;
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

static DECLSPEC_NORETURN VOID MiFaultAtRaisedIrql(PVOID VirtualAddress, ULONG FaultStatus, PKTRAP_FRAME TrapFrame)
{
    MiCheckPoolCodeFault(VirtualAddress, FaultStatus, TrapFrame);
    KeBugCheckWithTf(IRQL_NOT_LESS_OR_EQUAL, (ULONG_PTR)VirtualAddress, KeGetCurrentIrql(),
                     (FaultStatus & PF_WRITE) ? 1 : 0, TrapFrame->Eip, TrapFrame);
}

NTSTATUS MmAccessFault(ULONG FaultStatus, PVOID VirtualAddress, KPROCESSOR_MODE PreviousMode,
                       PKTRAP_FRAME TrapFrame)
{
    PMMPTE PointerPde = MiAddressToPde(VirtualAddress);
    PMMPTE PointerPte;
    MMPTE TempPte;

    if ((ULONG_PTR)VirtualAddress < MI_SYSTEM_RANGE_START) {
        if (KiPcr.Irql > APC_LEVEL) {
            if (!KeInvalidAccessAllowed(TrapFrame))
                MiFaultAtRaisedIrql(VirtualAddress, FaultStatus, TrapFrame);
            return STATUS_ACCESS_VIOLATION;
        }
        return MiResolveUserFault(FaultStatus, VirtualAddress, TrapFrame);
    }
    if (PreviousMode == UserMode)
        return STATUS_ACCESS_VIOLATION;

    if (!PointerPde->u.Hard.Valid) {
        if (MiSyncSystemPde(VirtualAddress))
            return STATUS_SUCCESS;
        if (KiPcr.Irql > APC_LEVEL && !KeInvalidAccessAllowed(TrapFrame))
            MiFaultAtRaisedIrql(VirtualAddress, FaultStatus, TrapFrame);
        return MiBadSystemReference(VirtualAddress, FaultStatus, TrapFrame);
    }

    PointerPte = PointerPde->u.Hard.LargePage ? PointerPde : MiAddressToPte(VirtualAddress);
    TempPte = *PointerPte;
    if (TempPte.u.Hard.Valid) {
        if ((FaultStatus & PF_WRITE) && !TempPte.u.Hard.Write) {
            KeBugCheckWithTf(ATTEMPTED_WRITE_TO_READONLY_MEMORY, (ULONG_PTR)VirtualAddress,
                             TempPte.u.Long, 0, 0, TrapFrame);
        }
        /* The PTE became valid after the TLB cached the old one: refetch and go on. */
        MiFlushTb(VirtualAddress);
        return STATUS_SUCCESS;
    }

    if (KiPcr.Irql > APC_LEVEL && !KeInvalidAccessAllowed(TrapFrame))
        MiFaultAtRaisedIrql(VirtualAddress, FaultStatus, TrapFrame);
    /* Only pool is demand-zero in system space: elsewhere an invalid PTE may hold anything (mapaddr.c). */
    if (MiIsDemandZeroPte(TempPte) && MiIsPoolRange(VirtualAddress, NULL))
        return MiResolveDemandZeroFault(VirtualAddress, PointerPte);
    return MiBadSystemReference(VirtualAddress, FaultStatus, TrapFrame);
}
