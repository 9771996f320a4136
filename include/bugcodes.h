/* bugcodes.h: the bugcheck (STOP) codes ntmm raises, with the values of NT's bugcodes.h. */
#ifndef NTMM_BUGCODES_H
#define NTMM_BUGCODES_H

/*
 * The stop raised before any C runs (boot/cpucheck.S) needs its value where
 * assembly can read it; the list below takes it from here.
 */
#define KI_UNSUPPORTED_PROCESSOR_CODE 0x0000005D

#ifndef __ASSEMBLER__
/* One X-macro list, so the codes and the names KeBugCheckEx prints cannot drift apart. */
#define NTMM_BUGCHECK_CODES(X)                         \
    X(APC_INDEX_MISMATCH,                 0x00000001)  \
    X(INVALID_PROCESS_ATTACH_ATTEMPT,     0x00000005)  \
    X(INVALID_PROCESS_DETACH_ATTEMPT,     0x00000006)  \
    X(REFERENCE_BY_POINTER,               0x00000018)  \
    X(PHASE1_INITIALIZATION_FAILED,       0x00000032)  \
    X(SYSTEM_SERVICE_EXCEPTION,           0x0000003B)  \
    X(IRQL_GT_ZERO_AT_SYSTEM_SERVICE,     0x0000004A)  \
    X(PROCESS1_INITIALIZATION_FAILED,     0x0000006B)  \
    X(IRQL_NOT_GREATER_OR_EQUAL,          0x00000009)  \
    X(SPIN_LOCK_ALREADY_OWNED,            0x0000000F)  \
    X(SPIN_LOCK_NOT_OWNED,                0x00000010)  \
    X(IRQL_NOT_LESS_OR_EQUAL,             0x0000000A)  \
    X(NO_EXCEPTION_HANDLING_SUPPORT,      0x0000000B)  \
    X(BAD_POOL_HEADER,                    0x00000019)  \
    X(MEMORY_MANAGEMENT,                  0x0000001A)  \
    X(KMODE_EXCEPTION_NOT_HANDLED,        0x0000001E)  \
    X(INVALID_SOFTWARE_INTERRUPT,         0x00000007)  \
    X(PFN_SHARE_COUNT,                    0x00000025)  \
    X(PFN_REFERENCE_COUNT,                0x00000026)  \
    X(NO_SPIN_LOCK_AVAILABLE,             0x00000027)  \
    X(MUST_SUCCEED_POOL_EMPTY,            0x00000041)  \
    X(MULTIPLE_IRP_COMPLETE_REQUESTS,     0x00000044)  \
    X(QUOTA_UNDERFLOW,                    0x00000021)  \
    X(NO_MORE_SYSTEM_PTES,                0x0000003F)  \
    X(TARGET_MDL_TOO_SMALL,               0x00000040)  \
    X(NO_PAGES_AVAILABLE,                 0x0000004D)  \
    X(UNSUPPORTED_PROCESSOR,              KI_UNSUPPORTED_PROCESSOR_CODE) \
    X(PFN_LIST_CORRUPT,                   0x0000004E)  \
    X(PAGE_FAULT_IN_NONPAGED_AREA,        0x00000050)  \
    X(PROCESS_HAS_LOCKED_PAGES,           0x00000076)  \
    X(KERNEL_STACK_INPAGE_ERROR,          0x00000077)  \
    X(KERNEL_DATA_INPAGE_ERROR,           0x0000007A)  \
    X(INSTALL_MORE_MEMORY,                0x0000007D)  \
    X(UNEXPECTED_KERNEL_MODE_TRAP,        0x0000007F)  \
    X(NMI_HARDWARE_FAILURE,               0x00000080)  \
    X(KERNEL_MODE_EXCEPTION_NOT_HANDLED,  0x0000008E)  \
    X(MACHINE_CHECK_EXCEPTION,            0x0000009C)  \
    X(DRIVER_IRQL_NOT_LESS_OR_EQUAL,      0x000000D1)  \
    X(ATTEMPTED_WRITE_TO_READONLY_MEMORY, 0x000000BE)  \
    X(BAD_POOL_CALLER,                    0x000000C2)  \
    X(DRIVER_CORRUPTED_EXPOOL,            0x000000C5)  \
    X(DRIVER_UNMAPPING_INVALID_VIEW,      0x000000BC)  \
    X(SYSTEM_PTE_MISUSE,                  0x000000DA)  \
    X(DRIVER_LEFT_LOCKED_PAGES_IN_PROCESS,0x000000CB)  \
    X(MANUALLY_INITIATED_CRASH,           0x000000E2)  \
    X(ATTEMPTED_EXECUTE_OF_NOEXECUTE_MEMORY, 0x000000FC) \
    X(LOADER_BLOCK_MISMATCH,              0x00000100)  \
    X(KERNEL_SECURITY_CHECK_FAILURE,      0x00000139)

#define NTMM_DEFINE_BUGCODE(Name, Value) enum { Name = (Value) };
NTMM_BUGCHECK_CODES(NTMM_DEFINE_BUGCODE)
#undef NTMM_DEFINE_BUGCODE
#endif /* __ASSEMBLER__ */

#endif
