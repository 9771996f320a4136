/* timing.h: what timing.c measures for each argument, shared with the benchmark kernel that runs it (bench/kernel). */
#ifndef NTMM_TIMING_H
#define NTMM_TIMING_H

/*
 * The argument: what to time in the top byte, how many times below it.
 * The exit status is the rdtsc difference around the timed loop (under
 * make bench's -icount shift=0, instructions), or TIMING_FAILED when the
 * program could not set the loop up.
 */
enum {
    TimeFirstTouch = 1,         /* one write to each of N committed pages never touched: N demand-zero faults */
    TimeMappedTouch,            /* the same loop over N pages already touched once */
    TimeNullService,            /* N calls of NtYieldExecution through int 0x2E */
    TimeLocalCall,              /* the same loop calling a ring-3 function instead */
};

#define TIMING_ARGUMENT(What, Count) ((PVOID)(ULONG_PTR)(((ULONG)(What) << 24) | (Count)))
#define TIMING_WHAT(Argument) ((ULONG)(ULONG_PTR)(Argument) >> 24)
#define TIMING_COUNT(Argument) ((ULONG)(ULONG_PTR)(Argument) & 0xFFFFFF)
#define TIMING_FAILED 0xBAD00000u

#endif
