/*
 * trap_test.c: every exception vector that ring 0 can raise on purpose,
 * raised for real. Those NT dispatches as exceptions must reach a try block
 * with NT's status code; those that mean a broken kernel must stop the
 * system with UNEXPECTED_KERNEL_MODE_TRAP and the vector.
 */
#include "ktest.h"
#include <ke.h>

/* Raises vector-specific faults from inline assembly: C would not do these on purpose. */
static VOID RaiseDivideError(VOID)
{
    __asm__ volatile("xorl %%ecx, %%ecx; movl $1, %%eax; xorl %%edx, %%edx; divl %%ecx" ::: "eax", "ecx", "edx");
}

static VOID RaiseInvalidOpcode(VOID)
{
    __asm__ volatile("ud2");
}

static VOID RaiseSingleStep(VOID)
{
    __asm__ volatile("pushfl; orl %0, (%%esp); popfl; nop; nop" : : "i"(EFLAGS_TF) : "memory", "cc");
}

static VOID RaiseOverflow(VOID)
{
    __asm__ volatile("movl $0x7FFFFFFF, %%eax; addl $1, %%eax; into" ::: "eax", "cc");
}

static VOID RaiseBoundRange(VOID)
{
    static const LONG Bounds[2] = { 10, 20 };
    __asm__ volatile("movl $30, %%eax; bound %%eax, %0" : : "m"(Bounds) : "eax");
}

static VOID RaiseGeneralProtection(VOID)
{
    /* A selector past the end of the GDT. */
    __asm__ volatile("movl $0x1000, %%eax; movl %%eax, %%gs" ::: "eax");
}

static VOID RaiseSegmentNotPresent(VOID)
{
    __asm__ volatile("movl %0, %%eax; movl %%eax, %%gs" : : "i"(KGDT_NP_TEST) : "eax");
}

static VOID RaiseStackFault(VOID)
{
    __asm__ volatile("movl %0, %%eax; movl %%eax, %%ss" : : "i"(KGDT_NP_TEST) : "eax");
}

/* iret with EFLAGS.NT set returns through the TSS back link, which is null: #TS. */
static VOID RaiseInvalidTss(VOID)
{
    __asm__ volatile("pushfl; orl %0, (%%esp); popfl; iretl" : : "i"(EFLAGS_NT) : "memory", "cc");
}

static VOID RaiseNpxNotAvailable(VOID)
{
    KiWriteCr0(KiReadCr0() | CR0_TS | CR0_MP);
    __asm__ volatile("fwait");
}

static VOID RaiseNpxError(VOID)
{
    USHORT ControlWord = 0x037B; /* all x87 exceptions masked but divide-by-zero */

    KiWriteCr0(KiReadCr0() & ~(CR0_TS | CR0_EM));
    __asm__ volatile("fninit; fldcw %0; fld1; fldz; fdivrp; fwait" : : "m"(ControlWord));
}

typedef struct _VECTOR_CASE {
    VOID (*Raise)(VOID);
    ULONG Vector;
    NTSTATUS Status;
} VECTOR_CASE;

static const VECTOR_CASE DispatchedVectors[] = {
    { RaiseDivideError, EXCEPTION_DIVIDE, STATUS_INTEGER_DIVIDE_BY_ZERO },
    { RaiseSingleStep, EXCEPTION_DEBUG, STATUS_SINGLE_STEP },
    { (VOID (*)(VOID))DbgBreakPoint, EXCEPTION_BREAKPOINT, STATUS_BREAKPOINT },
    { RaiseOverflow, EXCEPTION_OVERFLOW, STATUS_INTEGER_OVERFLOW },
    { RaiseBoundRange, EXCEPTION_BOUND, STATUS_ARRAY_BOUNDS_EXCEEDED },
    { RaiseInvalidOpcode, EXCEPTION_INVALID_OPCODE, STATUS_ILLEGAL_INSTRUCTION },
    { RaiseGeneralProtection, EXCEPTION_GP_FAULT, STATUS_ACCESS_VIOLATION },
};

static NTSTATUS RaiseInTry(VOID (*Raise)(VOID))
{
    volatile NTSTATUS Status = STATUS_SUCCESS;

    _SEH2_TRY {
        Raise();
    } _SEH2_EXCEPT(EXCEPTION_EXECUTE_HANDLER) {
        Status = _SEH2_GetExceptionCode();
    } _SEH2_END;
    return Status;
}

KTEST(trap, dispatched_vectors_reach_their_handler_with_nt_status)
{
    for (ULONG i = 0; i < RTL_NUMBER_OF(DispatchedVectors); i++) {
        const VECTOR_CASE *Case = &DispatchedVectors[i];
        ULONG Before = KiPcr.TrapCount[Case->Vector];

        KT_EXPECT_EQ(RaiseInTry(Case->Raise), Case->Status);
        KT_EXPECT_EQ(KiPcr.TrapCount[Case->Vector], Before + 1);
    }
}

KTEST(trap, breakpoint_reports_the_int3_address)
{
    volatile ULONG_PTR Address = 0;

    _SEH2_TRY {
        DbgBreakPoint();
    } _SEH2_EXCEPT(EXCEPTION_EXECUTE_HANDLER) {
        Address = (ULONG_PTR)_SEH2_GetExceptionInformation()->ExceptionRecord->ExceptionAddress;
    } _SEH2_END;
    /* DbgBreakPoint is int3; ret, as in NT: the exception names the int3 itself. */
    KT_EXPECT_EQ(Address, (ULONG_PTR)DbgBreakPoint);
    KT_EXPECT_EQ(*(PUCHAR)Address, 0xCC);
}

KTEST(trap, context_record_holds_the_faulting_registers)
{
    volatile ULONG Eax = 0, Eip = 0;

    _SEH2_TRY {
        __asm__ volatile("movl $0x5EED1234, %%eax; ud2" ::: "eax");
    } _SEH2_EXCEPT(EXCEPTION_EXECUTE_HANDLER) {
        Eax = _SEH2_GetExceptionInformation()->ContextRecord->Eax;
        Eip = _SEH2_GetExceptionInformation()->ContextRecord->Eip;
    } _SEH2_END;
    KT_EXPECT_EQ(Eax, 0x5EED1234);
    KT_EXPECT_EQ(*(PUSHORT)Eip, 0x0B0F); /* ud2 */
}

KTEST(trap, null_dereference_in_try_is_an_access_violation)
{
    volatile NTSTATUS Status = STATUS_SUCCESS;
    volatile ULONG_PTR Address = 1;

    _SEH2_TRY {
        (void)*(volatile ULONG *)NULL;
    } _SEH2_EXCEPT(EXCEPTION_EXECUTE_HANDLER) {
        Status = _SEH2_GetExceptionCode();
        Address = _SEH2_GetExceptionInformation()->ExceptionRecord->ExceptionInformation[1];
    } _SEH2_END;
    KT_EXPECT_EQ(Status, STATUS_ACCESS_VIOLATION);
    KT_EXPECT_EQ(Address, 0);
}

KTEST(trap, timer_interrupts_arrive_on_their_vector)
{
    ULONG Before = KiPcr.InterruptCount;

    for (ULONG Spin = 0; Spin < 100 && KiPcr.InterruptCount == Before; Spin++)
        __halt();
    KT_EXPECT(KiPcr.InterruptCount > Before);
}

/* Outside any try block, a dispatched exception ends in KMODE_EXCEPTION_NOT_HANDLED. */
KTEST_BUGCHECK(trap, int3_outside_try_stops_with_0x1e, KMODE_EXCEPTION_NOT_HANDLED)
{
    KT_BUGCHECK_PARAMETER(1, STATUS_BREAKPOINT);
    KT_BUGCHECK_PARAMETER(2, (ULONG_PTR)DbgBreakPoint); /* its first instruction is the int3 */
    DbgBreakPoint();
}

KTEST_BUGCHECK(trap, ud2_outside_try_stops_with_0x1e, KMODE_EXCEPTION_NOT_HANDLED)
{
    KT_BUGCHECK_PARAMETER(1, STATUS_ILLEGAL_INSTRUCTION);
    RaiseInvalidOpcode();
}

KTEST_BUGCHECK(trap, divide_by_zero_outside_try_stops_with_0x1e, KMODE_EXCEPTION_NOT_HANDLED)
{
    KT_BUGCHECK_PARAMETER(1, STATUS_INTEGER_DIVIDE_BY_ZERO);
    RaiseDivideError();
}

KTEST_BUGCHECK(trap, nmi_stops_with_0x80, NMI_HARDWARE_FAILURE)
{
    __asm__ volatile("int $2");
}

KTEST_BUGCHECK(trap, machine_check_stops_with_0x9c, MACHINE_CHECK_EXCEPTION)
{
    __asm__ volatile("int $18");
}

KTEST_BUGCHECK(trap, npx_not_available_stops_with_0x7f_7, UNEXPECTED_KERNEL_MODE_TRAP)
{
    KT_BUGCHECK_PARAMETER(1, EXCEPTION_NPX_NOT_AVAILABLE);
    RaiseNpxNotAvailable();
}

KTEST_BUGCHECK(trap, npx_error_stops_with_0x7f_10, UNEXPECTED_KERNEL_MODE_TRAP)
{
    KT_BUGCHECK_PARAMETER(1, EXCEPTION_NPX_ERROR);
    RaiseNpxError();
}

KTEST_BUGCHECK(trap, invalid_tss_stops_with_0x7f_a, UNEXPECTED_KERNEL_MODE_TRAP)
{
    KT_BUGCHECK_PARAMETER(1, EXCEPTION_INVALID_TSS);
    RaiseInvalidTss();
}

KTEST_BUGCHECK(trap, segment_not_present_stops_with_0x7f_b, UNEXPECTED_KERNEL_MODE_TRAP)
{
    KT_BUGCHECK_PARAMETER(1, EXCEPTION_SEGMENT_NOT_PRESENT);
    KT_BUGCHECK_PARAMETER(2, KGDT_NP_TEST);     /* the error code names the selector */
    RaiseSegmentNotPresent();
}

KTEST_BUGCHECK(trap, stack_segment_fault_stops_with_0x7f_c, UNEXPECTED_KERNEL_MODE_TRAP)
{
    KT_BUGCHECK_PARAMETER(1, EXCEPTION_STACK_FAULT);
    RaiseStackFault();
}

/*
 * A fault while delivering a fault: with vector 0's gate marked not present,
 * a divide error raises #NP on the way in, and two contributory faults make
 * a double fault, which the task gate handles on its own stack.
 */
KTEST_BUGCHECK(trap, fault_during_delivery_is_a_double_fault, UNEXPECTED_KERNEL_MODE_TRAP)
{
    KT_BUGCHECK_PARAMETER(1, EXCEPTION_DOUBLE_FAULT);
    KiIdt[EXCEPTION_DIVIDE].Access &= ~0x8000;
    RaiseDivideError();
}
