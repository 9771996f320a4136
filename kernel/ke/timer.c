/*
 * timer.c: KTIMER. Set timers sit on one list; the clock interrupt expires
 * those that are due and queues their DPCs, re-arming periodic ones. Due
 * times are kept in clock ticks; relative times (negative, in 100 ns units,
 * as NT takes them) are converted when the timer is set.
 */
#include <ke.h>
#include <hal.h>

static LIST_ENTRY KiTimerListHead = { &KiTimerListHead, &KiTimerListHead };

VOID NTAPI KeInitializeTimer(PKTIMER Timer)
{
    Timer->Inserted = FALSE;
    Timer->Signaled = FALSE;
    Timer->Dpc = NULL;
    Timer->Period = 0;
}

static ULONGLONG KiTicksFromInterval(LONGLONG Interval100ns)
{
    ULONGLONG Ticks = (ULONGLONG)(Interval100ns + KE_TIME_INCREMENT - 1) / KE_TIME_INCREMENT;
    return Ticks == 0 ? 1 : Ticks;
}

BOOLEAN NTAPI KeSetTimerEx(PKTIMER Timer, LARGE_INTEGER DueTime, LONG Period, PKDPC Dpc)
{
    ULONG EFlags = KiReadEFlags();
    BOOLEAN WasInserted;
    ULONGLONG Now = KeTickCount;

    _disable();
    WasInserted = Timer->Inserted;
    if (WasInserted)
        RemoveEntryList(&Timer->TimerListEntry);
    /* Negative: relative to now. Positive: an absolute time, here ticks of 100 ns since boot. */
    Timer->DueTime.QuadPart = DueTime.QuadPart < 0 ? Now + KiTicksFromInterval(-DueTime.QuadPart)
                                                   : KiTicksFromInterval(DueTime.QuadPart);
    Timer->Period = Period;
    Timer->Dpc = Dpc;
    Timer->Signaled = FALSE;
    Timer->Inserted = TRUE;
    InsertTailList(&KiTimerListHead, &Timer->TimerListEntry);
    if (EFlags & EFLAGS_IF)
        _enable();
    return WasInserted;
}

BOOLEAN NTAPI KeSetTimer(PKTIMER Timer, LARGE_INTEGER DueTime, PKDPC Dpc)
{
    return KeSetTimerEx(Timer, DueTime, 0, Dpc);
}

BOOLEAN NTAPI KeCancelTimer(PKTIMER Timer)
{
    ULONG EFlags = KiReadEFlags();
    BOOLEAN WasInserted;

    _disable();
    WasInserted = Timer->Inserted;
    if (WasInserted) {
        RemoveEntryList(&Timer->TimerListEntry);
        Timer->Inserted = FALSE;
    }
    if (EFlags & EFLAGS_IF)
        _enable();
    return WasInserted;
}

BOOLEAN NTAPI KeReadStateTimer(PKTIMER Timer)
{
    return Timer->Signaled;
}

/* Called by the clock interrupt (interrupts off). */
VOID KiExpireTimers(VOID)
{
    PLIST_ENTRY Entry = KiTimerListHead.Flink;

    while (Entry != &KiTimerListHead) {
        PKTIMER Timer = CONTAINING_RECORD(Entry, KTIMER, TimerListEntry);

        Entry = Entry->Flink;
        if (Timer->DueTime.QuadPart > KeTickCount)
            continue;
        Timer->Signaled = TRUE;
        if (Timer->Period != 0) {
            Timer->DueTime.QuadPart = KeTickCount + KiTicksFromInterval((LONGLONG)Timer->Period * 10000);
        } else {
            RemoveEntryList(&Timer->TimerListEntry);
            Timer->Inserted = FALSE;
        }
        if (Timer->Dpc != NULL)
            KeInsertQueueDpc(Timer->Dpc, NULL, NULL);
    }
}
