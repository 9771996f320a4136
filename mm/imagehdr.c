/*
 * imagehdr.c: the checks of a PE image's headers and section table before
 * its segment is built (creasect.c), as pure functions of the bytes read
 * and the file's size: they read no file and no pool, so the host fuzzes
 * them as they are (make fuzz FUZZ=image).
 *
 * Every field the mapper uses is checked against the file's size and the
 * image's, without a sum that could wrap: a malformed file is
 * STATUS_INVALID_IMAGE_FORMAT (STATUS_INVALID_IMAGE_NOT_MZ without "MZ",
 * STATUS_INVALID_IMAGE_PROTECT when the NT headers are not "PE"), never a
 * fault. An image's SectionAlignment must be at least a page (NT also maps
 * "native" images whose sections are sector-aligned; ntmm refuses them),
 * its FileAlignment a power of two from a sector to 64 KB.
 */
#include "mi.h"
#include <ntimage.h>
#include <string.h>

#define MI_MAXIMUM_FILE_ALIGNMENT 0x10000
#define MI_IS_POWER_OF_TWO(Value) ((Value) != 0 && ((Value) & ((Value) - 1)) == 0)

/* The NT headers in the Bytes of Header read, checked up to the end of the section table (NT's MiVerifyImageHeader). */
NTSTATUS MiVerifyImageHeader(const UCHAR *Header, ULONG Bytes, ULONGLONG FileSize, PIMAGE_NT_HEADERS32 *Found)
{
    const IMAGE_DOS_HEADER *Dos = (const IMAGE_DOS_HEADER *)Header;
    PIMAGE_NT_HEADERS32 NtHeaders;
    PIMAGE_OPTIONAL_HEADER32 Optional;
    ULONG Lfanew;
    ULONGLONG TableEnd;

    if (Bytes < sizeof(IMAGE_DOS_HEADER) || Dos->e_magic != IMAGE_DOS_SIGNATURE)
        return STATUS_INVALID_IMAGE_NOT_MZ;
    Lfanew = (ULONG)Dos->e_lfanew;
    if (Lfanew > Bytes - sizeof(ULONG) || (Lfanew & (sizeof(ULONG) - 1)) != 0)
        return STATUS_INVALID_IMAGE_FORMAT;
    NtHeaders = (PIMAGE_NT_HEADERS32)(Header + Lfanew);
    if (NtHeaders->Signature != IMAGE_NT_SIGNATURE)
        return STATUS_INVALID_IMAGE_PROTECT;
    if (Bytes - Lfanew < sizeof(IMAGE_NT_HEADERS32))
        return STATUS_INVALID_IMAGE_FORMAT;
    Optional = &NtHeaders->OptionalHeader;
    if (NtHeaders->FileHeader.Machine != IMAGE_FILE_MACHINE_I386 || Optional->Magic != IMAGE_NT_OPTIONAL_HDR32_MAGIC ||
        NtHeaders->FileHeader.SizeOfOptionalHeader < sizeof(IMAGE_OPTIONAL_HEADER32) ||
        Optional->NumberOfRvaAndSizes <= IMAGE_DIRECTORY_ENTRY_BASERELOC ||
        (NtHeaders->FileHeader.Characteristics & IMAGE_FILE_EXECUTABLE_IMAGE) == 0 ||
        NtHeaders->FileHeader.NumberOfSections > IMAGE_MAXIMUM_SECTIONS)
        return STATUS_INVALID_IMAGE_FORMAT;
    TableEnd = (ULONGLONG)Lfanew + FIELD_OFFSET(IMAGE_NT_HEADERS32, OptionalHeader) +
               NtHeaders->FileHeader.SizeOfOptionalHeader +
               (ULONGLONG)NtHeaders->FileHeader.NumberOfSections * sizeof(IMAGE_SECTION_HEADER);
    if (TableEnd > Bytes || TableEnd > Optional->SizeOfHeaders || Optional->SizeOfHeaders > FileSize)
        return STATUS_INVALID_IMAGE_FORMAT;
    if (!MI_IS_POWER_OF_TWO(Optional->SectionAlignment) || Optional->SectionAlignment < PAGE_SIZE ||
        !MI_IS_POWER_OF_TWO(Optional->FileAlignment) || Optional->FileAlignment < MI_SECTOR_SIZE ||
        Optional->FileAlignment > MI_MAXIMUM_FILE_ALIGNMENT || Optional->FileAlignment > Optional->SectionAlignment)
        return STATUS_INVALID_IMAGE_FORMAT;
    /* The image must fit user space at its base, its headers and entry point inside it. */
    if ((Optional->ImageBase & (MM_ALLOCATION_GRANULARITY - 1)) != 0 || Optional->ImageBase < MI_LOWEST_USER_ADDRESS ||
        Optional->SizeOfImage == 0 || Optional->ImageBase > MM_HIGHEST_VAD_ADDRESS ||
        MM_HIGHEST_VAD_ADDRESS - Optional->ImageBase < ALIGN_UP_BY((ULONGLONG)Optional->SizeOfImage,
                                                                   Optional->SectionAlignment) - 1 ||
        Optional->SizeOfHeaders > Optional->SizeOfImage || Optional->AddressOfEntryPoint >= Optional->SizeOfImage)
        return STATUS_INVALID_IMAGE_FORMAT;
    *Found = NtHeaders;
    return STATUS_SUCCESS;
}

/*
 * Copies section Index of the table. The table follows an optional header
 * of whatever size the file says, so it may sit at any byte: it is read
 * byte-wise, never through a misaligned IMAGE_SECTION_HEADER pointer.
 */
VOID MiReadImageSection(PIMAGE_NT_HEADERS32 NtHeaders, ULONG Index, PIMAGE_SECTION_HEADER Section)
{
    const UCHAR *Table = (const UCHAR *)&NtHeaders->OptionalHeader + NtHeaders->FileHeader.SizeOfOptionalHeader;

    memcpy(Section, Table + (SIZE_T)Index * sizeof(*Section), sizeof(*Section));
}

/*
 * Checks the section table: each section starts where the last one ended
 * (rounded to SectionAlignment), lies inside the image, and has its raw
 * data file-aligned and inside the file; the last one ends where the image
 * does. The base relocations, when there are any, lie inside the image.
 */
NTSTATUS MiVerifyImageSections(PIMAGE_NT_HEADERS32 NtHeaders, ULONGLONG FileSize)
{
    PIMAGE_OPTIONAL_HEADER32 Optional = &NtHeaders->OptionalHeader;
    PIMAGE_DATA_DIRECTORY Relocations = &Optional->DataDirectory[IMAGE_DIRECTORY_ENTRY_BASERELOC];
    ULONGLONG NextVa = ALIGN_UP_BY((ULONGLONG)Optional->SizeOfHeaders, Optional->SectionAlignment);

    for (ULONG i = 0; i < NtHeaders->FileHeader.NumberOfSections; i++) {
        IMAGE_SECTION_HEADER Section;
        ULONG VirtualSize;

        MiReadImageSection(NtHeaders, i, &Section);
        VirtualSize = Section.Misc.VirtualSize != 0 ? Section.Misc.VirtualSize : Section.SizeOfRawData;
        if (Section.VirtualAddress != NextVa || Section.VirtualAddress > Optional->SizeOfImage ||
            VirtualSize > Optional->SizeOfImage - Section.VirtualAddress)
            return STATUS_INVALID_IMAGE_FORMAT;
        if (Section.SizeOfRawData != 0 &&
            ((Section.PointerToRawData & (Optional->FileAlignment - 1)) != 0 ||
             (ULONGLONG)Section.PointerToRawData + Section.SizeOfRawData > FileSize))
            return STATUS_INVALID_IMAGE_FORMAT;
        NextVa = Section.VirtualAddress + ALIGN_UP_BY((ULONGLONG)VirtualSize, Optional->SectionAlignment);
    }
    if (ALIGN_UP_BY((ULONGLONG)Optional->SizeOfImage, Optional->SectionAlignment) != NextVa)
        return STATUS_INVALID_IMAGE_FORMAT;
    if ((NtHeaders->FileHeader.Characteristics & IMAGE_FILE_RELOCS_STRIPPED) == 0 &&
        (Relocations->VirtualAddress > Optional->SizeOfImage ||
         Relocations->Size > Optional->SizeOfImage - Relocations->VirtualAddress))
        return STATUS_INVALID_IMAGE_FORMAT;
    return STATUS_SUCCESS;
}
