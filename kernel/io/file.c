/*
 * file.c: file objects: the File object type, NtCreateFile and NtOpenFile,
 * NtQueryInformationFile, and the end of a file object.
 *
 * ntmm has one file system, the read-only ramdisk (kernel/fs), and no
 * object directory: a name is parsed here, as NT's I/O manager would parse
 * what remains after the object manager found \Device\Ramdisk. A file
 * object points at the file's FCB (FsContext) and at the section pointers
 * the FCB holds for every file object opened on it, which is how every
 * section on one file comes to share one control area. Opening is checked
 * in NT's order and gets NT's statuses; anything that would write to the
 * medium is STATUS_MEDIA_WRITE_PROTECTED, as a file system says of
 * write-protected media.
 */
#include <ke.h>
#include <io.h>
#include <ob.h>
#include <fs.h>
#include <string.h>

#define IOP_FILE_TAG 'eliF'            /* "File": the object type's pool tag */
#define IOP_NAME_TAG 'mNoI'            /* "IoNm": names captured from callers and kept by file objects */

/* Access no read-only medium can grant, and the options NtCreateFile knows. */
#define IOP_WRITE_ACCESS (FILE_WRITE_DATA | FILE_APPEND_DATA | FILE_WRITE_EA | FILE_WRITE_ATTRIBUTES | \
                          FILE_DELETE_CHILD | DELETE | WRITE_DAC | WRITE_OWNER)

POBJECT_TYPE IopFileObjectType;
POBJECT_TYPE *IoFileObjectType = &IopFileObjectType;

static VOID NTAPI IopDeleteFile(PVOID Object)
{
    PFILE_OBJECT File = Object;

    if (File->FsContext != NULL)
        FsCloseFile(File->FsContext);
    if (File->FileName.Buffer != NULL)
        ExFreePoolWithTag(File->FileName.Buffer, IOP_NAME_TAG);
}

/*
 * Copies the name ObjectAttributes gives into paged pool, probing every
 * pointer first for a caller in user mode; the exception a bad pointer
 * raises is the status. A missing or empty name, or one whose length is
 * not whole characters, is STATUS_OBJECT_NAME_INVALID.
 */
static NTSTATUS IopCaptureName(KPROCESSOR_MODE PreviousMode, POBJECT_ATTRIBUTES ObjectAttributes,
                               PUNICODE_STRING Captured, PHANDLE RootDirectory)
{
    volatile NTSTATUS Status = STATUS_SUCCESS;
    UNICODE_STRING Name = { 0 };

    Captured->Buffer = NULL;
    _SEH2_TRY {
        if (PreviousMode != KernelMode)
            ProbeForRead(ObjectAttributes, sizeof(*ObjectAttributes), sizeof(ULONG));
        KiAllowUserAccess();
        *RootDirectory = ObjectAttributes->RootDirectory;
        if (ObjectAttributes->ObjectName != NULL) {
            if (PreviousMode != KernelMode)
                ProbeForRead(ObjectAttributes->ObjectName, sizeof(UNICODE_STRING), sizeof(ULONG));
            Name = *ObjectAttributes->ObjectName;
        }
        if (Name.Length == 0 || (Name.Length & 1) != 0 || Name.Buffer == NULL) {
            Status = STATUS_OBJECT_NAME_INVALID;
        } else {
            if (PreviousMode != KernelMode)
                ProbeForRead(Name.Buffer, Name.Length, sizeof(WCHAR));
            Captured->Buffer = ExAllocatePoolWithTag(PagedPool, Name.Length, IOP_NAME_TAG);
            if (Captured->Buffer == NULL) {
                Status = STATUS_INSUFFICIENT_RESOURCES;
            } else {
                memcpy(Captured->Buffer, Name.Buffer, Name.Length);
                Captured->Length = Captured->MaximumLength = Name.Length;
            }
        }
        KiForbidUserAccess();
    } _SEH2_EXCEPT(EXCEPTION_EXECUTE_HANDLER) {
        Status = _SEH2_GetExceptionCode();
    } _SEH2_END;
    if (!NT_SUCCESS(Status) && Captured->Buffer != NULL) {
        ExFreePoolWithTag(Captured->Buffer, IOP_NAME_TAG);
        Captured->Buffer = NULL;
    }
    return Status;
}

static WCHAR IopUpcase(WCHAR Character)
{
    return Character >= u'a' && Character <= u'z' ? Character - (u'a' - u'A') : Character;
}

/*
 * Splits \Device\Ramdisk\name into the file's name in the ramdisk's root:
 * a name that does not start at the root is STATUS_OBJECT_PATH_SYNTAX_BAD,
 * another device or a subdirectory STATUS_OBJECT_PATH_NOT_FOUND, the
 * device alone STATUS_OBJECT_NAME_INVALID.
 */
static NTSTATUS IopParseRamdiskName(PCUNICODE_STRING Name, PUNICODE_STRING FileName)
{
    static const WCHAR Device[] = FS_RAMDISK_DEVICE_NAME;
    ULONG DeviceLength = RTL_NUMBER_OF(Device) - 1, Length = Name->Length / sizeof(WCHAR);

    if (Name->Buffer[0] != u'\\')
        return STATUS_OBJECT_PATH_SYNTAX_BAD;
    if (Length < DeviceLength || (Length > DeviceLength && Name->Buffer[DeviceLength] != u'\\'))
        return STATUS_OBJECT_PATH_NOT_FOUND;
    for (ULONG i = 0; i < DeviceLength; i++) {
        if (IopUpcase(Name->Buffer[i]) != IopUpcase(Device[i]))
            return STATUS_OBJECT_PATH_NOT_FOUND;
    }
    if (Length <= DeviceLength + 1)
        return STATUS_OBJECT_NAME_INVALID;
    for (ULONG i = DeviceLength + 1; i < Length; i++) {
        if (Name->Buffer[i] == u'\\')
            return STATUS_OBJECT_PATH_NOT_FOUND;
    }
    FileName->Buffer = Name->Buffer + DeviceLength + 1;
    FileName->Length = FileName->MaximumLength = (USHORT)((Length - DeviceLength - 1) * sizeof(WCHAR));
    return STATUS_SUCCESS;
}

/* What a read-only medium refuses: write access, and every disposition that would create or change a file. */
static NTSTATUS IopCheckOpen(PFS_FCB Fcb, ACCESS_MASK DesiredAccess, ULONG CreateDisposition, ULONG CreateOptions)
{
    if (CreateOptions & FILE_DIRECTORY_FILE)
        return Fcb != NULL ? STATUS_NOT_A_DIRECTORY : STATUS_OBJECT_NAME_NOT_FOUND;
    if (Fcb == NULL)
        return CreateDisposition == FILE_OPEN ? STATUS_OBJECT_NAME_NOT_FOUND : STATUS_MEDIA_WRITE_PROTECTED;
    if (CreateDisposition == FILE_CREATE)
        return STATUS_OBJECT_NAME_COLLISION;
    if (CreateDisposition != FILE_OPEN && CreateDisposition != FILE_OPEN_IF)
        return STATUS_MEDIA_WRITE_PROTECTED;
    if (DesiredAccess & (IOP_WRITE_ACCESS | GENERIC_WRITE | GENERIC_ALL))
        return STATUS_MEDIA_WRITE_PROTECTED;
    return STATUS_SUCCESS;
}

/* A file object for Fcb, named FileName (the name is the object's now). */
static NTSTATUS IopCreateFileObject(PFS_FCB Fcb, PUNICODE_STRING FileName, ACCESS_MASK DesiredAccess,
                                    ULONG CreateOptions, POBJECT_ATTRIBUTES ObjectAttributes, PFILE_OBJECT *NewFile)
{
    PFILE_OBJECT File;
    NTSTATUS Status;

    Status = ObCreateObject(KernelMode, IopFileObjectType, ObjectAttributes, KernelMode, NULL, sizeof(FILE_OBJECT), 0,
                            0, (PVOID *)&File);
    if (!NT_SUCCESS(Status))
        return Status;
    File->Type = IO_TYPE_FILE;
    File->Size = sizeof(FILE_OBJECT);
    File->FsContext = Fcb;
    File->SectionObjectPointer = &Fcb->SectionObjectPointers;
    File->ReadAccess = (DesiredAccess & (FILE_READ_DATA | FILE_EXECUTE | GENERIC_READ | GENERIC_EXECUTE)) != 0;
    File->SharedRead = TRUE;
    if (CreateOptions & (FILE_SYNCHRONOUS_IO_ALERT | FILE_SYNCHRONOUS_IO_NONALERT))
        File->Flags |= FO_SYNCHRONOUS_IO | ((CreateOptions & FILE_SYNCHRONOUS_IO_ALERT) ? FO_ALERTABLE_IO : 0);
    File->FileName = *FileName;
    *NewFile = File;
    return STATUS_SUCCESS;
}

/*
 * Probes where NtCreateFile writes its answers, for a caller in user mode,
 * and reads the handle attributes it honours (a kernel handle, for kernel
 * callers only).
 */
static NTSTATUS IopProbeOpenArguments(KPROCESSOR_MODE PreviousMode, PHANDLE FileHandle, PIO_STATUS_BLOCK IoStatusBlock,
                                      POBJECT_ATTRIBUTES ObjectAttributes, PULONG Attributes)
{
    volatile NTSTATUS Status = STATUS_SUCCESS;

    _SEH2_TRY {
        if (PreviousMode != KernelMode) {
            ProbeForWrite(FileHandle, sizeof(*FileHandle), sizeof(ULONG_PTR));
            ProbeForWrite(IoStatusBlock, sizeof(*IoStatusBlock), sizeof(ULONG));
            ProbeForRead(ObjectAttributes, sizeof(*ObjectAttributes), sizeof(ULONG));
        }
        KiAllowUserAccess();
        *Attributes = ObjectAttributes->Attributes & (PreviousMode == KernelMode ? OBJ_KERNEL_HANDLE : 0);
        KiForbidUserAccess();
    } _SEH2_EXCEPT(EXCEPTION_EXECUTE_HANDLER) {
        Status = _SEH2_GetExceptionCode();
    } _SEH2_END;
    return Status;
}

NTSTATUS NTAPI NtCreateFile(PHANDLE FileHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                            PIO_STATUS_BLOCK IoStatusBlock, PLARGE_INTEGER AllocationSize, ULONG FileAttributes,
                            ULONG ShareAccess, ULONG CreateDisposition, ULONG CreateOptions, PVOID EaBuffer,
                            ULONG EaLength)
{
    KPROCESSOR_MODE PreviousMode = ExGetPreviousMode();
    NTSTATUS Status;
    UNICODE_STRING Name, FileName;
    OBJECT_ATTRIBUTES Attributes = { 0 };
    PFS_FCB Fcb = NULL;
    HANDLE RootDirectory = NULL, Handle;
    PFILE_OBJECT File;

    UNREFERENCED_PARAMETER(AllocationSize);
    UNREFERENCED_PARAMETER(FileAttributes);
    if (CreateDisposition > FILE_MAXIMUM_DISPOSITION || (ShareAccess & ~FILE_SHARE_VALID_FLAGS) != 0 ||
        (CreateOptions & ~FILE_VALID_OPTION_FLAGS) != 0 ||
        ((CreateOptions & FILE_DIRECTORY_FILE) && (CreateOptions & FILE_NON_DIRECTORY_FILE)))
        return STATUS_INVALID_PARAMETER;
    if (EaBuffer != NULL && EaLength != 0)
        return STATUS_EAS_NOT_SUPPORTED;
    /* The most a read-only medium allows: reading and executing. */
    if (DesiredAccess & MAXIMUM_ALLOWED)
        DesiredAccess = (DesiredAccess & ~MAXIMUM_ALLOWED) | FILE_GENERIC_READ | FILE_GENERIC_EXECUTE;
    if (ObjectAttributes == NULL)
        return STATUS_OBJECT_NAME_INVALID;
    Status = IopProbeOpenArguments(PreviousMode, FileHandle, IoStatusBlock, ObjectAttributes, &Attributes.Attributes);
    if (NT_SUCCESS(Status))
        Status = IopCaptureName(PreviousMode, ObjectAttributes, &Name, &RootDirectory);
    if (!NT_SUCCESS(Status))
        return Status;
    /* There are no directories to open a name relative to. */
    Status = RootDirectory != NULL ? STATUS_NOT_SUPPORTED : IopParseRamdiskName(&Name, &FileName);
    if (NT_SUCCESS(Status)) {
        Status = FsOpenFile(&FileName, &Fcb);
        if (Status == STATUS_OBJECT_NAME_NOT_FOUND)
            Fcb = NULL;
        Status = IopCheckOpen(Fcb, DesiredAccess, CreateDisposition, CreateOptions);
    }
    if (NT_SUCCESS(Status))
        Status = IopCreateFileObject(Fcb, &Name, DesiredAccess, CreateOptions, &Attributes, &File);
    if (!NT_SUCCESS(Status)) {
        if (Fcb != NULL)
            FsCloseFile(Fcb);
        ExFreePoolWithTag(Name.Buffer, IOP_NAME_TAG);
        return Status;
    }
    Status = ObInsertObject(File, NULL, DesiredAccess, 0, NULL, &Handle);
    if (!NT_SUCCESS(Status))
        return Status;
    _SEH2_TRY {
        KiAllowUserAccess();
        *FileHandle = Handle;
        IoStatusBlock->Status = STATUS_SUCCESS;
        IoStatusBlock->Information = FILE_OPENED;
        KiForbidUserAccess();
    } _SEH2_EXCEPT(EXCEPTION_EXECUTE_HANDLER) {
    } _SEH2_END;
    return STATUS_SUCCESS;
}

NTSTATUS NTAPI ZwCreateFile(PHANDLE FileHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                            PIO_STATUS_BLOCK IoStatusBlock, PLARGE_INTEGER AllocationSize, ULONG FileAttributes,
                            ULONG ShareAccess, ULONG CreateDisposition, ULONG CreateOptions, PVOID EaBuffer,
                            ULONG EaLength)
{
    KPROCESSOR_MODE PreviousMode = KiEnterKernelService();
    NTSTATUS Status = NtCreateFile(FileHandle, DesiredAccess, ObjectAttributes, IoStatusBlock, AllocationSize,
                                   FileAttributes, ShareAccess, CreateDisposition, CreateOptions, EaBuffer, EaLength);

    KiLeaveKernelService(PreviousMode);
    return Status;
}

/* NtOpenFile is NtCreateFile opening what exists (NT's IoCreateFile with FILE_OPEN). */
NTSTATUS NTAPI NtOpenFile(PHANDLE FileHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                          PIO_STATUS_BLOCK IoStatusBlock, ULONG ShareAccess, ULONG OpenOptions)
{
    return NtCreateFile(FileHandle, DesiredAccess, ObjectAttributes, IoStatusBlock, NULL, 0, ShareAccess, FILE_OPEN,
                        OpenOptions, NULL, 0);
}

NTSTATUS NTAPI ZwOpenFile(PHANDLE FileHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                          PIO_STATUS_BLOCK IoStatusBlock, ULONG ShareAccess, ULONG OpenOptions)
{
    KPROCESSOR_MODE PreviousMode = KiEnterKernelService();
    NTSTATUS Status = NtOpenFile(FileHandle, DesiredAccess, ObjectAttributes, IoStatusBlock, ShareAccess,
                                 OpenOptions);

    KiLeaveKernelService(PreviousMode);
    return Status;
}

/* The bytes each information class takes, and the access it needs (NT's IopQueryOperationLength/Access). */
static NTSTATUS IopQueryFile(PFILE_OBJECT File, FILE_INFORMATION_CLASS Class, PVOID Buffer, PULONG Length)
{
    PFS_FCB Fcb = File->FsContext;

    switch (Class) {
    case FileBasicInformation: {
        PFILE_BASIC_INFORMATION Basic = Buffer;

        memset(Basic, 0, sizeof(*Basic));
        Basic->FileAttributes = FILE_ATTRIBUTE_READONLY;
        *Length = sizeof(*Basic);
        return STATUS_SUCCESS;
    }
    case FileStandardInformation: {
        PFILE_STANDARD_INFORMATION Standard = Buffer;

        memset(Standard, 0, sizeof(*Standard));
        Standard->AllocationSize.QuadPart = ROUND_TO_PAGES((ULONGLONG)Fcb->Size);
        Standard->EndOfFile.QuadPart = Fcb->Size;
        Standard->NumberOfLinks = 1;
        *Length = sizeof(*Standard);
        return STATUS_SUCCESS;
    }
    case FilePositionInformation:
        ((PFILE_POSITION_INFORMATION)Buffer)->CurrentByteOffset = File->CurrentByteOffset;
        *Length = sizeof(FILE_POSITION_INFORMATION);
        return STATUS_SUCCESS;
    default:
        return STATUS_INVALID_PARAMETER;
    }
}

static ULONG IopQueryLength(FILE_INFORMATION_CLASS Class)
{
    switch (Class) {
    case FileBasicInformation:
        return sizeof(FILE_BASIC_INFORMATION);
    case FileStandardInformation:
        return sizeof(FILE_STANDARD_INFORMATION);
    case FilePositionInformation:
        return sizeof(FILE_POSITION_INFORMATION);
    default:
        return 0;
    }
}

NTSTATUS NTAPI NtQueryInformationFile(HANDLE FileHandle, PIO_STATUS_BLOCK IoStatusBlock, PVOID FileInformation,
                                      ULONG Length, FILE_INFORMATION_CLASS FileInformationClass)
{
    KPROCESSOR_MODE PreviousMode = ExGetPreviousMode();
    union {
        FILE_BASIC_INFORMATION Basic;
        FILE_STANDARD_INFORMATION Standard;
        FILE_POSITION_INFORMATION Position;
    } Answer;
    volatile NTSTATUS Status = STATUS_SUCCESS;
    ULONG Written = 0;
    PFILE_OBJECT File;

    if (FileInformationClass <= 0 || FileInformationClass >= FileMaximumInformation)
        return STATUS_INVALID_INFO_CLASS;
    if (Length < IopQueryLength(FileInformationClass))
        return STATUS_INFO_LENGTH_MISMATCH;
    if (PreviousMode != KernelMode) {
        _SEH2_TRY {
            ProbeForWrite(IoStatusBlock, sizeof(*IoStatusBlock), sizeof(ULONG));
            ProbeForWrite(FileInformation, Length, sizeof(ULONG));
        } _SEH2_EXCEPT(EXCEPTION_EXECUTE_HANDLER) {
            Status = _SEH2_GetExceptionCode();
        } _SEH2_END;
        if (!NT_SUCCESS(Status))
            return Status;
    }
    Status = ObReferenceObjectByHandle(FileHandle,
                                       FileInformationClass == FileBasicInformation ? FILE_READ_ATTRIBUTES : 0,
                                       IopFileObjectType, PreviousMode, (PVOID *)&File, NULL);
    if (!NT_SUCCESS(Status))
        return Status;
    Status = IopQueryFile(File, FileInformationClass, &Answer, &Written);
    ObDereferenceObject(File);
    if (!NT_SUCCESS(Status))
        return Status;
    _SEH2_TRY {
        KiAllowUserAccess();
        memcpy(FileInformation, &Answer, Written);
        IoStatusBlock->Status = STATUS_SUCCESS;
        IoStatusBlock->Information = Written;
        KiForbidUserAccess();
    } _SEH2_EXCEPT(EXCEPTION_EXECUTE_HANDLER) {
        Status = _SEH2_GetExceptionCode();
    } _SEH2_END;
    return Status;
}

NTSTATUS NTAPI ZwQueryInformationFile(HANDLE FileHandle, PIO_STATUS_BLOCK IoStatusBlock, PVOID FileInformation,
                                      ULONG Length, FILE_INFORMATION_CLASS FileInformationClass)
{
    KPROCESSOR_MODE PreviousMode = KiEnterKernelService();
    NTSTATUS Status = NtQueryInformationFile(FileHandle, IoStatusBlock, FileInformation, Length,
                                             FileInformationClass);

    KiLeaveKernelService(PreviousMode);
    return Status;
}

/* The File object type: made with the I/O manager (IoInitSystem). */
VOID IopCreateFileObjectType(VOID)
{
    OBJECT_TYPE_INITIALIZER Initializer = { 0 };

    Initializer.PoolType = NonPagedPool;
    Initializer.PoolTag = IOP_FILE_TAG;
    Initializer.ValidAccessMask = FILE_ALL_ACCESS;
    Initializer.GenericMapping.GenericRead = FILE_GENERIC_READ;
    Initializer.GenericMapping.GenericWrite = FILE_GENERIC_WRITE;
    Initializer.GenericMapping.GenericExecute = FILE_GENERIC_EXECUTE;
    Initializer.GenericMapping.GenericAll = FILE_ALL_ACCESS;
    Initializer.DeleteProcedure = IopDeleteFile;
    if (!NT_SUCCESS(ObCreateObjectType("File", &Initializer, &IopFileObjectType)))
        KeBugCheckEx(PHASE1_INITIALIZATION_FAILED, (ULONG_PTR)STATUS_INSUFFICIENT_RESOURCES, 0, 0, 0);
}
