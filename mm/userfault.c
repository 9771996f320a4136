/*
 * userfault.c: a fault on a user address, in the order it is decided.
 *
 *  1. No thread yet (early boot), or no VAD holds the address: an access
 *     violation.
 *  2. The PTE is valid: a write to a copy-on-write page of a view gets a
 *     private copy (protofault.c), to any other read-only page is an access
 *     violation; anything else was a stale TLB entry, flushed.
 *  3. The VAD is a view of a section: the page comes through its prototype
 *     PTE (protofault.c).
 *  4. The page's protection comes from its PTE (demand-zero or transition)
 *     or, when the PTE is zero, from a VAD committed as a whole; a page
 *     that is only reserved, or decommitted, is an access violation.
 *  5. No access: an access violation. A guard page loses its guard and the
 *     fault is STATUS_GUARD_PAGE_VIOLATION, once; the next touch goes on.
 *     In the current thread's stack the guard moves down a page instead,
 *     and the fault is resolved (STATUS_STACK_OVERFLOW at the bottom).
 *     A write to a page that does not allow one: an access violation.
 *  6. The page is made valid: a transition PTE gets its page back, a
 *     demand-zero one a zeroed page, charged to the process's working set.
 *
 * The caller (MmAccessFault) has already refused faults above APC_LEVEL.
 * Running out of pages is STATUS_NO_MEMORY for the faulting code: NT would
 * make the thread wait for pages, which a kernel without a scheduler cannot.
 */
#include "mi.h"

/* A zeroed page becomes the private page PointerPte maps with Protection. */
static NTSTATUS MiResolveUserDemandZero(PEPROCESS Process, PMMPTE PointerPte, ULONG Protection)
{
    PFN_NUMBER PageFrameIndex;
    PMMPFN Pfn1;
    KIRQL OldIrql;

    MiAcquirePfnLock(&OldIrql);
    PageFrameIndex = MiRemoveZeroPage();
    if (PageFrameIndex == MM_EMPTY_LIST) {
        MiReleasePfnLock(OldIrql);
        return STATUS_NO_MEMORY;
    }
    MiInitializePfn(PageFrameIndex, PointerPte, TRUE);
    Pfn1 = MI_PFN_ELEMENT(PageFrameIndex);
    Pfn1->OriginalPte = MiMakeDemandZeroPte(Protection);
    Pfn1->u3.e2.e1.CacheAttribute = MiProtectionToCacheAttribute(Protection);
    MiWriteUserPte(Process, PointerPte, MiMakeUserPte(PageFrameIndex, Protection));
    MiReleasePfnLock(OldIrql);
    Process->NumberOfPrivatePages++;
    return STATUS_SUCCESS;
}

/* The current user thread's stack bounds from its TEB; FALSE when it has none or the TEB cannot be read. */
static BOOLEAN MiGetUserStack(PULONG_PTR DeallocationStack, PULONG_PTR StackBase)
{
    PTEB Teb = KeGetCurrentThread()->Teb;
    volatile BOOLEAN Read = FALSE;

    if (Teb == NULL)
        return FALSE;
    _SEH2_TRY {
        KiAllowUserAccess();
        *DeallocationStack = (ULONG_PTR)Teb->DeallocationStack;
        *StackBase = (ULONG_PTR)Teb->NtTib.StackBase;
        KiForbidUserAccess();
        Read = TRUE;
    } _SEH2_EXCEPT(EXCEPTION_EXECUTE_HANDLER) {
    } _SEH2_END;
    return Read;
}

/*
 * Records the stack's new limit in the current thread's TEB; FALSE when the
 * thread made its TEB unwritable (readable is not enough: it may be
 * read-only), in which case NT gives the guard page violation.
 */
static BOOLEAN MiSetUserStackLimit(PVOID StackLimit)
{
    PTEB Teb = KeGetCurrentThread()->Teb;
    volatile BOOLEAN Written = FALSE;

    _SEH2_TRY {
        KiAllowUserAccess();
        Teb->NtTib.StackLimit = StackLimit;
        KiForbidUserAccess();
        Written = TRUE;
    } _SEH2_EXCEPT(EXCEPTION_EXECUTE_HANDLER) {
    } _SEH2_END;
    return Written;
}

/*
 * A guard page hit in the current thread's stack moves the guard down a
 * page instead of raising, as NT's MiCheckForUserStackOverflow does: the
 * page below is committed as the new guard (one already committed just
 * becomes a guard page, its contents kept) and the TEB's StackLimit
 * follows. When only the reservation's last page is left below, the stack
 * has overflowed: STATUS_STACK_OVERFLOW. A guard page anywhere else, or a
 * TEB that cannot be read or written, is STATUS_GUARD_PAGE_VIOLATION. The
 * caller has already removed the guard.
 */
static NTSTATUS MiCheckForUserStackOverflow(PEPROCESS Process, PMMVAD Vad, PVOID VirtualAddress)
{
    ULONG_PTR DeallocationStack, StackBase, Page = (ULONG_PTR)PAGE_ALIGN(VirtualAddress);
    PVOID NewGuard = (PVOID)(Page - PAGE_SIZE);
    BOOLEAN Committed;

    if (!MiGetUserStack(&DeallocationStack, &StackBase) || Page < DeallocationStack || Page >= StackBase ||
        (ULONG_PTR)NewGuard < (ULONG_PTR)MI_VAD_START(Vad))
        return STATUS_GUARD_PAGE_VIOLATION;
    if ((ULONG_PTR)NewGuard < DeallocationStack + PAGE_SIZE)
        return STATUS_STACK_OVERFLOW;
    /* A page the program committed there itself is charged already, and keeps its contents under the guard. */
    MiQueryPageProtection(Vad, NewGuard, &Committed);
    if (!Committed && !MiChargeCommitment(&Process->CommitCharge, 1))
        return STATUS_STACK_OVERFLOW;
    if (!NT_SUCCESS(MiMakeUserPageTable(Process, NewGuard))) {
        if (!Committed)
            MiReturnCommitment(&Process->CommitCharge, 1);
        return STATUS_STACK_OVERFLOW;
    }
    if (Committed) {
        MiSetPageProtection(Process, Vad, NewGuard, MM_READWRITE | MM_GUARD_PAGE);
    } else {
        MiWriteUserPte(Process, MiAddressToPte(NewGuard), MiMakeDemandZeroPte(MM_READWRITE | MM_GUARD_PAGE));
        Vad->u.VadFlags.CommitCharge++;
    }
    return MiSetUserStackLimit((PVOID)Page) ? STATUS_SUCCESS : STATUS_GUARD_PAGE_VIOLATION;
}

NTSTATUS MiResolveUserFault(ULONG FaultStatus, PVOID VirtualAddress, PKTRAP_FRAME TrapFrame)
{
    PMMPTE PointerPte = MiAddressToPte(VirtualAddress);
    PEPROCESS Process;
    ULONG Protection;
    MMPTE TempPte;
    NTSTATUS Status;
    PMMVAD Vad;

    UNREFERENCED_PARAMETER(TrapFrame);
    if (KiPcr.CurrentThread == NULL)
        return STATUS_ACCESS_VIOLATION;
    Process = PsGetCurrentProcessEx();
    Vad = MiLocateAddress(Process, VirtualAddress);
    if (Vad == NULL)
        return STATUS_ACCESS_VIOLATION;
    Process->Vm.PageFaultCount++;

    TempPte.u.Long = MiIsPageTablePresent(VirtualAddress) ? PointerPte->u.Long : 0;
    if (TempPte.u.Hard.Valid) {
        if ((FaultStatus & PF_WRITE) && !TempPte.u.Hard.Write) {
            if (TempPte.u.Hard.CopyOnWrite && MI_IS_VIEW(Vad))
                return MiCopyOnWrite(Process, Vad, VirtualAddress, PointerPte);
            return STATUS_ACCESS_VIOLATION;
        }
        MiFlushTb(VirtualAddress);
        return STATUS_SUCCESS;
    }
    if (MI_IS_VIEW(Vad)) {
        if (TempPte.u.Long != 0)
            return STATUS_ACCESS_VIOLATION;
        return MiResolveProtoPteFault(Process, Vad, VirtualAddress, PointerPte, FaultStatus);
    }
    if (MiIsTransitionPte(TempPte)) {
        Protection = TempPte.u.Trans.Protection;
    } else if (TempPte.u.Long == 0) {
        if (!Vad->u.VadFlags.MemCommit)
            return STATUS_ACCESS_VIOLATION;
        Protection = Vad->u.VadFlags.Protection;
    } else if (MiIsDemandZeroPte(TempPte)) {
        Protection = TempPte.u.Soft.Protection;
    } else {
        return STATUS_ACCESS_VIOLATION;
    }

    if (MI_IS_NOACCESS(Protection))
        return STATUS_ACCESS_VIOLATION;
    Status = MiMakeUserPageTable(Process, VirtualAddress);
    if (!NT_SUCCESS(Status))
        return Status;
    if (MI_IS_GUARD(Protection)) {
        Protection &= ~MM_GUARD_PAGE;
        if (MiIsTransitionPte(TempPte)) {
            /* The frame's OriginalPte is what the page reports once it is valid again: no guard either. */
            MI_PFN_ELEMENT(TempPte.u.Trans.PageFrameNumber)->OriginalPte = MiMakeDemandZeroPte(Protection);
            MiWriteUserPte(Process, PointerPte, MiMakeTransitionPte(TempPte.u.Trans.PageFrameNumber, Protection));
        } else {
            MiWriteUserPte(Process, PointerPte, MiMakeDemandZeroPte(Protection));
        }
        return MiCheckForUserStackOverflow(Process, Vad, VirtualAddress);
    }
    if ((FaultStatus & PF_WRITE) && !MI_IS_WRITABLE(Protection))
        return STATUS_ACCESS_VIOLATION;

    if (MiIsTransitionPte(TempPte)) {
        MiWriteUserPte(Process, PointerPte, MiMakeUserPte(TempPte.u.Trans.PageFrameNumber, Protection));
    } else {
        Status = MiResolveUserDemandZero(Process, PointerPte, Protection);
        if (!NT_SUCCESS(Status))
            return Status;
    }
    MiWorkingSetGrew(Process);
    return STATUS_SUCCESS;
}
