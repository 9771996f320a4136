/* window.c: a one-shot interrupt played at a chosen interrupt window (KI_INTERRUPT_WINDOW in ke.h). */
#include "window.h"

static KI_INTERRUPT_WINDOW KtArmedWindow;
static PKDPC KtArmedDpc;
static volatile BOOLEAN KtPlayed;

/* KeInsertQueueDpc does what the interrupt's way out would: below DISPATCH_LEVEL the DPC runs at once. */
static VOID KtPlayInterrupt(KI_INTERRUPT_WINDOW Window)
{
    if (Window != KtArmedWindow)
        return;
    KiInterruptWindowHook = NULL;
    KtPlayed = TRUE;
    KeInsertQueueDpc(KtArmedDpc, NULL, NULL);
}

VOID KtArmInterruptWindow(KI_INTERRUPT_WINDOW Window, PKDPC Dpc)
{
    KtArmedWindow = Window;
    KtArmedDpc = Dpc;
    KtPlayed = FALSE;
    KiInterruptWindowHook = KtPlayInterrupt;
}

VOID KtDisarmInterruptWindow(VOID)
{
    KiInterruptWindowHook = NULL;
}

BOOLEAN KtInterruptWindowPlayed(VOID)
{
    return KtPlayed;
}
