/*
 * physmem_test.c: the memory-map sanitiser (mm/physmem.c) on crafted maps:
 * overlaps, reserved holes, odd types, duplicates, empty entries, 4 GB, pages
 * cut by the map. Pure, so it runs in the kernel and on the host (make test-host).
 */
#define NTMM_MM_WHITEBOX_TEST
#include "ktest.h"
#include "../../mm/mi.h"
#include <hw/multiboot.h>

#define KB 1024ULL
#define MB (1024 * KB)
#define GB (1024 * MB)
#define AVAILABLE MULTIBOOT_MEMORY_AVAILABLE
#define RESERVED MULTIBOOT_MEMORY_RESERVED

/* Low memory as a PC's BIOS reports it: 639 KB, then the EBDA. */
#define LOW_RAM { 0, 639 * KB, AVAILABLE }
#define LOW_RAM_PAGES 159

static PHYSICAL_MEMORY_DESCRIPTOR Descriptor;

static PFN_NUMBER Build(const LOADER_MEMORY_RANGE *Ranges, ULONG Count)
{
    return MiBuildPhysicalMemoryDescriptor(Ranges, Count, &Descriptor);
}

/* Does run Index cover exactly [First, First + Count) in pages? */
static BOOLEAN RunIs(ULONG Index, PFN_NUMBER First, PFN_NUMBER Count)
{
    return Index < Descriptor.NumberOfRuns && Descriptor.Run[Index].BasePage == First &&
           Descriptor.Run[Index].PageCount == Count;
}

KTEST(physmem, overlapping_available_ranges_merge_into_one_run)
{
    /* The map: 16-80 MB overlaps both 1-32 MB and 64-96 MB, joining them. */
    static const LOADER_MEMORY_RANGE Map[] = {
        LOW_RAM, { 1 * MB, 31 * MB, AVAILABLE }, { 64 * MB, 32 * MB, AVAILABLE }, { 16 * MB, 64 * MB, AVAILABLE },
    };

    KT_EXPECT_EQ(Build(Map, ARRAYSIZE(Map)), 0);
    KT_EXPECT_EQ(Descriptor.NumberOfRuns, 2);
    KT_EXPECT_EQ(Descriptor.NumberOfPages, 24479);
    KT_EXPECT(RunIs(0, 0, LOW_RAM_PAGES));
    KT_EXPECT(RunIs(1, 1 * MB / PAGE_SIZE, 95 * MB / PAGE_SIZE));
}

KTEST(physmem, a_range_covering_several_runs_joins_them_all)
{
    static const LOADER_MEMORY_RANGE Map[] = {
        { 1 * MB, 1 * MB, AVAILABLE }, { 4 * MB, 1 * MB, AVAILABLE }, { 8 * MB, 1 * MB, AVAILABLE },
        { 12 * MB, 1 * MB, AVAILABLE }, { 512 * KB, 16 * MB, AVAILABLE },
    };

    Build(Map, ARRAYSIZE(Map));
    KT_EXPECT_EQ(Descriptor.NumberOfRuns, 1);
    KT_EXPECT(RunIs(0, 512 * KB / PAGE_SIZE, 16 * MB / PAGE_SIZE));
}

KTEST(physmem, reserved_range_inside_available_ram_is_excluded)
{
    static const LOADER_MEMORY_RANGE Map[] = {
        LOW_RAM, { 1 * MB, 127 * MB, AVAILABLE }, { 16 * MB, 1 * MB, RESERVED },
    };
    /* The same map with the reserved entry first: order must not matter. */
    static const LOADER_MEMORY_RANGE Reordered[] = {
        { 16 * MB, 1 * MB, RESERVED }, { 1 * MB, 127 * MB, AVAILABLE }, LOW_RAM,
    };
    const LOADER_MEMORY_RANGE *Maps[] = { Map, Reordered };

    for (ULONG i = 0; i < ARRAYSIZE(Maps); i++) {
        Build(Maps[i], ARRAYSIZE(Map));
        KT_EXPECT_EQ(Descriptor.NumberOfRuns, 3);
        KT_EXPECT(RunIs(0, 0, LOW_RAM_PAGES));
        KT_EXPECT(RunIs(1, 1 * MB / PAGE_SIZE, 15 * MB / PAGE_SIZE));
        KT_EXPECT(RunIs(2, 17 * MB / PAGE_SIZE, 111 * MB / PAGE_SIZE));
        KT_EXPECT_EQ(Descriptor.NumberOfPages, LOW_RAM_PAGES + 126 * MB / PAGE_SIZE);
    }
}

KTEST(physmem, acpi_nvs_bad_and_unknown_types_all_win_over_available)
{
    static const ULONG Types[] = {
        MULTIBOOT_MEMORY_ACPI_RECLAIMABLE, MULTIBOOT_MEMORY_NVS, MULTIBOOT_MEMORY_BADRAM, 0, 6, 0xFFFFFFFF,
    };

    for (ULONG i = 0; i < ARRAYSIZE(Types); i++) {
        LOADER_MEMORY_RANGE Map[] = { { 1 * MB, 8 * MB, AVAILABLE }, { 4 * MB, 4 * KB, Types[i] } };

        Build(Map, ARRAYSIZE(Map));
        KT_EXPECT_EQ(Descriptor.NumberOfRuns, 2);
        KT_EXPECT_EQ(Descriptor.NumberOfPages, 8 * MB / PAGE_SIZE - 1);
        KT_EXPECT(RunIs(1, 4 * MB / PAGE_SIZE + 1, 5 * MB / PAGE_SIZE - 1));
    }
}

KTEST(physmem, adjacent_and_duplicate_entries_count_once)
{
    static const LOADER_MEMORY_RANGE Map[] = {
        { 2 * MB, 1 * MB, AVAILABLE }, { 1 * MB, 1 * MB, AVAILABLE }, { 2 * MB, 1 * MB, AVAILABLE },
        { 3 * MB, 1 * MB, AVAILABLE }, { 1 * MB, 1 * MB, AVAILABLE },
    };

    KT_EXPECT_EQ(Build(Map, ARRAYSIZE(Map)), 0);
    KT_EXPECT_EQ(Descriptor.NumberOfRuns, 1);
    KT_EXPECT(RunIs(0, 1 * MB / PAGE_SIZE, 3 * MB / PAGE_SIZE));
}

KTEST(physmem, zero_length_entries_change_nothing)
{
    /* An empty reserved entry inside RAM cuts nothing; an empty available one in a hole adds nothing. */
    static const LOADER_MEMORY_RANGE Map[] = {
        { 1 * MB, 8 * MB, AVAILABLE }, { 4 * MB, 0, RESERVED }, { 32 * MB, 0, AVAILABLE }, { 0, 0, AVAILABLE },
    };

    Build(Map, ARRAYSIZE(Map));
    KT_EXPECT_EQ(Descriptor.NumberOfRuns, 1);
    KT_EXPECT(RunIs(0, 1 * MB / PAGE_SIZE, 8 * MB / PAGE_SIZE));
    Build(Map, 0);
    KT_EXPECT_EQ(Descriptor.NumberOfRuns, 0);
    KT_EXPECT_EQ(Descriptor.NumberOfPages, 0);
}

KTEST(physmem, ram_is_clipped_at_4_gb)
{
    static const LOADER_MEMORY_RANGE Map[] = {
        { 4 * GB - 1 * MB, 2 * MB, AVAILABLE },        /* crosses 4 GB */
        { 4 * GB, 4 * GB, AVAILABLE },                 /* wholly above */
        { 8 * GB, 1 * MB, RESERVED },
    };
    /* A length that wraps past 2^64 and a reserved entry that crosses 4 GB. */
    static const LOADER_MEMORY_RANGE Wrapping[] = {
        { 3 * GB, ~0ULL, AVAILABLE }, { 4 * GB - 4 * KB, 8 * KB, RESERVED },
    };

    KT_EXPECT_EQ(Build(Map, ARRAYSIZE(Map)), 0);
    KT_EXPECT_EQ(Descriptor.NumberOfRuns, 1);
    KT_EXPECT(RunIs(0, (4 * GB - 1 * MB) / PAGE_SIZE, 1 * MB / PAGE_SIZE));
    KT_EXPECT_EQ(Descriptor.Run[0].BasePage + Descriptor.Run[0].PageCount, 4 * GB / PAGE_SIZE);
    Build(Wrapping, ARRAYSIZE(Wrapping));
    KT_EXPECT_EQ(Descriptor.NumberOfRuns, 1);
    KT_EXPECT(RunIs(0, 3 * GB / PAGE_SIZE, 1 * GB / PAGE_SIZE - 1));
}

KTEST(physmem, pages_only_partly_ram_are_left_out)
{
    /* Unaligned ends round inward; a reserved byte range takes its whole page. */
    static const LOADER_MEMORY_RANGE Map[] = {
        { 0x1800, 0x3000, AVAILABLE },                 /* 0x1800-0x47FF: pages 2 and 3 */
        { 0x10000, 0x10000, AVAILABLE }, { 0x13800, 0x100, RESERVED },
        { 0x30000, 0x800, AVAILABLE },                 /* less than a page */
    };

    Build(Map, ARRAYSIZE(Map));
    KT_EXPECT_EQ(Descriptor.NumberOfRuns, 3);
    KT_EXPECT(RunIs(0, 2, 2));
    KT_EXPECT(RunIs(1, 0x10, 3));
    KT_EXPECT(RunIs(2, 0x14, 0xC));
    KT_EXPECT_EQ(Descriptor.NumberOfPages, 17);
}

KTEST(physmem, runs_past_the_descriptor_are_counted_as_dropped)
{
    LOADER_MEMORY_RANGE Map[MI_MAXIMUM_MEMORY_RUNS + 4];

    /* Listed from the top down: the highest ones are the ones left out. */
    for (ULONG i = 0; i < ARRAYSIZE(Map); i++) {
        Map[i].BaseAddress = (ARRAYSIZE(Map) - i) * 2 * MB;
        Map[i].Length = 1 * MB;
        Map[i].Type = AVAILABLE;
    }
    KT_EXPECT_EQ(Build(Map, ARRAYSIZE(Map)), 4 * MB / PAGE_SIZE);
    KT_EXPECT_EQ(Descriptor.NumberOfRuns, MI_MAXIMUM_MEMORY_RUNS);
    KT_EXPECT_EQ(Descriptor.NumberOfPages, MI_MAXIMUM_MEMORY_RUNS * MB / PAGE_SIZE);
    KT_EXPECT(RunIs(0, 2 * MB / PAGE_SIZE, MB / PAGE_SIZE));
    KT_EXPECT(RunIs(MI_MAXIMUM_MEMORY_RUNS - 1, MI_MAXIMUM_MEMORY_RUNS * 2 * MB / PAGE_SIZE, MB / PAGE_SIZE));
}

KTEST(physmem, the_map_qemu_gives_a_3_gb_machine)
{
    /* QEMU 7.2 -m 3G: the PCI hole from 3 GB moves 1 GB of RAM above 4 GB, out of reach. */
    static const LOADER_MEMORY_RANGE Map[] = {
        { 0, 0x9FC00, AVAILABLE }, { 0x9FC00, 0x400, RESERVED }, { 0xF0000, 0x10000, RESERVED },
        { 1 * MB, 0xBFEE0000 - 1 * MB, AVAILABLE }, { 0xBFEE0000, 0x20000, RESERVED },
        { 0xFFFC0000, 0x40000, RESERVED }, { 4 * GB, 1 * GB, AVAILABLE },
    };

    Build(Map, ARRAYSIZE(Map));
    KT_EXPECT_EQ(Descriptor.NumberOfRuns, 2);
    KT_EXPECT(RunIs(0, 0, LOW_RAM_PAGES));
    KT_EXPECT(RunIs(1, 0x100, 0xBFEE0 - 0x100));
}

#ifndef KTEST_HOST
/* On the machine this boots on: no page that the loader's map calls anything but available is RAM. */
KTEST(physmem, no_page_the_loader_withholds_is_ram)
{
    for (ULONG i = 0; i < KeLoaderBlock.MemoryRangeCount; i++) {
        PLOADER_MEMORY_RANGE Range = &KeLoaderBlock.MemoryRanges[i];
        ULONGLONG End = Range->BaseAddress + Range->Length;

        if (Range->Type == AVAILABLE || Range->Length == 0 || Range->BaseAddress >= 4 * GB)
            continue;
        if (End > 4 * GB || End < Range->BaseAddress)
            End = 4 * GB;
        for (PFN_NUMBER Page = PHYSICAL_TO_PFN(Range->BaseAddress); Page <= PHYSICAL_TO_PFN(End - 1); Page++) {
            if (MiIsPhysicalPage(Page)) {
                KtLog("page %X is RAM inside loader range %u (type %u)", Page, i, Range->Type);
                KT_EXPECT(!MiIsPhysicalPage(Page));
                break;
            }
        }
    }
}
#endif
