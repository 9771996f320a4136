/* misbehave.h: what misbehave.c does for each argument, shared with the kernel test that runs it (user_test.c). */
#ifndef NTMM_MISBEHAVE_H
#define NTMM_MISBEHAVE_H

enum {
    ReadKernelMemory = 1,
    WriteReadOnlyData,
    ReadFreeMemory,
    DivideByZero,
    PrivilegedInstruction,
    KernelPointerToService,
    KernelArgumentsToService,
    UnknownService,
    GrowTheStack,
    OverflowTheStack,
    TerminateOwnProcess,
    Breakpoint,
    TouchGuardPage,
    FreeOwnTebThenEndThread,
    ReadOnlyTebThenGrowStack,
    MisalignedServiceArguments,
    PrivilegedInstructionAtPageEnd,
    CommitBelowTheGuardThenGrow,
    ServiceArgumentsOnAFreePage,
    ServiceArgumentsAtTheProbeLimit,
    KernelPointersToEveryService,
    ServiceWritesIntoTheStackGuard,
    LeaveFpuSecret,
    ReadFpuResidue,
    LeaveMmxSecret,
    ReadMmxResidue,
    ReadFpuControlWord,
    GuardedTebThenGrowStack,
    NoAccessTebThenGrowStack,
};

#endif
