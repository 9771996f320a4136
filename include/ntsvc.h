/*
 * ntsvc.h: the system services int 0x2E dispatches, in service-number
 * order, with the bytes of arguments each takes from its caller's stack.
 * The kernel's table (kernel/ke/systable.c) and the user-mode stubs
 * (tests/user/lib/syscall.S) are both built from this one list, so their
 * numbers cannot drift apart; the prototypes follow it. The list is
 * assembly-safe.
 */
#ifndef NTMM_NTSVC_H
#define NTMM_NTSVC_H

#define NTMM_SYSTEM_SERVICES(X)          \
    X(NtAllocateVirtualMemory, 24)       \
    X(NtFreeVirtualMemory, 16)           \
    X(NtProtectVirtualMemory, 20)        \
    X(NtQueryVirtualMemory, 24)          \
    X(NtReadVirtualMemory, 20)           \
    X(NtWriteVirtualMemory, 20)          \
    X(NtClose, 4)                        \
    X(NtTerminateProcess, 8)             \
    X(NtTerminateThread, 8)              \
    X(NtYieldExecution, 0)               \
    X(NtCreateSection, 28)               \
    X(NtQuerySection, 20)                \
    X(NtMapViewOfSection, 40)            \
    X(NtUnmapViewOfSection, 8)           \
    X(NtCreateFile, 44)                  \
    X(NtOpenFile, 24)                    \
    X(NtReadFile, 36)                    \
    X(NtQueryInformationFile, 20)

#ifndef __ASSEMBLER__
#include <ntddk.h>

/* Their prototypes, for the kernel's table and for ring-3 callers alike. */
NTSTATUS NTAPI NtAllocateVirtualMemory(HANDLE ProcessHandle, PVOID *BaseAddress, ULONG_PTR ZeroBits,
                                       PSIZE_T RegionSize, ULONG AllocationType, ULONG Protect);
NTSTATUS NTAPI NtFreeVirtualMemory(HANDLE ProcessHandle, PVOID *BaseAddress, PSIZE_T RegionSize, ULONG FreeType);
NTSTATUS NTAPI NtProtectVirtualMemory(HANDLE ProcessHandle, PVOID *BaseAddress, PSIZE_T NumberOfBytesToProtect,
                                      ULONG NewAccessProtection, PULONG OldAccessProtection);
NTSTATUS NTAPI NtQueryVirtualMemory(HANDLE ProcessHandle, PVOID BaseAddress,
                                    MEMORY_INFORMATION_CLASS MemoryInformationClass, PVOID MemoryInformation,
                                    SIZE_T MemoryInformationLength, PSIZE_T ReturnLength);
NTSTATUS NTAPI NtReadVirtualMemory(HANDLE ProcessHandle, PVOID BaseAddress, PVOID Buffer, SIZE_T BufferSize,
                                   PSIZE_T NumberOfBytesRead);
NTSTATUS NTAPI NtWriteVirtualMemory(HANDLE ProcessHandle, PVOID BaseAddress, PVOID Buffer, SIZE_T BufferSize,
                                    PSIZE_T NumberOfBytesWritten);
NTSTATUS NTAPI NtTerminateProcess(HANDLE ProcessHandle, NTSTATUS ExitStatus);
NTSTATUS NTAPI NtTerminateThread(HANDLE ThreadHandle, NTSTATUS ExitStatus);
NTSTATUS NTAPI NtYieldExecution(VOID);
NTSTATUS NTAPI NtCreateSection(PHANDLE SectionHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                               PLARGE_INTEGER MaximumSize, ULONG SectionPageProtection, ULONG AllocationAttributes,
                               HANDLE FileHandle);
NTSTATUS NTAPI NtQuerySection(HANDLE SectionHandle, SECTION_INFORMATION_CLASS SectionInformationClass,
                              PVOID SectionInformation, SIZE_T SectionInformationLength, PSIZE_T ReturnLength);
NTSTATUS NTAPI NtMapViewOfSection(HANDLE SectionHandle, HANDLE ProcessHandle, PVOID *BaseAddress, ULONG_PTR ZeroBits,
                                  SIZE_T CommitSize, PLARGE_INTEGER SectionOffset, PSIZE_T ViewSize,
                                  SECTION_INHERIT InheritDisposition, ULONG AllocationType, ULONG Win32Protect);
NTSTATUS NTAPI NtUnmapViewOfSection(HANDLE ProcessHandle, PVOID BaseAddress);
NTSTATUS NTAPI NtCreateFile(PHANDLE FileHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                            PIO_STATUS_BLOCK IoStatusBlock, PLARGE_INTEGER AllocationSize, ULONG FileAttributes,
                            ULONG ShareAccess, ULONG CreateDisposition, ULONG CreateOptions, PVOID EaBuffer,
                            ULONG EaLength);
NTSTATUS NTAPI NtOpenFile(PHANDLE FileHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                          PIO_STATUS_BLOCK IoStatusBlock, ULONG ShareAccess, ULONG OpenOptions);
NTSTATUS NTAPI NtReadFile(HANDLE FileHandle, HANDLE Event, PIO_APC_ROUTINE ApcRoutine, PVOID ApcContext,
                          PIO_STATUS_BLOCK IoStatusBlock, PVOID Buffer, ULONG Length, PLARGE_INTEGER ByteOffset,
                          PULONG Key);
NTSTATUS NTAPI NtQueryInformationFile(HANDLE FileHandle, PIO_STATUS_BLOCK IoStatusBlock, PVOID FileInformation,
                                      ULONG Length, FILE_INFORMATION_CLASS FileInformationClass);
#endif

#endif
