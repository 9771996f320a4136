/*
 * verifier.c: cases the verifier's reports must fail, for the runner's own
 * test (tests/runner/check.py runs them with verifier=pooltrack,locks).
 * Each case's checks pass; the check after it must fail it, naming what
 * was left behind and the caller that made it: a pool block, pages an MDL
 * keeps locked, two spin locks taken in both orders (reported once,
 * however often the second order comes).
 */
#include "ktest.h"
#include <ntddk.h>

#define RUNNER_LEAK_TAG '1klV'       /* "Vlk1" */
#define RUNNER_LEAK_BYTES 72

KTEST(runnerpooltrack, leaks_a_block)
{
    KT_EXPECT(ExAllocatePoolWithTag(NonPagedPool, RUNNER_LEAK_BYTES, RUNNER_LEAK_TAG) != NULL);
}

/* The MDL and its buffer stay too: the locked pages are the report this suite is about. */
KTEST(runnerlocked, leaves_pages_locked)
{
    PVOID Buffer = ExAllocatePoolWithTag(NonPagedPool, PAGE_SIZE, RUNNER_LEAK_TAG);
    PMDL Mdl = IoAllocateMdl(Buffer, PAGE_SIZE, FALSE, FALSE, NULL);

    KT_ASSERT(Buffer != NULL && Mdl != NULL);
    MmProbeAndLockPages(Mdl, KernelMode, IoReadAccess);
}

static KSPIN_LOCK RunnerLockA, RunnerLockB;

KTEST(runnerlockorder, takes_a_then_b)
{
    KIRQL OldIrql;

    KeInitializeSpinLock(&RunnerLockA);
    KeInitializeSpinLock(&RunnerLockB);
    KeAcquireSpinLock(&RunnerLockA, &OldIrql);
    KeAcquireSpinLockAtDpcLevel(&RunnerLockB);
    KeReleaseSpinLockFromDpcLevel(&RunnerLockB);
    KeReleaseSpinLock(&RunnerLockA, OldIrql);
}

KTEST(runnerlockorder, takes_b_then_a_twice)
{
    for (ULONG i = 0; i < 2; i++) {
        KIRQL OldIrql;

        KeAcquireSpinLock(&RunnerLockB, &OldIrql);
        KeAcquireSpinLockAtDpcLevel(&RunnerLockA);
        KeReleaseSpinLockFromDpcLevel(&RunnerLockA);
        KeReleaseSpinLock(&RunnerLockB, OldIrql);
    }
}
