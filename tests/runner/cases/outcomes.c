/*
 * outcomes.c: cases that pass, fail, skip, crash and misbehave on purpose,
 * built only into the runner's own test kernel (make test-runner), so
 * tests/runner/check.py can prove that every way a case can go wrong is
 * reported as a failure, with the right counts and exit status. The normal
 * suite never builds this directory.
 */
#include "ktest.h"
#include <ke.h>

#define RUNNER_TEST_TAG 'kaeL'

KTEST(runnertest, passes)
{
    KT_EXPECT_EQ(1 + 1, 2);
}

KTEST(runnertest, expect_fails)
{
    KT_EXPECT_EQ(1 + 1, 3);
}

KTEST(runnertest, assert_fails)
{
    KT_ASSERT(FALSE);
    KtLog("an ASSERT must end the case before this line");
}

KTEST(runnertest, skips)
{
    KT_SKIP("skipped on purpose");
}

KTEST(runnertest, crashes)
{
    *(volatile ULONG *)0xFE000000 = 1;   /* nothing maps the top of system PTE space */
}

KTEST(runnertest, passes_after_a_crash)
{
    KT_EXPECT(TRUE);
}

/* What a plain return from a try once left behind: a frame registered and never taken off. */
KTEST(runnertest, returns_from_inside_a_try)
{
    KSEH_FRAME Frame;

    if (KiSehSetJump(&Frame.Jump) == 0)
        KiSehRegister(&Frame);
}

KTEST(runnertest, leaves_irql_raised)
{
    KIRQL OldIrql;

    KeRaiseIrql(DISPATCH_LEVEL, &OldIrql);
}

static ULONG SkipOnCalledStack(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    KT_SKIP("skipped on a stack KeCallOnKernelStack made");
    return 0;
}

/* Skipped from a called stack: the harness must leave that stack for the case's own and free it. */
KTEST(runnertest, skips_on_a_called_stack)
{
    ULONG Result;

    KeCallOnKernelStack(1, SkipOnCalledStack, NULL, &Result);
}

/* Runs after the case above: it must find itself on the boot stack, by the record too. */
KTEST(runnertest, runs_on_its_own_stack_after_a_skip_on_a_called_one)
{
    ULONG_PTR Here = (ULONG_PTR)__builtin_frame_address(0);

    KT_EXPECT(Here >= KiPcr.StackLimit && Here < KiPcr.StackBase);
    KT_EXPECT(KiPcr.StackControl == NULL);
}

/*
 * Its checks pass, but the block is never freed: the case is blamed for the
 * leak, not its suite's invariant check (nor the next case).
 */
KTEST(runnerleak, leaks_pool)
{
    KT_EXPECT(ExAllocatePoolWithTag(NonPagedPool, 64, RUNNER_TEST_TAG) != NULL);
}

/* A mapping never unmapped keeps its system PTE. */
KTEST(runnerleak, keeps_a_system_pte)
{
    PHYSICAL_ADDRESS Screen = { .QuadPart = VGA_TEXT_BUFFER };

    KT_EXPECT(MmMapIoSpace(Screen, PAGE_SIZE, MmNonCached) != NULL);
}

KTEST(runnerleak, passes_after_a_leak)
{
    KT_EXPECT(TRUE);
}

/* Never ends: the runner must name it while it runs, stop the boot and go on after it. */
KTEST(runnerhang, hangs)
{
    for (;;)
        __halt();
}

KTEST(runnerhang, passes_after_a_hang)
{
    KT_EXPECT(TRUE);
}

KTEST_BUGCHECK(runnerstop, stops_as_expected, MANUALLY_INITIATED_CRASH)
{
    KT_BUGCHECK_PARAMETER(1, 0x1234);
    KeBugCheckEx(MANUALLY_INITIATED_CRASH, 0x1234, 0, 0, 0);
}

KTEST_BUGCHECK(runnerstop, stops_with_another_code, MANUALLY_INITIATED_CRASH)
{
    KeBugCheckEx(MEMORY_MANAGEMENT, 0, 0, 0, 0);
}

KTEST_BUGCHECK(runnerstop, stops_with_another_parameter, MANUALLY_INITIATED_CRASH)
{
    KT_BUGCHECK_PARAMETER(2, 7);
    KeBugCheckEx(MANUALLY_INITIATED_CRASH, 0, 8, 0, 0);
}

KTEST_BUGCHECK(runnerstop, returns_without_stopping, MANUALLY_INITIATED_CRASH)
{
}

KTEST_BUGCHECK(runnerstop, skips_where_the_machine_cannot, MANUALLY_INITIATED_CRASH)
{
    KT_SKIP("skipped on purpose");
}

/* A check that failed before the expected stop fails the case: the stop does not excuse it. */
KTEST_BUGCHECK(runnerstop, fails_a_check_then_stops_as_expected, MANUALLY_INITIATED_CRASH)
{
    KT_EXPECT_EQ(1 + 1, 3);
    KeBugCheckEx(MANUALLY_INITIATED_CRASH, 0, 0, 0, 0);
}

/* Nor does a skip after it. */
KTEST_BUGCHECK(runnerstop, fails_a_check_then_skips, MANUALLY_INITIATED_CRASH)
{
    KT_EXPECT_EQ(1 + 1, 3);
    KT_SKIP("skipped after a failed check");
}
