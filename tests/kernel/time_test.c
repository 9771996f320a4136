/*
 * time_test.c: the clocks a driver reads (system and interrupt time, the
 * tick count, the PIT-based performance counter), the processor stall
 * measured against them, calendar conversion, and the processor and cache
 * calls that are fixed on one x86 processor.
 */
#include "ktest.h"
#include <ke.h>
#include <hal.h>

#define TICKS_PER_SECOND 10000000LL        /* 100 ns units */
#define SECONDS_1601_TO_2020 12843302400LL
#define SECONDS_1601_TO_2100 15367968000LL

static LARGE_INTEGER Fields(CSHORT Year, CSHORT Month, CSHORT Day, CSHORT Hour, CSHORT Minute, CSHORT Second,
                            CSHORT Milliseconds, BOOLEAN *Valid)
{
    TIME_FIELDS TimeFields = { Year, Month, Day, Hour, Minute, Second, Milliseconds, 0 };
    LARGE_INTEGER Time;

    Time.QuadPart = -1;
    *Valid = RtlTimeFieldsToTime(&TimeFields, &Time);
    return Time;
}

KTEST(time, time_fields_convert_to_100ns_since_1601)
{
    BOOLEAN Valid;

    KT_EXPECT_EQ(Fields(1601, 1, 1, 0, 0, 0, 0, &Valid).QuadPart, 0);
    KT_EXPECT(Valid);
    KT_EXPECT_EQ(Fields(1970, 1, 1, 0, 0, 0, 0, &Valid).QuadPart, 116444736000000000LL);
    KT_EXPECT_EQ(Fields(2000, 2, 29, 12, 34, 56, 789, &Valid).QuadPart, 125963012967890000LL);
    KT_EXPECT(Valid);
    KT_EXPECT_EQ(Fields(1601, 12, 31, 23, 59, 59, 999, &Valid).QuadPart, 315359999990000LL);
    /* Out of range: the call fails and leaves the time alone. */
    KT_EXPECT_EQ(Fields(2001, 2, 29, 0, 0, 0, 0, &Valid).QuadPart, -1LL);
    KT_EXPECT(!Valid);
    Fields(1900, 2, 29, 0, 0, 0, 0, &Valid);
    KT_EXPECT(!Valid);
    Fields(1600, 12, 31, 0, 0, 0, 0, &Valid);
    KT_EXPECT(!Valid);
    Fields(2020, 13, 1, 0, 0, 0, 0, &Valid);
    KT_EXPECT(!Valid);
    Fields(2020, 1, 1, 24, 0, 0, 0, &Valid);
    KT_EXPECT(!Valid);
}

KTEST(time, system_time_is_the_cmos_clock_and_moves_with_interrupt_time)
{
    LARGE_INTEGER System, Now;
    TIME_FIELDS Clock;
    ULONGLONG Interrupt;
    LARGE_INTEGER Ticks;

    KeQuerySystemTime(&System);
    Interrupt = KeQueryInterruptTime();
    KeQueryTickCount(&Ticks);
    KT_EXPECT(System.QuadPart > SECONDS_1601_TO_2020 * TICKS_PER_SECOND);
    KT_EXPECT(System.QuadPart < SECONDS_1601_TO_2100 * TICKS_PER_SECOND);
    /* System time is boot time plus interrupt time (a tick may fall between the two reads). */
    KT_EXPECT((LONGLONG)Interrupt - (System.QuadPart - KeBootTime.QuadPart) >= 0);
    KT_EXPECT((LONGLONG)Interrupt - (System.QuadPart - KeBootTime.QuadPart) <= KeQueryTimeIncrement());
    /* Interrupt time is the tick count in 100 ns units, give or take the tick between the two reads. */
    KT_EXPECT((ULONGLONG)Ticks.QuadPart * KeQueryTimeIncrement() - Interrupt <= KeQueryTimeIncrement());
    /* The CMOS clock agrees, within what the emulated PIT may drift from it in one test run. */
    KT_ASSERT(HalQueryRealTimeClock(&Clock));
    KT_ASSERT(RtlTimeFieldsToTime(&Clock, &Now));
    KT_EXPECT(Now.QuadPart - System.QuadPart < 120 * TICKS_PER_SECOND &&
              System.QuadPart - Now.QuadPart < 120 * TICKS_PER_SECOND);
}

KTEST(time, performance_counter_counts_pit_ticks_and_never_goes_back)
{
    LARGE_INTEGER Frequency, Previous, Now, TicksBefore, TicksAfter;
    LONGLONG Expected;

    Previous = KeQueryPerformanceCounter(&Frequency);
    KT_EXPECT_EQ(Frequency.QuadPart, PIT_INPUT_HZ);
    for (ULONG i = 0; i < 2000; i++) {
        Now = KeQueryPerformanceCounter(NULL);
        KT_ASSERT(Now.QuadPart >= Previous.QuadPart);
        Previous = Now;
    }
    /* Over whole clock ticks, the counter moves by the divisor per tick (one tick either way). */
    KeQueryTickCount(&TicksBefore);
    Previous = KeQueryPerformanceCounter(NULL);
    do {
        KeQueryTickCount(&TicksAfter);
    } while (TicksAfter.QuadPart < TicksBefore.QuadPart + 5);
    Now = KeQueryPerformanceCounter(NULL);
    Expected = (TicksAfter.QuadPart - TicksBefore.QuadPart) * PIT_CLOCK_DIVISOR;
    KT_EXPECT(Now.QuadPart - Previous.QuadPart >= Expected - PIT_CLOCK_DIVISOR);
    KT_EXPECT(Now.QuadPart - Previous.QuadPart <= Expected + PIT_CLOCK_DIVISOR);
}

KTEST(time, stall_waits_at_least_as_long_as_asked_at_any_irql)
{
    LARGE_INTEGER Before, After, TicksBefore, TicksAfter;
    KIRQL OldIrql;

    Before = KeQueryPerformanceCounter(NULL);
    KeStallExecutionProcessor(2000);
    After = KeQueryPerformanceCounter(NULL);
    KT_EXPECT(After.QuadPart - Before.QuadPart >= 2000LL * PIT_INPUT_HZ / 1000000);

    /*
     * 35 ms is three clock periods and more; under TCG a busy host can
     * make the emulated PIT's interrupts coalesce (the PIC holds one), so
     * only "the clock ran" is certain, not how many ticks it counted.
     */
    KeQueryTickCount(&TicksBefore);
    KeStallExecutionProcessor(35000);
    KeQueryTickCount(&TicksAfter);
    KT_EXPECT(TicksAfter.QuadPart - TicksBefore.QuadPart >= 1);

    /* With the clock masked, the stall still keeps time: the clock's pending tick arrives after. */
    KeRaiseIrql(HIGH_LEVEL, &OldIrql);
    KeQueryTickCount(&TicksBefore);
    KeStallExecutionProcessor(15000);
    KeQueryTickCount(&TicksAfter);
    KT_EXPECT_EQ(TicksAfter.QuadPart, TicksBefore.QuadPart);
    KT_EXPECT(HalIsInterruptPending(PIC_IRQ_TIMER));
    KeLowerIrql(OldIrql);
    KeQueryTickCount(&TicksAfter);
    KT_EXPECT(TicksAfter.QuadPart > TicksBefore.QuadPart);
    KeStallExecutionProcessor(0);
}

KTEST(time, one_processor_and_coherent_caches)
{
    PMDL Mdl = NULL;

    KT_EXPECT_EQ(KeGetCurrentProcessorNumber(), 0);
    KT_EXPECT_EQ(KeNumberProcessors, 1);
    KeFlushIoBuffers(Mdl, TRUE, TRUE);
}
