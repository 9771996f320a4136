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

/* --- Processes and threads ------------------------------------------------ */

/*
 * A driver sees a process and a thread only through pointers: the DDK
 * declares PEPROCESS as a pointer to struct _KPROCESS and PETHREAD as one to
 * struct _KTHREAD, the kernel's part of each object, which is its first
 * member. The kernel's own sources (and white-box tests) see the executive
 * objects behind them, EPROCESS and ETHREAD (include/ps.h): the same
 * addresses, viewed whole.
 */
#if defined(NTMM_KERNEL_INTERNAL) || defined(NTMM_MM_INTERNAL) || defined(NTMM_MM_WHITEBOX_TEST) || \
    defined(NTMM_WHITEBOX_TEST)
typedef struct _EPROCESS *PEPROCESS;
typedef struct _ETHREAD *PETHREAD;
#else
typedef struct _KPROCESS *PEPROCESS;
typedef struct _KTHREAD *PETHREAD;
#endif
typedef struct _KPROCESS *PKPROCESS, *PRKPROCESS;
typedef struct _KTHREAD *PKTHREAD, *PRKTHREAD;

/* What KeStackAttachProcess saves: the address space (and APC queues) a thread had. */
typedef struct _KAPC_STATE {
    LIST_ENTRY ApcListHead[MaximumMode];
    PKPROCESS Process;
    BOOLEAN KernelApcInProgress;
    BOOLEAN KernelApcPending;
    BOOLEAN UserApcPending;
} KAPC_STATE, *PKAPC_STATE, *PRKAPC_STATE;
#ifdef __i386__
_Static_assert(sizeof(KAPC_STATE) == 0x18, "x86 KAPC_STATE");
#endif

PKTHREAD NTAPI KeGetCurrentThread(VOID);
PEPROCESS NTAPI IoGetCurrentProcess(VOID);
#define PsGetCurrentProcess IoGetCurrentProcess
PETHREAD NTAPI PsGetCurrentThread(VOID);
HANDLE NTAPI PsGetCurrentProcessId(VOID);
HANDLE NTAPI PsGetProcessId(PEPROCESS Process);
extern PEPROCESS PsInitialSystemProcess;
KPROCESSOR_MODE NTAPI ExGetPreviousMode(VOID);
KPROCESSOR_MODE NTAPI KeGetPreviousMode(VOID);

VOID NTAPI KeAttachProcess(PRKPROCESS Process);
VOID NTAPI KeDetachProcess(VOID);
VOID NTAPI KeStackAttachProcess(PRKPROCESS Process, PRKAPC_STATE ApcState);
VOID NTAPI KeUnstackDetachProcess(PRKAPC_STATE ApcState);

#define NtCurrentProcess() ((HANDLE)(LONG_PTR)-1)
#define ZwCurrentProcess() NtCurrentProcess()
#define NtCurrentThread() ((HANDLE)(LONG_PTR)-2)
#define ZwCurrentThread() NtCurrentThread()

/* The head of every thread's TEB (NT_TIB): fs:[0] in user mode. */
typedef struct _NT_TIB {
    struct _EXCEPTION_REGISTRATION_RECORD *ExceptionList;
    PVOID StackBase;
    PVOID StackLimit;
    PVOID SubSystemTib;
    PVOID FiberData;
    PVOID ArbitraryUserPointer;
    struct _NT_TIB *Self;
} NT_TIB, *PNT_TIB;
#define EXCEPTION_CHAIN_END ((struct _EXCEPTION_REGISTRATION_RECORD *)-1)

/* --- The shared user data page --------------------------------------------- */

/*
 * A 64-bit time kept current by the clock and read without a lock: the
 * writer stores High2Time, LowPart, then High1Time; a reader takes
 * High1Time, LowPart, High2Time and retries while the two highs differ.
 */
typedef struct _KSYSTEM_TIME {
    ULONG LowPart;
    LONG High1Time;
    LONG High2Time;
} KSYSTEM_TIME, *PKSYSTEM_TIME;

#define PROCESSOR_FEATURE_MAX 64

/*
 * KUSER_SHARED_DATA: one page the kernel writes at KI_USER_SHARED_DATA and
 * every process can read at 0x7FFE0000 (MM_SHARED_USER_DATA_VA). The fields
 * ntmm keeps are at NT x86's offsets; the rest are reserved.
 */
typedef struct _KUSER_SHARED_DATA {
    ULONG TickCountLowDeprecated;                 /* 0x000 */
    ULONG TickCountMultiplier;                    /* 0x004: ms per tick, in 2^-24 units */
    volatile KSYSTEM_TIME InterruptTime;          /* 0x008: 100 ns units since boot */
    volatile KSYSTEM_TIME SystemTime;             /* 0x014: 100 ns units since 1601-01-01 */
    volatile KSYSTEM_TIME TimeZoneBias;           /* 0x020 */
    USHORT ImageNumberLow;                        /* 0x02C */
    USHORT ImageNumberHigh;                       /* 0x02E */
    WCHAR NtSystemRoot[260];                      /* 0x030 */
    ULONG MaxStackTraceDepth;                     /* 0x238 */
    ULONG CryptoExponent;                         /* 0x23C */
    ULONG TimeZoneId;                             /* 0x240 */
    ULONG LargePageMinimum;                       /* 0x244 */
    ULONG Reserved2[7];                           /* 0x248 */
    ULONG NtProductType;                          /* 0x264 */
    BOOLEAN ProductTypeIsValid;                   /* 0x268 */
    ULONG NtMajorVersion;                         /* 0x26C */
    ULONG NtMinorVersion;                         /* 0x270 */
    BOOLEAN ProcessorFeatures[PROCESSOR_FEATURE_MAX]; /* 0x274 */
    ULONG Reserved1;                              /* 0x2B4 */
    ULONG Reserved3;                              /* 0x2B8 */
    volatile ULONG TimeSlip;                      /* 0x2BC */
    ULONG AlternativeArchitecture;                /* 0x2C0 */
    ULONG Reserved4;                              /* 0x2C4 */
    LARGE_INTEGER SystemExpirationDate;           /* 0x2C8 */
    ULONG SuiteMask;                              /* 0x2D0 */
    BOOLEAN KdDebuggerEnabled;                    /* 0x2D4 */
    UCHAR NXSupportPolicy;                        /* 0x2D5 */
    volatile ULONG ActiveConsoleId;               /* 0x2D8 */
    volatile ULONG DismountCount;                 /* 0x2DC */
    ULONG ComPlusPackage;                         /* 0x2E0 */
    ULONG LastSystemRITEventTickCount;            /* 0x2E4 */
    ULONG NumberOfPhysicalPages;                  /* 0x2E8 */
    BOOLEAN SafeBootMode;                         /* 0x2EC */
    ULONG TraceLogging;                           /* 0x2F0 */
    DECLSPEC_ALIGN(8) ULONGLONG TestRetInstruction; /* 0x2F8 (MSVC aligns 64-bit fields to 8) */
    ULONG SystemCall;                             /* 0x300 */
    ULONG SystemCallReturn;                       /* 0x304 */
    ULONGLONG SystemCallPad[3];                   /* 0x308 */
    union {
        volatile KSYSTEM_TIME TickCount;          /* 0x320: clock ticks since boot */
        volatile ULONG64 TickCountQuad;
    } DECLSPEC_ALIGN(8);
    ULONG Cookie;                                 /* 0x330 */
} KUSER_SHARED_DATA, *PKUSER_SHARED_DATA;
#ifdef __i386__
_Static_assert(FIELD_OFFSET(KUSER_SHARED_DATA, NtMajorVersion) == 0x26C, "KUSER_SHARED_DATA.NtMajorVersion");
_Static_assert(FIELD_OFFSET(KUSER_SHARED_DATA, ProcessorFeatures) == 0x274, "KUSER_SHARED_DATA.ProcessorFeatures");
_Static_assert(FIELD_OFFSET(KUSER_SHARED_DATA, NumberOfPhysicalPages) == 0x2E8, "KUSER_SHARED_DATA.NumberOfPhysicalPages");
_Static_assert(FIELD_OFFSET(KUSER_SHARED_DATA, SystemCall) == 0x300, "KUSER_SHARED_DATA.SystemCall");
_Static_assert(FIELD_OFFSET(KUSER_SHARED_DATA, TickCount) == 0x320, "KUSER_SHARED_DATA.TickCount");
#endif

#define KI_USER_SHARED_DATA 0xFFDF0000   /* the same token sequence as mmlayout.h's */
#define SharedUserData ((KUSER_SHARED_DATA *const)KI_USER_SHARED_DATA)

/* Indexes of KUSER_SHARED_DATA.ProcessorFeatures, for ExIsProcessorFeaturePresent. */
#define PF_FLOATING_POINT_PRECISION_ERRATA 0
#define PF_FLOATING_POINT_EMULATED         1
#define PF_COMPARE_EXCHANGE_DOUBLE         2
#define PF_MMX_INSTRUCTIONS_AVAILABLE      3
#define PF_PPC_MOVEMEM_64BIT_OK            4
#define PF_ALPHA_BYTE_INSTRUCTIONS         5
#define PF_XMMI_INSTRUCTIONS_AVAILABLE     6
#define PF_3DNOW_INSTRUCTIONS_AVAILABLE    7
#define PF_RDTSC_INSTRUCTION_AVAILABLE     8
#define PF_PAE_ENABLED                     9
#define PF_XMMI64_INSTRUCTIONS_AVAILABLE   10
#define PF_SSE_DAZ_MODE_AVAILABLE          11
#define PF_NX_ENABLED                      12
#define PF_SSE3_INSTRUCTIONS_AVAILABLE     13
#define PF_COMPARE_EXCHANGE128             14
#define PF_COMPARE64_EXCHANGE128           15
#define PF_CHANNELS_ENABLED                16
#define PF_XSAVE_ENABLED                   17
#define PF_SECOND_LEVEL_ADDRESS_TRANSLATION 20
#define PF_VIRT_FIRMWARE_ENABLED           21
#define PF_RDWRFSGSBASE_AVAILABLE          22
#define PF_FASTFAIL_AVAILABLE              23
#define PF_RDRAND_INSTRUCTION_AVAILABLE    28
#define PF_RDTSCP_INSTRUCTION_AVAILABLE    32
#define PF_SSSE3_INSTRUCTIONS_AVAILABLE    36
#define PF_SSE4_1_INSTRUCTIONS_AVAILABLE   37
#define PF_SSE4_2_INSTRUCTIONS_AVAILABLE   38
#define PF_AVX_INSTRUCTIONS_AVAILABLE      39
#define PF_AVX2_INSTRUCTIONS_AVAILABLE     40

/* TRUE when the processor has the feature; FALSE for an index past PROCESSOR_FEATURE_MAX. */
BOOLEAN NTAPI ExIsProcessorFeaturePresent(_In_ ULONG ProcessorFeature);

/* --- Objects and handles ---------------------------------------------------- */

#define DELETE                   0x00010000
#define READ_CONTROL             0x00020000
#define WRITE_DAC                0x00040000
#define WRITE_OWNER              0x00080000
#define SYNCHRONIZE              0x00100000
#define STANDARD_RIGHTS_REQUIRED 0x000F0000
#define STANDARD_RIGHTS_READ     READ_CONTROL
#define STANDARD_RIGHTS_WRITE    READ_CONTROL
#define STANDARD_RIGHTS_EXECUTE  READ_CONTROL
#define STANDARD_RIGHTS_ALL      0x001F0000
#define MAXIMUM_ALLOWED          0x02000000
#define GENERIC_READ             0x80000000
#define GENERIC_WRITE            0x40000000
#define GENERIC_EXECUTE          0x20000000
#define GENERIC_ALL              0x10000000

typedef struct _GENERIC_MAPPING {
    ACCESS_MASK GenericRead;
    ACCESS_MASK GenericWrite;
    ACCESS_MASK GenericExecute;
    ACCESS_MASK GenericAll;
} GENERIC_MAPPING, *PGENERIC_MAPPING;

#define PROCESS_TERMINATE         0x0001
#define PROCESS_CREATE_THREAD     0x0002
#define PROCESS_VM_OPERATION      0x0008
#define PROCESS_VM_READ           0x0010
#define PROCESS_VM_WRITE          0x0020
#define PROCESS_DUP_HANDLE        0x0040
#define PROCESS_CREATE_PROCESS    0x0080
#define PROCESS_SET_QUOTA         0x0100
#define PROCESS_SET_INFORMATION   0x0200
#define PROCESS_QUERY_INFORMATION 0x0400
#define PROCESS_ALL_ACCESS        (STANDARD_RIGHTS_REQUIRED | SYNCHRONIZE | 0xFFF)

#define OBJ_INHERIT          0x00000002
#define OBJ_PERMANENT        0x00000010
#define OBJ_EXCLUSIVE        0x00000020
#define OBJ_CASE_INSENSITIVE 0x00000040
#define OBJ_OPENIF           0x00000080
#define OBJ_KERNEL_HANDLE    0x00000200

typedef struct _OBJECT_ATTRIBUTES {
    ULONG Length;
    HANDLE RootDirectory;
    PUNICODE_STRING ObjectName;
    ULONG Attributes;
    PVOID SecurityDescriptor;
    PVOID SecurityQualityOfService;
} OBJECT_ATTRIBUTES, *POBJECT_ATTRIBUTES;
typedef const OBJECT_ATTRIBUTES *PCOBJECT_ATTRIBUTES;

#define InitializeObjectAttributes(p, n, a, r, s)   \
    do {                                            \
        (p)->Length = sizeof(OBJECT_ATTRIBUTES);    \
        (p)->RootDirectory = (r);                   \
        (p)->Attributes = (a);                      \
        (p)->ObjectName = (n);                      \
        (p)->SecurityDescriptor = (s);              \
        (p)->SecurityQualityOfService = NULL;       \
    } while (0)

typedef struct _OBJECT_HANDLE_INFORMATION {
    ULONG HandleAttributes;
    ACCESS_MASK GrantedAccess;
} OBJECT_HANDLE_INFORMATION, *POBJECT_HANDLE_INFORMATION;

typedef struct _OBJECT_TYPE *POBJECT_TYPE;
typedef struct _ACCESS_STATE *PACCESS_STATE;
extern POBJECT_TYPE *PsProcessType;
extern POBJECT_TYPE *PsThreadType;

NTSTATUS NTAPI ObReferenceObjectByHandle(HANDLE Handle, ACCESS_MASK DesiredAccess, POBJECT_TYPE ObjectType,
                                         KPROCESSOR_MODE AccessMode, PVOID *Object,
                                         POBJECT_HANDLE_INFORMATION HandleInformation);
NTSTATUS NTAPI ObReferenceObjectByPointer(PVOID Object, ACCESS_MASK DesiredAccess, POBJECT_TYPE ObjectType,
                                          KPROCESSOR_MODE AccessMode);
NTSTATUS NTAPI ObOpenObjectByPointer(PVOID Object, ULONG HandleAttributes, PACCESS_STATE PassedAccessState,
                                     ACCESS_MASK DesiredAccess, POBJECT_TYPE ObjectType,
                                     KPROCESSOR_MODE AccessMode, PHANDLE Handle);
LONG_PTR FASTCALL ObfReferenceObject(PVOID Object);
LONG_PTR FASTCALL ObfDereferenceObject(PVOID Object);
#define ObReferenceObject(Object) ObfReferenceObject(Object)
#define ObDereferenceObject(Object) ObfDereferenceObject(Object)
NTSTATUS NTAPI ZwClose(HANDLE Handle);
NTSTATUS NTAPI NtClose(HANDLE Handle);

/* --- Control registers: the intrinsics MSVC gives a driver, by the same names -- */

#if defined(__i386__)
FORCEINLINE ULONG_PTR __readcr0(VOID) { ULONG_PTR v; __asm__ volatile("mov %%cr0, %0" : "=r"(v)); return v; }
FORCEINLINE ULONG_PTR __readcr2(VOID) { ULONG_PTR v; __asm__ volatile("mov %%cr2, %0" : "=r"(v)); return v; }
FORCEINLINE ULONG_PTR __readcr3(VOID) { ULONG_PTR v; __asm__ volatile("mov %%cr3, %0" : "=r"(v)); return v; }
FORCEINLINE ULONG_PTR __readcr4(VOID) { ULONG_PTR v; __asm__ volatile("mov %%cr4, %0" : "=r"(v)); return v; }
FORCEINLINE VOID __writecr0(ULONG_PTR v) { __asm__ volatile("mov %0, %%cr0" : : "r"(v) : "memory"); }
FORCEINLINE VOID __writecr3(ULONG_PTR v) { __asm__ volatile("mov %0, %%cr3" : : "r"(v) : "memory"); }
FORCEINLINE VOID __writecr4(ULONG_PTR v) { __asm__ volatile("mov %0, %%cr4" : : "r"(v) : "memory"); }
#endif

/* --- Bugcheck and debug output ------------------------------------------ */

DECLSPEC_NORETURN VOID NTAPI KeBugCheckEx(ULONG BugCheckCode,
                                          ULONG_PTR BugCheckParameter1,
                                          ULONG_PTR BugCheckParameter2,
                                          ULONG_PTR BugCheckParameter3,
                                          ULONG_PTR BugCheckParameter4);
DECLSPEC_NORETURN VOID NTAPI KeBugCheck(ULONG BugCheckCode);

/*
 * DbgPrint knows NT's conversions as well as C's (%wZ for a
 * PUNICODE_STRING, %Z, %ws, %S, %I64x: lib/include/kprintf.h). GCC's format
 * checking knows only C's and would refuse driver code that uses NT's, so
 * only the kernel's own sources, which use none of them, keep the check.
 */
#if defined(NTMM_KERNEL_INTERNAL) || defined(NTMM_MM_INTERNAL)
#define NTMM_DBGPRINT_FORMAT(FormatIndex, FirstArgument) __attribute__((format(printf, FormatIndex, FirstArgument)))
#else
#define NTMM_DBGPRINT_FORMAT(FormatIndex, FirstArgument)
#endif

#define DBGPRINT_MAXIMUM_LENGTH 512   /* bytes one DbgPrint call sends, its newline included */
ULONG DbgPrint(_In_z_ _Printf_format_string_ PCSTR Format, ...) NTMM_DBGPRINT_FORMAT(1, 2);
VOID NTAPI DbgBreakPoint(VOID);

/*
 * DbgPrintEx: a message for one component at one level. Levels 0-31 name a
 * bit of the mask (DPFLTR_ERROR_LEVEL is bit 0); a Level with DPFLTR_MASK
 * set is the mask itself. As NT does by default, only error messages are
 * printed; ntmm has no per-component filter to enable more.
 */
#define DPFLTR_ERROR_LEVEL   0
#define DPFLTR_WARNING_LEVEL 1
#define DPFLTR_TRACE_LEVEL   2
#define DPFLTR_INFO_LEVEL    3
#define DPFLTR_MASK          0x80000000
#define DPFLTR_SYSTEM_ID     0
#define DPFLTR_DEFAULT_ID    101
#define DPFLTR_IHVDRIVER_ID  77

ULONG DbgPrintEx(_In_ ULONG ComponentId, _In_ ULONG Level, _In_z_ _Printf_format_string_ PCSTR Format, ...)
    NTMM_DBGPRINT_FORMAT(3, 4);

/* What a checked build prints; ntmm keeps its checks on, so these print. */
#define KdPrint(Arguments) ((void)DbgPrint Arguments)
#define KdPrintEx(Arguments) ((void)DbgPrintEx Arguments)
#define KdBreakPoint() DbgBreakPoint()

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
#define NT_ASSERT(exp) ASSERT(exp)

/* Code that may touch pageable memory must run at APC_LEVEL or below. */
#define PAGED_CODE() ASSERTMSG("pageable code called above APC_LEVEL", KeGetCurrentIrql() <= APC_LEVEL)
#define PAGED_CODE_LOCKED() ((void)0)

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
DECLSPEC_NORETURN VOID NTAPI ExRaiseAccessViolation(VOID);
DECLSPEC_NORETURN VOID NTAPI ExRaiseDatatypeMisalignment(VOID);

/* Checks on a user-mode caller's pointer, inside the caller's try block (kernel/ex/probe.c). */
VOID NTAPI ProbeForRead(PVOID Address, SIZE_T Length, ULONG Alignment);
VOID NTAPI ProbeForWrite(PVOID Address, SIZE_T Length, ULONG Alignment);
DECLSPEC_NORETURN VOID NTAPI RtlRaiseException(PEXCEPTION_RECORD ExceptionRecord);

#include <pseh2.h>

/* --- Interlocked and list helpers --------------------------------------- */

#include <interlocked.h>
#include <rtl/list.h>

/* --- RTL memory routines (the macros are the DDK's, over the C library's mem*) -- */

#include <string.h>

#define RtlCopyMemory(Destination, Source, Length) memcpy((Destination), (Source), (Length))
#define RtlMoveMemory(Destination, Source, Length) memmove((Destination), (Source), (Length))
#define RtlFillMemory(Destination, Length, Fill) memset((Destination), (Fill), (Length))
#define RtlZeroMemory(Destination, Length) memset((Destination), 0, (Length))
#define RtlEqualMemory(Destination, Source, Length) (!memcmp((Destination), (Source), (Length)))
#define RtlCopyBytes RtlCopyMemory
#define RtlFillBytes RtlFillMemory
#define RtlZeroBytes RtlZeroMemory

/* Zeroing the compiler may not remove as a dead store (a key about to go out of scope). */
FORCEINLINE PVOID RtlSecureZeroMemory(_Out_writes_bytes_all_(Length) PVOID Destination, _In_ SIZE_T Length)
{
    volatile UCHAR *Byte = (volatile UCHAR *)Destination;

    while (Length-- != 0)
        *Byte++ = 0;
    return Destination;
}

/* lib/rtl/movemem.c */
SIZE_T NTAPI RtlCompareMemory(_In_ const VOID *Source1, _In_ const VOID *Source2, _In_ SIZE_T Length);
SIZE_T NTAPI RtlCompareMemoryUlong(_In_reads_bytes_(Length) PVOID Source, _In_ SIZE_T Length, _In_ ULONG Pattern);
VOID NTAPI RtlFillMemoryUlong(_Out_writes_bytes_all_(Length) PVOID Destination, _In_ SIZE_T Length,
                              _In_ ULONG Pattern);
VOID FASTCALL RtlPrefetchMemoryNonTemporal(_In_ PVOID Source, _In_ SIZE_T Length);

/*
 * Counted strings over NUL-terminated ones (lib/rtl/string.c): Length
 * without the NUL, MaximumLength with it, in bytes; a source too long for
 * a USHORT is described as far as one allows, a NULL one is empty.
 */
VOID NTAPI RtlInitString(_Out_ PSTRING DestinationString, _In_opt_z_ __drv_aliasesMem PCSZ SourceString);
VOID NTAPI RtlInitAnsiString(_Out_ PANSI_STRING DestinationString, _In_opt_z_ __drv_aliasesMem PCSZ SourceString);
VOID NTAPI RtlInitUnicodeString(_Out_ PUNICODE_STRING DestinationString,
                                _In_opt_z_ __drv_aliasesMem PCWSTR SourceString);

/* An empty string over a buffer the caller owns, of BufferSize bytes (the DDK's macros). */
#define RtlInitEmptyUnicodeString(UnicodeString, StringBuffer, BufferSize) \
    ((UnicodeString)->Length = 0, (UnicodeString)->MaximumLength = (USHORT)(BufferSize), \
     (UnicodeString)->Buffer = (StringBuffer))
#define RtlInitEmptyAnsiString(AnsiString, StringBuffer, BufferSize) \
    ((AnsiString)->Length = 0, (AnsiString)->MaximumLength = (USHORT)(BufferSize), (AnsiString)->Buffer = (StringBuffer))

/* --- Spin locks (one processor: a lock is an IRQL raise plus an owner check) -- */

typedef ULONG_PTR KSPIN_LOCK, *PKSPIN_LOCK;

VOID NTAPI KeInitializeSpinLock(PKSPIN_LOCK SpinLock);
VOID NTAPI KeAcquireSpinLock(PKSPIN_LOCK SpinLock, PKIRQL OldIrql);
VOID NTAPI KeReleaseSpinLock(PKSPIN_LOCK SpinLock, KIRQL NewIrql);
VOID NTAPI KeAcquireSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock);
VOID NTAPI KeReleaseSpinLockFromDpcLevel(PKSPIN_LOCK SpinLock);

/* --- Interlocked operations under a caller's spin lock (kernel/ex/interlck.c) ----- */

/*
 * Callable at any IRQL: the lock is held with interrupts masked. Inserts
 * and pushes return the entry that was first (InsertTail: last) before the
 * call, or NULL when the list was empty; removes and pops return the entry
 * taken, or NULL. The x86 stdcall exports and their fastcall twins (Exf*)
 * are both here, as NT x86 has both.
 */
PLIST_ENTRY NTAPI ExInterlockedInsertHeadList(_Inout_ PLIST_ENTRY ListHead,
                                              _Inout_ __drv_aliasesMem PLIST_ENTRY ListEntry,
                                              _Inout_ _Requires_lock_not_held_(*_Curr_) PKSPIN_LOCK Lock);
PLIST_ENTRY NTAPI ExInterlockedInsertTailList(_Inout_ PLIST_ENTRY ListHead,
                                              _Inout_ __drv_aliasesMem PLIST_ENTRY ListEntry,
                                              _Inout_ _Requires_lock_not_held_(*_Curr_) PKSPIN_LOCK Lock);
PLIST_ENTRY NTAPI ExInterlockedRemoveHeadList(_Inout_ PLIST_ENTRY ListHead,
                                              _Inout_ _Requires_lock_not_held_(*_Curr_) PKSPIN_LOCK Lock);
PSINGLE_LIST_ENTRY NTAPI ExInterlockedPushEntryList(_Inout_ PSINGLE_LIST_ENTRY ListHead,
                                                    _Inout_ __drv_aliasesMem PSINGLE_LIST_ENTRY ListEntry,
                                                    _Inout_ _Requires_lock_not_held_(*_Curr_) PKSPIN_LOCK Lock);
PSINGLE_LIST_ENTRY NTAPI ExInterlockedPopEntryList(_Inout_ PSINGLE_LIST_ENTRY ListHead,
                                                   _Inout_ _Requires_lock_not_held_(*_Curr_) PKSPIN_LOCK Lock);
PLIST_ENTRY FASTCALL ExfInterlockedInsertHeadList(PLIST_ENTRY ListHead, PLIST_ENTRY ListEntry, PKSPIN_LOCK Lock);
PLIST_ENTRY FASTCALL ExfInterlockedInsertTailList(PLIST_ENTRY ListHead, PLIST_ENTRY ListEntry, PKSPIN_LOCK Lock);
PLIST_ENTRY FASTCALL ExfInterlockedRemoveHeadList(PLIST_ENTRY ListHead, PKSPIN_LOCK Lock);
PSINGLE_LIST_ENTRY FASTCALL ExfInterlockedPushEntryList(PSINGLE_LIST_ENTRY ListHead, PSINGLE_LIST_ENTRY ListEntry,
                                                        PKSPIN_LOCK Lock);
PSINGLE_LIST_ENTRY FASTCALL ExfInterlockedPopEntryList(PSINGLE_LIST_ENTRY ListHead, PKSPIN_LOCK Lock);

/* Each returns the value before the addition. */
ULONG NTAPI ExInterlockedAddUlong(_Inout_ PULONG Addend, _In_ ULONG Increment, _Inout_ PKSPIN_LOCK Lock);
ULONG FASTCALL ExfInterlockedAddUlong(PULONG Addend, ULONG Increment, PKSPIN_LOCK Lock);
LARGE_INTEGER NTAPI ExInterlockedAddLargeInteger(_Inout_ PLARGE_INTEGER Addend, _In_ LARGE_INTEGER Increment,
                                                 _Inout_ PKSPIN_LOCK Lock);
VOID FASTCALL ExInterlockedAddLargeStatistic(_Inout_ PLARGE_INTEGER Addend, _In_ ULONG Increment);

/* The sign of a result, for the x86 helpers below. */
#define RESULT_ZERO     0
#define RESULT_NEGATIVE 1
#define RESULT_POSITIVE 2

typedef enum _INTERLOCKED_RESULT {
    ResultNegative = RESULT_NEGATIVE,
    ResultZero = RESULT_ZERO,
    ResultPositive = RESULT_POSITIVE
} INTERLOCKED_RESULT;

INTERLOCKED_RESULT FASTCALL Exfi386InterlockedIncrementLong(_Inout_ PLONG Addend);
INTERLOCKED_RESULT FASTCALL Exfi386InterlockedDecrementLong(_Inout_ PLONG Addend);
ULONG FASTCALL Exfi386InterlockedExchangeUlong(_Inout_ PULONG Target, _In_ ULONG Value);
INTERLOCKED_RESULT NTAPI Exi386InterlockedIncrementLong(_Inout_ PLONG Addend);
INTERLOCKED_RESULT NTAPI Exi386InterlockedDecrementLong(_Inout_ PLONG Addend);
ULONG NTAPI Exi386InterlockedExchangeUlong(_Inout_ PULONG Target, _In_ ULONG Value);
#define ExInterlockedIncrementLong(Addend, Lock) Exfi386InterlockedIncrementLong(Addend)
#define ExInterlockedDecrementLong(Addend, Lock) Exfi386InterlockedDecrementLong(Addend)
#define ExInterlockedExchangeUlong(Target, Value, Lock) Exfi386InterlockedExchangeUlong(Target, Value)

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

typedef ULONG PFN_NUMBER, *PPFN_NUMBER;
typedef ULONG PFN_COUNT;

PHYSICAL_ADDRESS NTAPI MmGetPhysicalAddress(PVOID BaseAddress);
BOOLEAN NTAPI MmIsAddressValid(PVOID VirtualAddress);

/*
 * The bounds of user space, as the DDK gives them to drivers: variables the
 * kernel exports, read through these macros. The kernel's own sources use
 * the same numbers as constants (MI_HIGHEST_USER_ADDRESS and its siblings,
 * include/mmlayout.h), which assembly can use too.
 */
extern PVOID MmHighestUserAddress;
extern PVOID MmSystemRangeStart;
extern ULONG_PTR MmUserProbeAddress;
#define MM_HIGHEST_USER_ADDRESS MmHighestUserAddress
#define MM_SYSTEM_RANGE_START MmSystemRangeStart
#define MM_USER_PROBE_ADDRESS MmUserProbeAddress
#define MM_LOWEST_USER_ADDRESS ((PVOID)0x10000)
#define MM_LOWEST_SYSTEM_ADDRESS ((PVOID)0xC0800000)

typedef enum _MEMORY_CACHING_TYPE {
    MmNonCached = 0,
    MmCached = 1,
    MmWriteCombined = 2,
    MmHardwareCoherentCached = 3,
    MmNonCachedUnordered = 4,
    MmUSWCCached = 5,
    MmMaximumCacheType = 6
} MEMORY_CACHING_TYPE;

typedef enum _MM_PAGE_PRIORITY {
    LowPagePriority = 0,
    NormalPagePriority = 16,
    HighPagePriority = 32
} MM_PAGE_PRIORITY;

/*
 * Flags a driver ORs into a system mapping's priority (the DDK's, Windows 8
 * on): a mapping the processor may not write through, or not execute from
 * (x86 without PAE has no execute bit, so the second changes nothing).
 */
#define MdlMappingNoWrite   0x80000000
#define MdlMappingNoExecute 0x40000000

typedef enum _LOCK_OPERATION {
    IoReadAccess = 0,
    IoWriteAccess = 1,
    IoModifyAccess = 2
} LOCK_OPERATION;

/* --- Virtual memory of a process ------------------------------------------ */

#define PAGE_NOACCESS          0x01
#define PAGE_READONLY          0x02
#define PAGE_READWRITE         0x04
#define PAGE_WRITECOPY         0x08
#define PAGE_EXECUTE           0x10
#define PAGE_EXECUTE_READ      0x20
#define PAGE_EXECUTE_READWRITE 0x40
#define PAGE_EXECUTE_WRITECOPY 0x80
#define PAGE_GUARD             0x100
#define PAGE_NOCACHE           0x200
#define PAGE_WRITECOMBINE      0x400

#define MEM_COMMIT      0x00001000
#define MEM_RESERVE     0x00002000
#define MEM_DECOMMIT    0x00004000
#define MEM_RELEASE     0x00008000
#define MEM_FREE        0x00010000
#define MEM_PRIVATE     0x00020000
#define MEM_MAPPED      0x00040000
#define MEM_RESET       0x00080000
#define MEM_TOP_DOWN    0x00100000
#define MEM_WRITE_WATCH 0x00200000
#define MEM_PHYSICAL    0x00400000
#define MEM_IMAGE       0x01000000
#define MEM_LARGE_PAGES 0x20000000

typedef enum _MEMORY_INFORMATION_CLASS {
    MemoryBasicInformation = 0
} MEMORY_INFORMATION_CLASS;

typedef struct _MEMORY_BASIC_INFORMATION {
    PVOID BaseAddress;
    PVOID AllocationBase;
    ULONG AllocationProtect;
    SIZE_T RegionSize;
    ULONG State;
    ULONG Protect;
    ULONG Type;
} MEMORY_BASIC_INFORMATION, *PMEMORY_BASIC_INFORMATION;
#ifdef __i386__
_Static_assert(sizeof(MEMORY_BASIC_INFORMATION) == 28, "x86 MEMORY_BASIC_INFORMATION");
#endif

NTSTATUS NTAPI ZwAllocateVirtualMemory(HANDLE ProcessHandle, PVOID *BaseAddress, ULONG_PTR ZeroBits,
                                       PSIZE_T RegionSize, ULONG AllocationType, ULONG Protect);
NTSTATUS NTAPI ZwFreeVirtualMemory(HANDLE ProcessHandle, PVOID *BaseAddress, PSIZE_T RegionSize, ULONG FreeType);
NTSTATUS NTAPI ZwProtectVirtualMemory(HANDLE ProcessHandle, PVOID *BaseAddress, PSIZE_T NumberOfBytesToProtect,
                                      ULONG NewAccessProtection, PULONG OldAccessProtection);
NTSTATUS NTAPI ZwQueryVirtualMemory(HANDLE ProcessHandle, PVOID BaseAddress,
                                    MEMORY_INFORMATION_CLASS MemoryInformationClass, PVOID MemoryInformation,
                                    SIZE_T MemoryInformationLength, PSIZE_T ReturnLength);
NTSTATUS NTAPI ZwReadVirtualMemory(HANDLE ProcessHandle, PVOID BaseAddress, PVOID Buffer, SIZE_T BufferSize,
                                   PSIZE_T NumberOfBytesRead);
NTSTATUS NTAPI ZwWriteVirtualMemory(HANDLE ProcessHandle, PVOID BaseAddress, PVOID Buffer, SIZE_T BufferSize,
                                    PSIZE_T NumberOfBytesWritten);

/* --- Memory descriptor lists (the DDK's layout; the PFN array follows the header) -- */

typedef struct _MDL {
    struct _MDL *Next;
    CSHORT Size;
    CSHORT MdlFlags;
    struct _EPROCESS *Process;
    PVOID MappedSystemVa;
    PVOID StartVa;
    ULONG ByteCount;
    ULONG ByteOffset;
} MDL, *PMDL;
#ifdef __i386__
_Static_assert(sizeof(MDL) == 28, "x86 MDL header");
#endif

#define MDL_MAPPED_TO_SYSTEM_VA     0x0001
#define MDL_PAGES_LOCKED            0x0002
#define MDL_SOURCE_IS_NONPAGED_POOL 0x0004
#define MDL_ALLOCATED_FIXED_SIZE    0x0008
#define MDL_PARTIAL                 0x0010
#define MDL_PARTIAL_HAS_BEEN_MAPPED 0x0020
#define MDL_IO_PAGE_READ            0x0040
#define MDL_WRITE_OPERATION         0x0080
#define MDL_PARENT_MAPPED_SYSTEM_VA 0x0100
#define MDL_FREE_EXTRA_PTES         0x0200
#define MDL_DESCRIBES_AWE           0x0400
#define MDL_IO_SPACE                0x0800
#define MDL_NETWORK_HEADER          0x1000
#define MDL_MAPPING_CAN_FAIL        0x2000
#define MDL_ALLOCATED_MUST_SUCCEED  0x4000
#define MDL_INTERNAL                0x8000
#define MDL_MAPPING_FLAGS (MDL_MAPPED_TO_SYSTEM_VA | MDL_PAGES_LOCKED | MDL_SOURCE_IS_NONPAGED_POOL | \
                           MDL_PARTIAL_HAS_BEEN_MAPPED | MDL_PARENT_MAPPED_SYSTEM_VA | MDL_IO_SPACE)

#define MmGetMdlPfnArray(Mdl) ((PPFN_NUMBER)((PMDL)(Mdl) + 1))
#define MmGetMdlVirtualAddress(Mdl) ((PVOID)((PCHAR)((Mdl)->StartVa) + (Mdl)->ByteOffset))
#define MmGetMdlByteCount(Mdl) ((Mdl)->ByteCount)
#define MmGetMdlByteOffset(Mdl) ((Mdl)->ByteOffset)
#define MmGetMdlBaseVa(Mdl) ((Mdl)->StartVa)

#define MmInitializeMdl(MemoryDescriptorList, BaseVa, Length)                                   \
    do {                                                                                         \
        (MemoryDescriptorList)->Next = NULL;                                                     \
        (MemoryDescriptorList)->Size = (CSHORT)(sizeof(MDL) +                                    \
            (sizeof(PFN_NUMBER) * ADDRESS_AND_SIZE_TO_SPAN_PAGES((BaseVa), (Length))));          \
        (MemoryDescriptorList)->MdlFlags = 0;                                                    \
        (MemoryDescriptorList)->StartVa = PAGE_ALIGN(BaseVa);                                    \
        (MemoryDescriptorList)->ByteOffset = BYTE_OFFSET(BaseVa);                                \
        (MemoryDescriptorList)->ByteCount = (ULONG)(Length);                                     \
    } while (0)

/* The pre-Safe form: maps with MmMapLockedPages, which stops the system rather than fail. */
#define MmGetSystemAddressForMdl(Mdl)                                                           \
    (((Mdl)->MdlFlags & (MDL_MAPPED_TO_SYSTEM_VA | MDL_SOURCE_IS_NONPAGED_POOL))                 \
         ? ((Mdl)->MappedSystemVa)                                                                \
         : (MmMapLockedPages((Mdl), KernelMode)))

#define MmGetSystemAddressForMdlSafe(Mdl, Priority)                                             \
    (((Mdl)->MdlFlags & (MDL_MAPPED_TO_SYSTEM_VA | MDL_SOURCE_IS_NONPAGED_POOL))                 \
         ? ((Mdl)->MappedSystemVa)                                                                \
         : (MmMapLockedPagesSpecifyCache((Mdl), KernelMode, MmCached, NULL, FALSE, (Priority))))

SIZE_T NTAPI MmSizeOfMdl(PVOID Base, SIZE_T Length);
PMDL NTAPI MmCreateMdl(_Out_writes_bytes_opt_(sizeof(MDL) + (sizeof(PFN_NUMBER) * ADDRESS_AND_SIZE_TO_SPAN_PAGES(Base, Length)))
                           PMDL MemoryDescriptorList,
                       _In_reads_bytes_opt_(Length) PVOID Base, _In_ SIZE_T Length);
VOID NTAPI MmBuildMdlForNonPagedPool(PMDL MemoryDescriptorList);
VOID NTAPI MmProbeAndLockPages(PMDL MemoryDescriptorList, KPROCESSOR_MODE AccessMode, LOCK_OPERATION Operation);
VOID NTAPI MmUnlockPages(PMDL MemoryDescriptorList);
PVOID NTAPI MmMapLockedPagesSpecifyCache(PMDL MemoryDescriptorList, KPROCESSOR_MODE AccessMode,
                                         MEMORY_CACHING_TYPE CacheType, PVOID RequestedAddress,
                                         ULONG BugCheckOnFailure, ULONG Priority);
PVOID NTAPI MmMapLockedPages(PMDL MemoryDescriptorList, KPROCESSOR_MODE AccessMode);
VOID NTAPI MmUnmapLockedPages(PVOID BaseAddress, PMDL MemoryDescriptorList);
VOID NTAPI MmPrepareMdlForReuse(PMDL Mdl);

/*
 * Reserved mappings (mm/mapaddr.c): system address space set aside once,
 * into which locked MDLs are mapped later without any chance of running
 * out of system PTEs. PoolTag must be the one given at reservation.
 */
_Must_inspect_result_ _IRQL_requires_max_(APC_LEVEL)
PVOID NTAPI MmAllocateMappingAddress(_In_ SIZE_T NumberOfBytes, _In_ ULONG PoolTag);
_IRQL_requires_max_(APC_LEVEL)
VOID NTAPI MmFreeMappingAddress(_In_ PVOID BaseAddress, _In_ ULONG PoolTag);
_Must_inspect_result_ _IRQL_requires_max_(DISPATCH_LEVEL)
PVOID NTAPI MmMapLockedPagesWithReservedMapping(_In_ PVOID MappingAddress, _In_ ULONG PoolTag,
                                                _Inout_ PMDL MemoryDescriptorList,
                                                _In_ __drv_strictTypeMatch(__drv_typeCond)
                                                    MEMORY_CACHING_TYPE CacheType);
_IRQL_requires_max_(DISPATCH_LEVEL)
VOID NTAPI MmUnmapReservedMapping(_In_ PVOID BaseAddress, _In_ ULONG PoolTag, _Inout_ PMDL MemoryDescriptorList);

#define MM_DONT_ZERO_ALLOCATION               0x00000001
#define MM_ALLOCATE_FROM_LOCAL_NODE_ONLY      0x00000002
#define MM_ALLOCATE_FULLY_REQUIRED            0x00000004
#define MM_ALLOCATE_NO_WAIT                   0x00000008
#define MM_ALLOCATE_PREFER_CONTIGUOUS         0x00000010
#define MM_ALLOCATE_REQUIRE_CONTIGUOUS_CHUNKS 0x00000020

PMDL NTAPI MmAllocatePagesForMdl(PHYSICAL_ADDRESS LowAddress, PHYSICAL_ADDRESS HighAddress,
                                 PHYSICAL_ADDRESS SkipBytes, SIZE_T TotalBytes);
PMDL NTAPI MmAllocatePagesForMdlEx(PHYSICAL_ADDRESS LowAddress, PHYSICAL_ADDRESS HighAddress,
                                   PHYSICAL_ADDRESS SkipBytes, SIZE_T TotalBytes,
                                   MEMORY_CACHING_TYPE CacheType, ULONG Flags);
VOID NTAPI MmFreePagesFromMdl(PMDL MemoryDescriptorList);

/* --- I/O request packets (the DDK's x86 layout; kernel/io/irp.c) ------------------ */

typedef struct _DEVICE_OBJECT *PDEVICE_OBJECT;
typedef struct _FILE_OBJECT *PFILE_OBJECT;
typedef struct _KEVENT *PKEVENT;
typedef struct _IRP *PIRP;
typedef struct _IO_STACK_LOCATION *PIO_STACK_LOCATION;

typedef struct _IO_STATUS_BLOCK {
    union {
        NTSTATUS Status;
        PVOID Pointer;
    };
    ULONG_PTR Information;
} IO_STATUS_BLOCK, *PIO_STATUS_BLOCK;

typedef VOID (NTAPI *PIO_APC_ROUTINE)(PVOID ApcContext, PIO_STATUS_BLOCK IoStatusBlock, ULONG Reserved);
typedef VOID NTAPI DRIVER_CANCEL(_Inout_ PDEVICE_OBJECT DeviceObject, _Inout_ PIRP Irp);
typedef DRIVER_CANCEL *PDRIVER_CANCEL;
typedef NTSTATUS NTAPI IO_COMPLETION_ROUTINE(_In_ PDEVICE_OBJECT DeviceObject, _In_ PIRP Irp, _In_opt_ PVOID Context);
typedef IO_COMPLETION_ROUTINE *PIO_COMPLETION_ROUTINE;
/* What a completion routine returns: let completion go on up, or keep the packet (STATUS_MORE_PROCESSING_REQUIRED). */
#define STATUS_CONTINUE_COMPLETION STATUS_SUCCESS

typedef struct _KDEVICE_QUEUE_ENTRY {
    LIST_ENTRY DeviceListEntry;
    ULONG SortKey;
    BOOLEAN Inserted;
} KDEVICE_QUEUE_ENTRY, *PKDEVICE_QUEUE_ENTRY;

/* An asynchronous procedure call; ntmm queues none yet, the IRP's tail holds one. */
typedef struct _KAPC {
    UCHAR Type;
    UCHAR SpareByte0;
    UCHAR Size;
    UCHAR SpareByte1;
    ULONG SpareLong0;
    struct _KTHREAD *Thread;
    LIST_ENTRY ApcListEntry;
    PVOID KernelRoutine;
    PVOID RundownRoutine;
    PVOID NormalRoutine;
    PVOID NormalContext;
    PVOID SystemArgument1;
    PVOID SystemArgument2;
    CCHAR ApcStateIndex;
    KPROCESSOR_MODE ApcMode;
    BOOLEAN Inserted;
} KAPC, *PKAPC, *PRKAPC;

#define IO_TYPE_IRP 6

/* IRP.AllocationFlags. */
#define IRP_QUOTA_CHARGED          0x01
#define IRP_ALLOCATED_MUST_SUCCEED 0x02
#define IRP_ALLOCATED_FIXED_SIZE   0x04
#define IRP_LOOKASIDE_ALLOCATION   0x08

/*
 * The packet and, after it, StackCount IO_STACK_LOCATIONs. CurrentLocation
 * counts down from StackCount + 1 as the IRP is passed down.
 */
typedef struct _IRP {
    CSHORT Type;
    USHORT Size;
    PMDL MdlAddress;
    ULONG Flags;
    union {
        struct _IRP *MasterIrp;
        volatile LONG IrpCount;
        PVOID SystemBuffer;
    } AssociatedIrp;
    LIST_ENTRY ThreadListEntry;
    IO_STATUS_BLOCK IoStatus;
    KPROCESSOR_MODE RequestorMode;
    BOOLEAN PendingReturned;
    CHAR StackCount;
    CHAR CurrentLocation;
    BOOLEAN Cancel;
    KIRQL CancelIrql;
    CCHAR ApcEnvironment;
    UCHAR AllocationFlags;
    PIO_STATUS_BLOCK UserIosb;
    PKEVENT UserEvent;
    union {
        struct {
            PIO_APC_ROUTINE UserApcRoutine;
            PVOID UserApcContext;
        } AsynchronousParameters;
        LARGE_INTEGER AllocationSize;
    } Overlay;
    volatile PDRIVER_CANCEL CancelRoutine;
    PVOID UserBuffer;
    union {
        struct {
            union {
                KDEVICE_QUEUE_ENTRY DeviceQueueEntry;
                struct {
                    PVOID DriverContext[4];
                };
            };
            PETHREAD Thread;
            PCHAR AuxiliaryBuffer;
            struct {
                LIST_ENTRY ListEntry;
                union {
                    PIO_STACK_LOCATION CurrentStackLocation;
                    ULONG PacketType;
                };
            };
            PFILE_OBJECT OriginalFileObject;
        } Overlay;
        KAPC Apc;
        PVOID CompletionKey;
    } Tail;
} IRP;

/* One driver's view of the request; Parameters is the DDK's union, here as its raw words. */
typedef struct _IO_STACK_LOCATION {
    UCHAR MajorFunction;
    UCHAR MinorFunction;
    UCHAR Flags;
    UCHAR Control;
    union {
        struct {
            PVOID Argument1;
            PVOID Argument2;
            PVOID Argument3;
            PVOID Argument4;
        } Others;
    } Parameters;
    PDEVICE_OBJECT DeviceObject;
    PFILE_OBJECT FileObject;
    PIO_COMPLETION_ROUTINE CompletionRoutine;
    PVOID Context;
} IO_STACK_LOCATION;

#ifdef __i386__
_Static_assert(sizeof(KAPC) == 0x30, "x86 KAPC");
_Static_assert(sizeof(IRP) == 0x70, "x86 IRP");
_Static_assert(FIELD_OFFSET(IRP, StackCount) == 0x22, "x86 IRP.StackCount");
_Static_assert(FIELD_OFFSET(IRP, Tail.Overlay.CurrentStackLocation) == 0x60, "x86 IRP current stack location");
_Static_assert(sizeof(IO_STACK_LOCATION) == 0x24, "x86 IO_STACK_LOCATION");
#endif

#define IoSizeOfIrp(StackSize) ((USHORT)(sizeof(IRP) + ((StackSize) * (sizeof(IO_STACK_LOCATION)))))
#define IoGetCurrentIrpStackLocation(Irp) ((Irp)->Tail.Overlay.CurrentStackLocation)
#define IoGetNextIrpStackLocation(Irp) ((Irp)->Tail.Overlay.CurrentStackLocation - 1)

/* IO_STACK_LOCATION.MajorFunction. */
#define IRP_MJ_CREATE                   0x00
#define IRP_MJ_CREATE_NAMED_PIPE        0x01
#define IRP_MJ_CLOSE                    0x02
#define IRP_MJ_READ                     0x03
#define IRP_MJ_WRITE                    0x04
#define IRP_MJ_QUERY_INFORMATION        0x05
#define IRP_MJ_SET_INFORMATION          0x06
#define IRP_MJ_QUERY_EA                 0x07
#define IRP_MJ_SET_EA                   0x08
#define IRP_MJ_FLUSH_BUFFERS            0x09
#define IRP_MJ_QUERY_VOLUME_INFORMATION 0x0A
#define IRP_MJ_SET_VOLUME_INFORMATION   0x0B
#define IRP_MJ_DIRECTORY_CONTROL        0x0C
#define IRP_MJ_FILE_SYSTEM_CONTROL      0x0D
#define IRP_MJ_DEVICE_CONTROL           0x0E
#define IRP_MJ_INTERNAL_DEVICE_CONTROL  0x0F
#define IRP_MJ_SHUTDOWN                 0x10
#define IRP_MJ_LOCK_CONTROL             0x11
#define IRP_MJ_CLEANUP                  0x12
#define IRP_MJ_CREATE_MAILSLOT          0x13
#define IRP_MJ_QUERY_SECURITY           0x14
#define IRP_MJ_SET_SECURITY             0x15
#define IRP_MJ_POWER                    0x16
#define IRP_MJ_SYSTEM_CONTROL           0x17
#define IRP_MJ_DEVICE_CHANGE            0x18
#define IRP_MJ_QUERY_QUOTA              0x19
#define IRP_MJ_SET_QUOTA                0x1A
#define IRP_MJ_PNP                      0x1B
#define IRP_MJ_MAXIMUM_FUNCTION         0x1B

/* IO_STACK_LOCATION.Control. */
#define SL_PENDING_RETURNED  0x01
#define SL_ERROR_RETURNED    0x02
#define SL_INVOKE_ON_CANCEL  0x20
#define SL_INVOKE_ON_SUCCESS 0x40
#define SL_INVOKE_ON_ERROR   0x80

/*
 * Moving through the stack locations as a driver passes a packet down: to
 * the next one, back over the current one (so the next driver gets it as
 * it is), or the current one copied into the next, completion routine and
 * control cleared.
 */
FORCEINLINE VOID IoSetNextIrpStackLocation(_Inout_ PIRP Irp)
{
    ASSERT(Irp->CurrentLocation > 0);
    Irp->CurrentLocation--;
    Irp->Tail.Overlay.CurrentStackLocation--;
}

FORCEINLINE VOID IoSkipCurrentIrpStackLocation(_Inout_ PIRP Irp)
{
    ASSERT(Irp->CurrentLocation <= Irp->StackCount);
    Irp->CurrentLocation++;
    Irp->Tail.Overlay.CurrentStackLocation++;
}

FORCEINLINE VOID IoCopyCurrentIrpStackLocationToNext(_Inout_ PIRP Irp)
{
    PIO_STACK_LOCATION Current = IoGetCurrentIrpStackLocation(Irp);
    PIO_STACK_LOCATION Next = IoGetNextIrpStackLocation(Irp);

    RtlCopyMemory(Next, Current, FIELD_OFFSET(IO_STACK_LOCATION, CompletionRoutine));
    Next->Control = 0;
}

FORCEINLINE VOID IoMarkIrpPending(_Inout_ PIRP Irp)
{
    IoGetCurrentIrpStackLocation(Irp)->Control |= SL_PENDING_RETURNED;
}

/* The routine the next driver's completion calls back, and on which outcomes. */
FORCEINLINE VOID IoSetCompletionRoutine(_In_ PIRP Irp, _In_opt_ PIO_COMPLETION_ROUTINE CompletionRoutine,
                                        _In_opt_ __drv_aliasesMem PVOID Context, _In_ BOOLEAN InvokeOnSuccess,
                                        _In_ BOOLEAN InvokeOnError, _In_ BOOLEAN InvokeOnCancel)
{
    PIO_STACK_LOCATION Next = IoGetNextIrpStackLocation(Irp);

    ASSERT((InvokeOnSuccess || InvokeOnError || InvokeOnCancel) ? CompletionRoutine != NULL : TRUE);
    Next->CompletionRoutine = CompletionRoutine;
    Next->Context = Context;
    Next->Control = (UCHAR)((InvokeOnSuccess ? SL_INVOKE_ON_SUCCESS : 0) | (InvokeOnError ? SL_INVOKE_ON_ERROR : 0) |
                            (InvokeOnCancel ? SL_INVOKE_ON_CANCEL : 0));
}

/*
 * IoAllocateIrp: a packet with StackSize stack locations from nonpaged pool
 * (charged to the current process when ChargeQuota), or NULL. IoFreeIrp
 * frees the packet only: the MDLs on MdlAddress are the caller's to free
 * first, as in NT.
 */
_Must_inspect_result_ _IRQL_requires_max_(DISPATCH_LEVEL)
PIRP NTAPI IoAllocateIrp(_In_ CCHAR StackSize, _In_ BOOLEAN ChargeQuota);
_IRQL_requires_max_(DISPATCH_LEVEL)
VOID NTAPI IoFreeIrp(_In_ __drv_freesMem(Mem) PIRP Irp);
_IRQL_requires_max_(DISPATCH_LEVEL)
VOID NTAPI IoInitializeIrp(_Inout_updates_bytes_(PacketSize) PIRP Irp, _In_ USHORT PacketSize, _In_ CCHAR StackSize);

PMDL NTAPI IoAllocateMdl(PVOID VirtualAddress, ULONG Length, BOOLEAN SecondaryBuffer, BOOLEAN ChargeQuota,
                         PIRP Irp);
VOID NTAPI IoFreeMdl(PMDL Mdl);
VOID NTAPI IoBuildPartialMdl(PMDL SourceMdl, PMDL TargetMdl, PVOID VirtualAddress, ULONG Length);

/* --- I/O space, contiguous and noncached memory ----------------------------- */

PVOID NTAPI MmMapIoSpace(PHYSICAL_ADDRESS PhysicalAddress, SIZE_T NumberOfBytes, MEMORY_CACHING_TYPE CacheType);
VOID NTAPI MmUnmapIoSpace(PVOID BaseAddress, SIZE_T NumberOfBytes);
PVOID NTAPI MmAllocateContiguousMemory(SIZE_T NumberOfBytes, PHYSICAL_ADDRESS HighestAcceptableAddress);
PVOID NTAPI MmAllocateContiguousMemorySpecifyCache(SIZE_T NumberOfBytes, PHYSICAL_ADDRESS LowestAcceptableAddress,
                                                   PHYSICAL_ADDRESS HighestAcceptableAddress,
                                                   PHYSICAL_ADDRESS BoundaryAddressMultiple,
                                                   MEMORY_CACHING_TYPE CacheType);
VOID NTAPI MmFreeContiguousMemory(PVOID BaseAddress);
PVOID NTAPI MmAllocateNonCachedMemory(SIZE_T NumberOfBytes);
VOID NTAPI MmFreeNonCachedMemory(PVOID BaseAddress, SIZE_T NumberOfBytes);
VOID NTAPI MmFreeContiguousMemorySpecifyCache(_In_ PVOID BaseAddress, _In_ SIZE_T NumberOfBytes,
                                              _In_ MEMORY_CACHING_TYPE CacheType);

/* --- What the memory manager tells about the machine (mm/mmquery.c, mm/addrsup.c) -- */

typedef enum _MM_SYSTEM_SIZE {
    MmSmallSystem,
    MmMediumSystem,
    MmLargeSystem
} MM_SYSTEMSIZE;

typedef enum _NT_PRODUCT_TYPE {
    NtProductWinNt = 1,
    NtProductLanManNt,
    NtProductServer
} NT_PRODUCT_TYPE, *PNT_PRODUCT_TYPE;

typedef struct _PHYSICAL_MEMORY_RANGE {
    PHYSICAL_ADDRESS BaseAddress;
    LARGE_INTEGER NumberOfBytes;
} PHYSICAL_MEMORY_RANGE, *PPHYSICAL_MEMORY_RANGE;

MM_SYSTEMSIZE NTAPI MmQuerySystemSize(VOID);
BOOLEAN NTAPI MmIsThisAnNtAsSystem(VOID);
/* The RAM runs and a zeroed entry after the last, in nonpaged pool the caller frees; NULL if none can be had. */
PPHYSICAL_MEMORY_RANGE NTAPI MmGetPhysicalMemoryRanges(VOID);
/* The system address of a physical page mapped in system space, or NULL. */
PVOID NTAPI MmGetVirtualForPhysical(_In_ PHYSICAL_ADDRESS PhysicalAddress);
BOOLEAN NTAPI MmIsNonPagedSystemAddressValid(_In_ PVOID VirtualAddress);

/* Driver Verifier's options, as MmIsVerifierEnabled reports them (the kernel's verifier= switch). */
#define DRIVER_VERIFIER_SPECIAL_POOLING            0x0001
#define DRIVER_VERIFIER_FORCE_IRQL_CHECKING        0x0002
#define DRIVER_VERIFIER_INJECT_ALLOCATION_FAILURES 0x0004
#define DRIVER_VERIFIER_TRACK_POOL_ALLOCATIONS     0x0008
#define DRIVER_VERIFIER_IO_CHECKING                0x0010
#define DRIVER_VERIFIER_DEADLOCK_DETECTION         0x0020
/* STATUS_SUCCESS and the options when the verifier is on; STATUS_NOT_SUPPORTED when it is off. */
NTSTATUS NTAPI MmIsVerifierEnabled(_Out_ PULONG VerifierFlags);

/* --- Buses (HAL) ------------------------------------------------------------ */

typedef enum _INTERFACE_TYPE {
    InterfaceTypeUndefined = -1,
    Internal = 0,
    Isa = 1,
    Eisa = 2,
    MicroChannel = 3,
    TurboChannel = 4,
    PCIBus = 5,
    MaximumInterfaceType = 17
} INTERFACE_TYPE;

typedef enum _BUS_DATA_TYPE {
    ConfigurationSpaceUndefined = -1,
    Cmos = 0,
    EisaConfiguration = 1,
    Pos = 2,
    CbusConfiguration = 3,
    PCIConfiguration = 4,
    MaximumBusDataType = 13
} BUS_DATA_TYPE;

typedef struct _PCI_SLOT_NUMBER {
    union {
        struct {
            ULONG DeviceNumber : 5;
            ULONG FunctionNumber : 3;
            ULONG Reserved : 24;
        } bits;
        ULONG AsULONG;
    } u;
} PCI_SLOT_NUMBER, *PPCI_SLOT_NUMBER;

#define PCI_INVALID_VENDORID 0xFFFF
#define PCI_TYPE0_ADDRESSES 6

typedef struct _PCI_COMMON_CONFIG {
    USHORT VendorID;
    USHORT DeviceID;
    USHORT Command;
    USHORT Status;
    UCHAR RevisionID;
    UCHAR ProgIf;
    UCHAR SubClass;
    UCHAR BaseClass;
    UCHAR CacheLineSize;
    UCHAR LatencyTimer;
    UCHAR HeaderType;
    UCHAR BIST;
    struct {
        ULONG BaseAddresses[PCI_TYPE0_ADDRESSES];
        ULONG CIS;
        USHORT SubVendorID;
        USHORT SubSystemID;
        ULONG ROMBaseAddress;
        UCHAR CapabilitiesPtr;
        UCHAR Reserved1[3];
        ULONG Reserved2;
        UCHAR InterruptLine;
        UCHAR InterruptPin;
        UCHAR MinimumGrant;
        UCHAR MaximumLatency;
    } type0;
} PCI_COMMON_CONFIG, *PPCI_COMMON_CONFIG;
_Static_assert(sizeof(PCI_COMMON_CONFIG) == 64, "the common PCI header");

#define PCI_DISPLAY_CONTROLLER 0x03
#define PCI_ADDRESS_IO_SPACE 0x00000001
#define PCI_ADDRESS_MEMORY_TYPE_MASK 0x00000006
#define PCI_ADDRESS_MEMORY_PREFETCHABLE 0x00000008
#define PCI_ADDRESS_MEMORY_ADDRESS_MASK 0xFFFFFFF0

ULONG NTAPI HalGetBusDataByOffset(BUS_DATA_TYPE BusDataType, ULONG BusNumber, ULONG SlotNumber, PVOID Buffer,
                                  ULONG Offset, ULONG Length);
ULONG NTAPI HalSetBusDataByOffset(BUS_DATA_TYPE BusDataType, ULONG BusNumber, ULONG SlotNumber, PVOID Buffer,
                                  ULONG Offset, ULONG Length);
BOOLEAN NTAPI HalTranslateBusAddress(INTERFACE_TYPE InterfaceType, ULONG BusNumber, PHYSICAL_ADDRESS BusAddress,
                                     PULONG AddressSpace, PPHYSICAL_ADDRESS TranslatedAddress);

/* --- Executive pool ------------------------------------------------------ */

typedef enum _POOL_TYPE {
    NonPagedPool = 0,
    NonPagedPoolExecute = 0,
    PagedPool = 1,
    NonPagedPoolMustSucceed = 2,
    DontUseThisType = 3,
    NonPagedPoolCacheAligned = 4,
    PagedPoolCacheAligned = 5,
    NonPagedPoolCacheAlignedMustSucceed = 6,
    MaxPoolType = 7,
    NonPagedPoolSession = 32,
    PagedPoolSession = 33,
    NonPagedPoolMustSucceedSession = 34,
    DontUseThisTypeSession = 35,
    NonPagedPoolCacheAlignedSession = 36,
    PagedPoolCacheAlignedSession = 37,
    NonPagedPoolCacheAlignedMustSSession = 38,
    NonPagedPoolNx = 512,
    NonPagedPoolNxCacheAligned = 516,
    NonPagedPoolSessionNx = 544
} POOL_TYPE;

#define BASE_POOL_TYPE_MASK 1
#define MUST_SUCCEED_POOL_TYPE_MASK 2
#define CACHE_ALIGNED_POOL_TYPE_MASK 4
#define SESSION_POOL_MASK 32
#define POOL_NX_ALLOCATION 512
#define POOL_QUOTA_FAIL_INSTEAD_OF_RAISE 8
#define POOL_RAISE_IF_ALLOCATION_FAILURE 16
#define PROTECTED_POOL 0x80000000

typedef enum _EX_POOL_PRIORITY {
    LowPoolPriority,
    LowPoolPrioritySpecialPoolOverrun = 8,
    LowPoolPrioritySpecialPoolUnderrun = 9,
    NormalPoolPriority = 16,
    NormalPoolPrioritySpecialPoolOverrun = 24,
    NormalPoolPrioritySpecialPoolUnderrun = 25,
    HighPoolPriority = 32,
    HighPoolPrioritySpecialPoolOverrun = 40,
    HighPoolPrioritySpecialPoolUnderrun = 41
} EX_POOL_PRIORITY;

PVOID NTAPI ExAllocatePoolWithTag(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag);
PVOID NTAPI ExAllocatePool(POOL_TYPE PoolType, SIZE_T NumberOfBytes);
PVOID NTAPI ExAllocatePoolWithTagPriority(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag,
                                          EX_POOL_PRIORITY Priority);
VOID NTAPI ExFreePoolWithTag(PVOID P, ULONG Tag);
VOID NTAPI ExFreePool(PVOID P);
SIZE_T NTAPI ExQueryPoolBlockSize(PVOID PoolBlock, PBOOLEAN QuotaCharged);

/*
 * Pool charged to the current process (kernel/ex/poolquota.c): raises
 * STATUS_QUOTA_EXCEEDED past the process's limit and
 * STATUS_INSUFFICIENT_RESOURCES when pool runs out, or returns NULL for
 * either with POOL_QUOTA_FAIL_INSTEAD_OF_RAISE in PoolType.
 */
_IRQL_requires_max_(DISPATCH_LEVEL)
PVOID NTAPI ExAllocatePoolWithQuotaTag(_In_ __drv_strictTypeMatch(__drv_typeExpr) POOL_TYPE PoolType,
                                       _In_ SIZE_T NumberOfBytes, _In_ ULONG Tag);
_IRQL_requires_max_(DISPATCH_LEVEL)
PVOID NTAPI ExAllocatePoolWithQuota(_In_ __drv_strictTypeMatch(__drv_typeExpr) POOL_TYPE PoolType,
                                    _In_ SIZE_T NumberOfBytes);

/*
 * ExAllocatePool2's flags (kernel/ex/pool2.c). The low 32 bits are
 * required: one unknown, or not exactly one of the three pools, fails the
 * call. The high 32 bits are hints, ignored when unknown.
 */
typedef ULONG64 POOL_FLAGS;
#define POOL_FLAG_REQUIRED_START    0x0000000000000001ULL
#define POOL_FLAG_USE_QUOTA         0x0000000000000001ULL   /* charged to the current process */
#define POOL_FLAG_UNINITIALIZED     0x0000000000000002ULL   /* not zeroed */
#define POOL_FLAG_SESSION           0x0000000000000004ULL
#define POOL_FLAG_CACHE_ALIGNED     0x0000000000000008ULL
#define POOL_FLAG_RESERVED1         0x0000000000000010ULL
#define POOL_FLAG_RAISE_ON_FAILURE  0x0000000000000020ULL
#define POOL_FLAG_NON_PAGED         0x0000000000000040ULL   /* nonpaged, not executable */
#define POOL_FLAG_NON_PAGED_EXECUTE 0x0000000000000080ULL
#define POOL_FLAG_PAGED             0x0000000000000100ULL
#define POOL_FLAG_RESERVED2         0x0000000000000200ULL
#define POOL_FLAG_RESERVED3         0x0000000000000400ULL
#define POOL_FLAG_REQUIRED_END      0x0000000080000000ULL
#define POOL_FLAG_OPTIONAL_START    0x0000000100000000ULL
#define POOL_FLAG_SPECIAL_POOL      0x0000000100000000ULL
#define POOL_FLAG_OPTIONAL_END      0x8000000000000000ULL

/*
 * Zeroed unless POOL_FLAG_UNINITIALIZED; NULL for a zero tag, invalid
 * flags or want of pool (or quota), or with POOL_FLAG_RAISE_ON_FAILURE a
 * raised STATUS_INVALID_PARAMETER, STATUS_INSUFFICIENT_RESOURCES or
 * STATUS_QUOTA_EXCEEDED.
 */
_IRQL_requires_max_(DISPATCH_LEVEL)
PVOID NTAPI ExAllocatePool2(_In_ POOL_FLAGS Flags, _In_ SIZE_T NumberOfBytes, _In_ ULONG Tag);

/* The DDK's inline forms for drivers that also run on Windows before ExAllocatePool2. */
FORCEINLINE PVOID ExAllocatePoolZero(_In_ POOL_TYPE PoolType, _In_ SIZE_T NumberOfBytes, _In_ ULONG Tag)
{
    PVOID Block = ExAllocatePoolWithTag(PoolType, NumberOfBytes, Tag);

    if (Block != NULL)
        RtlZeroMemory(Block, NumberOfBytes);
    return Block;
}

FORCEINLINE PVOID ExAllocatePoolUninitialized(_In_ POOL_TYPE PoolType, _In_ SIZE_T NumberOfBytes, _In_ ULONG Tag)
{
    return ExAllocatePoolWithTag(PoolType, NumberOfBytes, Tag);
}

FORCEINLINE PVOID ExAllocatePoolQuotaZero(_In_ POOL_TYPE PoolType, _In_ SIZE_T NumberOfBytes, _In_ ULONG Tag)
{
    PVOID Block = ExAllocatePoolWithQuotaTag(PoolType, NumberOfBytes, Tag);

    if (Block != NULL)
        RtlZeroMemory(Block, NumberOfBytes);
    return Block;
}

FORCEINLINE PVOID ExAllocatePoolQuotaUninitialized(_In_ POOL_TYPE PoolType, _In_ SIZE_T NumberOfBytes,
                                                   _In_ ULONG Tag)
{
    return ExAllocatePoolWithQuotaTag(PoolType, NumberOfBytes, Tag);
}

/* --- Interlocked singly linked lists (x86 layout: next, depth, sequence in 8 bytes) -- */

typedef struct _SLIST_ENTRY {
    struct _SLIST_ENTRY *Next;
} SLIST_ENTRY, *PSLIST_ENTRY;

typedef union _SLIST_HEADER {
#if defined(__x86_64__)
    unsigned __int128 Alignment;
#else
    ULONGLONG Alignment;
#endif
    struct {
        SLIST_ENTRY Next;
        USHORT Depth;
        USHORT Sequence;
    };
} DECLSPEC_ALIGN(sizeof(PVOID) * 2) SLIST_HEADER, *PSLIST_HEADER;
#ifdef __i386__
_Static_assert(sizeof(SLIST_HEADER) == 8, "x86 SLIST_HEADER: next, depth, sequence in one cmpxchg8b word");
#endif

/* NT x86 exports the SLIST operations __fastcall; the spin lock of the Ex forms is not used. */
VOID NTAPI InitializeSListHead(_Out_ PSLIST_HEADER SListHead);
PSLIST_ENTRY FASTCALL InterlockedPushEntrySList(_Inout_ PSLIST_HEADER ListHead,
                                                _Inout_ __drv_aliasesMem PSLIST_ENTRY ListEntry);
PSLIST_ENTRY FASTCALL InterlockedPopEntrySList(_Inout_ PSLIST_HEADER ListHead);
PSLIST_ENTRY FASTCALL InterlockedFlushSList(_Inout_ PSLIST_HEADER ListHead);
USHORT NTAPI ExQueryDepthSList(_In_ PSLIST_HEADER SListHead);
#define QueryDepthSList(ListHead) ExQueryDepthSList(ListHead)
#define ExInitializeSListHead InitializeSListHead
PSLIST_ENTRY FASTCALL ExInterlockedPushEntrySList(_Inout_ PSLIST_HEADER ListHead,
                                                  _Inout_ __drv_aliasesMem PSLIST_ENTRY ListEntry,
                                                  _Inout_opt_ PKSPIN_LOCK Lock);
PSLIST_ENTRY FASTCALL ExInterlockedPopEntrySList(_Inout_ PSLIST_HEADER ListHead, _Inout_opt_ PKSPIN_LOCK Lock);
PSLIST_ENTRY FASTCALL ExInterlockedFlushSList(_Inout_ PSLIST_HEADER ListHead);

/* --- Lookaside lists ------------------------------------------------------ */

typedef PVOID (NTAPI *PALLOCATE_FUNCTION)(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag);
typedef VOID (NTAPI *PFREE_FUNCTION)(PVOID Buffer);

typedef struct _GENERAL_LOOKASIDE {
    SLIST_HEADER ListHead;
    USHORT Depth;
    USHORT MaximumDepth;
    ULONG TotalAllocates;
    union {
        ULONG AllocateMisses;
        ULONG AllocateHits;
    };
    ULONG TotalFrees;
    union {
        ULONG FreeMisses;
        ULONG FreeHits;
    };
    POOL_TYPE Type;
    ULONG Tag;
    ULONG Size;
    PALLOCATE_FUNCTION Allocate;
    PFREE_FUNCTION Free;
    LIST_ENTRY ListEntry;
    ULONG LastTotalAllocates;
    union {
        ULONG LastAllocateMisses;
        ULONG LastAllocateHits;
    };
    ULONG Future[2];
} DECLSPEC_ALIGN(64) GENERAL_LOOKASIDE, *PGENERAL_LOOKASIDE;
#ifdef __i386__
_Static_assert(sizeof(GENERAL_LOOKASIDE) == 128, "x86 GENERAL_LOOKASIDE is one 128-byte block");
#endif

/*
 * The dispatcher object header and the event and fast mutex built on it,
 * NT x86's layouts; declared for the structures that embed them (nothing
 * waits on them yet).
 */
typedef struct _DISPATCHER_HEADER {
    UCHAR Type;
    UCHAR Absolute;
    UCHAR Size;
    UCHAR Inserted;
    LONG SignalState;
    LIST_ENTRY WaitListHead;
} DISPATCHER_HEADER;

typedef struct _KEVENT {
    DISPATCHER_HEADER Header;
} KEVENT, *PKEVENT, *PRKEVENT;

typedef struct _FAST_MUTEX {
    LONG Count;
    PVOID Owner;                   /* the owning KTHREAD */
    ULONG Contention;
    KEVENT Event;
    ULONG OldIrql;
} FAST_MUTEX, *PFAST_MUTEX;

/*
 * NT x86 keeps a lock after L that no code has used since lookaside lists
 * became lock-free; it stays for the size drivers were compiled against.
 */
typedef struct _NPAGED_LOOKASIDE_LIST {
    GENERAL_LOOKASIDE L;
#ifdef __i386__
    KSPIN_LOCK Lock__ObsoleteButDoNotDelete;
#endif
} NPAGED_LOOKASIDE_LIST, *PNPAGED_LOOKASIDE_LIST;

typedef struct _PAGED_LOOKASIDE_LIST {
    GENERAL_LOOKASIDE L;
#ifdef __i386__
    FAST_MUTEX Lock__ObsoleteButDoNotDelete;
#endif
} PAGED_LOOKASIDE_LIST, *PPAGED_LOOKASIDE_LIST;

#ifdef __i386__
_Static_assert(sizeof(DISPATCHER_HEADER) == 0x10 && sizeof(FAST_MUTEX) == 0x20, "NT x86's KEVENT and FAST_MUTEX");
_Static_assert(FIELD_OFFSET(NPAGED_LOOKASIDE_LIST, Lock__ObsoleteButDoNotDelete) == 0x80 &&
                   sizeof(NPAGED_LOOKASIDE_LIST) == 0xC0,
               "NT x86's NPAGED_LOOKASIDE_LIST: the lock after L, then padding to 64 bytes");
_Static_assert(FIELD_OFFSET(PAGED_LOOKASIDE_LIST, Lock__ObsoleteButDoNotDelete) == 0x80 &&
                   sizeof(PAGED_LOOKASIDE_LIST) == 0xC0,
               "NT x86's PAGED_LOOKASIDE_LIST: the fast mutex after L, then padding to 64 bytes");
#endif

VOID NTAPI ExInitializeNPagedLookasideList(PNPAGED_LOOKASIDE_LIST Lookaside, PALLOCATE_FUNCTION Allocate,
                                           PFREE_FUNCTION Free, ULONG Flags, SIZE_T Size, ULONG Tag,
                                           USHORT Depth);
VOID NTAPI ExInitializePagedLookasideList(PPAGED_LOOKASIDE_LIST Lookaside, PALLOCATE_FUNCTION Allocate,
                                          PFREE_FUNCTION Free, ULONG Flags, SIZE_T Size, ULONG Tag,
                                          USHORT Depth);
VOID NTAPI ExDeleteNPagedLookasideList(PNPAGED_LOOKASIDE_LIST Lookaside);
VOID NTAPI ExDeletePagedLookasideList(PPAGED_LOOKASIDE_LIST Lookaside);
PVOID NTAPI ExAllocateFromNPagedLookasideList(PNPAGED_LOOKASIDE_LIST Lookaside);
VOID NTAPI ExFreeToNPagedLookasideList(PNPAGED_LOOKASIDE_LIST Lookaside, PVOID Entry);
PVOID NTAPI ExAllocateFromPagedLookasideList(PPAGED_LOOKASIDE_LIST Lookaside);
VOID NTAPI ExFreeToPagedLookasideList(PPAGED_LOOKASIDE_LIST Lookaside, PVOID Entry);

/* --- Deferred procedure calls and timers ---------------------------------- */

/*
 * The DDK's role types: a driver declares its routine with one
 * (KDEFERRED_ROUTINE MyDpc;). GCC, unlike MSVC, wants the definition to
 * repeat the calling convention: VOID NTAPI MyDpc(...) { ... }.
 */
struct _KDPC;
typedef VOID NTAPI KDEFERRED_ROUTINE(_In_ struct _KDPC *Dpc, _In_opt_ PVOID DeferredContext,
                                     _In_opt_ PVOID SystemArgument1, _In_opt_ PVOID SystemArgument2);
typedef KDEFERRED_ROUTINE *PKDEFERRED_ROUTINE;

typedef struct _KDPC {
    UCHAR Type;
    UCHAR Importance;
    USHORT Number;
    LIST_ENTRY DpcListEntry;
    PKDEFERRED_ROUTINE DeferredRoutine;
    PVOID DeferredContext;
    PVOID SystemArgument1;
    PVOID SystemArgument2;
    volatile PVOID DpcData;        /* non-NULL while queued */
} KDPC, *PKDPC, *PRKDPC;

VOID NTAPI KeInitializeDpc(PRKDPC Dpc, PKDEFERRED_ROUTINE DeferredRoutine, PVOID DeferredContext);
BOOLEAN NTAPI KeInsertQueueDpc(PRKDPC Dpc, PVOID SystemArgument1, PVOID SystemArgument2);
BOOLEAN NTAPI KeRemoveQueueDpc(PRKDPC Dpc);

typedef struct _KTIMER {
    ULARGE_INTEGER DueTime;        /* in clock ticks since boot, whatever form KeSetTimerEx was given */
    LIST_ENTRY TimerListEntry;
    PKDPC Dpc;
    LONG Period;                   /* milliseconds, 0 for one shot */
    BOOLEAN Inserted;
    BOOLEAN Signaled;
} KTIMER, *PKTIMER;

VOID NTAPI KeInitializeTimer(PKTIMER Timer);
BOOLEAN NTAPI KeSetTimer(PKTIMER Timer, LARGE_INTEGER DueTime, PKDPC Dpc);
BOOLEAN NTAPI KeSetTimerEx(PKTIMER Timer, LARGE_INTEGER DueTime, LONG Period, PKDPC Dpc);
BOOLEAN NTAPI KeCancelTimer(PKTIMER Timer);
BOOLEAN NTAPI KeReadStateTimer(PKTIMER Timer);

/* --- Time --------------------------------------------------------------- */

/*
 * System time counts 100 ns units since 1601-01-01 (UTC; ntmm takes the
 * CMOS clock as UTC), interrupt time 100 ns units since boot, the tick
 * count clock interrupts since boot, the performance counter PIT input
 * ticks (its frequency is returned with it).
 */
typedef struct _TIME_FIELDS {
    CSHORT Year;            /* 1601 and on */
    CSHORT Month;           /* 1-12 */
    CSHORT Day;             /* 1-31 */
    CSHORT Hour;            /* 0-23 */
    CSHORT Minute;
    CSHORT Second;
    CSHORT Milliseconds;
    CSHORT Weekday;         /* 0 (Sunday) - 6, ignored by RtlTimeFieldsToTime */
} TIME_FIELDS, *PTIME_FIELDS;

BOOLEAN NTAPI RtlTimeFieldsToTime(_In_ PTIME_FIELDS TimeFields, _Out_ PLARGE_INTEGER Time);
VOID NTAPI KeQuerySystemTime(_Out_ PLARGE_INTEGER CurrentTime);
ULONGLONG NTAPI KeQueryInterruptTime(VOID);
VOID NTAPI KeQueryTickCount(_Out_ PLARGE_INTEGER CurrentCount);
ULONG NTAPI KeQueryTimeIncrement(VOID);
LARGE_INTEGER NTAPI KeQueryPerformanceCounter(_Out_opt_ PLARGE_INTEGER PerformanceFrequency);
/* Spins for at least MicroSeconds, at any IRQL; for the short waits hardware asks for. */
VOID NTAPI KeStallExecutionProcessor(_In_ ULONG MicroSeconds);

/* --- Processors and caches ----------------------------------------------- */

/* One processor. */
extern CCHAR KeNumberProcessors;
FORCEINLINE ULONG KeGetCurrentProcessorNumber(VOID)
{
    return 0;
}

/* x86 caches snoop DMA and I/O: nothing to flush, as the DDK's x86 macro says. */
#define KeFlushIoBuffers(Mdl, ReadOperation, DmaOperation) \
    ((void)(Mdl), (void)(ReadOperation), (void)(DmaOperation))

/* --- Port and register I/O (HAL: kernel/hal/portio.c) ---------------------------- */

/* A port is a 16-bit number passed as a pointer; the buffer forms move Count values through the one port. */
UCHAR NTAPI READ_PORT_UCHAR(_In_ PUCHAR Port);
USHORT NTAPI READ_PORT_USHORT(_In_ PUSHORT Port);
ULONG NTAPI READ_PORT_ULONG(_In_ PULONG Port);
VOID NTAPI WRITE_PORT_UCHAR(_In_ PUCHAR Port, _In_ UCHAR Value);
VOID NTAPI WRITE_PORT_USHORT(_In_ PUSHORT Port, _In_ USHORT Value);
VOID NTAPI WRITE_PORT_ULONG(_In_ PULONG Port, _In_ ULONG Value);
VOID NTAPI READ_PORT_BUFFER_UCHAR(_In_ PUCHAR Port, _Out_writes_all_(Count) PUCHAR Buffer, _In_ ULONG Count);
VOID NTAPI READ_PORT_BUFFER_USHORT(_In_ PUSHORT Port, _Out_writes_all_(Count) PUSHORT Buffer, _In_ ULONG Count);
VOID NTAPI READ_PORT_BUFFER_ULONG(_In_ PULONG Port, _Out_writes_all_(Count) PULONG Buffer, _In_ ULONG Count);
VOID NTAPI WRITE_PORT_BUFFER_UCHAR(_In_ PUCHAR Port, _In_reads_(Count) PUCHAR Buffer, _In_ ULONG Count);
VOID NTAPI WRITE_PORT_BUFFER_USHORT(_In_ PUSHORT Port, _In_reads_(Count) PUSHORT Buffer, _In_ ULONG Count);
VOID NTAPI WRITE_PORT_BUFFER_ULONG(_In_ PULONG Port, _In_reads_(Count) PULONG Buffer, _In_ ULONG Count);

/*
 * Memory-mapped registers: each access is one access of its width, in
 * program order; a write is followed by a fence so it has left the
 * processor before the call returns. The buffer forms move Count values
 * between Buffer and consecutive registers.
 */
UCHAR NTAPI READ_REGISTER_UCHAR(_In_ volatile UCHAR *Register);
USHORT NTAPI READ_REGISTER_USHORT(_In_ volatile USHORT *Register);
ULONG NTAPI READ_REGISTER_ULONG(_In_ volatile ULONG *Register);
VOID NTAPI WRITE_REGISTER_UCHAR(_In_ volatile UCHAR *Register, _In_ UCHAR Value);
VOID NTAPI WRITE_REGISTER_USHORT(_In_ volatile USHORT *Register, _In_ USHORT Value);
VOID NTAPI WRITE_REGISTER_ULONG(_In_ volatile ULONG *Register, _In_ ULONG Value);
VOID NTAPI READ_REGISTER_BUFFER_UCHAR(_In_reads_(Count) volatile UCHAR *Register,
                                      _Out_writes_all_(Count) PUCHAR Buffer, _In_ ULONG Count);
VOID NTAPI READ_REGISTER_BUFFER_USHORT(_In_reads_(Count) volatile USHORT *Register,
                                       _Out_writes_all_(Count) PUSHORT Buffer, _In_ ULONG Count);
VOID NTAPI READ_REGISTER_BUFFER_ULONG(_In_reads_(Count) volatile ULONG *Register,
                                      _Out_writes_all_(Count) PULONG Buffer, _In_ ULONG Count);
VOID NTAPI WRITE_REGISTER_BUFFER_UCHAR(_Out_writes_(Count) volatile UCHAR *Register, _In_reads_(Count) PUCHAR Buffer,
                                       _In_ ULONG Count);
VOID NTAPI WRITE_REGISTER_BUFFER_USHORT(_Out_writes_(Count) volatile USHORT *Register,
                                        _In_reads_(Count) PUSHORT Buffer, _In_ ULONG Count);
VOID NTAPI WRITE_REGISTER_BUFFER_ULONG(_Out_writes_(Count) volatile ULONG *Register, _In_reads_(Count) PULONG Buffer,
                                       _In_ ULONG Count);

/* --- Sections, views and files (issue 14: kept as one block for merging) ------- */

/* Access to a section object (NtCreateSection's DesiredAccess; views need the MAP rights). */
#define SECTION_QUERY        0x0001
#define SECTION_MAP_WRITE    0x0002
#define SECTION_MAP_READ     0x0004
#define SECTION_MAP_EXECUTE  0x0008
#define SECTION_EXTEND_SIZE  0x0010
#define SECTION_ALL_ACCESS   (STANDARD_RIGHTS_REQUIRED | SECTION_QUERY | SECTION_MAP_WRITE | SECTION_MAP_READ | \
                              SECTION_MAP_EXECUTE | SECTION_EXTEND_SIZE)

/* AllocationAttributes of NtCreateSection; SEC_NO_CHANGE is also an AllocationType of a view. */
#define SEC_BASED      0x00200000
#define SEC_NO_CHANGE  0x00400000
#define SEC_FILE       0x00800000
#define SEC_IMAGE      0x01000000
#define SEC_RESERVE    0x04000000
#define SEC_COMMIT     0x08000000
#define SEC_NOCACHE    0x10000000

/* NtMapViewOfSection's AllocationType beyond MEM_TOP_DOWN and SEC_NO_CHANGE. */
#define MEM_DOS_LIM 0x40000000

typedef enum _SECTION_INHERIT {
    ViewShare = 1,
    ViewUnmap = 2
} SECTION_INHERIT;

typedef enum _SECTION_INFORMATION_CLASS {
    SectionBasicInformation = 0,
    SectionImageInformation = 1
} SECTION_INFORMATION_CLASS;

typedef struct _SECTION_BASIC_INFORMATION {
    PVOID BaseAddress;
    ULONG AllocationAttributes;
    LARGE_INTEGER MaximumSize;
} SECTION_BASIC_INFORMATION, *PSECTION_BASIC_INFORMATION;

typedef struct _SECTION_IMAGE_INFORMATION {
    PVOID TransferAddress;             /* the entry point at the image's preferred base */
    ULONG ZeroBits;
    SIZE_T MaximumStackSize;
    SIZE_T CommittedStackSize;
    ULONG SubSystemType;
    USHORT SubSystemMinorVersion;
    USHORT SubSystemMajorVersion;
    ULONG GpValue;
    USHORT ImageCharacteristics;
    USHORT DllCharacteristics;
    USHORT Machine;
    BOOLEAN ImageContainsCode;
    UCHAR ImageFlags;
    ULONG LoaderFlags;
    ULONG ImageFileSize;
    ULONG CheckSum;
} SECTION_IMAGE_INFORMATION, *PSECTION_IMAGE_INFORMATION;
#ifdef __i386__
_Static_assert(sizeof(SECTION_IMAGE_INFORMATION) == 0x30, "NT x86's SECTION_IMAGE_INFORMATION");
#endif

NTSTATUS NTAPI ZwCreateSection(PHANDLE SectionHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                               PLARGE_INTEGER MaximumSize, ULONG SectionPageProtection, ULONG AllocationAttributes,
                               HANDLE FileHandle);
NTSTATUS NTAPI ZwMapViewOfSection(HANDLE SectionHandle, HANDLE ProcessHandle, PVOID *BaseAddress, ULONG_PTR ZeroBits,
                                  SIZE_T CommitSize, PLARGE_INTEGER SectionOffset, PSIZE_T ViewSize,
                                  SECTION_INHERIT InheritDisposition, ULONG AllocationType, ULONG Win32Protect);
NTSTATUS NTAPI ZwUnmapViewOfSection(HANDLE ProcessHandle, PVOID BaseAddress);
NTSTATUS NTAPI ZwQuerySection(HANDLE SectionHandle, SECTION_INFORMATION_CLASS SectionInformationClass,
                              PVOID SectionInformation, SIZE_T SectionInformationLength, PSIZE_T ReturnLength);
NTSTATUS NTAPI MmMapViewInSystemSpace(PVOID Section, PVOID *MappedBase, PSIZE_T ViewSize);
NTSTATUS NTAPI MmUnmapViewInSystemSpace(PVOID MappedBase);
extern POBJECT_TYPE *MmSectionObjectType;

/* Files: access rights, sharing, how NtCreateFile opens, and what it reports. */
#define FILE_READ_DATA        0x0001
#define FILE_LIST_DIRECTORY   0x0001
#define FILE_WRITE_DATA       0x0002
#define FILE_APPEND_DATA      0x0004
#define FILE_READ_EA          0x0008
#define FILE_WRITE_EA         0x0010
#define FILE_EXECUTE          0x0020
#define FILE_DELETE_CHILD     0x0040
#define FILE_READ_ATTRIBUTES  0x0080
#define FILE_WRITE_ATTRIBUTES 0x0100
#define FILE_ALL_ACCESS       (STANDARD_RIGHTS_REQUIRED | SYNCHRONIZE | 0x1FF)
#define FILE_GENERIC_READ     (STANDARD_RIGHTS_READ | FILE_READ_DATA | FILE_READ_ATTRIBUTES | FILE_READ_EA | SYNCHRONIZE)
#define FILE_GENERIC_WRITE    (STANDARD_RIGHTS_WRITE | FILE_WRITE_DATA | FILE_WRITE_ATTRIBUTES | FILE_WRITE_EA | \
                               FILE_APPEND_DATA | SYNCHRONIZE)
#define FILE_GENERIC_EXECUTE  (STANDARD_RIGHTS_EXECUTE | FILE_READ_ATTRIBUTES | FILE_EXECUTE | SYNCHRONIZE)

#define FILE_SHARE_READ   0x00000001
#define FILE_SHARE_WRITE  0x00000002
#define FILE_SHARE_DELETE 0x00000004
#define FILE_SHARE_VALID_FLAGS 0x00000007

#define FILE_ATTRIBUTE_READONLY 0x00000001
#define FILE_ATTRIBUTE_NORMAL   0x00000080

/* CreateDisposition */
#define FILE_SUPERSEDE    0x00000000
#define FILE_OPEN         0x00000001
#define FILE_CREATE       0x00000002
#define FILE_OPEN_IF      0x00000003
#define FILE_OVERWRITE    0x00000004
#define FILE_OVERWRITE_IF 0x00000005
#define FILE_MAXIMUM_DISPOSITION 0x00000005

/* CreateOptions */
#define FILE_DIRECTORY_FILE          0x00000001
#define FILE_WRITE_THROUGH           0x00000002
#define FILE_SEQUENTIAL_ONLY         0x00000004
#define FILE_NO_INTERMEDIATE_BUFFERING 0x00000008
#define FILE_SYNCHRONOUS_IO_ALERT    0x00000010
#define FILE_SYNCHRONOUS_IO_NONALERT 0x00000020
#define FILE_NON_DIRECTORY_FILE      0x00000040
#define FILE_VALID_OPTION_FLAGS      0x00FFFFFF

/* IO_STATUS_BLOCK.Information after a create */
#define FILE_SUPERSEDED  0x00000000
#define FILE_OPENED      0x00000001
#define FILE_CREATED     0x00000002
#define FILE_OVERWRITTEN 0x00000003
#define FILE_EXISTS      0x00000004
#define FILE_DOES_NOT_EXIST 0x00000005

/* IO_STATUS_BLOCK and PIO_APC_ROUTINE are with the IRP, above. */

typedef enum _FILE_INFORMATION_CLASS {
    FileDirectoryInformation = 1,
    FileBasicInformation = 4,
    FileStandardInformation = 5,
    FilePositionInformation = 14,
    FileEndOfFileInformation = 20,
    FileMaximumInformation = 56
} FILE_INFORMATION_CLASS, *PFILE_INFORMATION_CLASS;

typedef struct _FILE_BASIC_INFORMATION {
    LARGE_INTEGER CreationTime;
    LARGE_INTEGER LastAccessTime;
    LARGE_INTEGER LastWriteTime;
    LARGE_INTEGER ChangeTime;
    ULONG FileAttributes;
} FILE_BASIC_INFORMATION, *PFILE_BASIC_INFORMATION;

typedef struct _FILE_STANDARD_INFORMATION {
    LARGE_INTEGER AllocationSize;
    LARGE_INTEGER EndOfFile;
    ULONG NumberOfLinks;
    BOOLEAN DeletePending;
    BOOLEAN Directory;
} FILE_STANDARD_INFORMATION, *PFILE_STANDARD_INFORMATION;

typedef struct _FILE_POSITION_INFORMATION {
    LARGE_INTEGER CurrentByteOffset;
} FILE_POSITION_INFORMATION, *PFILE_POSITION_INFORMATION;

/* The file's sections, shared by every file object opened on it (its FCB holds this). */
typedef struct _SECTION_OBJECT_POINTERS {
    PVOID DataSectionObject;           /* the data section's CONTROL_AREA */
    PVOID SharedCacheMap;
    PVOID ImageSectionObject;          /* the image section's CONTROL_AREA */
} SECTION_OBJECT_POINTERS, *PSECTION_OBJECT_POINTERS;

typedef struct _DEVICE_OBJECT *PDEVICE_OBJECT;
typedef struct _FILE_OBJECT *PFILE_OBJECT;

/* An open file: the DDK's x86 layout; ntmm's I/O manager fills the fields a file system reads. */
typedef struct _FILE_OBJECT {
    CSHORT Type;                       /* IO_TYPE_FILE */
    CSHORT Size;
    PDEVICE_OBJECT DeviceObject;
    struct _VPB *Vpb;
    PVOID FsContext;                   /* the file system's file (its FCB) */
    PVOID FsContext2;
    PSECTION_OBJECT_POINTERS SectionObjectPointer;
    PVOID PrivateCacheMap;
    NTSTATUS FinalStatus;
    struct _FILE_OBJECT *RelatedFileObject;
    BOOLEAN LockOperation;
    BOOLEAN DeletePending;
    BOOLEAN ReadAccess;
    BOOLEAN WriteAccess;
    BOOLEAN DeleteAccess;
    BOOLEAN SharedRead;
    BOOLEAN SharedWrite;
    BOOLEAN SharedDelete;
    ULONG Flags;                       /* FO_* */
    UNICODE_STRING FileName;
    LARGE_INTEGER CurrentByteOffset;   /* where a synchronous read without a ByteOffset starts */
    ULONG Waiter;
    ULONG Busy;
    PVOID LastLock;
    KEVENT Lock;
    KEVENT Event;
    struct _IO_COMPLETION_CONTEXT *CompletionContext;
} FILE_OBJECT;
#ifdef __i386__
_Static_assert(sizeof(FILE_OBJECT) == 0x70, "NT x86's FILE_OBJECT");
#endif

#define IO_TYPE_FILE 5
#define FO_SYNCHRONOUS_IO 0x00000002
#define FO_ALERTABLE_IO   0x00000004

extern POBJECT_TYPE *IoFileObjectType;

NTSTATUS NTAPI ZwCreateFile(PHANDLE FileHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                            PIO_STATUS_BLOCK IoStatusBlock, PLARGE_INTEGER AllocationSize, ULONG FileAttributes,
                            ULONG ShareAccess, ULONG CreateDisposition, ULONG CreateOptions, PVOID EaBuffer,
                            ULONG EaLength);
NTSTATUS NTAPI ZwOpenFile(PHANDLE FileHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                          PIO_STATUS_BLOCK IoStatusBlock, ULONG ShareAccess, ULONG OpenOptions);
NTSTATUS NTAPI ZwReadFile(HANDLE FileHandle, HANDLE Event, PIO_APC_ROUTINE ApcRoutine, PVOID ApcContext,
                          PIO_STATUS_BLOCK IoStatusBlock, PVOID Buffer, ULONG Length, PLARGE_INTEGER ByteOffset,
                          PULONG Key);
NTSTATUS NTAPI ZwQueryInformationFile(HANDLE FileHandle, PIO_STATUS_BLOCK IoStatusBlock, PVOID FileInformation,
                                      ULONG Length, FILE_INFORMATION_CLASS FileInformationClass);

VOID NTAPI RtlInitUnicodeString(PUNICODE_STRING DestinationString, PCWSTR SourceString);

#endif
