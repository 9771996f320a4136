/*
 * pic_test.c: the PIC mask behind IRQL. An interrupt may arrive at any
 * instruction boundary where interrupts are on and its line is unmasked;
 * single-stepping lets a test deliver one at every such boundary of a
 * raise and lower, and check the HAL's record of the mask against the chips.
 */
#include "ktest.h"
#include <ke.h>
#include <hal.h>

static ULONG SimulatedInterrupts;

/*
 * At each single-step trap: when a timer interrupt could be taken here,
 * do what one does whose DPC raises and lowers IRQL (the interrupt runs the
 * DPC at DISPATCH_LEVEL because the interrupted code was below it).
 */
static VOID __attribute__((used)) StepAndInterrupt(PULONG Saved)
{
    ULONG EFlags = Saved[10];                /* pushal's 8 registers, then EIP, CS, EFLAGS */
    KIRQL Interrupted = KiPcr.Irql, OldIrql;

    if ((EFlags & EFLAGS_IF) == 0 || (__inbyte(PIC1_DATA) & (1u << PIC_IRQ_TIMER)) != 0 ||
        Interrupted >= DISPATCH_LEVEL)
        return;
    SimulatedInterrupts++;
    KiPcr.Irql = DISPATCH_LEVEL;
    KeRaiseIrql(HIGH_LEVEL, &OldIrql);
    KeLowerIrql(DISPATCH_LEVEL);
    KiPcr.Irql = Interrupted;
}

/* The #DB gate while the test steps: an interrupt gate, so the handler itself runs unstepped. */
__attribute__((naked)) static VOID SingleStepTrap(VOID)
{
    __asm__ volatile("pushal\n\t"
                     "pushl %esp\n\t"
                     "call StepAndInterrupt\n\t"
                     "addl $4, %esp\n\t"
                     "popal\n\t"
                     "iretl");
}

static USHORT ChipMask(VOID)
{
    return (USHORT)(__inbyte(PIC1_DATA) | (__inbyte(PIC2_DATA) << 8));
}

KTEST(pic, an_interrupt_at_any_point_of_a_raise_and_lower_leaves_the_mask_right)
{
    KIDTENTRY Saved = KiIdt[EXCEPTION_DEBUG];
    KIRQL OldIrql;

    SimulatedInterrupts = 0;
    KiSetIdtGate(EXCEPTION_DEBUG, (PVOID)SingleStepTrap, KGDT_R0_CODE, IDT_ACCESS_INTERRUPT_GATE);
    __asm__ volatile("pushfl; orl %0, (%%esp); popfl" : : "i"(EFLAGS_TF) : "memory", "cc");
    KeRaiseIrql(HIGH_LEVEL, &OldIrql);
    KeLowerIrql(OldIrql);
    __asm__ volatile("pushfl; andl %0, (%%esp); popfl" : : "i"(~EFLAGS_TF) : "memory", "cc");
    KiIdt[EXCEPTION_DEBUG] = Saved;

    KT_EXPECT(SimulatedInterrupts > 0);
    KT_EXPECT_EQ(ChipMask() & (1u << PIC_IRQ_TIMER), 0);
    if (ChipMask() != HalGetInterruptMask()) {
        KT_EXPECT_EQ(ChipMask(), HalGetInterruptMask());
        /* Give the suites after this one their clock back. */
        __outbyte(PIC1_DATA, HalGetInterruptMask() & 0xFF);
        __outbyte(PIC2_DATA, HalGetInterruptMask() >> 8);
    }
}
