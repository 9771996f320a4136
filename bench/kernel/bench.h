/* bench.h: the benchmark kernel's harness (bench.c), shared by the files that measure its rows. */
#ifndef NTMM_BENCH_H
#define NTMM_BENCH_H

#include <ntddk.h>

#define BENCH_ROUNDS 3            /* the count repeats exactly; more rounds would only confirm it */
#define BENCH_TAG 'hcnB'

/* One operation of a row; Index counts from 0 across the rounds (the warm-up call gets the last one). */
typedef VOID (*BENCH_OPERATION)(PVOID Context, ULONG Index);

/*
 * A row's figures, in hundredths of an instruction per operation: Gross as
 * counted, Net less the harness (or, for rows timed in ring 3, less the
 * program's own loop), Low and High over the rounds (equal when every
 * round counted the same, which under -icount they do unless the state
 * differs between rounds).
 */
typedef struct _BENCH_FIGURE {
    CHAR Name[96];
    ULONG Gross;
    ULONG Net;
    ULONG Low, High;
} BENCH_FIGURE;

extern BENCH_FIGURE BenchHarness;        /* an empty operation: the call and the loop */
extern BENCH_FIGURE BenchSList;          /* SLIST push+pop: the allocators' reference */

BENCH_FIGURE BenchMeasure(PCSTR Name, BENCH_OPERATION Operation, PVOID Context, ULONG Iterations);
BENCH_FIGURE BenchFigure(PCSTR Name, ULONG Gross, ULONG Net);
VOID BenchReport(const BENCH_FIGURE *Row, const BENCH_FIGURE *Reference, PCSTR Note);
VOID BenchFact(PCSTR Name, PCSTR Format, ...) __attribute__((format(printf, 2, 3)));
/* A target the issue tracker set: Figure and Bound in hundredths, met when Figure <= Bound. */
VOID BenchTarget(PCSTR What, ULONG Figure, ULONG Bound);
/* Net over the reference's net, in hundredths. */
ULONG BenchRatio(const BENCH_FIGURE *Row, const BENCH_FIGURE *Reference);

/* The rows of benchscale.c (allocators against what they hold) and benchproc.c (processes and ring 3). */
VOID BenchScale(VOID);
VOID BenchProcesses(const BENCH_FIGURE *KernelFault);

#endif
