/*
 * invariants.c: the checks the test runner makes after every suite. Each
 * prints what it found wrong as KTAP diagnostics; the suite fails if any
 * check fails, so a suite that leaks or corrupts state is the one blamed.
 */
#include <mm.h>

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
    return Ok;
}
