/* mminit.c: memory manager start-up and the state a normal boot prints. */
#include <mm.h>
#include <hw/multiboot.h>

static PCSTR MiMemoryTypeName(ULONG Type)
{
    switch (Type) {
    case MULTIBOOT_MEMORY_AVAILABLE: return "available";
    case MULTIBOOT_MEMORY_RESERVED: return "reserved";
    case MULTIBOOT_MEMORY_ACPI_RECLAIMABLE: return "ACPI reclaimable";
    case MULTIBOOT_MEMORY_NVS: return "ACPI NVS";
    case MULTIBOOT_MEMORY_BADRAM: return "bad";
    }
    return "unknown";
}

VOID MmInitSystem(VOID)
{
    DbgPrint("memory map (%u ranges):\n", KeLoaderBlock.MemoryRangeCount);
    for (ULONG i = 0; i < KeLoaderBlock.MemoryRangeCount; i++) {
        PLOADER_MEMORY_RANGE Range = &KeLoaderBlock.MemoryRanges[i];

        DbgPrint("  %016llX-%016llX %s\n", Range->BaseAddress,
                 Range->BaseAddress + Range->Length - 1, MiMemoryTypeName(Range->Type));
    }
}

VOID MmDumpSystemState(VOID)
{
}
