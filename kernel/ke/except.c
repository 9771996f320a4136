/*
 * except.c: raising and dispatching exceptions to the _SEH2_TRY frames of
 * pseh2.h.
 *
 * The frames form a list through KPCR.ExceptionList, innermost first, each
 * living on the stack of the function that opened it. Dispatching takes the
 * innermost frame off the list, copies the exception into it, and jumps back
 * into its try statement, where the filter decides. Because frames are
 * stack objects, a frame is proved live before it is used: the function
 * that opened it (the EBP its jump buffer holds) must be on the chain of
 * frames from here outward, across the stacks KeCallOnKernelStack switched
 * between, still with the return address it had when the frame was
 * registered, and the frame must lie inside that function's stack frame. A
 * frame whose function has returned fails that test however its memory was
 * reused since, and stops the system with KMODE_EXCEPTION_NOT_HANDLED and
 * STATUS_BAD_STACK (what NT's unwind raises for a registration record
 * outside the stack) instead of being jumped to. Registering a frame checks the head
 * more cheaply: a head below the stack pointer of the function opening the
 * new try, on the same stack, or the very frame being registered, was left
 * behind by a function that returned. (Two tries in one function may sit in
 * either order on its stack, so frame addresses alone cannot tell; every
 * live frame lies above the opener's stack pointer.)
 */
#include <ke.h>
#include <string.h>

_Static_assert(offsetof(KSEH_FRAME, State) == KSEH_FRAME_STATE &&
               offsetof(KSEH_FRAME, Jump) == KSEH_FRAME_JUMP &&
               offsetof(KSEH_FRAME, Exit) == KSEH_FRAME_EXIT, "sehjump.S's frame offsets");

static DECLSPEC_NORETURN VOID KiUnhandledException(PEXCEPTION_RECORD ExceptionRecord,
                                                   PKTRAP_FRAME TrapFrame)
{
    KeBugCheckWithTf(KMODE_EXCEPTION_NOT_HANDLED,
                     (ULONG_PTR)ExceptionRecord->ExceptionCode,
                     (ULONG_PTR)ExceptionRecord->ExceptionAddress,
                     ExceptionRecord->ExceptionInformation[0],
                     ExceptionRecord->ExceptionInformation[1], TrapFrame);
}

/*
 * A frame the list cannot trust: KMODE_EXCEPTION_NOT_HANDLED with
 * STATUS_BAD_STACK, the frame, the exception being dispatched (0 when none)
 * and the address of the try statement as the frame records it.
 */
static DECLSPEC_NORETURN VOID KiBadFrame(PKSEH_FRAME Frame, NTSTATUS ExceptionCode)
{
    KSTACK_SEGMENT Segment;
    ULONG_PTR TryAddress = 0;

    if (KiFindStackSegment((ULONG_PTR)Frame, sizeof(*Frame), &Segment))
        TryAddress = Frame->Jump.Eip;
    KeBugCheckEx(KMODE_EXCEPTION_NOT_HANDLED, (ULONG_PTR)STATUS_BAD_STACK, (ULONG_PTR)Frame,
                 (ULONG_PTR)ExceptionCode, TryAddress);
}

/* Is Frame's try statement still running? When it is, *Segment receives the stack it is on. */
static BOOLEAN KiIsFrameLive(PKSEH_FRAME Frame, PKSTACK_SEGMENT Segment)
{
    KSTACK_WALK Walk;

    if (!KiFindStackSegment((ULONG_PTR)Frame, sizeof(*Frame), Segment) ||
        !KiStartStackWalk(&Walk, (ULONG_PTR)__builtin_frame_address(0)))
        return FALSE;
    do {
        if (Walk.Ebp == Frame->Jump.Ebp)
            return KiStackFrameReturnAddress(&Walk) == Frame->ReturnAddress &&
                   Walk.Segment.Depth == Segment->Depth && (ULONG_PTR)Frame >= Frame->Jump.Esp &&
                   (ULONG_PTR)Frame + sizeof(*Frame) <= Walk.Ebp;
    } while (KiNextStackFrame(&Walk));
    return FALSE;
}

static BOOLEAN KiIsOnCurrentStack(ULONG_PTR Address)
{
    return Address >= KiPcr.StackLimit && Address < KiPcr.StackBase;
}

VOID KiSehRegister(PKSEH_FRAME Frame)
{
    PKSEH_FRAME Head = KiPcr.ExceptionList;
    ULONG_PTR Ebp = Frame->Jump.Ebp;
    KSTACK_WALK Opener;

    /* Where the head lies, not what it holds: an interrupt since may have written over a dead one. */
    if (Head == Frame ||
        (Head != NULL && KiIsOnCurrentStack((ULONG_PTR)Head) && KiIsOnCurrentStack((ULONG_PTR)Frame) &&
         (ULONG_PTR)Head < Frame->Jump.Esp))
        KiBadFrame(Head, 0);
    /*
     * The opening function's frame, through its EBP: on the current stack,
     * the common case, its return address is read at once; elsewhere the
     * stack chain must hold it, and on no stack at all the function keeps
     * no frame pointer.
     */
    if (Ebp >= KiPcr.StackLimit && Ebp <= KiPcr.StackBase - 2 * sizeof(ULONG_PTR)) {
        Opener.Ebp = Ebp;
    } else if (!KiStartStackWalk(&Opener, Ebp)) {
        KiBadFrame(Frame, 0);
    }
    Frame->Next = Head;
    Frame->State = KSEH_FRAME_OPEN;
    Frame->ReturnAddress = KiStackFrameReturnAddress(&Opener);
    KiPcr.ExceptionList = Frame;
}

VOID KiSehUnregister(PKSEH_FRAME Frame)
{
    if (KiPcr.ExceptionList != Frame)
        KiBadFrame(KiPcr.ExceptionList, 0);
    KiPcr.ExceptionList = Frame->Next;
    Frame->State = KSEH_FRAME_CLOSED;
}

/* Back to the break, continue, goto or return that left Frame's try block (KiSehScopeExit saved it). */
static DECLSPEC_NORETURN VOID KiSehResumeExit(PKSEH_FRAME Frame)
{
    Frame->State = KSEH_FRAME_CLOSED;
    KiSehLongJump(&Frame->Exit, 1);
}

/*
 * Reached from KiSehScopeExit (sehjump.S) when a try block is left other than
 * by falling out of it or _SEH2_LEAVE: the frame comes off the list and the
 * try statement runs its finally block as an abnormal termination, at the
 * end of which KiSehEndFinally resumes the exit.
 */
DECLSPEC_NORETURN VOID KiSehLeaveTryBlock(PKSEH_FRAME Frame);
VOID KiSehLeaveTryBlock(PKSEH_FRAME Frame)
{
    KiSehUnregister(Frame);
    Frame->State = KSEH_FRAME_LEAVING;
    KiSehLongJump(&Frame->Jump, 1);
}

/* _SEH2_EXCEPT's way in: a try/except left by break, continue, goto or return has nothing to run. */
BOOLEAN KiSehEnterHandler(PKSEH_FRAME Frame)
{
    if (Frame->State == KSEH_FRAME_LEAVING)
        KiSehResumeExit(Frame);
    return TRUE;
}

BOOLEAN KeExceptionHandlerActive(VOID)
{
    return KiPcr.ExceptionList != NULL;
}

/*
 * May this fault become an exception rather than a stop? Only when it was
 * taken by one of the probe instructions (probe.S) and a try block is there
 * to receive it.
 */
BOOLEAN KeInvalidAccessAllowed(PKTRAP_FRAME TrapFrame)
{
    extern UCHAR KiProbeStart[], KiProbeEnd[];

    return TrapFrame != NULL && KiPcr.ExceptionList != NULL &&
           TrapFrame->Eip >= (ULONG_PTR)KiProbeStart && TrapFrame->Eip < (ULONG_PTR)KiProbeEnd;
}

static VOID KiContextFromTrapFrame(PCONTEXT Context, PKTRAP_FRAME TrapFrame)
{
    memset(Context, 0, sizeof(*Context));
    if (TrapFrame == NULL)
        return;
    Context->ContextFlags = CONTEXT_CONTROL | CONTEXT_INTEGER | CONTEXT_SEGMENTS;
    Context->SegGs = TrapFrame->SegGs;
    Context->SegFs = TrapFrame->SegFs;
    Context->SegEs = TrapFrame->SegEs;
    Context->SegDs = TrapFrame->SegDs;
    Context->Edi = TrapFrame->Edi;
    Context->Esi = TrapFrame->Esi;
    Context->Ebx = TrapFrame->Ebx;
    Context->Edx = TrapFrame->Edx;
    Context->Ecx = TrapFrame->Ecx;
    Context->Eax = TrapFrame->Eax;
    Context->Ebp = TrapFrame->Ebp;
    Context->Eip = TrapFrame->Eip;
    Context->SegCs = TrapFrame->SegCs;
    Context->EFlags = TrapFrame->EFlags;
    Context->Esp = KiTrapFrameEsp(TrapFrame);
    Context->SegSs = KiTrapFrameFromUserMode(TrapFrame) ? TrapFrame->HardwareSegSs : KGDT_R0_DATA;
}

/*
 * Delivers an exception to the innermost try frame, or stops the system with
 * KMODE_EXCEPTION_NOT_HANDLED when there is none. TrapFrame is the CPU's
 * state for a hardware exception, NULL for a raised one.
 */
VOID KiDispatchException(PEXCEPTION_RECORD ExceptionRecord, PKTRAP_FRAME TrapFrame)
{
    PKSEH_FRAME Frame = KiPcr.ExceptionList;
    KSTACK_SEGMENT Segment;

    if (Frame == NULL)
        KiUnhandledException(ExceptionRecord, TrapFrame);
    if (!KiIsFrameLive(Frame, &Segment))
        KiBadFrame(Frame, ExceptionRecord->ExceptionCode);

    KiPcr.ExceptionList = Frame->Next;
    Frame->State = KSEH_FRAME_EXCEPTION;
    Frame->ExceptionRecord = *ExceptionRecord;
    Frame->ExceptionRecord.ExceptionRecord = NULL; /* a nested record would be on a dead stack */
    KiContextFromTrapFrame(&Frame->Context, TrapFrame);
    Frame->ExceptionPointers.ExceptionRecord = &Frame->ExceptionRecord;
    Frame->ExceptionPointers.ContextRecord = &Frame->Context;
    /* A frame on a stack the current one was called from: that stack is current again. */
    if (Segment.Depth != 0)
        KiSetCurrentStack(&Segment);
    KiSehLongJump(&Frame->Jump, 1);
}

/* Passes the frame's exception on to the next frame out; the frame is already off the list. */
static DECLSPEC_NORETURN VOID KiSehContinueSearch(PKSEH_FRAME Frame)
{
    EXCEPTION_RECORD Record = Frame->ExceptionRecord;

    KiDispatchException(&Record, NULL);
}

/* The end of a finally block that did not end normally: resume the exit that left it, or the exception. */
VOID KiSehEndFinally(PKSEH_FRAME Frame)
{
    if (Frame->State == KSEH_FRAME_LEAVING)
        KiSehResumeExit(Frame);
    KiSehContinueSearch(Frame);
}

BOOLEAN KiSehFilter(PKSEH_FRAME Frame, LONG Disposition)
{
    EXCEPTION_RECORD Record = { 0 };

    switch (Disposition) {
    case EXCEPTION_EXECUTE_HANDLER:
        Frame->State = KSEH_FRAME_CLOSED;
        return TRUE;
    case EXCEPTION_CONTINUE_SEARCH:
        KiSehContinueSearch(Frame);
    case EXCEPTION_CONTINUE_EXECUTION:
        /* The faulting frames were left when this frame's filter started: nothing to resume. */
        Record.ExceptionCode = STATUS_NONCONTINUABLE_EXCEPTION;
        break;
    default:
        Record.ExceptionCode = STATUS_INVALID_DISPOSITION;
        break;
    }
    Record.ExceptionFlags = EXCEPTION_NONCONTINUABLE;
    Record.ExceptionAddress = Frame->ExceptionRecord.ExceptionAddress;
    KiDispatchException(&Record, NULL);
}

VOID NTAPI RtlRaiseException(PEXCEPTION_RECORD ExceptionRecord)
{
    if (ExceptionRecord->ExceptionAddress == NULL)
        ExceptionRecord->ExceptionAddress = __builtin_return_address(0);
    KiDispatchException(ExceptionRecord, NULL);
}

VOID NTAPI ExRaiseStatus(NTSTATUS Status)
{
    EXCEPTION_RECORD Record = { 0 };

    Record.ExceptionCode = Status;
    Record.ExceptionFlags = EXCEPTION_NONCONTINUABLE;
    Record.ExceptionAddress = __builtin_return_address(0);
    KiDispatchException(&Record, NULL);
}
