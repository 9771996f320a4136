/*
 * stack.S: ULONG KiCallOnStack(PVOID StackTop, ULONG (*Function)(PVOID), PVOID Context)
 * runs Function(Context) on another stack and returns its result on this
 * one. The EBP chain is carried across, so stack traces, exception
 * dispatch and GDB see the caller. KeCallOnKernelStack (kstack.c) keeps the
 * PCR's stack bounds and the chain of stacks right around it.
 */
    .text
    .globl KiCallOnStack
KiCallOnStack:
    pushl %ebp
    movl %esp, %ebp
    movl 8(%ebp), %eax          /* StackTop */
    movl 12(%ebp), %ecx         /* Function */
    movl 16(%ebp), %edx         /* Context */
    movl %esp, -4(%eax)         /* the old stack pointer, at the top of the new stack */
    leal -4(%eax), %esp
    pushl %edx
    call *%ecx
    movl 4(%esp), %esp          /* back to the old stack */
    popl %ebp
    ret

    .section .note.GNU-stack, "", @progbits
