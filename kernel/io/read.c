/*
 * read.c: reading files: NtReadFile for callers, IoPageRead for the memory
 * manager's in-page path. Every read completes before the call returns
 * (the ramdisk is memory), so nothing pends, no event is set and no APC is
 * queued. A file opened for synchronous I/O keeps a current position that
 * a read without ByteOffset starts at and moves past what it read.
 */
#include <ke.h>
#include <io.h>
#include <ob.h>
#include <fs.h>
#include <mm.h>
#include <string.h>

/* A ByteOffset that asks for the file's current position (NT's FILE_USE_FILE_POINTER_POSITION). */
#define IOP_USE_FILE_POINTER_POSITION (-2LL)
#define IOP_READ_TAG 'daeR'          /* "Read": the kernel's copy of what a read returns */

/*
 * Where a read starts: ByteOffset, or the current position of a file
 * opened for synchronous I/O; an asynchronous file must be given one, and
 * a negative offset is no offset.
 */
static NTSTATUS IopReadOffset(PFILE_OBJECT File, LARGE_INTEGER ByteOffset, BOOLEAN Given, PULONGLONG Offset)
{
    if ((!Given || ByteOffset.QuadPart == IOP_USE_FILE_POINTER_POSITION) && (File->Flags & FO_SYNCHRONOUS_IO)) {
        *Offset = File->CurrentByteOffset.QuadPart;
        return STATUS_SUCCESS;
    }
    if (!Given || ByteOffset.QuadPart < 0)
        return STATUS_INVALID_PARAMETER;
    *Offset = ByteOffset.QuadPart;
    return STATUS_SUCCESS;
}

/* An event handle, which NT would set when the read completes: ntmm has no event objects for it to name. */
static NTSTATUS IopCheckEvent(HANDLE Event, KPROCESSOR_MODE PreviousMode)
{
    PVOID Object;
    NTSTATUS Status;

    if (Event == NULL)
        return STATUS_SUCCESS;
    Status = ObReferenceObjectByHandle(Event, 0, NULL, PreviousMode, &Object, NULL);
    if (!NT_SUCCESS(Status))
        return Status;
    ObDereferenceObject(Object);
    return STATUS_OBJECT_TYPE_MISMATCH;
}

/* Probes a user-mode caller's pointers and captures its ByteOffset; the exception a bad one raises is the status. */
static NTSTATUS IopCaptureReadArguments(KPROCESSOR_MODE PreviousMode, PIO_STATUS_BLOCK IoStatusBlock, PVOID Buffer,
                                        ULONG Length, PLARGE_INTEGER ByteOffset, PLARGE_INTEGER CapturedOffset)
{
    volatile NTSTATUS Status = STATUS_SUCCESS;

    _SEH2_TRY {
        if (PreviousMode != KernelMode) {
            ProbeForWrite(IoStatusBlock, sizeof(*IoStatusBlock), sizeof(ULONG));
            ProbeForWrite(Buffer, Length, 1);
            if (ByteOffset != NULL)
                ProbeForRead(ByteOffset, sizeof(*ByteOffset), sizeof(ULONG));
        }
        KiAllowUserAccess();
        if (ByteOffset != NULL)
            *CapturedOffset = *ByteOffset;
        KiForbidUserAccess();
    } _SEH2_EXCEPT(EXCEPTION_EXECUTE_HANDLER) {
        Status = _SEH2_GetExceptionCode();
    } _SEH2_END;
    return Status;
}

/* Gives the caller what was read, and the read's status and length; a pointer gone bad is the status. */
static NTSTATUS IopReturnRead(PIO_STATUS_BLOCK IoStatusBlock, PVOID Buffer, const VOID *Copy, ULONG BytesRead,
                              NTSTATUS ReadStatus)
{
    volatile NTSTATUS Status = ReadStatus;

    _SEH2_TRY {
        KiAllowUserAccess();
        if (Copy != NULL)                       /* none when there was nothing to read */
            memcpy(Buffer, Copy, BytesRead);
        IoStatusBlock->Status = ReadStatus;
        IoStatusBlock->Information = BytesRead;
        KiForbidUserAccess();
    } _SEH2_EXCEPT(EXCEPTION_EXECUTE_HANDLER) {
        Status = _SEH2_GetExceptionCode();
    } _SEH2_END;
    return Status;
}

/*
 * Reads up to Length bytes of FileHandle's file into Buffer. The file
 * system copies into a buffer of the kernel's first, since the caller's may
 * fault and the ramdisk's copy must not; reading at or past the end is
 * STATUS_END_OF_FILE with nothing read.
 */
NTSTATUS NTAPI NtReadFile(HANDLE FileHandle, HANDLE Event, PIO_APC_ROUTINE ApcRoutine, PVOID ApcContext,
                          PIO_STATUS_BLOCK IoStatusBlock, PVOID Buffer, ULONG Length, PLARGE_INTEGER ByteOffset,
                          PULONG Key)
{
    KPROCESSOR_MODE PreviousMode = ExGetPreviousMode();
    LARGE_INTEGER CapturedOffset = { 0 }, FileSize;
    ULONGLONG Offset = 0;
    ULONG BytesRead = 0;
    PFILE_OBJECT File;
    PUCHAR Copy = NULL;
    NTSTATUS Status;

    UNREFERENCED_PARAMETER(ApcContext);
    UNREFERENCED_PARAMETER(Key);
    if (ApcRoutine != NULL)
        return STATUS_NOT_SUPPORTED;
    Status = ObReferenceObjectByHandle(FileHandle, FILE_READ_DATA, IopFileObjectType, PreviousMode, (PVOID *)&File,
                                       NULL);
    if (!NT_SUCCESS(Status))
        return Status;
    Status = IopCheckEvent(Event, PreviousMode);
    if (NT_SUCCESS(Status))
        Status = IopCaptureReadArguments(PreviousMode, IoStatusBlock, Buffer, Length, ByteOffset, &CapturedOffset);
    if (NT_SUCCESS(Status))
        Status = IopReadOffset(File, CapturedOffset, ByteOffset != NULL, &Offset);
    if (NT_SUCCESS(Status))
        Status = FsRtlGetFileSize(File, &FileSize);
    /* The kernel's buffer holds what the file has from Offset, which may be far less than Length. */
    if (NT_SUCCESS(Status) && Offset < (ULONGLONG)FileSize.QuadPart && Length != 0) {
        ULONG Available = (ULONG)(FileSize.QuadPart - Offset);

        Copy = ExAllocatePoolWithTag(PagedPool, Length < Available ? Length : Available, IOP_READ_TAG);
        if (Copy == NULL)
            Status = STATUS_INSUFFICIENT_RESOURCES;
    }
    if (NT_SUCCESS(Status))
        Status = FsReadFile(File->FsContext, Offset, Copy, Length, &BytesRead);
    if (NT_SUCCESS(Status) || Status == STATUS_END_OF_FILE) {
        Status = IopReturnRead(IoStatusBlock, Buffer, Copy, BytesRead, Status);
        if (NT_SUCCESS(Status) && (File->Flags & FO_SYNCHRONOUS_IO))
            File->CurrentByteOffset.QuadPart = Offset + BytesRead;
    }
    if (Copy != NULL)
        ExFreePoolWithTag(Copy, IOP_READ_TAG);
    ObDereferenceObject(File);
    return Status;
}

NTSTATUS NTAPI ZwReadFile(HANDLE FileHandle, HANDLE Event, PIO_APC_ROUTINE ApcRoutine, PVOID ApcContext,
                          PIO_STATUS_BLOCK IoStatusBlock, PVOID Buffer, ULONG Length, PLARGE_INTEGER ByteOffset,
                          PULONG Key)
{
    KPROCESSOR_MODE PreviousMode = KiEnterKernelService();
    NTSTATUS Status = NtReadFile(FileHandle, Event, ApcRoutine, ApcContext, IoStatusBlock, Buffer, Length, ByteOffset,
                                 Key);

    KiLeaveKernelService(PreviousMode);
    return Status;
}

NTSTATUS IoPageRead(PFILE_OBJECT FileObject, PMDL Mdl, PLARGE_INTEGER StartingOffset, PKEVENT Event,
                    PIO_STATUS_BLOCK IoStatusBlock)
{
    BOOLEAN Mapped = (Mdl->MdlFlags & (MDL_MAPPED_TO_SYSTEM_VA | MDL_SOURCE_IS_NONPAGED_POOL)) == 0;
    PVOID Buffer = MmGetSystemAddressForMdlSafe(Mdl, HighPagePriority);
    ULONG BytesRead = 0;
    NTSTATUS Status;

    UNREFERENCED_PARAMETER(Event);
    if (Buffer == NULL) {
        Status = STATUS_INSUFFICIENT_RESOURCES;
    } else {
        Status = FsReadFile(FileObject->FsContext, StartingOffset->QuadPart, Buffer, MmGetMdlByteCount(Mdl),
                            &BytesRead);
        if (Mapped)
            MmUnmapLockedPages(Buffer, Mdl);
    }
    IoStatusBlock->Status = Status;
    IoStatusBlock->Information = BytesRead;
    return Status;
}
