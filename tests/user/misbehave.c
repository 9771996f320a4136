/*
 * misbehave.c: a ring-3 program that does, on purpose, what user code must
 * not get away with (Argument picks which). The kernel has to end the
 * process with the exception's status, or fail the system call, and stay
 * intact; user_test.c checks each outcome.
 */
#include "user.h"
#include "misbehave.h"


static const ULONG ReadOnlyWord = 0x1234;

/* The services' numbers, as the stubs number them. */
#define SERVICE_NUMBER(Name, Bytes) Number##Name,
enum { NTMM_SYSTEM_SERVICES(SERVICE_NUMBER) };

static PTEB CurrentTeb(VOID)
{
    PTEB Teb;

    __asm__ volatile("movl %%fs:0x18, %0" : "=r"(Teb));
    return Teb;
}

/*
 * Uses Depth * 1 KB of stack. The volatile array keeps the recursion, and
 * handing its address to the empty asm keeps the whole array: clang
 * otherwise keeps only the two bytes used, and the stack never grows.
 */
static ULONG Recurse(ULONG Depth)
{
    volatile UCHAR Frame[1024];

    __asm__ volatile("" : : "r"(Frame) : "memory");
    Frame[0] = (UCHAR)Depth;
    Frame[sizeof(Frame) - 1] = (UCHAR)Depth;
    return Depth == 0 ? Frame[0] : Recurse(Depth - 1) + Frame[sizeof(Frame) - 1];
}

/* Every service given a kernel address for each pointer argument: a bit for each call that did not fail so. */
static ULONG PassKernelPointers(VOID)
{
    PVOID Kernel = (PVOID)0x80100000, Base = NULL;
    SIZE_T Size = PAGE_SIZE;
    ULONG Old, Word, Wrong = 0, Bit = 0;
    NTSTATUS Results[] = {
        NtAllocateVirtualMemory(NtCurrentProcess(), &Base, 0, (PSIZE_T)Kernel, MEM_RESERVE, PAGE_READWRITE),
        NtFreeVirtualMemory(NtCurrentProcess(), (PVOID *)Kernel, &Size, MEM_RELEASE),
        NtFreeVirtualMemory(NtCurrentProcess(), &Base, (PSIZE_T)Kernel, MEM_RELEASE),
        NtProtectVirtualMemory(NtCurrentProcess(), (PVOID *)Kernel, &Size, PAGE_READONLY, &Old),
        NtProtectVirtualMemory(NtCurrentProcess(), &Base, (PSIZE_T)Kernel, PAGE_READONLY, &Old),
        NtProtectVirtualMemory(NtCurrentProcess(), &Base, &Size, PAGE_READONLY, (PULONG)Kernel),
        NtQueryVirtualMemory(NtCurrentProcess(), &Word, MemoryBasicInformation, Kernel,
                             sizeof(MEMORY_BASIC_INFORMATION), NULL),
        NtQueryVirtualMemory(NtCurrentProcess(), &Word, MemoryBasicInformation, &Word, 0x1000, (PSIZE_T)Kernel),
        NtReadVirtualMemory(NtCurrentProcess(), &Word, Kernel, sizeof(Word), NULL),
        NtReadVirtualMemory(NtCurrentProcess(), Kernel, &Word, sizeof(Word), NULL),
        NtReadVirtualMemory(NtCurrentProcess(), &Word, &Word, sizeof(Word), (PSIZE_T)Kernel),
        NtWriteVirtualMemory(NtCurrentProcess(), Kernel, &Word, sizeof(Word), NULL),
        NtWriteVirtualMemory(NtCurrentProcess(), &Word, Kernel, sizeof(Word), NULL),
    };

    for (ULONG i = 0; i < sizeof(Results) / sizeof(Results[0]); i++, Bit++) {
        if (Results[i] != STATUS_ACCESS_VIOLATION)
            Wrong |= 1u << Bit;
    }
    return Wrong;
}

ULONG NTAPI UserMain(PVOID Argument)
{
    PVOID Base = NULL;
    SIZE_T Size = PAGE_SIZE;
    volatile ULONG Zero = 0;

    switch ((ULONG)Argument) {
    case ReadKernelMemory:
        return *(volatile ULONG *)0x80100000;
    case WriteReadOnlyData:
        *(volatile ULONG *)&ReadOnlyWord = 0;
        return 0;
    case ReadFreeMemory:
        return *(volatile ULONG *)0x00030000;
    case DivideByZero:
        return 100 / Zero;
    case PrivilegedInstruction:
        __asm__ volatile("cli");
        return 0;
    case KernelPointerToService:
        return NtAllocateVirtualMemory(NtCurrentProcess(), (PVOID *)0x80001000, 0, &Size, MEM_RESERVE,
                                       PAGE_READWRITE);
    case KernelArgumentsToService:
        return UserSystemCall(0, (PVOID)0x80001000);
    case UnknownService:
        return UserSystemCall(0x1000, NULL);
    case GrowTheStack:
        return Recurse(100);                     /* 100 KB: well past the 16 KB committed at the start */
    case OverflowTheStack:
        return Recurse(1000000);
    case TerminateOwnProcess:
        NtTerminateProcess(NtCurrentProcess(), 0x1234);
        return 0;
    case Breakpoint:
        __asm__ volatile("int3");
        return 0;
    case FreeOwnTebThenEndThread:
        Base = CurrentTeb();
        Size = 0;
        if (NtFreeVirtualMemory(NtCurrentProcess(), &Base, &Size, MEM_RELEASE) != STATUS_SUCCESS)
            return 0xBAD;
        return 0x600D;                           /* _start ends the thread: the kernel must not need the TEB */
    case ReadOnlyTebThenGrowStack: {
        ULONG Old;

        Base = CurrentTeb();
        NtProtectVirtualMemory(NtCurrentProcess(), &Base, &Size, PAGE_READONLY, &Old);
        return Recurse(100);
    }
    case MisalignedServiceArguments: {
        UCHAR Frame[8];
        HANDLE Bad = (HANDLE)0x1230;

        __builtin_memcpy(Frame + 1, &Bad, sizeof(Bad));    /* NtClose's one argument, at an odd address */
        return UserSystemCall(NumberNtClose, Frame + 1);
    }
    case PrivilegedInstructionAtPageEnd: {
        PUCHAR Code;

        Size = PAGE_SIZE;
        NtAllocateVirtualMemory(NtCurrentProcess(), &Base, 0, &Size, MEM_RESERVE | MEM_COMMIT,
                                PAGE_EXECUTE_READWRITE);
        Code = (PUCHAR)Base + PAGE_SIZE - 1;     /* the page after it is free */
        *Code = 0xF4;                            /* hlt */
        ((VOID (*)(VOID))Code)();
        return 0;
    }
    case CommitBelowTheGuardThenGrow: {
        PUCHAR Guard = (PUCHAR)CurrentTeb()->NtTib.StackLimit - PAGE_SIZE;

        /* The page under the guard committed and written by the program itself... */
        Base = Guard - PAGE_SIZE;
        if (NtAllocateVirtualMemory(NtCurrentProcess(), &Base, 0, &Size, MEM_COMMIT, PAGE_READWRITE) !=
            STATUS_SUCCESS)
            return 0xBAD;
        *(volatile ULONG *)(Guard - PAGE_SIZE) = 0x600D;
        /* ...then the guard is hit: the guard moves onto that page, which keeps its data. */
        (VOID)*(volatile ULONG *)Guard;
        return *(volatile ULONG *)(Guard - PAGE_SIZE);
    }
    case ServiceArgumentsOnAFreePage:
        return UserSystemCall(NumberNtClose, (PVOID)0x00030000);
    case ServiceArgumentsAtTheProbeLimit:
        /* The last bytes below MI_USER_PROBE_ADDRESS are reserved, never committed: the copy faults. */
        return UserSystemCall(NumberNtClose, (PVOID)(MI_USER_PROBE_ADDRESS - sizeof(HANDLE)));
    case KernelPointersToEveryService:
        return PassKernelPointers();
    case ServiceWritesIntoTheStackGuard: {
        PTEB Teb = CurrentTeb();
        PUCHAR Limit = Teb->NtTib.StackLimit;
        MEMORY_BASIC_INFORMATION *Answer = (MEMORY_BASIC_INFORMATION *)(Limit - sizeof(MEMORY_BASIC_INFORMATION));
        NTSTATUS Status = NtQueryVirtualMemory(NtCurrentProcess(), Limit, MemoryBasicInformation, Answer,
                                               sizeof(*Answer), NULL);

        /* The kernel's own write into the guard page grew the stack, as a push would have. */
        return Status != STATUS_SUCCESS ? (ULONG)Status : Teb->NtTib.StackLimit == Limit ? 0xBAD : 0x600D;
    }
    case LeaveFpuSecret: {
        static const ULONG Secret = 0x600D;

        __asm__ volatile("fildl %0" : : "m"(Secret));    /* left on the x87 stack when the process ends */
        return 0;
    }
    case LeaveMmxSecret:
        __asm__ volatile("movd %0, %%mm1" : : "r"(0x600D));   /* left in MMX register 1 */
        return 0;
    case ReadFpuResidue: {
        ULONG Environment[7];                         /* FNSTENV's image: control, status, tag words... */

        __asm__ volatile("fnstenv %0" : "=m"(Environment));
        return (Environment[2] & 0xFFFF) | (Environment[1] & 0xFFFF) << 16;
    }
    case ReadMmxResidue: {
        ULONG Value;

        __asm__ volatile("movd %%mm1, %0" : "=r"(Value));
        __asm__ volatile("emms");
        return Value;
    }
    case ReadFpuControlWord: {
        USHORT Word;

        __asm__ volatile("fnstcw %0" : "=m"(Word));
        return Word;
    }
    case GuardedTebThenGrowStack:
    case NoAccessTebThenGrowStack: {
        ULONG Old;

        Base = CurrentTeb();
        NtProtectVirtualMemory(NtCurrentProcess(), &Base, &Size,
                               (ULONG)Argument == GuardedTebThenGrowStack ? PAGE_READWRITE | PAGE_GUARD : PAGE_NOACCESS,
                               &Old);
        return Recurse(100);
    }
    case TouchGuardPage:
        NtAllocateVirtualMemory(NtCurrentProcess(), &Base, 0, &Size, MEM_RESERVE | MEM_COMMIT,
                                PAGE_READWRITE | PAGE_GUARD);
        return *(volatile ULONG *)Base;
    }
    return 0xFFFFFFFF;
}
