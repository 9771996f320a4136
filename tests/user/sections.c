/*
 * sections.c: a ring-3 program that uses the section services the way a
 * user-mode caller must be treated: a handle grants only what was asked
 * for, views read and write through it, bad pointers are statuses. Returns
 * Argument + 1 when every check holds, else 0xBAD00000 plus the line of the
 * check that failed.
 */
#include "user.h"

#define CHECK(c) do { if (!(c)) return 0xBAD00000 | __LINE__; } while (0)

ULONG NTAPI UserMain(PVOID Argument)
{
    LARGE_INTEGER Size = { .QuadPart = 2 * PAGE_SIZE };
    HANDLE Section, ReadOnly;
    PVOID Base = NULL, Second = NULL;
    SIZE_T ViewSize = 0;
    PULONG Words;

    CHECK(NtCreateSection(&Section, SECTION_ALL_ACCESS, NULL, &Size, PAGE_READWRITE, SEC_COMMIT, NULL) ==
          STATUS_SUCCESS);
    CHECK(NtMapViewOfSection(Section, NtCurrentProcess(), &Base, 0, 0, NULL, &ViewSize, ViewShare, 0,
                             PAGE_READWRITE) == STATUS_SUCCESS);
    CHECK(ViewSize == 2 * PAGE_SIZE && ((ULONG_PTR)Base & (MM_ALLOCATION_GRANULARITY - 1)) == 0);
    Words = Base;
    Words[PAGE_SIZE / sizeof(ULONG)] = 0x600D;

    /* A handle with read access alone maps read-only views only. */
    CHECK(NtCreateSection(&ReadOnly, SECTION_MAP_READ, NULL, &Size, PAGE_READWRITE, SEC_COMMIT, NULL) ==
          STATUS_SUCCESS);
    ViewSize = 0;
    CHECK(NtMapViewOfSection(ReadOnly, NtCurrentProcess(), &Second, 0, 0, NULL, &ViewSize, ViewShare, 0,
                             PAGE_READWRITE) == STATUS_ACCESS_DENIED);
    CHECK(NtMapViewOfSection(ReadOnly, NtCurrentProcess(), &Second, 0, 0, NULL, &ViewSize, ViewShare, 0,
                             PAGE_READONLY) == STATUS_SUCCESS);
    CHECK(*(volatile ULONG *)Second == 0);
    CHECK(NtUnmapViewOfSection(NtCurrentProcess(), Second) == STATUS_SUCCESS);
    CHECK(NtClose(ReadOnly) == STATUS_SUCCESS);

    /* Pointers the kernel must not trust: its own space, and nothing at all. */
    Second = NULL;
    CHECK(NtMapViewOfSection(Section, NtCurrentProcess(), &Second, 0, 0, NULL, (PSIZE_T)0x80001000, ViewShare, 0,
                             PAGE_READWRITE) == STATUS_ACCESS_VIOLATION);
    CHECK(NtMapViewOfSection(Section, NtCurrentProcess(), (PVOID *)0x10, 0, 0, NULL, &ViewSize, ViewShare, 0,
                             PAGE_READWRITE) == STATUS_ACCESS_VIOLATION);
    CHECK(NtCreateSection((PHANDLE)0x80000000, SECTION_ALL_ACCESS, NULL, &Size, PAGE_READWRITE, SEC_COMMIT, NULL) ==
          STATUS_ACCESS_VIOLATION);
    CHECK(NtCreateSection(&ReadOnly, SECTION_ALL_ACCESS, NULL, (PLARGE_INTEGER)0xC0000000, PAGE_READWRITE, SEC_COMMIT,
                          NULL) == STATUS_ACCESS_VIOLATION);

    /* A second view sees the first view's write; unmapping the first leaves the data. */
    ViewSize = 0;
    CHECK(NtMapViewOfSection(Section, NtCurrentProcess(), &Second, 0, 0, NULL, &ViewSize, ViewShare, 0,
                             PAGE_READONLY) == STATUS_SUCCESS);
    CHECK(NtUnmapViewOfSection(NtCurrentProcess(), Base) == STATUS_SUCCESS);
    CHECK(((volatile ULONG *)Second)[PAGE_SIZE / sizeof(ULONG)] == 0x600D);
    CHECK(NtUnmapViewOfSection(NtCurrentProcess(), Base) == STATUS_NOT_MAPPED_VIEW);
    CHECK(NtClose(Section) == STATUS_SUCCESS);
    CHECK(((volatile ULONG *)Second)[PAGE_SIZE / sizeof(ULONG)] == 0x600D);    /* the view keeps the section */
    CHECK(NtUnmapViewOfSection(NtCurrentProcess(), Second) == STATUS_SUCCESS);
    return (ULONG)Argument + 1;
}
