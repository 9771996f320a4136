/*
 * invariants.c: the checks the test runner makes after every suite. Each
 * prints what it found wrong as KTAP diagnostics; the suite fails if any
 * check fails, so a suite that leaks or corrupts state is the one blamed:
 * no try frame left, IRQL at PASSIVE_LEVEL, interrupts on, the PFN
 * database and both pools consistent, no pool tag holding more bytes than
 * before the suite (less what lookaside lists cache), every physical page
 * accounted for and every system PTE given back, no process left behind,
 * every process's address space consistent and its commitment, with paged
 * pool's, adding up to the system's, no more pages locked by MDLs than
 * before, and no lock-order inversion reported during the suite. With pool
 * tracking on (verifier=pooltrack), a leak lists the blocks left behind
 * and the locked MDLs, each with the caller that made it.
 */
#define NTMM_WHITEBOX_TEST
#include <mm.h>
#include <ex.h>
#include <ps.h>
#include <vf.h>

static EX_POOL_SNAPSHOT KtPoolBefore, KtPoolAfter;

/*
 * Where the physical pages are, apart from the free lists: what a suite may
 * legitimately keep (page tables, pages it marked bad, pool pages the
 * pool's caches hold, special-pool pages of blocks lookaside lists cache)
 * and what it may not (anything else).
 */
typedef struct _KT_PAGE_ACCOUNT {
    PFN_NUMBER Available;
    ULONG PageTables;
    PFN_NUMBER Bad;
    ULONG PoolResident;
    ULONG FreeSystemPtes;
} KT_PAGE_ACCOUNT;

static KT_PAGE_ACCOUNT KtPagesBefore;
static ULONG KtProcessesBefore, KtLockedPagesBefore, KtLockReportsBefore;

static VOID KtCountPages(KT_PAGE_ACCOUNT *Account)
{
    ULONG InUse, Total, NonPaged, Paged;

    ExTrimPool();
    MiQueryPoolPageCounts(MiNonPagedPoolPages, &InUse, &Total, &NonPaged);
    MiQueryPoolPageCounts(MiPagedPoolPages, &InUse, &Total, &Paged);
    Account->Available = MmAvailablePages;
    Account->PageTables = MmStatistics.PageTablesCreated;
    Account->Bad = MmBadPageListHead.Total;
    Account->PoolResident = NonPaged + Paged + MmSpecialPoolInUse;
    Account->FreeSystemPtes = MmTotalFreeSystemPtes;
}

/* Called before a suite's first case: what the system holds now is not the suite's doing. */
VOID KtBeginSuiteInvariants(PCSTR Suite)
{
    UNREFERENCED_PARAMETER(Suite);
    ExTakePoolSnapshot(&KtPoolBefore);
    KtCountPages(&KtPagesBefore);
    KtProcessesBefore = PsActiveProcessCount;
    KtLockedPagesBefore = MmSystemLockPagesCount;
    KtLockReportsBefore = VfDeadlockReports();
}

/* Pages left locked, with the MDLs that hold them (pool tracking), and lock orders inverted. */
static BOOLEAN KtCheckLocks(VOID)
{
    BOOLEAN Ok = TRUE;

    if (MmSystemLockPagesCount != KtLockedPagesBefore) {
        DbgPrint("    # %u pages were locked by MDLs before the suite, %u after\n", KtLockedPagesBefore,
                 MmSystemLockPagesCount);
        if (VfIsEnabled(DRIVER_VERIFIER_TRACK_POOL_ALLOCATIONS))
            VfReportLockedPages(KtPoolBefore.Generation);
        Ok = FALSE;
    }
    if (VfDeadlockReports() != KtLockReportsBefore) {
        DbgPrint("    # %u lock-order inversions were reported during the suite\n",
                 VfDeadlockReports() - KtLockReportsBefore);
        VfDeadlockPrintReports(KtLockReportsBefore);
        Ok = FALSE;
    }
    return Ok;
}

/* Every process's address space, and their commitment against the system's total. */
static BOOLEAN KtCheckProcesses(VOID)
{
    SIZE_T CommitCharge = 0;
    BOOLEAN Ok = TRUE;

    for (PLIST_ENTRY Entry = PsActiveProcessHead.Flink; Entry != &PsActiveProcessHead; Entry = Entry->Flink) {
        PEPROCESS Process = CONTAINING_RECORD(Entry, EPROCESS, ActiveProcessLinks);

        if (!MmCheckProcessAddressSpace(Process, TRUE))
            Ok = FALSE;
        CommitCharge += Process->CommitCharge;
    }
    if (CommitCharge + MmPagedPoolCommit != MmTotalCommittedPages) {
        DbgPrint("    # processes hold %u committed pages and paged pool %u, the system counts %u\n", CommitCharge,
                 MmPagedPoolCommit, MmTotalCommittedPages);
        Ok = FALSE;
    }
    if (PsActiveProcessCount != KtProcessesBefore) {
        DbgPrint("    # %u processes before the suite, %u after\n", KtProcessesBefore, PsActiveProcessCount);
        Ok = FALSE;
    }
    return Ok;
}

static BOOLEAN KtCheckPageAccount(VOID)
{
    KT_PAGE_ACCOUNT After;
    LONG Missing;

    KtCountPages(&After);
    Missing = (LONG)(KtPagesBefore.Available - After.Available) - (LONG)(After.PageTables - KtPagesBefore.PageTables) -
              (LONG)(After.Bad - KtPagesBefore.Bad) - (LONG)(After.PoolResident - KtPagesBefore.PoolResident);
    if (Missing != 0) {
        DbgPrint("    # %d physical pages unaccounted for (available %u -> %u, page tables +%u, bad +%u, pool +%d)\n",
                 Missing, KtPagesBefore.Available, After.Available, After.PageTables - KtPagesBefore.PageTables,
                 After.Bad - KtPagesBefore.Bad, (LONG)(After.PoolResident - KtPagesBefore.PoolResident));
        return FALSE;
    }
    if (After.FreeSystemPtes != KtPagesBefore.FreeSystemPtes) {
        DbgPrint("    # free system PTEs %u -> %u\n", KtPagesBefore.FreeSystemPtes, After.FreeSystemPtes);
        return FALSE;
    }
    return TRUE;
}

BOOLEAN KtCheckSystemInvariants(PCSTR Suite)
{
    BOOLEAN Ok = TRUE;

    UNREFERENCED_PARAMETER(Suite);
    if (KiPcr.ExceptionList != NULL) {
        DbgPrint("    # a try frame is still registered at %p\n", KiPcr.ExceptionList);
        Ok = FALSE;
    }
    if (KeGetCurrentIrql() != PASSIVE_LEVEL) {
        DbgPrint("    # IRQL is %u, not PASSIVE_LEVEL\n", KeGetCurrentIrql());
        Ok = FALSE;
    }
    if ((KiReadEFlags() & EFLAGS_IF) == 0) {
        DbgPrint("    # interrupts are disabled\n");
        Ok = FALSE;
    }
    if (!MiCheckPfnDatabase(TRUE))
        Ok = FALSE;
    if (!ExCheckPool(TRUE))
        Ok = FALSE;
    if (!MiCheckPoolPages()) {
        DbgPrint("    # the pool page allocator's maps, or paged pool's commitment (%u pages) and promised pages (%u),"
                 " disagree with its pages\n", MmPagedPoolCommit, MmPromisedPages);
        Ok = FALSE;
    }
    ExTakePoolSnapshot(&KtPoolAfter);
    if (ExReportPoolLeaks(&KtPoolBefore, &KtPoolAfter) != 0)
        Ok = FALSE;
    if (!KtCheckPageAccount())
        Ok = FALSE;
    if (!KtCheckProcesses())
        Ok = FALSE;
    if (!KtCheckLocks())
        Ok = FALSE;
    return Ok;
}
