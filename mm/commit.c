/*
 * commit.c: commitment. Committing private memory promises that a page will
 * be there when the memory is touched, long before any page is taken. The
 * promises are counted system-wide (MmTotalCommittedPages) and per process
 * (CommitCharge, with its peak in MmPeakCommitment's system-wide twin), or
 * for paged pool, whose pages are committed as NT commits them when they
 * are allocated (MmPagedPoolCommit), against MmTotalCommitLimit, fixed at boot from the pages available then
 * less a reserve for the system's own needs (pool, page tables, stacks):
 * with no paging file, a promise beyond RAM could not be kept, and a commit
 * past the limit fails with STATUS_COMMITMENT_LIMIT instead of a fault
 * failing later. Charges and returns happen at PASSIVE_LEVEL under the
 * process's address-space lock (or, for paged pool, at APC_LEVEL or
 * below); the counters are updated at DISPATCH_LEVEL so that two callers
 * cannot both take the last pages.
 */
#include "mi.h"

/* Pages left out of the limit for what the system allocates without commitment. */
#define MI_COMMIT_SYSTEM_RESERVE_DIVISOR 8

volatile SIZE_T MmTotalCommittedPages;
SIZE_T MmTotalCommitLimit;
SIZE_T MmPeakCommitment;
SIZE_T MmPagedPoolCommit;

/* Who carries a charge: a process, or paged pool (NULL). */
static PSIZE_T MiCommitChargeOf(PEPROCESS Process)
{
    return Process != NULL ? &Process->CommitCharge : &MmPagedPoolCommit;
}

VOID MiInitializeCommitLimit(VOID)
{
    MmTotalCommitLimit = MmAvailablePages - MmAvailablePages / MI_COMMIT_SYSTEM_RESERVE_DIVISOR;
}

/* Charges Pages to Process (NULL: paged pool) and to the system; FALSE (nothing charged) past the limit. */
BOOLEAN MiChargeCommitment(PEPROCESS Process, SIZE_T Pages)
{
    KIRQL OldIrql = KiRaiseIrqlToDispatch();
    BOOLEAN Charged = Pages <= MmTotalCommitLimit - MmTotalCommittedPages;

    if (Charged) {
        MmTotalCommittedPages += Pages;
        if (MmTotalCommittedPages > MmPeakCommitment)
            MmPeakCommitment = MmTotalCommittedPages;
        *MiCommitChargeOf(Process) += Pages;
    }
    KiLowerIrqlFromDispatch(OldIrql);
    return Charged;
}

VOID MiReturnCommitment(PEPROCESS Process, SIZE_T Pages)
{
    PSIZE_T Charge = MiCommitChargeOf(Process);
    KIRQL OldIrql = KiRaiseIrqlToDispatch();

    if (Pages > MmTotalCommittedPages || Pages > *Charge)
        KeBugCheckEx(MEMORY_MANAGEMENT, MI_BUGCHECK_COMMITMENT_UNDERFLOW, Pages, MmTotalCommittedPages, *Charge);
    MmTotalCommittedPages -= Pages;
    *Charge -= Pages;
    KiLowerIrqlFromDispatch(OldIrql);
}
