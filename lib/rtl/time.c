/*
 * time.c: RtlTimeFieldsToTime, from a calendar date to NT's system time,
 * 100 ns units since 1601-01-01. Days are counted with the proleptic
 * Gregorian calendar's 400-year cycle, from a year that starts in March so
 * the leap day falls at the end.
 */
#include <ntddk.h>

#define TICKS_PER_MILLISECOND 10000LL
#define MILLISECONDS_PER_DAY (24LL * 60 * 60 * 1000)
#define DAYS_PER_400_YEARS 146097
#define FIRST_YEAR 1601
#define CYCLE_START_YEAR 1600
#define CYCLE_START_TO_1601 306                     /* 1600-03-01 to 1601-01-01 */
#define MAXIMUM_YEAR 30827                         /* the last year a LARGE_INTEGER of 100 ns holds */

static BOOLEAN RtlpIsLeapYear(LONG Year)
{
    return (Year % 4 == 0 && Year % 100 != 0) || Year % 400 == 0;
}

/*
 * Days from 1601-01-01 to Year-Month-Day, counted from 1600-03-01 (the
 * start of a 400-year cycle in March-based years, so every date here is
 * after it), less the 306 days from there to 1601-01-01.
 */
static LONGLONG RtlpDaysSince1601(LONG Year, LONG Month, LONG Day)
{
    LONG Shifted = Year - CYCLE_START_YEAR - (Month <= 2);   /* March-based years since 1600 */
    LONG Era = Shifted / 400, YearOfEra = Shifted % 400;
    LONG MonthFromMarch = (Month + 9) % 12;                  /* March 0 ... February 11 */
    LONG DayOfYear = (153 * MonthFromMarch + 2) / 5 + Day - 1;
    LONG DayOfEra = YearOfEra * 365 + YearOfEra / 4 - YearOfEra / 100 + DayOfYear;

    return (LONGLONG)Era * DAYS_PER_400_YEARS + DayOfEra - CYCLE_START_TO_1601;
}

/* FALSE, with Time untouched, for a field out of its range (a 30 February included). */
BOOLEAN NTAPI RtlTimeFieldsToTime(PTIME_FIELDS TimeFields, PLARGE_INTEGER Time)
{
    static const UCHAR DaysInMonth[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    LONG Year = TimeFields->Year, Month = TimeFields->Month, Day = TimeFields->Day;
    LONGLONG Milliseconds;

    if (Year < FIRST_YEAR || Year > MAXIMUM_YEAR || Month < 1 || Month > 12 || Day < 1 ||
        Day > DaysInMonth[Month - 1] + (Month == 2 && RtlpIsLeapYear(Year)) || TimeFields->Hour < 0 ||
        TimeFields->Hour > 23 || TimeFields->Minute < 0 || TimeFields->Minute > 59 || TimeFields->Second < 0 ||
        TimeFields->Second > 59 || TimeFields->Milliseconds < 0 || TimeFields->Milliseconds > 999)
        return FALSE;
    Milliseconds = RtlpDaysSince1601(Year, Month, Day) * MILLISECONDS_PER_DAY +
                   ((TimeFields->Hour * 60LL + TimeFields->Minute) * 60 + TimeFields->Second) * 1000 +
                   TimeFields->Milliseconds;
    Time->QuadPart = Milliseconds * TICKS_PER_MILLISECOND;
    return TRUE;
}
