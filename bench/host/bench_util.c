/* bench_util.c: the clock, sorting, ratios, failing and report writing the host benchmarks share. */
#include "bench_util.h"
#include <stdlib.h>
#include <time.h>

const char *BenchProgram = "bench";

double NowNs(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e9 + t.tv_nsec;
}

int CompareDoubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void Ratio(FILE *Out, double Ours, double Theirs)
{
    if (Theirs > 0)
        fprintf(Out, " %.2f |", Ours / Theirs);
    else
        fprintf(Out, " – |");
}

void Fail(const char *Message, const char *Detail)
{
    fprintf(stderr, "%s: %s%s%s\n", BenchProgram, Message, Detail ? ": " : "", Detail ? Detail : "");
    exit(1);
}

void WriteReport(const char *Text, const char *Path, const char *Mode)
{
    fputs(Text, stdout);
    fflush(stdout);
    if (Path != NULL) {
        FILE *File = fopen(Path, Mode);

        if (File == NULL || fputs(Text, File) < 0 || fclose(File) != 0)
            Fail("cannot write", Path);
        fprintf(stderr, "%s: %s %s\n", BenchProgram, Mode[0] == 'a' ? "appended to" : "written to", Path);
    }
}
