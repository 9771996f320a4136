/* debug.c: DbgPrint and DbgPrintEx to COM1, RtlAssert, DbgBreakPoint, and the list-corruption stop. */
#include <ke.h>
#include <hal.h>
#include <kprintf.h>

PKDEBUG_PRINT_HOOK KiDebugPrintHook;

/* The levels DbgPrintEx prints, for every component: errors only, NT's default. */
#define KD_DEFAULT_PRINT_MASK (1u << DPFLTR_ERROR_LEVEL)
#define KD_LAST_LEVEL_BIT 31

/*
 * One call sends at most DBGPRINT_MAXIMUM_LENGTH bytes, as NT documents; a
 * longer message is cut there and, as NT's is, still ends with a newline,
 * so the next message starts a line of its own.
 */
static VOID KdpPrint(PCSTR Format, va_list Args)
{
    CHAR Buffer[DBGPRINT_MAXIMUM_LENGTH];
    int Length;

    Length = kvsnprintf(Buffer, sizeof(Buffer), Format, Args);
    /* -1: longer than an int counts, so longer than the buffer too. */
    if (Length < 0 || Length >= (int)sizeof(Buffer)) {
        Length = sizeof(Buffer);
        Buffer[Length - 1] = '\n';
    }
    if (KiDebugPrintHook != NULL)
        KiDebugPrintHook(Buffer, (ULONG)Length);
    HalSerialWrite(Buffer, (ULONG)Length);
}

ULONG DbgPrint(PCSTR Format, ...)
{
    va_list Args;

    va_start(Args, Format);
    KdpPrint(Format, Args);
    va_end(Args);
    return STATUS_SUCCESS;
}

/*
 * A Level up to 31 names one bit of the mask, a larger one (DPFLTR_MASK
 * set) is the mask itself. A filtered message is dropped, and the call
 * still succeeds, as NT's does.
 */
ULONG DbgPrintEx(ULONG ComponentId, ULONG Level, PCSTR Format, ...)
{
    ULONG Mask = Level > KD_LAST_LEVEL_BIT ? (Level & ~DPFLTR_MASK) : (1u << Level);
    va_list Args;

    UNREFERENCED_PARAMETER(ComponentId);
    if (Mask & KD_DEFAULT_PRINT_MASK) {
        va_start(Args, Format);
        KdpPrint(Format, Args);
        va_end(Args);
    }
    return STATUS_SUCCESS;
}

/* int3; ret and nothing else, as in NT, so the breakpoint's address is the function's. */
__attribute__((naked)) VOID NTAPI DbgBreakPoint(VOID)
{
    __asm__ volatile("int3\n\tret");
}

/* A failed ASSERT: NT's checked build asks the debugger; with none attached it stops. */
VOID NTAPI RtlAssert(PVOID FailedAssertion, PVOID FileName, ULONG LineNumber, PCHAR Message)
{
    DbgPrint("*** Assertion failed: %s%s%s\n***   Source File: %s, line %u\n",
             Message != NULL ? Message : "", Message != NULL ? ": " : "",
             (PCSTR)FailedAssertion, (PCSTR)FileName, LineNumber);
    KeBugCheckEx(KMODE_EXCEPTION_NOT_HANDLED, (ULONG_PTR)STATUS_ASSERTION_FAILURE,
                 (ULONG_PTR)__builtin_return_address(0), (ULONG_PTR)FileName, LineNumber);
}

/* What NT's __fastfail(FAST_FAIL_CORRUPT_LIST_ENTRY) becomes in kernel mode. */
VOID RtlFailListEntry(PLIST_ENTRY Entry)
{
    KeBugCheckEx(KERNEL_SECURITY_CHECK_FAILURE, FAST_FAIL_CORRUPT_LIST_ENTRY,
                 (ULONG_PTR)Entry, 0, 0);
}
