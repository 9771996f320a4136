/*
 * bitmap.c: RTL_BITMAP. Searches skip whole 32-bit words where they can: a
 * full word cannot start a clear run and an empty one extends it by 32, so
 * finding a run costs about one step per word, not per bit.
 */
#include <rtl/bitmap.h>

#define BITS_PER_ULONG 32

static ULONG WordCount(ULONG Bits)
{
    return (Bits + BITS_PER_ULONG - 1) / BITS_PER_ULONG;
}

VOID RtlInitializeBitMap(PRTL_BITMAP BitMapHeader, PULONG BitMapBuffer, ULONG SizeOfBitMap)
{
    BitMapHeader->SizeOfBitMap = SizeOfBitMap;
    BitMapHeader->Buffer = BitMapBuffer;
}

VOID RtlClearAllBits(PRTL_BITMAP BitMapHeader)
{
    for (ULONG i = 0; i < WordCount(BitMapHeader->SizeOfBitMap); i++)
        BitMapHeader->Buffer[i] = 0;
}

VOID RtlSetAllBits(PRTL_BITMAP BitMapHeader)
{
    for (ULONG i = 0; i < WordCount(BitMapHeader->SizeOfBitMap); i++)
        BitMapHeader->Buffer[i] = 0xFFFFFFFF;
}

/* The mask of bits [First, First + Count) within one word; Count <= 32 - First. */
static ULONG RangeMask(ULONG First, ULONG Count)
{
    ULONG Mask = Count == BITS_PER_ULONG ? 0xFFFFFFFF : ((1u << Count) - 1);
    return Mask << First;
}

static VOID ChangeBits(PRTL_BITMAP BitMapHeader, ULONG StartingIndex, ULONG Count, BOOLEAN Set)
{
    while (Count != 0) {
        ULONG Bit = StartingIndex % BITS_PER_ULONG;
        ULONG Chunk = BITS_PER_ULONG - Bit < Count ? BITS_PER_ULONG - Bit : Count;
        PULONG Word = &BitMapHeader->Buffer[StartingIndex / BITS_PER_ULONG];

        if (Set)
            *Word |= RangeMask(Bit, Chunk);
        else
            *Word &= ~RangeMask(Bit, Chunk);
        StartingIndex += Chunk;
        Count -= Chunk;
    }
}

VOID RtlClearBits(PRTL_BITMAP BitMapHeader, ULONG StartingIndex, ULONG NumberToClear)
{
    ChangeBits(BitMapHeader, StartingIndex, NumberToClear, FALSE);
}

VOID RtlSetBits(PRTL_BITMAP BitMapHeader, ULONG StartingIndex, ULONG NumberToSet)
{
    ChangeBits(BitMapHeader, StartingIndex, NumberToSet, TRUE);
}

BOOLEAN RtlCheckBit(PRTL_BITMAP BitMapHeader, ULONG BitPosition)
{
    return (BitMapHeader->Buffer[BitPosition / BITS_PER_ULONG] >> (BitPosition % BITS_PER_ULONG)) & 1;
}

static BOOLEAN BitsAre(PRTL_BITMAP BitMapHeader, ULONG StartingIndex, ULONG Length, BOOLEAN Set)
{
    if (StartingIndex > BitMapHeader->SizeOfBitMap || Length > BitMapHeader->SizeOfBitMap - StartingIndex)
        return FALSE;
    while (Length != 0) {
        ULONG Bit = StartingIndex % BITS_PER_ULONG;
        ULONG Chunk = BITS_PER_ULONG - Bit < Length ? BITS_PER_ULONG - Bit : Length;
        ULONG Mask = RangeMask(Bit, Chunk);
        ULONG Word = BitMapHeader->Buffer[StartingIndex / BITS_PER_ULONG];

        if ((Word & Mask) != (Set ? Mask : 0))
            return FALSE;
        StartingIndex += Chunk;
        Length -= Chunk;
    }
    return TRUE;
}

BOOLEAN RtlAreBitsClear(PRTL_BITMAP BitMapHeader, ULONG StartingIndex, ULONG Length)
{
    return BitsAre(BitMapHeader, StartingIndex, Length, FALSE);
}

BOOLEAN RtlAreBitsSet(PRTL_BITMAP BitMapHeader, ULONG StartingIndex, ULONG Length)
{
    return BitsAre(BitMapHeader, StartingIndex, Length, TRUE);
}

ULONG RtlNumberOfSetBits(PRTL_BITMAP BitMapHeader)
{
    ULONG Count = 0, Words = WordCount(BitMapHeader->SizeOfBitMap);
    ULONG Tail = BitMapHeader->SizeOfBitMap % BITS_PER_ULONG;

    for (ULONG i = 0; i < Words; i++) {
        ULONG Word = BitMapHeader->Buffer[i];
        if (i == Words - 1 && Tail != 0)
            Word &= RangeMask(0, Tail);
        Count += __builtin_popcount(Word);
    }
    return Count;
}

/* The word holding Index with the bits below Index forced to Fill. */
static ULONG WordFrom(PRTL_BITMAP BitMapHeader, ULONG Index, ULONG Fill)
{
    ULONG Bit = Index % BITS_PER_ULONG;
    ULONG Word = BitMapHeader->Buffer[Index / BITS_PER_ULONG];

    if (Bit != 0)
        Word = (Word & ~RangeMask(0, Bit)) | (Fill & RangeMask(0, Bit));
    return Word;
}

/*
 * The first bit at or after FromIndex and below Limit that is set (Set) or
 * clear (!Set), or Limit. Whole words that cannot hold one are skipped.
 */
static inline __attribute__((always_inline)) ULONG FindNextBit(PRTL_BITMAP BitMapHeader, ULONG FromIndex, ULONG Limit,
                                                             BOOLEAN Set)
{
    ULONG Index = FromIndex;

    while (Index < Limit) {
        /* Bits below Index are forced to the value not sought, then the word is turned to seek set bits. */
        ULONG Word = WordFrom(BitMapHeader, Index, Set ? 0 : 0xFFFFFFFF) ^ (Set ? 0 : 0xFFFFFFFF);

        if (Word != 0) {
            Index = Index - Index % BITS_PER_ULONG + __builtin_ctz(Word);
            return Index < Limit ? Index : Limit;
        }
        Index = Index - Index % BITS_PER_ULONG + BITS_PER_ULONG;
    }
    return Limit;
}

/* The first set bit at or after FromIndex, or RTL_BITMAP_NOT_FOUND. */
ULONG RtlFindNextSetBit(PRTL_BITMAP BitMapHeader, ULONG FromIndex)
{
    ULONG Index = FindNextBit(BitMapHeader, FromIndex, BitMapHeader->SizeOfBitMap, TRUE);

    return Index < BitMapHeader->SizeOfBitMap ? Index : RTL_BITMAP_NOT_FOUND;
}

/*
 * The first run of Count clear bits inside [From, Limit), or
 * RTL_BITMAP_NOT_FOUND. Each candidate run is examined only as far as
 * Count bits: a long empty stretch costs no more than a short one.
 */
static ULONG FindClearRun(PRTL_BITMAP BitMapHeader, ULONG Count, ULONG From, ULONG Limit)
{
    ULONG Start = FindNextBit(BitMapHeader, From, Limit, FALSE);

    while (Start < Limit && Limit - Start >= Count) {
        ULONG End = FindNextBit(BitMapHeader, Start, Start + Count, TRUE);

        if (End == Start + Count)
            return Start;
        Start = FindNextBit(BitMapHeader, End, Limit, FALSE);
    }
    return RTL_BITMAP_NOT_FOUND;
}

/*
 * Searches from HintIndex to the end, then from the start up to where a run
 * reaching the hint could begin, as NT's does; returns the run's first bit or
 * RTL_BITMAP_NOT_FOUND. Finding zero bits returns the (clamped) hint.
 */
ULONG RtlFindClearBits(PRTL_BITMAP BitMapHeader, ULONG NumberToFind, ULONG HintIndex)
{
    ULONG Size = BitMapHeader->SizeOfBitMap;
    ULONG Found;

    if (HintIndex >= Size)
        HintIndex = 0;
    if (NumberToFind == 0)
        return HintIndex;
    if (NumberToFind > Size)
        return RTL_BITMAP_NOT_FOUND;
    Found = FindClearRun(BitMapHeader, NumberToFind, HintIndex, Size);
    if (Found == RTL_BITMAP_NOT_FOUND && HintIndex != 0) {
        ULONG Limit = HintIndex + NumberToFind - 1 < Size ? HintIndex + NumberToFind - 1 : Size;
        Found = FindClearRun(BitMapHeader, NumberToFind, 0, Limit);
    }
    return Found;
}

ULONG RtlFindClearBitsAndSet(PRTL_BITMAP BitMapHeader, ULONG NumberToFind, ULONG HintIndex)
{
    ULONG Index = RtlFindClearBits(BitMapHeader, NumberToFind, HintIndex);

    if (Index != RTL_BITMAP_NOT_FOUND)
        RtlSetBits(BitMapHeader, Index, NumberToFind);
    return Index;
}
