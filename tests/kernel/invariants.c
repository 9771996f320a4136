/*
 * invariants.c: the checks the test runner makes after every suite. Each
 * prints what it found wrong as KTAP diagnostics; the suite fails if any
 * check fails, so a suite that leaks or corrupts state is the one blamed:
 * no try frame left, IRQL at PASSIVE_LEVEL, interrupts on, the PFN
 * database and both pools consistent, and no pool tag holding more bytes
 * than before the suite (less what lookaside lists cache).
 */
#include <mm.h>
#include <ex.h>

static EX_POOL_SNAPSHOT KtPoolBefore, KtPoolAfter;

/* Called before a suite's first case: what the pool holds now is not the suite's doing. */
VOID KtBeginSuiteInvariants(PCSTR Suite)
{
    UNREFERENCED_PARAMETER(Suite);
    ExTakePoolSnapshot(&KtPoolBefore);
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
    ExTakePoolSnapshot(&KtPoolAfter);
    if (ExReportPoolLeaks(&KtPoolBefore, &KtPoolAfter) != 0)
        Ok = FALSE;
    return Ok;
}
