/*
 * cmos.c: the CMOS real-time clock (MC146818 registers behind ports 0x70
 * and 0x71), read once at boot for the system time. The registers are read
 * outside an update cycle and twice, until two reads agree, and converted
 * from BCD and 12-hour form as status register B says they are kept.
 */
#include <hal.h>
#include <ke.h>

#define CMOS_ADDRESS 0x70
#define CMOS_DATA    0x71
#define CMOS_NMI_DISABLE 0x80          /* set in every address written, as firmware leaves NMI masked */
#define RTC_SECONDS 0x00
#define RTC_MINUTES 0x02
#define RTC_HOURS   0x04
#define RTC_DAY     0x07
#define RTC_MONTH   0x08
#define RTC_YEAR    0x09
#define RTC_STATUS_A 0x0A
#define RTC_STATUS_B 0x0B
#define RTC_CENTURY 0x32               /* the PC/AT's century byte (ACPI FADT's default) */
#define RTC_UPDATE_IN_PROGRESS 0x80    /* status A */
#define RTC_24_HOUR 0x02               /* status B */
#define RTC_BINARY  0x04               /* status B */
#define RTC_PM      0x80               /* in the hour, 12-hour form */
#define RTC_MAXIMUM_READS 1000

static UCHAR HalpReadCmos(UCHAR Register)
{
    __outbyte(CMOS_ADDRESS, CMOS_NMI_DISABLE | Register);
    return __inbyte(CMOS_DATA);
}

static CSHORT HalpFromBcd(UCHAR Value, BOOLEAN Binary)
{
    return Binary ? Value : (CSHORT)((Value >> 4) * 10 + (Value & 0x0F));
}

static VOID HalpReadClockOnce(UCHAR Registers[6], PUCHAR Century)
{
    static const UCHAR Order[6] = { RTC_SECONDS, RTC_MINUTES, RTC_HOURS, RTC_DAY, RTC_MONTH, RTC_YEAR };

    for (ULONG Tries = 0; Tries < RTC_MAXIMUM_READS && (HalpReadCmos(RTC_STATUS_A) & RTC_UPDATE_IN_PROGRESS); Tries++)
        ;
    for (ULONG i = 0; i < 6; i++)
        Registers[i] = HalpReadCmos(Order[i]);
    *Century = HalpReadCmos(RTC_CENTURY);
}

/* FALSE when the clock never reads the same twice or holds no valid date. */
BOOLEAN NTAPI HalQueryRealTimeClock(PTIME_FIELDS TimeFields)
{
    UCHAR First[6], Second[6], Century, SecondCentury, StatusB;
    BOOLEAN Binary, Agreed = FALSE;
    ULONG EFlags = KiReadEFlags();
    CSHORT Hour;

    _disable();
    HalpReadClockOnce(First, &Century);
    for (ULONG Tries = 0; Tries < RTC_MAXIMUM_READS && !Agreed; Tries++) {
        HalpReadClockOnce(Second, &SecondCentury);
        Agreed = memcmp(First, Second, sizeof(First)) == 0 && Century == SecondCentury;
        memcpy(First, Second, sizeof(First));
        Century = SecondCentury;
    }
    StatusB = HalpReadCmos(RTC_STATUS_B);
    if (EFlags & EFLAGS_IF)
        _enable();
    if (!Agreed)
        return FALSE;

    Binary = (StatusB & RTC_BINARY) != 0;
    Hour = HalpFromBcd(First[2] & ~RTC_PM, Binary);
    if (!(StatusB & RTC_24_HOUR))
        Hour = (CSHORT)(Hour % 12 + ((First[2] & RTC_PM) ? 12 : 0));
    TimeFields->Second = HalpFromBcd(First[0], Binary);
    TimeFields->Minute = HalpFromBcd(First[1], Binary);
    TimeFields->Hour = Hour;
    TimeFields->Day = HalpFromBcd(First[3], Binary);
    TimeFields->Month = HalpFromBcd(First[4], Binary);
    TimeFields->Year = (CSHORT)(HalpFromBcd(Century, Binary) * 100 + HalpFromBcd(First[5], Binary));
    TimeFields->Milliseconds = 0;
    TimeFields->Weekday = 0;
    return TimeFields->Month >= 1 && TimeFields->Month <= 12 && TimeFields->Day >= 1 && TimeFields->Day <= 31;
}
