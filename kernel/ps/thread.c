/*
 * thread.c: user threads, and the services that end threads and processes.
 *
 * PsRunUserThread makes a thread of a process: a thread object, a kernel
 * stack (system PTEs with a guard page below), a user stack reserved in the
 * process with its top pages committed and a guard page under them, and a
 * TEB. The stack starts with the thread's argument and a zero return
 * address, so the start routine is an ordinary stdcall function of one
 * argument. The kernel then runs the thread in ring 3 (KeRunUserThread)
 * until it ends; afterwards the thread's stack and TEB are freed, its
 * process ends with it (the last thread, as in NT), and the thread object
 * is dropped.
 */
#include <ps.h>
#include <mm.h>

#define PS_USER_STACK_RESERVE (256 * 1024)
#define PS_USER_STACK_COMMIT  (4 * PAGE_SIZE)

typedef struct _PS_USER_STACK {
    PVOID Base;                       /* the reservation's lowest address */
    PVOID Top;                        /* its end: the stack grows down from here */
    PVOID Limit;                      /* the lowest committed address above the guard page */
} PS_USER_STACK;

/* A stack in the current process: reserved, the top committed, a guard page below that. */
static NTSTATUS PspCreateUserStack(PS_USER_STACK *Stack)
{
    PVOID Base = NULL, Commit, Guard;
    SIZE_T Size = PS_USER_STACK_RESERVE;
    NTSTATUS Status;

    Status = ZwAllocateVirtualMemory(NtCurrentProcess(), &Base, 0, &Size, MEM_RESERVE, PAGE_READWRITE);
    if (!NT_SUCCESS(Status))
        return Status;
    Stack->Base = Base;
    Stack->Top = (PUCHAR)Base + PS_USER_STACK_RESERVE;
    Stack->Limit = (PUCHAR)Stack->Top - PS_USER_STACK_COMMIT;
    Commit = Stack->Limit;
    Size = PS_USER_STACK_COMMIT;
    Status = ZwAllocateVirtualMemory(NtCurrentProcess(), &Commit, 0, &Size, MEM_COMMIT, PAGE_READWRITE);
    if (NT_SUCCESS(Status)) {
        Guard = (PUCHAR)Stack->Limit - PAGE_SIZE;
        Size = PAGE_SIZE;
        Status = ZwAllocateVirtualMemory(NtCurrentProcess(), &Guard, 0, &Size, MEM_COMMIT,
                                         PAGE_READWRITE | PAGE_GUARD);
    }
    if (!NT_SUCCESS(Status)) {
        Size = 0;
        ZwFreeVirtualMemory(NtCurrentProcess(), &Base, &Size, MEM_RELEASE);
    }
    return Status;
}

/*
 * Fills the TEB and the stack's first two words. Both are committed pages
 * that are not resident yet: touching them takes pages, which may have run
 * out, so the writes are made inside a try block and its status returned.
 */
static NTSTATUS PspInitializeUserContext(PEPROCESS Process, PETHREAD Thread, PTEB Teb, const PS_USER_STACK *Stack,
                                         PVOID Argument)
{
    PULONG_PTR Esp = (PULONG_PTR)Stack->Top - 2;
    volatile NTSTATUS Status = STATUS_SUCCESS;

    _SEH2_TRY {
        KiAllowUserAccess();
        Teb->NtTib.ExceptionList = EXCEPTION_CHAIN_END;
        Teb->NtTib.StackBase = Stack->Top;
        Teb->NtTib.StackLimit = Stack->Limit;
        Teb->NtTib.Self = &Teb->NtTib;
        Teb->ClientId = Thread->Cid;
        Teb->ProcessEnvironmentBlock = Process->Peb;
        Teb->DeallocationStack = Stack->Base;
        Esp[0] = 0;                           /* the start routine's return address: none */
        Esp[1] = (ULONG_PTR)Argument;
        KiForbidUserAccess();
    } _SEH2_EXCEPT(EXCEPTION_EXECUTE_HANDLER) {
        Status = _SEH2_GetExceptionCode();
    } _SEH2_END;
    return Status;
}

/* The thread's user half: stack and TEB, and the first two words on the stack. */
static NTSTATUS PspCreateUserContext(PEPROCESS Process, PETHREAD Thread, PVOID Argument, PVOID *InitialEsp)
{
    PS_USER_STACK Stack;
    KAPC_STATE ApcState;
    PTEB Teb;
    NTSTATUS Status;

    Status = MmCreateTeb(Process, &Teb);
    if (!NT_SUCCESS(Status))
        return Status;
    KeStackAttachProcess(&Process->Pcb, &ApcState);
    Status = PspCreateUserStack(&Stack);
    if (NT_SUCCESS(Status)) {
        Status = PspInitializeUserContext(Process, Thread, Teb, &Stack, Argument);
        if (NT_SUCCESS(Status)) {
            *InitialEsp = (PULONG_PTR)Stack.Top - 2;
            Thread->Tcb.Teb = Teb;
        } else {
            SIZE_T Size = 0;

            ZwFreeVirtualMemory(NtCurrentProcess(), &Stack.Base, &Size, MEM_RELEASE);
        }
    }
    KeUnstackDetachProcess(&ApcState);
    if (!NT_SUCCESS(Status))
        MmDeleteTeb(Process, Teb);
    return Status;
}

/*
 * The TEB is the thread's own memory, which it may have freed or protected:
 * as NT does, the stack is found through it inside a try block, and when it
 * cannot be read the stack stays reserved until the process goes.
 */
static VOID PspDeleteUserContext(PEPROCESS Process, PETHREAD Thread)
{
    PTEB Teb = Thread->Tcb.Teb;
    KAPC_STATE ApcState;
    PVOID volatile Base = NULL;
    SIZE_T Size = 0;

    KeStackAttachProcess(&Process->Pcb, &ApcState);
    _SEH2_TRY {
        KiAllowUserAccess();
        Base = Teb->DeallocationStack;
        KiForbidUserAccess();
    } _SEH2_EXCEPT(EXCEPTION_EXECUTE_HANDLER) {
    } _SEH2_END;
    if (Base != NULL)
        ZwFreeVirtualMemory(NtCurrentProcess(), (PVOID *)&Base, &Size, MEM_RELEASE);
    KeUnstackDetachProcess(&ApcState);
    MmDeleteTeb(Process, Teb);
    Thread->Tcb.Teb = NULL;
}

NTSTATUS PsRunUserThread(PEPROCESS Process, PVOID StartAddress, PVOID Argument, PNTSTATUS ExitStatus)
{
    ULONG StackPages = KERNEL_STACK_SIZE / PAGE_SIZE;
    BOOLEAN EndProcess;
    PVOID KernelStack, InitialEsp;
    PETHREAD Thread;
    NTSTATUS Status;

    if (Process->ProcessExiting || Process == PsInitialSystemProcess)
        return STATUS_PROCESS_IS_TERMINATING;
    Status = ObCreateObject(KernelMode, PsThreadObjectType, NULL, KernelMode, NULL, sizeof(ETHREAD), 0, 0,
                            (PVOID *)&Thread);
    if (!NT_SUCCESS(Status))
        return Status;
    KernelStack = MmCreateKernelStack(StackPages);
    if (KernelStack == NULL) {
        ObDereferenceObject(Thread);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    KeInitializeThread(&Thread->Tcb, &Process->Pcb, KernelStack, (PUCHAR)KernelStack - KERNEL_STACK_SIZE);
    Thread->Cid.UniqueProcess = Process->UniqueProcessId;
    Thread->Cid.UniqueThread = PsAllocateId();
    Status = PspCreateUserContext(Process, Thread, Argument, &InitialEsp);
    if (NT_SUCCESS(Status)) {
        KeInitializeUserTrapFrame((PKTRAP_FRAME)KernelStack - 1, StartAddress, InitialEsp);
        MmMakeSystemRangeAddressable(Process, (PUCHAR)KernelStack - KERNEL_STACK_SIZE, (PUCHAR)KernelStack - 1);
        Thread->ExitStatus = KeRunUserThread(&Thread->Tcb, &EndProcess);
        *ExitStatus = Thread->ExitStatus;
        if (!EndProcess)
            PspDeleteUserContext(Process, Thread);
        /* NT ends a process with its last thread, with that thread's status; an ntmm thread is its only one. */
        PsTerminateProcess(Process, Thread->ExitStatus);
    }
    MmDeleteKernelStack(KernelStack, StackPages);
    ObDereferenceObject(Thread);
    return Status;
}

NTSTATUS NTAPI NtTerminateProcess(HANDLE ProcessHandle, NTSTATUS ExitStatus)
{
    PKTHREAD Thread = KeGetCurrentThread();
    PEPROCESS Process;
    NTSTATUS Status;

    /* NULL: every other thread of this process; a thread of ntmm's is always the only one running. */
    if (ProcessHandle == NULL)
        return STATUS_SUCCESS;
    Status = ObReferenceObjectByHandle(ProcessHandle, PROCESS_TERMINATE, PsProcessObjectType, ExGetPreviousMode(),
                                       (PVOID *)&Process, NULL);
    if (!NT_SUCCESS(Status))
        return Status;
    if (&Process->Pcb == Thread->Process && KeIsUserThread(Thread)) {
        ObDereferenceObject(Process);
        KeExitUserThread(ExitStatus, TRUE);
    }
    Status = PsTerminateProcess(Process, ExitStatus);
    ObDereferenceObject(Process);
    return Status;
}

NTSTATUS NTAPI ZwTerminateProcess(HANDLE ProcessHandle, NTSTATUS ExitStatus)
{
    KPROCESSOR_MODE PreviousMode = KiEnterKernelService();
    NTSTATUS Status = NtTerminateProcess(ProcessHandle, ExitStatus);

    KiLeaveKernelService(PreviousMode);
    return Status;
}

/* Ends the calling user thread; no other thread can be ended (ntmm runs one at a time). */
NTSTATUS NTAPI NtTerminateThread(HANDLE ThreadHandle, NTSTATUS ExitStatus)
{
    PKTHREAD Thread = KeGetCurrentThread();
    PETHREAD Target;
    NTSTATUS Status;

    if (ThreadHandle == NULL)
        ThreadHandle = NtCurrentThread();
    Status = ObReferenceObjectByHandle(ThreadHandle, 0, PsThreadObjectType, ExGetPreviousMode(), (PVOID *)&Target,
                                       NULL);
    if (!NT_SUCCESS(Status))
        return Status;
    ObDereferenceObject(Target);
    if (&Target->Tcb != Thread || !KeIsUserThread(Thread))
        return STATUS_ACCESS_DENIED;
    KeExitUserThread(ExitStatus, FALSE);
}

NTSTATUS NTAPI NtYieldExecution(VOID)
{
    return STATUS_NO_YIELD_PERFORMED;
}
