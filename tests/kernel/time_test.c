/*
 * time_test.c: the clocks a driver reads (system time from the RTC,
 * interrupt time, the tick count, the PIT-based performance counter), the
 * processor stall measured against them, RtlTimeFieldsToTime's calendar,
 * and the processor and cache calls that are fixed on one x86 processor.
 */
#include "ktest.h"
#include <ke.h>
#include <hal.h>

#define REFUSED (-1LL)   /* what TimeOf gives for fields RtlTimeFieldsToTime refuses */

static LONGLONG TimeOf(CSHORT Year, CSHORT Month, CSHORT Day, CSHORT Hour, CSHORT Minute, CSHORT Second,
                       CSHORT Milliseconds)
{
    TIME_FIELDS Fields = { Year, Month, Day, Hour, Minute, Second, Milliseconds, 0 };
    LARGE_INTEGER Time;

    Time.QuadPart = 0;
    if (!RtlTimeFieldsToTime(&Fields, &Time))
        return REFUSED;
    return Time.QuadPart;
}

#define DAY_100NS (86400LL * 10000000)

#define TICKS_PER_SECOND 10000000LL        /* 100 ns units */
#define SECONDS_1601_TO_2020 12843302400LL
#define SECONDS_1601_TO_2100 15367968000LL

KTEST(time, time_fields_count_100ns_from_1601)
{
    KT_EXPECT_EQ(TimeOf(1601, 1, 1, 0, 0, 0, 0), 0);
    KT_EXPECT_EQ(TimeOf(1601, 1, 1, 0, 0, 0, 1), 10000);
    KT_EXPECT_EQ(TimeOf(1601, 1, 2, 0, 0, 0, 0), DAY_100NS);
    KT_EXPECT_EQ(TimeOf(1970, 1, 1, 0, 0, 0, 0), 116444736000000000LL);   /* the Unix epoch, as NT counts it */
    KT_EXPECT_EQ(TimeOf(2000, 3, 1, 0, 0, 0, 0) - TimeOf(2000, 2, 28, 0, 0, 0, 0), 2 * DAY_100NS);   /* 400: leap */
    KT_EXPECT_EQ(TimeOf(1900, 3, 1, 0, 0, 0, 0) - TimeOf(1900, 2, 28, 0, 0, 0, 0), DAY_100NS);       /* 100: not */
    KT_EXPECT_EQ(TimeOf(2024, 3, 1, 0, 0, 0, 0) - TimeOf(2024, 2, 28, 0, 0, 0, 0), 2 * DAY_100NS);   /* 4: leap */
    KT_EXPECT_EQ(TimeOf(2024, 1, 1, 0, 0, 0, 0) - TimeOf(2023, 12, 31, 23, 59, 59, 999), 10000);
    KT_EXPECT_EQ(TimeOf(2000, 2, 29, 12, 34, 56, 789), 125963012967890000LL);
    KT_EXPECT_EQ(TimeOf(1601, 12, 31, 23, 59, 59, 999), 315359999990000LL);
    KT_EXPECT_EQ(TimeOf(30827, 12, 31, 23, 59, 59, 999) > 0, TRUE);                  /* NT's last year still fits */
}

KTEST(time, impossible_fields_are_refused)
{
    TIME_FIELDS Leap = { 2001, 2, 29, 0, 0, 0, 0, 0 };
    LARGE_INTEGER Untouched = { .QuadPart = -1 };

    KT_EXPECT(!RtlTimeFieldsToTime(&Leap, &Untouched));
    KT_EXPECT_EQ(Untouched.QuadPart, -1LL);
    KT_EXPECT_EQ(TimeOf(1900, 2, 29, 0, 0, 0, 0), REFUSED);
    KT_EXPECT_EQ(TimeOf(2100, 2, 29, 0, 0, 0, 0), REFUSED);   /* a century year, not a 400th: no leap day */
    KT_EXPECT_EQ(TimeOf(30828, 1, 1, 0, 0, 0, 0), REFUSED);   /* past 30827, the last year NT converts */
    KT_EXPECT_EQ(TimeOf(1600, 12, 31, 0, 0, 0, 0), REFUSED);
    KT_EXPECT_EQ(TimeOf(2023, 2, 29, 0, 0, 0, 0), REFUSED);
    KT_EXPECT_EQ(TimeOf(2024, 13, 1, 0, 0, 0, 0), REFUSED);
    KT_EXPECT_EQ(TimeOf(2024, 0, 1, 0, 0, 0, 0), REFUSED);
    KT_EXPECT_EQ(TimeOf(2024, 4, 31, 0, 0, 0, 0), REFUSED);
    KT_EXPECT_EQ(TimeOf(2024, 1, 1, 24, 0, 0, 0), REFUSED);
    KT_EXPECT_EQ(TimeOf(2024, 1, 1, 0, 60, 0, 0), REFUSED);
    KT_EXPECT_EQ(TimeOf(2024, 1, 1, 0, 0, 60, 0), REFUSED);
    KT_EXPECT_EQ(TimeOf(2024, 1, 1, 0, 0, 0, 1000), REFUSED);
}

/* QEMU's RTC holds the host's time: system time is today's, and moves with the clock. */
KTEST(time, system_time_starts_from_the_rtc_and_follows_the_clock)
{
    LARGE_INTEGER Before, After;
    ULONGLONG Start;

    KeQuerySystemTime(&Before);
    KT_EXPECT(Before.QuadPart > TimeOf(2020, 1, 1, 0, 0, 0, 0));
    KT_EXPECT(Before.QuadPart < TimeOf(2200, 1, 1, 0, 0, 0, 0));
    Start = KeTickCount;
    while (KeTickCount < Start + 3)
        __halt();
    KeQuerySystemTime(&After);
    KT_EXPECT(After.QuadPart - Before.QuadPart >= 2 * KE_TIME_INCREMENT);
    KT_EXPECT(After.QuadPart - Before.QuadPart <= 4 * KE_TIME_INCREMENT);
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
    /*
     * Over whole clock ticks, the counter moves by the divisor per tick (one
     * tick either way). It may never run ahead. It may fall behind when the
     * emulator's host stalls it for longer than a PIT period between two
     * reads (the count goes round twice, and is credited once), which a
     * busy host does now and then: so one of a few windows must be exact,
     * and a counter that runs slow fails them all.
     */
    for (ULONG Window = 0; Window < 3; Window++) {
        KeQueryTickCount(&TicksBefore);
        Previous = KeQueryPerformanceCounter(NULL);
        do {
            KeQueryTickCount(&TicksAfter);
        } while (TicksAfter.QuadPart < TicksBefore.QuadPart + 5);
        Now = KeQueryPerformanceCounter(NULL);
        Expected = (TicksAfter.QuadPart - TicksBefore.QuadPart) * PIT_CLOCK_DIVISOR;
        KT_EXPECT(Now.QuadPart - Previous.QuadPart <= Expected + PIT_CLOCK_DIVISOR);
        if (Now.QuadPart - Previous.QuadPart >= Expected - PIT_CLOCK_DIVISOR)
            break;
        KtLog("window %u: the counter moved %lld for %lld ticks (a stalled emulator?)", Window,
              Now.QuadPart - Previous.QuadPart, TicksAfter.QuadPart - TicksBefore.QuadPart);
    }
    KT_EXPECT(Now.QuadPart - Previous.QuadPart >= Expected - PIT_CLOCK_DIVISOR);
}

/* TSC cycles a 2 ms stall takes when the emulator runs unhindered: the least of a few. */
static ULONGLONG StallCycles(VOID)
{
    ULONGLONG Least = ~0ULL;

    for (ULONG i = 0; i < 3; i++) {
        ULONGLONG Start = __rdtsc(), Cycles;

        KeStallExecutionProcessor(2000);
        Cycles = __rdtsc() - Start;
        if (Cycles < Least)
            Least = Cycles;
    }
    return Least;
}

/*
 * One 2 ms stall between two readings of the counter: it must move, and by
 * the whole stall unless the TSC (which under TCG follows the host's clock,
 * as the emulated PIT does) says the host held the emulator up for longer
 * than a PIT period, when the count may have gone round unseen.
 */
static VOID ExpectStallCounted(PLARGE_INTEGER Previous, ULONGLONG UnhinderedCycles)
{
    LONGLONG Stalled = 2000LL * PIT_INPUT_HZ / 1000000;
    ULONGLONG Start = __rdtsc();
    LARGE_INTEGER Now;

    KeStallExecutionProcessor(2000);
    Now = KeQueryPerformanceCounter(NULL);
    KT_EXPECT(Now.QuadPart > Previous->QuadPart);
    if (__rdtsc() - Start < 4 * UnhinderedCycles)
        KT_EXPECT(Now.QuadPart - Previous->QuadPart >= Stalled);
    *Previous = Now;
}

/*
 * Two reloads with the clock masked raise IRQ 0 once, so the tick count
 * loses a period for good. The counter still moves with the PIT: at
 * HIGH_LEVEL across both reloads, and in the periods after, where the
 * tick count alone would leave it standing still.
 */
KTEST(time, performance_counter_keeps_moving_when_clock_ticks_are_lost)
{
    ULONGLONG UnhinderedCycles = StallCycles();
    LARGE_INTEGER Previous, TicksBefore, TicksAfter;
    KIRQL OldIrql;

    KeRaiseIrql(HIGH_LEVEL, &OldIrql);
    KeQueryTickCount(&TicksBefore);
    Previous = KeQueryPerformanceCounter(NULL);
    for (ULONG i = 0; i < 13; i++)   /* 26 ms: two reloads and more */
        ExpectStallCounted(&Previous, UnhinderedCycles);
    KeLowerIrql(OldIrql);
    KeQueryTickCount(&TicksAfter);
    KT_EXPECT(TicksAfter.QuadPart - TicksBefore.QuadPart < 2);   /* a period was lost */
    for (ULONG i = 0; i < 13; i++)
        ExpectStallCounted(&Previous, UnhinderedCycles);
}

/*
 * The counter at HIGH_LEVEL late in a period, again once the count has
 * reloaded and is past half the new period, and once more when the clock's
 * pending tick has been taken: that tick is the reload already counted and
 * must not add a period again (the counter would then run ahead of the PIT
 * by one). Returns the advance over the lowering, or -1 when the machine
 * did not give the timing the case needs (a host that held the emulator up
 * for a period).
 */
static LONGLONG AdvanceOverThePendingTick(VOID)
{
    LARGE_INTEGER Before, AcrossReload, AfterTick;
    ULONG Count, Previous, First;
    KIRQL OldIrql;

    KeRaiseIrql(HIGH_LEVEL, &OldIrql);
    do {
        Count = HalpReadPitCount();
    } while (Count > PIT_CLOCK_DIVISOR / 8);
    First = Count;
    if (HalIsInterruptPending(PIC_IRQ_TIMER)) {
        KeLowerIrql(OldIrql);
        return -1;
    }
    Before = KeQueryPerformanceCounter(NULL);
    /* Through the reload (the count goes up), then past half of the new period. */
    Previous = HalpReadPitCount();
    while ((Count = HalpReadPitCount()) <= Previous)
        Previous = Count;
    while ((Count = HalpReadPitCount()) > PIT_CLOCK_DIVISOR / 2 - PIT_CLOCK_DIVISOR / 8)
        ;
    AcrossReload = KeQueryPerformanceCounter(NULL);
    Count = HalpReadPitCount();
    KeLowerIrql(OldIrql);
    AfterTick = KeQueryPerformanceCounter(NULL);
    if (Count <= First || AcrossReload.QuadPart - Before.QuadPart >= PIT_CLOCK_DIVISOR)
        return -1;   /* a period or more between the readings: not the case under test */
    KT_EXPECT(AcrossReload.QuadPart - Before.QuadPart > PIT_CLOCK_DIVISOR / 2);
    return AfterTick.QuadPart - AcrossReload.QuadPart;
}

KTEST(time, performance_counter_counts_a_reload_seen_with_the_clock_masked_once)
{
    LONGLONG Least = -1;

    for (ULONG i = 0; i < 5; i++) {
        LONGLONG Advance = AdvanceOverThePendingTick();

        if (Advance >= 0 && (Least < 0 || Advance < Least))
            Least = Advance;
    }
    KT_ASSERT(Least >= 0);
    KT_EXPECT(Least < PIT_CLOCK_DIVISOR / 2);
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

    /*
     * With the clock masked, the stall still keeps time: the clock's pending
     * tick arrives after. QEMU raises the PIT's interrupt from its own
     * timer thread, which a busy host can run late, so the request is
     * waited for a while (still masked) rather than expected at once.
     */
    KeRaiseIrql(HIGH_LEVEL, &OldIrql);
    KeQueryTickCount(&TicksBefore);
    KeStallExecutionProcessor(15000);
    for (ULONG Waits = 0; Waits < 1000 && !HalIsInterruptPending(PIC_IRQ_TIMER); Waits++)
        KeStallExecutionProcessor(1000);
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
