/*
 * benchproc.c: the benchmark rows that need processes: virtual memory
 * through the system services in the System process, a switch of address
 * space, and what only ring 3 can time (a demand-zero fault taken from
 * user mode, a null system call's round trip), measured by the ring-3
 * program tests/user/timing.c with rdtsc and returned as its exit status.
 *
 * Ring 3 runs with interrupts on, so a clock tick can land in a timed loop
 * there; a run during which an interrupt arrived is run again (up to
 * BENCH_USER_TRIES times) and the row says so if every try had one.
 */
#define NTMM_WHITEBOX_TEST
#include <ntddk.h>
#include <ke.h>
#include <ps.h>
#include <kprintf.h>
#include "bench.h"
#include "userprog.h"
#include "../../tests/user/timing.h"

#define BENCH_USER_TRIES 3

/* The ring-3 program's count for What over Count operations; *Quiet says whether no interrupt came in between. */
static ULONG BenchRunTiming(ULONG What, ULONG Count, PBOOLEAN Quiet)
{
    ULONG Result = TIMING_FAILED;

    *Quiet = FALSE;
    for (ULONG Try = 0; Try < BENCH_USER_TRIES && !*Quiet; Try++) {
        ULONG Interrupts = KiPcr.InterruptCount;

        Result = (ULONG)KtRunUserProgram("timing", TIMING_ARGUMENT(What, Count));
        *Quiet = KiPcr.InterruptCount == Interrupts;
    }
    return Result;
}

/* A ring-3 row: the timed loop per operation, net of its twin without the operation. */
static VOID BenchRingThree(PCSTR Name, ULONG What, ULONG Twin, ULONG Count, const BENCH_FIGURE *Reference,
                           PCSTR TwinName)
{
    BOOLEAN Quiet, TwinQuiet;
    ULONG Timed = BenchRunTiming(What, Count, &Quiet), Loop = BenchRunTiming(Twin, Count, &TwinQuiet);
    BENCH_FIGURE Row;

    if (Timed == TIMING_FAILED || Loop == TIMING_FAILED || Timed < Loop) {
        DbgPrint("# bench-error|%s|the ring-3 program failed (%08X, %08X)\n", Name, Timed, Loop);
        return;
    }
    Row = BenchFigure(Name, (ULONG)((ULONGLONG)Timed * 100 / Count), (ULONG)((ULONGLONG)(Timed - Loop) * 100 / Count));
    BenchReport(&Row, Reference, Quiet && TwinQuiet ? NULL : "a clock interrupt landed in every try");
    BenchFact(TwinName, "%u.%02u instructions per operation, taken off the row above as its harness",
              (ULONG)((ULONGLONG)Loop * 100 / Count) / 100, (ULONG)((ULONGLONG)Loop * 100 / Count) % 100);
}

/* One page reserved, committed, touched and released through the services, as a driver in the System process would. */
static VOID OpVirtualMemory(PVOID Context, ULONG Index)
{
    PVOID Base = NULL;
    SIZE_T Size = PAGE_SIZE;

    UNREFERENCED_PARAMETER(Context);
    UNREFERENCED_PARAMETER(Index);
    if (!NT_SUCCESS(ZwAllocateVirtualMemory(NtCurrentProcess(), &Base, 0, &Size, MEM_RESERVE | MEM_COMMIT,
                                            PAGE_READWRITE))) {
        DbgPrint("# bench-error|NtAllocateVirtualMemory|the allocation failed\n");
        return;
    }
    *(volatile UCHAR *)Base = 1;
    Size = 0;
    ZwFreeVirtualMemory(NtCurrentProcess(), &Base, &Size, MEM_RELEASE);
}

static VOID OpAttach(PVOID Context, ULONG Index)
{
    KAPC_STATE ApcState;

    UNREFERENCED_PARAMETER(Index);
    KeStackAttachProcess(Context, &ApcState);
    KeUnstackDetachProcess(&ApcState);
}

VOID BenchProcesses(const BENCH_FIGURE *KernelFault)
{
    enum { PAGES = 64, CALLS = 1000 };
    BENCH_FIGURE Row, Home;
    PEPROCESS Process;

    Row = BenchMeasure("NtAllocateVirtualMemory reserve+commit+touch+release, 1 page (System process)",
                       OpVirtualMemory, NULL, 50);
    BenchReport(&Row, KernelFault, NULL);

    if (!NT_SUCCESS(PsCreateProcess("bench", 0, &Process))) {
        DbgPrint("# bench-error|address space switch|no process\n");
        return;
    }
    Home = BenchMeasure("KeStackAttachProcess+KeUnstackDetachProcess, the System process (no switch)", OpAttach,
                        PsInitialSystemProcess, 200);
    Row = BenchMeasure("KeStackAttachProcess+KeUnstackDetachProcess, another process (two CR3 writes)", OpAttach,
                       Process, 200);
    BenchReport(&Home, &BenchSList, NULL);
    BenchReport(&Row, &Home, NULL);
    PsTerminateProcess(Process, STATUS_SUCCESS);
    ObDereferenceObject(Process);

    BenchRingThree("demand-zero fault from ring 3, page zeroed in the fault", TimeFirstTouch, TimeMappedTouch, PAGES,
                   KernelFault, "ring-3 loop over pages already mapped");
    BenchRingThree("null system call from ring 3 (NtYieldExecution, int 0x2E)", TimeNullService, TimeLocalCall,
                   CALLS, &BenchSList, "ring-3 loop calling a ring-3 function instead");
}
