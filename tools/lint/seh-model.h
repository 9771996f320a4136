/*
 * seh-model.h: the _SEH2 statements as static analysers should see them (make lint force-includes
 * this into kernel/ and mm/ sources; the compilers never see it).
 *
 * An analyser cannot follow a jump buffer: it takes KiSehSetJump's second return, the way into the
 * handler, as a path on which the frame was never registered and the handler may be skipped with
 * nothing done. The model keeps the statement's shape and writes out what the kernel guarantees
 * (kernel/ke/except.c): the frame is filled in before anything reads it, the handler is reached
 * only once its filter accepted the exception (KiSehEnterHandler and KiSehFilter otherwise never
 * return), and an exception's code is a warning or an error status, never a success. Keep it in
 * step with include/pseh2.h.
 */
#include <ntddk.h>

#undef _SEH2_TRY
#undef _SEH2_EXCEPT
#undef _SEH2_END
#undef _SEH2_GetExceptionCode

#define _SEH2_TRY                                                   \
    {                                                               \
        __label__ _SehLeave;                                        \
        KSEH_FRAME _SehFrame __attribute__((cleanup(KiSehScopeExit))) = { 0 }; \
        if (KiSehSetJump(&_SehFrame.Jump) == 0) {                   \
            KiSehRegister(&_SehFrame);

#define _SEH2_EXCEPT(Filter)                                        \
        _SehLeave: __attribute__((unused));                         \
            KiSehUnregister(&_SehFrame);                            \
        } else if ((KiSehEnterHandler(&_SehFrame),                  \
                    KiSehFilter(&_SehFrame, (LONG)(Filter)), TRUE))

#define _SEH2_END                                                   \
        if (_SehFrame.State != KSEH_FRAME_CLOSED)                   \
            KiSehEndFinally(&_SehFrame);                            \
    }

static inline NTSTATUS KiSehModelExceptionCode(NTSTATUS Code)
{
    return NT_SUCCESS(Code) ? STATUS_UNSUCCESSFUL : Code;
}
#define _SEH2_GetExceptionCode() KiSehModelExceptionCode(_SehFrame.ExceptionRecord.ExceptionCode)
