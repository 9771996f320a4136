/*
 * verifier_test.c: the kernel verifier's options (vf.h), each turned on by
 * the case that shows it: the command line's syntax, the low-resources
 * simulation's stream, forced IRQL checking, pool tracking's records, and
 * the stops of lock misuse and of unlocking pages a process still maps.
 * Special pool has its own suite (specpool_test.c); the reports that fail
 * a suite (leaks, locked pages, lock order) are shown failing by the
 * runner's own test (tests/runner/cases/verifier.c).
 */
#include "ktest.h"
#include "mmtest.h"
#include "vftest.h"
#include <ex.h>

#define KT_VERIFIER_TAG 'fVkK'          /* "KkVf" */
#define KT_STREAM_REQUESTS 32

KTEST(verifier, the_command_line_sets_every_option)
{
    VF_OPTIONS Options;

    KT_ASSERT(VfParseOptions("special,lowres,irql,pooltrack,locks,seed=7,rate=250,special.tag=Leak,special.size=64,"
                             "special.underrun",
                             &Options));
    KT_EXPECT_EQ(Options.Level, DRIVER_VERIFIER_SPECIAL_POOLING | DRIVER_VERIFIER_INJECT_ALLOCATION_FAILURES |
                                    DRIVER_VERIFIER_FORCE_IRQL_CHECKING | DRIVER_VERIFIER_TRACK_POOL_ALLOCATIONS |
                                    DRIVER_VERIFIER_DEADLOCK_DETECTION);
    KT_EXPECT_EQ(Options.Seed, 7);
    KT_EXPECT_EQ(Options.Rate, 250);
    KT_EXPECT_EQ(Options.SpecialPoolTag, 'kaeL');
    KT_EXPECT_EQ(Options.SpecialPoolSize, 64);
    KT_EXPECT(Options.SpecialPoolUnderruns);
    /* The word ends at a space; a short tag is padded with spaces, as NT pads it. */
    KT_ASSERT(VfParseOptions("special.tag=Ab ktest=all", &Options));
    KT_EXPECT_EQ(Options.SpecialPoolTag, '  bA');
    KT_EXPECT_EQ(Options.Rate, VF_DEFAULT_FAILURE_RATE);
    KT_ASSERT(VfParseOptions("", &Options));
    KT_EXPECT_EQ(Options.Level, 0);
    /* What it cannot read it refuses: a misspelt option would verify nothing. */
    KT_EXPECT(!VfParseOptions("specail", &Options));
    KT_EXPECT(!VfParseOptions("lowres,rate=10001", &Options));
    KT_EXPECT(!VfParseOptions("seed=", &Options));
    KT_EXPECT(!VfParseOptions("seed=4294967296", &Options));
    KT_EXPECT(!VfParseOptions("special.tag=Toolong", &Options));
    KT_EXPECT(!VfParseOptions("special.size=0", &Options));
}

KTEST(verifier, mm_is_verifier_enabled_reports_the_options)
{
    VF_OPTIONS Saved = VfOptions;
    ULONG Flags = MAXULONG;

    VfOptions.Level = 0;
    KT_EXPECT_EQ(MmIsVerifierEnabled(&Flags), STATUS_NOT_SUPPORTED);
    KT_EXPECT_EQ(Flags, 0);
    VfOptions.Level = DRIVER_VERIFIER_SPECIAL_POOLING | DRIVER_VERIFIER_DEADLOCK_DETECTION;
    KT_EXPECT_EQ(MmIsVerifierEnabled(&Flags), STATUS_SUCCESS);
    KT_EXPECT_EQ(Flags, DRIVER_VERIFIER_SPECIAL_POOLING | DRIVER_VERIFIER_DEADLOCK_DETECTION);
    KtVerifierRestore(Saved);
}

/*
 * Which of KT_STREAM_REQUESTS pool requests the simulation fails, as a bit
 * mask, in a stream started again (and suspended, if asked); every block
 * is freed.
 */
static ULONG KtFailedRequests(ULONG Seed, ULONG Rate, ULONG Salt, BOOLEAN Suspended)
{
    ULONG Failed = 0;

    VfOptions.Seed = Seed;
    VfOptions.Rate = Rate;
    VfReseedLowResources(Salt);
    if (Suspended)
        KtVerifierSuspendLowResources();
    for (ULONG i = 0; i < KT_STREAM_REQUESTS; i++) {
        PVOID Block = ExAllocatePoolWithTag(NonPagedPool, 32, KT_VERIFIER_TAG);

        if (Block == NULL)
            Failed |= 1u << i;
        else
            ExFreePoolWithTag(Block, KT_VERIFIER_TAG);
    }
    if (Suspended)
        KtVerifierResumeLowResources();
    return Failed;
}

/*
 * The stream is the seed's and the salt's: the same pair fails the same
 * requests, another pair others; rate 0 fails none, 10000 all, and a
 * suspended simulation none. (The stream is reset before the checks, so
 * they are judged as any case's are.)
 */
KTEST(verifier, low_resources_fail_the_same_requests_for_the_same_seed)
{
    VF_OPTIONS Saved = KtVerifierEnable(DRIVER_VERIFIER_INJECT_ALLOCATION_FAILURES, 0);
    ULONG First = KtFailedRequests(1, VF_FAILURE_RATE_UNIT / 2, 99, FALSE);
    ULONG Again = KtFailedRequests(1, VF_FAILURE_RATE_UNIT / 2, 99, FALSE);
    ULONG OtherSeed = KtFailedRequests(2, VF_FAILURE_RATE_UNIT / 2, 99, FALSE);
    ULONG OtherSalt = KtFailedRequests(1, VF_FAILURE_RATE_UNIT / 2, 100, FALSE);
    ULONG None = KtFailedRequests(1, 0, 99, FALSE);
    ULONG All = KtFailedRequests(1, VF_FAILURE_RATE_UNIT, 99, FALSE);
    ULONG Suspended = KtFailedRequests(1, VF_FAILURE_RATE_UNIT, 99, TRUE);

    KtVerifierRestore(Saved);
    VfReseedLowResources(0);
    KT_EXPECT_EQ(Again, First);
    KT_EXPECT(First != 0 && First != MAXULONG);
    KT_EXPECT_NE(OtherSeed, First);
    KT_EXPECT_NE(OtherSalt, First);
    KT_EXPECT_EQ(None, 0);
    KT_EXPECT_EQ(All, MAXULONG);
    KT_EXPECT_EQ(Suspended, 0);
}

/* Must-succeed requests are never failed on purpose: their callers may not see NULL. */
KTEST(verifier, low_resources_leave_must_succeed_mappings_alone)
{
    VF_OPTIONS Saved = KtVerifierEnable(DRIVER_VERIFIER_INJECT_ALLOCATION_FAILURES, 0);
    PUCHAR Buffer = ExAllocatePoolWithTag(NonPagedPool, PAGE_SIZE, KT_VERIFIER_TAG);
    PMDL Mdl = IoAllocateMdl(Buffer, PAGE_SIZE, FALSE, FALSE, NULL);
    PVOID View;

    KtVerifierRestore(Saved);
    VfReseedLowResources(0);
    KT_ASSERT(Buffer != NULL && Mdl != NULL);
    MmProbeAndLockPages(Mdl, KernelMode, IoReadAccess);
    KtVerifierEnable(DRIVER_VERIFIER_INJECT_ALLOCATION_FAILURES, 0);
    VfOptions.Rate = VF_FAILURE_RATE_UNIT;
    View = MmMapLockedPagesSpecifyCache(Mdl, KernelMode, MmCached, NULL, TRUE, NormalPagePriority);
    KtVerifierRestore(Saved);
    VfReseedLowResources(0);
    KT_EXPECT(View != NULL);
    MmUnlockPages(Mdl);
    IoFreeMdl(Mdl);
    ExFreePoolWithTag(Buffer, KT_VERIFIER_TAG);
}

/*
 * Forced IRQL checking: a raise to DISPATCH_LEVEL takes paged pool's pages
 * out of reach (their PTEs keep them, in transition), so the next touch
 * faults even though nothing was paged out; below DISPATCH_LEVEL the fault
 * gives the page back with its contents.
 */
KTEST(verifier, raising_to_dispatch_level_trims_paged_pool)
{
    VF_OPTIONS Saved;
    PULONG Block = ExAllocatePoolWithTag(PagedPool, PAGE_SIZE, KT_VERIFIER_TAG);
    ULONG Trims = VfStatistics.Trims;
    KIRQL OldIrql;

    KT_ASSERT(Block != NULL);
    Block[0] = 0x600DF00D;
    KT_EXPECT(MmIsAddressValid(Block));
    Saved = KtVerifierEnable(DRIVER_VERIFIER_FORCE_IRQL_CHECKING, 0);
    KeRaiseIrql(DISPATCH_LEVEL, &OldIrql);
    KT_EXPECT(!MmIsAddressValid(Block));
    KeLowerIrql(OldIrql);
    KtVerifierRestore(Saved);
    KT_EXPECT(VfStatistics.Trims > Trims);
    KT_EXPECT_EQ(Block[0], 0x600DF00D);
    KT_EXPECT(MmIsAddressValid(Block));
    ExFreePoolWithTag(Block, KT_VERIFIER_TAG);
}

/* The same touch, made at DISPATCH_LEVEL, stops every time, not only when the page happened to be out. */
KTEST_BUGCHECK(verifier, touching_paged_pool_at_dispatch_level_stops_with_0xa, IRQL_NOT_LESS_OR_EQUAL)
{
    PULONG Block = ExAllocatePoolWithTag(PagedPool, PAGE_SIZE, KT_VERIFIER_TAG);
    KIRQL OldIrql;

    KT_ASSERT(Block != NULL);
    Block[0] = 1;                                   /* resident */
    KtVerifierEnable(DRIVER_VERIFIER_FORCE_IRQL_CHECKING, 0);
    KT_BUGCHECK_PARAMETER(1, (ULONG_PTR)Block);
    KT_BUGCHECK_PARAMETER(2, DISPATCH_LEVEL);
    KT_BUGCHECK_PARAMETER(3, 0);
    KeRaiseIrql(DISPATCH_LEVEL, &OldIrql);
    (void)*(volatile ULONG *)Block;
}

/* Pool tracking keeps a record per block while the block lives, and none after. */
KTEST(verifier, pool_tracking_records_each_block_while_it_lives)
{
    VF_OPTIONS Saved = KtVerifierEnable(DRIVER_VERIFIER_TRACK_POOL_ALLOCATIONS, 0);
    ULONG Tracked = VfTrackedPoolAllocations();
    PVOID Small = ExAllocatePoolWithTag(NonPagedPool, 40, KT_VERIFIER_TAG);
    PVOID Large = ExAllocatePoolWithTag(PagedPool, 3 * PAGE_SIZE, KT_VERIFIER_TAG);

    KT_EXPECT_EQ(VfTrackedPoolAllocations(), Tracked + (Small != NULL) + (Large != NULL));
    if (Small != NULL)
        ExFreePoolWithTag(Small, KT_VERIFIER_TAG);
    if (Large != NULL)
        ExFreePoolWithTag(Large, KT_VERIFIER_TAG);
    KT_EXPECT_EQ(VfTrackedPoolAllocations(), Tracked);
    KtVerifierRestore(Saved);
}

/* Lock misuse stops with the verifier's code, DRIVER_VERIFIER_DETECTED_VIOLATION, and NT's subcode. */

KTEST_BUGCHECK(verifier, acquiring_a_held_spin_lock_stops_with_0xc4_1000, DRIVER_VERIFIER_DETECTED_VIOLATION)
{
    static KSPIN_LOCK Lock;
    KIRQL OldIrql;

    KtVerifierEnable(DRIVER_VERIFIER_DEADLOCK_DETECTION, 0);
    KeInitializeSpinLock(&Lock);
    KT_BUGCHECK_PARAMETER(1, 0x1000);
    KT_BUGCHECK_PARAMETER(2, (ULONG_PTR)&Lock);
    KeAcquireSpinLock(&Lock, &OldIrql);
    KeAcquireSpinLockAtDpcLevel(&Lock);
}

KTEST_BUGCHECK(verifier, releasing_a_spin_lock_not_held_stops_with_0xc4_1007, DRIVER_VERIFIER_DETECTED_VIOLATION)
{
    static KSPIN_LOCK Lock;
    KIRQL OldIrql;

    KtVerifierEnable(DRIVER_VERIFIER_DEADLOCK_DETECTION, 0);
    KeInitializeSpinLock(&Lock);
    KT_BUGCHECK_PARAMETER(1, 0x1007);
    KT_BUGCHECK_PARAMETER(2, (ULONG_PTR)&Lock);
    KeRaiseIrql(DISPATCH_LEVEL, &OldIrql);
    KeReleaseSpinLock(&Lock, OldIrql);
}

KTEST_BUGCHECK(verifier, releasing_a_spin_lock_below_dispatch_level_stops_with_0xc4_32,
               DRIVER_VERIFIER_DETECTED_VIOLATION)
{
    static KSPIN_LOCK Lock;
    KIRQL OldIrql;

    KtVerifierEnable(DRIVER_VERIFIER_DEADLOCK_DETECTION, 0);
    KeInitializeSpinLock(&Lock);
    KT_BUGCHECK_PARAMETER(1, 0x32);
    KT_BUGCHECK_PARAMETER(2, APC_LEVEL);
    KT_BUGCHECK_PARAMETER(3, (ULONG_PTR)&Lock);
    KeAcquireSpinLock(&Lock, &OldIrql);
    KeLowerIrql(APC_LEVEL);
    KeReleaseSpinLock(&Lock, PASSIVE_LEVEL);
}

KTEST_BUGCHECK(verifier, acquiring_at_dpc_level_below_it_stops_with_0xc4_40, DRIVER_VERIFIER_DETECTED_VIOLATION)
{
    static KSPIN_LOCK Lock;

    KtVerifierEnable(DRIVER_VERIFIER_DEADLOCK_DETECTION, 0);
    KeInitializeSpinLock(&Lock);
    KT_BUGCHECK_PARAMETER(1, 0x40);
    KT_BUGCHECK_PARAMETER(2, PASSIVE_LEVEL);
    KT_BUGCHECK_PARAMETER(3, (ULONG_PTR)&Lock);
    KeAcquireSpinLockAtDpcLevel(&Lock);
}

KTEST_BUGCHECK(verifier, acquiring_above_dispatch_level_stops_with_0xc4_42, DRIVER_VERIFIER_DETECTED_VIOLATION)
{
    static KSPIN_LOCK Lock;
    KIRQL OldIrql;

    KtVerifierEnable(DRIVER_VERIFIER_DEADLOCK_DETECTION, 0);
    KeInitializeSpinLock(&Lock);
    KT_BUGCHECK_PARAMETER(1, 0x42);
    KT_BUGCHECK_PARAMETER(2, HIGH_LEVEL);
    KT_BUGCHECK_PARAMETER(3, (ULONG_PTR)&Lock);
    KeRaiseIrql(HIGH_LEVEL, &OldIrql);
    KeAcquireSpinLock(&Lock, &OldIrql);
}

/*
 * Unlocking an MDL a process still maps in its user space would free pages
 * ring 3 can reach; under pool tracking that stops (0xC4, 0xB8: the MDL,
 * its flags, the user address). Here the process is the System process.
 */
KTEST_BUGCHECK(verifier, unlocking_pages_a_process_still_maps_stops_with_0xc4_b8, DRIVER_VERIFIER_DETECTED_VIOLATION)
{
    PUCHAR Buffer = ExAllocatePoolWithTag(NonPagedPool, PAGE_SIZE, KT_VERIFIER_TAG);
    PMDL Mdl = IoAllocateMdl(Buffer, PAGE_SIZE, FALSE, FALSE, NULL);
    PVOID UserView;

    KT_ASSERT(Buffer != NULL && Mdl != NULL);
    MmProbeAndLockPages(Mdl, KernelMode, IoWriteAccess);
    UserView = MmMapLockedPagesSpecifyCache(Mdl, UserMode, MmCached, NULL, FALSE, NormalPagePriority);
    KT_ASSERT(UserView != NULL);
    KtVerifierEnable(DRIVER_VERIFIER_TRACK_POOL_ALLOCATIONS, 0);
    KT_BUGCHECK_PARAMETER(1, 0xB8);
    KT_BUGCHECK_PARAMETER(2, (ULONG_PTR)Mdl);
    KT_BUGCHECK_PARAMETER(4, (ULONG_PTR)UserView);
    MmUnlockPages(Mdl);
}
