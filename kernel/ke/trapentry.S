/*
 * trapentry.S: the entry stubs for the 32 exception vectors, the debug and
 * system-service vectors and the 16 PIC interrupts, the one path that turns
 * them into a KTRAP_FRAME for KiDispatchTrap and back, the way into user
 * mode, the call of a system service with its copied arguments, and the
 * double-fault task's entry.
 */
#include <hw/i386.h>

/* KTRAP_FRAME offsets (asserted against the C structure in trap.c). */
#define TF_EBP 24
#define TF_EIP 56
#define TF_CS 60

/* A stub pushes a zero error code where the CPU pushes none, then its vector. */
.macro TRAP_STUB vector, has_error
    .align 8
KiTrapStub\vector:
    .if \has_error == 0
    pushl $0
    .endif
    pushl $\vector
    jmp KiTrapCommon
.endm

    .text
    .irp v, 0,1,2,3,4,5,6,7,9,15,16,18,19,20,22,23,24,25,26,27,28,31
    TRAP_STUB \v, 0
    .endr
    .irp v, 10,11,12,13,17,21,29,30
    TRAP_STUB \v, 1
    .endr
    .irp v, 45,46,48,49,50,51,52,53,54,55,56,57,58,59,60,61,62,63
    TRAP_STUB \v, 0
    .endr

/*
 * Builds the rest of the KTRAP_FRAME (pushad, then the data segments), loads
 * the kernel's segments, and calls KiDispatchTrap(TrapFrame). The two words
 * pushed before the call form a stack frame (interrupted Eip and Ebp), so a
 * frame-pointer walk goes from the handler straight into the interrupted code.
 */
.macro TRAP_SAVE_REGISTERS
    pushal
    pushl %ds
    pushl %es
    pushl %fs
    pushl %gs
.endm

.macro TRAP_LOAD_SEGMENTS
    movl $KGDT_R0_DATA, %eax
    movl %eax, %ds
    movl %eax, %es
    movl $KGDT_R0_PCR, %eax
    movl %eax, %fs
.endm

.macro TRAP_CALL handler
    cld
    /* Ring 3 may leave EFLAGS.AC set: under SMAP the kernel starts with user pages closed. */
    cmpb $0, KeSmapEnabled
    je 1f
    clac
1:  movl %esp, %ebx
    pushl TF_EIP(%ebx)
    pushl TF_EBP(%ebx)
    movl %esp, %ebp
    pushl %ebx
    call \handler
    movl %ebx, %esp
.endm

    .globl KiTrapCommon
KiTrapCommon:
    TRAP_SAVE_REGISTERS
    TRAP_LOAD_SEGMENTS
    TRAP_CALL KiDispatchTrap
    jmp KiTrapReturn

/*
 * The page fault, the one exception taken in normal running, has a stub of
 * its own: the same KTRAP_FRAME, but KiTrap0E called directly, and from
 * kernel mode, where the data segments hold the kernel's already (a fault
 * is never taken between the return path's popping of user segments and
 * its iret: that code touches only the kernel stack), no reloading them.
 */
    .align 8
KiTrapStub14:
    pushl $EXCEPTION_PAGE_FAULT
    TRAP_SAVE_REGISTERS
    testl $RPL_MASK, TF_CS(%esp)
    jz 1f
    TRAP_LOAD_SEGMENTS
1:  TRAP_CALL KiTrap0E
/* The way out of every trap, and the way into user mode for a new thread (KiEnterUserMode). */
KiTrapReturn:
    popl %gs
    popl %fs
    popl %es
    popl %ds
    popal
    addl $8, %esp               /* vector and error code */
    iretl

/* Addresses of the stubs by vector, zero where there is none; read by KiInitializeIdt. */
    .section .rodata
    .align 4
    .globl KiTrapStubTable
KiTrapStubTable:
    .irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    .if \v == 8
    .long 0                     /* the double fault arrives through a task gate */
    .else
    .long KiTrapStub\v
    .endif
    .endr
    .fill 13, 4, 0
    .long KiTrapStub45          /* KI_DEBUG_SERVICE_VECTOR */
    .long KiTrapStub46          /* KI_SYSTEM_SERVICE_VECTOR */
    .long 0
    .irp v, 48,49,50,51,52,53,54,55,56,57,58,59,60,61,62,63
    .long KiTrapStub\v
    .endr

/*
 * VOID KiEnterUserMode(PKTRAP_FRAME TrapFrame): starts a thread in ring 3
 * by returning from a trap frame built for it at the top of its kernel
 * stack (KeInitializeUserTrapFrame), exactly as a trap from ring 3 returns.
 */
    .text
    .globl KiEnterUserMode
KiEnterUserMode:
    movl 4(%esp), %esp
    jmp KiTrapReturn

/*
 * LONG KiCallService(PVOID Service, const ULONG *Arguments, ULONG Count):
 * calls a system service (stdcall, which pops its own arguments) with a
 * copy of Count arguments pushed as its caller in user mode pushed them.
 */
    .globl KiCallService
KiCallService:
    pushl %ebp
    movl %esp, %ebp
    pushl %esi
    movl 16(%ebp), %ecx
    movl 12(%ebp), %esi
1:  testl %ecx, %ecx
    jz 2f
    pushl -4(%esi,%ecx,4)
    decl %ecx
    jmp 1b
2:  call *8(%ebp)
    popl %esi
    popl %ebp
    ret

/*
 * The double-fault task starts here on its own stack with a fresh register
 * state; the faulting state is in the task the CPU left (KiTss).
 */
    .text
    .globl KiTrap08Task
KiTrap08Task:
    xorl %ebp, %ebp
    call KiDoubleFault
1:  cli
    hlt
    jmp 1b

    .section .note.GNU-stack, "", @progbits
