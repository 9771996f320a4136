/*
 * movemem.c: the RTL memory routines NT exports as functions (RtlCopyMemory
 * and its siblings are macros over mem*, in ntddk.h). Compares count equal
 * bytes up to the first difference; the ULONG forms work on whole ULONGs,
 * as the DDK requires of their callers.
 */
#include <ntddk.h>

/* Bytes per non-temporal prefetch, set by the kernel at boot; 0: the processor has no prefetch. */
ULONG RtlpPrefetchNonTemporalGranularity;

SIZE_T NTAPI RtlCompareMemory(const VOID *Source1, const VOID *Source2, SIZE_T Length)
{
    const UCHAR *Left = Source1, *Right = Source2;
    SIZE_T Equal = 0;

    while (Equal < Length && Left[Equal] == Right[Equal])
        Equal++;
    return Equal;
}

/* Zero, as documented, for a misaligned Source or a Length that is not whole ULONGs. */
SIZE_T NTAPI RtlCompareMemoryUlong(PVOID Source, SIZE_T Length, ULONG Pattern)
{
    const ULONG *Words = Source;
    SIZE_T Count = Length / sizeof(ULONG), Equal = 0;

    if (((ULONG_PTR)Source & (sizeof(ULONG) - 1)) != 0 || (Length & (sizeof(ULONG) - 1)) != 0)
        return 0;
    while (Equal < Count && Words[Equal] == Pattern)
        Equal++;
    return Equal * sizeof(ULONG);
}

/* Writes Length / sizeof(ULONG) copies of Pattern; bytes past the last whole ULONG are left alone. */
VOID NTAPI RtlFillMemoryUlong(PVOID Destination, SIZE_T Length, ULONG Pattern)
{
    PULONG Words = Destination;

    for (SIZE_T i = 0; i < Length / sizeof(ULONG); i++)
        Words[i] = Pattern;
}

/*
 * A hint that the range will be read once soon: prefetchnta brings each
 * cache line in without displacing what the caches hold. Prefetches never
 * fault, so any range is safe; without the instruction this does nothing.
 */
VOID FASTCALL RtlPrefetchMemoryNonTemporal(PVOID Source, SIZE_T Length)
{
    ULONG Granularity = RtlpPrefetchNonTemporalGranularity;
    PUCHAR Line = Source;

    if (Granularity == 0 || Length == 0)
        return;
    /* Counted down, so a range that ends at the top of the address space cannot wrap the loop. */
    for (;;) {
        __asm__ volatile("prefetchnta (%0)" : : "r"(Line));
        if (Length <= Granularity)
            break;
        Length -= Granularity;
        Line += Granularity;
    }
}
