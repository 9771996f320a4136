/*
 * ps.h: processes and threads as the executive sees them (EPROCESS,
 * ETHREAD), the System process, and the small internal API that creates
 * processes and runs their user-mode code. Drivers see only the DDK's
 * opaque PEPROCESS and PETHREAD (ntddk.h).
 */
#ifndef NTMM_PS_H
#define NTMM_PS_H

#if !defined(NTMM_KERNEL_INTERNAL) && !defined(NTMM_MM_INTERNAL) && !defined(NTMM_MM_WHITEBOX_TEST) && \
    !defined(NTMM_WHITEBOX_TEST)
#error "ps.h is the kernel's view of processes; define NTMM_WHITEBOX_TEST before any include in a white-box test"
#endif

#include <ke.h>
#include <ob.h>
#include <rtl/avl.h>
#include <teb.h>
#include <ntsvc.h>

/* The memory manager's counts for a process's address space (NT's MMSUPPORT). */
typedef struct _MMSUPPORT {
    ULONG WorkingSetSize;             /* pages the process's PTEs map now, page tables included */
    ULONG PeakWorkingSetSize;
    ULONG PageFaultCount;
} MMSUPPORT, *PMMSUPPORT;

/* Quota kinds, as NT's PS_QUOTA_TYPE. */
typedef enum _PS_QUOTA_TYPE {
    PsNonPagedPool = 0,
    PsPagedPool = 1,
    PsPageFile = 2,
    PsQuotaTypes = 3
} PS_QUOTA_TYPE;

typedef struct _EPROCESS {
    KPROCESS Pcb;                     /* first: the DDK's PEPROCESS points here */
    HANDLE UniqueProcessId;
    LIST_ENTRY ActiveProcessLinks;    /* PsActiveProcessHead */
    SIZE_T QuotaUsage[PsQuotaTypes];  /* pool bytes charged (ExAllocatePoolWithQuotaTag) */
    SIZE_T QuotaPeak[PsQuotaTypes];
    SIZE_T QuotaLimit[PsQuotaTypes];
    SIZE_T CommitCharge;              /* private pages committed, in pages */
    SIZE_T VirtualSize;               /* bytes of user space reserved */
    SIZE_T PeakVirtualSize;
    MMSUPPORT Vm;
    ULONG NumberOfPrivatePages;       /* private pages resident */
    ULONG NumberOfPageTables;         /* user page tables */
    ULONG NumberOfLockedPages;        /* user pages locked by MmProbeAndLockPages */
    PUSHORT UsedPageTableEntries;     /* per user page table: PTEs that are not zero */
    RTL_AVL_RANGE_TABLE VadRoot;      /* the VAD tree (NT's MM_AVL_TABLE) */
    PKTHREAD AddressCreationLockOwner; /* MmLockAddressSpace */
    KIRQL AddressCreationLockIrql;
    PHANDLE_TABLE ObjectTable;
    NTSTATUS ExitStatus;
    PPEB Peb;
    CHAR ImageFileName[16];
    union {
        ULONG Flags;
        struct {
            ULONG VmTopDown : 1;               /* allocations and views default to top-down */
            ULONG ProcessExiting : 1;          /* its address space has been torn down */
            ULONG AddressSpaceInitialized : 1;
            ULONG SpareFlags : 29;
        };
    };
} EPROCESS;
_Static_assert(offsetof(EPROCESS, Pcb) == 0, "a PKPROCESS and a PEPROCESS are the same address");

typedef struct _ETHREAD {
    KTHREAD Tcb;                      /* first: the DDK's PETHREAD points here */
    CLIENT_ID Cid;
    NTSTATUS ExitStatus;
} ETHREAD;
_Static_assert(offsetof(ETHREAD, Tcb) == 0, "a PKTHREAD and a PETHREAD are the same address");

#define PsGetCurrentProcessEx() ((PEPROCESS)KeGetCurrentProcess())

extern LIST_ENTRY PsActiveProcessHead;
extern ULONG PsActiveProcessCount;
extern POBJECT_TYPE PsProcessObjectType, PsThreadObjectType;

VOID PsInitSystem(VOID);
HANDLE PsAllocateId(VOID);

/*
 * Creating and ending processes, for tests and the user-mode loader:
 * PsCreateProcess returns a new process, referenced once, with an empty
 * user address space (PS_CREATE_TOP_DOWN: allocations default to
 * MEM_TOP_DOWN, as NT's VmTopDown). PsTerminateProcess closes its handles
 * and frees its whole user address space now; the object and its page
 * directory go when the last reference does.
 */
#define PS_CREATE_TOP_DOWN 0x1
NTSTATUS PsCreateProcess(PCSTR ImageFileName, ULONG Flags, PEPROCESS *Process);
NTSTATUS PsTerminateProcess(PEPROCESS Process, NTSTATUS ExitStatus);
NTSTATUS PsLookupProcessByProcessId(HANDLE ProcessId, PEPROCESS *Process);

/*
 * Runs StartAddress(Argument) in ring 3 as a new thread of Process, with a
 * user stack and a TEB of its own, until the thread ends; *ExitStatus is
 * its exit status. The thread is its process's only one, so when it ends,
 * however it ends, the process ends too, as NT ends a process with its
 * last thread: its handles are closed and its address space emptied, and
 * it cannot run another thread. Fails only when the thread could not be
 * made.
 */
NTSTATUS PsRunUserThread(PEPROCESS Process, PVOID StartAddress, PVOID Argument, PNTSTATUS ExitStatus);

/* The services of ps (thread.c) are in ntsvc.h; kernel callers use the Zw form. */
NTSTATUS NTAPI ZwTerminateProcess(HANDLE ProcessHandle, NTSTATUS ExitStatus);

/* Pool quota (psquota.c): charge Amount bytes of PoolType's pool to Process, or give them back. */
NTSTATUS NTAPI PsChargeProcessPoolQuota(PEPROCESS Process, POOL_TYPE PoolType, ULONG_PTR Amount);
VOID NTAPI PsReturnPoolQuota(PEPROCESS Process, POOL_TYPE PoolType, ULONG_PTR Amount);

#endif
