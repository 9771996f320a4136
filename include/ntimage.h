/*
 * ntimage.h: the PE32 image format, as NT's ntimage.h declares it: the DOS
 * header, the NT headers with their optional header, the section table and
 * base relocations, and the constants the memory manager reads (Microsoft
 * PE/COFF specification). Shared by mm/ (image sections) and the tests.
 */
#ifndef NTMM_NTIMAGE_H
#define NTMM_NTIMAGE_H

#include <ntdef.h>

#define IMAGE_DOS_SIGNATURE           0x5A4D      /* "MZ" */
#define IMAGE_NT_SIGNATURE            0x00004550  /* "PE\0\0" */
#define IMAGE_NT_OPTIONAL_HDR32_MAGIC 0x10B
#define IMAGE_FILE_MACHINE_I386       0x014C

/* FileHeader.Characteristics */
#define IMAGE_FILE_RELOCS_STRIPPED    0x0001      /* no base relocations: the image runs only at ImageBase */
#define IMAGE_FILE_EXECUTABLE_IMAGE   0x0002
#define IMAGE_FILE_32BIT_MACHINE      0x0100
#define IMAGE_FILE_DLL                0x2000

#define IMAGE_NUMBEROF_DIRECTORY_ENTRIES 16
#define IMAGE_DIRECTORY_ENTRY_BASERELOC  5
#define IMAGE_SIZEOF_SHORT_NAME          8
#define IMAGE_MAXIMUM_SECTIONS           96       /* the loader's limit (PE/COFF: "up to 96") */

/* Section characteristics: what a section holds and how its pages may be used. */
#define IMAGE_SCN_CNT_CODE               0x00000020
#define IMAGE_SCN_CNT_INITIALIZED_DATA   0x00000040
#define IMAGE_SCN_CNT_UNINITIALIZED_DATA 0x00000080
#define IMAGE_SCN_MEM_DISCARDABLE        0x02000000
#define IMAGE_SCN_MEM_SHARED             0x10000000
#define IMAGE_SCN_MEM_EXECUTE            0x20000000
#define IMAGE_SCN_MEM_READ               0x40000000
#define IMAGE_SCN_MEM_WRITE              0x80000000
#define IMAGE_SCN_MEM_SHIFT              28         /* SHARED, EXECUTE, READ, WRITE as a 4-bit index */

/* Base relocation entries: a 4-bit type over a 12-bit offset in the block's page. */
#define IMAGE_REL_BASED_ABSOLUTE 0
#define IMAGE_REL_BASED_HIGH     1
#define IMAGE_REL_BASED_LOW      2
#define IMAGE_REL_BASED_HIGHLOW  3
#define IMAGE_REL_BASED_TYPE(Entry)   ((USHORT)(Entry) >> 12)
#define IMAGE_REL_BASED_OFFSET(Entry) ((USHORT)(Entry) & 0xFFF)

#pragma pack(push, 2)
typedef struct _IMAGE_DOS_HEADER {
    USHORT e_magic;
    USHORT e_cblp, e_cp, e_crlc, e_cparhdr, e_minalloc, e_maxalloc, e_ss, e_sp, e_csum, e_ip, e_cs, e_lfarlc, e_ovno;
    USHORT e_res[4];
    USHORT e_oemid, e_oeminfo;
    USHORT e_res2[10];
    LONG e_lfanew;                     /* the file offset of the NT headers */
} IMAGE_DOS_HEADER, *PIMAGE_DOS_HEADER;
#pragma pack(pop)

typedef struct _IMAGE_FILE_HEADER {
    USHORT Machine;
    USHORT NumberOfSections;
    ULONG TimeDateStamp;
    ULONG PointerToSymbolTable;
    ULONG NumberOfSymbols;
    USHORT SizeOfOptionalHeader;
    USHORT Characteristics;
} IMAGE_FILE_HEADER, *PIMAGE_FILE_HEADER;

typedef struct _IMAGE_DATA_DIRECTORY {
    ULONG VirtualAddress;
    ULONG Size;
} IMAGE_DATA_DIRECTORY, *PIMAGE_DATA_DIRECTORY;

typedef struct _IMAGE_OPTIONAL_HEADER32 {
    USHORT Magic;
    UCHAR MajorLinkerVersion, MinorLinkerVersion;
    ULONG SizeOfCode, SizeOfInitializedData, SizeOfUninitializedData;
    ULONG AddressOfEntryPoint;
    ULONG BaseOfCode, BaseOfData;
    ULONG ImageBase;
    ULONG SectionAlignment, FileAlignment;
    USHORT MajorOperatingSystemVersion, MinorOperatingSystemVersion;
    USHORT MajorImageVersion, MinorImageVersion;
    USHORT MajorSubsystemVersion, MinorSubsystemVersion;
    ULONG Win32VersionValue;
    ULONG SizeOfImage, SizeOfHeaders;
    ULONG CheckSum;
    USHORT Subsystem, DllCharacteristics;
    ULONG SizeOfStackReserve, SizeOfStackCommit, SizeOfHeapReserve, SizeOfHeapCommit;
    ULONG LoaderFlags;
    ULONG NumberOfRvaAndSizes;
    IMAGE_DATA_DIRECTORY DataDirectory[IMAGE_NUMBEROF_DIRECTORY_ENTRIES];
} IMAGE_OPTIONAL_HEADER32, *PIMAGE_OPTIONAL_HEADER32;

typedef struct _IMAGE_NT_HEADERS32 {
    ULONG Signature;
    IMAGE_FILE_HEADER FileHeader;
    IMAGE_OPTIONAL_HEADER32 OptionalHeader;
} IMAGE_NT_HEADERS32, *PIMAGE_NT_HEADERS32;

typedef struct _IMAGE_SECTION_HEADER {
    UCHAR Name[IMAGE_SIZEOF_SHORT_NAME];
    union {
        ULONG PhysicalAddress;
        ULONG VirtualSize;
    } Misc;
    ULONG VirtualAddress;
    ULONG SizeOfRawData;
    ULONG PointerToRawData;
    ULONG PointerToRelocations, PointerToLinenumbers;
    USHORT NumberOfRelocations, NumberOfLinenumbers;
    ULONG Characteristics;
} IMAGE_SECTION_HEADER, *PIMAGE_SECTION_HEADER;

/* A block of base relocations: one page's RVA, then (SizeOfBlock - 8) / 2 USHORT entries. */
typedef struct _IMAGE_BASE_RELOCATION {
    ULONG VirtualAddress;
    ULONG SizeOfBlock;
} IMAGE_BASE_RELOCATION, *PIMAGE_BASE_RELOCATION;

_Static_assert(sizeof(IMAGE_DOS_HEADER) == 64 && sizeof(IMAGE_FILE_HEADER) == 20 &&
                   sizeof(IMAGE_OPTIONAL_HEADER32) == 224 && sizeof(IMAGE_NT_HEADERS32) == 248 &&
                   sizeof(IMAGE_SECTION_HEADER) == 40 && sizeof(IMAGE_BASE_RELOCATION) == 8,
               "the PE32 structures' sizes");

/* The section table follows the optional header, however large the file says that is. */
#define IMAGE_FIRST_SECTION(NtHeaders)                                                             \
    ((PIMAGE_SECTION_HEADER)((PUCHAR)&(NtHeaders)->OptionalHeader +                                \
                             (NtHeaders)->FileHeader.SizeOfOptionalHeader))

#endif
