/*
 * except.c: raising and dispatching exceptions to the _SEH2_TRY frames of
 * pseh2.h.
 *
 * The frames form a list through KPCR.ExceptionList, innermost first, each
 * living on the stack of the function that opened it. Dispatching takes the
 * innermost frame off the list, copies the exception into it, and jumps back
 * into its try statement, where the filter decides. Because frames are
 * stack objects, the list is checked as it is used: a frame must lie above
 * the current stack pointer and inside the kernel stack, and a new frame's
 * function (its saved EBP) must be the same as, or deeper than, the function
 * of the frame it is linked in front of. A head frame whose function is
 * deeper than the one registering was left behind by a return from inside a
 * try block. (Two tries in one function may sit in either order on its
 * stack, so frame addresses alone cannot tell.)
 */
#include <ke.h>
#include <string.h>

static DECLSPEC_NORETURN VOID KiUnhandledException(PEXCEPTION_RECORD ExceptionRecord,
                                                   PKTRAP_FRAME TrapFrame)
{
    KeBugCheckWithTf(KMODE_EXCEPTION_NOT_HANDLED,
                     (ULONG_PTR)ExceptionRecord->ExceptionCode,
                     (ULONG_PTR)ExceptionRecord->ExceptionAddress,
                     ExceptionRecord->ExceptionInformation[0],
                     ExceptionRecord->ExceptionInformation[1], TrapFrame);
}

static BOOLEAN KiIsFrameOnStack(PKSEH_FRAME Frame, ULONG_PTR StackPointer)
{
    ULONG_PTR Address = (ULONG_PTR)Frame;

    return Address > StackPointer && Address + sizeof(*Frame) <= KiPcr.StackBase &&
           Address >= KiPcr.StackLimit;
}

/* A frame the list cannot trust: stop, naming the frame, as NT does for a bad registration. */
static DECLSPEC_NORETURN VOID KiBadFrame(PKSEH_FRAME Frame)
{
    KeBugCheckEx(KMODE_EXCEPTION_NOT_HANDLED, (ULONG_PTR)STATUS_INVALID_DISPOSITION,
                 (ULONG_PTR)Frame, (ULONG_PTR)KiPcr.ExceptionList, 0);
}

VOID KiSehRegister(PKSEH_FRAME Frame)
{
    PKSEH_FRAME Head = KiPcr.ExceptionList;

    if (Head != NULL && Head->Jump.Ebp < Frame->Jump.Ebp)
        KiBadFrame(Head);
    Frame->Next = Head;
    KiPcr.ExceptionList = Frame;
}

VOID KiSehUnregister(PKSEH_FRAME Frame)
{
    if (KiPcr.ExceptionList != Frame)
        KiBadFrame(Frame);
    KiPcr.ExceptionList = Frame->Next;
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
    ULONG_PTR StackPointer = (ULONG_PTR)__builtin_frame_address(0);

    if (Frame == NULL)
        KiUnhandledException(ExceptionRecord, TrapFrame);
    if (!KiIsFrameOnStack(Frame, StackPointer))
        KiBadFrame(Frame);

    KiPcr.ExceptionList = Frame->Next;
    Frame->ExceptionRecord = *ExceptionRecord;
    Frame->ExceptionRecord.ExceptionRecord = NULL; /* a nested record would be on a dead stack */
    KiContextFromTrapFrame(&Frame->Context, TrapFrame);
    Frame->ExceptionPointers.ExceptionRecord = &Frame->ExceptionRecord;
    Frame->ExceptionPointers.ContextRecord = &Frame->Context;
    KiSehLongJump(&Frame->Jump, 1);
}

/* Passes the frame's exception on to the next frame out; the frame is already off the list. */
VOID KiSehContinueSearch(PKSEH_FRAME Frame)
{
    EXCEPTION_RECORD Record = Frame->ExceptionRecord;

    KiDispatchException(&Record, NULL);
}

BOOLEAN KiSehFilter(PKSEH_FRAME Frame, LONG Disposition)
{
    EXCEPTION_RECORD Record = { 0 };

    switch (Disposition) {
    case EXCEPTION_EXECUTE_HANDLER:
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
