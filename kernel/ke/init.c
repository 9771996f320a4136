/*
 * init.c: KiSystemStartup, the first C code. It copies what the loader left
 * in low memory into KeLoaderBlock, drops the identity mapping boot/ made,
 * brings up the processor structures, the memory manager and the clock, and
 * then either runs the self-tests (a "ktest=" command line) or ends in the
 * kd> shell (kernel/kd), whose wait for input is the idle loop.
 */
#include <ke.h>
#include <hal.h>
#include <mm.h>
#include <ex.h>
#include <io.h>
#include <fs.h>
#include <ps.h>
#include <vf.h>
#include <kd.h>
#include <mmlayout.h>
#include <hw/multiboot.h>
#include <string.h>

LOADER_PARAMETER_BLOCK KeLoaderBlock;
ULONG KeFeatureBits;
BOOLEAN KeTestBoot;
const ULONG NtBuildNumber = 2600; /* what GDB's gdb-test reads back as a known variable */

ULONG KtRunTests(PCSTR Filter);  /* tests/kernel/ktest.c */
VOID KtRunBenchmarks(ULONGLONG FirstOutputTsc); /* bench/kernel/bench.c */
BOOLEAN KtRunStress(VOID);                      /* tests/stress/stress.c */
ULONGLONG KiBootTsc;             /* the TSC at KiBootEntry, written before paging is on */

/* Physical memory boot/ mapped at KSEG0; the loader's structures are read through it. */
static PVOID KiLoaderPointer(ULONG PhysicalAddress, ULONG Length)
{
    if (PhysicalAddress == 0 || PhysicalAddress + Length < PhysicalAddress ||
        PhysicalAddress + Length > BOOT_MAPPED_SIZE)
        return NULL;
    return (PVOID)(KSEG0_BASE + PhysicalAddress);
}

static VOID KiCopyLoaderString(PCHAR Destination, ULONG Size, ULONG PhysicalAddress)
{
    PCSTR Source = KiLoaderPointer(PhysicalAddress, 1);

    Destination[0] = '\0';
    if (Source != NULL)
        strlcpy(Destination, Source, Size);
}

/*
 * Without a memory map (flags bit 6 clear, or a map this kernel cannot
 * reach) a loader still gives mem_lower and mem_upper: KB of RAM from 0 and
 * from 1 MB. Multiboot ends mem_upper at the first hole above 1 MB, so these
 * two ranges are all that can be trusted, and anything above the hole is
 * given up.
 */
static VOID KiMemoryRangesFromSizes(PLOADER_PARAMETER_BLOCK Block)
{
    Block->MemoryRanges[0].BaseAddress = 0;
    Block->MemoryRanges[0].Length = (ULONGLONG)Block->MemLowerKb * 1024;
    Block->MemoryRanges[0].Type = MULTIBOOT_MEMORY_AVAILABLE;
    Block->MemoryRanges[1].BaseAddress = LOADER_UPPER_MEMORY_BASE;
    Block->MemoryRanges[1].Length = (ULONGLONG)Block->MemUpperKb * 1024;
    Block->MemoryRanges[1].Type = MULTIBOOT_MEMORY_AVAILABLE;
    Block->MemoryRangeCount = 2;
    Block->MemoryRangesFromSizes = TRUE;
}

/* Where a map entry ends; one that would wrap past 2^64 ends there. */
static ULONGLONG KiMemoryRangeEnd(ULONGLONG Base, ULONGLONG Length)
{
    return Length > ~0ULL - Base ? ~0ULL : Base + Length;
}

/*
 * Records one entry of the loader's map (an empty one changes nothing and
 * takes no room). A full block can lose RAM but never a hole in it: an
 * available entry that does not fit is left out, and any other is cut out
 * of the available ranges already recorded instead (from inside one, its
 * smaller side goes too), so the sanitiser never sees RAM where the map
 * said otherwise.
 */
static VOID KiRecordMemoryRange(PLOADER_PARAMETER_BLOCK Block, ULONGLONG Base, ULONGLONG Length, ULONG Type)
{
    ULONGLONG End = KiMemoryRangeEnd(Base, Length);

    if (Length == 0)
        return;
    if (Block->MemoryRangeCount < LOADER_MAXIMUM_MEMORY_RANGES) {
        PLOADER_MEMORY_RANGE Range = &Block->MemoryRanges[Block->MemoryRangeCount++];

        Range->BaseAddress = Base;
        Range->Length = Length;
        Range->Type = Type;
        return;
    }
    Block->MemoryRangesLeftOut++;
    if (Type == MULTIBOOT_MEMORY_AVAILABLE)
        return;
    for (ULONG i = 0; i < Block->MemoryRangeCount; i++) {
        PLOADER_MEMORY_RANGE Ram = &Block->MemoryRanges[i];
        ULONGLONG RamEnd = KiMemoryRangeEnd(Ram->BaseAddress, Ram->Length);
        ULONGLONG Below, Above;

        if (Ram->Type != MULTIBOOT_MEMORY_AVAILABLE || End <= Ram->BaseAddress || Base >= RamEnd)
            continue;
        Below = Base > Ram->BaseAddress ? Base - Ram->BaseAddress : 0;
        Above = RamEnd > End ? RamEnd - End : 0;
        if (Below >= Above) {
            Ram->Length = Below;
        } else {
            Ram->BaseAddress = End;
            Ram->Length = Above;
        }
    }
}

/* Every entry of the map; one whose size field is too small for an entry or runs past the map ends it. */
static VOID KiCopyMemoryMap(PMULTIBOOT_INFO Info, PLOADER_PARAMETER_BLOCK Block)
{
    PUCHAR Cursor = KiLoaderPointer(Info->MmapAddr, Info->MmapLength);
    PUCHAR End = Cursor + Info->MmapLength;

    while (Cursor != NULL && Cursor + sizeof(MULTIBOOT_MMAP_ENTRY) <= End) {
        PMULTIBOOT_MMAP_ENTRY Entry = (PMULTIBOOT_MMAP_ENTRY)Cursor;

        if (Entry->Size < sizeof(*Entry) - sizeof(Entry->Size) || Entry->Size > (ULONG)(End - Cursor))
            break;
        KiRecordMemoryRange(Block, Entry->BaseAddr, Entry->Length, Entry->Type);
        Cursor += Entry->Size + sizeof(Entry->Size);
    }
}

/*
 * Every module must be kept out of the free lists, so one the block cannot
 * record is not dropped: the copy fails instead, with no module recorded.
 */
static NTSTATUS KiCopyModules(PMULTIBOOT_INFO Info, PLOADER_PARAMETER_BLOCK Block)
{
    PMULTIBOOT_MODULE Module;

    if (Info->ModsCount > LOADER_MAXIMUM_MODULES) {
        DbgPrint("loader: %u modules; ntmm keeps track of %u, and would hand the others out as free memory\n",
                 Info->ModsCount, LOADER_MAXIMUM_MODULES);
        return STATUS_BUFFER_TOO_SMALL;
    }
    if (Info->ModsCount == 0)
        return STATUS_SUCCESS;
    Module = KiLoaderPointer(Info->ModsAddr, Info->ModsCount * sizeof(*Module));
    if (Module == NULL) {
        DbgPrint("loader: the list of %u modules at %08X is beyond the %u MB boot mapping\n",
                 Info->ModsCount, Info->ModsAddr, BOOT_MAPPED_SIZE >> 20);
        return STATUS_INVALID_PARAMETER;
    }
    for (ULONG i = 0; i < Info->ModsCount; i++) {
        Block->Modules[i].PhysicalStart = Module[i].ModStart;
        Block->Modules[i].PhysicalEnd = Module[i].ModEnd;
        KiCopyLoaderString(Block->Modules[i].String, sizeof(Block->Modules[i].String), Module[i].String);
    }
    Block->ModuleCount = Info->ModsCount;
    return STATUS_SUCCESS;
}

/*
 * Copies what a multiboot loader left at MultibootInfoPhysical (in the boot
 * mapping) into an empty Block. Fails, having copied everything else, when
 * the loader's modules cannot all be recorded.
 */
NTSTATUS KiCopyLoaderBlock(ULONG MultibootInfoPhysical, PLOADER_PARAMETER_BLOCK Block)
{
    PMULTIBOOT_INFO Info = KiLoaderPointer(MultibootInfoPhysical, sizeof(MULTIBOOT_INFO));

    Block->MultibootInfoPhysical = MultibootInfoPhysical;
    if (Info == NULL)
        return STATUS_INVALID_PARAMETER;
    if (Info->Flags & MULTIBOOT_INFO_MEMORY) {
        Block->MemLowerKb = Info->MemLower;
        Block->MemUpperKb = Info->MemUpper;
    }
    if (Info->Flags & MULTIBOOT_INFO_CMDLINE)
        KiCopyLoaderString(Block->CommandLine, sizeof(Block->CommandLine), Info->CmdLine);
    if (Info->Flags & MULTIBOOT_INFO_BOOT_LOADER_NAME)
        KiCopyLoaderString(Block->BootLoaderName, sizeof(Block->BootLoaderName), Info->BootLoaderName);
    if (Info->Flags & MULTIBOOT_INFO_MEM_MAP)
        KiCopyMemoryMap(Info, Block);
    if (Block->MemoryRangeCount == 0 && (Info->Flags & MULTIBOOT_INFO_MEMORY))
        KiMemoryRangesFromSizes(Block);
    return (Info->Flags & MULTIBOOT_INFO_MODS) ? KiCopyModules(Info, Block) : STATUS_SUCCESS;
}

/*
 * Finds "Option" or "Option=value" among the space-separated words of the
 * command line; *Value (optional) gets the text after '=', up to the next
 * space, or an empty string.
 */
BOOLEAN KeCommandLineHasOption(PCSTR Option, PCSTR *Value)
{
    PCSTR Cursor = KeLoaderBlock.CommandLine;
    ULONG Length = strlen(Option);

    while (*Cursor != '\0') {
        while (*Cursor == ' ')
            Cursor++;
        if (strncmp(Cursor, Option, Length) == 0 &&
            (Cursor[Length] == '\0' || Cursor[Length] == ' ' || Cursor[Length] == '=')) {
            if (Value != NULL)
                *Value = Cursor[Length] == '=' ? Cursor + Length + 1 : "";
            return TRUE;
        }
        while (*Cursor != '\0' && *Cursor != ' ')
            Cursor++;
    }
    return FALSE;
}

/* The identity half of the boot directory was only needed to survive turning paging on. */
static VOID KiRemoveIdentityMapping(VOID)
{
    for (ULONG Pde = 0; Pde < BOOT_MAPPED_SIZE / PDE_MAPPED_SIZE; Pde++)
        KiBootPageDirectory[Pde] = 0;
    KiWriteCr3(KiReadCr3());
}

VOID KiSystemStartup(ULONG Magic, ULONG MultibootInfoPhysical)
{
    NTSTATUS LoaderStatus = STATUS_SUCCESS;
    PCSTR Filter;

    HalInitializeSerial();
    KiPcr.StackBase = (ULONG_PTR)KiBootStackTop;
    KiPcr.StackLimit = (ULONG_PTR)KiBootStackLimit;
    if (Magic == MULTIBOOT_BOOTLOADER_MAGIC)
        LoaderStatus = KiCopyLoaderBlock(MultibootInfoPhysical, &KeLoaderBlock);
    KiRemoveIdentityMapping();

    KiInitializeGdt();
    KiInitializeIdt();
    KiInitializeDpcQueue();
    HalInitializePic();
    KeTestBoot = KeCommandLineHasOption("ktest", NULL) || KeCommandLineHasOption("bench", NULL) ||
                 KeCommandLineHasOption("kd.memmap", NULL) || KeCommandLineHasOption("stress", NULL);
    KdInitializeConsole();

    DbgPrint("\nntmm: NT-style memory manager kernel (i386, build %u)\n", NtBuildNumber);
    DbgPrint("loader: %s, command line \"%s\"\n",
             KeLoaderBlock.BootLoaderName[0] ? KeLoaderBlock.BootLoaderName : "unknown",
             KeLoaderBlock.CommandLine);
    if (Magic != MULTIBOOT_BOOTLOADER_MAGIC)
        DbgPrint("warning: not started by a multiboot loader (magic %08X)\n", Magic);
    /* A module the kernel lost track of would be handed out as free memory while still in use. */
    if (!NT_SUCCESS(LoaderStatus))
        KeBugCheckEx(LOADER_BLOCK_MISMATCH, KI_LOADER_BLOCK_UNRECORDED, (ULONG_PTR)LoaderStatus,
                     MultibootInfoPhysical, LOADER_MAXIMUM_MODULES);

    KiInitializeSystemTime();
    KiInitializeProcessorProtection();
    VfInitialize();
    MmInitSystem();
    KiSetProcessorFeatures();
    ExInitializePool();
    PsInitSystem();
    IoInitSystem();
    FsInitSystem();
    HalInitializeClock();
    KdInitializeSystem();
    _enable();
    /* The system is up: requests may fail on purpose and raises trim pageable memory from here on. */
    VfStart();

    if (KeCommandLineHasOption("bench", NULL)) {
        KtRunBenchmarks(__rdtsc());
        KiExitEmulator(KI_EXIT_TESTS_DONE);
    }
    if (KeCommandLineHasOption("ktest", &Filter))
        KiExitEmulator(KtRunTests(Filter) == 0 ? KI_EXIT_TESTS_DONE : KI_EXIT_TESTS_FAILED);
    if (KeCommandLineHasOption("stress", NULL))
        KiExitEmulator(KtRunStress() ? KI_EXIT_TESTS_DONE : KI_EXIT_TESTS_FAILED);
    /* make memmap: the record of every region and page, then off. */
    if (KeCommandLineHasOption("kd.memmap", NULL)) {
        KdDumpMemoryMapRecord();
        KiExitEmulator(KI_EXIT_TESTS_DONE);
    }
    KdRunShell();
}
