/*
 * timer.c: KTIMER. Set timers sit on one list; the clock interrupt expires
 * those that are due and queues their DPCs, re-arming periodic ones. Due
 * times are kept in clock ticks and converted when the timer is set: a
 * negative DueTime is an interval from now, a positive (or zero) one an
 * absolute system time (KeQuerySystemTime's 100-ns units since 1601), as
 * NT takes them. An absolute time already past expires the timer at once.
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

/*
 * Signals a due timer: one-shot timers leave the list, periodic ones are
 * due again a period from Now. Returns the DPC to queue, if any; called
 * with interrupts off.
 */
static PKDPC KiSignalTimer(PKTIMER Timer, ULONGLONG Now)
{
    Timer->Signaled = TRUE;
    if (Timer->Period != 0) {
        Timer->DueTime.QuadPart = Now + KiTicksFromInterval((LONGLONG)Timer->Period * 10000);
    } else if (Timer->Inserted) {
        RemoveEntryList(&Timer->TimerListEntry);
        Timer->Inserted = FALSE;
    }
    return Timer->Dpc;
}

BOOLEAN NTAPI KeSetTimerEx(PKTIMER Timer, LARGE_INTEGER DueTime, LONG Period, PKDPC Dpc)
{
    ULONG EFlags = KiReadEFlags();
    BOOLEAN WasInserted;
    PKDPC DueDpc = NULL;
    ULONGLONG Now;

    _disable();
    Now = KeTickCount;
    WasInserted = Timer->Inserted;
    if (WasInserted)
        RemoveEntryList(&Timer->TimerListEntry);
    Timer->Period = Period;
    Timer->Dpc = Dpc;
    Timer->Signaled = FALSE;
    Timer->Inserted = TRUE;
    InsertTailList(&KiTimerListHead, &Timer->TimerListEntry);
    if (DueTime.QuadPart < 0) {
        Timer->DueTime.QuadPart = Now + KiTicksFromInterval(-DueTime.QuadPart);
    } else if (DueTime.QuadPart > KiSystemTimeAtTick(Now)) {
        Timer->DueTime.QuadPart = Now + KiTicksFromInterval(DueTime.QuadPart - KiSystemTimeAtTick(Now));
    } else {
        DueDpc = KiSignalTimer(Timer, Now);   /* already past: expired now rather than at the next tick */
    }
    if (EFlags & EFLAGS_IF)
        _enable();
    /* Queued once the timer list is consistent again: at PASSIVE_LEVEL the DPC may run inside the call. */
    if (DueDpc != NULL)
        KeInsertQueueDpc(DueDpc, NULL, NULL);
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
        PKDPC Dpc;

        Entry = Entry->Flink;
        if (Timer->DueTime.QuadPart > KeTickCount)
            continue;
        Dpc = KiSignalTimer(Timer, KeTickCount);
        if (Dpc != NULL)
            KeInsertQueueDpc(Dpc, NULL, NULL);
    }
}
