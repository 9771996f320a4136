/*
 * systime.c: NT's two 100 ns clocks. Interrupt time counts from boot and
 * advances with each clock tick (clock.c); system time is the CMOS clock's
 * reading at boot (taken as UTC) plus the interrupt time since. Both live
 * in KUSER_SHARED_DATA, where user mode reads them too, and are read here
 * by KSYSTEM_TIME's lock-free protocol.
 */
#include <ke.h>
#include <hal.h>

LARGE_INTEGER KeBootTime;

/* Without a readable clock the system time starts at 1601-01-01, NT's zero. */
VOID KiInitializeSystemTime(VOID)
{
    TIME_FIELDS Fields;

    if (!HalQueryRealTimeClock(&Fields) || !RtlTimeFieldsToTime(&Fields, &KeBootTime))
        KeBootTime.QuadPart = 0;
    KiWriteSystemTime(&SharedUserData->SystemTime, (ULONGLONG)KeBootTime.QuadPart);
}

/* The reader's half: High1Time, LowPart, then High2Time, again while the two highs differ. */
static ULONGLONG KiReadSystemTime(volatile KSYSTEM_TIME *Time)
{
    LONG High;
    ULONG Low;

    do {
        High = Time->High1Time;
        Low = Time->LowPart;
    } while (High != Time->High2Time);
    return ((ULONGLONG)(ULONG)High << 32) | Low;
}

ULONGLONG NTAPI KeQueryInterruptTime(VOID)
{
    return KiReadSystemTime(&SharedUserData->InterruptTime);
}

VOID NTAPI KeQuerySystemTime(PLARGE_INTEGER CurrentTime)
{
    CurrentTime->QuadPart = (LONGLONG)KiReadSystemTime(&SharedUserData->SystemTime);
}
