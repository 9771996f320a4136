/*
 * usermode.c: running a thread in user mode, and getting back when it ends.
 *
 * ntmm has no scheduler, so the kernel runs a user thread the way one calls
 * a function. KeRunUserThread saves the caller's kernel context and makes
 * the thread current: its process's address space in CR3, its kernel stack
 * in the TSS (where the processor takes ESP0 on the next entry from ring 3)
 * and in the PCR's stack bounds, its TEB behind the user fs segment, an
 * empty exception list, clean x87 registers. It then returns from the trap
 * frame at the top of the thread's kernel stack into ring 3. The thread
 * comes back into the kernel on that stack through interrupts, system
 * services and exceptions. When it ends (NtTerminateThread,
 * NtTerminateProcess of its own process, or an exception user mode does
 * not handle), KeExitUserThread jumps back into the saved context, on the
 * caller's stack, and restores the caller's thread. The thread's kernel
 * stack, abandoned mid-call, is the creator's to free. Only one user thread
 * runs at a time, and never from inside one.
 */
#include <ke.h>
#include <string.h>

typedef struct _KI_USER_RUN {
    KSEH_JUMP_BUFFER Return;      /* the caller of KeRunUserThread */
    PKTHREAD Caller;
    PKTHREAD Thread;
    ULONG_PTR StackBase, StackLimit, Esp0;
    struct _KSTACK_CONTROL *StackControl;
    PKSEH_FRAME ExceptionList;
    NTSTATUS ExitStatus;
    BOOLEAN EndProcess;
} KI_USER_RUN, *PKI_USER_RUN;

static PKI_USER_RUN KiUserRun;

/*
 * The x87 and MMX registers a user thread starts with: all zero and empty,
 * NT's control word. NT gives each thread its own FPU state; ntmm saves
 * none, so without this a thread would start with whatever the last one,
 * in any process, left in the registers.
 */
static const FNSAVE_FORMAT KiInitialFpuState = {
    .ControlWord = KI_INITIAL_FPU_CONTROL_WORD,
    .TagWord = FPU_TAG_WORD_EMPTY,
};

DECLSPEC_NORETURN VOID KiEnterUserMode(PKTRAP_FRAME TrapFrame);

/* A trap frame that "returns" to Eip in ring 3 with Esp as its stack and interrupts on. */
VOID KeInitializeUserTrapFrame(PKTRAP_FRAME TrapFrame, PVOID Eip, PVOID Esp)
{
    memset(TrapFrame, 0, sizeof(*TrapFrame));
    TrapFrame->SegCs = KGDT_R3_CODE | RPL_MASK;
    TrapFrame->SegDs = TrapFrame->SegEs = KGDT_R3_DATA | RPL_MASK;
    TrapFrame->SegFs = KGDT_R3_TEB | RPL_MASK;
    TrapFrame->HardwareSegSs = KGDT_R3_DATA | RPL_MASK;
    TrapFrame->EFlags = EFLAGS_IF | EFLAGS_MUST_BE_SET;
    TrapFrame->Eip = (ULONG)Eip;
    TrapFrame->HardwareEsp = (ULONG)Esp;
}

BOOLEAN KeIsUserThread(PKTHREAD Thread)
{
    return KiUserRun != NULL && KiUserRun->Thread == Thread;
}

NTSTATUS KeRunUserThread(PKTHREAD Thread, PBOOLEAN EndProcess)
{
    KI_USER_RUN Run;
    PKTRAP_FRAME TrapFrame = (PKTRAP_FRAME)Thread->InitialStack - 1;

    /* Switching to another thread's address space from a raised IRQL, or from inside one, is a caller bug. */
    if (KiUserRun != NULL || KeGetCurrentIrql() != PASSIVE_LEVEL)
        KeBugCheckEx(INVALID_PROCESS_ATTACH_ATTEMPT, (ULONG_PTR)Thread->Process,
                     (ULONG_PTR)KiPcr.CurrentThread->ApcState.Process, KiUserRun != NULL, KeGetCurrentIrql());
    Run.Caller = KiPcr.CurrentThread;
    Run.Thread = Thread;
    Run.StackBase = KiPcr.StackBase;
    Run.StackLimit = KiPcr.StackLimit;
    Run.StackControl = KiPcr.StackControl;
    Run.Esp0 = KiPcr.TSS->Esp0;
    Run.ExceptionList = KiPcr.ExceptionList;
    if (KiSehSetJump(&Run.Return) == 0) {
        KiUserRun = &Run;
        Thread->TrapFrame = TrapFrame;
        KiPcr.CurrentThread = Thread;
        KiSwapProcess(Thread->ApcState.Process);
        KiPcr.TSS->Esp0 = (ULONG_PTR)Thread->InitialStack;
        KiPcr.StackBase = (ULONG_PTR)Thread->InitialStack;
        KiPcr.StackLimit = (ULONG_PTR)Thread->StackLimit;
        KiPcr.StackControl = NULL;
        KiPcr.ExceptionList = NULL;
        KiSetTebSegment(Thread->Teb);
        __asm__ volatile("frstor %0" : : "m"(KiInitialFpuState));
        KiEnterUserMode(TrapFrame);
    }
    /* Back on the caller's stack: the thread has ended. */
    KiUserRun = NULL;
    KiPcr.CurrentThread = Run.Caller;
    KiSwapProcess(Run.Caller->ApcState.Process);
    KiPcr.TSS->Esp0 = Run.Esp0;
    KiPcr.StackBase = Run.StackBase;
    KiPcr.StackLimit = Run.StackLimit;
    KiPcr.StackControl = Run.StackControl;
    KiPcr.ExceptionList = Run.ExceptionList;
    Thread->TrapFrame = NULL;
    *EndProcess = Run.EndProcess;
    return Run.ExitStatus;
}

/* Ends the running user thread; called on its kernel stack at PASSIVE_LEVEL, never returns. */
VOID KeExitUserThread(NTSTATUS ExitStatus, BOOLEAN EndProcess)
{
    PKI_USER_RUN Run = KiUserRun;

    if (Run == NULL || KiPcr.CurrentThread != Run->Thread)
        KeBugCheckEx(INVALID_PROCESS_DETACH_ATTEMPT, (ULONG_PTR)KiPcr.CurrentThread, ExitStatus, 0, 0);
    _disable();
    KiPcr.Irql = PASSIVE_LEVEL;
    Run->ExitStatus = ExitStatus;
    Run->EndProcess = EndProcess;
    KiSehLongJump(&Run->Return, 1);
}

/*
 * An exception in user mode. NT would hand it to the thread's own handlers
 * (KiUserExceptionDispatcher in ntdll); ntmm has no user-mode exception
 * dispatching yet, so the exception is unhandled and, as NT's default
 * handler does then, ends the process with the exception's status.
 */
VOID KiDispatchUserException(NTSTATUS Status, PKTRAP_FRAME TrapFrame)
{
    DbgPrint("user mode: exception %08X at %08X (esp %08X): the process ends\n", Status, TrapFrame->Eip,
             TrapFrame->HardwareEsp);
    KeExitUserThread(Status, TRUE);
}
