/*
 * irql.c: the interrupt request level. IRQL lives in the PCR; raising and
 * lowering also move the PIC mask (HalSetIrqlMask), so a device line is
 * really masked while the processor runs at or above that line's level.
 * Raising to a lower level or lowering to a higher one is a caller bug and
 * stops the system as NT's checked HAL does. Lowering below DISPATCH_LEVEL
 * runs the DPCs queued meanwhile. With forced IRQL checking on, a raise to
 * DISPATCH_LEVEL or above first makes pageable memory absent (mm/vftrim.c).
 */
#include <ke.h>
#include <hal.h>
#include <vf.h>

PKI_INTERRUPT_WINDOW_HOOK volatile KiInterruptWindowHook;

KIRQL NTAPI KeGetCurrentIrql(VOID)
{
    return KiPcr.Irql;
}

VOID NTAPI KeRaiseIrql(KIRQL NewIrql, PKIRQL OldIrql)
{
    KIRQL CurrentIrql = KiPcr.Irql;

    if (NewIrql < CurrentIrql || NewIrql > HIGH_LEVEL)
        KeBugCheckEx(IRQL_NOT_GREATER_OR_EQUAL, CurrentIrql, NewIrql, 0, 9);
    if (VfIsEnabled(DRIVER_VERIFIER_FORCE_IRQL_CHECKING))
        VfForceIrqlRaise(CurrentIrql, NewIrql);
    if (NewIrql > DISPATCH_LEVEL) {
        ULONG EFlags = KiReadEFlags();

        /*
         * Interrupts stay off from the mask to the store: one taken between
         * them would see the old level, run DPCs there, and a DPC that
         * raised and lowered IRQL would set the mask back to its own level
         * before the new one is stored.
         */
        _disable();
        HalSetIrqlMask(NewIrql);
        if (KiReadEFlags() & EFLAGS_IF)
            KI_INTERRUPT_WINDOW(KiWindowRaiseIrql);
        KiPcr.Irql = NewIrql;
        if (EFlags & EFLAGS_IF)
            _enable();
    } else {
        KiPcr.Irql = NewIrql;
    }
    *OldIrql = CurrentIrql;
}

/*
 * The new level is stored before the DPC queue is looked at: an interrupt
 * arriving before the store finds IRQL still raised and only queues its
 * DPC, which the look after the store then sees; one arriving after the
 * store runs its DPC on its own way out. Looking first would leave a DPC
 * queued in between waiting for the next interrupt.
 */
VOID NTAPI KeLowerIrql(KIRQL NewIrql)
{
    KIRQL CurrentIrql = KiPcr.Irql;

    if (NewIrql > CurrentIrql)
        KeBugCheckEx(IRQL_NOT_LESS_OR_EQUAL, CurrentIrql, NewIrql, 0, 9);
    if (CurrentIrql > DISPATCH_LEVEL)
        HalSetIrqlMask(NewIrql > DISPATCH_LEVEL ? NewIrql : DISPATCH_LEVEL);
    KI_INTERRUPT_WINDOW(KiWindowLowerIrql);
    __asm__ volatile("" ::: "memory");
    KiPcr.Irql = NewIrql;
    __asm__ volatile("" ::: "memory");
    if (NewIrql < DISPATCH_LEVEL && KiPcr.DpcRequested)
        KiDispatchPendingDpcs(NewIrql);
}

KIRQL NTAPI KeRaiseIrqlToDpcLevel(VOID)
{
    KIRQL OldIrql;

    KeRaiseIrql(DISPATCH_LEVEL, &OldIrql);
    return OldIrql;
}

KIRQL NTAPI KeRaiseIrqlToSynchLevel(VOID)
{
    KIRQL OldIrql;

    KeRaiseIrql(SYNCH_LEVEL, &OldIrql);
    return OldIrql;
}
