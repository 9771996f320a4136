/* hw/multiboot.h: the Multiboot v1 header and information structure (Multiboot spec 0.6.96). */
#ifndef NTMM_HW_MULTIBOOT_H
#define NTMM_HW_MULTIBOOT_H

#define MULTIBOOT_HEADER_MAGIC     0x1BADB002
#define MULTIBOOT_BOOTLOADER_MAGIC 0x2BADB002

#define MULTIBOOT_PAGE_ALIGN  0x00000001 /* modules on page boundaries */
#define MULTIBOOT_MEMORY_INFO 0x00000002 /* mem_* and mmap_* fields wanted */

/* multiboot_info.flags: which fields the loader filled. */
#define MULTIBOOT_INFO_MEMORY  0x00000001
#define MULTIBOOT_INFO_CMDLINE 0x00000004
#define MULTIBOOT_INFO_MODS    0x00000008
#define MULTIBOOT_INFO_MEM_MAP 0x00000040
#define MULTIBOOT_INFO_BOOT_LOADER_NAME 0x00000200

/* Fields of the information structure that boot/ reads before any C runs. */
#define MULTIBOOT_INFO_FLAGS_OFFSET   0
#define MULTIBOOT_INFO_CMDLINE_OFFSET 16

#define MULTIBOOT_MEMORY_AVAILABLE        1
#define MULTIBOOT_MEMORY_RESERVED         2
#define MULTIBOOT_MEMORY_ACPI_RECLAIMABLE 3
#define MULTIBOOT_MEMORY_NVS              4
#define MULTIBOOT_MEMORY_BADRAM           5

#ifndef __ASSEMBLER__
#include <ntdef.h>

typedef struct _MULTIBOOT_INFO {
    ULONG Flags;
    ULONG MemLower, MemUpper;     /* KB below 1 MB, KB above 1 MB */
    ULONG BootDevice;
    ULONG CmdLine;                /* physical address of a NUL-terminated string */
    ULONG ModsCount, ModsAddr;
    ULONG Syms[4];
    ULONG MmapLength, MmapAddr;
    ULONG DrivesLength, DrivesAddr;
    ULONG ConfigTable;
    ULONG BootLoaderName;
    ULONG ApmTable;
} MULTIBOOT_INFO, *PMULTIBOOT_INFO;
_Static_assert(sizeof(MULTIBOOT_INFO) == 72, "multiboot info up to apm_table");
_Static_assert(__builtin_offsetof(MULTIBOOT_INFO, Flags) == MULTIBOOT_INFO_FLAGS_OFFSET, "flags");
_Static_assert(__builtin_offsetof(MULTIBOOT_INFO, CmdLine) == MULTIBOOT_INFO_CMDLINE_OFFSET, "cmdline");

/* A memory-map entry; Size does not count itself, so the next one is at +Size+4. */
#pragma pack(push, 1)
typedef struct _MULTIBOOT_MMAP_ENTRY {
    ULONG Size;
    ULONGLONG BaseAddr;
    ULONGLONG Length;
    ULONG Type;
} MULTIBOOT_MMAP_ENTRY, *PMULTIBOOT_MMAP_ENTRY;
#pragma pack(pop)
_Static_assert(sizeof(MULTIBOOT_MMAP_ENTRY) == 24, "multiboot mmap entry");

typedef struct _MULTIBOOT_MODULE {
    ULONG ModStart, ModEnd;
    ULONG String;
    ULONG Reserved;
} MULTIBOOT_MODULE, *PMULTIBOOT_MODULE;
_Static_assert(sizeof(MULTIBOOT_MODULE) == 16, "multiboot module");

#endif
#endif
