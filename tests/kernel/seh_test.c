/*
 * seh_test.c: _SEH2_TRY/_SEH2_EXCEPT/_SEH2_FINALLY and ExRaiseStatus: nested,
 * across calls and stacks, left by break, continue, goto and return, and the
 * stops for a frame that outlived its function.
 */
#include "ktest.h"
#include <ke.h>
#include <mm.h>
#include <string.h>

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


KTEST(seh, break_inside_try_leaves_the_enclosing_loop)
{
    volatile ULONG Passes = 0;

    for (volatile ULONG Pass = 0; Pass < 3; Pass++) {
        _SEH2_TRY {
            Passes++;
            if (Pass == 0)
                break;
        } _SEH2_EXCEPT(EXCEPTION_EXECUTE_HANDLER) {
        } _SEH2_END;
    }
    KT_EXPECT_EQ(Passes, 1);
    KT_EXPECT(KiPcr.ExceptionList == NULL);
}

KTEST(seh, continue_inside_try_runs_the_finally_then_the_next_pass)
{
    volatile ULONG Passes = 0, PastContinue = 0, Finally = 0, Abnormal = 0;

    for (volatile ULONG Pass = 0; Pass < 3; Pass++) {
        _SEH2_TRY {
            Passes++;
            if (Pass < 2)
                continue;
            PastContinue++;
        } _SEH2_FINALLY {
            Finally++;
            Abnormal += _SEH2_AbnormalTermination();
        } _SEH2_END;
    }
    KT_EXPECT_EQ(Passes, 3);
    KT_EXPECT_EQ(PastContinue, 1);
    KT_EXPECT_EQ(Finally, 3);
    KT_EXPECT_EQ(Abnormal, 2);
    KT_EXPECT(KiPcr.ExceptionList == NULL);
}

KTEST(seh, break_and_goto_leave_nested_tries_through_their_finally_blocks)
{
    volatile ULONG Order = 0, Passes = 0;

    for (;;) {
        _SEH2_TRY {
            _SEH2_TRY {
                Passes++;
                break;
            } _SEH2_FINALLY {
                Order = Order * 10 + 1 + _SEH2_AbnormalTermination();
            } _SEH2_END;
        } _SEH2_FINALLY {
            Order = Order * 10 + 3 + _SEH2_AbnormalTermination();
        } _SEH2_END;
    }
    KT_EXPECT_EQ(Passes, 1);
    KT_EXPECT_EQ(Order, 24);
    _SEH2_TRY {
        goto Out;
    } _SEH2_FINALLY {
        Order = Order * 10 + _SEH2_AbnormalTermination();
    } _SEH2_END;
    Order = 0;
Out:
    KT_EXPECT_EQ(Order, 241);
    KT_EXPECT(KiPcr.ExceptionList == NULL);
}

KTEST(seh, switch_and_loops_inside_a_try_keep_their_own_break)
{
    volatile ULONG Reached = 0;

    _SEH2_TRY {
        for (ULONG i = 0; i < 10; i++) {
            if (i == 2)
                break;
            Reached++;
        }
        switch (Reached) {
        case 2:
            Reached += 10;
            break;
        default:
            Reached = 0;
            break;
        }
        Reached += 100;
    } _SEH2_EXCEPT(EXCEPTION_EXECUTE_HANDLER) {
        Reached = 0;
    } _SEH2_END;
    KT_EXPECT_EQ(Reached, 112);
    KT_EXPECT(KiPcr.ExceptionList == NULL);
}

KTEST(seh, leave_from_an_inner_loop_reaches_the_finally_normally)
{
    volatile ULONG Finally = 0, Abnormal = 0, Passes = 0;

    _SEH2_TRY {
        for (;;) {
            if (++Passes == 3)
                _SEH2_LEAVE;
        }
    } _SEH2_FINALLY {
        Finally++;
        Abnormal += _SEH2_AbnormalTermination();
    } _SEH2_END;
    KT_EXPECT_EQ(Passes, 3);
    KT_EXPECT_EQ(Finally, 1);
    KT_EXPECT_EQ(Abnormal, 0);
}

static volatile ULONG FinallyRuns, AbnormalFinallyRuns;

static NTSTATUS __attribute__((noinline)) YieldThroughFinally(VOID)
{
    _SEH2_TRY {
        _SEH2_YIELD(return STATUS_PENDING);
    } _SEH2_FINALLY {
        FinallyRuns++;
        AbnormalFinallyRuns += _SEH2_AbnormalTermination();
    } _SEH2_END;
    return STATUS_SUCCESS;
}

/* A plain return computes its value, then the finally blocks run innermost first. */
static ULONG __attribute__((noinline)) ReturnThroughTwoFinallys(volatile ULONG Value)
{
    _SEH2_TRY {
        _SEH2_TRY {
            if (Value != 0)
                return Value * 2 + RaiseFromDeeper(3, STATUS_SUCCESS);
        } _SEH2_FINALLY {
            FinallyRuns = FinallyRuns * 10 + 1;
            AbnormalFinallyRuns += _SEH2_AbnormalTermination();
        } _SEH2_END;
    } _SEH2_FINALLY {
        FinallyRuns = FinallyRuns * 10 + 2;
        AbnormalFinallyRuns += _SEH2_AbnormalTermination();
    } _SEH2_END;
    return 0;
}

KTEST(seh, yield_and_return_run_the_finally_as_an_abnormal_termination)
{
    FinallyRuns = AbnormalFinallyRuns = 0;
    KT_EXPECT_EQ(YieldThroughFinally(), STATUS_PENDING);
    KT_EXPECT_EQ(FinallyRuns, 1);
    KT_EXPECT_EQ(AbnormalFinallyRuns, 1);

    FinallyRuns = AbnormalFinallyRuns = 0;
    KT_EXPECT_EQ(ReturnThroughTwoFinallys(20), 43);
    KT_EXPECT_EQ(FinallyRuns, 12);
    KT_EXPECT_EQ(AbnormalFinallyRuns, 2);

    FinallyRuns = AbnormalFinallyRuns = 0;
    KT_EXPECT_EQ(ReturnThroughTwoFinallys(0), 0);
    KT_EXPECT_EQ(FinallyRuns, 12);
    KT_EXPECT_EQ(AbnormalFinallyRuns, 0);
    KT_EXPECT(KiPcr.ExceptionList == NULL);
}

static VOID __attribute__((noinline)) ReturnFromInsideExceptTry(VOID)
{
    _SEH2_TRY {
        return;
    } _SEH2_EXCEPT(EXCEPTION_EXECUTE_HANDLER) {
    } _SEH2_END;
}

/* Called at the depth of a function that has returned: its locals lie where that function's try frame was. */
static VOID __attribute__((noinline)) OverwriteDeadFrameAndRaise(NTSTATUS Status)
{
    volatile UCHAR Scribble[sizeof(KSEH_FRAME) + 64];

    memset((PVOID)Scribble, 0xA5, sizeof(Scribble));
    RaiseFromDeeper(2, Status);
}

KTEST(seh, sibling_raise_after_a_return_from_inside_a_try_reaches_the_callers_handler)
{
    volatile NTSTATUS Caught = 0;

    _SEH2_TRY {
        ReturnFromInsideExceptTry();
        OverwriteDeadFrameAndRaise(STATUS_TIMEOUT);
    } _SEH2_EXCEPT(EXCEPTION_EXECUTE_HANDLER) {
        Caught = _SEH2_GetExceptionCode();
    } _SEH2_END;
    KT_EXPECT_EQ(Caught, STATUS_TIMEOUT);
    KT_EXPECT(KiPcr.ExceptionList == NULL);
}

/* An exception in a finally block that a break is running goes to the handler outside; the break is dropped. */
KTEST(seh, raise_in_a_finally_run_by_break_reaches_the_outer_handler)
{
    volatile NTSTATUS Caught = 0;
    volatile ULONG Passes = 0, AfterLoop = 0;

    _SEH2_TRY {
        for (;;) {
            Passes++;
            _SEH2_TRY {
                break;
            } _SEH2_FINALLY {
                ExRaiseStatus(STATUS_UNSUCCESSFUL);
            } _SEH2_END;
        }
        AfterLoop = 1;
    } _SEH2_EXCEPT(EXCEPTION_EXECUTE_HANDLER) {
        Caught = _SEH2_GetExceptionCode();
    } _SEH2_END;
    KT_EXPECT_EQ(Caught, STATUS_UNSUCCESSFUL);
    KT_EXPECT_EQ(Passes, 1);
    KT_EXPECT_EQ(AfterLoop, 0);
    KT_EXPECT(KiPcr.ExceptionList == NULL);
}

static ULONG __attribute__((noinline)) ReturnFromFinallyOfARaise(VOID)
{
    _SEH2_TRY {
        ExRaiseStatus(STATUS_NO_MEMORY);
    } _SEH2_FINALLY {
        return 7;
    } _SEH2_END;
    return 0;
}

static LONG __attribute__((noinline)) RaisingFilter(VOID)
{
    ExRaiseStatus(STATUS_NO_MEMORY);
}

/*
 * A return from a finally block ends the exception it was running for (as
 * a C compiler's __finally does); an exception in a filter goes to the
 * handlers outside, its own handler never running.
 */
KTEST(seh, return_from_a_finally_ends_the_exception_and_a_raising_filter_passes_it_out)
{
    volatile ULONG Result = 0, InnerHandler = 0;
    volatile NTSTATUS Caught = 0;

    _SEH2_TRY {
        Result = ReturnFromFinallyOfARaise();
    } _SEH2_EXCEPT(EXCEPTION_EXECUTE_HANDLER) {
        Caught = _SEH2_GetExceptionCode();
    } _SEH2_END;
    KT_EXPECT_EQ(Result, 7);
    KT_EXPECT_EQ(Caught, 0);
    KT_EXPECT(KiPcr.ExceptionList == NULL);

    _SEH2_TRY {
        _SEH2_TRY {
            ExRaiseStatus(STATUS_UNSUCCESSFUL);
        } _SEH2_EXCEPT(RaisingFilter()) {
            InnerHandler = 1;
        } _SEH2_END;
    } _SEH2_EXCEPT(EXCEPTION_EXECUTE_HANDLER) {
        Caught = _SEH2_GetExceptionCode();
    } _SEH2_END;
    KT_EXPECT_EQ(Caught, STATUS_NO_MEMORY);
    KT_EXPECT_EQ(InnerHandler, 0);
    KT_EXPECT(KiPcr.ExceptionList == NULL);
}

static ULONG_PTR AbandonedFrame, AbandonedTry;

/*
 * Registers a try frame and returns with it still linked, as a plain return
 * from a try block did before scope exits unregistered: the frame now lies
 * in dead stack.
 */
static VOID __attribute__((noinline)) AbandonRegisteredFrame(VOID)
{
    KSEH_FRAME Frame;

    if (KiSehSetJump(&Frame.Jump) == 0) {
        KiSehRegister(&Frame);
        AbandonedFrame = (ULONG_PTR)&Frame;
        AbandonedTry = Frame.Jump.Eip;
    }
}

/* At the same depth, with the dead frame left intact under a buffer nothing writes, and its calls below. */
static VOID __attribute__((noinline)) RaiseBesideIntactDeadFrame(NTSTATUS Status)
{
    volatile UCHAR Untouched[sizeof(KSEH_FRAME) + 256];

    __asm__ volatile("" : : "r"(Untouched) : "memory");
    RaiseFromDeeper(2, Status);
}

/* The stop a dead frame must cause: 0x1E with STATUS_BAD_STACK, the frame and the exception dispatched (0: none). */
static VOID ExpectBadStackStop(NTSTATUS ExceptionCode)
{
    KT_BUGCHECK_PARAMETER(1, STATUS_BAD_STACK);
    KT_BUGCHECK_PARAMETER(2, AbandonedFrame);
    KT_BUGCHECK_PARAMETER(3, ExceptionCode);
}

/* The dead frame's buffer says to jump into the scribble: dispatch must stop first. */
KTEST_BUGCHECK(seh, raise_over_an_overwritten_dead_frame_stops_with_0x1e_bad_stack, KMODE_EXCEPTION_NOT_HANDLED)
{
    AbandonRegisteredFrame();
    ExpectBadStackStop(STATUS_TIMEOUT);
    OverwriteDeadFrameAndRaise(STATUS_TIMEOUT);
    KT_EXPECT(FALSE); /* not reached; also keeps the call above from becoming a jump, at another depth */
}

/*
 * The dead frame is whole and its function's EBP is live again, now a
 * sibling's: only the return address at that EBP tells the two calls apart.
 */
KTEST_BUGCHECK(seh, raise_over_an_intact_dead_frame_stops_with_0x1e_bad_stack, KMODE_EXCEPTION_NOT_HANDLED)
{
    _disable();     /* intact: no interrupt may push its frame over the dead one */
    AbandonRegisteredFrame();
    ExpectBadStackStop(STATUS_NO_MEMORY);
    KT_BUGCHECK_PARAMETER(4, AbandonedTry);
    RaiseBesideIntactDeadFrame(STATUS_NO_MEMORY);
    KT_EXPECT(FALSE);
}

/* The next try block opened finds the dead frame at the head of the list before any exception. */
KTEST_BUGCHECK(seh, try_after_a_dead_frame_stops_with_0x1e_bad_stack, KMODE_EXCEPTION_NOT_HANDLED)
{
    _disable();     /* the try address is read from the dead frame: no interrupt may write over it first */
    AbandonRegisteredFrame();
    ExpectBadStackStop(0);
    KT_BUGCHECK_PARAMETER(4, AbandonedTry);
    _SEH2_TRY {
    } _SEH2_EXCEPT(EXCEPTION_EXECUTE_HANDLER) {
    } _SEH2_END;
}

/*
 * What an interrupt taken before the next try would leave where the dead
 * frame was: its trap frame, full of addresses further out on the stack.
 */
static VOID __attribute__((noinline)) OverwriteDeadFrameWithStackAddresses(VOID)
{
    volatile ULONG_PTR Scribble[(sizeof(KSEH_FRAME) + 64) / sizeof(ULONG_PTR)];

    for (ULONG i = 0; i < RTL_NUMBER_OF(Scribble); i++)
        Scribble[i] = KiPcr.StackBase - sizeof(ULONG_PTR);
}

/* The dead frame is known dead by where it lies, below the new try's stack, whatever its memory holds now. */
KTEST_BUGCHECK(seh, try_after_a_dead_frame_an_interrupt_overwrote_stops_with_0x1e_bad_stack,
               KMODE_EXCEPTION_NOT_HANDLED)
{
    AbandonRegisteredFrame();
    OverwriteDeadFrameWithStackAddresses();
    ExpectBadStackStop(0);
    _SEH2_TRY {
    } _SEH2_EXCEPT(EXCEPTION_EXECUTE_HANDLER) {
    } _SEH2_END;
}

/* A frame whose EBP is on no stack, as in a function built without a frame pointer, is refused at once. */
KTEST_BUGCHECK(seh, registering_a_frame_without_a_frame_pointer_stops_with_0x1e_bad_stack,
               KMODE_EXCEPTION_NOT_HANDLED)
{
    static KSEH_FRAME Frame;    /* not on the stack either: nothing may follow it */

    if (KiSehSetJump(&Frame.Jump) != 0)
        return;
    Frame.Jump.Ebp = (ULONG)KiPcr.StackBase;    /* just past the top: on no stack */
    KT_BUGCHECK_PARAMETER(1, STATUS_BAD_STACK);
    KT_BUGCHECK_PARAMETER(2, &Frame);
    KT_BUGCHECK_PARAMETER(3, 0);
    KT_BUGCHECK_PARAMETER(4, 0);                /* the frame is not on a stack: its jump buffer is not read */
    KiSehRegister(&Frame);
}

static ULONG __attribute__((noinline)) RaiseOnCalledStack(PVOID Context)
{
    ExRaiseStatus((NTSTATUS)(ULONG_PTR)Context);
}

static ULONG __attribute__((noinline)) DivideOnCalledStack(PVOID Context)
{
    return DivideBy((ULONG)(ULONG_PTR)Context);
}

/* A try block on the called stack, in front of the caller's frame on the stack below it. */
static ULONG __attribute__((noinline)) CatchOnCalledStack(PVOID Context)
{
    volatile NTSTATUS Caught = 0;

    UNREFERENCED_PARAMETER(Context);
    _SEH2_TRY {
        RaiseFromDeeper(4, STATUS_TIMEOUT);
    } _SEH2_EXCEPT(EXCEPTION_EXECUTE_HANDLER) {
        Caught = _SEH2_GetExceptionCode();
    } _SEH2_END;
    return Caught;
}

/* One more stack switch inside the first, raising from the innermost. */
static ULONG __attribute__((noinline)) CallAgainAndRaise(PVOID Context)
{
    ULONG Result;

    KeCallOnKernelStack(1, RaiseOnCalledStack, Context, &Result);
    return 0;
}

KTEST(seh, exceptions_on_a_called_stack_reach_the_callers_handler)
{
    static ULONG (*const Functions[])(PVOID) = { RaiseOnCalledStack, DivideOnCalledStack, CallAgainAndRaise };
    static const NTSTATUS Expected[] = { STATUS_NO_MEMORY, STATUS_INTEGER_DIVIDE_BY_ZERO, STATUS_NO_MEMORY };
    ULONG_PTR StackBase = KiPcr.StackBase, StackLimit = KiPcr.StackLimit;
    ULONG FreePtes = MmTotalFreeSystemPtes, Result = 0;

    for (volatile ULONG i = 0; i < sizeof(Functions) / sizeof(Functions[0]); i++) {
        volatile NTSTATUS Caught = 0;

        _SEH2_TRY {
            KeCallOnKernelStack(2, Functions[i], (PVOID)(ULONG_PTR)(i == 1 ? 0 : STATUS_NO_MEMORY), &Result);
        } _SEH2_EXCEPT(EXCEPTION_EXECUTE_HANDLER) {
            Caught = _SEH2_GetExceptionCode();
        } _SEH2_END;
        KT_EXPECT_EQ(Caught, Expected[i]);
        KT_EXPECT_EQ(KiPcr.StackBase, StackBase);
        KT_EXPECT_EQ(KiPcr.StackLimit, StackLimit);
        KT_EXPECT_EQ(MmTotalFreeSystemPtes, FreePtes);   /* the called stacks were freed */
    }
    _SEH2_TRY {
        KT_EXPECT_EQ(KeCallOnKernelStack(2, CatchOnCalledStack, NULL, &Result), STATUS_SUCCESS);
    } _SEH2_EXCEPT(EXCEPTION_EXECUTE_HANDLER) {
        Result = 0;
    } _SEH2_END;
    KT_EXPECT_EQ(Result, STATUS_TIMEOUT);
    KT_EXPECT_EQ(KiPcr.StackBase, StackBase);
    KT_EXPECT(KiPcr.ExceptionList == NULL);
}
