/* serial.c: COM1 as a 16550 UART at 115200 8N1, polled in both directions. */
#include <hal.h>

PHAL_CONSOLE_MIRROR HalSerialMirror;
static BOOLEAN HalpSerialPresent;
static BOOLEAN HalpSerialStalled;   /* the transmitter last timed out: do not wait for it again */

VOID HalInitializeSerial(VOID)
{
    USHORT Divisor = UART_DIVISOR_115200;

    /* The scratch register holds what is written only when a UART is there. */
    __outbyte(COM1_PORT + UART_SCR, 0x5A);
    HalpSerialPresent = __inbyte(COM1_PORT + UART_SCR) == 0x5A;
    if (!HalpSerialPresent)
        return;

    __outbyte(COM1_PORT + UART_IER, 0);
    __outbyte(COM1_PORT + UART_LCR, UART_LCR_DLAB);
    __outbyte(COM1_PORT + UART_DATA, Divisor & 0xFF);
    __outbyte(COM1_PORT + UART_IER, Divisor >> 8);
    __outbyte(COM1_PORT + UART_LCR, UART_LCR_8N1);
    __outbyte(COM1_PORT + UART_FCR, UART_FCR_ENABLE);
    __outbyte(COM1_PORT + UART_MCR, UART_MCR_DTR_RTS | UART_MCR_OUT2);
}

/*
 * Waits for the transmitter holding register to empty, as the line status
 * register at LineStatusPort shows it: TRUE when it did, FALSE after
 * UART_TRANSMIT_POLLS reads without it. A line that stalled once
 * (*Stalled) gets one read per character until it shows THRE by itself, so
 * a dead line costs output, never a hang, not even in KeBugCheckEx.
 */
BOOLEAN HalpWaitForTransmitter(USHORT LineStatusPort, PBOOLEAN Stalled)
{
    ULONG Polls = *Stalled ? 1 : UART_TRANSMIT_POLLS;

    for (ULONG Poll = 0; Poll < Polls; Poll++) {
        if (__inbyte(LineStatusPort) & UART_LSR_THRE) {
            *Stalled = FALSE;
            return TRUE;
        }
    }
    *Stalled = TRUE;
    return FALSE;
}

VOID HalSerialPutChar(CHAR Character)
{
    if (HalpSerialPresent && HalpWaitForTransmitter(COM1_PORT + UART_LSR, &HalpSerialStalled))
        __outbyte(COM1_PORT + UART_DATA, (UCHAR)Character);
}

/* Writes Length bytes, turning "\n" into "\r\n" for terminals; the mirror sees them as they are. */
VOID HalSerialWrite(PCSTR Text, ULONG Length)
{
    if (HalSerialMirror != NULL)
        HalSerialMirror(Text, Length);
    for (ULONG i = 0; i < Length; i++) {
        if (Text[i] == '\n')
            HalSerialPutChar('\r');
        HalSerialPutChar(Text[i]);
    }
}

LONG HalSerialGetChar(VOID)
{
    if (!HalpSerialPresent || (__inbyte(COM1_PORT + UART_LSR) & UART_LSR_DATA) == 0)
        return -1;
    return __inbyte(COM1_PORT + UART_DATA);
}

/*
 * Puts the UART in loopback, sends a byte and reads it back through the
 * receive path, then restores normal operation: proves input works without
 * anyone typing.
 */
BOOLEAN HalSerialLoopbackTest(VOID)
{
    BOOLEAN Ok = FALSE;
    UCHAR Mcr = __inbyte(COM1_PORT + UART_MCR);

    if (!HalpSerialPresent)
        return FALSE;
    while (HalSerialGetChar() >= 0)
        ;
    __outbyte(COM1_PORT + UART_MCR, Mcr | UART_MCR_LOOP);
    HalSerialPutChar((CHAR)0xA5);
    for (ULONG Spin = 0; Spin < 100000; Spin++) {
        LONG c = HalSerialGetChar();
        if (c >= 0) {
            Ok = c == 0xA5;
            break;
        }
    }
    __outbyte(COM1_PORT + UART_MCR, Mcr);
    return Ok;
}
