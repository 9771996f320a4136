/* boot_test.c: what boot/ and KiSystemStartup left behind: the loader block, the first page directory, the stack. */
#include "ktest.h"
#include <ke.h>
#include <hal.h>
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
