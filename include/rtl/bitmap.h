/* rtl/bitmap.h: the DDK's RTL_BITMAP, a run of bits in caller-owned ULONGs (lib/rtl/bitmap.c). */
#ifndef NTMM_RTL_BITMAP_H
#define NTMM_RTL_BITMAP_H

#include <ntdef.h>

typedef struct _RTL_BITMAP {
    ULONG SizeOfBitMap;   /* bits */
    PULONG Buffer;        /* (SizeOfBitMap + 31) / 32 ULONGs */
} RTL_BITMAP, *PRTL_BITMAP;

#define RTL_BITMAP_NOT_FOUND 0xFFFFFFFF

VOID RtlInitializeBitMap(PRTL_BITMAP BitMapHeader, PULONG BitMapBuffer, ULONG SizeOfBitMap);
VOID RtlClearAllBits(PRTL_BITMAP BitMapHeader);
VOID RtlSetAllBits(PRTL_BITMAP BitMapHeader);
VOID RtlClearBits(PRTL_BITMAP BitMapHeader, ULONG StartingIndex, ULONG NumberToClear);
VOID RtlSetBits(PRTL_BITMAP BitMapHeader, ULONG StartingIndex, ULONG NumberToSet);
BOOLEAN RtlCheckBit(PRTL_BITMAP BitMapHeader, ULONG BitPosition);
BOOLEAN RtlAreBitsClear(PRTL_BITMAP BitMapHeader, ULONG StartingIndex, ULONG Length);
BOOLEAN RtlAreBitsSet(PRTL_BITMAP BitMapHeader, ULONG StartingIndex, ULONG Length);
ULONG RtlNumberOfSetBits(PRTL_BITMAP BitMapHeader);
ULONG RtlFindClearBits(PRTL_BITMAP BitMapHeader, ULONG NumberToFind, ULONG HintIndex);
ULONG RtlFindClearBitsAndSet(PRTL_BITMAP BitMapHeader, ULONG NumberToFind, ULONG HintIndex);
ULONG RtlFindNextSetBit(PRTL_BITMAP BitMapHeader, ULONG FromIndex);

#endif
