/*
 * mminit.c: bringing the memory manager up, and the state a normal boot prints.
 *
 * MmInitSystem runs once, on the boot page directory:
 *  1. The loader's memory map becomes MmPhysicalMemoryBlock (physmem.c: the
 *     available ranges less everything else the map describes, below 4 GB,
 *     sorted, merged, page-aligned inward). Page 0, the kernel image and the
 *     loader's modules are reserved; so is the initial nonpaged pool (a
 *     4 MB-aligned 4 MB block for one large page when the CPU has PSE and
 *     RAM allows).
 *  2. The KSEG0 boot mapping is cut back to the image: text and read-only
 *     data read-only, data and bss writable, the boot stack's guard page
 *     absent; every other low page stops being reachable.
 *  3. Boot allocations (MxGetNextPage) come from the top of the largest free
 *     gap: the hyperspace page table, the PFN database's pages and the page
 *     tables they need, the initial pool when it is not one large page.
 *  4. The PFN database is mapped after the image only where RAM exists, so
 *     holes in the map cost no memory; every page the system already uses
 *     becomes ActiveAndValid with the PTE that maps it, every other page
 *     goes on the free list.
 */
#include "mi.h"
#include <string.h>

PHYSICAL_MEMORY_DESCRIPTOR MmPhysicalMemoryBlock;
PFN_NUMBER MmHighestPhysicalPage, MmLowestPhysicalPage, MmNumberOfPhysicalPages;
ULONG MmPteGlobal;
MM_STATISTICS MmStatistics;
PVOID MmNonPagedPoolStart, MmNonPagedPoolEnd;
PVOID MmNonPagedPoolExpansionStart, MmNonPagedPoolExpansionEnd;
PVOID MmPagedPoolStart = (PVOID)MM_PAGED_POOL_START, MmPagedPoolEnd;
static PULONG MiPoolBitmaps;

/* Below this the system cannot hold its own structures (NT's x86 minimum was far higher). */
#define MI_MINIMUM_PHYSICAL_PAGES ((4 * 1024 * 1024) / PAGE_SIZE)
/* Pool ranges grow with RAM, within their share of system space (DESIGN.md). */
#define MI_MAXIMUM_NONPAGED_EXPANSION (128 * 1024 * 1024)
#define MI_MINIMUM_POOL_RANGE (16 * 1024 * 1024)
#define MI_LARGE_PAGE_PAGES (PDE_MAPPED_SIZE / PAGE_SIZE)

/* Physical ranges the boot keeps out of the free lists, in pages. */
typedef struct _MI_RESERVED_RANGE {
    PFN_NUMBER BasePage;
    PFN_NUMBER PageCount;
    PCSTR Owner;
} MI_RESERVED_RANGE;

/* Page 0, the image, the initial pool, and every module the loader block can hold. */
#define MI_MAXIMUM_RESERVED (3 + LOADER_MAXIMUM_MODULES)
static MI_RESERVED_RANGE MiReserved[MI_MAXIMUM_RESERVED];
static ULONG MiReservedCount;

/* The boot allocator: pages are taken from the top of [MxBase, MxLimit) downward. */
static PFN_NUMBER MxBase, MxLimit, MxOriginalLimit;

static PFN_NUMBER MiInitialPoolFirstPage;
static ULONG MiInitialPoolPages;
static BOOLEAN MiInitialPoolLargePage;

BOOLEAN MiIsPhysicalPage(PFN_NUMBER PageFrameIndex)
{
    for (ULONG i = 0; i < MmPhysicalMemoryBlock.NumberOfRuns; i++) {
        PPHYSICAL_MEMORY_RUN Run = &MmPhysicalMemoryBlock.Run[i];
        if (PageFrameIndex >= Run->BasePage && PageFrameIndex - Run->BasePage < Run->PageCount)
            return TRUE;
    }
    return FALSE;
}

static VOID MiBuildPhysicalMemoryBlock(VOID)
{
    PPHYSICAL_MEMORY_DESCRIPTOR Block = &MmPhysicalMemoryBlock;
    PFN_NUMBER Dropped = MiBuildPhysicalMemoryDescriptor(KeLoaderBlock.MemoryRanges, KeLoaderBlock.MemoryRangeCount,
                                                         Block);

    if (Dropped != 0)
        DbgPrint("mm: RAM in more than %u ranges; %u pages above the last one are not used\n",
                 MI_MAXIMUM_MEMORY_RUNS, Dropped);
    MmNumberOfPhysicalPages = Block->NumberOfPages;
    if (Block->NumberOfRuns != 0) {
        PPHYSICAL_MEMORY_RUN Last = &Block->Run[Block->NumberOfRuns - 1];
        MmLowestPhysicalPage = Block->Run[0].BasePage;
        MmHighestPhysicalPage = Last->BasePage + Last->PageCount - 1;
    }
}

static VOID MiReserve(PFN_NUMBER BasePage, PFN_NUMBER PageCount, PCSTR Owner)
{
    if (PageCount == 0)
        return;
    if (MiReservedCount == MI_MAXIMUM_RESERVED)
        KeBugCheckEx(MEMORY_MANAGEMENT, MI_BUGCHECK_BOOT_ALLOCATION, BasePage, PageCount, 0);
    MiReserved[MiReservedCount].BasePage = BasePage;
    MiReserved[MiReservedCount].PageCount = PageCount;
    MiReserved[MiReservedCount].Owner = Owner;
    MiReservedCount++;
}

static PCSTR MiReservedOwner(PFN_NUMBER PageFrameIndex)
{
    for (ULONG i = 0; i < MiReservedCount; i++) {
        if (PageFrameIndex >= MiReserved[i].BasePage &&
            PageFrameIndex - MiReserved[i].BasePage < MiReserved[i].PageCount)
            return MiReserved[i].Owner;
    }
    return NULL;
}

/* Is [Base, Base + Count) RAM that nothing has reserved? */
static BOOLEAN MiIsFreeRange(PFN_NUMBER Base, PFN_NUMBER Count)
{
    for (ULONG i = 0; i < MiReservedCount; i++) {
        if (Base < MiReserved[i].BasePage + MiReserved[i].PageCount && MiReserved[i].BasePage < Base + Count)
            return FALSE;
    }
    for (ULONG i = 0; i < MmPhysicalMemoryBlock.NumberOfRuns; i++) {
        PPHYSICAL_MEMORY_RUN Run = &MmPhysicalMemoryBlock.Run[i];
        if (Base >= Run->BasePage && Base + Count <= Run->BasePage + Run->PageCount)
            return TRUE;
    }
    return FALSE;
}

/* The end of the free stretch of RAM that starts at Base (reserved ranges and holes end it). */
static PFN_NUMBER MiFreeStretchEnd(PFN_NUMBER Base, PFN_NUMBER RunEnd)
{
    PFN_NUMBER End = RunEnd;

    for (ULONG i = 0; i < MiReservedCount; i++) {
        if (MiReserved[i].BasePage >= Base && MiReserved[i].BasePage < End)
            End = MiReserved[i].BasePage;
    }
    return End;
}

/* The boot allocator takes the largest stretch of RAM that nothing reserved. */
static VOID MxInitializeFreeDescriptor(VOID)
{
    for (ULONG i = 0; i < MmPhysicalMemoryBlock.NumberOfRuns; i++) {
        PPHYSICAL_MEMORY_RUN Run = &MmPhysicalMemoryBlock.Run[i];
        PFN_NUMBER RunEnd = Run->BasePage + Run->PageCount;

        for (PFN_NUMBER Base = Run->BasePage; Base < RunEnd;) {
            PCSTR Owner = MiReservedOwner(Base);
            PFN_NUMBER End;

            if (Owner != NULL) {
                Base++;
                continue;
            }
            End = MiFreeStretchEnd(Base, RunEnd);
            if (End - Base > MxLimit - MxBase) {
                MxBase = Base;
                MxLimit = End;
            }
            Base = End;
        }
    }
    MxOriginalLimit = MxLimit;
}

PFN_NUMBER MxGetNextPage(VOID)
{
    if (MxLimit == MxBase)
        KeBugCheckEx(INSTALL_MORE_MEMORY, MmNumberOfPhysicalPages, MmLowestPhysicalPage,
                     MmHighestPhysicalPage, MxOriginalLimit - MxBase);
    return --MxLimit;
}

/* A zeroed page table for a system address during boot, before the PFN database exists. */
static VOID MxEnsurePageTable(PVOID VirtualAddress)
{
    PMMPTE PointerPde = MiAddressToPde(VirtualAddress);

    if (PointerPde->u.Hard.Valid)
        return;
    PointerPde->u.Long = (MxGetNextPage() << PAGE_SHIFT) | PTE_VALID | PTE_WRITE | PTE_ACCESSED | PTE_DIRTY;
    MiFlushTb(MiAddressToPte(VirtualAddress));
    memset(PAGE_ALIGN(MiAddressToPte(VirtualAddress)), 0, PAGE_SIZE);
}

/* Maps a fresh boot page at a system address and zeroes it. */
static VOID MxMapZeroedPage(PVOID VirtualAddress)
{
    PMMPTE PointerPte = MiAddressToPte(VirtualAddress);

    MxEnsurePageTable(VirtualAddress);
    MI_WRITE_VALID_PTE(PointerPte, MiMakeSystemPte(MxGetNextPage(), MM_READWRITE));
    memset(VirtualAddress, 0, PAGE_SIZE);
}

/* Picks where the initial nonpaged pool lives: one 4 MB large page when possible. */
static VOID MiChooseInitialNonPagedPool(VOID)
{
    ULONG Pages = MmNumberOfPhysicalPages / 16;

    if ((KeFeatureBits & CPUID_FEATURE_PSE) && MmNumberOfPhysicalPages >= 8 * MI_LARGE_PAGE_PAGES) {
        PFN_NUMBER Base = (MmHighestPhysicalPage + 1) & ~(PFN_NUMBER)(MI_LARGE_PAGE_PAGES - 1);

        /* The highest aligned 4 MB that is all free RAM, so low memory stays for DMA. */
        while (Base >= MI_LARGE_PAGE_PAGES) {
            Base -= MI_LARGE_PAGE_PAGES;
            if (MiIsFreeRange(Base, MI_LARGE_PAGE_PAGES)) {
                MiInitialPoolFirstPage = Base;
                MiInitialPoolPages = MI_LARGE_PAGE_PAGES;
                MiInitialPoolLargePage = TRUE;
                MiReserve(Base, MI_LARGE_PAGE_PAGES, "initial nonpaged pool");
                return;
            }
        }
    }
    if (Pages > MI_LARGE_PAGE_PAGES)
        Pages = MI_LARGE_PAGE_PAGES;
    if (Pages < 16)
        Pages = 16;
    MiInitialPoolPages = Pages;
}

/*
 * Cuts the boot's KSEG0 mapping of low memory back to the image, with each
 * section's protection, and drops the guard page under the boot stack.
 */
static VOID MiProtectKernelImage(VOID)
{
    for (ULONG_PTR Va = KSEG0_BASE; Va < KSEG0_BASE + BOOT_MAPPED_SIZE; Va += PAGE_SIZE) {
        PMMPTE PointerPte = MiAddressToPte(Va);
        PFN_NUMBER PageFrameIndex = (Va - KSEG0_BASE) >> PAGE_SHIFT;

        if (Va < (ULONG_PTR)__ImageBase || Va >= (ULONG_PTR)__ImageEnd ||
            Va == (ULONG_PTR)KiBootStackGuard) {
            MI_ERASE_PTE(PointerPte);
        } else {
            ULONG Protection = Va < (ULONG_PTR)__TextEnd ? MM_EXECUTE_READ
                             : Va < (ULONG_PTR)__RoDataEnd ? MM_READONLY : MM_READWRITE;
            PointerPte->u.Long = MiMakeSystemPte(PageFrameIndex, Protection).u.Long;
        }
    }
    MiFlushEntireTb(TRUE);
}

static VOID MiMapPfnDatabase(VOID)
{
    ULONG_PTR Start = ALIGN_UP_BY((ULONG_PTR)__ImageEnd, PAGE_SIZE);

    MmPfnDatabase = (PMMPFN)Start;
    for (ULONG i = 0; i < MmPhysicalMemoryBlock.NumberOfRuns; i++) {
        PPHYSICAL_MEMORY_RUN Run = &MmPhysicalMemoryBlock.Run[i];
        ULONG_PTR First = ALIGN_DOWN_BY((ULONG_PTR)MI_PFN_ELEMENT(Run->BasePage), PAGE_SIZE);
        ULONG_PTR Last = (ULONG_PTR)MI_PFN_ELEMENT(Run->BasePage + Run->PageCount);

        for (ULONG_PTR Va = First; Va < Last; Va += PAGE_SIZE) {
            if (!MiAddressToPde(Va)->u.Hard.Valid || !MiAddressToPte(Va)->u.Hard.Valid)
                MxMapZeroedPage((PVOID)Va);
        }
    }
}

/* A range's size: as large as RAM (it cannot hold more), at least 16 MB, at most Maximum. */
static ULONG_PTR MiPoolRangeSize(ULONG_PTR Maximum)
{
    ULONG_PTR Ram = (ULONG_PTR)MmNumberOfPhysicalPages * PAGE_SIZE;

    if (Ram < MI_MINIMUM_POOL_RANGE)
        Ram = MI_MINIMUM_POOL_RANGE;
    return Ram < Maximum ? ALIGN_UP_BY(Ram, PDE_MAPPED_SIZE) : Maximum;
}

/*
 * Lays out nonpaged pool after the PFN database, with the pool page
 * allocator's bitmaps mapped between them, and sizes the paged pool.
 */
static VOID MiMapInitialNonPagedPool(VOID)
{
    ULONG_PTR PfnEnd = ALIGN_UP_BY((ULONG_PTR)MI_PFN_ELEMENT(MmHighestPhysicalPage + 1), PAGE_SIZE);
    ULONG_PTR Expansion = MiPoolRangeSize(MI_MAXIMUM_NONPAGED_EXPANSION);
    ULONG_PTR Paged = MiPoolRangeSize(MM_PAGED_POOL_END + 1 - MM_PAGED_POOL_START);
    ULONG BitmapBytes = MiPoolPageBitmapBytes(MiInitialPoolPages, Expansion / PAGE_SIZE, Paged / PAGE_SIZE);
    ULONG_PTR Start;

    MiPoolBitmaps = (PULONG)PfnEnd;
    for (ULONG_PTR Va = PfnEnd; Va < PfnEnd + BitmapBytes; Va += PAGE_SIZE)
        MxMapZeroedPage((PVOID)Va);
    Start = ALIGN_UP_BY(PfnEnd + BitmapBytes, PDE_MAPPED_SIZE);
    MmPagedPoolEnd = (PVOID)(MM_PAGED_POOL_START + Paged);

    MmNonPagedPoolStart = (PVOID)Start;
    MmNonPagedPoolEnd = (PVOID)(Start + MiInitialPoolPages * PAGE_SIZE);
    if (MiInitialPoolLargePage) {
        MMPTE TempPde = MiMakeSystemPte(MiInitialPoolFirstPage, MM_READWRITE);

        TempPde.u.Hard.LargePage = 1;
        *MiAddressToPde(Start) = TempPde;
    } else {
        for (ULONG i = 0; i < MiInitialPoolPages; i++)
            MxMapZeroedPage((PVOID)(Start + i * PAGE_SIZE));
    }
    MmNonPagedPoolExpansionStart = (PVOID)ALIGN_UP_BY((ULONG_PTR)MmNonPagedPoolEnd, PDE_MAPPED_SIZE);
    MmNonPagedPoolExpansionEnd = (PVOID)((ULONG_PTR)MmNonPagedPoolExpansionStart + Expansion);
    if ((ULONG_PTR)MmNonPagedPoolExpansionEnd > MM_SYSTEM_VIEW_START)
        MmNonPagedPoolExpansionEnd = (PVOID)MM_SYSTEM_VIEW_START;
}

/*
 * Every page a system PTE maps now (the image, page tables, the PFN
 * database, the pool) becomes ActiveAndValid with that PTE; page tables are
 * mapped by their PDE. A page mapped twice keeps its first PTE.
 */
static VOID MiMarkPageInUse(PFN_NUMBER PageFrameIndex, PMMPTE PointerPte, BOOLEAN NonPagedPool)
{
    PMMPFN Pfn1;

    if (!MiIsPhysicalPage(PageFrameIndex))
        return;
    Pfn1 = MI_PFN_ELEMENT(PageFrameIndex);
    if (Pfn1->u3.e2.ReferenceCount != 0)
        return;
    Pfn1->u3.e2.e1.PageLocation = ActiveAndValid;
    Pfn1->u3.e2.e1.CacheAttribute = MiCached;
    Pfn1->u3.e2.e1.NonPagedPool = NonPagedPool;
    Pfn1->u3.e2.ReferenceCount = 1;
    Pfn1->u2.ShareCount = 1;
    Pfn1->PteAddress = PointerPte;
    Pfn1->u4.PteFrame = PFN_FROM_PTE(MiAddressToPte(PointerPte));
}

static VOID MiInitializePfnDatabase(VOID)
{
    ULONG_PTR PoolStart = (ULONG_PTR)MmNonPagedPoolStart, PoolEnd = (ULONG_PTR)MmNonPagedPoolEnd;

    /* Pages already mapped in system space: page tables first, then what they map. */
    for (ULONG_PTR Pde = MiAddressToPdeOffset(MI_SYSTEM_RANGE_START); Pde < PTE_PER_PAGE; Pde++) {
        PMMPTE PointerPde = (PMMPTE)PDE_BASE + Pde;
        ULONG_PTR Base = Pde << PDE_SHIFT;

        if (!PointerPde->u.Hard.Valid || Pde == PDE_SELFMAP_INDEX)
            continue;
        if (PointerPde->u.Hard.LargePage) {
            for (ULONG i = 0; i < MI_LARGE_PAGE_PAGES; i++)
                MiMarkPageInUse(PFN_FROM_PTE(PointerPde) + i, PointerPde, Base >= PoolStart && Base < PoolEnd);
            continue;
        }
        MiMarkPageInUse(PFN_FROM_PTE(PointerPde), PointerPde, FALSE);
        for (ULONG i = 0; i < PTE_PER_PAGE; i++) {
            PMMPTE PointerPte = MiAddressToPte(Base) + i;
            ULONG_PTR Va = Base + i * PAGE_SIZE;

            if (PointerPte->u.Hard.Valid)
                MiMarkPageInUse(PFN_FROM_PTE(PointerPte), PointerPte, Va >= PoolStart && Va < PoolEnd);
        }
    }
    /* Reserved pages that nothing maps (page 0, modules) are in use too, owned by no PTE. */
    for (ULONG i = 0; i < MiReservedCount; i++) {
        for (PFN_NUMBER Page = MiReserved[i].BasePage; Page < MiReserved[i].BasePage + MiReserved[i].PageCount; Page++) {
            if (MiIsPhysicalPage(Page) && MI_PFN_ELEMENT(Page)->u3.e2.ReferenceCount == 0) {
                MI_PFN_ELEMENT(Page)->u3.e2.e1.PageLocation = ActiveAndValid;
                MI_PFN_ELEMENT(Page)->u3.e2.e1.CacheAttribute = MiCached;
                MI_PFN_ELEMENT(Page)->u3.e2.ReferenceCount = 1;
            }
        }
    }
    /*
     * The rest is free: linked into the free list in one pass, from the top,
     * so the lowest pages (what DMA wants) are handed out last. This is the
     * one place the list is built by hand rather than page by page through
     * MiInsertPageInList: at boot it is most of the start-up time.
     */
    for (LONG i = MmPhysicalMemoryBlock.NumberOfRuns - 1; i >= 0; i--) {
        PPHYSICAL_MEMORY_RUN Run = &MmPhysicalMemoryBlock.Run[i];

        for (PFN_NUMBER Page = Run->BasePage + Run->PageCount; Page-- > Run->BasePage;) {
            PMMPFN Pfn1 = MI_PFN_ELEMENT(Page);

            if (Pfn1->u3.e2.ReferenceCount != 0)
                continue;
            Pfn1->u3.e2.e1.PageLocation = FreePageList;
            Pfn1->u3.e2.e1.CacheAttribute = MiCached;
            Pfn1->u1.Flink = MM_EMPTY_LIST;
            Pfn1->u2.Blink = MmFreePageListHead.Blink;
            if (MmFreePageListHead.Blink == MM_EMPTY_LIST)
                MmFreePageListHead.Flink = Page;
            else
                MI_PFN_ELEMENT(MmFreePageListHead.Blink)->u1.Flink = Page;
            MmFreePageListHead.Blink = Page;
            MmFreePageListHead.Total++;
        }
    }
    MmAvailablePages = MmFreePageListHead.Total;
}

/* Frames under the initial pool's large page: an uncached alias of one would mix memory types. */
BOOLEAN MiMustFrameBeCached(PFN_NUMBER PageFrameIndex)
{
    return MiInitialPoolLargePage && PageFrameIndex - MiInitialPoolFirstPage < MiInitialPoolPages;
}

static VOID MiPrintBootLog(VOID)
{
    ULONG_PTR PfnBytes = (MmHighestPhysicalPage + 1) * sizeof(MMPFN);
    ULONG PfnPages = 0;

    DbgPrint("physical memory (%s, %u ranges):\n",
             KeLoaderBlock.MemoryRangesFromSizes ? "no loader map: mem_lower and mem_upper" : "loader map",
             KeLoaderBlock.MemoryRangeCount);
    for (ULONG i = 0; i < KeLoaderBlock.MemoryRangeCount; i++) {
        PLOADER_MEMORY_RANGE Range = &KeLoaderBlock.MemoryRanges[i];
        static const char *const Types[] = { "?", "available", "reserved", "ACPI reclaimable", "ACPI NVS", "bad" };

        DbgPrint("  %010llX-%010llX %-16s %8llu KB\n", Range->BaseAddress,
                 Range->BaseAddress + Range->Length - 1, Range->Type < 6 ? Types[Range->Type] : "?",
                 Range->Length / 1024);
    }
    if (KeLoaderBlock.MemoryRangesLeftOut != 0)
        DbgPrint("  and %u more: RAM among them is not used, and the rest is cut out of the RAM above\n",
                 KeLoaderBlock.MemoryRangesLeftOut);
    DbgPrint("RAM kept: %u runs, %u pages (%u KB), page frames %X-%X\n",
             MmPhysicalMemoryBlock.NumberOfRuns, MmNumberOfPhysicalPages,
             MmNumberOfPhysicalPages * (PAGE_SIZE / 1024), MmLowestPhysicalPage, MmHighestPhysicalPage);
    /* Touching reservations of one owner (the loader's modules, one after another) print as one line. */
    for (ULONG i = 0, Next; i < MiReservedCount; i = Next) {
        for (Next = i + 1; Next < MiReservedCount && MiReserved[Next].Owner == MiReserved[i].Owner &&
                           MiReserved[Next].BasePage == MiReserved[Next - 1].BasePage + MiReserved[Next - 1].PageCount;
             Next++)
            ;
        DbgPrint("  reserved %08llX-%08llX %s", PFN_TO_PHYSICAL(MiReserved[i].BasePage),
                 PFN_TO_PHYSICAL(MiReserved[Next - 1].BasePage + MiReserved[Next - 1].PageCount) - 1,
                 MiReserved[i].Owner);
        DbgPrint(Next - i > 1 ? " (%u of them)\n" : "\n", Next - i);
    }
    for (ULONG_PTR Va = ALIGN_DOWN_BY((ULONG_PTR)MmPfnDatabase, PAGE_SIZE); Va < (ULONG_PTR)MmPfnDatabase + PfnBytes; Va += PAGE_SIZE)
        PfnPages += MiAddressToPde(Va)->u.Hard.Valid && MiAddressToPte(Va)->u.Hard.Valid;
    DbgPrint("PFN database at %p: %u entries of %u bytes, %u pages mapped (%u KB)\n",
             MmPfnDatabase, MmHighestPhysicalPage + 1, (ULONG)sizeof(MMPFN), PfnPages, PfnPages * 4);
    DbgPrint("initial nonpaged pool %p-%p (%u KB, %s), expansion %p-%p, paged pool %p-%p\n",
             MmNonPagedPoolStart, (PUCHAR)MmNonPagedPoolEnd - 1, MiInitialPoolPages * 4,
             MiInitialPoolLargePage ? "one 4 MB page" : "4 KB pages",
             MmNonPagedPoolExpansionStart, (PUCHAR)MmNonPagedPoolExpansionEnd - 1,
             MmPagedPoolStart, (PUCHAR)MmPagedPoolEnd - 1);
    DbgPrint("boot allocations: %u pages; available %u pages (free %u, zeroed %u, bad %u)\n",
             MxOriginalLimit - MxLimit, MmAvailablePages, MmFreePageListHead.Total,
             MmZeroedPageListHead.Total, MmBadPageListHead.Total);
}

VOID MmInitSystem(VOID)
{
    PFN_NUMBER HyperSpaceTable;
    KIRQL OldIrql;

    MiBuildPhysicalMemoryBlock();
    if (MmNumberOfPhysicalPages < MI_MINIMUM_PHYSICAL_PAGES) {
        DbgPrint("mm: %u KB of RAM; ntmm needs %u KB\n", MmNumberOfPhysicalPages * 4,
                 MI_MINIMUM_PHYSICAL_PAGES * 4);
        KeBugCheckEx(INSTALL_MORE_MEMORY, MmNumberOfPhysicalPages, MmLowestPhysicalPage,
                     MmHighestPhysicalPage, MI_MINIMUM_PHYSICAL_PAGES);
    }
    MmPteGlobal = (KeFeatureBits & CPUID_FEATURE_PGE) ? PTE_GLOBAL : 0;
    MmSystemPageDirectory = KiReadCr3() >> PAGE_SHIFT;

    /* Page 0 holds the real-mode interrupt table: NT never hands it out either. */
    MiReserve(0, 1, "real-mode IVT");
    MiReserve(((ULONG_PTR)__ImageBase - KSEG0_BASE) >> PAGE_SHIFT,
              ((ULONG_PTR)__ImageEnd - (ULONG_PTR)__ImageBase) >> PAGE_SHIFT, "kernel image");
    for (ULONG i = 0; i < KeLoaderBlock.ModuleCount; i++) {
        PLOADER_MODULE Module = &KeLoaderBlock.Modules[i];

        if (Module->PhysicalEnd > Module->PhysicalStart)
            MiReserve(PHYSICAL_TO_PFN(Module->PhysicalStart),
                      BYTES_TO_PAGES(Module->PhysicalEnd) - PHYSICAL_TO_PFN(Module->PhysicalStart), "boot module");
    }
    MiChooseInitialNonPagedPool();
    MxInitializeFreeDescriptor();

    MiProtectKernelImage();
    HyperSpaceTable = MxGetNextPage();
    MiAddressToPde(HYPER_SPACE)->u.Long = (HyperSpaceTable << PAGE_SHIFT) | PTE_VALID | PTE_WRITE |
                                          PTE_ACCESSED | PTE_DIRTY;
    MiFlushTb(MiAddressToPte(HYPER_SPACE));
    memset(MiAddressToPte(HYPER_SPACE), 0, PAGE_SIZE);

    MiMapPfnDatabase();
    MiMapInitialNonPagedPool();
    MiAcquirePfnLock(&OldIrql);
    MiInitializePfnDatabase();
    MiReleasePfnLock(OldIrql);
    MiInitializePoolPages(MiInitialPoolPages, MiPoolBitmaps);
    MiInitializeSystemPtes();
    MiInitializeSpecialPool();
    MiInitializePat();
    MiInitializeSharedUserData();
    MiInitializeCommitLimit();
    MmInitializeSections();
    MiPrintBootLog();
}

VOID MmDumpSystemState(VOID)
{
    ULONG InUse, Total, Resident;

    DbgPrint("\nmemory: %u pages of RAM, %u available (free %u, zeroed %u), %u bad, %u in use\n",
             MmNumberOfPhysicalPages, MmAvailablePages, MmFreePageListHead.Total,
             MmZeroedPageListHead.Total, MmBadPageListHead.Total,
             MmNumberOfPhysicalPages - MmAvailablePages - MmBadPageListHead.Total);
    MiQueryPoolPageCounts(MiNonPagedPoolPages, &InUse, &Total, &Resident);
    DbgPrint("nonpaged pool pages: %u in use, %u resident\n", InUse, Resident);
    MiQueryPoolPageCounts(MiPagedPoolPages, &InUse, &Total, &Resident);
    DbgPrint("paged pool pages: %u of %u in use, %u resident\n", InUse, Total, Resident);
}

/*
 * The idle loop's share of memory management: zero some free pages ahead of
 * the faults that will want them, stopping once a good stock is zeroed.
 * Returns the pages zeroed (0: nothing left to do, the processor may sleep).
 */
#define MI_IDLE_ZERO_BATCH 16
#define MI_ZEROED_STOCK 1024

ULONG MmZeroIdlePages(VOID)
{
    if (MmZeroedPageListHead.Total >= MI_ZEROED_STOCK)
        return 0;
    return MiZeroFreePages(MI_IDLE_ZERO_BATCH);
}
