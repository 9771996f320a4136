/*
 * physmem.c: the loader's memory map made into the runs of RAM the memory
 * manager may use (a PHYSICAL_MEMORY_DESCRIPTOR), as a pure function that
 * tests feed with crafted maps, in the kernel and on the host.
 *
 * Firmware maps are not clean. Entries come in any order, overlap, repeat,
 * have zero length, reach past 4 GB, and a reserved, ACPI or bad range may
 * sit inside an available one. Where types overlap the more restrictive one
 * wins: an available entry never makes a reserved, ACPI or bad byte RAM. A
 * type this kernel does not know counts as reserved, as Multiboot says.
 *
 * So the map is read as a set of boundaries: every entry's start and end,
 * clipped to the 4 GB a non-PAE kernel addresses, sorted. Between two
 * neighbouring boundaries no entry starts or ends, so each such piece is
 * either wholly inside an entry or wholly outside it: a piece is RAM when an
 * available entry covers it and no other entry does. Neighbouring RAM pieces
 * join into one range, and only then is each range rounded inward to whole
 * pages, since a page that is partly not RAM is not RAM. The walk is
 * quadratic in the entries, which a loader block caps at
 * LOADER_MAXIMUM_MEMORY_RANGES.
 */
#include "mi.h"
#include <hw/multiboot.h>
#include <string.h>

/* A non-PAE kernel addresses 4 GB of physical memory; the map is clipped there. */
#define MI_PHYSICAL_ADDRESS_LIMIT (1ULL << 32)

static ULONGLONG MiClipToLimit(ULONGLONG Address)
{
    return Address < MI_PHYSICAL_ADDRESS_LIMIT ? Address : MI_PHYSICAL_ADDRESS_LIMIT;
}

/* Where a range ends, clipped; a length that would wrap past 2^64 reaches the limit. */
static ULONGLONG MiRangeEnd(const LOADER_MEMORY_RANGE *Range)
{
    if (Range->Length > MI_PHYSICAL_ADDRESS_LIMIT - MiClipToLimit(Range->BaseAddress))
        return MI_PHYSICAL_ADDRESS_LIMIT;
    return Range->BaseAddress + Range->Length;
}

/* Is [Start, End), a piece no entry starts or ends inside, RAM? */
static BOOLEAN MiIsRamPiece(const LOADER_MEMORY_RANGE *Ranges, ULONG RangeCount, ULONGLONG Start, ULONGLONG End)
{
    BOOLEAN Available = FALSE;

    for (ULONG i = 0; i < RangeCount; i++) {
        if (Ranges[i].Length == 0 || MiClipToLimit(Ranges[i].BaseAddress) >= End || MiRangeEnd(&Ranges[i]) <= Start)
            continue;
        if (Ranges[i].Type != MULTIBOOT_MEMORY_AVAILABLE)
            return FALSE;
        Available = TRUE;
    }
    return Available;
}

/* Appends [Start, End) rounded inward to pages; pages that find no room are counted in *Dropped. */
static VOID MiAppendRun(PPHYSICAL_MEMORY_DESCRIPTOR Descriptor, ULONGLONG Start, ULONGLONG End, PPFN_NUMBER Dropped)
{
    PFN_NUMBER BasePage = PHYSICAL_TO_PFN(Start + PAGE_SIZE - 1), EndPage = PHYSICAL_TO_PFN(End);
    PPHYSICAL_MEMORY_RUN Run;

    if (EndPage <= BasePage)
        return;
    if (Descriptor->NumberOfRuns == MI_MAXIMUM_MEMORY_RUNS) {
        *Dropped += EndPage - BasePage;
        return;
    }
    Run = &Descriptor->Run[Descriptor->NumberOfRuns++];
    Run->BasePage = BasePage;
    Run->PageCount = EndPage - BasePage;
    Descriptor->NumberOfPages += Run->PageCount;
}

/*
 * Fills Descriptor with the RAM that Ranges describe: sorted runs of whole
 * pages below 4 GB, none touching the next. Entries past
 * LOADER_MAXIMUM_MEMORY_RANGES are not read. Returns the pages of RAM left
 * out because they would have needed more than MI_MAXIMUM_MEMORY_RUNS runs
 * (the highest ones); 0 when the descriptor holds all of it.
 */
PFN_NUMBER MiBuildPhysicalMemoryDescriptor(const LOADER_MEMORY_RANGE *Ranges, ULONG RangeCount,
                                           PPHYSICAL_MEMORY_DESCRIPTOR Descriptor)
{
    ULONGLONG Boundaries[2 * LOADER_MAXIMUM_MEMORY_RANGES], RamStart = 0, RamEnd = 0;
    ULONG BoundaryCount = 0;
    PFN_NUMBER Dropped = 0;
    BOOLEAN InRam = FALSE;

    memset(Descriptor, 0, sizeof(*Descriptor));
    if (RangeCount > LOADER_MAXIMUM_MEMORY_RANGES)
        RangeCount = LOADER_MAXIMUM_MEMORY_RANGES;
    for (ULONG i = 0; i < RangeCount; i++) {
        if (Ranges[i].Length == 0 || Ranges[i].BaseAddress >= MI_PHYSICAL_ADDRESS_LIMIT)
            continue;
        Boundaries[BoundaryCount++] = Ranges[i].BaseAddress;
        Boundaries[BoundaryCount++] = MiRangeEnd(&Ranges[i]);
    }
    /* Insertion sort: a map has a few dozen entries. */
    for (ULONG i = 1; i < BoundaryCount; i++) {
        ULONGLONG Boundary = Boundaries[i];
        ULONG j = i;

        for (; j > 0 && Boundaries[j - 1] > Boundary; j--)
            Boundaries[j] = Boundaries[j - 1];
        Boundaries[j] = Boundary;
    }
    for (ULONG i = 0; i + 1 < BoundaryCount; i++) {
        ULONGLONG Start = Boundaries[i], End = Boundaries[i + 1];

        if (Start == End)
            continue;
        if (MiIsRamPiece(Ranges, RangeCount, Start, End)) {
            if (!InRam)
                RamStart = Start;
            RamEnd = End;
            InRam = TRUE;
        } else if (InRam) {
            MiAppendRun(Descriptor, RamStart, RamEnd, &Dropped);
            InRam = FALSE;
        }
    }
    if (InRam)
        MiAppendRun(Descriptor, RamStart, RamEnd, &Dropped);
    return Dropped;
}
