/*
 * readwrt.c: copying between two processes' user spaces
 * (NtReadVirtualMemory, NtWriteVirtualMemory). The bytes pass through a
 * page of nonpaged pool: attached to the source to fill it, to the
 * destination to empty it. A chunk never crosses a page boundary on either
 * side, so a fault (a page that is free, reserved or no-access) ends the
 * copy exactly where the readable or writable bytes end, and the caller
 * learns how many were copied with STATUS_PARTIAL_COPY.
 */
#include "mi.h"
#include <string.h>

#define MI_COPY_TAG 'ypoC'   /* "Copy" */

/* Copies one chunk inside Process; FALSE when a page of it could not be touched. */
static BOOLEAN MiCopyInProcess(PEPROCESS Process, PVOID Destination, PVOID Source, SIZE_T Length)
{
    volatile BOOLEAN Copied = FALSE;
    KAPC_STATE ApcState;

    KeStackAttachProcess(&Process->Pcb, &ApcState);
    _SEH2_TRY {
        KiAllowUserAccess();
        memcpy(Destination, Source, Length);
        KiForbidUserAccess();
        Copied = TRUE;
    } _SEH2_EXCEPT(EXCEPTION_EXECUTE_HANDLER) {
    } _SEH2_END;
    KeUnstackDetachProcess(&ApcState);
    return Copied;
}

static NTSTATUS MmCopyVirtualMemory(PEPROCESS FromProcess, PVOID FromAddress, PEPROCESS ToProcess, PVOID ToAddress,
                                    SIZE_T BufferSize, PSIZE_T ReturnSize)
{
    PUCHAR Buffer = ExAllocatePoolWithTag(NonPagedPool, PAGE_SIZE, MI_COPY_TAG);
    NTSTATUS Status = STATUS_SUCCESS;
    SIZE_T Copied = 0;

    if (Buffer == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    while (Copied < BufferSize) {
        PUCHAR From = (PUCHAR)FromAddress + Copied, To = (PUCHAR)ToAddress + Copied;
        SIZE_T Chunk = BufferSize - Copied;

        if (Chunk > PAGE_SIZE - BYTE_OFFSET(From))
            Chunk = PAGE_SIZE - BYTE_OFFSET(From);
        if (Chunk > PAGE_SIZE - BYTE_OFFSET(To))
            Chunk = PAGE_SIZE - BYTE_OFFSET(To);
        if (!MiCopyInProcess(FromProcess, Buffer, From, Chunk) || !MiCopyInProcess(ToProcess, To, Buffer, Chunk)) {
            Status = STATUS_PARTIAL_COPY;
            break;
        }
        Copied += Chunk;
    }
    ExFreePoolWithTag(Buffer, MI_COPY_TAG);
    *ReturnSize = Copied;
    return Status;
}

/* Reads (FALSE) or writes (TRUE) the other process's memory at BaseAddress from or to Buffer in this one. */
static NTSTATUS MiReadWriteVirtualMemory(HANDLE ProcessHandle, PVOID BaseAddress, PVOID Buffer, SIZE_T BufferSize,
                                         PSIZE_T NumberOfBytes, BOOLEAN Write)
{
    KPROCESSOR_MODE PreviousMode = ExGetPreviousMode();
    NTSTATUS Status = STATUS_SUCCESS;
    PEPROCESS Process;
    SIZE_T Copied = 0;

    if (PreviousMode != KernelMode) {
        if ((ULONG_PTR)BaseAddress + BufferSize < (ULONG_PTR)BaseAddress ||
            (ULONG_PTR)Buffer + BufferSize < (ULONG_PTR)Buffer ||
            (ULONG_PTR)BaseAddress + BufferSize > MI_USER_PROBE_ADDRESS ||
            (ULONG_PTR)Buffer + BufferSize > MI_USER_PROBE_ADDRESS)
            return STATUS_ACCESS_VIOLATION;
        if (NumberOfBytes != NULL)
            Status = MiProbeForWrite(NumberOfBytes, sizeof(*NumberOfBytes), sizeof(ULONG_PTR));
        if (!NT_SUCCESS(Status))
            return Status;
    }
    if (BufferSize != 0) {
        Status = ObReferenceObjectByHandle(ProcessHandle, Write ? PROCESS_VM_WRITE : PROCESS_VM_READ,
                                           PsProcessObjectType, PreviousMode, (PVOID *)&Process, NULL);
        if (!NT_SUCCESS(Status))
            return Status;
        /* An exited process has no address space left to copy from or to. */
        if (Process->ProcessExiting)
            Status = STATUS_PROCESS_IS_TERMINATING;
        else if (Write)
            Status = MmCopyVirtualMemory(PsGetCurrentProcessEx(), Buffer, Process, BaseAddress, BufferSize, &Copied);
        else
            Status = MmCopyVirtualMemory(Process, BaseAddress, PsGetCurrentProcessEx(), Buffer, BufferSize, &Copied);
        ObDereferenceObject(Process);
    }
    if (NumberOfBytes != NULL) {
        _SEH2_TRY {
            KiAllowUserAccess();
            *NumberOfBytes = Copied;
            KiForbidUserAccess();
        } _SEH2_EXCEPT(EXCEPTION_EXECUTE_HANDLER) {
        } _SEH2_END;
    }
    return Status;
}

NTSTATUS NTAPI NtReadVirtualMemory(HANDLE ProcessHandle, PVOID BaseAddress, PVOID Buffer, SIZE_T BufferSize,
                                   PSIZE_T NumberOfBytesRead)
{
    return MiReadWriteVirtualMemory(ProcessHandle, BaseAddress, Buffer, BufferSize, NumberOfBytesRead, FALSE);
}

NTSTATUS NTAPI NtWriteVirtualMemory(HANDLE ProcessHandle, PVOID BaseAddress, PVOID Buffer, SIZE_T BufferSize,
                                    PSIZE_T NumberOfBytesWritten)
{
    return MiReadWriteVirtualMemory(ProcessHandle, BaseAddress, Buffer, BufferSize, NumberOfBytesWritten, TRUE);
}

NTSTATUS NTAPI ZwReadVirtualMemory(HANDLE ProcessHandle, PVOID BaseAddress, PVOID Buffer, SIZE_T BufferSize,
                                   PSIZE_T NumberOfBytesRead)
{
    KPROCESSOR_MODE PreviousMode = KiEnterKernelService();
    NTSTATUS Status = NtReadVirtualMemory(ProcessHandle, BaseAddress, Buffer, BufferSize, NumberOfBytesRead);

    KiLeaveKernelService(PreviousMode);
    return Status;
}

NTSTATUS NTAPI ZwWriteVirtualMemory(HANDLE ProcessHandle, PVOID BaseAddress, PVOID Buffer, SIZE_T BufferSize,
                                    PSIZE_T NumberOfBytesWritten)
{
    KPROCESSOR_MODE PreviousMode = KiEnterKernelService();
    NTSTATUS Status = NtWriteVirtualMemory(ProcessHandle, BaseAddress, Buffer, BufferSize, NumberOfBytesWritten);

    KiLeaveKernelService(PreviousMode);
    return Status;
}
