/*
 * bitmap_model.h: RTL_BITMAP's search answered bit by bit over an array of BOOLEANs, in 64-bit
 * arithmetic: the reference for tests/host/bitmap_test.c and tests/fuzz/bitmap_fuzz.c.
 */
#ifndef NTMM_BITMAP_MODEL_H
#define NTMM_BITMAP_MODEL_H

#include <rtl/bitmap.h>

/* The first run of Count clear bits lying inside [From, Limit), or RTL_BITMAP_NOT_FOUND. */
static inline ULONG BitMapModelFindRun(const BOOLEAN *Bits, ULONGLONG Count, ULONGLONG From, ULONGLONG Limit)
{
    for (ULONGLONG Start = From; Start + Count <= Limit; Start++) {
        ULONGLONG i = 0;

        while (i < Count && !Bits[Start + i])
            i++;
        if (i == Count)
            return (ULONG)Start;
    }
    return RTL_BITMAP_NOT_FOUND;
}

/*
 * RtlFindClearBits's answer, searched in NT's order: a hint past the end is 0, zero bits are found
 * at the hint, then from the hint to the end, then from 0 as far as a run reaching back to it.
 */
static inline ULONG BitMapModelFindClearBits(const BOOLEAN *Bits, ULONG Size, ULONG Count, ULONG Hint)
{
    ULONG Found;

    if (Hint >= Size)
        Hint = 0;
    if (Count == 0)
        return Hint;
    if (Count > Size)
        return RTL_BITMAP_NOT_FOUND;
    Found = BitMapModelFindRun(Bits, Count, Hint, Size);
    if (Found == RTL_BITMAP_NOT_FOUND && Hint != 0) {
        ULONGLONG Limit = (ULONGLONG)Hint + Count - 1;

        Found = BitMapModelFindRun(Bits, Count, 0, Limit < Size ? Limit : Size);
    }
    return Found;
}

#endif
