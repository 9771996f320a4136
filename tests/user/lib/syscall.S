/*
 * syscall.S: a ring-3 program's way into the kernel: one stub per system
 * service of ntsvc.h (eax = its number in that list, edx = its arguments on
 * the caller's stack, int 0x2E, stdcall return), NT x86's int 0x2E
 * convention; the debug print (int 0x2D then the int 3 a debugger would
 * stop at); and _start, which calls UserMain and ends the thread with its
 * result.
 */
#include <hw/i386.h>
#include <ntsvc.h>

    .set ServiceNumber, 0
.macro SERVICE_STUB name, bytes
    .globl \name
\name:
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
    .globl UserSystemCall
UserSystemCall:
    movl 4(%esp), %eax
    movl 8(%esp), %edx
    int $KI_SYSTEM_SERVICE_VECTOR
    ret

/* VOID UserDebugPrint(PCSTR Text, ULONG Length) */
    .globl UserDebugPrint
UserDebugPrint:
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
    call UserMain
    pushl %eax
    pushl $-2                   /* NtCurrentThread() */
    call NtTerminateThread
    int3                        /* not reached */

    .section .note.GNU-stack, "", @progbits
