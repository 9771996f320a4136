/*
 * ramdisk.c: the ramdisk file system: one read-only file per multiboot
 * module, named by the module's command line (fs.h). A module is RAM the
 * loader filled and boot left reserved; a read maps the pages it needs
 * into system PTEs for the copy (cached, as the RAM is) and unmaps them, so
 * files hold no system address space between reads. There are no
 * directories, no writes and no timestamps. File names are ASCII; a name
 * asked for in UTF-16 matches one that is equal without regard to case.
 */
#include <fs.h>
#include <ke.h>
#include <string.h>

#define FS_FCB_TAG 'bcFR'               /* "RFcb" */

static PFS_FCB FspFiles;
static ULONG FspFileCount;

/* The file name a module's command line gives: its last word, after the last '/' or '\'. */
static VOID FspModuleFileName(PCSTR String, PCHAR Name)
{
    PCSTR End = String + strlen(String), Start;

    while (End > String && End[-1] == ' ')
        End--;
    Start = End;
    while (Start > String && Start[-1] != ' ' && Start[-1] != '/' && Start[-1] != '\\')
        Start--;
    Name[0] = '\0';
    if ((SIZE_T)(End - Start) < FS_MAXIMUM_NAME) {
        memcpy(Name, Start, End - Start);
        Name[End - Start] = '\0';
    }
}

VOID FsInitSystem(VOID)
{
    FspFiles = ExAllocatePoolWithTag(NonPagedPool, LOADER_MAXIMUM_MODULES * sizeof(FS_FCB), FS_FCB_TAG);
    if (FspFiles == NULL)
        KeBugCheckEx(PHASE1_INITIALIZATION_FAILED, (ULONG_PTR)STATUS_INSUFFICIENT_RESOURCES, 0, 0, 0);
    memset(FspFiles, 0, LOADER_MAXIMUM_MODULES * sizeof(FS_FCB));
    for (ULONG i = 0; i < KeLoaderBlock.ModuleCount; i++) {
        PLOADER_MODULE Module = &KeLoaderBlock.Modules[i];
        PFS_FCB Fcb = &FspFiles[FspFileCount];

        FspModuleFileName(Module->String, Fcb->Name);
        if (Fcb->Name[0] == '\0' || Module->PhysicalEnd < Module->PhysicalStart) {
            DbgPrint("ramdisk: module %u (\"%s\") has no usable name; not a file\n", i, Module->String);
            continue;
        }
        Fcb->PhysicalStart = Module->PhysicalStart;
        Fcb->Size = Module->PhysicalEnd - Module->PhysicalStart;
        FspFileCount++;
    }
    DbgPrint("ramdisk: %u files from loader modules, as \\Device\\Ramdisk\\<name>\n", FspFileCount);
}

ULONG FsGetFileCount(VOID)
{
    return FspFileCount;
}

static WCHAR FspUpcase(WCHAR Character)
{
    return Character >= u'a' && Character <= u'z' ? Character - (u'a' - u'A') : Character;
}

static BOOLEAN FspNameMatches(PCUNICODE_STRING Name, PCSTR FileName)
{
    ULONG Length = Name->Length / sizeof(WCHAR);

    if (strlen(FileName) != Length)
        return FALSE;
    for (ULONG i = 0; i < Length; i++) {
        if (FspUpcase(Name->Buffer[i]) != FspUpcase((UCHAR)FileName[i]))
            return FALSE;
    }
    return TRUE;
}

NTSTATUS FsOpenFile(PCUNICODE_STRING Name, PFS_FCB *Fcb)
{
    for (ULONG i = 0; i < FspFileCount; i++) {
        if (FspNameMatches(Name, FspFiles[i].Name)) {
            FspFiles[i].OpenCount++;
            *Fcb = &FspFiles[i];
            return STATUS_SUCCESS;
        }
    }
    return STATUS_OBJECT_NAME_NOT_FOUND;
}

VOID FsCloseFile(PFS_FCB Fcb)
{
    ASSERT(Fcb->OpenCount != 0);
    Fcb->OpenCount--;
}

NTSTATUS FsReadFile(PFS_FCB Fcb, ULONGLONG Offset, PVOID Buffer, ULONG Length, PULONG BytesRead)
{
    PHYSICAL_ADDRESS Start;
    PVOID Data;

    *BytesRead = 0;
    if (Length == 0)
        return STATUS_SUCCESS;
    if (Offset >= Fcb->Size)
        return STATUS_END_OF_FILE;
    Length = Fcb->Size - (ULONG)Offset < Length ? Fcb->Size - (ULONG)Offset : Length;
    Start.QuadPart = Fcb->PhysicalStart + Offset;
    Data = MmMapIoSpace(Start, Length, MmCached);
    if (Data == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    memcpy(Buffer, Data, Length);
    MmUnmapIoSpace(Data, Length);
    *BytesRead = Length;
    return STATUS_SUCCESS;
}

NTSTATUS NTAPI FsRtlGetFileSize(PFILE_OBJECT FileObject, PLARGE_INTEGER FileSize)
{
    PFS_FCB Fcb = FileObject->FsContext;

    FileSize->QuadPart = Fcb->Size;
    return STATUS_SUCCESS;
}
