/* hal.h: the hardware abstraction layer's interface to the kernel: port I/O, COM1, the PICs and the PIT. */
#ifndef NTMM_HAL_H
#define NTMM_HAL_H

#include <ntddk.h>

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

/* COM1, a 16550 at 115200 8N1 (kernel/hal/serial.c). Its registers, as offsets from the base port: */
#define COM1_PORT 0x3F8
#define UART_DATA           0      /* RBR/THR; divisor low when DLAB */
#define UART_IER            1      /* divisor high when DLAB */
#define UART_FCR            2
#define UART_LCR            3
#define UART_MCR            4
#define UART_LSR            5
#define UART_SCR            7      /* scratch: holds what is written, nothing else */

#define UART_LCR_8N1        0x03
#define UART_LCR_DLAB       0x80
#define UART_FCR_ENABLE     0x07   /* FIFOs on, both cleared */
#define UART_MCR_DTR_RTS    0x03
#define UART_MCR_OUT2       0x08
#define UART_MCR_LOOP       0x10
#define UART_LSR_DATA       0x01
#define UART_LSR_THRE       0x20   /* the transmitter holding register is empty */
#define UART_CLOCK_HZ       115200
#define UART_TRANSMIT_POLLS 10000  /* line status reads before a transmitter counts as stalled:
                                      about 10 ms at ISA port speed; a byte at 115200 baud takes 87 us */

VOID HalInitializeSerial(VOID);
VOID HalSerialPutChar(CHAR Character);
VOID HalSerialWrite(PCSTR Text, ULONG Length);
LONG HalSerialGetChar(VOID);           /* -1 when nothing is waiting */
BOOLEAN HalSerialLoopbackTest(VOID);
BOOLEAN HalpWaitForTransmitter(USHORT LineStatusPort, PBOOLEAN Stalled);

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
USHORT HalGetInterruptMask(VOID);
VOID HalSetIrqlMask(KIRQL Irql);

/* The 8254 timer on IRQ 0 (kernel/hal/pit.c). */
#define PIT_INPUT_HZ 1193182
#define CLOCK_TICKS_PER_SECOND 100
#define KE_TIME_INCREMENT (10000000 / CLOCK_TICKS_PER_SECOND) /* in 100 ns units */
VOID HalInitializeClock(VOID);

#endif
