/*
 * ntddk.h: the one header a driver-style source or a test includes. Every
 * API ntmm exports is declared here with its DDK prototype; the types come
 * from ntdef.h, the status codes from ntstatus.h, the stop codes from
 * bugcodes.h.
 */
#ifndef NTMM_NTDDK_H
#define NTMM_NTDDK_H

#include <ntdef.h>
#include <ntstatus.h>
#include <bugcodes.h>

/* --- IRQL ---------------------------------------------------------------- */

#define PASSIVE_LEVEL   0
#define LOW_LEVEL       0
#define APC_LEVEL       1
#define DISPATCH_LEVEL  2
#define CMCI_LEVEL      5
#define PROFILE_LEVEL   27
#define CLOCK1_LEVEL    28
#define CLOCK2_LEVEL    28
#define CLOCK_LEVEL     28
#define IPI_LEVEL       29
#define POWER_LEVEL     30
#define HIGH_LEVEL      31
#define SYNCH_LEVEL     (IPI_LEVEL - 2)

KIRQL NTAPI KeGetCurrentIrql(VOID);
VOID NTAPI KeRaiseIrql(KIRQL NewIrql, PKIRQL OldIrql);
VOID NTAPI KeLowerIrql(KIRQL NewIrql);
KIRQL NTAPI KeRaiseIrqlToDpcLevel(VOID);
KIRQL NTAPI KeRaiseIrqlToSynchLevel(VOID);

/* --- Bugcheck and debug output ------------------------------------------ */

DECLSPEC_NORETURN VOID NTAPI KeBugCheckEx(ULONG BugCheckCode,
                                          ULONG_PTR BugCheckParameter1,
                                          ULONG_PTR BugCheckParameter2,
                                          ULONG_PTR BugCheckParameter3,
                                          ULONG_PTR BugCheckParameter4);
DECLSPEC_NORETURN VOID NTAPI KeBugCheck(ULONG BugCheckCode);

ULONG DbgPrint(PCSTR Format, ...) __attribute__((format(printf, 1, 2)));
VOID NTAPI DbgBreakPoint(VOID);

/*
 * ASSERT stays compiled in the default build (NTMM_NO_ASSERT removes it) and
 * still type-checks its expression when removed.
 */
VOID NTAPI RtlAssert(PVOID FailedAssertion, PVOID FileName, ULONG LineNumber, PCHAR Message);
#ifndef NTMM_NO_ASSERT
#define ASSERT(exp) \
    ((void)((exp) ? 0 : (RtlAssert((PVOID)#exp, (PVOID)__FILE__, __LINE__, NULL), 0)))
#define ASSERTMSG(msg, exp) \
    ((void)((exp) ? 0 : (RtlAssert((PVOID)#exp, (PVOID)__FILE__, __LINE__, (PCHAR)(msg)), 0)))
#else
#define ASSERT(exp) ((void)sizeof(!(exp)))
#define ASSERTMSG(msg, exp) ((void)sizeof(!(exp)))
#endif

/* --- Structured exceptions ---------------------------------------------- */

#define EXCEPTION_MAXIMUM_PARAMETERS 15
#define EXCEPTION_NONCONTINUABLE 0x01
#define EXCEPTION_UNWINDING      0x02

#define EXCEPTION_EXECUTE_HANDLER     1
#define EXCEPTION_CONTINUE_SEARCH     0
#define EXCEPTION_CONTINUE_EXECUTION (-1)

typedef struct _EXCEPTION_RECORD {
    NTSTATUS ExceptionCode;
    ULONG ExceptionFlags;
    struct _EXCEPTION_RECORD *ExceptionRecord;
    PVOID ExceptionAddress;
    ULONG NumberParameters;
    ULONG_PTR ExceptionInformation[EXCEPTION_MAXIMUM_PARAMETERS];
} EXCEPTION_RECORD, *PEXCEPTION_RECORD;

/*
 * The integer and control part of NT's x86 CONTEXT (ntmm keeps no x87 or
 * SSE state in the kernel, so the floating-point areas are left out).
 */
#define CONTEXT_i386    0x00010000
#define CONTEXT_CONTROL (CONTEXT_i386 | 0x01)
#define CONTEXT_INTEGER (CONTEXT_i386 | 0x02)
#define CONTEXT_SEGMENTS (CONTEXT_i386 | 0x04)

typedef struct _CONTEXT {
    ULONG ContextFlags;
    ULONG SegGs, SegFs, SegEs, SegDs;
    ULONG Edi, Esi, Ebx, Edx, Ecx, Eax;
    ULONG Ebp, Eip, SegCs, EFlags, Esp, SegSs;
} CONTEXT, *PCONTEXT;

typedef struct _EXCEPTION_POINTERS {
    PEXCEPTION_RECORD ExceptionRecord;
    PCONTEXT ContextRecord;
} EXCEPTION_POINTERS, *PEXCEPTION_POINTERS;

DECLSPEC_NORETURN VOID NTAPI ExRaiseStatus(NTSTATUS Status);
DECLSPEC_NORETURN VOID NTAPI RtlRaiseException(PEXCEPTION_RECORD ExceptionRecord);

#include <pseh2.h>

/* --- Interlocked and list helpers --------------------------------------- */

#include <rtl/list.h>

/* --- Spin locks (one processor: a lock is an IRQL raise plus an owner check) -- */

typedef ULONG_PTR KSPIN_LOCK, *PKSPIN_LOCK;

VOID NTAPI KeInitializeSpinLock(PKSPIN_LOCK SpinLock);
VOID NTAPI KeAcquireSpinLock(PKSPIN_LOCK SpinLock, PKIRQL OldIrql);
VOID NTAPI KeReleaseSpinLock(PKSPIN_LOCK SpinLock, KIRQL NewIrql);
VOID NTAPI KeAcquireSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock);
VOID NTAPI KeReleaseSpinLockFromDpcLevel(PKSPIN_LOCK SpinLock);

/* --- Memory: pages and addresses ------------------------------------------ */

#ifndef PAGE_SIZE
#define PAGE_SIZE  0x1000
#define PAGE_SHIFT 12
#endif

#define PAGE_ALIGN(Va) ((PVOID)((ULONG_PTR)(Va) & ~(PAGE_SIZE - 1)))
#define BYTE_OFFSET(Va) ((ULONG)((ULONG_PTR)(Va) & (PAGE_SIZE - 1)))
#define ROUND_TO_PAGES(Size) (((ULONG_PTR)(Size) + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1))
#define BYTES_TO_PAGES(Size) \
    (((ULONG_PTR)(Size) >> PAGE_SHIFT) + ((((ULONG_PTR)(Size)) & (PAGE_SIZE - 1)) != 0))
#define ADDRESS_AND_SIZE_TO_SPAN_PAGES(Va, Size) \
    ((ULONG)((((ULONG_PTR)(Size)) >> PAGE_SHIFT) + \
             ((BYTE_OFFSET(Va) + BYTE_OFFSET(Size) + PAGE_SIZE - 1) >> PAGE_SHIFT)))

PHYSICAL_ADDRESS NTAPI MmGetPhysicalAddress(PVOID BaseAddress);
BOOLEAN NTAPI MmIsAddressValid(PVOID VirtualAddress);

/* --- Time --------------------------------------------------------------- */

VOID NTAPI KeQueryTickCount(PLARGE_INTEGER CurrentCount);
ULONG NTAPI KeQueryTimeIncrement(VOID);

/* --- Port I/O (HAL) ----------------------------------------------------- */

UCHAR NTAPI READ_PORT_UCHAR(PUCHAR Port);
USHORT NTAPI READ_PORT_USHORT(PUSHORT Port);
ULONG NTAPI READ_PORT_ULONG(PULONG Port);
VOID NTAPI WRITE_PORT_UCHAR(PUCHAR Port, UCHAR Value);
VOID NTAPI WRITE_PORT_USHORT(PUSHORT Port, USHORT Value);
VOID NTAPI WRITE_PORT_ULONG(PULONG Port, ULONG Value);

#endif
