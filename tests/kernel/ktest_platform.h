/*
 * ktest_platform.h: what ktest.c needs from where it runs: output, a jump
 * buffer to end a case early, the command line, and the checks around each
 * case. In the kernel a case also has to give back the IRQL and the
 * exception list it found; on the host (KTEST_HOST) those do not exist.
 * Included by ktest.c only.
 */
#ifndef NTMM_KTEST_PLATFORM_H
#define NTMM_KTEST_PLATFORM_H

BOOLEAN KtBugCheckHook(ULONG BugCheckCode, const ULONG_PTR Parameters[4]);

#ifdef KTEST_HOST

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef jmp_buf KT_JUMP_BUFFER;
#define KtSetJump(Buffer) setjmp(*(Buffer))
#define KtLongJump(Buffer) longjmp(*(Buffer), 1)
#define KtVPrint(Format, Args) vprintf(Format, Args)
#define KtPrint printf
#define KtCopyMemory memcpy
#define KtStringCompare strcmp
#define KtStringCompareN strncmp
#define KtStringLength strlen

typedef struct { int Unused; } KT_PLATFORM_CASE_STATE;
static inline VOID KtPlatformBeginCase(KT_PLATFORM_CASE_STATE *State, ULONG Salt)
{
    (void)State;
    (void)Salt;
}
/* The host has no verifier: nothing fails on purpose, and there is nothing to sum up. */
static inline ULONG KtPlatformInjectedFailures(VOID) { return 0; }
static inline VOID KtPlatformEndRun(VOID) {}
static inline VOID KtPlatformEndCase(KT_PLATFORM_CASE_STATE *State, const KTEST_CASE *Case, BOOLEAN Returned)
{
    (void)State;
    (void)Case;
    (void)Returned;
}
static inline BOOLEAN KtPlatformCaseLeftStateBroken(KT_PLATFORM_CASE_STATE *State)
{
    (void)State;
    return FALSE;
}
/* ktest.after=X is KTEST_AFTER=X in the environment, ktest.list is KTEST_LIST, and so on. */
static inline BOOLEAN KtPlatformOption(PCSTR Name, PCSTR *Value)
{
    char Variable[64] = "KTEST_";
    PCSTR Found;

    for (size_t i = 6; i + 1 < sizeof(Variable) && Name[i] != '\0'; i++) {
        Variable[i] = (char)(Name[i] >= 'a' && Name[i] <= 'z' ? Name[i] - 'a' + 'A' : Name[i]);
        Variable[i + 1] = '\0';
    }
    Found = getenv(Variable);
    if (Value != NULL)
        *Value = Found;
    return Found != NULL;
}
static inline VOID KtPlatformInstallHook(VOID) {}
static inline VOID KtPlatformRunBugCheckCase(const KTEST_CASE *Case, ULONG Salt)
{
    KtPrint("    # bugcheck cases run only in the kernel\n");
    (void)Case;
    (void)Salt;
}
/* The host has no system state to check between suites. */
#define KT_PLATFORM_HAS_INVARIANTS 0
#define KtPlatformBeginSuite(Suite) ((void)(Suite))
static inline BOOLEAN KtPlatformCheckInvariants(PCSTR Suite)
{
    (void)Suite;
    return TRUE;
}

#else /* the kernel */

#include <ke.h>
#include <mm.h>
#include <vf.h>
#include <kprintf.h>
#include <string.h>

BOOLEAN KtCheckCaseResources(PCSTR Case);

typedef KSEH_JUMP_BUFFER KT_JUMP_BUFFER;
#define KtSetJump(Buffer) KiSehSetJump(Buffer)
#define KtLongJump(Buffer) KiSehLongJump((Buffer), 1)
#define KtPrint DbgPrint
#define KtCopyMemory memcpy
#define KtStringCompare strcmp
#define KtStringCompareN strncmp
#define KtStringLength strlen

static inline VOID KtVPrint(PCSTR Format, va_list Args)
{
    CHAR Buffer[256];

    kvsnprintf(Buffer, sizeof(Buffer), Format, Args);
    DbgPrint("%s", Buffer);
}

typedef struct _KT_PLATFORM_CASE_STATE {
    PKSEH_FRAME ExceptionList;
    KSTACK_SEGMENT Stack;
    KIRQL Irql;
    BOOLEAN Broken;
} KT_PLATFORM_CASE_STATE;

/* A case starts the low-resources simulation's stream again, salted with its name. */
static inline VOID KtPlatformBeginCase(KT_PLATFORM_CASE_STATE *State, ULONG Salt)
{
    VfReseedLowResources(Salt);
    State->ExceptionList = KiPcr.ExceptionList;
    State->Stack.StackBase = KiPcr.StackBase;
    State->Stack.StackLimit = KiPcr.StackLimit;
    State->Stack.Control = KiPcr.StackControl;
    State->Stack.Depth = 0;
    State->Irql = KeGetCurrentIrql();
    State->Broken = FALSE;
}

/*
 * An ASSERT or a SKIP on a stack KeCallOnKernelStack made jumps back to the
 * case's own stack past the finally blocks that would have made it current
 * again and freed the called stacks: the harness does both, innermost
 * first, so the next case does not run on a stack record that names a
 * stack it is not on.
 */
static inline VOID KtPlatformLeaveCalledStacks(KT_PLATFORM_CASE_STATE *State)
{
    while (KiPcr.StackControl != NULL && KiPcr.StackControl != State->Stack.Control) {
        PKSTACK_CONTROL Control = KiPcr.StackControl;
        KSTACK_SEGMENT Previous = { Control->PreviousStackBase, Control->PreviousStackLimit,
                                    Control->PreviousControl, 0 };
        PVOID StackBase = (PVOID)KiPcr.StackBase;
        ULONG Pages = (ULONG)((KiPcr.StackBase - KiPcr.StackLimit) / PAGE_SIZE);

        KiSetCurrentStack(&Previous);
        MmDeleteKernelStack(StackBase, Pages);
    }
    KiSetCurrentStack(&State->Stack);
}

/*
 * A case ended by an ASSERT or a SKIP jumps out of whatever try blocks it
 * was in: their frames are dead and the harness drops them. A case that
 * returned normally must have unregistered every frame it registered; one
 * left behind (a plain return from inside a try) fails the case, which is
 * blamed here rather than when the dead frame is next used. IRQL must come
 * back as it was, and the thread to its own process, whichever way the
 * case ended (an ASSERT inside KeStackAttachProcess leaves it attached).
 */
static inline VOID KtPlatformEndCase(KT_PLATFORM_CASE_STATE *State, const KTEST_CASE *Case, BOOLEAN Returned)
{
    KIRQL Irql = KeGetCurrentIrql();

    if (Returned && KiPcr.ExceptionList != State->ExceptionList) {
        DbgPrint("    # %s returned with a try frame still registered at %p\n", Case->Name,
                 KiPcr.ExceptionList);
        State->Broken = TRUE;
    }
    KiPcr.ExceptionList = State->ExceptionList;
    if (Irql != State->Irql) {
        DbgPrint("    # %s left IRQL at %u (it started at %u)\n", Case->Name, Irql, State->Irql);
        if (Irql > State->Irql)
            KeLowerIrql(State->Irql);
        State->Broken = TRUE;
    }
    if (KiPcr.CurrentThread != NULL && KiPcr.CurrentThread->ApcStateIndex != 0) {
        DbgPrint("    # %s left the thread attached to another process\n", Case->Name);
        KeDetachProcess();
        State->Broken = TRUE;
    }
    if (!Returned)
        KtPlatformLeaveCalledStacks(State);
    /* The case's stack is gone, and the spin locks that lived on it: deadlock detection forgets them. */
    if (VfIsEnabled(DRIVER_VERIFIER_DEADLOCK_DETECTION))
        VfDeadlockDeleteMemoryRange((PVOID)KiPcr.StackLimit,
                                    (ULONG_PTR)__builtin_frame_address(0) - KiPcr.StackLimit);
    /* Leaks are the case's, not its suite's: invariants.c compares with the suite's start. */
    if (!KtCheckCaseResources(Case->Name))
        State->Broken = TRUE;
}

static inline ULONG KtPlatformInjectedFailures(VOID)
{
    return VfInjectedFailures();
}

/* What the verifier did in the run, as a diagnostic line. */
static inline VOID KtPlatformEndRun(VOID)
{
    VfDumpStatistics();
}

static inline BOOLEAN KtPlatformCaseLeftStateBroken(KT_PLATFORM_CASE_STATE *State)
{
    return State->Broken;
}

static inline BOOLEAN KtPlatformOption(PCSTR Name, PCSTR *Value)
{
    return KeCommandLineHasOption(Name, Value);
}

static inline VOID KtPlatformInstallHook(VOID)
{
    KiBugCheckHook = KtBugCheckHook;
}

static inline VOID KtPlatformRunBugCheckCase(const KTEST_CASE *Case, ULONG Salt)
{
    VfReseedLowResources(Salt);
    Case->Function();
}

BOOLEAN KtCheckSystemInvariants(PCSTR Suite);
VOID KtBeginSuiteInvariants(PCSTR Suite);
#define KT_PLATFORM_HAS_INVARIANTS 1
#define KtPlatformBeginSuite KtBeginSuiteInvariants
#define KtPlatformCheckInvariants KtCheckSystemInvariants

#endif

/* Copies one command-line word (up to a space) with truncation. */
static inline VOID KtCopyWord(PCHAR Destination, PCSTR Source, SIZE_T Size)
{
    SIZE_T Length = 0;

    while (Source[Length] != '\0' && Source[Length] != ' ' && Length + 1 < Size) {
        Destination[Length] = Source[Length];
        Length++;
    }
    Destination[Length] = '\0';
}

#endif
