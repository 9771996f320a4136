/*
 * main.c: the host test program (make test-host). Runs the same KTEST cases
 * machinery as the kernel over the tests/host/ files, under AddressSanitizer
 * and UndefinedBehaviorSanitizer; the filter is argv[1] ("all" by default).
 * Ends with the line "N passed, N failed" (", N skipped"), as make test does.
 */
#include "ktest.h"
#include <stdio.h>
#include <stdlib.h>

ULONG KtRunTests(PCSTR Filter);

int main(int argc, char **argv)
{
    ULONG Failures = KtRunTests(argc > 1 ? argv[1] : "all");
    KTEST_COUNTS Counts;

    KtQueryCounts(&Counts);
    printf("\n%u passed, %u failed", Counts.Passed, Counts.Failed);
    if (Counts.Skipped != 0)
        printf(", %u skipped", Counts.Skipped);
    printf("\n");
    return Failures == 0 && Counts.Passed != 0 ? 0 : 1;
}
