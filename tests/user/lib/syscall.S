/*
 * syscall.S: a ring-3 program's way into the kernel: one stub per system
 * service of ntsvc.h (eax = its number in that list, edx = its arguments on
 * the caller's stack, int 0x2E, stdcall return), NT x86's int 0x2E
 * convention; the debug print (int 0x2D then the int 3 a debugger would
 * stop at); and _start, which calls UserMain and ends the thread with its
 * result. The same file builds the ELF test programs (tests/user) and the
 * PE images (tests/images, MinGW), so both number the services as the
 * kernel does; PE/COFF names C functions with a leading underscore and
 * stdcall ones with their argument bytes too (NtClose is _NtClose@4).
 */
#include <hw/i386.h>
#include <ntsvc.h>

#ifdef __MINGW32__
#define CDECL_NAME(Name) _##Name
.macro STDCALL_NAME name, bytes
    .globl _\name\()@\bytes
_\name\()@\bytes:
.endm
.macro CALL_STDCALL name, bytes
    call _\name\()@\bytes
.endm
#else
#define CDECL_NAME(Name) Name
.macro STDCALL_NAME name, bytes
    .globl \name
\name:
.endm
.macro CALL_STDCALL name, bytes
    call \name
.endm
#endif

    .set ServiceNumber, 0
.macro SERVICE_STUB name, bytes
    STDCALL_NAME \name, \bytes
    movl $ServiceNumber, %eax
    leal 4(%esp), %edx
    int $KI_SYSTEM_SERVICE_VECTOR
    ret $\bytes
    .set ServiceNumber, ServiceNumber + 1
.endm

#define SERVICE(Name, Bytes) SERVICE_STUB Name, Bytes;

    .text
NTMM_SYSTEM_SERVICES(SERVICE)

/* NTSTATUS UserSystemCall(ULONG Number, PVOID Arguments) */
    .globl CDECL_NAME(UserSystemCall)
CDECL_NAME(UserSystemCall):
    movl 4(%esp), %eax
    movl 8(%esp), %edx
    int $KI_SYSTEM_SERVICE_VECTOR
    ret

/* VOID UserDebugPrint(PCSTR Text, ULONG Length) */
    .globl CDECL_NAME(UserDebugPrint)
CDECL_NAME(UserDebugPrint):
    pushl %ebx
    movl $BREAKPOINT_PRINT, %eax
    movl 8(%esp), %ecx
    movl 12(%esp), %edx
    int $KI_DEBUG_SERVICE_VECTOR
    int3
    popl %ebx
    ret

/* The thread starts here with [esp] = 0 (no return address) and [esp + 4] = its argument. */
    .globl _start
_start:
    pushl 4(%esp)
    CALL_STDCALL UserMain, 4
    pushl %eax
    pushl $-2                   /* NtCurrentThread() */
    CALL_STDCALL NtTerminateThread, 8
    int3                        /* not reached */

#ifndef __MINGW32__
    .section .note.GNU-stack, "", @progbits
#endif
