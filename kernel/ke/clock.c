/* clock.c: the clock interrupt's work: counting ticks, publishing them and the times to user mode, expiring timers. */
#include <ke.h>
#include <hal.h>

volatile ULONGLONG KeTickCount;

/* The writer's half of KSYSTEM_TIME's protocol (ntddk.h): High2Time first, High1Time last. */
VOID KiWriteSystemTime(volatile KSYSTEM_TIME *Time, ULONGLONG Value)
{
    Time->High2Time = (LONG)(Value >> 32);
    Time->LowPart = (ULONG)Value;
    Time->High1Time = (LONG)(Value >> 32);
}

/* Each tick also publishes the tick count and interrupt time in the shared user data page. */
VOID KiClockInterrupt(PKTRAP_FRAME TrapFrame)
{
    UNREFERENCED_PARAMETER(TrapFrame);
    KeTickCount++;
    SharedUserData->TickCountLowDeprecated = (ULONG)KeTickCount;
    KiWriteSystemTime(&SharedUserData->TickCount, KeTickCount);
    KiWriteSystemTime(&SharedUserData->InterruptTime, KeTickCount * KE_TIME_INCREMENT);
    KiWriteSystemTime(&SharedUserData->SystemTime, (ULONGLONG)KeBootTime.QuadPart + KeTickCount * KE_TIME_INCREMENT);
    KiExpireTimers();
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

ULONG NTAPI KeQueryTimeIncrement(VOID)
{
    return KE_TIME_INCREMENT;
}
