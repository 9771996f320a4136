/* bench_util.h: what the host benchmarks share: the clock, sorting rounds, ratios, failing, writing the report. */
#ifndef NTMM_BENCH_UTIL_H
#define NTMM_BENCH_UTIL_H

#include <stdio.h>

/* The program's name in messages ("bench_pool"), set by main. */
extern const char *BenchProgram;

double NowNs(void);
int CompareDoubles(const void *a, const void *b);
void Ratio(FILE *Out, double Ours, double Theirs);
void Fail(const char *Message, const char *Detail) __attribute__((noreturn));
/* Prints Text and writes it to Path (Mode "w" or "a"), failing loudly if it cannot. */
void WriteReport(const char *Text, const char *Path, const char *Mode);

#endif
