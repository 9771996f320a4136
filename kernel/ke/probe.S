/*
 * probe.S: the kernel's probe instructions. A page fault at one of these
 * addresses inside a try block is an expected one (KeInvalidAccessAllowed):
 * the memory manager raises STATUS_ACCESS_VIOLATION to the try block instead
 * of stopping the system, the way NT treats its own probe code.
 *
 *   UCHAR KiProbeRead(PVOID Address)    reads a byte
 *   VOID  KiProbeWrite(PVOID Address)   writes a byte without changing it
 */
    .text
    .globl KiProbeStart, KiProbeEnd, KiProbeRead, KiProbeWrite
KiProbeStart:
KiProbeRead:
    movl 4(%esp), %eax
    movzbl (%eax), %eax
    ret
KiProbeWrite:
    movl 4(%esp), %eax
    lock orb $0, (%eax)
    ret
KiProbeEnd:

    .section .note.GNU-stack, "", @progbits
