/*
 * commit.c: commitment. Committing private memory promises that a page will
 * be there when the memory is touched, long before any page is taken. The
 * promises are counted system-wide (MmTotalCommittedPages) and per process
 * (CommitCharge, with its peak in MmPeakCommitment's system-wide twin)
 * against MmTotalCommitLimit, fixed at boot from the pages available then
 * less a reserve for the system's own needs (pool, page tables, stacks):
 * with no paging file, a promise beyond RAM could not be kept, and a commit
 * past the limit fails with STATUS_COMMITMENT_LIMIT instead of a fault
 * failing later. A section's pages are charged to no process but to
 * MmSharedCommit, since they outlive whichever process maps them. Charges
 * and returns happen at PASSIVE_LEVEL or APC_LEVEL; the counters are
 * updated at DISPATCH_LEVEL so that two callers cannot both take the last
 * pages.
 */
#include "mi.h"

/* Pages left out of the limit for what the system allocates without commitment. */
#define MI_COMMIT_SYSTEM_RESERVE_DIVISOR 8

volatile SIZE_T MmTotalCommittedPages;
SIZE_T MmTotalCommitLimit;
SIZE_T MmPeakCommitment;
SIZE_T MmSharedCommit;

VOID MiInitializeCommitLimit(VOID)
{
    MmTotalCommitLimit = MmAvailablePages - MmAvailablePages / MI_COMMIT_SYSTEM_RESERVE_DIVISOR;
}

/*
 * Charges Pages to Process, or with no process to MmSharedCommit (a
 * section's pages, NT's shared commitment), and to the system; FALSE
 * (nothing charged) past the limit.
 */
BOOLEAN MiChargeCommitment(PEPROCESS Process, SIZE_T Pages)
{
    KIRQL OldIrql = KiRaiseIrqlToDispatch();
    BOOLEAN Charged = Pages <= MmTotalCommitLimit - MmTotalCommittedPages;

    if (Charged) {
        MmTotalCommittedPages += Pages;
        if (MmTotalCommittedPages > MmPeakCommitment)
            MmPeakCommitment = MmTotalCommittedPages;
        *(Process != NULL ? &Process->CommitCharge : &MmSharedCommit) += Pages;
    }
    KiLowerIrqlFromDispatch(OldIrql);
    return Charged;
}

VOID MiReturnCommitment(PEPROCESS Process, SIZE_T Pages)
{
    KIRQL OldIrql = KiRaiseIrqlToDispatch();
    PSIZE_T Charge = Process != NULL ? &Process->CommitCharge : &MmSharedCommit;

    if (Pages > MmTotalCommittedPages || Pages > *Charge)
        KeBugCheckEx(MEMORY_MANAGEMENT, MI_BUGCHECK_COMMITMENT_UNDERFLOW, Pages, MmTotalCommittedPages, *Charge);
    MmTotalCommittedPages -= Pages;
    *Charge -= Pages;
    KiLowerIrqlFromDispatch(OldIrql);
}
