/*
 * runmap.c: a bitmap allocator whose search cost does not depend on how
 * fragmented the map is.
 *
 * A plain first-fit bitmap search from a hint (RtlFindClearBitsAndSet)
 * costs a step per word it passes: after frees below the hint, a request
 * for two units walks every one-unit hole above them. Here each word of
 * the bitmap is summarised by the runs of clear bits it holds: for each
 * class c (runs of 1, 2, 4, 8, 16 and 32 clear bits, inside the word) a
 * summary bitmap marks the words holding such a run, and a top bitmap
 * marks the summary words that are not zero. A request for n <= 32 units
 * takes the class of the next power of two at or above n: the first word
 * holding such a run is two find-first-set steps away (top, then summary),
 * and the run inside the word is found with shifts and ands. A request for
 * more takes whole free words, found as a run of set bits in the
 * whole-word summary, one step per summary word: 32 times fewer than the
 * bitmap's, and independent of how many holes there are. Either way the
 * run lands in the lowest word that can hold it, which keeps allocations
 * packed low.
 *
 * A run the classes cannot see (n units across a word boundary, or n free
 * in a word whose longest run is shorter than n's class) is found by the
 * exhaustive search the caller may ask for when the fast steps find
 * nothing: a full first-fit scan, which only a nearly full or thoroughly
 * shredded map reaches, and which keeps the map exact: a request fails
 * only when no run of n free units exists anywhere. A caller with several
 * maps (the pool's ranges) asks each without it first.
 *
 * Each change of bits recomputes the class bits of the words it touched
 * (five shift-and steps per word) and changes summary and top bits only
 * where a class bit flipped. Callers lock; the map has none.
 */
#include <rtl/runmap.h>

#define BITS_PER_ULONG 32
#define WORDS_FOR(Bits) RTL_RUN_MAP_WORDS(Bits)

ULONG RtlRunMapBufferWords(ULONG Bits)
{
    return RTL_RUN_MAP_BUFFER_WORDS(Bits);
}

/* The classes of runs a word of the bitmap holds: bit c set when it has 2^c clear bits in a row. */
#define RUN_CLASSES_ALL ((1u << RTL_RUN_MAP_CLASSES) - 1)
FORCEINLINE ULONG RunClasses(ULONG Word)
{
    ULONG Free = ~Word, Runs, Classes;

    /* A word wholly in use or wholly free, most of them, needs no shifts. */
    if (Free == 0)
        return 0;
    if (Word == 0)
        return RUN_CLASSES_ALL;
    Classes = 1;
    Runs = Free & (Free >> 1);                  /* bit i: bits i..i+1 clear */
    if (Runs == 0)
        return Classes;
    Classes |= 1 << 1;
    Runs &= Runs >> 2;                          /* i..i+3 */
    if (Runs == 0)
        return Classes;
    Classes |= 1 << 2;
    Runs &= Runs >> 4;                          /* i..i+7 */
    if (Runs == 0)
        return Classes;
    Classes |= 1 << 3;
    Runs &= Runs >> 8;                          /* i..i+15 */
    return Runs == 0 ? Classes : Classes | 1 << 4;
}

/* The smallest class whose runs hold Count (1 to 32) units. */
static ULONG ClassFor(ULONG Count)
{
    return Count == 1 ? 0 : BITS_PER_ULONG - __builtin_clz(Count - 1);
}

/* Bit i set when bits i..i+Count-1 of the word are all clear (Count 1 to 32). */
static ULONG RunStarts(ULONG Word, ULONG Count)
{
    ULONG Starts = ~Word, Length = 1;

    while (Length < Count && Starts != 0) {
        ULONG Shift = Length < Count - Length ? Length : Count - Length;

        Starts &= Starts >> Shift;
        Length += Shift;
    }
    return Starts;
}

static VOID SetSummaryBit(PRTL_RUN_MAP Map, ULONG Class, ULONG Word, BOOLEAN Set)
{
    PULONG Summary = &Map->Summary[Class][Word / BITS_PER_ULONG];
    ULONG Bit = 1u << (Word % BITS_PER_ULONG);

    if (Set) {
        if (*Summary == 0)
            Map->Top[Class][Word / (BITS_PER_ULONG * BITS_PER_ULONG)] |= 1u << (Word / BITS_PER_ULONG % BITS_PER_ULONG);
        *Summary |= Bit;
    } else {
        *Summary &= ~Bit;
        if (*Summary == 0)
            Map->Top[Class][Word / (BITS_PER_ULONG * BITS_PER_ULONG)] &= ~(1u << (Word / BITS_PER_ULONG % BITS_PER_ULONG));
    }
}

/* Gives word Index of the bitmap NewValue and brings its summary bits along. */
FORCEINLINE VOID StoreWord(PRTL_RUN_MAP Map, ULONG Index, ULONG NewValue)
{
    ULONG NewClasses = RunClasses(NewValue);
    ULONG Changed = RunClasses(Map->Bits.Buffer[Index]) ^ NewClasses;

    Map->Bits.Buffer[Index] = NewValue;
    while (Changed != 0) {
        ULONG Class = __builtin_ctz(Changed);

        SetSummaryBit(Map, Class, Index, (NewClasses >> Class) & 1);
        Changed &= Changed - 1;
    }
}

/* The first word whose class-Class summary bit is set, or Map->Words. */
static ULONG FirstWordOfClass(PRTL_RUN_MAP Map, ULONG Class)
{
    for (ULONG t = 0; t < Map->TopWords; t++) {
        ULONG Top = Map->Top[Class][t];

        if (Top != 0) {
            ULONG SummaryIndex = t * BITS_PER_ULONG + __builtin_ctz(Top);

            return SummaryIndex * BITS_PER_ULONG + __builtin_ctz(Map->Summary[Class][SummaryIndex]);
        }
    }
    return Map->Words;
}

/*
 * The first run of Count set bits in Bits[0, Size) (a summary, read as bits),
 * or RTL_BITMAP_NOT_FOUND: one step per word, the runs inside a word found
 * with RunStarts on the complement.
 */
static ULONG FindSetRun(const ULONG *Bits, ULONG Size, ULONG Count)
{
    ULONG Run = 0;

    for (ULONG w = 0; w < WORDS_FOR(Size); w++) {
        ULONG Word = Bits[w], Prefix, Inside;

        if (Word == 0xFFFFFFFF) {
            Run += BITS_PER_ULONG;
            if (Run >= Count)
                return w * BITS_PER_ULONG + BITS_PER_ULONG - Run;
            continue;
        }
        Prefix = __builtin_ctz(~Word);
        if (Run + Prefix >= Count)
            return w * BITS_PER_ULONG - Run;
        if (Count <= BITS_PER_ULONG && (Inside = RunStarts(~Word, Count)) != 0)
            return w * BITS_PER_ULONG + __builtin_ctz(Inside);
        Run = __builtin_clz(~Word);
    }
    return RTL_BITMAP_NOT_FOUND;
}

FORCEINLINE VOID ChangeRun(PRTL_RUN_MAP Map, ULONG Start, ULONG Count, BOOLEAN Set)
{
    while (Count != 0) {
        ULONG Bit = Start % BITS_PER_ULONG, Index = Start / BITS_PER_ULONG;
        ULONG Chunk = BITS_PER_ULONG - Bit < Count ? BITS_PER_ULONG - Bit : Count;
        ULONG Mask = (Chunk == BITS_PER_ULONG ? 0xFFFFFFFF : (1u << Chunk) - 1) << Bit;
        ULONG Word = Map->Bits.Buffer[Index];

        StoreWord(Map, Index, Set ? Word | Mask : Word & ~Mask);
        Start += Chunk;
        Count -= Chunk;
    }
}

VOID RtlRunMapSet(PRTL_RUN_MAP Map, ULONG Start, ULONG Count)
{
    ChangeRun(Map, Start, Count, TRUE);
    Map->ClearBits -= Count;
}

VOID RtlRunMapClear(PRTL_RUN_MAP Map, ULONG Start, ULONG Count)
{
    ChangeRun(Map, Start, Count, FALSE);
    Map->ClearBits += Count;
}

/*
 * All units free: the words wholly inside the map are clear and hold every
 * class, so their summary bits are set a summary word at a time; the bits
 * past the end read as in use, and the last word's classes are its own.
 * (Clearing the map unit by unit would cost a boot a million instructions.)
 */
VOID RtlInitializeRunMap(PRTL_RUN_MAP Map, PULONG Buffer, ULONG Bits)
{
    ULONG Words = WORDS_FOR(Bits), SummaryWords = WORDS_FOR(Words), Whole = Bits / BITS_PER_ULONG;

    Map->Words = Words;
    Map->TopWords = WORDS_FOR(SummaryWords);
    Map->ClearBits = Bits;
    RtlInitializeBitMap(&Map->Bits, Buffer, Bits);
    for (ULONG i = 0; i < Words; i++)
        Buffer[i] = 0;
    if (Whole < Words)
        Buffer[Whole] = 0xFFFFFFFF << (Bits % BITS_PER_ULONG);
    Buffer += Words;
    for (ULONG c = 0; c < RTL_RUN_MAP_CLASSES; c++) {
        Map->Summary[c] = Buffer;
        Buffer += SummaryWords;
        Map->Top[c] = Buffer;
        Buffer += Map->TopWords;
        for (ULONG i = 0; i < SummaryWords; i++) {
            ULONG Set = Whole > i * BITS_PER_ULONG ? Whole - i * BITS_PER_ULONG : 0;

            Map->Summary[c][i] = Set >= BITS_PER_ULONG ? 0xFFFFFFFF : (1u << Set) - 1;
        }
        for (ULONG i = 0; i < Map->TopWords; i++)
            Map->Top[c][i] = 0;
        for (ULONG i = 0; i < SummaryWords; i++) {
            if (Map->Summary[c][i] != 0)
                Map->Top[c][i / BITS_PER_ULONG] |= 1u << (i % BITS_PER_ULONG);
        }
        if (Whole < Words && ((RunClasses(Map->Bits.Buffer[Whole]) >> c) & 1))
            SetSummaryBit(Map, c, Whole, TRUE);
    }
}

ULONG RtlRunMapAllocate(PRTL_RUN_MAP Map, ULONG Count, BOOLEAN Exhaustive)
{
    ULONG Start = RTL_BITMAP_NOT_FOUND;

    if (Count == 0 || Count > Map->ClearBits)
        return RTL_BITMAP_NOT_FOUND;
    if (Count <= BITS_PER_ULONG) {
        ULONG Word = FirstWordOfClass(Map, ClassFor(Count));

        if (Word < Map->Words)
            Start = Word * BITS_PER_ULONG + __builtin_ctz(RunStarts(Map->Bits.Buffer[Word], Count));
    } else {
        ULONG First = FindSetRun(Map->Summary[RTL_RUN_MAP_WHOLE_WORD], Map->Words, WORDS_FOR(Count));

        if (First != RTL_BITMAP_NOT_FOUND)
            Start = First * BITS_PER_ULONG;
    }
    if (Start == RTL_BITMAP_NOT_FOUND && Exhaustive)
        Start = RtlFindClearBits(&Map->Bits, Count, 0);
    if (Start != RTL_BITMAP_NOT_FOUND)
        RtlRunMapSet(Map, Start, Count);
    return Start;
}

BOOLEAN RtlCheckRunMap(PRTL_RUN_MAP Map)
{
    ULONG Clear = Map->Bits.SizeOfBitMap - RtlNumberOfSetBits(&Map->Bits);

    if (Clear != Map->ClearBits)
        return FALSE;
    /* Bits past the end must read as in use, or a search could hand them out. */
    if (Map->Bits.SizeOfBitMap % BITS_PER_ULONG != 0 &&
        (~Map->Bits.Buffer[Map->Words - 1] >> (Map->Bits.SizeOfBitMap % BITS_PER_ULONG)) != 0)
        return FALSE;
    for (ULONG c = 0; c < RTL_RUN_MAP_CLASSES; c++) {
        for (ULONG w = 0; w < Map->Words; w++) {
            if (((RunClasses(Map->Bits.Buffer[w]) >> c) & 1) != ((Map->Summary[c][w / BITS_PER_ULONG] >> (w % BITS_PER_ULONG)) & 1))
                return FALSE;
        }
        for (ULONG i = 0; i < WORDS_FOR(Map->Words); i++) {
            if ((Map->Summary[c][i] != 0) != ((Map->Top[c][i / BITS_PER_ULONG] >> (i % BITS_PER_ULONG)) & 1))
                return FALSE;
        }
    }
    return TRUE;
}
