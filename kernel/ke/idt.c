/*
 * idt.c: the interrupt descriptor table. The 32 exception vectors, the
 * debug and system-service vectors and the 16 PIC lines go through the
 * stubs of trapentry.S to KiDispatchTrap (the page fault straight to
 * KiTrap0E); the double fault goes through a task gate, so it is handled on a fresh stack even when
 * the kernel stack is what failed.
 */
#include <ke.h>

KIDTENTRY KiIdt[IDT_ENTRIES];
extern const ULONG KiTrapStubTable[PRIMARY_VECTOR_BASE + 16];

VOID KiSetIdtGate(ULONG Vector, PVOID Handler, USHORT Selector, USHORT Access)
{
    KiIdt[Vector].Offset = (ULONG)Handler & 0xFFFF;
    KiIdt[Vector].ExtendedOffset = (ULONG)Handler >> 16;
    KiIdt[Vector].Selector = Selector;
    KiIdt[Vector].Access = Access;
}

VOID KiInitializeIdt(VOID)
{
    KDESCRIPTOR Idtr;

    for (ULONG Vector = 0; Vector < RTL_NUMBER_OF(KiTrapStubTable); Vector++) {
        USHORT Access = IDT_ACCESS_INTERRUPT_GATE;

        if (KiTrapStubTable[Vector] == 0)
            continue;
        /* As in NT, user mode may raise a breakpoint and an overflow check, and call the two services. */
        if (Vector == EXCEPTION_BREAKPOINT || Vector == EXCEPTION_OVERFLOW || Vector == KI_DEBUG_SERVICE_VECTOR ||
            Vector == KI_SYSTEM_SERVICE_VECTOR)
            Access |= IDT_ACCESS_DPL3;
        KiSetIdtGate(Vector, (PVOID)KiTrapStubTable[Vector], KGDT_R0_CODE, Access);
    }
    KiSetIdtGate(EXCEPTION_DOUBLE_FAULT, NULL, KGDT_DF_TSS, IDT_ACCESS_TASK_GATE);

    Idtr.Limit = sizeof(KiIdt) - 1;
    Idtr.Base = (ULONG)KiIdt;
    __asm__ volatile("lidt %0" : : "m"(Idtr.Limit) : "memory");
}
