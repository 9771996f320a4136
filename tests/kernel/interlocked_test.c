/* interlocked_test.c: the Interlocked* operations: x86 semantics and the values each returns. */
#include "ktest.h"

KTEST(interlocked, increment_and_decrement_return_the_new_value)
{
    LONG volatile Value = MAXLONG - 1;

    KT_EXPECT_EQ(InterlockedIncrement(&Value), MAXLONG);
    KT_EXPECT_EQ(InterlockedIncrement(&Value), MINLONG);     /* wraps, as the instruction does */
    KT_EXPECT_EQ(InterlockedDecrement(&Value), MAXLONG);
    Value = 0;
    KT_EXPECT_EQ(InterlockedDecrement(&Value), -1);
    KT_EXPECT_EQ(InterlockedIncrementAcquire(&Value), 0);
    KT_EXPECT_EQ(InterlockedDecrementRelease(&Value), -1);
}

KTEST(interlocked, exchange_forms_return_the_old_value)
{
    LONG volatile Value = 5;
    PVOID volatile Pointer = (PVOID)&Value;

    KT_EXPECT_EQ(InterlockedExchange(&Value, 9), 5);
    KT_EXPECT_EQ(InterlockedExchangeAdd(&Value, -10), 9);
    KT_EXPECT_EQ(Value, -1);
    KT_EXPECT_EQ(InterlockedExchangeAddAcquire(&Value, 1), -1);
    KT_EXPECT(InterlockedExchangePointer(&Pointer, NULL) == (PVOID)&Value);
    KT_EXPECT(Pointer == NULL);
}

KTEST(interlocked, compare_exchange_stores_only_on_a_match)
{
    LONG volatile Value = 7;
    LONG64 volatile Wide = 0x100000000LL;
    PVOID volatile Pointer = NULL;

    KT_EXPECT_EQ(InterlockedCompareExchange(&Value, 8, 6), 7);     /* fails: returns what is there */
    KT_EXPECT_EQ(Value, 7);
    KT_EXPECT_EQ(InterlockedCompareExchange(&Value, 8, 7), 7);
    KT_EXPECT_EQ(Value, 8);
    KT_EXPECT_EQ(InterlockedCompareExchangeAcquire(&Value, 1, 0), 8);
    KT_EXPECT_EQ(Value, 8);

    /* The 64-bit form compares both halves: equal low halves are not enough. */
    KT_EXPECT_EQ(InterlockedCompareExchange64(&Wide, 1, 0), 0x100000000LL);
    KT_EXPECT_EQ(Wide, 0x100000000LL);
    KT_EXPECT_EQ(InterlockedCompareExchange64(&Wide, -1, 0x100000000LL), 0x100000000LL);
    KT_EXPECT_EQ(Wide, -1LL);

    KT_EXPECT(InterlockedCompareExchangePointer(&Pointer, (PVOID)&Value, (PVOID)&Wide) == NULL);
    KT_EXPECT(Pointer == NULL);
    KT_EXPECT(InterlockedCompareExchangePointer(&Pointer, (PVOID)&Value, NULL) == NULL);
    KT_EXPECT(Pointer == (PVOID)&Value);
}

KTEST(interlocked, and_or_xor_return_the_value_before)
{
    LONG volatile Value = 0x0F0F;

    KT_EXPECT_EQ(InterlockedAnd(&Value, 0x00FF), 0x0F0F);
    KT_EXPECT_EQ(Value, 0x000F);
    KT_EXPECT_EQ(InterlockedOr(&Value, 0x0100), 0x000F);
    KT_EXPECT_EQ(Value, 0x010F);
    KT_EXPECT_EQ(InterlockedXor(&Value, 0x0101), 0x010F);
    KT_EXPECT_EQ(Value, 0x000E);
    KeMemoryBarrier();
    KT_EXPECT_EQ(Value, 0x000E);
}

/* The 64-bit forms the x86 DDK builds on cmpxchg8b: carries and borrows cross the halves. */
KTEST(interlocked, sixty_four_bit_forms_carry_between_the_halves)
{
    LONG64 volatile Wide = 0xFFFFFFFFLL;

    KT_EXPECT_EQ(InterlockedIncrement64(&Wide), 0x100000000LL);
    KT_EXPECT_EQ(InterlockedDecrement64(&Wide), 0xFFFFFFFFLL);
    KT_EXPECT_EQ(InterlockedExchangeAdd64(&Wide, 1), 0xFFFFFFFFLL);          /* the value before */
    KT_EXPECT_EQ(InterlockedAdd64(&Wide, -0x100000001LL), -1LL);             /* the value after */
    KT_EXPECT_EQ(InterlockedExchange64(&Wide, 0x123456789ABCDEF0LL), -1LL);
    KT_EXPECT_EQ(InterlockedAnd64(&Wide, 0x0000FFFF0000FFFFLL), 0x123456789ABCDEF0LL);
    KT_EXPECT_EQ(Wide, 0x000056780000DEF0LL);
    KT_EXPECT_EQ(InterlockedOr64(&Wide, 0x1000000000000000LL), 0x000056780000DEF0LL);
    KT_EXPECT_EQ(InterlockedXor64(&Wide, 0x1000000000000001LL), 0x100056780000DEF0LL);
    KT_EXPECT_EQ(Wide, 0x000056780000DEF1LL);
    Wide = 0x7FFFFFFFFFFFFFFFLL;
    KT_EXPECT_EQ(InterlockedIncrement64(&Wide), (LONG64)0x8000000000000000ULL);   /* wraps as x86 does */
}

KTEST(interlocked, add_bit_and_narrow_forms)
{
    LONG volatile Value = 5;
    LONG volatile Bits[2] = { 0, 0 };
    SHORT volatile Short = 0x7FFF;
    CHAR volatile Byte = 0x0F;

    KT_EXPECT_EQ(InterlockedAdd(&Value, 3), 8);                               /* the sum */
    KT_EXPECT(!InterlockedBitTestAndSet(Bits, 33));                           /* past the first LONG */
    KT_EXPECT_EQ(Bits[1], 2);
    KT_EXPECT(InterlockedBitTestAndSet(Bits, 33));
    KT_EXPECT(InterlockedBitTestAndReset(Bits, 33));
    KT_EXPECT(!InterlockedBitTestAndReset(Bits, 33));
    KT_EXPECT_EQ(Bits[0] | Bits[1], 0);
    KT_EXPECT_EQ(InterlockedIncrement16(&Short), (SHORT)0x8000);
    KT_EXPECT_EQ(InterlockedDecrement16(&Short), 0x7FFF);
    KT_EXPECT_EQ(InterlockedCompareExchange16(&Short, 1, 0), 0x7FFF);
    KT_EXPECT_EQ(InterlockedCompareExchange16(&Short, 1, 0x7FFF), 0x7FFF);
    KT_EXPECT_EQ(Short, 1);
    KT_EXPECT_EQ(InterlockedAnd8(&Byte, 0x3C), 0x0F);
    KT_EXPECT_EQ(InterlockedOr8(&Byte, 0x40), 0x0C);
    KT_EXPECT_EQ(InterlockedXor8(&Byte, 0x44), 0x4C);
    KT_EXPECT_EQ(Byte, 0x08);
}
