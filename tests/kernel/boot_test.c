/* boot_test.c: what boot/ and KiSystemStartup left behind: the loader block, the first page directory, the stack. */
#define NTMM_MM_WHITEBOX_TEST
#include "ktest.h"
#include "../../mm/mi.h"
#include <ke.h>
#include <hal.h>
#include <kprintf.h>
#include <mmlayout.h>
#include <hw/multiboot.h>
#include <string.h>

KTEST(boot, loader_block_has_the_memory_map_and_command_line)
{
    ULONGLONG Available = 0;

    KT_ASSERT(KeLoaderBlock.MemoryRangeCount > 0);
    for (ULONG i = 0; i < KeLoaderBlock.MemoryRangeCount; i++) {
        if (KeLoaderBlock.MemoryRanges[i].Type == MULTIBOOT_MEMORY_AVAILABLE)
            Available += KeLoaderBlock.MemoryRanges[i].Length;
    }
    /* The map and the legacy mem_upper field describe the same RAM above 1 MB, roughly. */
    KT_EXPECT(Available >= (ULONGLONG)KeLoaderBlock.MemUpperKb * 1024);
    KT_EXPECT(KeCommandLineHasOption("ktest", NULL));
    KT_EXPECT(!KeCommandLineHasOption("kte", NULL));
}

KTEST(boot, identity_mapping_is_gone_and_the_self_map_is_in_place)
{
    PULONG PageDirectory = (PULONG)PDE_BASE;

    for (ULONG Pde = 0; Pde < BOOT_MAPPED_SIZE / PDE_MAPPED_SIZE; Pde++)
        KT_EXPECT_EQ(KiBootPageDirectory[Pde] & PTE_VALID, 0);
    KT_EXPECT_EQ(KiBootPageDirectory[PDE_SELFMAP_INDEX] & PTE_FRAME_MASK, KiReadCr3() & PTE_FRAME_MASK);
    /* Through the self-map, the directory is readable at PDE_BASE (the CPU may set Accessed). */
    KT_EXPECT_EQ(PageDirectory[PDE_SELFMAP_INDEX] & PTE_FRAME_MASK, KiReadCr3() & PTE_FRAME_MASK);
    KT_EXPECT_EQ(PageDirectory[KSEG0_BASE >> PDE_SHIFT] & PTE_VALID, PTE_VALID);
}

KTEST(boot, kernel_runs_on_the_boot_stack)
{
    ULONG_PTR Here = (ULONG_PTR)__builtin_frame_address(0);

    KT_EXPECT(Here > KiPcr.StackLimit && Here < KiPcr.StackBase);
    KT_EXPECT_EQ(KiPcr.StackBase - KiPcr.StackLimit, KERNEL_STACK_SIZE);
    KT_EXPECT_EQ((ULONG_PTR)KiBootStackGuard + PAGE_SIZE, (ULONG_PTR)KiBootStackLimit);
}

KTEST(boot, symbol_table_names_kernel_functions)
{
    ULONG_PTR Offset = 99;
    PCSTR Name = KiSymbolFromAddress((ULONG_PTR)KeBugCheckEx, &Offset);

    KT_ASSERT(Name != NULL);
    KT_EXPECT(strcmp(Name, "KeBugCheckEx") == 0);
    KT_EXPECT_EQ(Offset, 0);
    Name = KiSymbolFromAddress((ULONG_PTR)KiDispatchTrap + 3, &Offset);
    KT_ASSERT(Name != NULL);
    KT_EXPECT(strcmp(Name, "KiDispatchTrap") == 0);
    KT_EXPECT_EQ(Offset, 3);
    KT_EXPECT(KiSymbolFromAddress((ULONG_PTR)&KeLoaderBlock, &Offset) == NULL);
}

KTEST(boot, clock_ticks)
{
    ULONGLONG Start = KeTickCount;
    LARGE_INTEGER Now;

    for (ULONG Spin = 0; Spin < 200000000 && KeTickCount < Start + 2; Spin++)
        __halt();
    KeQueryTickCount(&Now);
    KT_EXPECT((ULONGLONG)Now.QuadPart >= Start + 2);
    KT_EXPECT_EQ(KeQueryTimeIncrement(), 100000);
}

/*
 * A crafted multiboot information, in the image's data: the boot mapping
 * reaches it by its physical address, as it reaches a loader's.
 */
static MULTIBOOT_INFO CraftedInfo;
static MULTIBOOT_MMAP_ENTRY CraftedMap[1];
static MULTIBOOT_MODULE CraftedModules[LOADER_MAXIMUM_MODULES + 1];
static LOADER_PARAMETER_BLOCK CraftedBlock;

static NTSTATUS CopyCraftedInfo(ULONG Flags)
{
    CraftedInfo.Flags = Flags;
    memset(&CraftedBlock, 0, sizeof(CraftedBlock));
    return KiCopyLoaderBlock(MmGetPhysicalAddress(&CraftedInfo).LowPart, &CraftedBlock);
}

KTEST(boot, loader_block_without_a_memory_map_takes_mem_lower_and_mem_upper)
{
    static PHYSICAL_MEMORY_DESCRIPTOR Descriptor;

    memset(&CraftedInfo, 0, sizeof(CraftedInfo));
    CraftedInfo.MemLower = 639;
    CraftedInfo.MemUpper = 127 * 1024;
    KT_EXPECT_EQ(CopyCraftedInfo(MULTIBOOT_INFO_MEMORY), STATUS_SUCCESS);
    KT_ASSERT_EQ(CraftedBlock.MemoryRangeCount, 2);
    KT_EXPECT(CraftedBlock.MemoryRangesFromSizes);
    KT_EXPECT_EQ(CraftedBlock.MemoryRanges[0].BaseAddress, 0);
    KT_EXPECT_EQ(CraftedBlock.MemoryRanges[0].Length, 639 * 1024);
    KT_EXPECT_EQ(CraftedBlock.MemoryRanges[1].BaseAddress, 0x100000);
    KT_EXPECT_EQ(CraftedBlock.MemoryRanges[1].Length, 127 * 1024 * 1024);
    KT_EXPECT_EQ(CraftedBlock.MemoryRanges[1].Type, MULTIBOOT_MEMORY_AVAILABLE);
    /* What the memory manager would keep: 159 pages below 640 KB and 127 MB above 1 MB. */
    KT_EXPECT_EQ(MiBuildPhysicalMemoryDescriptor(CraftedBlock.MemoryRanges, CraftedBlock.MemoryRangeCount,
                                                 &Descriptor), 0);
    KT_EXPECT_EQ(Descriptor.NumberOfRuns, 2);
    KT_EXPECT_EQ(Descriptor.NumberOfPages, 159 + 127 * 256);

    /* A map the boot mapping cannot reach is no map either. */
    CraftedInfo.MmapAddr = 0xFFFFF000;
    CraftedInfo.MmapLength = sizeof(CraftedMap);
    KT_EXPECT_EQ(CopyCraftedInfo(MULTIBOOT_INFO_MEMORY | MULTIBOOT_INFO_MEM_MAP), STATUS_SUCCESS);
    KT_EXPECT_EQ(CraftedBlock.MemoryRangeCount, 2);
    KT_EXPECT(CraftedBlock.MemoryRangesFromSizes);

    /* Neither a map nor the sizes: no RAM, which MmInitSystem stops on (INSTALL_MORE_MEMORY). */
    KT_EXPECT_EQ(CopyCraftedInfo(0), STATUS_SUCCESS);
    KT_EXPECT_EQ(CraftedBlock.MemoryRangeCount, 0);
}

KTEST(boot, loader_block_prefers_the_memory_map_to_the_sizes)
{
    memset(&CraftedInfo, 0, sizeof(CraftedInfo));
    CraftedInfo.MemLower = 639;
    CraftedInfo.MemUpper = 127 * 1024;
    CraftedMap[0].Size = sizeof(CraftedMap[0]) - sizeof(CraftedMap[0].Size);
    CraftedMap[0].BaseAddr = 0x100000;
    CraftedMap[0].Length = 0x300000;
    CraftedMap[0].Type = MULTIBOOT_MEMORY_AVAILABLE;
    CraftedInfo.MmapAddr = MmGetPhysicalAddress(CraftedMap).LowPart;
    CraftedInfo.MmapLength = sizeof(CraftedMap);
    KT_EXPECT_EQ(CopyCraftedInfo(MULTIBOOT_INFO_MEMORY | MULTIBOOT_INFO_MEM_MAP), STATUS_SUCCESS);
    KT_ASSERT_EQ(CraftedBlock.MemoryRangeCount, 1);
    KT_EXPECT(!CraftedBlock.MemoryRangesFromSizes);
    KT_EXPECT_EQ(CraftedBlock.MemoryRanges[0].Length, 0x300000);
}

KTEST(boot, loader_block_records_every_module_or_fails)
{
    memset(&CraftedInfo, 0, sizeof(CraftedInfo));
    for (ULONG i = 0; i < ARRAYSIZE(CraftedModules); i++) {
        CraftedModules[i].ModStart = 0x200000 + i * 0x10000;
        CraftedModules[i].ModEnd = CraftedModules[i].ModStart + 0x1800;
    }
    CraftedInfo.ModsAddr = MmGetPhysicalAddress(CraftedModules).LowPart;
    CraftedInfo.ModsCount = LOADER_MAXIMUM_MODULES;
    KT_EXPECT_EQ(CopyCraftedInfo(MULTIBOOT_INFO_MODS), STATUS_SUCCESS);
    KT_ASSERT_EQ(CraftedBlock.ModuleCount, LOADER_MAXIMUM_MODULES);
    KT_EXPECT_EQ(CraftedBlock.Modules[LOADER_MAXIMUM_MODULES - 1].PhysicalStart,
                 CraftedModules[LOADER_MAXIMUM_MODULES - 1].ModStart);
    KT_EXPECT_EQ(CraftedBlock.Modules[LOADER_MAXIMUM_MODULES - 1].PhysicalEnd,
                 CraftedModules[LOADER_MAXIMUM_MODULES - 1].ModEnd);

    /* One more than the block holds, or a count whose list size wraps: none recorded, and a failure. */
    CraftedInfo.ModsCount = LOADER_MAXIMUM_MODULES + 1;
    KT_EXPECT_EQ(CopyCraftedInfo(MULTIBOOT_INFO_MODS), STATUS_BUFFER_TOO_SMALL);
    KT_EXPECT_EQ(CraftedBlock.ModuleCount, 0);
    CraftedInfo.ModsCount = 0x10000001;
    KT_EXPECT_EQ(CopyCraftedInfo(MULTIBOOT_INFO_MODS), STATUS_BUFFER_TOO_SMALL);
    /* A list the boot mapping cannot reach. */
    CraftedInfo.ModsCount = 2;
    CraftedInfo.ModsAddr = 0xFFFFF000;
    KT_EXPECT_EQ(CopyCraftedInfo(MULTIBOOT_INFO_MODS), STATUS_INVALID_PARAMETER);
    KT_EXPECT_EQ(CraftedBlock.ModuleCount, 0);
    /* No modules flag: the count is not read. */
    KT_EXPECT_EQ(CopyCraftedInfo(0), STATUS_SUCCESS);
}

/* A map longer than the block: one big RAM range, 63 small ones, then holes in the big one. */
static MULTIBOOT_MMAP_ENTRY CraftedLongMap[LOADER_MAXIMUM_MEMORY_RANGES + 4];

static VOID SetCraftedEntry(ULONG Index, ULONGLONG Base, ULONGLONG Length, ULONG Type)
{
    CraftedLongMap[Index].Size = sizeof(CraftedLongMap[Index]) - sizeof(CraftedLongMap[Index].Size);
    CraftedLongMap[Index].BaseAddr = Base;
    CraftedLongMap[Index].Length = Length;
    CraftedLongMap[Index].Type = Type;
}

/* Is any page of [Base, Base + Length) RAM in Descriptor? */
static BOOLEAN DescriptorHasRam(const PHYSICAL_MEMORY_DESCRIPTOR *Descriptor, ULONGLONG Base, ULONGLONG Length)
{
    for (ULONG i = 0; i < Descriptor->NumberOfRuns; i++) {
        ULONGLONG RunBase = PFN_TO_PHYSICAL(Descriptor->Run[i].BasePage);
        ULONGLONG RunEnd = PFN_TO_PHYSICAL(Descriptor->Run[i].BasePage + Descriptor->Run[i].PageCount);

        if (RunBase < Base + Length && Base < RunEnd)
            return TRUE;
    }
    return FALSE;
}

/*
 * Past LOADER_MAXIMUM_MEMORY_RANGES entries only RAM may be lost: a
 * reserved range that comes late must still keep its bytes out of the RAM
 * an earlier entry named, and an empty entry takes no room.
 */
KTEST(boot, a_memory_map_longer_than_the_block_loses_ram_never_a_hole)
{
    static PHYSICAL_MEMORY_DESCRIPTOR Descriptor;
    ULONG Count = 0;

    memset(&CraftedInfo, 0, sizeof(CraftedInfo));
    SetCraftedEntry(Count++, 0x100000, 63 * 0x100000, MULTIBOOT_MEMORY_AVAILABLE);     /* 1 MB - 64 MB */
    SetCraftedEntry(Count++, 0x3000000, 0, MULTIBOOT_MEMORY_RESERVED);                /* empty */
    while (Count < LOADER_MAXIMUM_MEMORY_RANGES + 1)
        SetCraftedEntry(Count, 0x10000000 + Count * 0x10000, PAGE_SIZE, MULTIBOOT_MEMORY_AVAILABLE), Count++;
    SetCraftedEntry(Count++, 0x1000000, 0x100000, MULTIBOOT_MEMORY_RESERVED);         /* 16 MB, inside the first */
    SetCraftedEntry(Count++, 0x20000000, 0x400000, MULTIBOOT_MEMORY_AVAILABLE);       /* 512 MB: no room */
    SetCraftedEntry(Count++, 0x3C00000, 0x1000000, MULTIBOOT_MEMORY_NVS);             /* 60 MB, over the first's end */
    CraftedInfo.MmapAddr = MmGetPhysicalAddress(CraftedLongMap).LowPart;
    CraftedInfo.MmapLength = Count * sizeof(CraftedLongMap[0]);
    KT_EXPECT_EQ(CopyCraftedInfo(MULTIBOOT_INFO_MEM_MAP), STATUS_SUCCESS);
    KT_EXPECT_EQ(CraftedBlock.MemoryRangeCount, LOADER_MAXIMUM_MEMORY_RANGES);
    KT_EXPECT_EQ(CraftedBlock.MemoryRangesLeftOut, 3);
    MiBuildPhysicalMemoryDescriptor(CraftedBlock.MemoryRanges, CraftedBlock.MemoryRangeCount, &Descriptor);
    KT_EXPECT(!DescriptorHasRam(&Descriptor, 0x1000000, 0x100000));
    KT_EXPECT(!DescriptorHasRam(&Descriptor, 0x3C00000, 0x1000000));
    KT_EXPECT(!DescriptorHasRam(&Descriptor, 0x20000000, 0x400000));
    /* What is left of the first range is still RAM, and so are the small ones. */
    KT_EXPECT(DescriptorHasRam(&Descriptor, 0x1100000, 0x2B00000));
    KT_EXPECT(DescriptorHasRam(&Descriptor, 0x10000000, 0x1000000));

    /* An entry whose size field would step back or past the map ends it, rather than be read again and again. */
    SetCraftedEntry(0, 0x100000, 0x300000, MULTIBOOT_MEMORY_AVAILABLE);
    CraftedLongMap[0].Size = 0xFFFFFFFC;
    CraftedInfo.MmapLength = sizeof(CraftedLongMap);
    KT_EXPECT_EQ(CopyCraftedInfo(MULTIBOOT_INFO_MEM_MAP), STATUS_SUCCESS);
    KT_EXPECT_EQ(CraftedBlock.MemoryRangeCount, 0);
    CraftedLongMap[0].Size = 0;
    KT_EXPECT_EQ(CopyCraftedInfo(MULTIBOOT_INFO_MEM_MAP), STATUS_SUCCESS);
    KT_EXPECT_EQ(CraftedBlock.MemoryRangeCount, 0);
}

/*
 * The loader's modules, on the machine this boots on: every page of each is
 * in use (never on a free list), and what tests/run.py loads ("ntmm module I
 * of N" at the start of module I) is still there after every suite ran.
 */
KTEST(boot, every_loader_module_is_reserved_and_intact)
{
    static const char Prefix[] = "ntmm module ";
    ULONG Marked = 0;

    if (KeLoaderBlock.ModuleCount == 0)
        KT_SKIP("no loader modules (tests/run.py boots a machine with some)");
    for (ULONG i = 0; i < KeLoaderBlock.ModuleCount; i++) {
        PLOADER_MODULE Module = &KeLoaderBlock.Modules[i];
        PFN_NUMBER First = PHYSICAL_TO_PFN(Module->PhysicalStart);
        PFN_NUMBER End = BYTES_TO_PAGES(Module->PhysicalEnd);
        PHYSICAL_ADDRESS Address;
        CHAR Expected[32];
        PCHAR Text;
        ULONG Length;

        for (PFN_NUMBER Page = First; Page < End; Page++) {
            if (!MiIsPhysicalPage(Page))
                continue;
            KT_EXPECT_EQ(MI_PFN_ELEMENT(Page)->u3.e2.e1.PageLocation, ActiveAndValid);
            KT_EXPECT_NE(MI_PFN_ELEMENT(Page)->u3.e2.ReferenceCount, 0);
        }
        if (Module->PhysicalEnd - Module->PhysicalStart < sizeof(Expected))
            continue;
        Length = ksnprintf(Expected, sizeof(Expected), "%s%u of %u\n", Prefix, i + 1, KeLoaderBlock.ModuleCount);
        Address.QuadPart = Module->PhysicalStart;
        Text = MmMapIoSpace(Address, Length, MmCached);
        KT_ASSERT(Text != NULL);
        if (memcmp(Text, Prefix, sizeof(Prefix) - 1) == 0) {
            Marked++;
            KT_EXPECT(memcmp(Text, Expected, Length) == 0);
        }
        MmUnmapIoSpace(Text, Length);
    }
    KtLog("%u modules, %u of them marked by tests/run.py", KeLoaderBlock.ModuleCount, Marked);
}
