/* time_test.c: system time from the RTC, and RtlTimeFieldsToTime's calendar. */
#include "ktest.h"
#include <ke.h>
#include <hal.h>

#define REFUSED (-1LL)   /* what TimeOf gives for fields RtlTimeFieldsToTime refuses */

static LONGLONG TimeOf(CSHORT Year, CSHORT Month, CSHORT Day, CSHORT Hour, CSHORT Minute, CSHORT Second,
                       CSHORT Milliseconds)
{
    TIME_FIELDS Fields = { Year, Month, Day, Hour, Minute, Second, Milliseconds, 0 };
    LARGE_INTEGER Time;

    Time.QuadPart = 0;
    if (!RtlTimeFieldsToTime(&Fields, &Time))
        return REFUSED;
    return Time.QuadPart;
}

#define DAY_100NS (86400LL * 10000000)

KTEST(time, time_fields_count_100ns_from_1601)
{
    KT_EXPECT_EQ(TimeOf(1601, 1, 1, 0, 0, 0, 0), 0);
    KT_EXPECT_EQ(TimeOf(1601, 1, 1, 0, 0, 0, 1), 10000);
    KT_EXPECT_EQ(TimeOf(1601, 1, 2, 0, 0, 0, 0), DAY_100NS);
    KT_EXPECT_EQ(TimeOf(1970, 1, 1, 0, 0, 0, 0), 116444736000000000LL);   /* the Unix epoch, as NT counts it */
    KT_EXPECT_EQ(TimeOf(2000, 3, 1, 0, 0, 0, 0) - TimeOf(2000, 2, 28, 0, 0, 0, 0), 2 * DAY_100NS);   /* 400: leap */
    KT_EXPECT_EQ(TimeOf(1900, 3, 1, 0, 0, 0, 0) - TimeOf(1900, 2, 28, 0, 0, 0, 0), DAY_100NS);       /* 100: not */
    KT_EXPECT_EQ(TimeOf(2024, 3, 1, 0, 0, 0, 0) - TimeOf(2024, 2, 28, 0, 0, 0, 0), 2 * DAY_100NS);   /* 4: leap */
    KT_EXPECT_EQ(TimeOf(2024, 1, 1, 0, 0, 0, 0) - TimeOf(2023, 12, 31, 23, 59, 59, 999), 10000);
    KT_EXPECT_EQ(TimeOf(30827, 12, 31, 23, 59, 59, 999) > 0, TRUE);                  /* NT's last year still fits */
}

KTEST(time, impossible_fields_are_refused)
{
    KT_EXPECT_EQ(TimeOf(1600, 12, 31, 0, 0, 0, 0), REFUSED);
    KT_EXPECT_EQ(TimeOf(2023, 2, 29, 0, 0, 0, 0), REFUSED);
    KT_EXPECT_EQ(TimeOf(2024, 13, 1, 0, 0, 0, 0), REFUSED);
    KT_EXPECT_EQ(TimeOf(2024, 0, 1, 0, 0, 0, 0), REFUSED);
    KT_EXPECT_EQ(TimeOf(2024, 4, 31, 0, 0, 0, 0), REFUSED);
    KT_EXPECT_EQ(TimeOf(2024, 1, 1, 24, 0, 0, 0), REFUSED);
    KT_EXPECT_EQ(TimeOf(2024, 1, 1, 0, 60, 0, 0), REFUSED);
    KT_EXPECT_EQ(TimeOf(2024, 1, 1, 0, 0, 60, 0), REFUSED);
    KT_EXPECT_EQ(TimeOf(2024, 1, 1, 0, 0, 0, 1000), REFUSED);
}

/* QEMU's RTC holds the host's time: system time is today's, and moves with the clock. */
KTEST(time, system_time_starts_from_the_rtc_and_follows_the_clock)
{
    LARGE_INTEGER Before, After;
    ULONGLONG Start;

    KeQuerySystemTime(&Before);
    KT_EXPECT(Before.QuadPart > TimeOf(2020, 1, 1, 0, 0, 0, 0));
    KT_EXPECT(Before.QuadPart < TimeOf(2200, 1, 1, 0, 0, 0, 0));
    Start = KeTickCount;
    while (KeTickCount < Start + 3)
        __halt();
    KeQuerySystemTime(&After);
    KT_EXPECT(After.QuadPart - Before.QuadPart >= 2 * KE_TIME_INCREMENT);
    KT_EXPECT(After.QuadPart - Before.QuadPart <= 4 * KE_TIME_INCREMENT);
}
