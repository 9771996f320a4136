/*
 * commit.c: commitment. Committing memory promises that a page will be there
 * when the memory is touched, long before any page is taken. The promises
 * are counted system-wide (MmTotalCommittedPages, with its peak in
 * MmPeakCommitment) and by who holds them: a process (CommitCharge), the
 * sections (MmSharedCommit, since a section's pages outlive whichever
 * process maps them), or paged pool, whose pages NT commits when they are
 * allocated (MmPagedPoolCommit). The limit, MmTotalCommitLimit, is fixed at
 * boot from the pages available then less a reserve for the system's own
 * needs (nonpaged pool, page tables, stacks): with no paging file, a promise
 * beyond RAM could not be kept, and a commit past the limit fails with
 * STATUS_COMMITMENT_LIMIT instead of a fault failing later. Charges and
 * returns happen at APC_LEVEL or below; the counters are updated at
 * DISPATCH_LEVEL so that two callers cannot both take the last pages.
 */
#include "mi.h"

/* Pages left out of the limit for what the system allocates without commitment. */
#define MI_COMMIT_SYSTEM_RESERVE_DIVISOR 8

volatile SIZE_T MmTotalCommittedPages;
SIZE_T MmTotalCommitLimit;
SIZE_T MmPeakCommitment;
SIZE_T MmSharedCommit;
SIZE_T MmPagedPoolCommit;

VOID MiInitializeCommitLimit(VOID)
{
    MmTotalCommitLimit = MmAvailablePages - MmAvailablePages / MI_COMMIT_SYSTEM_RESERVE_DIVISOR;
}

/*
 * Charges Pages to Account (a process's CommitCharge, MmSharedCommit or
 * MmPagedPoolCommit) and to the system; FALSE (nothing charged) past the
 * limit.
 */
BOOLEAN MiChargeCommitment(PSIZE_T Account, SIZE_T Pages)
{
    KIRQL OldIrql = KiRaiseIrqlToDispatch();
    BOOLEAN Charged = Pages <= MmTotalCommitLimit - MmTotalCommittedPages;

    if (Charged) {
        MmTotalCommittedPages += Pages;
        if (MmTotalCommittedPages > MmPeakCommitment)
            MmPeakCommitment = MmTotalCommittedPages;
        *Account += Pages;
    }
    KiLowerIrqlFromDispatch(OldIrql);
    return Charged;
}

VOID MiReturnCommitment(PSIZE_T Account, SIZE_T Pages)
{
    KIRQL OldIrql = KiRaiseIrqlToDispatch();

    if (Pages > MmTotalCommittedPages || Pages > *Account)
        KeBugCheckEx(MEMORY_MANAGEMENT, MI_BUGCHECK_COMMITMENT_UNDERFLOW, Pages, MmTotalCommittedPages, *Account);
    MmTotalCommittedPages -= Pages;
    *Account -= Pages;
    KiLowerIrqlFromDispatch(OldIrql);
}
