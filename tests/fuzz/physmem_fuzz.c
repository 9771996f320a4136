/*
 * physmem_fuzz.c: libFuzzer target for the memory-map sanitiser (mm/physmem.c): any loader map,
 * up to a few entries past the loader block's limit, checked against a reference built another
 * way, as interval sets in 64-bit arithmetic: the union of the available entries, less the union
 * of all others, clipped to 4 GB, each piece rounded inward to whole pages. The descriptor must
 * hold exactly those runs, sorted, disjoint and apart, the first MI_MAXIMUM_MEMORY_RUNS of them,
 * with the pages of the rest counted as dropped. So every run lies inside the available entries
 * and clear of every other entry, and no page of RAM goes missing unaccounted.
 */
#define NTMM_MM_WHITEBOX_TEST
#include "fuzz.h"
#include "../../mm/mi.h"
#include <hw/multiboot.h>
#include <string.h>

#define LIMIT (1ULL << 32)
/* Every entry can split each interval of the reference in two, and adds one of its own. */
#define MAXIMUM_INTERVALS (2 * (LOADER_MAXIMUM_MEMORY_RANGES + 1))

typedef struct _INTERVAL {
    ULONGLONG Start, End;       /* [Start, End), End <= LIMIT */
} INTERVAL;

static ULONGLONG Clip(ULONGLONG Address)
{
    return Address < LIMIT ? Address : LIMIT;
}

/* The entry as an interval below 4 GB, FALSE when nothing of it is there. */
static BOOLEAN EntryInterval(const LOADER_MEMORY_RANGE *Range, INTERVAL *Interval)
{
    ULONGLONG End = Range->BaseAddress + Range->Length;

    if (Range->Length == 0 || Range->BaseAddress >= LIMIT)
        return FALSE;
    Interval->Start = Range->BaseAddress;
    Interval->End = End < Range->BaseAddress ? LIMIT : Clip(End);    /* a length past 2^64 reaches the limit */
    return TRUE;
}

/* Adds [Start, End) to a sorted set of disjoint intervals, merging what it overlaps or touches. */
static ULONG Unite(INTERVAL *Set, ULONG Count, INTERVAL Add)
{
    INTERVAL Result[MAXIMUM_INTERVALS];
    ULONG Kept = 0, i = 0;

    for (; i < Count && Set[i].End < Add.Start; i++)
        Result[Kept++] = Set[i];
    for (; i < Count && Set[i].Start <= Add.End; i++) {
        Add.Start = Set[i].Start < Add.Start ? Set[i].Start : Add.Start;
        Add.End = Set[i].End > Add.End ? Set[i].End : Add.End;
    }
    Result[Kept++] = Add;
    for (; i < Count; i++)
        Result[Kept++] = Set[i];
    memcpy(Set, Result, Kept * sizeof(INTERVAL));
    return Kept;
}

/* Removes [Start, End) from the set, splitting what it cuts. */
static ULONG Subtract(INTERVAL *Set, ULONG Count, INTERVAL Cut)
{
    INTERVAL Result[MAXIMUM_INTERVALS];
    ULONG Kept = 0;

    for (ULONG i = 0; i < Count; i++) {
        if (Set[i].End <= Cut.Start || Set[i].Start >= Cut.End) {
            Result[Kept++] = Set[i];
            continue;
        }
        if (Set[i].Start < Cut.Start)
            Result[Kept++] = (INTERVAL){ Set[i].Start, Cut.Start };
        if (Set[i].End > Cut.End)
            Result[Kept++] = (INTERVAL){ Cut.End, Set[i].End };
    }
    FUZZ_CHECK(Kept <= MAXIMUM_INTERVALS);
    memcpy(Set, Result, Kept * sizeof(INTERVAL));
    return Kept;
}

/* Base addresses and lengths where maps go wrong: page edges, 4 GB, the top of 64 bits. */
static ULONGLONG Address(FUZZ_INPUT *Input)
{
    UCHAR Kind = FuzzByte(Input);
    ULONGLONG Near = ((ULONGLONG)FuzzByte(Input) << 12) + (Kind & 0x10 ? PAGE_SIZE - 1 - (Kind & 0xF) : (Kind & 0xF));

    switch (Kind >> 5) {
    case 0:
    case 1:
        return Near;                                            /* the first megabyte, page edges */
    case 2:
        return (ULONGLONG)FuzzUlong(Input);
    case 3:
        return LIMIT - Near;                                    /* just below 4 GB */
    case 4:
        return LIMIT + Near;                                    /* just above */
    case 5:
        return ~0ULL - Near;                                    /* lengths that wrap 64 bits */
    default:
        return (ULONGLONG)FuzzUlong(Input) << 32 | FuzzUlong(Input);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size)
{
    FUZZ_INPUT Input = { Data, Size };
    LOADER_MEMORY_RANGE Ranges[LOADER_MAXIMUM_MEMORY_RANGES + 4];
    ULONG Count = FuzzBelow(&Input, RTL_NUMBER_OF(Ranges) + 1), Read, Available = 0, Runs = 0;
    INTERVAL Ram[MAXIMUM_INTERVALS], Interval;
    PHYSICAL_MEMORY_DESCRIPTOR Descriptor;
    PFN_NUMBER Dropped, Expected = 0, Total = 0;

    for (ULONG i = 0; i < Count; i++) {
        Ranges[i].BaseAddress = Address(&Input);
        Ranges[i].Length = Address(&Input);
        /* Mostly available, so there is RAM to cut; the other types, and ones nobody knows. */
        Ranges[i].Type = FuzzByte(&Input) < 0x90 ? MULTIBOOT_MEMORY_AVAILABLE : FuzzByte(&Input) % 8;
    }
    Dropped = MiBuildPhysicalMemoryDescriptor(Ranges, Count, &Descriptor);

    /* The reference reads what the sanitiser reads: the first LOADER_MAXIMUM_MEMORY_RANGES entries. */
    Read = Count < LOADER_MAXIMUM_MEMORY_RANGES ? Count : LOADER_MAXIMUM_MEMORY_RANGES;
    for (ULONG i = 0; i < Read; i++)
        if (Ranges[i].Type == MULTIBOOT_MEMORY_AVAILABLE && EntryInterval(&Ranges[i], &Interval))
            Available = Unite(Ram, Available, Interval);
    for (ULONG i = 0; i < Read; i++)
        if (Ranges[i].Type != MULTIBOOT_MEMORY_AVAILABLE && EntryInterval(&Ranges[i], &Interval))
            Available = Subtract(Ram, Available, Interval);

    for (ULONG i = 0; i < Available; i++) {
        PFN_NUMBER BasePage = (PFN_NUMBER)((Ram[i].Start + PAGE_SIZE - 1) >> PAGE_SHIFT);
        PFN_NUMBER EndPage = (PFN_NUMBER)(Ram[i].End >> PAGE_SHIFT);

        if (EndPage <= BasePage)
            continue;
        Total += EndPage - BasePage;
        if (Runs == MI_MAXIMUM_MEMORY_RUNS) {
            Expected += EndPage - BasePage;
            continue;
        }
        FUZZ_CHECK(Runs < Descriptor.NumberOfRuns);
        FUZZ_CHECK(Descriptor.Run[Runs].BasePage == BasePage);
        FUZZ_CHECK(Descriptor.Run[Runs].PageCount == EndPage - BasePage);
        /* Sorted and apart: the page after a run is never RAM the next run starts with. */
        FUZZ_CHECK(Runs == 0 || Descriptor.Run[Runs - 1].BasePage + Descriptor.Run[Runs - 1].PageCount < BasePage);
        Runs++;
    }
    FUZZ_CHECK(Descriptor.NumberOfRuns == Runs);
    FUZZ_CHECK(Dropped == Expected);
    FUZZ_CHECK(Descriptor.NumberOfPages + Dropped == Total);
    return 0;
}
