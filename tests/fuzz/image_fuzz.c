/*
 * image_fuzz.c: libFuzzer target for the checks of a PE image's headers (mm/imagehdr.c): the
 * input is the file, read as MiCreateImageFileMap reads it: its first two pages at most, here in a
 * buffer of exactly the bytes read, so AddressSanitizer sees a byte read past them. Nothing may fault
 * or overflow; and every image accepted must satisfy, re-checked here in 64-bit arithmetic, what
 * creasect.c's mapper relies on:
 *   - the NT headers and the section table lie in the bytes read, and in the headers' size,
 *     which lies in the file and in the image;
 *   - the image fits user space at a base on a 64 KB boundary, its entry point inside it;
 *   - SectionAlignment is a power of two of at least a page, FileAlignment one from a sector to
 *     64 KB and no more than it;
 *   - each section starts on SectionAlignment, after the headers and the section before it
 *     (rounded up), ends inside the image, and its raw data is file-aligned and inside the file;
 *     the last one ends where the image does, so the segment's PTEs cover every section exactly;
 *   - base relocations, unless stripped, lie inside the image.
 */
#define NTMM_MM_WHITEBOX_TEST
#include "fuzz.h"
#include "../../mm/mi.h"
#include <ntimage.h>
#include <string.h>

#define HEADER_BYTES (2 * PAGE_SIZE)      /* creasect.c's MI_IMAGE_HEADER_BYTES */
#define SECTOR_SIZE 512

static ULONGLONG AlignUp(ULONGLONG Value, ULONGLONG Alignment)
{
    return (Value + Alignment - 1) / Alignment * Alignment;
}

static BOOLEAN PowerOfTwo(ULONGLONG Value)
{
    return Value != 0 && (Value & (Value - 1)) == 0;
}

static VOID CheckAccepted(const UCHAR *Header, ULONG Bytes, ULONGLONG FileSize, PIMAGE_NT_HEADERS32 NtHeaders)
{
    const IMAGE_DOS_HEADER *Dos = (const IMAGE_DOS_HEADER *)Header;
    PIMAGE_OPTIONAL_HEADER32 Optional = &NtHeaders->OptionalHeader;
    ULONGLONG Lfanew = (ULONG)Dos->e_lfanew, TableStart, TableEnd, Image, NextVa;

    FUZZ_CHECK((const UCHAR *)NtHeaders == Header + Lfanew);
    FUZZ_CHECK(Lfanew + sizeof(IMAGE_NT_HEADERS32) <= Bytes);
    FUZZ_CHECK(NtHeaders->FileHeader.SizeOfOptionalHeader >= sizeof(IMAGE_OPTIONAL_HEADER32));
    FUZZ_CHECK(Optional->NumberOfRvaAndSizes > IMAGE_DIRECTORY_ENTRY_BASERELOC);
    TableStart = Lfanew + FIELD_OFFSET(IMAGE_NT_HEADERS32, OptionalHeader) + NtHeaders->FileHeader.SizeOfOptionalHeader;
    TableEnd = TableStart + (ULONGLONG)NtHeaders->FileHeader.NumberOfSections * sizeof(IMAGE_SECTION_HEADER);
    FUZZ_CHECK(TableEnd <= Bytes && TableEnd <= Optional->SizeOfHeaders && Optional->SizeOfHeaders <= FileSize);

    FUZZ_CHECK(PowerOfTwo(Optional->SectionAlignment) && Optional->SectionAlignment >= PAGE_SIZE);
    FUZZ_CHECK(PowerOfTwo(Optional->FileAlignment) && Optional->FileAlignment >= SECTOR_SIZE &&
               Optional->FileAlignment <= 0x10000 && Optional->FileAlignment <= Optional->SectionAlignment);

    Image = AlignUp(Optional->SizeOfImage, Optional->SectionAlignment);
    FUZZ_CHECK(Optional->SizeOfImage != 0 && Optional->ImageBase % MM_ALLOCATION_GRANULARITY == 0);
    FUZZ_CHECK(Optional->ImageBase >= MI_LOWEST_USER_ADDRESS);
    FUZZ_CHECK((ULONGLONG)Optional->ImageBase + Image - 1 <= MM_HIGHEST_VAD_ADDRESS);
    FUZZ_CHECK(Optional->SizeOfHeaders <= Optional->SizeOfImage);
    FUZZ_CHECK(Optional->AddressOfEntryPoint < Optional->SizeOfImage);

    NextVa = AlignUp(Optional->SizeOfHeaders, Optional->SectionAlignment);
    for (ULONG i = 0; i < NtHeaders->FileHeader.NumberOfSections; i++) {
        IMAGE_SECTION_HEADER Entry, *Section = &Entry;     /* the table may sit at any byte */
        ULONGLONG VirtualSize;

        memcpy(&Entry, Header + TableStart + i * sizeof(Entry), sizeof(Entry));
        VirtualSize = Section->Misc.VirtualSize != 0 ? Section->Misc.VirtualSize : Section->SizeOfRawData;

        FUZZ_CHECK(Section->VirtualAddress % Optional->SectionAlignment == 0);
        FUZZ_CHECK(Section->VirtualAddress >= NextVa);
        FUZZ_CHECK(Section->VirtualAddress + VirtualSize <= Optional->SizeOfImage);
        if (Section->SizeOfRawData != 0) {
            FUZZ_CHECK(Section->PointerToRawData % Optional->FileAlignment == 0);
            FUZZ_CHECK((ULONGLONG)Section->PointerToRawData + Section->SizeOfRawData <= FileSize);
        }
        NextVa = Section->VirtualAddress + AlignUp(VirtualSize, Optional->SectionAlignment);
        /* The section's prototype PTEs, and its sectors, are within the segment's and a ULONG's. */
        FUZZ_CHECK(NextVa <= Image);
    }
    FUZZ_CHECK(NextVa == Image);
    if ((NtHeaders->FileHeader.Characteristics & IMAGE_FILE_RELOCS_STRIPPED) == 0) {
        PIMAGE_DATA_DIRECTORY Relocations = &Optional->DataDirectory[IMAGE_DIRECTORY_ENTRY_BASERELOC];

        FUZZ_CHECK((ULONGLONG)Relocations->VirtualAddress + Relocations->Size <= Optional->SizeOfImage);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size)
{
    ULONG Bytes = Size < HEADER_BYTES ? (ULONG)Size : HEADER_BYTES;
    PUCHAR Header;
    PIMAGE_NT_HEADERS32 NtHeaders = NULL;
    NTSTATUS Status;

    /* MiCreateImageFileMap refuses a file shorter than a DOS header before it reads anything. */
    if (Bytes < sizeof(IMAGE_DOS_HEADER))
        return 0;
    Header = malloc(Bytes);
    FUZZ_CHECK(Header != NULL);
    memcpy(Header, Data, Bytes);
    Status = MiVerifyImageHeader(Header, Bytes, Size, &NtHeaders);
    if (NT_SUCCESS(Status))
        Status = MiVerifyImageSections(NtHeaders, Size);
    FUZZ_CHECK(NT_SUCCESS(Status) || Status == STATUS_INVALID_IMAGE_FORMAT || Status == STATUS_INVALID_IMAGE_NOT_MZ ||
               Status == STATUS_INVALID_IMAGE_PROTECT);
    if (NT_SUCCESS(Status))
        CheckAccepted(Header, Bytes, Size, NtHeaders);
    free(Header);
    return 0;
}
