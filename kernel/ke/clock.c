/* clock.c: the clock interrupt's work: counting ticks and expiring timers. */
#include <ke.h>
#include <hal.h>

volatile ULONGLONG KeTickCount;

VOID KiClockInterrupt(PKTRAP_FRAME TrapFrame)
{
    UNREFERENCED_PARAMETER(TrapFrame);
    KeTickCount++;
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
