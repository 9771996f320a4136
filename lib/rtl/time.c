/*
 * time.c: NT system time, 100-ns units since 1601-01-01, from calendar
 * fields. Counting from 1 March makes February, the only irregular month,
 * fall at the end of the year: the days before a month are then a linear
 * function of its number ((153 * m + 2) / 5), and a leap day is simply
 * the last day of the year before. Every Gregorian rule (4, 100, 400) is
 * one division.
 */
#include <ntddk.h>

#define RTL_FIRST_YEAR        1601
#define RTL_TICKS_PER_SECOND  10000000LL
#define RTL_TICKS_PER_MS      10000LL
#define RTL_SECONDS_PER_DAY   86400LL
#define RTL_DAYS_MARCH_TO_JANUARY 306   /* 1 March to 1 January of the next year */

static BOOLEAN RtlpIsLeapYear(LONG Year)
{
    return (Year % 4 == 0 && Year % 100 != 0) || Year % 400 == 0;
}

static LONG RtlpDaysInMonth(LONG Year, LONG Month)
{
    static const UCHAR Days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

    return Days[Month - 1] + (Month == 2 && RtlpIsLeapYear(Year));
}

/* FALSE, and Time untouched, when a field is out of range (Weekday is ignored, as NT ignores it). */
BOOLEAN NTAPI RtlTimeFieldsToTime(PTIME_FIELDS TimeFields, PLARGE_INTEGER Time)
{
    LONG Year = TimeFields->Year, Month = TimeFields->Month, Day = TimeFields->Day;
    LONG ShiftedYear, ShiftedMonth;
    LONGLONG Days;

    if (Year < RTL_FIRST_YEAR || Month < 1 || Month > 12 || Day < 1 || Day > RtlpDaysInMonth(Year, Month) ||
        TimeFields->Hour < 0 || TimeFields->Hour > 23 || TimeFields->Minute < 0 || TimeFields->Minute > 59 ||
        TimeFields->Second < 0 || TimeFields->Second > 59 || TimeFields->Milliseconds < 0 ||
        TimeFields->Milliseconds > 999)
        return FALSE;
    /* Years from March 1600, months from March. */
    ShiftedYear = Year - (RTL_FIRST_YEAR - 1) - (Month <= 2);
    ShiftedMonth = (Month + 9) % 12;
    Days = 365LL * ShiftedYear + ShiftedYear / 4 - ShiftedYear / 100 + ShiftedYear / 400 +
           (153 * ShiftedMonth + 2) / 5 + Day - 1 - RTL_DAYS_MARCH_TO_JANUARY;
    Time->QuadPart = ((Days * RTL_SECONDS_PER_DAY + TimeFields->Hour * 3600LL + TimeFields->Minute * 60LL +
                       TimeFields->Second) * RTL_TICKS_PER_SECOND) +
                     TimeFields->Milliseconds * RTL_TICKS_PER_MS;
    return TRUE;
}
