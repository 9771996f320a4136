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
