/*
 * pagfault.c: MmAccessFault, what a page fault means.
 *
 * System space: a PDE missing only in this directory is copied from the
 * master (at any IRQL: it pages nothing in); a write to a valid read-only
 * page stops with ATTEMPTED_WRITE_TO_READONLY_MEMORY. Above APC_LEVEL
 * nothing else is resolved, as in NT, because pageable memory cannot be
 * brought in where the fault could not wait: a probe instruction of the
 * kernel inside a try block (KeInvalidAccessAllowed) gets
 * STATUS_ACCESS_VIOLATION, anything else stops with IRQL_NOT_LESS_OR_EQUAL.
 * At APC_LEVEL or below a demand-zero PTE gets a zeroed page, a
 * prototype-format PTE of a system view the section's page (sysview.c),
 * and anything else is a reference nobody mapped: an access violation for a probe in a
 * try block, PAGE_FAULT_IN_NONPAGED_AREA otherwise.
 * User space belongs to the current process: its faults are resolved from
 * the process's VADs (userfault.c), below APC_LEVEL only.
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

NTSTATUS MmAccessFault(ULONG FaultStatus, PVOID VirtualAddress, KPROCESSOR_MODE PreviousMode,
                       PKTRAP_FRAME TrapFrame)
{
    PMMPTE PointerPde = MiAddressToPde(VirtualAddress);
    PMMPTE PointerPte;
    MMPTE TempPte;

    if ((ULONG_PTR)VirtualAddress < MM_SYSTEM_RANGE_START) {
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
    if (TempPte.u.Hard.Valid) {
        if ((FaultStatus & PF_WRITE) && !TempPte.u.Hard.Write) {
            KeBugCheckWithTf(ATTEMPTED_WRITE_TO_READONLY_MEMORY, (ULONG_PTR)VirtualAddress,
                             TempPte.u.Long, 0, 0, TrapFrame);
        }
        /* The PTE became valid after the TLB cached the old one: refetch and go on. */
        MiFlushTb(VirtualAddress);
        return STATUS_SUCCESS;
    }

    if (KiPcr.Irql > APC_LEVEL)
        return MiFaultAtRaisedIrql(VirtualAddress, FaultStatus, TrapFrame);
    if (MiIsDemandZeroPte(TempPte))
        return MiResolveDemandZeroFault(VirtualAddress, PointerPte);
    if (TempPte.u.Soft.Prototype && MiIsSystemViewAddress(VirtualAddress))
        return MiSystemViewFault(VirtualAddress, PointerPte, FaultStatus, TrapFrame);
    return MiBadSystemReference(VirtualAddress, FaultStatus, TrapFrame);
}

/*
 * Could touching the range need a page brought in? User space and paged
 * pool can; the rest of system space is resident or not mapped at all.
 * A range that wraps reaches user space.
 */
BOOLEAN MiIsPageableRange(PVOID VirtualAddress, SIZE_T Length)
{
    ULONG_PTR Start = (ULONG_PTR)VirtualAddress, Last = Start + (Length != 0 ? Length - 1 : 0);

    return Start < MM_SYSTEM_RANGE_START || Last < Start ||
           (Last >= (ULONG_PTR)MmPagedPoolStart && Start < (ULONG_PTR)MmPagedPoolEnd);
}
