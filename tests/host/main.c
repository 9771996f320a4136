/*
 * main.c: the host test program (make test-host). Runs the same KTEST cases
 * machinery as the kernel over the tests/host/ files, under AddressSanitizer
 * and UndefinedBehaviorSanitizer; the filter is argv[1] ("all" by default).
 */
#include "ktest.h"
#include <stdio.h>
#include <stdlib.h>

ULONG KtRunTests(PCSTR Filter);

/* The host's stand-in for the kernel's list-corruption stop. */
VOID RtlFailListEntry(PLIST_ENTRY Entry)
{
    fprintf(stderr, "list entry %p is corrupt\n", (void *)Entry);
    abort();
}

int main(int argc, char **argv)
{
    return KtRunTests(argc > 1 ? argv[1] : "all") == 0 ? 0 : 1;
}
