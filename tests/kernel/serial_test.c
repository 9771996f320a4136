/* serial_test.c: COM1, the channel every result travels on. */
#include "ktest.h"
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
