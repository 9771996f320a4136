/*
 * runmap_fuzz.c: libFuzzer target for the run map (lib/rtl/runmap.c) behind system PTEs and pool
 * pages: a map of any size up to past a top word's reach (32^3 units), in a buffer of exactly
 * RtlRunMapBufferWords (AddressSanitizer sees a word too far), driven by allocations of runs of
 * any length, frees of live runs and marks of free ranges, and checked after each against a
 * bitmap of BOOLEANs. What the allocator documents is the reference, both ways:
 *   - a run it hands out lies inside the map and is free in the model;
 *   - up to 32 units, it lands in the lowest word holding a free run of the next power of two,
 *     at the first place in that word where the units are free; more, at the first of the lowest
 *     whole free words that hold it; when no word qualifies, the request fails, or, exhaustive,
 *     takes the lowest free run anywhere, and fails only when the model has none that long;
 *   - RtlCheckRunMap holds, and the map's bits and free count are the model's.
 */
#include "fuzz.h"
#include <rtl/runmap.h>
#include <string.h>

#define MAXIMUM_UNITS (32 * 32 * 32 + 100)
#define LIVE_RUNS 64

static BOOLEAN InUse[MAXIMUM_UNITS];
static struct {
    ULONG Start, Count;
} Live[LIVE_RUNS];
static ULONG LiveCount;

/* The first start of Count free units in [From, Limit), or RTL_BITMAP_NOT_FOUND; one pass. */
static ULONG ModelFirstRun(ULONG From, ULONG Limit, ULONG Count)
{
    ULONG Run = 0;

    for (ULONG i = From; i < Limit; i++) {
        Run = InUse[i] ? 0 : Run + 1;
        if (Run == Count)
            return i + 1 - Count;
    }
    return RTL_BITMAP_NOT_FOUND;
}

/* Is word w of the map wholly free (every one of its 32 units inside the map and free)? */
static BOOLEAN ModelWholeWordFree(ULONG Units, ULONG Word)
{
    return (Word + 1) * 32 <= Units && ModelFirstRun(Word * 32, Word * 32 + 32, 32) != RTL_BITMAP_NOT_FOUND;
}

/* Where the summaries place Count units, or RTL_BITMAP_NOT_FOUND when they see no room. */
static ULONG ModelSummaryPlace(ULONG Units, ULONG Count)
{
    ULONG Words = (Units + 31) / 32;

    if (Count <= 32) {
        ULONG Class = 1;

        while (Class < Count)
            Class *= 2;
        for (ULONG w = 0; w < Words; w++) {
            ULONG End = (w + 1) * 32 < Units ? (w + 1) * 32 : Units;

            if (ModelFirstRun(w * 32, End, Class) != RTL_BITMAP_NOT_FOUND)
                return ModelFirstRun(w * 32, End, Count);
        }
        return RTL_BITMAP_NOT_FOUND;
    }
    for (ULONG w = 0, Run = 0; w < Words; w++) {
        Run = ModelWholeWordFree(Units, w) ? Run + 1 : 0;
        if (Run == ((ULONGLONG)Count + 31) / 32)
            return (w + 1 - Run) * 32;
    }
    return RTL_BITMAP_NOT_FOUND;
}

/* Run lengths: short ones mostly, powers of two either side, long ones, and the arithmetic's edges. */
static ULONG RunLength(FUZZ_INPUT *Input, ULONG Units)
{
    UCHAR Kind = FuzzByte(Input);

    switch (Kind & 7) {
    case 0:
    case 1:
        return 1 + (Kind >> 3) % 4;
    case 2:
    case 3:
        return (1u << ((Kind >> 3) % 7)) + (Kind & 0x80 ? 1 : 0) - (Kind & 0x40 ? 1 : 0);
    case 4:
        return 1 + FuzzBelow(Input, 3000);
    case 5:
        return Units + (Kind >> 3) % 3 - 1;
    default:
        return FuzzEdgyUlong(Input);
    }
}

static VOID Check(PRTL_RUN_MAP Map, ULONG Units)
{
    ULONG Free = 0;

    FUZZ_CHECK(RtlCheckRunMap(Map));
    for (ULONG i = 0; i < Units; i++) {
        FUZZ_CHECK(RtlCheckBit(&Map->Bits, i) == InUse[i]);
        Free += !InUse[i];
    }
    FUZZ_CHECK(Map->ClearBits == Free);
}

int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size)
{
    FUZZ_INPUT Input = { Data, Size };
    UCHAR SizeKind = FuzzByte(&Input);
    ULONG Units = 1 + (SizeKind < 0xF0 ? FuzzBelow(&Input, 2200) : FuzzBelow(&Input, MAXIMUM_UNITS));
    PULONG Buffer = malloc(RtlRunMapBufferWords(Units) * sizeof(ULONG));
    RTL_RUN_MAP Map;

    FUZZ_CHECK(Buffer != NULL);
    RtlInitializeRunMap(&Map, Buffer, Units);
    memset(InUse, 0, Units);
    LiveCount = 0;
    Check(&Map, Units);
    while (!FuzzDone(&Input)) {
        UCHAR Operation = FuzzByte(&Input);

        switch (Operation % 4) {
        case 0:
        case 1: {
            ULONG Count = RunLength(&Input, Units);
            BOOLEAN Exhaustive = (Operation & 4) != 0;
            ULONG Expected = Count == 0 ? RTL_BITMAP_NOT_FOUND : ModelSummaryPlace(Units, Count);
            ULONG Start = RtlRunMapAllocate(&Map, Count, Exhaustive);

            if (Expected == RTL_BITMAP_NOT_FOUND && Exhaustive && Count != 0)
                Expected = ModelFirstRun(0, Units, Count);
            if (Start != Expected)
                fprintf(stderr, "%u units of %u: at %u, expected %u (exhaustive %u)\n", Count, Units, Start, Expected,
                        Exhaustive);
            FUZZ_CHECK(Start == Expected);
            if (Start == RTL_BITMAP_NOT_FOUND)
                break;
            FUZZ_CHECK(Start < Units && Count <= Units - Start);
            FUZZ_CHECK(ModelFirstRun(Start, Start + Count, Count) == Start);
            memset(&InUse[Start], TRUE, Count);
            if (LiveCount < LIVE_RUNS) {
                Live[LiveCount].Start = Start;
                Live[LiveCount++].Count = Count;
            } else {
                RtlRunMapClear(&Map, Start, Count);     /* no room to remember it: give it straight back */
                memset(&InUse[Start], FALSE, Count);
            }
            break;
        }
        case 2:
            if (LiveCount != 0) {
                ULONG i = FuzzBelow(&Input, LiveCount);

                RtlRunMapClear(&Map, Live[i].Start, Live[i].Count);
                memset(&InUse[Live[i].Start], FALSE, Live[i].Count);
                Live[i] = Live[--LiveCount];
            }
            break;
        default: {
            /* Marks part of the free run at or after a point in use, as a reservation does, and frees it again later. */
            ULONG From = FuzzBelow(&Input, Units), Count = 1 + FuzzBelow(&Input, 80), Start;

            while (From < Units && InUse[From])
                From++;
            Start = From;
            while (From < Units && !InUse[From] && From - Start < Count)
                From++;
            if (From == Start || LiveCount == LIVE_RUNS)
                break;
            RtlRunMapSet(&Map, Start, From - Start);
            memset(&InUse[Start], TRUE, From - Start);
            Live[LiveCount].Start = Start;
            Live[LiveCount++].Count = From - Start;
            break;
        }
        }
        Check(&Map, Units);
    }
    free(Buffer);
    return 0;
}
