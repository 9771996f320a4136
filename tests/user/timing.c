/*
 * timing.c: the ring-3 side of make bench: times with rdtsc what only a
 * user-mode program can do (a demand-zero fault taken from ring 3, a
 * system call's round trip) and returns the count as its exit status.
 * rdtsc runs in ring 3 because the kernel leaves CR4.TSD clear. Each timed
 * loop has a twin that does everything but the operation, so the caller
 * subtracts the loop (timing.h).
 */
#include "user.h"
#include "timing.h"

static ULONG ReadTsc(VOID)
{
    ULONG Low, High;

    __asm__ volatile("rdtsc" : "=a"(Low), "=d"(High));
    return Low;
}

/* The stand-in for a system service in the loop's twin; called through a volatile pointer, never folded away. */
static NTSTATUS NTAPI NoService(VOID)
{
    return STATUS_NO_YIELD_PERFORMED;
}

static ULONG TimeTouches(ULONG Pages, BOOLEAN TouchFirst)
{
    PVOID Base = NULL;
    SIZE_T Size = (SIZE_T)Pages * PAGE_SIZE;
    volatile UCHAR *Bytes;
    ULONG Start, End;

    if (NtAllocateVirtualMemory(NtCurrentProcess(), &Base, 0, &Size, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE) !=
        STATUS_SUCCESS)
        return TIMING_FAILED;
    Bytes = Base;
    if (TouchFirst) {
        for (ULONG i = 0; i < Pages; i++)
            Bytes[(SIZE_T)i * PAGE_SIZE] = 1;
    }
    Start = ReadTsc();
    for (ULONG i = 0; i < Pages; i++)
        Bytes[(SIZE_T)i * PAGE_SIZE] = 2;
    End = ReadTsc();
    Size = 0;
    NtFreeVirtualMemory(NtCurrentProcess(), &Base, &Size, MEM_RELEASE);
    return End - Start;
}

static ULONG TimeCalls(ULONG Count, NTSTATUS(NTAPI *volatile Service)(VOID))
{
    ULONG Start = ReadTsc(), End;

    for (ULONG i = 0; i < Count; i++) {
        if (Service() != STATUS_NO_YIELD_PERFORMED)
            return TIMING_FAILED;
    }
    End = ReadTsc();
    return End - Start;
}

ULONG NTAPI UserMain(PVOID Argument)
{
    ULONG Count = TIMING_COUNT(Argument);

    switch (TIMING_WHAT(Argument)) {
    case TimeFirstTouch:
        return TimeTouches(Count, FALSE);
    case TimeMappedTouch:
        return TimeTouches(Count, TRUE);
    case TimeNullService:
        return TimeCalls(Count, NtYieldExecution);
    case TimeLocalCall:
        return TimeCalls(Count, NoService);
    default:
        return TIMING_FAILED;
    }
}
