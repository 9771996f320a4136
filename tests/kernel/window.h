/* window.h: playing an interrupt inside one of the kernel's interrupt windows (window.c). */
#ifndef NTMM_WINDOW_H
#define NTMM_WINDOW_H

#include <ke.h>

/*
 * The next time the kernel reaches Window, an interrupt "arrives": Dpc is
 * queued, and run on the interrupt's way out if the interrupted IRQL is
 * below DISPATCH_LEVEL, as KiDispatchInterrupt does. One shot; Dpc must
 * stay alive until KtInterruptWindowPlayed says it was queued (or the
 * window is disarmed).
 */
VOID KtArmInterruptWindow(KI_INTERRUPT_WINDOW Window, PKDPC Dpc);
VOID KtDisarmInterruptWindow(VOID);
BOOLEAN KtInterruptWindowPlayed(VOID);

#endif
