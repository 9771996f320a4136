/*
 * ke.h: the kernel core's interface to the rest of ntmm (not to drivers):
 * the trap frame, the processor control region, the loader block, and the
 * Ke/Ki entry points other subsystems call.
 */
#ifndef NTMM_KE_H
#define NTMM_KE_H

#include <ntddk.h>
#include <hw/i386.h>

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

FORCEINLINE VOID KiLowerIrqlFromDispatch(KIRQL OldIrql)
{
    __asm__ volatile("" ::: "memory");
    if (KiPcr.DpcRequested && OldIrql < DISPATCH_LEVEL)
        KeLowerIrql(OldIrql);
    else
        KiPcr.Irql = OldIrql;
}

/* What the loader told us, copied out of the multiboot structures before they can be unmapped. */
#define LOADER_MAXIMUM_MEMORY_RANGES 64
#define LOADER_MAXIMUM_MODULES 8
#define LOADER_COMMAND_LINE_LENGTH 256

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
    ULONG ModuleCount;
    LOADER_MODULE Modules[LOADER_MAXIMUM_MODULES];
    CHAR CommandLine[LOADER_COMMAND_LINE_LENGTH];
    CHAR BootLoaderName[32];
} LOADER_PARAMETER_BLOCK, *PLOADER_PARAMETER_BLOCK;

extern LOADER_PARAMETER_BLOCK KeLoaderBlock;

/* CPU features found at boot (CPUID leaf 1, EDX). */
extern ULONG KeFeatureBits;

/* Image layout from linker.ld. */
extern UCHAR __ImageBase[], __TextEnd[], __RoDataEnd[], __ImageEnd[];

/* The boot structures boot/multiboot.S builds and the stacks it sets up. */
extern ULONG KiBootPageDirectory[];
extern UCHAR KiBootStackGuard[], KiBootStackLimit[], KiBootStackTop[];
#define KERNEL_STACK_SIZE (3 * PAGE_SIZE)

NTSTATUS KeCallOnKernelStack(ULONG Pages, ULONG (*Function)(PVOID), PVOID Context, PULONG Result);

/* Boot and initialisation. */
VOID KiInitializeGdt(VOID);
VOID KiInitializeIdt(VOID);
VOID KiInitializeDoubleFaultTask(VOID);
BOOLEAN KeCommandLineHasOption(PCSTR Option, PCSTR *Value);
extern BOOLEAN KeTestBoot;

/* Traps and exceptions. */
typedef BOOLEAN (*PKTRAP_HANDLER)(PKTRAP_FRAME TrapFrame);
VOID KiDispatchTrap(PKTRAP_FRAME TrapFrame);
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
typedef VOID (*PKBUGCHECK_HOOK)(ULONG BugCheckCode, const ULONG_PTR Parameters[4]);
extern PKBUGCHECK_HOOK KiBugCheckHook;
PCSTR KeBugCheckName(ULONG BugCheckCode);
typedef VOID (*PKDEBUG_PRINT_HOOK)(PCSTR Text, ULONG Length);
extern PKDEBUG_PRINT_HOOK KiDebugPrintHook;   /* sees what each DbgPrint sends to COM1 (tests) */
PCSTR KiSymbolFromAddress(ULONG_PTR Address, ULONG_PTR *Offset);
VOID KiPrintStackTrace(ULONG_PTR Ebp, ULONG_PTR Eip);
DECLSPEC_NORETURN VOID KiHaltProcessor(VOID);

/* Clock, timers and DPCs. */
extern volatile ULONGLONG KeTickCount;
VOID KiClockInterrupt(PKTRAP_FRAME TrapFrame);
VOID KiInitializeDpcQueue(VOID);
VOID KiRetireDpcList(VOID);
VOID KiExpireTimers(VOID);

/* Leaving QEMU through isa-debug-exit on a test boot. */
#define KI_EXIT_PORT            0xF4
#define KI_EXIT_TESTS_DONE      0x10 /* QEMU exits with (0x10 << 1) | 1 = 33 */
#define KI_EXIT_BUGCHECK        0x11 /* 35 */
DECLSPEC_NORETURN VOID KiExitEmulator(UCHAR Code);

/* Small CPU helpers. */
FORCEINLINE ULONG KiReadCr0(void) { ULONG v; __asm__ volatile("mov %%cr0, %0" : "=r"(v)); return v; }
FORCEINLINE ULONG KiReadCr2(void) { ULONG v; __asm__ volatile("mov %%cr2, %0" : "=r"(v)); return v; }
FORCEINLINE ULONG KiReadCr3(void) { ULONG v; __asm__ volatile("mov %%cr3, %0" : "=r"(v)); return v; }
FORCEINLINE ULONG KiReadCr4(void) { ULONG v; __asm__ volatile("mov %%cr4, %0" : "=r"(v)); return v; }
FORCEINLINE void KiWriteCr0(ULONG v) { __asm__ volatile("mov %0, %%cr0" : : "r"(v) : "memory"); }
FORCEINLINE void KiWriteCr3(ULONG v) { __asm__ volatile("mov %0, %%cr3" : : "r"(v) : "memory"); }
FORCEINLINE void KiWriteCr4(ULONG v) { __asm__ volatile("mov %0, %%cr4" : : "r"(v) : "memory"); }
FORCEINLINE ULONG KiReadEFlags(void) { ULONG v; __asm__ volatile("pushfl; popl %0" : "=r"(v)); return v; }
FORCEINLINE void _disable(void) { __asm__ volatile("cli" : : : "memory"); }
FORCEINLINE void _enable(void) { __asm__ volatile("sti" : : : "memory"); }
FORCEINLINE void __halt(void) { __asm__ volatile("hlt" : : : "memory"); }
FORCEINLINE void __invlpg(PVOID Address) { __asm__ volatile("invlpg (%0)" : : "r"(Address) : "memory"); }
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
