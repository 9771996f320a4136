/*
 * vmargs_test.c: the order of NtAllocateVirtualMemory's argument checks (mm/vmargs.c): when two
 * arguments are bad, which status wins, and each check at its edge. Pure, so it runs in the
 * kernel and on the host (make test-host); virtual_test.c checks the same statuses through the
 * service itself.
 */
#define NTMM_MM_WHITEBOX_TEST
#include "ktest.h"
#include "../../mm/mi.h"

static NTSTATUS Arguments(ULONG AllocationType, ULONG_PTR ZeroBits, ULONG Protect)
{
    ULONG Protection;

    return MiCheckAllocateArguments(AllocationType, ZeroBits, Protect, &Protection);
}

static NTSTATUS Range(ULONG_PTR Base, SIZE_T Size, ULONG_PTR ZeroBits)
{
    ULONG_PTR Highest;

    return MiCheckAllocateRange((PVOID)Base, Size, ZeroBits, &Highest);
}

KTEST(vmargs, the_allocation_type_is_checked_first)
{
    KT_EXPECT_EQ(Arguments(0, 99, 0), STATUS_INVALID_PARAMETER_5);
    KT_EXPECT_EQ(Arguments(MEM_TOP_DOWN, 0, PAGE_READWRITE), STATUS_INVALID_PARAMETER_5);
    KT_EXPECT_EQ(Arguments(MEM_COMMIT | 1, 0, PAGE_READWRITE), STATUS_INVALID_PARAMETER_5);
    KT_EXPECT_EQ(Arguments(MEM_COMMIT | MEM_DECOMMIT, 0, PAGE_READWRITE), STATUS_INVALID_PARAMETER_5);
    /* MEM_RESET goes alone. */
    KT_EXPECT_EQ(Arguments(MEM_RESET | MEM_COMMIT, 0, PAGE_READWRITE), STATUS_INVALID_PARAMETER_5);
}

KTEST(vmargs, zero_bits_come_before_the_protection)
{
    KT_EXPECT_EQ(Arguments(MEM_RESERVE, 22, 0), STATUS_INVALID_PARAMETER_3);
    KT_EXPECT_EQ(Arguments(MEM_RESERVE, (ULONG_PTR)-1, 0), STATUS_INVALID_PARAMETER_3);
    KT_EXPECT_EQ(Arguments(MEM_RESERVE, 21, 0), STATUS_INVALID_PAGE_PROTECTION);
    KT_EXPECT_EQ(Arguments(MEM_RESERVE, 21, PAGE_READWRITE), STATUS_SUCCESS);
}

KTEST(vmargs, the_protection_comes_before_what_is_not_supported)
{
    ULONG Protection = 0;

    KT_EXPECT_EQ(Arguments(MEM_RESET, 0, 0), STATUS_INVALID_PAGE_PROTECTION);
    KT_EXPECT_EQ(Arguments(MEM_RESET, 0, PAGE_READWRITE), STATUS_NOT_SUPPORTED);
    KT_EXPECT_EQ(Arguments(MEM_COMMIT | MEM_LARGE_PAGES, 0, PAGE_NOACCESS | PAGE_GUARD),
                 STATUS_INVALID_PAGE_PROTECTION);
    KT_EXPECT_EQ(Arguments(MEM_COMMIT | MEM_LARGE_PAGES, 0, PAGE_READWRITE), STATUS_NOT_SUPPORTED);
    KT_EXPECT_EQ(Arguments(MEM_RESERVE | MEM_WRITE_WATCH, 0, PAGE_READWRITE), STATUS_NOT_SUPPORTED);
    /* Private memory has nothing to copy on write. */
    KT_EXPECT_EQ(Arguments(MEM_COMMIT, 0, PAGE_WRITECOPY), STATUS_INVALID_PAGE_PROTECTION);
    KT_EXPECT_EQ(Arguments(MEM_COMMIT, 0, PAGE_EXECUTE_WRITECOPY), STATUS_INVALID_PAGE_PROTECTION);
    KT_EXPECT_EQ(MiCheckAllocateArguments(MEM_COMMIT | MEM_RESERVE | MEM_TOP_DOWN, 0, PAGE_READWRITE | PAGE_GUARD,
                                          &Protection), STATUS_SUCCESS);
    KT_EXPECT_EQ(Protection, MM_READWRITE | MM_GUARD_PAGE);
}

KTEST(vmargs, the_range_must_lie_in_user_space)
{
    /* The base is checked before the size. */
    KT_EXPECT_EQ(Range(MM_HIGHEST_VAD_ADDRESS + 1, 0, 0), STATUS_INVALID_PARAMETER_2);
    KT_EXPECT_EQ(Range((ULONG_PTR)-1, 1, 0), STATUS_INVALID_PARAMETER_2);
    KT_EXPECT_EQ(Range(MM_HIGHEST_VAD_ADDRESS, 1, 0), STATUS_SUCCESS);
    KT_EXPECT_EQ(Range(MM_HIGHEST_VAD_ADDRESS, 2, 0), STATUS_INVALID_PARAMETER_4);
    KT_EXPECT_EQ(Range(0x10000, 0, 0), STATUS_INVALID_PARAMETER_4);
    KT_EXPECT_EQ(Range(0, MM_HIGHEST_VAD_ADDRESS + 1, 0), STATUS_SUCCESS);
    KT_EXPECT_EQ(Range(0, (SIZE_T)MM_HIGHEST_VAD_ADDRESS + 2, 0), STATUS_INVALID_PARAMETER_4);
    /* A size that would wrap past the top of the address space. */
    KT_EXPECT_EQ(Range(0x10000, (SIZE_T)-1, 0), STATUS_INVALID_PARAMETER_4);
    KT_EXPECT_EQ(Range(0x10000, (SIZE_T)0 - 0x10000, 0), STATUS_INVALID_PARAMETER_4);
}

/* Zero bits bound only a base the system chooses (NT documents them as used when BaseAddress is NULL). */
KTEST(vmargs, zero_bits_bound_only_a_base_the_system_chooses)
{
    ULONG_PTR Highest = 0;

    KT_EXPECT_EQ(MiCheckAllocateRange(NULL, PAGE_SIZE, 0, &Highest), STATUS_SUCCESS);
    KT_EXPECT_EQ(Highest, MM_HIGHEST_VAD_ADDRESS);
    /* One zero bit leaves 2 GB, more than user space has. */
    KT_EXPECT_EQ(MiCheckAllocateRange(NULL, PAGE_SIZE, 1, &Highest), STATUS_SUCCESS);
    KT_EXPECT_EQ(Highest, MM_HIGHEST_VAD_ADDRESS);
    KT_EXPECT_EQ(MiCheckAllocateRange(NULL, 0x40000000, 2, &Highest), STATUS_SUCCESS);
    KT_EXPECT_EQ(Highest, 0x3FFFFFFF);
    KT_EXPECT_EQ(MiCheckAllocateRange(NULL, 0x10, 21, &Highest), STATUS_SUCCESS);
    KT_EXPECT_EQ(Highest, 0x7FF);
    /* A base the caller gives is taken as it is, above the limit or not. */
    KT_EXPECT_EQ(Range(0x3FFF0000, 0x10001, 2), STATUS_SUCCESS);
    KT_EXPECT_EQ(Range(0x40000000, PAGE_SIZE, 2), STATUS_SUCCESS);
}

/* The first 64 KB are never mapped: a base inside them is refused, NULL means "anywhere". */
KTEST(vmargs, a_base_in_the_first_64k_is_refused)
{
    KT_EXPECT_EQ(Range(PAGE_SIZE, PAGE_SIZE, 0), STATUS_INVALID_PARAMETER_2);
    KT_EXPECT_EQ(Range(MI_LOWEST_USER_ADDRESS - 1, 2, 0), STATUS_INVALID_PARAMETER_2);
    KT_EXPECT_EQ(Range(MI_LOWEST_USER_ADDRESS, PAGE_SIZE, 0), STATUS_SUCCESS);
}
