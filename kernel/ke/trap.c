/*
 * trap.c: what each exception vector and interrupt means to the kernel.
 *
 * An exception is either dispatched as an NT exception (an EXCEPTION_RECORD
 * with the status code NT uses for that vector, delivered to the innermost
 * _SEH2_TRY, or KMODE_EXCEPTION_NOT_HANDLED when there is none) or, for the
 * vectors that mean the kernel itself is broken, stops at once with
 * UNEXPECTED_KERNEL_MODE_TRAP and the vector as the first parameter.
 * Page faults go to the memory manager first. An exception taken in user
 * mode belongs to the user process (usermode.c); int 0x2E and int 0x2D are
 * the system and debug services (syscall.c).
 */
#include <ke.h>
#include <hal.h>
#include <mm.h>

_Static_assert(offsetof(KTRAP_FRAME, Ebp) == 24 && offsetof(KTRAP_FRAME, Eip) == 56 &&
                   offsetof(KTRAP_FRAME, SegCs) == 60,
               "trapentry.S's TF_EBP, TF_EIP and TF_CS");

typedef enum _KTRAP_ACTION {
    TrapUnexpected,    /* UNEXPECTED_KERNEL_MODE_TRAP (0x7F) */
    TrapDispatch,      /* raise as an NT exception */
    TrapSpecial        /* handled by its own function below */
} KTRAP_ACTION;

typedef struct _KTRAP_DESCRIPTION {
    KTRAP_ACTION Action;
    NTSTATUS Status;
} KTRAP_DESCRIPTION;

static const KTRAP_DESCRIPTION KiTrapDescription[EXCEPTION_VECTORS] = {
    [EXCEPTION_DIVIDE]          = { TrapDispatch, STATUS_INTEGER_DIVIDE_BY_ZERO },
    [EXCEPTION_DEBUG]           = { TrapDispatch, STATUS_SINGLE_STEP },
    [EXCEPTION_NMI]             = { TrapSpecial, 0 },
    [EXCEPTION_BREAKPOINT]      = { TrapDispatch, STATUS_BREAKPOINT },
    [EXCEPTION_OVERFLOW]        = { TrapDispatch, STATUS_INTEGER_OVERFLOW },
    [EXCEPTION_BOUND]           = { TrapDispatch, STATUS_ARRAY_BOUNDS_EXCEEDED },
    [EXCEPTION_INVALID_OPCODE]  = { TrapDispatch, STATUS_ILLEGAL_INSTRUCTION },
    [EXCEPTION_GP_FAULT]        = { TrapDispatch, STATUS_ACCESS_VIOLATION },
    [EXCEPTION_PAGE_FAULT]      = { TrapSpecial, 0 },
    [EXCEPTION_ALIGNMENT_CHECK] = { TrapDispatch, STATUS_DATATYPE_MISALIGNMENT },
    [EXCEPTION_MACHINE_CHECK]   = { TrapSpecial, 0 },
    /* Everything else (x87 and SSE in a kernel that uses neither, TSS and
       segment faults, reserved vectors) is a kernel bug: TrapUnexpected. */
};

ULONG KiTrapFrameEsp(PKTRAP_FRAME TrapFrame)
{
    if (KiTrapFrameFromUserMode(TrapFrame))
        return TrapFrame->HardwareEsp;
    return (ULONG)&TrapFrame->HardwareEsp;
}

/* Builds the record for a CPU exception and hands it to the exception dispatcher. */
static DECLSPEC_NORETURN VOID KiRaiseTrapException(PKTRAP_FRAME TrapFrame, NTSTATUS Status,
                                                   ULONG Parameters, ULONG_PTR P0, ULONG_PTR P1)
{
    EXCEPTION_RECORD Record = { 0 };

    Record.ExceptionCode = Status;
    Record.ExceptionAddress = (PVOID)TrapFrame->Eip;
    /* int3 leaves Eip after itself; NT reports the breakpoint's own address. */
    if (Status == STATUS_BREAKPOINT)
        Record.ExceptionAddress = (PVOID)(TrapFrame->Eip - 1);
    Record.NumberParameters = Parameters;
    Record.ExceptionInformation[0] = P0;
    Record.ExceptionInformation[1] = P1;
    KiDispatchException(&Record, TrapFrame);
}

/*
 * #PF, called by its own stub (trapentry.S): MmAccessFault resolves what it
 * can (demand-zero pages and the like). Whatever it cannot resolve is an
 * access violation: raised to the innermost try block when the memory
 * manager allows it, a bugcheck inside MmAccessFault otherwise.
 */
VOID KiTrap0E(PKTRAP_FRAME TrapFrame)
{
    ULONG_PTR FaultAddress = KiReadCr2();
    NTSTATUS Status;

    KiPcr.TrapCount[EXCEPTION_PAGE_FAULT]++;
    Status = MmAccessFault(TrapFrame->ErrCode, (PVOID)FaultAddress,
                           KiTrapFrameFromUserMode(TrapFrame) ? UserMode : KernelMode, TrapFrame);
    if (NT_SUCCESS(Status))
        return;
    if (KiTrapFrameFromUserMode(TrapFrame))
        KiDispatchUserException(Status, TrapFrame);
    /* ExceptionInformation[0]: 0 read, 1 write, 8 execute, as NT reports it. */
    KiRaiseTrapException(TrapFrame, Status, 2,
                         (TrapFrame->ErrCode & PF_WRITE) ? 1 : ((TrapFrame->ErrCode & PF_FETCH) ? 8 : 0),
                         FaultAddress);
}

/*
 * Is the instruction a #GP stopped in user mode one only ring 0 may run?
 * NT's #GP handler decodes it the same way to raise
 * STATUS_PRIVILEGED_INSTRUCTION rather than an access violation. Prefixes
 * are not decoded: a prefixed privileged instruction reads as a violation.
 */
static BOOLEAN KiIsPrivilegedInstruction(PKTRAP_FRAME TrapFrame)
{
    static const UCHAR OneByte[] = {
        0xF4, 0xFA, 0xFB,                              /* hlt, cli, sti */
        0xE4, 0xE5, 0xE6, 0xE7, 0xEC, 0xED, 0xEE, 0xEF, /* in, out */
        0x6C, 0x6D, 0x6E, 0x6F,                        /* ins, outs */
    };
    static const UCHAR TwoByte[] = {                    /* after 0F */
        0x06, 0x08, 0x09,                              /* clts, invd, wbinvd */
        0x20, 0x21, 0x22, 0x23,                        /* mov to and from control and debug registers */
        0x30, 0x32,                                    /* wrmsr, rdmsr */
    };
    volatile UCHAR Opcode[3] = { 0 };
    volatile ULONG Read = 0;

    /* A byte at a time: the instruction may end on the last byte the page has. */
    _SEH2_TRY {
        for (; Read < sizeof(Opcode); Read++) {
            ProbeForRead((PVOID)(TrapFrame->Eip + Read), 1, 1);
            KiAllowUserAccess();
            Opcode[Read] = ((volatile UCHAR *)TrapFrame->Eip)[Read];
            KiForbidUserAccess();
        }
    } _SEH2_EXCEPT(EXCEPTION_EXECUTE_HANDLER) {
    } _SEH2_END;
    if (Read == 0)
        return FALSE;
    for (ULONG i = 0; i < sizeof(OneByte); i++) {
        if (Opcode[0] == OneByte[i])
            return TRUE;
    }
    if (Opcode[0] != 0x0F || Read < 2)
        return FALSE;
    /* 0F 01 /2, /3, /6, /7: lgdt, lidt, lmsw, invlpg (its /0 and /1, sgdt and sidt, are not privileged). */
    if (Opcode[1] == 0x01)
        return Read == 3 && ((Opcode[2] >> 3) & 7) >= 2 && ((Opcode[2] >> 3) & 7) != 4 &&
               ((Opcode[2] >> 3) & 7) != 5;
    for (ULONG i = 0; i < sizeof(TwoByte); i++) {
        if (Opcode[1] == TwoByte[i])
            return TRUE;
    }
    return FALSE;
}

static VOID KiDispatchInterrupt(PKTRAP_FRAME TrapFrame)
{
    ULONG Irq = TrapFrame->TrapNumber - PRIMARY_VECTOR_BASE;
    KIRQL OldIrql;

    if (HalIsSpuriousInterrupt(Irq))
        return;
    /* Interrupt gates keep IF clear, so the handler runs unnested at its line's level. */
    OldIrql = KiPcr.Irql;
    KiPcr.InterruptCount++;
    if (Irq == PIC_IRQ_TIMER) {
        KiPcr.Irql = CLOCK2_LEVEL;
        KiClockInterrupt(TrapFrame);
    }
    HalEndOfInterrupt(Irq);
    /* Back to code below DISPATCH_LEVEL with DPCs queued: run them now, interrupts on. */
    if (OldIrql < DISPATCH_LEVEL && KiPcr.DpcRequested) {
        KiPcr.Irql = DISPATCH_LEVEL;
        KiRetireDpcList();
    }
    KiPcr.Irql = OldIrql;
}

VOID KiDispatchTrap(PKTRAP_FRAME TrapFrame)
{
    ULONG Vector = TrapFrame->TrapNumber;
    const KTRAP_DESCRIPTION *Description;

    /* Page faults have a stub of their own, which calls KiTrap0E. */
    if (Vector >= PRIMARY_VECTOR_BASE) {
        KiDispatchInterrupt(TrapFrame);
        return;
    }
    if (Vector == KI_SYSTEM_SERVICE_VECTOR) {
        KiSystemService(TrapFrame);
        return;
    }
    if (Vector == KI_DEBUG_SERVICE_VECTOR) {
        KiDebugService(TrapFrame);
        return;
    }

    /* cppcheck-suppress arrayIndexOutOfBoundsCond ; the gated vectors past 31 returned above (trapentry.S) */
    KiPcr.TrapCount[Vector]++;
    /* cppcheck-suppress arrayIndexOutOfBoundsCond ; as above */
    Description = &KiTrapDescription[Vector];
    /* From ring 3 every fault is the process's problem: only the machine's own failures stop it. */
    if (KiTrapFrameFromUserMode(TrapFrame) && Description->Action != TrapSpecial) {
        if (Vector == EXCEPTION_GP_FAULT && KiIsPrivilegedInstruction(TrapFrame))
            KiDispatchUserException(STATUS_PRIVILEGED_INSTRUCTION, TrapFrame);
        KiDispatchUserException(Description->Action == TrapDispatch ? Description->Status : STATUS_ACCESS_VIOLATION,
                                TrapFrame);
    }
    switch (Description->Action) {
    case TrapDispatch:
        KiRaiseTrapException(TrapFrame, Description->Status, 0, 0, 0);
    case TrapSpecial:
        if (Vector == EXCEPTION_NMI)
            KeBugCheckWithTf(NMI_HARDWARE_FAILURE, 0, 0, 0, 0, TrapFrame);
        KeBugCheckWithTf(MACHINE_CHECK_EXCEPTION, 0, 0, 0, 0, TrapFrame);
    case TrapUnexpected:
        break;
    }
    KeBugCheckWithTf(UNEXPECTED_KERNEL_MODE_TRAP, Vector, TrapFrame->ErrCode, TrapFrame->Eip, 0, TrapFrame);
}

/*
 * The double-fault task. The CPU saved the failing state in KiTss when it
 * switched here; rebuild a trap frame from it so the bugcheck shows where the
 * kernel was.
 */
VOID KiDoubleFault(VOID)
{
    extern KTSS KiTss;
    KTRAP_FRAME TrapFrame = { 0 };

    TrapFrame.TrapNumber = EXCEPTION_DOUBLE_FAULT;
    TrapFrame.Eax = KiTss.Eax;
    TrapFrame.Ebx = KiTss.Ebx;
    TrapFrame.Ecx = KiTss.Ecx;
    TrapFrame.Edx = KiTss.Edx;
    TrapFrame.Esi = KiTss.Esi;
    TrapFrame.Edi = KiTss.Edi;
    TrapFrame.Ebp = KiTss.Ebp;
    TrapFrame.PushedEsp = KiTss.Esp;
    TrapFrame.Eip = KiTss.Eip;
    TrapFrame.EFlags = KiTss.EFlags;
    TrapFrame.SegCs = KiTss.Cs;
    TrapFrame.SegDs = KiTss.Ds;
    TrapFrame.SegEs = KiTss.Es;
    TrapFrame.SegFs = KiTss.Fs;
    TrapFrame.SegGs = KiTss.Gs;
    KiPcr.TrapCount[EXCEPTION_DOUBLE_FAULT]++;
    KeBugCheckWithTf(UNEXPECTED_KERNEL_MODE_TRAP, EXCEPTION_DOUBLE_FAULT, KiTss.Esp, KiTss.Eip, 0, &TrapFrame);
}
