/* serial_test.c: COM1, the channel every result travels on. */
#include "ktest.h"
#include <ke.h>
#include <hal.h>

KTEST(serial, loopback_receives_what_was_sent)
{
    KT_EXPECT(HalSerialLoopbackTest());
}

KTEST(serial, nothing_pending_reads_as_minus_one)
{
    while (HalSerialGetChar() >= 0)
        ;
    KT_EXPECT_EQ(HalSerialGetChar(), -1);
}

/* TSC ticks one wait for the transmitter takes; the fastest of three, so a host hiccup does not count. */
static ULONGLONG TimeWait(USHORT LineStatusPort, PBOOLEAN Stalled, PBOOLEAN Ready)
{
    ULONGLONG Fastest = ~0ULL;

    for (ULONG Try = 0; Try < 3; Try++) {
        ULONGLONG Start = __rdtsc(), Ticks;

        *Ready = HalpWaitForTransmitter(LineStatusPort, Stalled);
        Ticks = __rdtsc() - Start;
        if (Ticks < Fastest)
            Fastest = Ticks;
    }
    return Fastest;
}

/*
 * The scratch register stands in for a line status register that never
 * shows THRE, as a stalled or missing line would: the first wait gives up
 * after its polls; later ones read once, costing what a wait on a ready
 * line costs; and a line that shows THRE again is written to again.
 */
KTEST(serial, a_stalled_transmitter_times_out_and_is_not_waited_for_again)
{
    UCHAR Scratch = __inbyte(COM1_PORT + UART_SCR);
    BOOLEAN Stalled = FALSE, Ready = TRUE;
    ULONGLONG FirstWait, LaterWait, ReadyWait;

    __outbyte(COM1_PORT + UART_SCR, (UCHAR)~UART_LSR_THRE);
    FirstWait = __rdtsc();
    KT_EXPECT(!HalpWaitForTransmitter(COM1_PORT + UART_SCR, &Stalled));
    FirstWait = __rdtsc() - FirstWait;
    KT_EXPECT(Stalled);
    LaterWait = TimeWait(COM1_PORT + UART_SCR, &Stalled, &Ready);
    KT_EXPECT(!Ready);
    KT_EXPECT(Stalled);

    __outbyte(COM1_PORT + UART_SCR, UART_LSR_THRE);
    ReadyWait = TimeWait(COM1_PORT + UART_SCR, &Stalled, &Ready);
    KT_EXPECT(Ready);
    KT_EXPECT(!Stalled);
    KT_EXPECT(LaterWait < 4 * ReadyWait);
    KtLog("ticks: first wait %llu, later waits %llu, waits on a ready line %llu", FirstWait, LaterWait, ReadyWait);
    __outbyte(COM1_PORT + UART_SCR, Scratch);
}
