/* window.c: a one-shot interrupt played at a chosen interrupt window (KI_INTERRUPT_WINDOW in ke.h). */
#include "window.h"

static KI_INTERRUPT_WINDOW KtArmedWindow;
static PKDPC KtArmedDpc;
static volatile BOOLEAN KtPlayed;

static VOID KtPlayInterrupt(KI_INTERRUPT_WINDOW Window)
{
    KIRQL OldIrql;

    if (Window != KtArmedWindow)
        return;
    KiInterruptWindowHook = NULL;
    KtPlayed = TRUE;
    KeInsertQueueDpc(KtArmedDpc, NULL, NULL);
    if (KeGetCurrentIrql() < DISPATCH_LEVEL) {
        KeRaiseIrql(DISPATCH_LEVEL, &OldIrql);
        KeLowerIrql(OldIrql);
    }
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
