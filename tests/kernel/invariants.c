/*
 * invariants.c: the checks the test runner makes after every suite. Each
 * prints what it found wrong as KTAP diagnostics; the suite fails if any
 * check fails, so a suite that leaks or corrupts state is the one blamed:
 * no try frame left, IRQL at PASSIVE_LEVEL, interrupts on, the PFN
 * database and both pools consistent, no pool tag holding more bytes than
 * before the suite (less what lookaside lists cache), every physical page
 * accounted for and every system PTE given back, the run maps of system
 * PTEs and pool pages agreeing with their summaries, no process left behind,
 * every process's address space consistent, every section's prototype PTEs
 * and counts consistent, the commitment of processes, sections and paged
 * pool adding up to the system's, and the pool page allocator's maps
 * agreeing with paged pool's commitment and promised pages.
 *
 * What a case takes and does not give back (pool bytes by tag, physical
 * pages, system PTEs, pages locked by MDLs, locked user pages, processes)
 * is also checked after every case, against the suite's start, so the
 * case that leaked is the one blamed; the suite's start then moves past
 * what it was blamed for, so neither the next case nor the suite's
 * invariants are blamed for it again. A lock-order inversion the
 * verifier reported during a case fails it too. With pool tracking on
 * (verifier=pooltrack), a leak lists the blocks left behind and the MDLs
 * left locked, each with the caller that made it.
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
    ULONG LockedUserPages;
    ULONG LockedPages;            /* by MmProbeAndLockPages, user and system */
    ULONG Processes;
    ULONG LockOrderReports;       /* the verifier's deadlock detection */
} KT_PAGE_ACCOUNT;

static KT_PAGE_ACCOUNT KtPagesBefore;

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
    Account->LockedUserPages = 0;
    for (PLIST_ENTRY Entry = PsActiveProcessHead.Flink; Entry != &PsActiveProcessHead; Entry = Entry->Flink)
        Account->LockedUserPages += CONTAINING_RECORD(Entry, EPROCESS, ActiveProcessLinks)->NumberOfLockedPages;
    Account->LockedPages = MmSystemLockPagesCount;
    Account->Processes = PsActiveProcessCount;
    Account->LockOrderReports = VfDeadlockReports();
}

/* Physical pages gone since Before that no page table, bad page or pool page explains. */
static LONG KtMissingPages(const KT_PAGE_ACCOUNT *Before, const KT_PAGE_ACCOUNT *After)
{
    return (LONG)(Before->Available - After->Available) - (LONG)(After->PageTables - Before->PageTables) -
           (LONG)(After->Bad - Before->Bad) - (LONG)(After->PoolResident - Before->PoolResident);
}

/* Called before a suite's first case: what the system holds now is not the suite's doing. */
VOID KtBeginSuiteInvariants(PCSTR Suite)
{
    UNREFERENCED_PARAMETER(Suite);
    ExTakePoolSnapshot(&KtPoolBefore);
    KtCountPages(&KtPagesBefore);
}

/*
 * After each case: what the system holds beyond the suite's start is the
 * case's doing. Each kind of resource is reported on its own line, before
 * the case's result; FALSE fails the case. Giving back more than the start
 * held (a case freeing what an earlier one of its suite kept) is not blamed.
 */
BOOLEAN KtCheckCaseResources(PCSTR Case)
{
    KT_PAGE_ACCOUNT After;
    BOOLEAN Ok = TRUE;
    LONG Missing;

    KtCountPages(&After);
    ExTakePoolSnapshot(&KtPoolAfter);
    if (ExReportPoolLeaks(&KtPoolBefore, &KtPoolAfter) != 0)
        Ok = FALSE;
    Missing = KtMissingPages(&KtPagesBefore, &After);
    if (Missing > 0) {
        DbgPrint("    # %s kept %d physical pages\n", Case, Missing);
        Ok = FALSE;
    }
    if (After.FreeSystemPtes < KtPagesBefore.FreeSystemPtes) {
        DbgPrint("    # %s kept %u system PTEs\n", Case, KtPagesBefore.FreeSystemPtes - After.FreeSystemPtes);
        Ok = FALSE;
    }
    if (After.LockedUserPages > KtPagesBefore.LockedUserPages) {
        DbgPrint("    # %s left %u user pages locked\n", Case, After.LockedUserPages - KtPagesBefore.LockedUserPages);
        Ok = FALSE;
    }
    if (After.LockedPages > KtPagesBefore.LockedPages) {
        DbgPrint("    # %s left %u pages locked by MDLs\n", Case, After.LockedPages - KtPagesBefore.LockedPages);
        if (VfIsEnabled(DRIVER_VERIFIER_TRACK_POOL_ALLOCATIONS))
            VfReportLockedPages(KtPoolBefore.Generation);
        Ok = FALSE;
    }
    if (After.Processes > KtPagesBefore.Processes) {
        DbgPrint("    # %s left %u processes behind\n", Case, After.Processes - KtPagesBefore.Processes);
        Ok = FALSE;
    }
    if (After.LockOrderReports > KtPagesBefore.LockOrderReports) {
        DbgPrint("    # %s took %u pairs of spin locks in both orders\n", Case,
                 After.LockOrderReports - KtPagesBefore.LockOrderReports);
        VfDeadlockPrintReports(KtPagesBefore.LockOrderReports);
        Ok = FALSE;
    }
    if (!Ok) {
        KtPoolBefore = KtPoolAfter;
        KtPagesBefore = After;
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
    if (CommitCharge + MmSharedCommit + MmPagedPoolCommit != MmTotalCommittedPages) {
        DbgPrint("    # processes hold %u committed pages, sections %u and paged pool %u, the system counts %u\n",
                 CommitCharge, MmSharedCommit, MmPagedPoolCommit, MmTotalCommittedPages);
        Ok = FALSE;
    }
    if (PsActiveProcessCount != KtPagesBefore.Processes) {
        DbgPrint("    # %u processes before the suite, %u after\n", KtPagesBefore.Processes, PsActiveProcessCount);
        Ok = FALSE;
    }
    return Ok;
}

static BOOLEAN KtCheckPageAccount(VOID)
{
    KT_PAGE_ACCOUNT After;
    LONG Missing;

    KtCountPages(&After);
    Missing = KtMissingPages(&KtPagesBefore, &After);
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
    if (After.LockedPages != KtPagesBefore.LockedPages) {
        DbgPrint("    # pages locked by MDLs %u -> %u\n", KtPagesBefore.LockedPages, After.LockedPages);
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
    if (!MiCheckSystemPtes() || !MiCheckPoolPages()) {
        DbgPrint("    # a run map (system PTEs or pool pages) disagrees with its summaries or its count\n");
        Ok = FALSE;
    }
    if (!KtCheckProcesses())
        Ok = FALSE;
    if (!MmCheckSections(TRUE))
        Ok = FALSE;
    return Ok;
}
