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
 * Rules: locals changed inside the try and read afterwards must be volatile
 * (as with setjmp); leave a try block only by falling out of it, through
 * _SEH2_LEAVE, or with _SEH2_YIELD(return ...). A frame left registered by a
 * plain return is caught as stale the next time the list is used.
 */
#ifndef NTMM_PSEH2_H
#define NTMM_PSEH2_H

typedef struct _KSEH_JUMP_BUFFER {
    ULONG Ebx, Esi, Edi, Ebp, Esp, Eip, EFlags;
} KSEH_JUMP_BUFFER, *PKSEH_JUMP_BUFFER;

typedef struct _KSEH_FRAME {
    struct _KSEH_FRAME *Next;     /* the next frame out; NT's EXCEPTION_REGISTRATION_RECORD.Next */
    KSEH_JUMP_BUFFER Jump;
    BOOLEAN Abnormal;             /* the finally block runs because of an exception */
    EXCEPTION_RECORD ExceptionRecord;  /* copied in before the jump, so they outlive the */
    CONTEXT Context;                   /* frames that were unwound                       */
    EXCEPTION_POINTERS ExceptionPointers;
} KSEH_FRAME, *PKSEH_FRAME;

int KiSehSetJump(PKSEH_JUMP_BUFFER JumpBuffer) __attribute__((returns_twice));
VOID KiSehRegister(PKSEH_FRAME Frame);
VOID KiSehUnregister(PKSEH_FRAME Frame);
BOOLEAN KiSehFilter(PKSEH_FRAME Frame, LONG Disposition);
DECLSPEC_NORETURN VOID KiSehContinueSearch(PKSEH_FRAME Frame);

#define _SEH2_TRY                                                   \
    {                                                               \
        KSEH_FRAME _SehFrame;                                       \
        _SehFrame.Abnormal = FALSE;                                 \
        if (KiSehSetJump(&_SehFrame.Jump) == 0) {                   \
            KiSehRegister(&_SehFrame);                              \
            do

#define _SEH2_EXCEPT(Filter)                                        \
            while (0);                                              \
            KiSehUnregister(&_SehFrame);                            \
        } else if (KiSehFilter(&_SehFrame, (LONG)(Filter)))

#define _SEH2_FINALLY                                               \
            while (0);                                              \
            KiSehUnregister(&_SehFrame);                            \
        } else {                                                    \
            _SehFrame.Abnormal = TRUE;                              \
        }

#define _SEH2_END                                                   \
        if (_SehFrame.Abnormal)                                     \
            KiSehContinueSearch(&_SehFrame);                        \
    }

/* Leaves the try block, like break: the do/while above is what it breaks. */
#define _SEH2_LEAVE break

/* Unregisters the innermost frame, then runs Statement (a return). One level only. */
#define _SEH2_YIELD(Statement)                                      \
    do {                                                            \
        KiSehUnregister(&_SehFrame);                                \
        Statement;                                                  \
    } while (0)

#define _SEH2_GetExceptionCode()        (_SehFrame.ExceptionRecord.ExceptionCode)
#define _SEH2_GetExceptionInformation() (&_SehFrame.ExceptionPointers)
#define _SEH2_AbnormalTermination()     (_SehFrame.Abnormal)

#endif
