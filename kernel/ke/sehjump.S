/* sehjump.S: the jump buffer under _SEH2_TRY and the test framework's early exit. */

    .text
/*
 * int KiSehSetJump(PKSEH_JUMP_BUFFER): saves the callee-saved registers, the
 * stack pointer and return address of the caller, and EFLAGS; returns 0.
 * KiSehLongJump(Buffer, Value) returns from it a second time with Value.
 * Offsets follow KSEH_JUMP_BUFFER: Ebx, Esi, Edi, Ebp, Esp, Eip, EFlags.
 */
    .globl KiSehSetJump
KiSehSetJump:
    movl 4(%esp), %eax
    movl %ebx, 0(%eax)
    movl %esi, 4(%eax)
    movl %edi, 8(%eax)
    movl %ebp, 12(%eax)
    leal 4(%esp), %ecx
    movl %ecx, 16(%eax)
    movl (%esp), %ecx
    movl %ecx, 20(%eax)
    pushfl
    popl 24(%eax)
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

    .section .note.GNU-stack, "", @progbits
