/* debug.c: DbgPrint to COM1, RtlAssert, DbgBreakPoint, and the list-corruption stop. */
#include <ke.h>
#include <hal.h>
#include <kprintf.h>

PKDEBUG_PRINT_HOOK KiDebugPrintHook;

/*
 * One call sends at most DBGPRINT_MAXIMUM_LENGTH bytes, as NT documents; a
 * longer message is cut there and, as NT's is, still ends with a newline,
 * so the next message starts a line of its own.
 */
ULONG DbgPrint(PCSTR Format, ...)
{
    CHAR Buffer[DBGPRINT_MAXIMUM_LENGTH];
    va_list Args;
    int Length;

    va_start(Args, Format);
    Length = kvsnprintf(Buffer, sizeof(Buffer), Format, Args);
    va_end(Args);
    /* Negative: the whole message would have passed INT_MAX bytes, so it was cut too. */
    if (Length < 0 || Length >= (int)sizeof(Buffer)) {
        Length = sizeof(Buffer);
        Buffer[Length - 1] = '\n';
    }
    if (KiDebugPrintHook != NULL)
        KiDebugPrintHook(Buffer, (ULONG)Length);
    HalSerialWrite(Buffer, (ULONG)Length);
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
