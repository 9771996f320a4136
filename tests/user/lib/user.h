/*
 * user.h: what a ring-3 test program of ntmm has: NT's types and constants,
 * the system services as stdcall functions (syscall.S, from ntsvc.h), a
 * debug print through int 0x2D, and the entry point each program defines.
 * Programs are freestanding: no C library, only this.
 */
#ifndef NTMM_USER_H
#define NTMM_USER_H

#include <ntddk.h>
#include <mmlayout.h>
#include <teb.h>

/* Each program's entry; what it returns is its thread's exit status. */
ULONG NTAPI UserMain(PVOID Argument);

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

/* A system call with any service number, for testing the dispatcher itself. */
NTSTATUS UserSystemCall(ULONG Number, PVOID Arguments);

/* Prints Length bytes at Text through the kernel's debug service, and the helpers built on it. */
VOID UserDebugPrint(PCSTR Text, ULONG Length);
VOID UserPrint(PCSTR Text);
VOID UserPrintHex(PCSTR Label, ULONG Value);

#endif
