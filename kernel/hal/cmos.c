/*
 * cmos.c: the MC146818 real-time clock behind CMOS ports 0x70/0x71, read
 * once at boot to give system time its start. The chip updates its
 * registers once a second and flags the update a little ahead (Update In
 * Progress), so the fields are read between updates and read again until
 * two readings agree. They come in BCD or binary, with a 12- or 24-hour
 * clock, as status register B says; the century sits in register 0x32
 * (the ACPI FADT's default) on the PCs and emulators that keep one.
 */
#include <hal.h>
#include <string.h>

#define CMOS_ADDRESS      0x70
#define CMOS_DATA         0x71

#define RTC_SECONDS       0x00
#define RTC_MINUTES       0x02
#define RTC_HOURS         0x04
#define RTC_DAY_OF_WEEK   0x06   /* 1 is Sunday */
#define RTC_DAY_OF_MONTH  0x07
#define RTC_MONTH         0x08
#define RTC_YEAR          0x09
#define RTC_STATUS_A      0x0A
#define RTC_STATUS_B      0x0B
#define RTC_CENTURY       0x32

#define RTC_A_UPDATE_IN_PROGRESS 0x80
#define RTC_B_24_HOUR            0x02
#define RTC_B_BINARY             0x04
#define RTC_HOURS_PM             0x80

/* An update takes under 2 ms; this bounds the wait on a chip that never clears the flag. */
#define RTC_UPDATE_WAIT_LIMIT    1000000
#define RTC_READ_ATTEMPTS        8

typedef struct _HALP_RTC_READING {
    UCHAR Second, Minute, Hour, Weekday, Day, Month, Year, Century;
} HALP_RTC_READING;

static UCHAR HalpReadCmos(UCHAR Register)
{
    __outbyte(CMOS_ADDRESS, Register);
    return __inbyte(CMOS_DATA);
}

static BOOLEAN HalpWaitForRtcUpdate(VOID)
{
    for (ULONG i = 0; i < RTC_UPDATE_WAIT_LIMIT; i++) {
        if (!(HalpReadCmos(RTC_STATUS_A) & RTC_A_UPDATE_IN_PROGRESS))
            return TRUE;
    }
    return FALSE;
}

static BOOLEAN HalpReadRtc(HALP_RTC_READING *Reading)
{
    if (!HalpWaitForRtcUpdate())
        return FALSE;
    Reading->Second = HalpReadCmos(RTC_SECONDS);
    Reading->Minute = HalpReadCmos(RTC_MINUTES);
    Reading->Hour = HalpReadCmos(RTC_HOURS);
    Reading->Weekday = HalpReadCmos(RTC_DAY_OF_WEEK);
    Reading->Day = HalpReadCmos(RTC_DAY_OF_MONTH);
    Reading->Month = HalpReadCmos(RTC_MONTH);
    Reading->Year = HalpReadCmos(RTC_YEAR);
    Reading->Century = HalpReadCmos(RTC_CENTURY);
    return TRUE;
}

static CSHORT HalpFromBcd(UCHAR Value, BOOLEAN Binary)
{
    return Binary ? Value : (CSHORT)((Value >> 4) * 10 + (Value & 0xF));
}

/*
 * The RTC's date and time (UTC, as QEMU and Bochs keep it by default).
 * FALSE when the chip cannot be read; the fields are not checked here
 * (RtlTimeFieldsToTime refuses impossible ones).
 */
BOOLEAN NTAPI HalQueryRealTimeClock(PTIME_FIELDS TimeFields)
{
    HALP_RTC_READING First, Second;
    BOOLEAN Binary, Pm;
    CSHORT Century, Hour;
    UCHAR StatusB;
    ULONG Attempt;

    for (Attempt = 0; Attempt < RTC_READ_ATTEMPTS; Attempt++) {
        if (!HalpReadRtc(&First) || !HalpReadRtc(&Second))
            return FALSE;
        if (memcmp(&First, &Second, sizeof(First)) == 0)
            break;
    }
    if (Attempt == RTC_READ_ATTEMPTS)
        return FALSE;
    StatusB = HalpReadCmos(RTC_STATUS_B);
    Binary = (StatusB & RTC_B_BINARY) != 0;
    Pm = !(StatusB & RTC_B_24_HOUR) && (First.Hour & RTC_HOURS_PM);
    Hour = HalpFromBcd(First.Hour & ~RTC_HOURS_PM, Binary);
    if (!(StatusB & RTC_B_24_HOUR))
        Hour = (CSHORT)(Hour % 12 + (Pm ? 12 : 0));
    /* No century register on this machine: a two-digit year is 1970-2069. */
    Century = HalpFromBcd(First.Century, Binary);
    if (Century < 19 || Century > 29)
        Century = HalpFromBcd(First.Year, Binary) < 70 ? 20 : 19;

    TimeFields->Year = (CSHORT)(Century * 100 + HalpFromBcd(First.Year, Binary));
    TimeFields->Month = HalpFromBcd(First.Month, Binary);
    TimeFields->Day = HalpFromBcd(First.Day, Binary);
    TimeFields->Hour = Hour;
    TimeFields->Minute = HalpFromBcd(First.Minute, Binary);
    TimeFields->Second = HalpFromBcd(First.Second, Binary);
    TimeFields->Milliseconds = 0;
    TimeFields->Weekday = (CSHORT)((HalpFromBcd(First.Weekday, Binary) + 6) % 7);
    return TRUE;
}
