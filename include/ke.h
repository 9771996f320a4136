/*
 * ke.h: the kernel core's interface to the rest of ntmm (not to drivers):
 * the trap frame, the processor control region, the loader block, and the
 * Ke/Ki entry points other subsystems call.
 */
#ifndef NTMM_KE_H
#define NTMM_KE_H

#include <ntddk.h>
#include <hw/i386.h>
#include <hw/pc.h>

/*
 * The trap frame every exception and interrupt stub builds (kernel/ke/trapentry.S),
 * lowest address first. HardwareEsp and HardwareSegSs exist only for traps
 * from ring 3; from ring 0 the interrupted stack pointer is the address just
 * past EFlags (KiTrapFrameEsp).
 */
typedef struct _KTRAP_FRAME {
    ULONG SegGs, SegFs, SegEs, SegDs;
    ULONG Edi, Esi, Ebp, PushedEsp, Ebx, Edx, Ecx, Eax; /* pushad */
    ULONG TrapNumber;
    ULONG ErrCode;
    ULONG Eip, SegCs, EFlags;
    ULONG HardwareEsp, HardwareSegSs;
} KTRAP_FRAME, *PKTRAP_FRAME;
_Static_assert(sizeof(KTRAP_FRAME) == 76, "trap frame must match trapentry.S");

#define KiTrapFrameFromUserMode(TrapFrame) (((TrapFrame)->SegCs & RPL_MASK) != 0)
ULONG KiTrapFrameEsp(PKTRAP_FRAME TrapFrame);

/*
 * The kernel's part of a process (EPROCESS.Pcb): the address space it runs
 * in. DirectoryTableBase[0] is what CR3 holds while one of its threads runs
 * or a thread is attached to it; [1] is its hyperspace page table.
 */
typedef struct _KPROCESS {
    ULONG_PTR DirectoryTableBase[2];
    LIST_ENTRY ThreadListHead;
} KPROCESS;

/*
 * The kernel's part of a thread (ETHREAD.Tcb). ApcState.Process is the
 * address space the thread is in now: its own process, or the one it is
 * attached to. ntmm has no scheduler: the boot thread runs kernel code, and
 * a thread of a user process runs while the kernel runs it (ps/usermode.c).
 */
typedef struct _KTHREAD {
    PVOID InitialStack;           /* the kernel stack's top (highest address) */
    PVOID StackLimit;
    PVOID Teb;                    /* user-mode threads: the TEB's address in their process */
    KAPC_STATE ApcState;
    KAPC_STATE SavedApcState;     /* the home state while attached by KeAttachProcess */
    UCHAR ApcStateIndex;          /* 0 at home, 1 while attached */
    KPROCESSOR_MODE PreviousMode; /* the mode the current system service was called from */
    struct _KTRAP_FRAME *TrapFrame; /* the user-mode state to return to */
    PKPROCESS Process;            /* the thread's own process */
    LIST_ENTRY ThreadListEntry;   /* in Process->ThreadListHead */
} KTHREAD;

/* The processor control region: one processor, reachable as KeGetPcr() and through fs. */
typedef struct _KPCR {
    PKSEH_FRAME ExceptionList;   /* offset 0, as NT_TIB.ExceptionList */
    ULONG_PTR StackBase;         /* the current kernel stack's top and limit */
    ULONG_PTR StackLimit;
    struct _KSTACK_CONTROL *StackControl; /* at StackBase when KeCallOnKernelStack made the stack, else NULL */
    struct _KPCR *SelfPcr;
    KIRQL Irql;
    ULONG InterruptCount;
    ULONG TrapCount[EXCEPTION_VECTORS]; /* how often each exception vector was taken */
    LIST_ENTRY DpcListHead;      /* queued DPCs, run when IRQL drops below DISPATCH_LEVEL */
    BOOLEAN DpcRequested;
    ULONG DpcCount;
    PKTSS TSS;
    PKTHREAD CurrentThread;      /* NT keeps it in the KPRCB; NULL until PsInitSystem */
} KPCR, *PKPCR;

extern KPCR KiPcr;
#define KeGetPcr() (&KiPcr)

/*
 * Raising to DISPATCH_LEVEL and back, inline, for the kernel's own hot
 * paths (the PFN lock, hyperspace). DISPATCH_LEVEL masks no device line,
 * so only the level changes; lowering with DPCs queued takes KeLowerIrql's
 * path, which runs them. The barriers keep the compiler from moving memory
 * accesses out of the raised region.
 */
FORCEINLINE KIRQL KiRaiseIrqlToDispatch(VOID)
{
    KIRQL OldIrql = KiPcr.Irql;

    if (OldIrql > DISPATCH_LEVEL)
        KeBugCheckEx(IRQL_NOT_GREATER_OR_EQUAL, OldIrql, DISPATCH_LEVEL, 0, 9);
    KiPcr.Irql = DISPATCH_LEVEL;
    __asm__ volatile("" ::: "memory");
    return OldIrql;
}

VOID KiDispatchPendingDpcs(KIRQL Irql);

/* Lowers first and looks for DPCs after, for the reason KeLowerIrql gives. */
FORCEINLINE VOID KiLowerIrqlFromDispatch(KIRQL OldIrql)
{
    __asm__ volatile("" ::: "memory");
    KiPcr.Irql = OldIrql;
    __asm__ volatile("" ::: "memory");
    if (KiPcr.DpcRequested && OldIrql < DISPATCH_LEVEL)
        KiDispatchPendingDpcs(OldIrql);
}

/*
 * Interrupt windows: points where an interrupt may arrive between two
 * steps that must agree with each other. A test sets KiInterruptWindowHook
 * to play such an interrupt (queue a DPC, run it on the way out when the
 * IRQL allows) at one chosen window, so a race is provoked for real rather
 * than hoped for; otherwise the hook is NULL and a window costs a load and
 * a branch. Windows sit only on slow paths.
 */
typedef enum _KI_INTERRUPT_WINDOW {
    KiWindowLowerIrql,           /* KeLowerIrql, just before the new IRQL is stored */
    KiWindowRaiseIrql,           /* KeRaiseIrql above DISPATCH_LEVEL, between the mask and the store, if IF is set */
    KiWindowSystemPageTable,     /* MiEnsureSystemPageTable, between its unlocked look and the PFN lock */
    KiWindowPoolTrackerClaim,    /* ExpFindTracker, between a miss in a tracker cache and the index's lock */
} KI_INTERRUPT_WINDOW;

typedef VOID (*PKI_INTERRUPT_WINDOW_HOOK)(KI_INTERRUPT_WINDOW Window);
extern PKI_INTERRUPT_WINDOW_HOOK volatile KiInterruptWindowHook;

#define KI_INTERRUPT_WINDOW(Window)                \
    do {                                           \
        if (KiInterruptWindowHook != NULL)         \
            KiInterruptWindowHook(Window);         \
    } while (0)

/* What the loader told us, copied out of the multiboot structures before they can be unmapped. */
#define LOADER_MAXIMUM_MEMORY_RANGES 64
#define LOADER_MAXIMUM_MODULES 32
#define LOADER_COMMAND_LINE_LENGTH 256
#define LOADER_UPPER_MEMORY_BASE 0x100000 /* where multiboot's mem_upper starts counting */

typedef struct _LOADER_MEMORY_RANGE {
    ULONGLONG BaseAddress;
    ULONGLONG Length;
    ULONG Type;                  /* MULTIBOOT_MEMORY_* */
} LOADER_MEMORY_RANGE, *PLOADER_MEMORY_RANGE;

typedef struct _LOADER_MODULE {
    ULONG PhysicalStart, PhysicalEnd;
} LOADER_MODULE, *PLOADER_MODULE;

typedef struct _LOADER_PARAMETER_BLOCK {
    ULONG MultibootInfoPhysical;
    ULONG MemLowerKb, MemUpperKb;
    ULONG MemoryRangeCount;
    LOADER_MEMORY_RANGE MemoryRanges[LOADER_MAXIMUM_MEMORY_RANGES];
    BOOLEAN MemoryRangesFromSizes;   /* no map: the ranges are mem_lower and mem_upper */
    ULONG MemoryRangesLeftOut;       /* map entries past the block's room: RAM lost, holes cut out of it */
    ULONG ModuleCount;
    LOADER_MODULE Modules[LOADER_MAXIMUM_MODULES];
    CHAR CommandLine[LOADER_COMMAND_LINE_LENGTH];
    CHAR BootLoaderName[32];
} LOADER_PARAMETER_BLOCK, *PLOADER_PARAMETER_BLOCK;

extern LOADER_PARAMETER_BLOCK KeLoaderBlock;
NTSTATUS KiCopyLoaderBlock(ULONG MultibootInfoPhysical, PLOADER_PARAMETER_BLOCK Block);

/*
 * LOADER_BLOCK_MISMATCH's first parameter when the loader's data cannot all
 * be recorded (NT documents only 3, an extension of the wrong size); then
 * the copy's status, the multiboot information's address, and
 * LOADER_MAXIMUM_MODULES.
 */
#define KI_LOADER_BLOCK_UNRECORDED 1

extern const ULONG NtBuildNumber;

/*
 * The processor's guards against the kernel touching user pages
 * (cpufeat.c). SMEP is on whenever the processor has it: ring 0 never runs
 * user code. SMAP is opt-in (the `smap` command-line switch), because NT
 * x86 lets kernel code touch user memory inside a try block; with it on,
 * the kernel reaches user pages only inside KiAllowUserAccess ...
 * KiForbidUserAccess (stac/clac), which the probe and copy helpers use.
 */
extern BOOLEAN KeSmepEnabled, KeSmapEnabled;
VOID KiInitializeProcessorProtection(VOID);
VOID KiSetSmap(BOOLEAN Enable);

FORCEINLINE VOID KiAllowUserAccess(VOID)
{
    if (KeSmapEnabled)
        __asm__ volatile("stac" ::: "memory", "cc");
}

FORCEINLINE VOID KiForbidUserAccess(VOID)
{
    if (KeSmapEnabled)
        __asm__ volatile("clac" ::: "memory", "cc");
}

/* CPU features found at boot (CPUID leaf 1, EDX). */
extern ULONG KeFeatureBits;

/* Image layout from linker.ld. */
extern UCHAR __ImageBase[], __TextEnd[], __RoDataEnd[], __ImageEnd[];

/* The boot structures boot/multiboot.S builds and the stacks it sets up. */
extern ULONG KiBootPageDirectory[];
extern UCHAR KiBootStackGuard[], KiBootStackLimit[], KiBootStackTop[];
#define KERNEL_STACK_SIZE (3 * PAGE_SIZE)

NTSTATUS KeCallOnKernelStack(ULONG Pages, ULONG (*Function)(PVOID), PVOID Context, PULONG Result);

/* Processes and threads (procobj.c): the address space a thread runs in. */
VOID KeInitializeProcess(PKPROCESS Process, ULONG_PTR DirectoryTableBase, ULONG_PTR HyperSpaceTableBase);
VOID KeInitializeThread(PKTHREAD Thread, PKPROCESS Process, PVOID InitialStack, PVOID StackLimit);
VOID KiSwapProcess(PKPROCESS Process);
#define KeGetCurrentProcess() (KiPcr.CurrentThread->ApcState.Process)

/*
 * A Zw* call is its Nt* service run with PreviousMode KernelMode, which is
 * what NT's system-service dispatcher sets for a caller in kernel mode: the
 * service then trusts its pointer arguments instead of probing them.
 */
FORCEINLINE KPROCESSOR_MODE KiEnterKernelService(VOID)
{
    PKTHREAD Thread = KiPcr.CurrentThread;
    KPROCESSOR_MODE PreviousMode = Thread->PreviousMode;

    Thread->PreviousMode = KernelMode;
    return PreviousMode;
}

FORCEINLINE VOID KiLeaveKernelService(KPROCESSOR_MODE PreviousMode)
{
    KiPcr.CurrentThread->PreviousMode = PreviousMode;
}

/*
 * User mode (usermode.c, syscall.c). A thread runs in ring 3 while the
 * kernel runs it: KeRunUserThread returns its exit status when it ends,
 * with *EndProcess TRUE when it ended its process (NtTerminateProcess of
 * its own, or an exception user mode did not handle).
 */
VOID KeInitializeUserTrapFrame(PKTRAP_FRAME TrapFrame, PVOID Eip, PVOID Esp);
/* The x87 control word a new user thread starts with, NT's: every exception masked, 53-bit precision. */
#define KI_INITIAL_FPU_CONTROL_WORD 0x27F
NTSTATUS KeRunUserThread(PKTHREAD Thread, PBOOLEAN EndProcess);
DECLSPEC_NORETURN VOID KeExitUserThread(NTSTATUS ExitStatus, BOOLEAN EndProcess);
BOOLEAN KeIsUserThread(PKTHREAD Thread);
VOID KiSystemService(PKTRAP_FRAME TrapFrame);
VOID KiDebugService(PKTRAP_FRAME TrapFrame);
DECLSPEC_NORETURN VOID KiDispatchUserException(NTSTATUS Status, PKTRAP_FRAME TrapFrame);
VOID KiSetTebSegment(PVOID Teb);

/*
 * The system-service table int 0x2E indexes (NT's KSERVICE_TABLE_DESCRIPTOR):
 * the services, how often each was called, how many there are and the bytes
 * of arguments each takes from the caller's stack.
 */
typedef struct _KSERVICE_TABLE_DESCRIPTOR {
    const ULONG_PTR *Base;
    PULONG Count;
    ULONG Limit;
    const UCHAR *Number;
} KSERVICE_TABLE_DESCRIPTOR, *PKSERVICE_TABLE_DESCRIPTOR;
extern KSERVICE_TABLE_DESCRIPTOR KeServiceDescriptorTable;

/* Boot and initialisation. */
VOID KiSetProcessorFeatures(VOID);
VOID KiInitializeGdt(VOID);
VOID KiInitializeIdt(VOID);
VOID KiInitializeDoubleFaultTask(VOID);
BOOLEAN KeCommandLineHasOption(PCSTR Option, PCSTR *Value);
extern BOOLEAN KeTestBoot;

/* Traps and exceptions. */
typedef BOOLEAN (*PKTRAP_HANDLER)(PKTRAP_FRAME TrapFrame);
VOID KiDispatchTrap(PKTRAP_FRAME TrapFrame);
VOID KiTrap0E(PKTRAP_FRAME TrapFrame);
VOID KiSetIdtGate(ULONG Vector, PVOID Handler, USHORT Selector, USHORT Access);
extern KIDTENTRY KiIdt[IDT_ENTRIES];
extern KGDTENTRY KiGdt[KGDT_ENTRIES];
DECLSPEC_NORETURN VOID KiDispatchException(PEXCEPTION_RECORD ExceptionRecord, PKTRAP_FRAME TrapFrame);
BOOLEAN KeExceptionHandlerActive(VOID);
BOOLEAN KeInvalidAccessAllowed(PKTRAP_FRAME TrapFrame);
UCHAR KiProbeRead(PVOID Address);
VOID KiProbeWrite(PVOID Address);
DECLSPEC_NORETURN VOID KiSehLongJump(PKSEH_JUMP_BUFFER JumpBuffer, int Value);

/* Kernel stacks and the chain KeCallOnKernelStack makes of them (kstack.c). */
/*
 * At the base of a stack KeCallOnKernelStack switched to: the stack it was
 * called from, as NT's KSTACK_CONTROL records it for a kernel-stack callout.
 * Following these records back, exception dispatch and stack traces reach
 * the frames of every stack the current one was called from.
 */
typedef struct _KSTACK_CONTROL {
    ULONG_PTR PreviousStackBase;
    ULONG_PTR PreviousStackLimit;
    struct _KSTACK_CONTROL *PreviousControl;   /* NULL: the previous stack is the boot stack */
} KSTACK_CONTROL, *PKSTACK_CONTROL;

/*
 * One stack of the chain (kstack.c): its bounds, its KSTACK_CONTROL (NULL
 * for the boot stack) and how many calls back from the current stack it is.
 */
typedef struct _KSTACK_SEGMENT {
    ULONG_PTR StackBase;
    ULONG_PTR StackLimit;
    PKSTACK_CONTROL Control;
    ULONG Depth;
} KSTACK_SEGMENT, *PKSTACK_SEGMENT;

/* A walk along saved EBPs, from a frame out to its callers, across the chain of stacks. */
typedef struct _KSTACK_WALK {
    ULONG_PTR Ebp;               /* [Ebp] the caller's EBP, [Ebp + 4] this frame's return address */
    KSTACK_SEGMENT Segment;      /* the stack that holds it */
} KSTACK_WALK, *PKSTACK_WALK;

#define KSTACK_MAXIMUM_CHAIN 64  /* stacks a walk follows back before it stops trusting the records */
BOOLEAN KiFindStackSegment(ULONG_PTR Address, ULONG Length, PKSTACK_SEGMENT Segment);
VOID KiSetCurrentStack(PKSTACK_SEGMENT Segment);
BOOLEAN KiStartStackWalk(PKSTACK_WALK Walk, ULONG_PTR Ebp);
BOOLEAN KiNextStackFrame(PKSTACK_WALK Walk);
#define KiStackFrameReturnAddress(Walk) (((PULONG_PTR)(Walk)->Ebp)[1])

/* Bugcheck. */
DECLSPEC_NORETURN VOID KeBugCheckWithTf(ULONG BugCheckCode, ULONG_PTR P1, ULONG_PTR P2,
                                        ULONG_PTR P3, ULONG_PTR P4, PKTRAP_FRAME TrapFrame);
/* Called once a stop is printed; TRUE when the stop is the one a test boot expected. */
typedef BOOLEAN (*PKBUGCHECK_HOOK)(ULONG BugCheckCode, const ULONG_PTR Parameters[4]);
extern PKBUGCHECK_HOOK KiBugCheckHook;
extern ULONG KiBugCheckData[5];               /* the last stop's code and parameters, for debuggers */
PCSTR KeBugCheckName(ULONG BugCheckCode);
typedef VOID (*PKDEBUG_PRINT_HOOK)(PCSTR Text, ULONG Length);
extern PKDEBUG_PRINT_HOOK KiDebugPrintHook;   /* sees what each DbgPrint sends to COM1 (tests) */
PCSTR KiSymbolFromAddress(ULONG_PTR Address, ULONG_PTR *Offset);
VOID KiPrintStackTrace(ULONG_PTR Ebp, ULONG_PTR Eip);
DECLSPEC_NORETURN VOID KiHaltProcessor(VOID);

/* Clock, timers and DPCs. */
extern volatile ULONGLONG KeTickCount;
extern LARGE_INTEGER KeBootTime;   /* the system time at tick 0, from the RTC (clock.c) */
VOID KiWriteSystemTime(volatile KSYSTEM_TIME *Time, ULONGLONG Value);
VOID KiClockInterrupt(PKTRAP_FRAME TrapFrame);
VOID KiInitializeSystemTime(VOID);
LONGLONG KiSystemTimeAtTick(ULONGLONG Ticks);
VOID KiInitializeDpcQueue(VOID);
VOID KiRetireDpcList(VOID);
VOID KiExpireTimers(VOID);

/* Leaving QEMU through isa-debug-exit on a test boot (KI_EXIT_* in hw/pc.h). */
DECLSPEC_NORETURN VOID KiExitEmulator(UCHAR Code);

/* Small CPU helpers. */
#define KiReadCr0() __readcr0()
#define KiReadCr2() __readcr2()
#define KiReadCr3() __readcr3()
#define KiReadCr4() __readcr4()
#define KiWriteCr0(Value) __writecr0(Value)
#define KiWriteCr3(Value) __writecr3(Value)
#define KiWriteCr4(Value) __writecr4(Value)
FORCEINLINE ULONG KiReadEFlags(void) { ULONG v; __asm__ volatile("pushfl; popl %0" : "=r"(v)); return v; }
FORCEINLINE void _disable(void) { __asm__ volatile("cli" : : : "memory"); }
FORCEINLINE void _enable(void) { __asm__ volatile("sti" : : : "memory"); }
FORCEINLINE void __halt(void) { __asm__ volatile("hlt" : : : "memory"); }
FORCEINLINE void __invlpg(PVOID Address) { __asm__ volatile("invlpg (%0)" : : "r"(Address) : "memory"); }
FORCEINLINE void __wbinvd(void) { __asm__ volatile("wbinvd" : : : "memory"); }
FORCEINLINE ULONGLONG __rdtsc(void) { ULONGLONG v; __asm__ volatile("rdtsc" : "=A"(v)); return v; }
FORCEINLINE void __cpuid(ULONG Regs[4], ULONG Leaf)
{
    __asm__ volatile("cpuid" : "=a"(Regs[0]), "=b"(Regs[1]), "=c"(Regs[2]), "=d"(Regs[3]) : "a"(Leaf), "c"(0));
}
FORCEINLINE ULONGLONG __readmsr(ULONG Msr)
{
    ULONGLONG v;
    __asm__ volatile("rdmsr" : "=A"(v) : "c"(Msr));
    return v;
}
FORCEINLINE void __writemsr(ULONG Msr, ULONGLONG Value)
{
    __asm__ volatile("wrmsr" : : "c"(Msr), "A"(Value));
}

#endif
