/*
 * syscall.c: the system-service dispatcher (int 0x2E) and the debug
 * service (int 0x2D), NT x86's two ways into the kernel from user mode.
 *
 * A system call arrives with the service number in eax and the address of
 * its arguments, on the caller's stack, in edx. The dispatcher copies the
 * arguments (as many bytes as KeServiceDescriptorTable says) from the
 * caller's memory inside a try block, so a bad edx is the call's status,
 * STATUS_ACCESS_VIOLATION, never a crash, and calls the service with
 * PreviousMode set to the caller's mode: the service then probes every
 * pointer itself. The status goes back in eax. An exception that escapes a
 * service is a kernel bug (SYSTEM_SERVICE_EXCEPTION), and so is a service
 * that returns at a raised IRQL or still attached to another process.
 */
#include <ke.h>
#include <string.h>

#define KI_MAXIMUM_SERVICE_ARGUMENTS 16
#define KI_MAXIMUM_DEBUG_PRINT 512

LONG KiCallService(ULONG_PTR Service, const ULONG *Arguments, ULONG Count);

/* The service's status; an exception escaping it stops the system with the exception's record. */
static NTSTATUS KiInvokeService(ULONG Number, const ULONG *Arguments, ULONG Count)
{
    volatile NTSTATUS Status = STATUS_SUCCESS;

    _SEH2_TRY {
        Status = KiCallService(KeServiceDescriptorTable.Base[Number], Arguments, Count);
    } _SEH2_EXCEPT(EXCEPTION_EXECUTE_HANDLER) {
        KeBugCheckEx(SYSTEM_SERVICE_EXCEPTION, (ULONG_PTR)_SEH2_GetExceptionCode(),
                     (ULONG_PTR)_SEH2_GetExceptionInformation()->ExceptionRecord->ExceptionAddress,
                     (ULONG_PTR)_SEH2_GetExceptionInformation()->ContextRecord, 0);
    } _SEH2_END;
    return Status;
}

/* Copies the caller's arguments; the exception a bad pointer raises is the status. */
static NTSTATUS KiCaptureArguments(PKTRAP_FRAME TrapFrame, KPROCESSOR_MODE PreviousMode, PULONG Arguments,
                                   ULONG Bytes)
{
    volatile NTSTATUS Status = STATUS_SUCCESS;

    _SEH2_TRY {
        /* Only the range is checked: a stack may be unaligned, and NT's dispatcher copies from it all the same. */
        if (PreviousMode == UserMode)
            ProbeForRead((PVOID)TrapFrame->Edx, Bytes, sizeof(UCHAR));
        KiAllowUserAccess();
        memcpy(Arguments, (PVOID)TrapFrame->Edx, Bytes);
        KiForbidUserAccess();
    } _SEH2_EXCEPT(EXCEPTION_EXECUTE_HANDLER) {
        Status = _SEH2_GetExceptionCode();
    } _SEH2_END;
    return Status;
}

VOID KiSystemService(PKTRAP_FRAME TrapFrame)
{
    PKTHREAD Thread = KeGetCurrentThread();
    KPROCESSOR_MODE PreviousMode = Thread->PreviousMode;
    ULONG Number = TrapFrame->Eax, Arguments[KI_MAXIMUM_SERVICE_ARGUMENTS];
    NTSTATUS Status;

    Thread->PreviousMode = KiTrapFrameFromUserMode(TrapFrame) ? UserMode : KernelMode;
    _enable();
    if (Number >= KeServiceDescriptorTable.Limit) {
        Status = STATUS_INVALID_SYSTEM_SERVICE;
    } else {
        ULONG Bytes = KeServiceDescriptorTable.Number[Number];

        KeServiceDescriptorTable.Count[Number]++;
        Status = KiCaptureArguments(TrapFrame, Thread->PreviousMode, Arguments, Bytes);
        if (NT_SUCCESS(Status))
            Status = KiInvokeService(Number, Arguments, Bytes / sizeof(ULONG));
    }
    if (KeGetCurrentIrql() != PASSIVE_LEVEL)
        KeBugCheckEx(IRQL_GT_ZERO_AT_SYSTEM_SERVICE, TrapFrame->Eip, KeGetCurrentIrql(), 0, Number);
    if (Thread->ApcStateIndex != 0)
        KeBugCheckEx(APC_INDEX_MISMATCH, TrapFrame->Eip, Thread->ApcStateIndex, 0, Number);
    _disable();
    TrapFrame->Eax = (ULONG)Status;
    Thread->PreviousMode = PreviousMode;
}

/*
 * int 0x2D: eax selects the service. BREAKPOINT_PRINT prints the caller's
 * string (ecx, edx bytes), as DbgPrint in user mode does through NT's
 * DebugService. The instruction after int 0x2D is an int 3 for a debugger
 * to stop at; with none attached, NT steps over it, and so does ntmm.
 */
VOID KiDebugService(PKTRAP_FRAME TrapFrame)
{
    CHAR Text[KI_MAXIMUM_DEBUG_PRINT + 1];
    ULONG Length = TrapFrame->Edx < KI_MAXIMUM_DEBUG_PRINT ? TrapFrame->Edx : KI_MAXIMUM_DEBUG_PRINT;
    volatile BOOLEAN Readable = TRUE;

    if (TrapFrame->Eax == BREAKPOINT_PRINT) {
        _SEH2_TRY {
            if (KiTrapFrameFromUserMode(TrapFrame))
                ProbeForRead((PVOID)TrapFrame->Ecx, Length, 1);
            KiAllowUserAccess();
            memcpy(Text, (PVOID)TrapFrame->Ecx, Length);
            KiForbidUserAccess();
        } _SEH2_EXCEPT(EXCEPTION_EXECUTE_HANDLER) {
            Readable = FALSE;
        } _SEH2_END;
        if (Readable) {
            Text[Length] = '\0';
            DbgPrint("%s", Text);
        }
    }
    TrapFrame->Eip++;
}
