/*
 * fs.h: the ramdisk file system (kernel/fs): the read-only files the
 * loader brought as multiboot modules, as the I/O manager and the memory
 * manager see them. A file's name is the last word of its module's command
 * line, without its directory: QEMU's "-initrd build/ramdisk/data.bin"
 * passes the path, GRUB 2's "module /boot/ramdisk/data.bin data.bin" only
 * the words after the path, and both give data.bin. NT paths name it as
 * \Device\Ramdisk\data.bin, matched without regard to case.
 */
#ifndef NTMM_FS_H
#define NTMM_FS_H

#include <ntddk.h>

#define FS_RAMDISK_DEVICE_NAME u"\\Device\\Ramdisk"
#define FS_MAXIMUM_NAME 32             /* a file name's bytes, its terminator included */

/*
 * One file (a file control block): where its bytes are in RAM, and the
 * section pointers every file object opened on it shares, so that every
 * section on the file shares its control areas.
 */
typedef struct _FS_FCB {
    CHAR Name[FS_MAXIMUM_NAME];
    ULONGLONG PhysicalStart;
    ULONG Size;
    ULONG OpenCount;                   /* file objects open on it */
    SECTION_OBJECT_POINTERS SectionObjectPointers;
} FS_FCB, *PFS_FCB;

VOID FsInitSystem(VOID);
ULONG FsGetFileCount(VOID);

/*
 * The file named Name (a name in the ramdisk's root), counted open, or
 * STATUS_OBJECT_NAME_NOT_FOUND; FsCloseFile when its file object goes.
 */
NTSTATUS FsOpenFile(PCUNICODE_STRING Name, PFS_FCB *Fcb);
VOID FsCloseFile(PFS_FCB Fcb);

/*
 * Copies up to Length bytes from Offset into Buffer, a system address;
 * *BytesRead says how many. STATUS_END_OF_FILE when Offset is at or past the
 * end (and Length is not zero).
 */
NTSTATUS FsReadFile(PFS_FCB Fcb, ULONGLONG Offset, PVOID Buffer, ULONG Length, PULONG BytesRead);

/* A file object's size in bytes (ntifs.h's FsRtlGetFileSize). */
NTSTATUS NTAPI FsRtlGetFileSize(PFILE_OBJECT FileObject, PLARGE_INTEGER FileSize);

#endif
