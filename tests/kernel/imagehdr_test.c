/*
 * imagehdr_test.c: the checks of a PE image's headers (mm/imagehdr.c) on headers built here.
 * Pure, so it runs in the kernel and on the host (make test-host), where the sanitizers see how
 * the headers are read; image_test.c maps real images.
 */
#define NTMM_MM_WHITEBOX_TEST
#include "ktest.h"
#include "../../mm/mi.h"
#include <ntimage.h>
#include <string.h>

#define IMAGE_BYTES 0x400
#define IMAGE_LFANEW 0x40

/*
 * A one-section image: headers in the first 512 bytes, its one section's 512 bytes of code at
 * 0x1000 from file offset 0x200; an optional header ExtraOptional bytes longer than the
 * structure, so the section table follows at whatever offset that gives.
 */
static VOID BuildImage(PUCHAR Image, ULONG ExtraOptional, PIMAGE_NT_HEADERS32 *NtHeaders)
{
    IMAGE_DOS_HEADER *Dos = (IMAGE_DOS_HEADER *)Image;
    PIMAGE_NT_HEADERS32 Nt = (PIMAGE_NT_HEADERS32)(Image + IMAGE_LFANEW);
    IMAGE_SECTION_HEADER Section;

    memset(Image, 0, IMAGE_BYTES);
    Dos->e_magic = IMAGE_DOS_SIGNATURE;
    Dos->e_lfanew = IMAGE_LFANEW;
    Nt->Signature = IMAGE_NT_SIGNATURE;
    Nt->FileHeader.Machine = IMAGE_FILE_MACHINE_I386;
    Nt->FileHeader.NumberOfSections = 1;
    Nt->FileHeader.SizeOfOptionalHeader = (USHORT)(sizeof(IMAGE_OPTIONAL_HEADER32) + ExtraOptional);
    Nt->FileHeader.Characteristics = IMAGE_FILE_EXECUTABLE_IMAGE | IMAGE_FILE_RELOCS_STRIPPED;
    Nt->OptionalHeader.Magic = IMAGE_NT_OPTIONAL_HDR32_MAGIC;
    Nt->OptionalHeader.ImageBase = 0x400000;
    Nt->OptionalHeader.SectionAlignment = PAGE_SIZE;
    Nt->OptionalHeader.FileAlignment = 0x200;
    Nt->OptionalHeader.SizeOfImage = 2 * PAGE_SIZE;
    Nt->OptionalHeader.SizeOfHeaders = 0x200;
    Nt->OptionalHeader.AddressOfEntryPoint = PAGE_SIZE;
    Nt->OptionalHeader.NumberOfRvaAndSizes = IMAGE_NUMBEROF_DIRECTORY_ENTRIES;
    memset(&Section, 0, sizeof(Section));
    memcpy(Section.Name, ".text", 5);
    Section.Misc.VirtualSize = 0x200;
    Section.VirtualAddress = PAGE_SIZE;
    Section.SizeOfRawData = 0x200;
    Section.PointerToRawData = 0x200;
    Section.Characteristics = IMAGE_SCN_CNT_CODE | IMAGE_SCN_MEM_EXECUTE | IMAGE_SCN_MEM_READ;
    memcpy((PUCHAR)&Nt->OptionalHeader + Nt->FileHeader.SizeOfOptionalHeader, &Section, sizeof(Section));
    *NtHeaders = Nt;
}

KTEST(imagehdr, a_well_formed_image_is_accepted)
{
    static UCHAR Image[IMAGE_BYTES] __attribute__((aligned(8)));
    PIMAGE_NT_HEADERS32 Built, Found = NULL;

    BuildImage(Image, 0, &Built);
    KT_EXPECT_EQ(MiVerifyImageHeader(Image, IMAGE_BYTES, IMAGE_BYTES, &Found), STATUS_SUCCESS);
    KT_EXPECT_EQ((ULONG_PTR)Found, (ULONG_PTR)Built);
    KT_EXPECT_EQ(MiVerifyImageSections(Found, IMAGE_BYTES), STATUS_SUCCESS);
    /* Its section's raw data one byte past the file. */
    KT_EXPECT_EQ(MiVerifyImageSections(Found, IMAGE_BYTES - 1), STATUS_INVALID_IMAGE_FORMAT);
}

/*
 * An optional header of an odd size puts the section table at an odd offset: it is read byte-wise,
 * as x86 NT reads it, and accepted (found by make fuzz FUZZ=image: UBSan stopped a misaligned
 * IMAGE_SECTION_HEADER access).
 */
KTEST(imagehdr, a_section_table_at_any_offset_is_read)
{
    static UCHAR Image[IMAGE_BYTES] __attribute__((aligned(8)));
    PIMAGE_NT_HEADERS32 Built, Found = NULL;
    IMAGE_SECTION_HEADER Section;

    for (ULONG Extra = 1; Extra < sizeof(ULONG); Extra++) {
        BuildImage(Image, Extra, &Built);
        KT_EXPECT_EQ(MiVerifyImageHeader(Image, IMAGE_BYTES, IMAGE_BYTES, &Found), STATUS_SUCCESS);
        KT_EXPECT_EQ(MiVerifyImageSections(Found, IMAGE_BYTES), STATUS_SUCCESS);
        MiReadImageSection(Found, 0, &Section);
        KT_EXPECT_EQ(Section.VirtualAddress, PAGE_SIZE);
        KT_EXPECT_EQ(Section.PointerToRawData, 0x200);
    }
}
