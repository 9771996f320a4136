/* dpc_test.c: DPCs run when IRQL falls below DISPATCH_LEVEL; timers queue them from the clock. */
#include "ktest.h"
#include <ke.h>
#include <hal.h>

static volatile ULONG Runs;
static volatile KIRQL RunIrql;
static PVOID volatile SeenArgument;

static VOID NTAPI CountingDpc(PKDPC Dpc, PVOID Context, PVOID Argument1, PVOID Argument2)
{
    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(Argument2);
    Runs += (ULONG)(ULONG_PTR)Context;
    RunIrql = KeGetCurrentIrql();
    SeenArgument = Argument1;
}

KTEST(dpc, queued_at_dispatch_runs_when_irql_drops)
{
    KDPC Dpc;
    KIRQL OldIrql;

    Runs = 0;
    KeInitializeDpc(&Dpc, CountingDpc, (PVOID)1);
    KeRaiseIrql(DISPATCH_LEVEL, &OldIrql);
    KT_EXPECT(KeInsertQueueDpc(&Dpc, (PVOID)0x1234, NULL));
    KT_EXPECT(!KeInsertQueueDpc(&Dpc, (PVOID)0x5678, NULL));   /* queued already */
    KT_EXPECT_EQ(Runs, 0);
    KeLowerIrql(OldIrql);
    KT_EXPECT_EQ(Runs, 1);
    KT_EXPECT_EQ(RunIrql, DISPATCH_LEVEL);
    KT_EXPECT_EQ(SeenArgument, (PVOID)0x1234);
    KT_EXPECT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
}

/* Below DISPATCH_LEVEL nothing holds a DPC back: it runs before KeInsertQueueDpc returns, at DISPATCH_LEVEL. */
KTEST(dpc, queued_at_passive_level_runs_at_once)
{
    KDPC Dpc;

    Runs = 0;
    RunIrql = PASSIVE_LEVEL;
    KeInitializeDpc(&Dpc, CountingDpc, (PVOID)1);
    KT_EXPECT(KeInsertQueueDpc(&Dpc, (PVOID)0x1234, NULL));
    KT_EXPECT_EQ(Runs, 1);
    KT_EXPECT_EQ(RunIrql, DISPATCH_LEVEL);
    KT_EXPECT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
    KeRemoveQueueDpc(&Dpc);
}

KTEST(dpc, removed_dpcs_do_not_run)
{
    KDPC Dpc;
    KIRQL OldIrql;

    Runs = 0;
    KeInitializeDpc(&Dpc, CountingDpc, (PVOID)1);
    KeRaiseIrql(DISPATCH_LEVEL, &OldIrql);
    KeInsertQueueDpc(&Dpc, NULL, NULL);
    KT_EXPECT(KeRemoveQueueDpc(&Dpc));
    KT_EXPECT(!KeRemoveQueueDpc(&Dpc));
    KeLowerIrql(OldIrql);
    KT_EXPECT_EQ(Runs, 0);
}

KTEST(dpc, one_shot_and_periodic_timers_fire)
{
    KTIMER OneShot, Periodic;
    KDPC OneShotDpc, PeriodicDpc;
    LARGE_INTEGER DueTime;
    ULONGLONG Start = KeTickCount;

    Runs = 0;
    KeInitializeDpc(&OneShotDpc, CountingDpc, (PVOID)1000);
    KeInitializeDpc(&PeriodicDpc, CountingDpc, (PVOID)1);
    KeInitializeTimer(&OneShot);
    KeInitializeTimer(&Periodic);
    DueTime.QuadPart = -30 * 10000;            /* 30 ms from now */
    KT_EXPECT(!KeSetTimer(&OneShot, DueTime, &OneShotDpc));
    DueTime.QuadPart = -10 * 10000;
    KeSetTimerEx(&Periodic, DueTime, 10, &PeriodicDpc);
    while (KeTickCount < Start + 12)
        __halt();
    KT_EXPECT(KeCancelTimer(&Periodic));
    KT_EXPECT(!KeCancelTimer(&OneShot));       /* it fired: no longer set */
    KT_EXPECT(KeReadStateTimer(&OneShot));
    KT_EXPECT(Runs >= 1000 + 5);
    KT_EXPECT(Runs < 1000 + 14);
    KT_EXPECT_EQ(RunIrql, DISPATCH_LEVEL);
}

/* Readies a timer whose DPC counts, and returns the system time Offset (100 ns, either sign) from now. */
static LARGE_INTEGER CountingTimerAt(PKTIMER Timer, PKDPC Dpc, LONGLONG Offset)
{
    LARGE_INTEGER DueTime;

    Runs = 0;
    KeInitializeDpc(Dpc, CountingDpc, (PVOID)1);
    KeInitializeTimer(Timer);
    KeQuerySystemTime(&DueTime);
    DueTime.QuadPart += Offset;
    return DueTime;
}

/* A positive DueTime is a system time (100 ns since 1601), not an interval since boot. */
KTEST(dpc, absolute_due_time_is_read_as_system_time)
{
    KTIMER Timer;
    KDPC Dpc;
    LARGE_INTEGER DueTime = CountingTimerAt(&Timer, &Dpc, 30 * 10000);   /* 30 ms from now */
    ULONGLONG Start = KeTickCount;

    KeSetTimer(&Timer, DueTime, &Dpc);
    while (Runs == 0 && KeTickCount < Start + 20)
        __halt();
    KT_EXPECT_EQ(Runs, 1);
    KT_EXPECT(KeTickCount >= Start + 3);
    KT_EXPECT(KeTickCount <= Start + 5);
    KT_EXPECT(KeReadStateTimer(&Timer));
    KT_EXPECT(!KeCancelTimer(&Timer));
}

/* A system time already past expires the timer in KeSetTimer itself; a periodic one goes on. */
KTEST(dpc, absolute_due_time_in_the_past_expires_at_once)
{
    KTIMER Timer;
    KDPC Dpc;
    LARGE_INTEGER DueTime = CountingTimerAt(&Timer, &Dpc, -10000000);   /* a second ago */
    ULONGLONG Start = KeTickCount;
    KIRQL OldIrql;

    KeRaiseIrql(DISPATCH_LEVEL, &OldIrql);      /* so the DPC waits for the lowering below */
    KeSetTimerEx(&Timer, DueTime, 10, &Dpc);
    KT_EXPECT(KeReadStateTimer(&Timer));
    KeLowerIrql(OldIrql);
    KT_EXPECT(Runs >= 1);
    KT_EXPECT(KeCancelTimer(&Timer));           /* periodic: still set */
    KT_EXPECT(KeTickCount <= Start + 1);
}

static VOID NTAPI RaisingDpc(PKDPC Dpc, PVOID Context, PVOID Argument1, PVOID Argument2)
{
    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(Context);
    UNREFERENCED_PARAMETER(Argument1);
    UNREFERENCED_PARAMETER(Argument2);
    ExRaiseStatus(STATUS_INTEGER_OVERFLOW);
}

/* A DPC runs with the exception list cut: the try block it interrupted never sees its exception. */
KTEST_BUGCHECK(dpc, exception_in_a_dpc_run_by_lower_irql_is_not_handled_by_the_caller, KMODE_EXCEPTION_NOT_HANDLED)
{
    KDPC Dpc;
    KIRQL OldIrql;

    KT_BUGCHECK_PARAMETER(1, STATUS_INTEGER_OVERFLOW);
    KeInitializeDpc(&Dpc, RaisingDpc, NULL);
    _SEH2_TRY {
        KeRaiseIrql(DISPATCH_LEVEL, &OldIrql);
        KeInsertQueueDpc(&Dpc, NULL, NULL);
        KeLowerIrql(OldIrql);
    } _SEH2_EXCEPT(EXCEPTION_EXECUTE_HANDLER) {
    } _SEH2_END;
}

/* The same from the clock interrupt's way out: the DPC runs over code halted inside a try block. */
KTEST_BUGCHECK(dpc, exception_in_a_timer_dpc_is_not_handled_by_the_interrupted_code, KMODE_EXCEPTION_NOT_HANDLED)
{
    KDPC Dpc;
    KTIMER Timer;
    LARGE_INTEGER DueTime;

    KT_BUGCHECK_PARAMETER(1, STATUS_INTEGER_OVERFLOW);
    KeInitializeDpc(&Dpc, RaisingDpc, NULL);
    KeInitializeTimer(&Timer);
    DueTime.QuadPart = -10 * 10000;
    KeSetTimer(&Timer, DueTime, &Dpc);
    _SEH2_TRY {
        for (;;)
            __halt();
    } _SEH2_EXCEPT(EXCEPTION_EXECUTE_HANDLER) {
    } _SEH2_END;
}

static volatile NTSTATUS HandledInDpc;

static VOID NTAPI HandlingDpc(PKDPC Dpc, PVOID Context, PVOID Argument1, PVOID Argument2)
{
    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(Context);
    UNREFERENCED_PARAMETER(Argument1);
    UNREFERENCED_PARAMETER(Argument2);
    _SEH2_TRY {
        ExRaiseStatus(STATUS_INTEGER_OVERFLOW);
    } _SEH2_EXCEPT(EXCEPTION_EXECUTE_HANDLER) {
        HandledInDpc = _SEH2_GetExceptionCode();
    } _SEH2_END;
}

/* A DPC's own try blocks work, and the interrupted code finds its list as it left it. */
KTEST(dpc, a_dpc_handles_its_own_exceptions_and_the_caller_keeps_its_try_blocks)
{
    volatile NTSTATUS Caught = STATUS_SUCCESS;
    KDPC Dpc;
    KIRQL OldIrql;

    HandledInDpc = STATUS_SUCCESS;
    KeInitializeDpc(&Dpc, HandlingDpc, NULL);
    _SEH2_TRY {
        KeRaiseIrql(DISPATCH_LEVEL, &OldIrql);
        KeInsertQueueDpc(&Dpc, NULL, NULL);
        KeLowerIrql(OldIrql);
        ExRaiseStatus(STATUS_ACCESS_DENIED);
    } _SEH2_EXCEPT(EXCEPTION_EXECUTE_HANDLER) {
        Caught = _SEH2_GetExceptionCode();
    } _SEH2_END;
    KT_EXPECT_EQ(HandledInDpc, STATUS_INTEGER_OVERFLOW);
    KT_EXPECT_EQ(Caught, STATUS_ACCESS_DENIED);
    KT_EXPECT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
}
