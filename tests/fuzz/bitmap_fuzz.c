/*
 * bitmap_fuzz.c: libFuzzer target for RTL_BITMAP (lib/rtl/bitmap.c): a bitmap of any size up to
 * a few hundred bits, in a buffer of exactly its words (AddressSanitizer sees a word too far),
 * driven by a sequence of operations and checked bit by bit against an array of BOOLEANs.
 * Ranges a caller could pass are fuzzed; RtlSetBits and RtlClearBits get only ranges inside the
 * map, since past its end they are the caller's bug, as in NT.
 */
#include "fuzz.h"
#include <rtl/bitmap.h>
#include "../host/bitmap_model.h"
#include <string.h>

#define FUZZ_MAXIMUM_BITS 400

static BOOLEAN Model[FUZZ_MAXIMUM_BITS];

static BOOLEAN ModelAre(ULONG Size, ULONG Start, ULONG Length, BOOLEAN Set)
{
    if ((ULONGLONG)Start + Length > Size)
        return FALSE;
    for (ULONG i = 0; i < Length; i++)
        if (Model[Start + i] != Set)
            return FALSE;
    return TRUE;
}

/* A bit index for a query: inside the map mostly, at or past its end now and then, or anything. */
static ULONG Index(FUZZ_INPUT *Input, ULONG Size)
{
    UCHAR Kind = FuzzByte(Input);

    if (Kind < 0xE0)
        return FuzzBelow(Input, Size + 1);
    return Kind < 0xF0 ? Size + (Kind & 0xF) : FuzzEdgyUlong(Input);
}

int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size)
{
    FUZZ_INPUT Input = { Data, Size };
    ULONG Bits = FuzzBelow(&Input, FUZZ_MAXIMUM_BITS + 1);
    ULONG Words = (Bits + 31) / 32;
    PULONG Buffer = malloc(Words != 0 ? Words * sizeof(ULONG) : 1);
    RTL_BITMAP BitMap;

    FUZZ_CHECK(Buffer != NULL);
    RtlInitializeBitMap(&BitMap, Buffer, Bits);
    RtlClearAllBits(&BitMap);
    memset(Model, 0, sizeof(Model));
    while (!FuzzDone(&Input)) {
        UCHAR Operation = FuzzByte(&Input);

        switch (Operation % 8) {
        case 0:
        case 1: {
            ULONG Start = Bits != 0 ? FuzzBelow(&Input, Bits) : 0;
            ULONG Count = Bits != 0 ? FuzzBelow(&Input, Bits - Start + 1) : 0;

            if (Operation % 8 == 0)
                RtlSetBits(&BitMap, Start, Count);
            else
                RtlClearBits(&BitMap, Start, Count);
            memset(&Model[Start], Operation % 8 == 0, Count);
            break;
        }
        case 2:
            if (Operation & 0x80)
                RtlSetAllBits(&BitMap);
            else
                RtlClearAllBits(&BitMap);
            memset(Model, (Operation & 0x80) != 0, Bits);
            break;
        case 3: {
            ULONG Start = Index(&Input, Bits), Length = Index(&Input, Bits);

            FUZZ_CHECK(RtlAreBitsClear(&BitMap, Start, Length) == ModelAre(Bits, Start, Length, FALSE));
            FUZZ_CHECK(RtlAreBitsSet(&BitMap, Start, Length) == ModelAre(Bits, Start, Length, TRUE));
            break;
        }
        case 4:
        case 5: {
            ULONG Count = Index(&Input, Bits), Hint = Index(&Input, Bits);
            ULONG Expected = BitMapModelFindClearBits(Model, Bits, Count, Hint);

            if (Operation % 8 == 4) {
                FUZZ_CHECK(RtlFindClearBits(&BitMap, Count, Hint) == Expected);
                break;
            }
            FUZZ_CHECK(RtlFindClearBitsAndSet(&BitMap, Count, Hint) == Expected);
            if (Expected != RTL_BITMAP_NOT_FOUND)
                memset(&Model[Expected], TRUE, Count);
            break;
        }
        case 6: {
            ULONG From = Index(&Input, Bits), Expected = RTL_BITMAP_NOT_FOUND;

            for (ULONG i = From; i < Bits; i++) {
                if (Model[i]) {
                    Expected = i;
                    break;
                }
            }
            FUZZ_CHECK(RtlFindNextSetBit(&BitMap, From) == Expected);
            break;
        }
        default: {
            ULONG Set = 0;

            for (ULONG i = 0; i < Bits; i++)
                Set += Model[i];
            FUZZ_CHECK(RtlNumberOfSetBits(&BitMap) == Set);
            break;
        }
        }
        for (ULONG i = 0; i < Bits; i++)
            FUZZ_CHECK(RtlCheckBit(&BitMap, i) == Model[i]);
    }
    free(Buffer);
    return 0;
}
