/*
 * ntsvc.h: the system services int 0x2E dispatches, in service-number
 * order, with the bytes of arguments each takes from its caller's stack.
 * The kernel's table (kernel/ke/systable.c) and the user-mode stubs
 * (tests/user/lib/syscall.S) are both built from this one list, so their
 * numbers cannot drift apart. Assembly-safe.
 */
#ifndef NTMM_NTSVC_H
#define NTMM_NTSVC_H

#define NTMM_SYSTEM_SERVICES(X)          \
    X(NtAllocateVirtualMemory, 24)       \
    X(NtFreeVirtualMemory, 16)           \
    X(NtProtectVirtualMemory, 20)        \
    X(NtQueryVirtualMemory, 24)          \
    X(NtReadVirtualMemory, 20)           \
    X(NtWriteVirtualMemory, 20)          \
    X(NtClose, 4)                        \
    X(NtTerminateProcess, 8)             \
    X(NtTerminateThread, 8)              \
    X(NtYieldExecution, 0)

#endif
