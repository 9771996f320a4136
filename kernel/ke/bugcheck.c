/*
 * bugcheck.c: KeBugCheckEx, the one way ntmm stops. It prints the STOP line
 * and the code's name, the registers (of the trap that led here when there
 * is one), a symbolized stack trace, then halts; on a test boot it lets the
 * test framework judge the stop and leaves QEMU through isa-debug-exit.
 */
#include <ke.h>
#include <hal.h>

PKBUGCHECK_HOOK KiBugCheckHook;
ULONG KiBugCheckData[5];            /* code and parameters of the stop, for a debugger */
static volatile LONG KiBugCheckActive;

PCSTR KeBugCheckName(ULONG BugCheckCode)
{
#define NTMM_BUGCODE_CASE(Name, Value) case Value: return #Name;
    switch (BugCheckCode) {
        NTMM_BUGCHECK_CODES(NTMM_BUGCODE_CASE)
    }
#undef NTMM_BUGCODE_CASE
    return "UNKNOWN_BUGCHECK_CODE";
}

VOID KiExitEmulator(UCHAR Code)
{
    __outbyte(KI_EXIT_PORT, Code);
    /* Not under QEMU (or no isa-debug-exit): stay stopped. */
    KiHaltProcessor();
}

VOID KiHaltProcessor(VOID)
{
    for (;;) {
        _disable();
        __halt();
    }
}

static VOID KiPrintAddress(ULONG_PTR Address)
{
    ULONG_PTR Offset;
    PCSTR Name = KiSymbolFromAddress(Address, &Offset);

    if (Name != NULL)
        DbgPrint("%08X %s+0x%X\n", Address, Name, Offset);
    else
        DbgPrint("%08X\n", Address);
}

/*
 * Follows the saved-EBP chain from (Ebp, Eip), across the stacks
 * KeCallOnKernelStack switched between. Every frame is checked to lie on one
 * of them and further out than the previous one before it is read
 * (KiNextStackFrame), so a corrupt chain ends the trace instead of faulting
 * inside the bugcheck.
 */
VOID KiPrintStackTrace(ULONG_PTR Ebp, ULONG_PTR Eip)
{
    KSTACK_WALK Walk;
    BOOLEAN OnStack = KiStartStackWalk(&Walk, Ebp);

    DbgPrint("Stack trace:\n");
    for (ULONG Depth = 0; Depth < 32; Depth++) {
        DbgPrint("  #%-2u ", Depth);
        KiPrintAddress(Eip);
        if (!OnStack)
            break;
        Eip = KiStackFrameReturnAddress(&Walk);
        if (Eip == 0)
            break;
        OnStack = KiNextStackFrame(&Walk);
    }
}

static VOID KiPrintRegisters(PKTRAP_FRAME TrapFrame)
{
    DbgPrint("EAX=%08X EBX=%08X ECX=%08X EDX=%08X\n",
             TrapFrame->Eax, TrapFrame->Ebx, TrapFrame->Ecx, TrapFrame->Edx);
    DbgPrint("ESI=%08X EDI=%08X EBP=%08X ESP=%08X\n",
             TrapFrame->Esi, TrapFrame->Edi, TrapFrame->Ebp,
             TrapFrame->TrapNumber == EXCEPTION_DOUBLE_FAULT ? TrapFrame->PushedEsp
                                                             : KiTrapFrameEsp(TrapFrame));
    DbgPrint("EIP=%08X EFL=%08X CS=%04X DS=%04X ES=%04X FS=%04X GS=%04X\n",
             TrapFrame->Eip, TrapFrame->EFlags, TrapFrame->SegCs & 0xFFFF,
             TrapFrame->SegDs & 0xFFFF, TrapFrame->SegEs & 0xFFFF,
             TrapFrame->SegFs & 0xFFFF, TrapFrame->SegGs & 0xFFFF);
    DbgPrint("Trap %02X, error code %08X\n", TrapFrame->TrapNumber, TrapFrame->ErrCode);
}

VOID KeBugCheckWithTf(ULONG BugCheckCode, ULONG_PTR P1, ULONG_PTR P2,
                      ULONG_PTR P3, ULONG_PTR P4, PKTRAP_FRAME TrapFrame)
{
    const ULONG_PTR Parameters[4] = { P1, P2, P3, P4 };

    _disable();
    if (KiBugCheckActive++ != 0) {
        DbgPrint("\n*** STOP: 0x%08X during a bugcheck: halting\n", BugCheckCode);
        if (KeTestBoot)
            KiExitEmulator(KI_EXIT_BUGCHECK);
        KiHaltProcessor();
    }
    KiPcr.Irql = HIGH_LEVEL;
    KiBugCheckData[0] = BugCheckCode;
    for (ULONG i = 0; i < 4; i++)
        KiBugCheckData[i + 1] = Parameters[i];

    DbgPrint("\n*** STOP: 0x%08X (0x%08X,0x%08X,0x%08X,0x%08X)\n%s\n\n",
             BugCheckCode, P1, P2, P3, P4, KeBugCheckName(BugCheckCode));
    if (TrapFrame != NULL) {
        KiPrintRegisters(TrapFrame);
        DbgPrint("At ");
        KiPrintAddress(TrapFrame->Eip);
    }
    DbgPrint("CR0=%08X CR2=%08X CR3=%08X CR4=%08X\n\n",
             KiReadCr0(), KiReadCr2(), KiReadCr3(), KiReadCr4());
    if (TrapFrame != NULL)
        KiPrintStackTrace(TrapFrame->Ebp, TrapFrame->Eip);
    else
        KiPrintStackTrace((ULONG_PTR)__builtin_frame_address(0), (ULONG_PTR)KeBugCheckWithTf);

    if (KiBugCheckHook != NULL && KiBugCheckHook(BugCheckCode, Parameters))
        KiExitEmulator(KI_EXIT_EXPECTED_STOP);
    if (KeTestBoot)
        KiExitEmulator(KI_EXIT_BUGCHECK);
    DbgPrint("\nSystem halted.\n");
    KiHaltProcessor();
}

VOID NTAPI KeBugCheckEx(ULONG BugCheckCode, ULONG_PTR P1, ULONG_PTR P2, ULONG_PTR P3, ULONG_PTR P4)
{
    KeBugCheckWithTf(BugCheckCode, P1, P2, P3, P4, NULL);
}

VOID NTAPI KeBugCheck(ULONG BugCheckCode)
{
    KeBugCheckWithTf(BugCheckCode, 0, 0, 0, 0, NULL);
}
