/* seh_test.c: _SEH2_TRY/_SEH2_EXCEPT/_SEH2_FINALLY and ExRaiseStatus, nested, across calls and after returns. */
#include "ktest.h"
#include <ke.h>

/* Raises Status (when it is not success) from Depth calls down. */
static ULONG __attribute__((noinline)) RaiseFromDeeper(ULONG Depth, NTSTATUS Status)
{
    if (Depth == 0) {
        if (Status != STATUS_SUCCESS)
            ExRaiseStatus(Status);
        return 0;
    }
    return RaiseFromDeeper(Depth - 1, Status) + 1; /* not a tail call: a real chain of frames */
}

static ULONG __attribute__((noinline)) DivideBy(ULONG Divisor)
{
    ULONG Quotient;

    __asm__ volatile("divl %2" : "=a"(Quotient) : "a"(100), "r"(Divisor), "d"(0));
    return Quotient;
}

KTEST(seh, ex_raise_status_reaches_the_handler)
{
    volatile NTSTATUS Caught = 0;
    volatile BOOLEAN AfterRaise = FALSE;

    _SEH2_TRY {
        ExRaiseStatus(STATUS_INSUFFICIENT_RESOURCES);
        AfterRaise = TRUE;
    } _SEH2_EXCEPT(EXCEPTION_EXECUTE_HANDLER) {
        Caught = _SEH2_GetExceptionCode();
    } _SEH2_END;
    KT_EXPECT_EQ(Caught, STATUS_INSUFFICIENT_RESOURCES);
    KT_EXPECT(!AfterRaise);
    KT_EXPECT(KiPcr.ExceptionList == NULL);
}

KTEST(seh, no_exception_skips_the_handler)
{
    volatile ULONG Handled = 0, Body = 0;

    _SEH2_TRY {
        Body = 1;
    } _SEH2_EXCEPT(EXCEPTION_EXECUTE_HANDLER) {
        Handled = 1;
    } _SEH2_END;
    KT_EXPECT_EQ(Body, 1);
    KT_EXPECT_EQ(Handled, 0);
    KT_EXPECT(KiPcr.ExceptionList == NULL);
}

KTEST(seh, raise_unwinds_through_many_calls)
{
    volatile NTSTATUS Caught = 0;

    _SEH2_TRY {
        RaiseFromDeeper(20, STATUS_INVALID_PARAMETER);
    } _SEH2_EXCEPT(EXCEPTION_EXECUTE_HANDLER) {
        Caught = _SEH2_GetExceptionCode();
    } _SEH2_END;
    KT_EXPECT_EQ(Caught, STATUS_INVALID_PARAMETER);
}

KTEST(seh, divide_by_zero_in_a_callee_is_caught)
{
    volatile NTSTATUS Caught = 0;

    _SEH2_TRY {
        DivideBy(0);
    } _SEH2_EXCEPT(EXCEPTION_EXECUTE_HANDLER) {
        Caught = _SEH2_GetExceptionCode();
    } _SEH2_END;
    KT_EXPECT_EQ(Caught, STATUS_INTEGER_DIVIDE_BY_ZERO);
    KT_EXPECT_EQ(DivideBy(4), 25);
}

KTEST(seh, inner_handler_takes_the_exception_first)
{
    volatile ULONG Inner = 0, Outer = 0;

    _SEH2_TRY {
        _SEH2_TRY {
            ExRaiseStatus(STATUS_ACCESS_VIOLATION);
        } _SEH2_EXCEPT(EXCEPTION_EXECUTE_HANDLER) {
            Inner++;
        } _SEH2_END;
        /* The outer try is live again: a second exception goes to it. */
        DivideBy(0);
    } _SEH2_EXCEPT(EXCEPTION_EXECUTE_HANDLER) {
        Outer = _SEH2_GetExceptionCode();
    } _SEH2_END;
    KT_EXPECT_EQ(Inner, 1);
    KT_EXPECT_EQ(Outer, STATUS_INTEGER_DIVIDE_BY_ZERO);
}

KTEST(seh, filter_continue_search_passes_to_the_outer_handler)
{
    volatile ULONG InnerFilterRuns = 0, InnerHandled = 0;
    volatile NTSTATUS Outer = 0;

    _SEH2_TRY {
        _SEH2_TRY {
            ExRaiseStatus(STATUS_NO_MEMORY);
        } _SEH2_EXCEPT((InnerFilterRuns++, _SEH2_GetExceptionCode() == STATUS_ACCESS_VIOLATION
                                               ? EXCEPTION_EXECUTE_HANDLER
                                               : EXCEPTION_CONTINUE_SEARCH)) {
            InnerHandled = 1;
        } _SEH2_END;
    } _SEH2_EXCEPT(EXCEPTION_EXECUTE_HANDLER) {
        Outer = _SEH2_GetExceptionCode();
    } _SEH2_END;
    KT_EXPECT_EQ(InnerFilterRuns, 1);
    KT_EXPECT_EQ(InnerHandled, 0);
    KT_EXPECT_EQ(Outer, STATUS_NO_MEMORY);
}

KTEST(seh, continue_execution_is_refused_as_noncontinuable)
{
    volatile NTSTATUS Outer = 0;

    _SEH2_TRY {
        _SEH2_TRY {
            ExRaiseStatus(STATUS_NO_MEMORY);
        } _SEH2_EXCEPT(EXCEPTION_CONTINUE_EXECUTION) {
        } _SEH2_END;
    } _SEH2_EXCEPT(EXCEPTION_EXECUTE_HANDLER) {
        Outer = _SEH2_GetExceptionCode();
    } _SEH2_END;
    KT_EXPECT_EQ(Outer, STATUS_NONCONTINUABLE_EXCEPTION);
}

KTEST(seh, finally_runs_on_both_paths_and_the_exception_continues)
{
    volatile ULONG FinallyRuns = 0, AbnormalRuns = 0;
    volatile NTSTATUS Outer = 0;

    _SEH2_TRY {
    } _SEH2_FINALLY {
        FinallyRuns++;
        AbnormalRuns += _SEH2_AbnormalTermination();
    } _SEH2_END;
    _SEH2_TRY {
        _SEH2_TRY {
            ExRaiseStatus(STATUS_UNSUCCESSFUL);
        } _SEH2_FINALLY {
            FinallyRuns++;
            AbnormalRuns += _SEH2_AbnormalTermination();
        } _SEH2_END;
    } _SEH2_EXCEPT(EXCEPTION_EXECUTE_HANDLER) {
        Outer = _SEH2_GetExceptionCode();
    } _SEH2_END;
    KT_EXPECT_EQ(FinallyRuns, 2);
    KT_EXPECT_EQ(AbnormalRuns, 1);
    KT_EXPECT_EQ(Outer, STATUS_UNSUCCESSFUL);
}

KTEST(seh, leave_exits_the_try_block)
{
    volatile ULONG Reached = 0;

    _SEH2_TRY {
        if (Reached == 0)
            _SEH2_LEAVE;
        Reached = 2;
    } _SEH2_EXCEPT(EXCEPTION_EXECUTE_HANDLER) {
        Reached = 3;
    } _SEH2_END;
    KT_EXPECT_EQ(Reached, 0);
    KT_EXPECT(KiPcr.ExceptionList == NULL);
}

static NTSTATUS __attribute__((noinline)) ReturnFromInsideTry(VOID)
{
    _SEH2_TRY {
        _SEH2_YIELD(return STATUS_PENDING);
    } _SEH2_EXCEPT(EXCEPTION_EXECUTE_HANDLER) {
    } _SEH2_END;
    return STATUS_SUCCESS;
}

static NTSTATUS __attribute__((noinline)) CatchInCallee(VOID)
{
    volatile NTSTATUS Caught = 0;

    _SEH2_TRY {
        ExRaiseStatus(STATUS_TIMEOUT);
    } _SEH2_EXCEPT(EXCEPTION_EXECUTE_HANDLER) {
        Caught = _SEH2_GetExceptionCode();
    } _SEH2_END;
    return Caught;
}

KTEST(seh, handlers_work_after_functions_with_try_blocks_return)
{
    volatile NTSTATUS Caught = 0;

    KT_EXPECT_EQ(ReturnFromInsideTry(), STATUS_PENDING);
    KT_EXPECT_EQ(CatchInCallee(), STATUS_TIMEOUT);
    KT_EXPECT(KiPcr.ExceptionList == NULL);
    /* The callees' frames are gone; this exception must find this function's frame. */
    _SEH2_TRY {
        DivideBy(0);
    } _SEH2_EXCEPT(EXCEPTION_EXECUTE_HANDLER) {
        Caught = _SEH2_GetExceptionCode();
    } _SEH2_END;
    KT_EXPECT_EQ(Caught, STATUS_INTEGER_DIVIDE_BY_ZERO);
}

KTEST(seh, ex_raise_status_records_the_callers_address)
{
    volatile ULONG_PTR Address = 0;

    _SEH2_TRY {
        RaiseFromDeeper(0, STATUS_UNSUCCESSFUL);
    } _SEH2_EXCEPT(EXCEPTION_EXECUTE_HANDLER) {
        Address = (ULONG_PTR)_SEH2_GetExceptionInformation()->ExceptionRecord->ExceptionAddress;
    } _SEH2_END;
    KT_EXPECT(Address > (ULONG_PTR)RaiseFromDeeper && Address < (ULONG_PTR)RaiseFromDeeper + 64);
}

KTEST_BUGCHECK(seh, unhandled_ex_raise_status_stops_with_0x1e, KMODE_EXCEPTION_NOT_HANDLED)
{
    KT_BUGCHECK_PARAMETER(1, STATUS_INSUFFICIENT_RESOURCES);
    RaiseFromDeeper(3, STATUS_INSUFFICIENT_RESOURCES);
}

static VOID __attribute__((noinline)) ReturnWithFrameRegistered(VOID)
{
    _SEH2_TRY {
        return; /* wrong: leaves the frame linked in. */
    } _SEH2_EXCEPT(EXCEPTION_EXECUTE_HANDLER) {
    } _SEH2_END;
}

/* A frame left behind by a plain return is caught by the caller's next try, not followed. */
KTEST_BUGCHECK(seh, stale_frame_is_detected, KMODE_EXCEPTION_NOT_HANDLED)
{
    KT_BUGCHECK_PARAMETER(1, STATUS_INVALID_DISPOSITION);
    ReturnWithFrameRegistered();
    _SEH2_TRY {
    } _SEH2_EXCEPT(EXCEPTION_EXECUTE_HANDLER) {
    } _SEH2_END;
}
