/* hal.h: the hardware abstraction layer's interface to the kernel: port I/O, COM1, the PICs and the PIT. */
#ifndef NTMM_HAL_H
#define NTMM_HAL_H

#include <ntddk.h>
#include <hw/pc.h>

#ifdef KTEST_HOST
/* The host tests run HAL code over ports they simulate (tests/host/pci_test.c). */
UCHAR __inbyte(USHORT Port);
USHORT __inword(USHORT Port);
ULONG __indword(USHORT Port);
VOID __outbyte(USHORT Port, UCHAR Value);
VOID __outword(USHORT Port, USHORT Value);
VOID __outdword(USHORT Port, ULONG Value);
#else
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
#endif

/* COM1, a 16550 at 115200 8N1 (kernel/hal/serial.c; the registers are in hw/pc.h). */
#define UART_TRANSMIT_POLLS 10000  /* line status reads before a transmitter counts as stalled:
                                      about 10 ms at ISA port speed; a byte at 115200 baud takes 87 us */

VOID HalInitializeSerial(VOID);
VOID HalSerialPutChar(CHAR Character);
VOID HalSerialWrite(PCSTR Text, ULONG Length);
LONG HalSerialGetChar(VOID);           /* -1 when nothing is waiting */
BOOLEAN HalSerialLoopbackTest(VOID);
BOOLEAN HalpWaitForTransmitter(USHORT LineStatusPort, PBOOLEAN Stalled);
/* Sees every string HalSerialWrite sends (the kd console's screen, kernel/kd/console.c). */
typedef VOID (*PHAL_CONSOLE_MIRROR)(PCSTR Text, ULONG Length);
extern PHAL_CONSOLE_MIRROR HalSerialMirror;

/* The 8259 pair, remapped to PRIMARY_VECTOR_BASE (kernel/hal/pic.c); reading a data port gives its mask. */
#define PIC1_COMMAND 0x20
#define PIC1_DATA    0x21
#define PIC2_COMMAND 0xA0
#define PIC2_DATA    0xA1
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

/* The MC146818 real-time clock (kernel/hal/cmos.c): the date and time, read at boot. */
BOOLEAN NTAPI HalQueryRealTimeClock(PTIME_FIELDS TimeFields);

/* The 8254 timer on IRQ 0 (kernel/hal/pit.c). */
#define PIT_INPUT_HZ 1193182
#define CLOCK_TICKS_PER_SECOND 100
#define KE_TIME_INCREMENT (10000000 / CLOCK_TICKS_PER_SECOND) /* in 100 ns units */
#define PIT_CLOCK_DIVISOR (PIT_INPUT_HZ / CLOCK_TICKS_PER_SECOND) /* input ticks per clock interrupt */
VOID HalInitializeClock(VOID);

/* The CMOS real-time clock (kernel/hal/cmos.c), read once at boot for the system time. */
BOOLEAN NTAPI HalQueryRealTimeClock(PTIME_FIELDS TimeFields);

#endif
