/*
 * probe_test.c: ProbeForRead and ProbeForWrite in a try block, as a system
 * service uses them: misalignment raises STATUS_DATATYPE_MISALIGNMENT, a
 * range that wraps or reaches past MM_USER_PROBE_ADDRESS raises
 * STATUS_ACCESS_VIOLATION, a length of 0 is accepted whatever the address,
 * and ProbeForWrite touches every page for write.
 */
#include "ktest.h"

static NTSTATUS Probe(BOOLEAN Write, PVOID Address, SIZE_T Length, ULONG Alignment)
{
    volatile NTSTATUS Status = STATUS_SUCCESS;

    _SEH2_TRY {
        if (Write)
            ProbeForWrite(Address, Length, Alignment);
        else
            ProbeForRead(Address, Length, Alignment);
    } _SEH2_EXCEPT(EXCEPTION_EXECUTE_HANDLER) {
        Status = _SEH2_GetExceptionCode();
    } _SEH2_END;
    return Status;
}

KTEST(probe, a_misaligned_address_raises_datatype_misalignment)
{
    KT_EXPECT_EQ(Probe(TRUE, (PVOID)0x10002, 8, sizeof(ULONG)), STATUS_DATATYPE_MISALIGNMENT);
    KT_EXPECT_EQ(Probe(FALSE, (PVOID)0x10001, 2, sizeof(USHORT)), STATUS_DATATYPE_MISALIGNMENT);
    /* Alignment is checked before the range: a misaligned kernel address is a misalignment first. */
    KT_EXPECT_EQ(Probe(TRUE, (PVOID)0x80000002, 4, sizeof(ULONG)), STATUS_DATATYPE_MISALIGNMENT);
}

KTEST(probe, a_range_that_wraps_or_leaves_user_space_raises_access_violation)
{
    KT_EXPECT_EQ(Probe(TRUE, (PVOID)0x10000, (SIZE_T)-0x8000, 1), STATUS_ACCESS_VIOLATION);
    KT_EXPECT_EQ(Probe(FALSE, (PVOID)0xFFFFF000, 0x2000, 1), STATUS_ACCESS_VIOLATION);
    KT_EXPECT_EQ(Probe(TRUE, (PVOID)((ULONG_PTR)MM_USER_PROBE_ADDRESS - 1), 2, 1), STATUS_ACCESS_VIOLATION);
    KT_EXPECT_EQ(Probe(FALSE, MM_SYSTEM_RANGE_START, 1, 1), STATUS_ACCESS_VIOLATION);
    /* Ending exactly at the probe address is still user space: the read probe does not touch memory. */
    KT_EXPECT_EQ(Probe(FALSE, (PVOID)((ULONG_PTR)MM_USER_PROBE_ADDRESS - 4), 4, 4), STATUS_SUCCESS);
}

KTEST(probe, length_zero_is_accepted_whatever_the_address)
{
    KT_EXPECT_EQ(Probe(TRUE, (PVOID)0x80000001, 0, sizeof(ULONG)), STATUS_SUCCESS);
    KT_EXPECT_EQ(Probe(FALSE, (PVOID)0xFFFFFFFF, 0, sizeof(ULONG)), STATUS_SUCCESS);
    KT_EXPECT_EQ(Probe(TRUE, NULL, 0, 1), STATUS_SUCCESS);
}

KTEST(probe, probe_for_write_touches_each_page_for_write)
{
    PVOID Base = NULL;
    SIZE_T Size = 2 * PAGE_SIZE;
    ULONG OldProtect;

    KT_ASSERT_EQ(ZwAllocateVirtualMemory(NtCurrentProcess(), &Base, 0, &Size, MEM_RESERVE | MEM_COMMIT,
                                         PAGE_READWRITE), STATUS_SUCCESS);
    KT_EXPECT_EQ(Probe(TRUE, Base, 2 * PAGE_SIZE, sizeof(ULONG)), STATUS_SUCCESS);
    KT_EXPECT_EQ(ZwProtectVirtualMemory(NtCurrentProcess(), &Base, &Size, PAGE_READONLY, &OldProtect),
                 STATUS_SUCCESS);
    KT_EXPECT_EQ(Probe(FALSE, Base, 2 * PAGE_SIZE, sizeof(ULONG)), STATUS_SUCCESS);
    KT_EXPECT_EQ(Probe(TRUE, (PUCHAR)Base + PAGE_SIZE, 1, 1), STATUS_ACCESS_VIOLATION);
    Size = 0;
    KT_EXPECT_EQ(ZwFreeVirtualMemory(NtCurrentProcess(), &Base, &Size, MEM_RELEASE), STATUS_SUCCESS);
}
