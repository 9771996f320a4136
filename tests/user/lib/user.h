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
#include <ntsvc.h>

/* Each program's entry; what it returns is its thread's exit status. */
ULONG NTAPI UserMain(PVOID Argument);

/* A system call with any service number, for testing the dispatcher itself. */
NTSTATUS UserSystemCall(ULONG Number, PVOID Arguments);

/* Prints Length bytes at Text through the kernel's debug service, and the helpers built on it. */
VOID UserDebugPrint(PCSTR Text, ULONG Length);
VOID UserPrint(PCSTR Text);
VOID UserPrintHex(PCSTR Label, ULONG Value);

#endif
