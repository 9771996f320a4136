/* sehjump.S: the jump buffers under _SEH2_TRY, the try block's scope exit, and the test framework's early exit. */
#include <pseh2.h>

/*
 * Saves into the KSEH_JUMP_BUFFER at \buffer the callee-saved registers, the
 * stack pointer and return address of this function's caller, and EFLAGS.
 * Offsets follow KSEH_JUMP_BUFFER: Ebx, Esi, Edi, Ebp, Esp, Eip, EFlags.
 */
.macro SAVE_CALLER_CONTEXT buffer
    movl %ebx, 0(\buffer)
    movl %esi, 4(\buffer)
    movl %edi, 8(\buffer)
    movl %ebp, 12(\buffer)
    leal 4(%esp), %ecx
    movl %ecx, 16(\buffer)
    movl (%esp), %ecx
    movl %ecx, 20(\buffer)
    pushfl
    popl 24(\buffer)
.endm

    .text
/*
 * int KiSehSetJump(PKSEH_JUMP_BUFFER): saves the caller's context and returns
 * 0; KiSehLongJump(Buffer, Value) returns from it a second time with Value.
 */
    .globl KiSehSetJump
KiSehSetJump:
    movl 4(%esp), %eax
    SAVE_CALLER_CONTEXT %eax
    xorl %eax, %eax
    ret

    .globl KiSehLongJump
KiSehLongJump:
    movl 4(%esp), %edx
    movl 8(%esp), %eax
    movl 0(%edx), %ebx
    movl 4(%edx), %esi
    movl 8(%edx), %edi
    movl 12(%edx), %ebp
    movl 16(%edx), %esp
    pushl 24(%edx)
    popfl
    jmp *20(%edx)

/*
 * VOID KiSehScopeExit(PKSEH_FRAME Frame): the cleanup the compiler runs on
 * every way out of a try statement. A frame still open means a break,
 * continue, goto or return is leaving its try block: save where that exit
 * was going, as KiSehSetJump would, and let KiSehLeaveTryBlock (except.c)
 * run the finally block, which returns here through Frame->Exit.
 */
    .globl KiSehScopeExit
KiSehScopeExit:
    movl 4(%esp), %eax
    cmpl $KSEH_FRAME_OPEN, KSEH_FRAME_STATE(%eax)
    je 1f
    ret
1:  leal KSEH_FRAME_EXIT(%eax), %edx
    SAVE_CALLER_CONTEXT %edx
    jmp KiSehLeaveTryBlock      /* takes Frame, still at 4(%esp); does not return */

    .section .note.GNU-stack, "", @progbits
