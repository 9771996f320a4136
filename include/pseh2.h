/*
 * pseh2.h: try/except and try/finally for C, in the shape of ReactOS's PSEH2
 * macros, over a jump buffer per try block.
 *
 *     _SEH2_TRY {
 *         ...                                  // may fault or ExRaiseStatus
 *     } _SEH2_EXCEPT(EXCEPTION_EXECUTE_HANDLER) {
 *         Status = _SEH2_GetExceptionCode();
 *     } _SEH2_END;
 *
 * Each try block links a KSEH_FRAME into the processor's exception list
 * (KPCR.ExceptionList, NT's fs:[0] chain). Raising an exception, or a CPU
 * fault, takes the innermost frame off the list and jumps back into its
 * block, where the filter runs:
 *   EXCEPTION_EXECUTE_HANDLER     runs the handler and continues after _SEH2_END;
 *   EXCEPTION_CONTINUE_SEARCH     passes the same exception to the next frame out;
 *   EXCEPTION_CONTINUE_EXECUTION  cannot resume here (the frames inside were
 *                                 already left), so it raises
 *                                 STATUS_NONCONTINUABLE_EXCEPTION outward.
 * The difference from NT: NT runs filters before it unwinds, so a filter sees
 * the faulting frames still live; here the filter runs after the jump.
 * _SEH2_FINALLY runs its block on both the normal and the exceptional path,
 * then lets the exception continue outward.
 *
 * A try block may be left any way C allows. Falling out of it or
 * _SEH2_LEAVE is a normal termination. break, continue, goto and return
 * (_SEH2_YIELD(return ...) is the same return, kept for PSEH2 sources)
 * have their C meaning and run the finally block first, with
 * _SEH2_AbnormalTermination() TRUE, as NT does; a return's value is computed
 * before the finally block runs. The frame's cleanup (KiSehScopeExit, which
 * the compiler calls however the scope is left) is what catches those exits:
 * it jumps to the finally block, whose end jumps back to the exit.
 *
 * Rules: as with setjmp, locals changed inside the try (or in a finally a
 * return passes through) and read afterwards must be volatile; and a
 * function with a try block keeps its frame pointer (the kernel builds with
 * -fno-omit-frame-pointer), through which dispatch proves the frame live.
 */
#ifndef NTMM_PSEH2_H
#define NTMM_PSEH2_H

/* KSEH_FRAME.State, and the offsets kernel/ke/sehjump.S reads. */
#define KSEH_FRAME_CLOSED    0   /* not on the list: left normally, or its exception handled */
#define KSEH_FRAME_OPEN      1   /* on the list: its try block is running */
#define KSEH_FRAME_EXCEPTION 2   /* taken off the list by an exception, not yet handled */
#define KSEH_FRAME_LEAVING   3   /* its try block was left by break, continue, goto or return */
#define KSEH_FRAME_STATE     4
#define KSEH_FRAME_JUMP      8
#define KSEH_FRAME_EXIT      36

#ifndef __ASSEMBLER__

typedef struct _KSEH_JUMP_BUFFER {
    ULONG Ebx, Esi, Edi, Ebp, Esp, Eip, EFlags;
} KSEH_JUMP_BUFFER, *PKSEH_JUMP_BUFFER;

typedef struct _KSEH_FRAME {
    struct _KSEH_FRAME *Next;     /* the next frame out; NT's EXCEPTION_REGISTRATION_RECORD.Next */
    ULONG State;                  /* KSEH_FRAME_* */
    KSEH_JUMP_BUFFER Jump;        /* back into the try statement */
    KSEH_JUMP_BUFFER Exit;        /* back to a break, continue, goto or return, after the finally */
    ULONG_PTR ReturnAddress;      /* of the function that opened the try: proves the frame still live */
    EXCEPTION_RECORD ExceptionRecord;  /* copied in before the jump, so they outlive the */
    CONTEXT Context;                   /* frames that were unwound                       */
    EXCEPTION_POINTERS ExceptionPointers;
} KSEH_FRAME, *PKSEH_FRAME;

int KiSehSetJump(PKSEH_JUMP_BUFFER JumpBuffer) __attribute__((returns_twice));
VOID KiSehScopeExit(PKSEH_FRAME Frame) __attribute__((returns_twice));
VOID KiSehRegister(PKSEH_FRAME Frame);
VOID KiSehUnregister(PKSEH_FRAME Frame);
BOOLEAN KiSehEnterHandler(PKSEH_FRAME Frame);
BOOLEAN KiSehFilter(PKSEH_FRAME Frame, LONG Disposition);
DECLSPEC_NORETURN VOID KiSehEndFinally(PKSEH_FRAME Frame);

/*
 * The statement is a block holding the frame, whose cleanup runs on every way
 * out of it; _SEH2_LEAVE jumps to the block's own label (__label__ keeps
 * nested tries' labels apart).
 */
#define _SEH2_TRY                                                   \
    {                                                               \
        __label__ _SehLeave;                                        \
        KSEH_FRAME _SehFrame __attribute__((cleanup(KiSehScopeExit))); \
        if (KiSehSetJump(&_SehFrame.Jump) == 0) {                   \
            KiSehRegister(&_SehFrame);

#define _SEH2_EXCEPT(Filter)                                        \
        _SehLeave: __attribute__((unused));                         \
            KiSehUnregister(&_SehFrame);                            \
        } else if (KiSehEnterHandler(&_SehFrame) &&                 \
                   KiSehFilter(&_SehFrame, (LONG)(Filter)))

#define _SEH2_FINALLY                                               \
        _SehLeave: __attribute__((unused));                         \
            KiSehUnregister(&_SehFrame);                            \
        }

#define _SEH2_END                                                   \
        if (_SehFrame.State != KSEH_FRAME_CLOSED)                   \
            KiSehEndFinally(&_SehFrame);                            \
    }

#define _SEH2_LEAVE goto _SehLeave

#define _SEH2_YIELD(Statement) do { Statement; } while (0)

#define _SEH2_GetExceptionCode()        (_SehFrame.ExceptionRecord.ExceptionCode)
#define _SEH2_GetExceptionInformation() (&_SehFrame.ExceptionPointers)
#define _SEH2_AbnormalTermination()     (_SehFrame.State != KSEH_FRAME_CLOSED)

#endif /* __ASSEMBLER__ */
#endif
