/*
 * rtl/runmap.h: a run map (lib/rtl/runmap.c), an RTL_BITMAP of units in
 * use with summaries by run length, for allocators that must find a free
 * run in bounded time however fragmented the range is (system PTEs, pool
 * pages). ntmm's own; NT has no such RTL type.
 */
#ifndef NTMM_RTL_RUNMAP_H
#define NTMM_RTL_RUNMAP_H

#include <rtl/bitmap.h>

/* Run classes: 1, 2, 4, 8, 16 and 32 clear bits inside one word of the bitmap (32: the whole word). */
#define RTL_RUN_MAP_CLASSES 6
#define RTL_RUN_MAP_WHOLE_WORD (RTL_RUN_MAP_CLASSES - 1)

typedef struct _RTL_RUN_MAP {
    RTL_BITMAP Bits;                        /* a set bit is a unit in use; bits past the end read as in use */
    ULONG Words;                            /* ULONGs in Bits */
    PULONG Summary[RTL_RUN_MAP_CLASSES];    /* class c: bit w set when word w of Bits has 2^c clear bits in a row */
    PULONG Top[RTL_RUN_MAP_CLASSES];        /* class c: bit i set when word i of Summary[c] is not zero */
    ULONG TopWords;
    ULONG ClearBits;                        /* units free */
} RTL_RUN_MAP, *PRTL_RUN_MAP;

/* ULONGs of buffer a map of Bits units needs: the bitmap, then each class's summary and top bitmaps. */
#define RTL_RUN_MAP_WORDS(Bits) (((Bits) + 31) / 32)
#define RTL_RUN_MAP_BUFFER_WORDS(Bits)                                                                     \
    (RTL_RUN_MAP_WORDS(Bits) +                                                                             \
     RTL_RUN_MAP_CLASSES * (RTL_RUN_MAP_WORDS(RTL_RUN_MAP_WORDS(Bits)) +                                   \
                            RTL_RUN_MAP_WORDS(RTL_RUN_MAP_WORDS(RTL_RUN_MAP_WORDS(Bits)))))
ULONG RtlRunMapBufferWords(ULONG Bits);
/* A map of Bits units, all free, in Buffer (RtlRunMapBufferWords(Bits) ULONGs). */
VOID RtlInitializeRunMap(PRTL_RUN_MAP Map, PULONG Buffer, ULONG Bits);
/*
 * Finds Count free units in a row, marks them in use and returns the
 * first; RTL_BITMAP_NOT_FOUND if none. Without Exhaustive only the
 * summaries are asked (bounded cost, but a run across words or shorter
 * than Count's class is not seen); with it a full scan follows when they
 * find nothing, so the map fails only when no run exists.
 */
ULONG RtlRunMapAllocate(PRTL_RUN_MAP Map, ULONG Count, BOOLEAN Exhaustive);
/* Marks [Start, Start + Count) in use, or free; the caller knows they were the other. */
VOID RtlRunMapSet(PRTL_RUN_MAP Map, ULONG Start, ULONG Count);
VOID RtlRunMapClear(PRTL_RUN_MAP Map, ULONG Start, ULONG Count);
/* Does every bit of the map and its summaries agree? For tests and the invariant checks. */
BOOLEAN RtlCheckRunMap(PRTL_RUN_MAP Map);

#endif
