/* bitmap_test.c: RTL_BITMAP against a one-bool-per-bit model, over random operations. */
#include "ktest.h"
#include <rtl/bitmap.h>
#include "bitmap_model.h"
#include <stdlib.h>
#include <string.h>

#define BITS 1000

static ULONG Buffer[(BITS + 31) / 32 + 1];
static BOOLEAN Model[BITS];
static RTL_BITMAP BitMap;

static ULONG Random(ULONG Limit)
{
    return (ULONG)rand() % Limit;
}

KTEST(bitmap, random_operations_match_a_simple_model)
{
    srand(12345);
    RtlInitializeBitMap(&BitMap, Buffer, BITS);
    RtlClearAllBits(&BitMap);
    memset(Model, 0, sizeof(Model));
    Buffer[(BITS + 31) / 32] = 0xA5A5A5A5; /* past the end: must never change */

    for (ULONG Step = 0; Step < 20000; Step++) {
        ULONG Start = Random(BITS), Count = 1 + Random(Step % 7 == 0 ? 200 : 12);

        if (Count > BITS - Start)
            Count = BITS - Start;
        switch (Random(4)) {
        case 0:
            RtlSetBits(&BitMap, Start, Count);
            memset(&Model[Start], 1, Count);
            break;
        case 1:
            RtlClearBits(&BitMap, Start, Count);
            memset(&Model[Start], 0, Count);
            break;
        default: {
            ULONG Expected = BitMapModelFindClearBits(Model, BITS, Count, Start);
            ULONG Found = RtlFindClearBitsAndSet(&BitMap, Count, Start);

            KT_ASSERT_EQ(Found, Expected);
            if (Found != RTL_BITMAP_NOT_FOUND)
                memset(&Model[Found], 1, Count);
            break;
        }
        }
        if (Step % 97 == 0) {
            ULONG Set = 0;
            for (ULONG i = 0; i < BITS; i++) {
                KT_ASSERT_EQ(RtlCheckBit(&BitMap, i), Model[i]);
                Set += Model[i];
            }
            KT_ASSERT_EQ(RtlNumberOfSetBits(&BitMap), Set);
        }
    }
    KT_EXPECT_EQ(Buffer[(BITS + 31) / 32], 0xA5A5A5A5);
}

KTEST(bitmap, range_checks_and_edges)
{
    ULONG Small[2] = { 0, 0 };
    RTL_BITMAP Map;

    RtlInitializeBitMap(&Map, Small, 40);
    KT_EXPECT(RtlAreBitsClear(&Map, 0, 40));
    KT_EXPECT(!RtlAreBitsClear(&Map, 1, 40)); /* past the end */
    RtlSetBits(&Map, 30, 4);
    KT_EXPECT_EQ(Small[0], 0xC0000000);
    KT_EXPECT_EQ(Small[1], 0x3);
    KT_EXPECT(RtlAreBitsSet(&Map, 30, 4));
    KT_EXPECT(!RtlAreBitsSet(&Map, 29, 4));
    KT_EXPECT_EQ(RtlFindClearBits(&Map, 30, 0), 0);
    KT_EXPECT_EQ(RtlFindClearBits(&Map, 31, 0), RTL_BITMAP_NOT_FOUND);
    KT_EXPECT_EQ(RtlFindClearBits(&Map, 6, 31), 34);
    KT_EXPECT_EQ(RtlFindClearBits(&Map, 7, 31), 0);   /* wraps to the start */
    KT_EXPECT_EQ(RtlFindClearBits(&Map, 41, 0), RTL_BITMAP_NOT_FOUND);
    KT_EXPECT_EQ(RtlFindNextSetBit(&Map, 0), 30);
    KT_EXPECT_EQ(RtlFindNextSetBit(&Map, 34), RTL_BITMAP_NOT_FOUND);
    RtlSetAllBits(&Map);
    KT_EXPECT_EQ(RtlNumberOfSetBits(&Map), 40);
    KT_EXPECT_EQ(RtlFindClearBits(&Map, 1, 0), RTL_BITMAP_NOT_FOUND);
}
