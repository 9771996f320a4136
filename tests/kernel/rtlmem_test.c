/* rtlmem_test.c: the RTL memory routines and macros, with the edge values NT documents. */
#include "ktest.h"

KTEST(rtl_memory, compare_memory_counts_equal_bytes_up_to_the_first_difference)
{
    UCHAR Left[16], Right[16];

    for (ULONG i = 0; i < sizeof(Left); i++)
        Left[i] = Right[i] = (UCHAR)(i * 7);
    KT_EXPECT_EQ(RtlCompareMemory(Left, Right, sizeof(Left)), sizeof(Left));
    KT_EXPECT_EQ(RtlCompareMemory(Left, Right, 0), 0);
    Right[sizeof(Right) - 1] ^= 1;
    KT_EXPECT_EQ(RtlCompareMemory(Left, Right, sizeof(Left)), sizeof(Left) - 1);
    Right[0] ^= 1;
    KT_EXPECT_EQ(RtlCompareMemory(Left, Right, sizeof(Left)), 0);
    KT_EXPECT(!RtlEqualMemory(Left, Right, sizeof(Left)));
    KT_EXPECT(RtlEqualMemory(Left + 1, Right + 1, sizeof(Left) - 2));
}

KTEST(rtl_memory, move_memory_handles_both_overlaps)
{
    UCHAR Buffer[12];

    for (ULONG i = 0; i < sizeof(Buffer); i++)
        Buffer[i] = (UCHAR)i;
    /* Destination above the source: a forward byte copy would smear the first bytes. */
    RtlMoveMemory(Buffer + 2, Buffer, 8);
    for (ULONG i = 0; i < 8; i++)
        KT_EXPECT_EQ(Buffer[i + 2], i);
    KT_EXPECT_EQ(Buffer[0], 0);
    KT_EXPECT_EQ(Buffer[1], 1);

    for (ULONG i = 0; i < sizeof(Buffer); i++)
        Buffer[i] = (UCHAR)i;
    RtlMoveMemory(Buffer, Buffer + 3, 9);
    for (ULONG i = 0; i < 9; i++)
        KT_EXPECT_EQ(Buffer[i], i + 3);
    KT_EXPECT_EQ(Buffer[11], 11);
}

KTEST(rtl_memory, copy_fill_and_zero_touch_exactly_their_range)
{
    UCHAR Buffer[16], Source[4] = { 1, 2, 3, 4 };

    RtlFillMemory(Buffer, sizeof(Buffer), 0xAA);
    RtlCopyMemory(Buffer + 1, Source, sizeof(Source));
    RtlZeroMemory(Buffer + 8, 4);
    KT_EXPECT_EQ(Buffer[0], 0xAA);
    KT_EXPECT_EQ(Buffer[1], 1);
    KT_EXPECT_EQ(Buffer[4], 4);
    KT_EXPECT_EQ(Buffer[5], 0xAA);
    KT_EXPECT_EQ(Buffer[7], 0xAA);
    KT_EXPECT_EQ(Buffer[8], 0);
    KT_EXPECT_EQ(Buffer[11], 0);
    KT_EXPECT_EQ(Buffer[12], 0xAA);
    RtlFillMemory(Buffer, 0, 0x55);
    KT_EXPECT_EQ(Buffer[0], 0xAA);
    KT_EXPECT(RtlSecureZeroMemory(Buffer, 3) == Buffer);
    KT_EXPECT_EQ(Buffer[2], 0);
    KT_EXPECT_EQ(Buffer[3], 3);
}

KTEST(rtl_memory, ulong_forms_work_on_whole_ulongs)
{
    ULONG Words[5];

    RtlFillMemory(Words, sizeof(Words), 0xEE);
    RtlFillMemoryUlong(Words, 3 * sizeof(ULONG) + 2, 0x12345678);
    KT_EXPECT_EQ(Words[0], 0x12345678);
    KT_EXPECT_EQ(Words[2], 0x12345678);
    KT_EXPECT_EQ(Words[3], 0xEEEEEEEE);
    KT_EXPECT_EQ(RtlCompareMemoryUlong(Words, 3 * sizeof(ULONG), 0x12345678), 3 * sizeof(ULONG));
    KT_EXPECT_EQ(RtlCompareMemoryUlong(Words, sizeof(Words), 0x12345678), 3 * sizeof(ULONG));
    KT_EXPECT_EQ(RtlCompareMemoryUlong(Words, 0, 0x12345678), 0);
    /* Documented: zero for a length that is not whole ULONGs or a source that is not aligned. */
    KT_EXPECT_EQ(RtlCompareMemoryUlong(Words, 3 * sizeof(ULONG) - 1, 0x12345678), 0);
    KT_EXPECT_EQ(RtlCompareMemoryUlong((PUCHAR)Words + 1, sizeof(ULONG), 0x12345678), 0);
}

KTEST(rtl_memory, prefetch_is_a_hint_that_changes_nothing)
{
    UCHAR Buffer[300];

    RtlFillMemory(Buffer, sizeof(Buffer), 0x5A);
    RtlPrefetchMemoryNonTemporal(Buffer, sizeof(Buffer));
    RtlPrefetchMemoryNonTemporal(Buffer, 0);
    /* A prefetch never faults: not at NULL, not over the top of the address space. */
    RtlPrefetchMemoryNonTemporal(NULL, PAGE_SIZE);
    RtlPrefetchMemoryNonTemporal((PVOID)(ULONG_PTR)-PAGE_SIZE, 2 * PAGE_SIZE);
    KT_EXPECT_EQ(RtlCompareMemoryUlong(Buffer, 296, 0x5A5A5A5A), 296);
}
