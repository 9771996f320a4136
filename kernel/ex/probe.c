/*
 * probe.c: ProbeForRead and ProbeForWrite, the checks a system service
 * makes on a pointer a user-mode caller passed, inside the service's try
 * block: a misaligned address raises STATUS_DATATYPE_MISALIGNMENT, a range
 * that wraps or reaches past MI_USER_PROBE_ADDRESS raises
 * STATUS_ACCESS_VIOLATION, and a length of zero is always accepted.
 * ProbeForWrite then writes each page of the range back onto itself, so a
 * page that cannot be written raises now rather than halfway through the
 * service's work.
 */
#include <ke.h>
#include <mmlayout.h>

VOID NTAPI ExRaiseAccessViolation(VOID)
{
    ExRaiseStatus(STATUS_ACCESS_VIOLATION);
}

VOID NTAPI ExRaiseDatatypeMisalignment(VOID)
{
    ExRaiseStatus(STATUS_DATATYPE_MISALIGNMENT);
}

static VOID ExpProbeRange(PVOID Address, SIZE_T Length, ULONG Alignment)
{
    ULONG_PTR Start = (ULONG_PTR)Address;

    ASSERT(Alignment == 1 || Alignment == 2 || Alignment == 4 || Alignment == 8 || Alignment == 16);
    if ((Start & (Alignment - 1)) != 0)
        ExRaiseDatatypeMisalignment();
    if (Start + Length < Start || Start + Length > MI_USER_PROBE_ADDRESS)
        ExRaiseAccessViolation();
}

VOID NTAPI ProbeForRead(PVOID Address, SIZE_T Length, ULONG Alignment)
{
    if (Length != 0)
        ExpProbeRange(Address, Length, Alignment);
}

VOID NTAPI ProbeForWrite(PVOID Address, SIZE_T Length, ULONG Alignment)
{
    ULONG_PTR Page, Last;

    if (Length == 0)
        return;
    ExpProbeRange(Address, Length, Alignment);
    Last = (ULONG_PTR)PAGE_ALIGN((ULONG_PTR)Address + Length - 1);
    KiAllowUserAccess();
    /* cppcheck-suppress selfAssignment ; the write is the probe, and volatile makes it happen */
    *(volatile UCHAR *)Address = *(volatile UCHAR *)Address;
    for (Page = (ULONG_PTR)PAGE_ALIGN(Address) + PAGE_SIZE; Page <= Last && Page != 0; Page += PAGE_SIZE)
        /* cppcheck-suppress selfAssignment ; as above */
        *(volatile UCHAR *)Page = *(volatile UCHAR *)Page;
    KiForbidUserAccess();
}
