/*
 * files.c: a ring-3 program that opens a ramdisk file, reads it, and maps
 * it as a data section through the system services, and checks that the
 * kernel holds it to the access its handles grant and to the pointers it
 * may use. Returns Argument + 1 when every check holds, else 0xBAD00000
 * plus the line of the check that failed.
 */
#include "user.h"

#define CHECK(c) do { if (!(c)) return 0xBAD00000 | __LINE__; } while (0)

static WCHAR DataName[] = u"\\Device\\Ramdisk\\data.bin";

static NTSTATUS Open(ACCESS_MASK Access, POBJECT_ATTRIBUTES Attributes, PHANDLE Handle)
{
    IO_STATUS_BLOCK IoStatus;

    return NtOpenFile(Handle, Access, Attributes, &IoStatus, FILE_SHARE_READ, FILE_SYNCHRONOUS_IO_NONALERT);
}

ULONG NTAPI UserMain(PVOID Argument)
{
    UNICODE_STRING Name = { sizeof(DataName) - sizeof(WCHAR), sizeof(DataName), DataName };
    OBJECT_ATTRIBUTES Attributes = { sizeof(Attributes), NULL, &Name, 0, NULL, NULL };
    FILE_STANDARD_INFORMATION Standard;
    IO_STATUS_BLOCK IoStatus;
    HANDLE File, NoRead, Section;
    UCHAR Buffer[8];
    PUCHAR View = NULL;
    SIZE_T ViewSize = 0;

    CHECK(Open(FILE_READ_DATA | SYNCHRONIZE, &Attributes, &File) == STATUS_SUCCESS);
    CHECK(NtQueryInformationFile(File, &IoStatus, &Standard, sizeof(Standard), FileStandardInformation) ==
          STATUS_SUCCESS);
    CHECK(Standard.EndOfFile.QuadPart == 3 * PAGE_SIZE + 100);
    CHECK(NtReadFile(File, NULL, NULL, NULL, &IoStatus, Buffer, sizeof(Buffer), NULL, NULL) == STATUS_SUCCESS);
    CHECK(IoStatus.Information == sizeof(Buffer) && Buffer[1] == 7 && Buffer[2] == 14);

    /* The section and the file agree, byte for byte. */
    CHECK(NtCreateSection(&Section, SECTION_MAP_READ, NULL, NULL, PAGE_READONLY, SEC_COMMIT, File) ==
          STATUS_SUCCESS);
    CHECK(NtMapViewOfSection(Section, NtCurrentProcess(), (PVOID *)&View, 0, 0, NULL, &ViewSize, ViewShare, 0,
                             PAGE_READONLY) == STATUS_SUCCESS);
    CHECK(ViewSize == 4 * PAGE_SIZE && View[PAGE_SIZE] == (UCHAR)(PAGE_SIZE * 7 + 1) && View[3 * PAGE_SIZE + 100] == 0);
    CHECK(NtUnmapViewOfSection(NtCurrentProcess(), View) == STATUS_SUCCESS);
    CHECK(NtClose(Section) == STATUS_SUCCESS);

    /* A handle without FILE_READ_DATA neither reads nor backs a section. */
    CHECK(Open(FILE_READ_ATTRIBUTES | SYNCHRONIZE, &Attributes, &NoRead) == STATUS_SUCCESS);
    CHECK(NtReadFile(NoRead, NULL, NULL, NULL, &IoStatus, Buffer, sizeof(Buffer), NULL, NULL) ==
          STATUS_ACCESS_DENIED);
    CHECK(NtCreateSection(&Section, SECTION_MAP_READ, NULL, NULL, PAGE_READONLY, SEC_COMMIT, NoRead) ==
          STATUS_ACCESS_DENIED);
    CHECK(NtClose(NoRead) == STATUS_SUCCESS);

    /* Pointers the kernel must not trust. */
    CHECK(NtReadFile(File, NULL, NULL, NULL, &IoStatus, (PVOID)0x80000000, sizeof(Buffer), NULL, NULL) ==
          STATUS_ACCESS_VIOLATION);
    Name.Buffer = (PWCHAR)0xC0000000;
    CHECK(Open(FILE_READ_DATA, &Attributes, &NoRead) == STATUS_ACCESS_VIOLATION);
    CHECK(Open(FILE_READ_DATA, (POBJECT_ATTRIBUTES)0x80001000, &NoRead) == STATUS_ACCESS_VIOLATION);
    CHECK(NtClose(File) == STATUS_SUCCESS);
    return (ULONG)Argument + 1;
}
