/*
 * clock.c: the clock interrupt's work (counting ticks, publishing the times
 * in the shared user data page, expiring timers) and system time. There is
 * no wall clock but the RTC, read once at boot: system time is that reading
 * plus the ticks counted since, so it moves in steps of KE_TIME_INCREMENT
 * and never backwards.
 */
#include <ke.h>
#include <hal.h>

volatile ULONGLONG KeTickCount;
LARGE_INTEGER KeBootTime;   /* system time at tick 0 */

/* The writer's half of KSYSTEM_TIME's protocol (ntddk.h): High2Time first, High1Time last. */
VOID KiWriteSystemTime(volatile KSYSTEM_TIME *Time, ULONGLONG Value)
{
    Time->High2Time = (LONG)(Value >> 32);
    Time->LowPart = (ULONG)Value;
    Time->High1Time = (LONG)(Value >> 32);
}

/* Each tick also publishes the tick count, interrupt time and system time in the shared user data page. */
VOID KiClockInterrupt(PKTRAP_FRAME TrapFrame)
{
    UNREFERENCED_PARAMETER(TrapFrame);
    KeTickCount++;
    SharedUserData->TickCountLowDeprecated = (ULONG)KeTickCount;
    KiWriteSystemTime(&SharedUserData->TickCount, KeTickCount);
    KiWriteSystemTime(&SharedUserData->InterruptTime, KeTickCount * KE_TIME_INCREMENT);
    KiWriteSystemTime(&SharedUserData->SystemTime, (ULONGLONG)KiSystemTimeAtTick(KeTickCount));
    KiExpireTimers();
}

/* Before the clock runs: the RTC's reading, or, on a machine without one, time counted from 1601. */
VOID KiInitializeSystemTime(VOID)
{
    TIME_FIELDS TimeFields;
    LARGE_INTEGER Time;

    if (!HalQueryRealTimeClock(&TimeFields) || !RtlTimeFieldsToTime(&TimeFields, &Time)) {
        DbgPrint("warning: no real-time clock; system time counts from 1601-01-01\n");
        return;
    }
    KeBootTime.QuadPart = Time.QuadPart - (LONGLONG)KeTickCount * KE_TIME_INCREMENT;
    DbgPrint("system time: %04u-%02u-%02u %02u:%02u:%02u UTC (RTC)\n", TimeFields.Year, TimeFields.Month,
             TimeFields.Day, TimeFields.Hour, TimeFields.Minute, TimeFields.Second);
}

/* System time at Ticks; the caller keeps the clock out while it reads KeTickCount. */
LONGLONG KiSystemTimeAtTick(ULONGLONG Ticks)
{
    return KeBootTime.QuadPart + (LONGLONG)Ticks * KE_TIME_INCREMENT;
}

VOID NTAPI KeQuerySystemTime(PLARGE_INTEGER CurrentTime)
{
    LARGE_INTEGER Ticks;

    KeQueryTickCount(&Ticks);
    CurrentTime->QuadPart = KiSystemTimeAtTick((ULONGLONG)Ticks.QuadPart);
}

VOID NTAPI KeQueryTickCount(PLARGE_INTEGER CurrentCount)
{
    ULONG EFlags = KiReadEFlags();

    /* A 64-bit read is two loads: keep the clock out between them. */
    _disable();
    CurrentCount->QuadPart = (LONGLONG)KeTickCount;
    if (EFlags & EFLAGS_IF)
        _enable();
}

/* Interrupt time: 100 ns units since boot, in steps of KE_TIME_INCREMENT. */
ULONGLONG NTAPI KeQueryInterruptTime(VOID)
{
    LARGE_INTEGER Ticks;

    KeQueryTickCount(&Ticks);
    return (ULONGLONG)Ticks.QuadPart * KE_TIME_INCREMENT;
}

ULONG NTAPI KeQueryTimeIncrement(VOID)
{
    return KE_TIME_INCREMENT;
}
