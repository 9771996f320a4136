/* hal.h: the hardware abstraction layer's interface to the kernel: port I/O, COM1, the PICs and the PIT. */
#ifndef NTMM_HAL_H
#define NTMM_HAL_H

#include <ntddk.h>

FORCEINLINE UCHAR __inbyte(USHORT Port)
{
    UCHAR Value;
    __asm__ volatile("inb %1, %0" : "=a"(Value) : "Nd"(Port));
    return Value;
}

FORCEINLINE USHORT __inword(USHORT Port)
{
    USHORT Value;
    __asm__ volatile("inw %1, %0" : "=a"(Value) : "Nd"(Port));
    return Value;
}

FORCEINLINE ULONG __indword(USHORT Port)
{
    ULONG Value;
    __asm__ volatile("inl %1, %0" : "=a"(Value) : "Nd"(Port));
    return Value;
}

FORCEINLINE VOID __outbyte(USHORT Port, UCHAR Value)
{
    __asm__ volatile("outb %0, %1" : : "a"(Value), "Nd"(Port));
}

FORCEINLINE VOID __outword(USHORT Port, USHORT Value)
{
    __asm__ volatile("outw %0, %1" : : "a"(Value), "Nd"(Port));
}

FORCEINLINE VOID __outdword(USHORT Port, ULONG Value)
{
    __asm__ volatile("outl %0, %1" : : "a"(Value), "Nd"(Port));
}

/* COM1, a 16550 at 115200 8N1 (kernel/hal/serial.c). */
#define COM1_PORT 0x3F8
VOID HalInitializeSerial(VOID);
VOID HalSerialPutChar(CHAR Character);
VOID HalSerialWrite(PCSTR Text, ULONG Length);
LONG HalSerialGetChar(VOID);           /* -1 when nothing is waiting */
BOOLEAN HalSerialLoopbackTest(VOID);

/* The 8259 pair, remapped to PRIMARY_VECTOR_BASE (kernel/hal/pic.c). */
#define PIC_IRQ_COUNT 16
#define PIC_IRQ_TIMER 0
#define PIC_IRQ_CASCADE 2
#define PIC_IRQ_COM1 4
VOID HalInitializePic(VOID);
VOID HalEnableSystemInterrupt(ULONG Irq, KIRQL Irql);
VOID HalEndOfInterrupt(ULONG Irq);
BOOLEAN HalIsSpuriousInterrupt(ULONG Irq);
BOOLEAN HalIsInterruptPending(ULONG Irq);
USHORT HalGetInterruptMask(VOID);
VOID HalSetIrqlMask(KIRQL Irql);

/* The 8254 timer on IRQ 0 (kernel/hal/pit.c). */
#define PIT_INPUT_HZ 1193182
#define CLOCK_TICKS_PER_SECOND 100
#define KE_TIME_INCREMENT (10000000 / CLOCK_TICKS_PER_SECOND) /* in 100 ns units */
#define PIT_CLOCK_DIVISOR (PIT_INPUT_HZ / CLOCK_TICKS_PER_SECOND) /* input ticks per clock interrupt */
VOID HalInitializeClock(VOID);

/* The CMOS real-time clock (kernel/hal/cmos.c), read once at boot for the system time. */
BOOLEAN NTAPI HalQueryRealTimeClock(PTIME_FIELDS TimeFields);

#endif
