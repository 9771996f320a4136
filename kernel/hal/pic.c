/*
 * pic.c: the two 8259s, remapped to vectors 0x30-0x3F and masked, with the
 * IRQL-to-mask mapping of NT's PIC HAL: an interrupt line is masked while the
 * current IRQL is at or above the IRQL assigned to it. The mask is written to
 * the chips only when it changes, so raising to DISPATCH_LEVEL (which masks
 * no device) costs no port I/O.
 */
#include <hal.h>
#include <ke.h>

#define PIC_ICW1_INIT_ICW4 0x11
#define PIC_ICW4_8086      0x01
#define PIC_EOI            0x20
#define PIC_READ_ISR       0x0B
#define PIC_READ_IRR       0x0A

static KIRQL HalpIrqIrql[PIC_IRQ_COUNT];   /* 0: line not enabled */
static USHORT HalpEnabledIrqs;              /* bit set: a driver enabled the line */
static USHORT HalpCurrentMask = 0xFFFF;     /* what the chips hold (bit set: masked) */

/*
 * The record and the chips change together with interrupts off: an
 * interrupt taken between them could raise and lower IRQL itself (a DPC
 * does), find the record already saying Mask, and leave the chips holding
 * a mask nobody asked for, the timer masked for good.
 */
static VOID HalpWriteMask(USHORT Mask)
{
    ULONG EFlags = KiReadEFlags();

    _disable();
    if (Mask != HalpCurrentMask) {
        HalpCurrentMask = Mask;
        __outbyte(PIC1_DATA, Mask & 0xFF);
        __outbyte(PIC2_DATA, Mask >> 8);
    }
    if (EFlags & EFLAGS_IF)
        _enable();
}

VOID HalInitializePic(VOID)
{
    __outbyte(PIC1_COMMAND, PIC_ICW1_INIT_ICW4);
    __outbyte(PIC2_COMMAND, PIC_ICW1_INIT_ICW4);
    __outbyte(PIC1_DATA, PRIMARY_VECTOR_BASE);
    __outbyte(PIC2_DATA, PRIMARY_VECTOR_BASE + 8);
    __outbyte(PIC1_DATA, 1 << PIC_IRQ_CASCADE);
    __outbyte(PIC2_DATA, PIC_IRQ_CASCADE);
    __outbyte(PIC1_DATA, PIC_ICW4_8086);
    __outbyte(PIC2_DATA, PIC_ICW4_8086);
    HalpCurrentMask = 0;
    HalpWriteMask(0xFFFF);
}

VOID HalSetIrqlMask(KIRQL Irql)
{
    USHORT Mask = (USHORT)~HalpEnabledIrqs;

    for (ULONG Irq = 0; Irq < PIC_IRQ_COUNT; Irq++) {
        if ((HalpEnabledIrqs & (1u << Irq)) && Irql >= HalpIrqIrql[Irq])
            Mask |= 1u << Irq;
    }
    if ((~Mask & 0xFF00) != 0)
        Mask &= (USHORT)~(1u << PIC_IRQ_CASCADE);
    HalpWriteMask(Mask);
}

VOID HalEnableSystemInterrupt(ULONG Irq, KIRQL Irql)
{
    ASSERT(Irq < PIC_IRQ_COUNT && Irql > DISPATCH_LEVEL);
    HalpIrqIrql[Irq] = Irql;
    HalpEnabledIrqs |= 1u << Irq;
    HalSetIrqlMask(KeGetCurrentIrql());
}

USHORT HalGetInterruptMask(VOID)
{
    return HalpCurrentMask;
}

/* IRQ 7 and 15 also arrive when a line drops before the CPU acknowledges it: the ISR bit tells. */
BOOLEAN HalIsSpuriousInterrupt(ULONG Irq)
{
    USHORT Command = Irq < 8 ? PIC1_COMMAND : PIC2_COMMAND;

    if ((Irq & 7) != 7)
        return FALSE;
    __outbyte(Command, PIC_READ_ISR);
    if (__inbyte(Command) & 0x80)
        return FALSE;
    if (Irq >= 8)
        __outbyte(PIC1_COMMAND, PIC_EOI); /* the master did see the cascade */
    return TRUE;
}

VOID HalEndOfInterrupt(ULONG Irq)
{
    if (Irq >= 8)
        __outbyte(PIC2_COMMAND, PIC_EOI);
    __outbyte(PIC1_COMMAND, PIC_EOI);
}

/* Has the line raised a request the processor has not taken yet (masked or with interrupts off)? */
BOOLEAN HalIsInterruptPending(ULONG Irq)
{
    USHORT Command = Irq < 8 ? PIC1_COMMAND : PIC2_COMMAND;
    UCHAR Requests;

    __outbyte(Command, PIC_READ_IRR);
    Requests = __inbyte(Command);
    __outbyte(Command, PIC_READ_ISR);
    return (Requests & (1u << (Irq & 7))) != 0;
}
