/*
 * pit.c: the 8254's channel 0: the clock (CLOCK_TICKS_PER_SECOND interrupts
 * a second on IRQ 0), and, as in NT's PIT HAL, the performance counter and
 * the processor stall, both counted in the PIT's own input ticks.
 *
 * Channel 0 counts down from PIT_CLOCK_DIVISOR to 1 and reloads, raising
 * IRQ 0 at each reload. The performance counter is the ticks the clock
 * interrupt has counted times the divisor, plus how far the count is into
 * the current period; a reload the processor has not taken yet (interrupts
 * off) shows as IRQ 0 pending and is added. A stall polls the count itself,
 * so it keeps time with interrupts off too.
 *
 * Reloads the processor never sees cost the tick count whole periods: the
 * PIC holds one request per line, so two reloads while the clock is
 * masked, or an emulator that falls behind and coalesces interrupts, raise
 * IRQ 0 once; and QEMU raises the request from a thread of its own, which
 * a busy host can run after the count has already gone round. So the
 * counter advances by differences: each reading credits the periods
 * passed since the previous one, as many as the clock has seen or, if
 * more, one for a count that went round since (a period neither counts
 * twice), plus the change in the count. It falls behind the PIT by the
 * periods nobody saw, never runs ahead of it, and never stands still
 * while the PIT runs.
 */
#include <hal.h>
#include <ke.h>

#define PIT_CHANNEL0 0x40
#define PIT_COMMAND  0x43
#define PIT_CHANNEL0_RATE_GENERATOR 0x34 /* channel 0, low then high byte, mode 2 */
#define PIT_CHANNEL0_LATCH          0x00 /* channel 0, latch the count */
#define MICROSECONDS_PER_SECOND 1000000

/* The previous reading: the counter, the channel's count, and the periods credited so far. */
static ULONGLONG HalpLastPerformanceCount;
static ULONG HalpLastPitCount = PIT_CLOCK_DIVISOR;
static ULONGLONG HalpCreditedPeriods;

VOID HalInitializeClock(VOID)
{
    USHORT Divisor = PIT_CLOCK_DIVISOR;

    __outbyte(PIT_COMMAND, PIT_CHANNEL0_RATE_GENERATOR);
    __outbyte(PIT_CHANNEL0, Divisor & 0xFF);
    __outbyte(PIT_CHANNEL0, Divisor >> 8);
    HalEnableSystemInterrupt(PIC_IRQ_TIMER, CLOCK2_LEVEL);
}

/* Channel 0's count now (PIT_CLOCK_DIVISOR down to 1), latched so both bytes are of one moment. */
ULONG HalpReadPitCount(VOID)
{
    ULONG EFlags = KiReadEFlags();
    ULONG Count;

    _disable();
    __outbyte(PIT_COMMAND, PIT_CHANNEL0_LATCH);
    Count = __inbyte(PIT_CHANNEL0);
    Count |= (ULONG)__inbyte(PIT_CHANNEL0) << 8;
    if (EFlags & EFLAGS_IF)
        _enable();
    return Count;
}

/* PIT input ticks from count Previous to count Now, with at most one reload between them. */
static ULONG HalpPitTicksBetween(ULONG Previous, ULONG Now)
{
    return Now <= Previous ? Previous - Now : Previous + PIT_CLOCK_DIVISOR - Now;
}

/* PIT input ticks since the clock started, and PIT_INPUT_HZ as the frequency. */
LARGE_INTEGER NTAPI KeQueryPerformanceCounter(PLARGE_INTEGER PerformanceFrequency)
{
    ULONG EFlags = KiReadEFlags();
    ULONG PitCount;
    ULONGLONG Periods, Credited;
    LARGE_INTEGER Result;

    if (PerformanceFrequency != NULL)
        PerformanceFrequency->QuadPart = PIT_INPUT_HZ;
    _disable();
    Periods = KeTickCount;
    PitCount = HalpReadPitCount();
    /* A reload not yet taken: the count restarted before it was latched (a small elapsed), count its period. */
    if (HalIsInterruptPending(PIC_IRQ_TIMER) && PIT_CLOCK_DIVISOR - PitCount < PIT_CLOCK_DIVISOR / 2)
        Periods++;
    /* A count above the last one went round since: one reload at least, seen by the clock or not. */
    Credited = HalpCreditedPeriods + (PitCount > HalpLastPitCount);
    if (Credited < Periods)
        Credited = Periods;
    /* Never negative: a count above the last one has a period credited for it. */
    HalpLastPerformanceCount += (LONGLONG)(Credited - HalpCreditedPeriods) * PIT_CLOCK_DIVISOR +
                                (LONG)HalpLastPitCount - (LONG)PitCount;
    HalpLastPitCount = PitCount;
    HalpCreditedPeriods = Credited;
    if (EFlags & EFLAGS_IF)
        _enable();
    Result.QuadPart = (LONGLONG)HalpLastPerformanceCount;
    return Result;
}

/*
 * Spins for at least MicroSeconds, measured on the PIT: each poll adds the
 * ticks since the last one, a reload included, so it is exact at any IRQL
 * as long as polls come more often than once a period.
 */
VOID NTAPI KeStallExecutionProcessor(ULONG MicroSeconds)
{
    ULONGLONG Wanted = ((ULONGLONG)MicroSeconds * PIT_INPUT_HZ + MICROSECONDS_PER_SECOND - 1) / MICROSECONDS_PER_SECOND;
    ULONGLONG Elapsed = 0;
    ULONG Previous = HalpReadPitCount();

    while (Elapsed < Wanted) {
        ULONG Now = HalpReadPitCount();

        Elapsed += HalpPitTicksBetween(Previous, Now);
        Previous = Now;
    }
}
