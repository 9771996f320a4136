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
