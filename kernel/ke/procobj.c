/*
 * procobj.c: the kernel's side of processes and threads: which address
 * space the current thread runs in, and attaching it to another process's.
 *
 * A thread's ApcState says where it is now. At home, ApcState.Process is its
 * own process and ApcStateIndex is 0. KeAttachProcess moves the whole state
 * into SavedApcState and points ApcState at the target (index 1); it cannot
 * nest. KeStackAttachProcess can: it saves the state into the caller's
 * KAPC_STATE instead when the thread is already attached, or into
 * SavedApcState when it is at home (marking the caller's block with a NULL
 * Process so the detach knows where to look), and attaching to the process
 * the thread is already in changes nothing (the block is marked with
 * Process == 1). Every switch loads the target's directory into CR3; system
 * space is the same in every directory, so the kernel's code, stack and
 * pool stay where they were. A thread may attach only below DISPATCH_LEVEL:
 * the point of attaching is to touch the other process's pageable memory.
 */
#include <ke.h>

#define KI_ATTACHED_TO_SELF ((PKPROCESS)(ULONG_PTR)1)

VOID KeInitializeProcess(PKPROCESS Process, ULONG_PTR DirectoryTableBase, ULONG_PTR HyperSpaceTableBase)
{
    Process->DirectoryTableBase[0] = DirectoryTableBase;
    Process->DirectoryTableBase[1] = HyperSpaceTableBase;
    InitializeListHead(&Process->ThreadListHead);
}

VOID KeInitializeThread(PKTHREAD Thread, PKPROCESS Process, PVOID InitialStack, PVOID StackLimit)
{
    Thread->InitialStack = InitialStack;
    Thread->StackLimit = StackLimit;
    Thread->Teb = NULL;
    InitializeListHead(&Thread->ApcState.ApcListHead[KernelMode]);
    InitializeListHead(&Thread->ApcState.ApcListHead[UserMode]);
    Thread->ApcState.Process = Process;
    Thread->SavedApcState.Process = NULL;
    Thread->ApcStateIndex = 0;
    Thread->PreviousMode = KernelMode;
    Thread->TrapFrame = NULL;
    Thread->Process = Process;
    InsertTailList(&Process->ThreadListHead, &Thread->ThreadListEntry);
}

/* Makes Process's address space the current one. */
VOID KiSwapProcess(PKPROCESS Process)
{
    if (KiReadCr3() != Process->DirectoryTableBase[0])
        KiWriteCr3(Process->DirectoryTableBase[0]);
}

PKTHREAD NTAPI KeGetCurrentThread(VOID)
{
    return KiPcr.CurrentThread;
}

KPROCESSOR_MODE NTAPI KeGetPreviousMode(VOID)
{
    return KiPcr.CurrentThread != NULL ? KiPcr.CurrentThread->PreviousMode : KernelMode;
}

KPROCESSOR_MODE NTAPI ExGetPreviousMode(VOID)
{
    return KeGetPreviousMode();
}

/*
 * Copies an APC state. The queue heads point at themselves when empty, so
 * a plain structure copy would leave the copy's heads pointing into the
 * source: they are made anew. ntmm queues no APCs, so the queues are always
 * empty; a non-empty one would have to be relinked, as NT's KiMoveApcState does.
 */
static VOID KiMoveApcState(PKAPC_STATE Source, PKAPC_STATE Destination)
{
    ASSERT(IsListEmpty(&Source->ApcListHead[KernelMode]) && IsListEmpty(&Source->ApcListHead[UserMode]));
    *Destination = *Source;
    InitializeListHead(&Destination->ApcListHead[KernelMode]);
    InitializeListHead(&Destination->ApcListHead[UserMode]);
}

/* Moves the thread into Process, saving where it was in SaveArea. */
static VOID KiAttachProcess(PKTHREAD Thread, PKPROCESS Process, PKAPC_STATE SaveArea)
{
    KiMoveApcState(&Thread->ApcState, SaveArea);
    Thread->ApcState.Process = Process;
    Thread->ApcState.KernelApcInProgress = FALSE;
    Thread->ApcState.KernelApcPending = FALSE;
    Thread->ApcState.UserApcPending = FALSE;
    if (SaveArea == &Thread->SavedApcState)
        Thread->ApcStateIndex = 1;
    KiSwapProcess(Process);
}

/* Attaching above APC_LEVEL, or a second KeAttachProcess, is a caller bug NT stops for. */
static VOID KiCheckAttach(PKTHREAD Thread, PKPROCESS Process)
{
    KIRQL Irql = KeGetCurrentIrql();

    if (Irql > APC_LEVEL)
        KeBugCheckEx(INVALID_PROCESS_ATTACH_ATTEMPT, (ULONG_PTR)Process, (ULONG_PTR)Thread->ApcState.Process,
                     Thread->ApcStateIndex, Irql);
}

VOID NTAPI KeAttachProcess(PRKPROCESS Process)
{
    PKTHREAD Thread = KeGetCurrentThread();

    KiCheckAttach(Thread, Process);
    if (Thread->ApcState.Process == Process)
        return;
    if (Thread->ApcStateIndex != 0)
        KeBugCheckEx(INVALID_PROCESS_ATTACH_ATTEMPT, (ULONG_PTR)Process, (ULONG_PTR)Thread->ApcState.Process,
                     Thread->ApcStateIndex, KeGetCurrentIrql());
    KiAttachProcess(Thread, Process, &Thread->SavedApcState);
}

VOID NTAPI KeDetachProcess(VOID)
{
    PKTHREAD Thread = KeGetCurrentThread();

    if (Thread->ApcStateIndex == 0)
        return;
    if (KeGetCurrentIrql() > APC_LEVEL)
        KeBugCheckEx(INVALID_PROCESS_DETACH_ATTEMPT, (ULONG_PTR)Thread->ApcState.Process, Thread->ApcStateIndex,
                     KeGetCurrentIrql(), 0);
    KiMoveApcState(&Thread->SavedApcState, &Thread->ApcState);
    Thread->SavedApcState.Process = NULL;
    Thread->ApcStateIndex = 0;
    KiSwapProcess(Thread->ApcState.Process);
}

VOID NTAPI KeStackAttachProcess(PRKPROCESS Process, PRKAPC_STATE ApcState)
{
    PKTHREAD Thread = KeGetCurrentThread();

    KiCheckAttach(Thread, Process);
    if (Thread->ApcState.Process == Process) {
        ApcState->Process = KI_ATTACHED_TO_SELF;
        return;
    }
    if (Thread->ApcStateIndex != 0) {
        KiAttachProcess(Thread, Process, ApcState);
    } else {
        KiAttachProcess(Thread, Process, &Thread->SavedApcState);
        ApcState->Process = NULL;
    }
}

VOID NTAPI KeUnstackDetachProcess(PRKAPC_STATE ApcState)
{
    PKTHREAD Thread = KeGetCurrentThread();

    if (ApcState->Process == KI_ATTACHED_TO_SELF) {
        ApcState->Process = NULL;
        return;
    }
    if (KeGetCurrentIrql() > APC_LEVEL || Thread->ApcStateIndex == 0)
        KeBugCheckEx(INVALID_PROCESS_DETACH_ATTEMPT, (ULONG_PTR)Thread->ApcState.Process, Thread->ApcStateIndex,
                     KeGetCurrentIrql(), (ULONG_PTR)ApcState);
    if (ApcState->Process == NULL) {
        KiMoveApcState(&Thread->SavedApcState, &Thread->ApcState);
        Thread->SavedApcState.Process = NULL;
        Thread->ApcStateIndex = 0;
    } else {
        KiMoveApcState(ApcState, &Thread->ApcState);
    }
    KiSwapProcess(Thread->ApcState.Process);
}
