/* irql_test.c: KeRaiseIrql/KeLowerIrql, the PIC mask that makes IRQL real, and the bad-order stops. */
#include "ktest.h"
#include <ke.h>
#include <hal.h>
#include "window.h"

KTEST(irql, starts_at_passive_level)
{
    KT_EXPECT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
}

KTEST(irql, raise_and_lower_return_the_previous_level)
{
    KIRQL OldIrql, Older;

    KeRaiseIrql(APC_LEVEL, &OldIrql);
    KT_EXPECT_EQ(OldIrql, PASSIVE_LEVEL);
    KT_EXPECT_EQ(KeGetCurrentIrql(), APC_LEVEL);
    Older = KeRaiseIrqlToDpcLevel();
    KT_EXPECT_EQ(Older, APC_LEVEL);
    KT_EXPECT_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);
    KeRaiseIrql(DISPATCH_LEVEL, &OldIrql); /* raising to the same level is allowed */
    KT_EXPECT_EQ(OldIrql, DISPATCH_LEVEL);
    KeLowerIrql(Older);
    KT_EXPECT_EQ(KeGetCurrentIrql(), APC_LEVEL);
    KeLowerIrql(PASSIVE_LEVEL);
    KT_EXPECT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
    KT_EXPECT_EQ(KeRaiseIrqlToSynchLevel(), PASSIVE_LEVEL);
    KT_EXPECT_EQ(KeGetCurrentIrql(), SYNCH_LEVEL);
    KeLowerIrql(PASSIVE_LEVEL);
}

static ULONGLONG TicksWhileSpinning(VOID)
{
    ULONGLONG Start = KeTickCount;

    /* Long enough for several ticks at 100 Hz under TCG. */
    for (volatile ULONG Spin = 0; Spin < 4000000; Spin++)
        if (KeTickCount > Start + 2)
            break;
    return KeTickCount - Start;
}

KTEST(irql, clock_level_masks_the_timer_and_dispatch_level_does_not)
{
    KIRQL OldIrql;
    ULONGLONG Ticks;

    KeRaiseIrql(DISPATCH_LEVEL, &OldIrql);
    KT_EXPECT_EQ(HalGetInterruptMask() & (1u << PIC_IRQ_TIMER), 0);
    Ticks = TicksWhileSpinning();
    KeLowerIrql(OldIrql);
    KT_EXPECT(Ticks > 0);

    KeRaiseIrql(CLOCK2_LEVEL, &OldIrql);
    KT_EXPECT_EQ(HalGetInterruptMask() & (1u << PIC_IRQ_TIMER), 1u << PIC_IRQ_TIMER);
    Ticks = TicksWhileSpinning();
    KeLowerIrql(OldIrql);
    KT_EXPECT_EQ(Ticks, 0);
    KT_EXPECT_EQ(HalGetInterruptMask() & (1u << PIC_IRQ_TIMER), 0);
}

KTEST(irql, high_level_masks_every_enabled_line)
{
    KIRQL OldIrql;

    KeRaiseIrql(HIGH_LEVEL, &OldIrql);
    KT_EXPECT_EQ(HalGetInterruptMask(), 0xFFFF);
    KeLowerIrql(OldIrql);
}

static volatile ULONG DpcRuns;

static VOID NTAPI CountingDpc(PKDPC Dpc, PVOID Context, PVOID Argument1, PVOID Argument2)
{
    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(Context);
    UNREFERENCED_PARAMETER(Argument1);
    UNREFERENCED_PARAMETER(Argument2);
    DpcRuns++;
}

/*
 * An interrupt that queues a DPC while KeLowerIrql is on its way down, the
 * IRQL not yet stored: the DPC runs before KeLowerIrql returns, not at the
 * next clock tick. From DISPATCH_LEVEL and from a device level.
 */
KTEST(irql, dpc_queued_while_lowering_runs_before_lower_returns)
{
    static const KIRQL From[] = { DISPATCH_LEVEL, CLOCK2_LEVEL };

    for (ULONG i = 0; i < RTL_NUMBER_OF(From); i++) {
        KDPC Dpc;
        KIRQL OldIrql;

        DpcRuns = 0;
        KeInitializeDpc(&Dpc, CountingDpc, NULL);
        KeRaiseIrql(From[i], &OldIrql);
        KtArmInterruptWindow(KiWindowLowerIrql, &Dpc);
        KeLowerIrql(OldIrql);
        KtDisarmInterruptWindow();
        KT_EXPECT(KtInterruptWindowPlayed());
        KT_EXPECT_EQ(DpcRuns, 1);
        KeRemoveQueueDpc(&Dpc);
    }
}

/* A DPC that raises to HIGH_LEVEL and comes back to DISPATCH_LEVEL, leaving the mask at its own level. */
static VOID NTAPI MaskMovingDpc(PKDPC Dpc, PVOID Context, PVOID Argument1, PVOID Argument2)
{
    KIRQL OldIrql;

    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(Context);
    UNREFERENCED_PARAMETER(Argument1);
    UNREFERENCED_PARAMETER(Argument2);
    KeRaiseIrql(HIGH_LEVEL, &OldIrql);
    KeLowerIrql(OldIrql);
}

/*
 * Between masking the PIC and storing the new level no interrupt may
 * arrive: its DPCs would run at the old level and could move the mask, so
 * the clock would tick at CLOCK2_LEVEL. The window there is played only
 * when interrupts are on.
 */
KTEST(irql, no_interrupt_comes_between_the_mask_and_the_raised_level)
{
    KDPC Dpc;
    KIRQL OldIrql;

    KeInitializeDpc(&Dpc, MaskMovingDpc, NULL);
    KtArmInterruptWindow(KiWindowRaiseIrql, &Dpc);
    KeRaiseIrql(CLOCK2_LEVEL, &OldIrql);
    KtDisarmInterruptWindow();
    KT_EXPECT(!KtInterruptWindowPlayed());
    KT_EXPECT(HalGetInterruptMask() & (1u << PIC_IRQ_TIMER));
    KeLowerIrql(OldIrql);
    KT_EXPECT(!(HalGetInterruptMask() & (1u << PIC_IRQ_TIMER)));
}

KTEST_BUGCHECK(irql, raising_to_a_lower_level_stops_with_0x9, IRQL_NOT_GREATER_OR_EQUAL)
{
    KIRQL OldIrql;

    KT_BUGCHECK_PARAMETER(1, DISPATCH_LEVEL);
    KT_BUGCHECK_PARAMETER(2, APC_LEVEL);
    KeRaiseIrql(DISPATCH_LEVEL, &OldIrql);
    KeRaiseIrql(APC_LEVEL, &OldIrql);
}

KTEST_BUGCHECK(irql, lowering_to_a_higher_level_stops_with_0xa, IRQL_NOT_LESS_OR_EQUAL)
{
    KT_BUGCHECK_PARAMETER(1, PASSIVE_LEVEL);
    KT_BUGCHECK_PARAMETER(2, DISPATCH_LEVEL);
    KeLowerIrql(DISPATCH_LEVEL);
}
