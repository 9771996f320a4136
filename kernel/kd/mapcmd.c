/*
 * mapcmd.c: the whole-memory views: the address-space layout, what every
 * physical page is used for (!memusage and !vm count them by list and by
 * use), !memmap's text picture, and the compact record `make memmap` turns
 * into an SVG (tools/memmap.py).
 *
 * A page in use is classified by the address its PTE maps (PteAddress in
 * its PFN): a page mapped by a PDE is a page table (or part of the initial
 * pool's large page), anything else by the region of the address, so the
 * answer follows the page, not a separate record. Pages boot reserved that
 * nothing maps (page 0, the loader's modules) have no PTE.
 */
#include "kdp.h"
#include <kprintf.h>
#include <ex.h>
#include <string.h>

#define KD_LAYOUT_REGIONS 24
#define KD_MEMMAP_COLUMNS 64           /* pages a line of !memmap shows */
#define KD_RECORD_RUNS_PER_LINE 48     /* runs per "# memmap-pages" line, to keep lines short */

const struct _KD_PAGE_USE_NAME KdpPageUseNames[KdPageUses] = {
    [KdPageZeroed] = { 'z', "zeroed" },           [KdPageFree] = { 'f', "free" },
    [KdPageStandby] = { 's', "standby" },         [KdPageModified] = { 'm', "modified" },
    [KdPageBad] = { 'X', "bad" },                 [KdPageImage] = { 'I', "kernel image" },
    [KdPagePfnDatabase] = { 'D', "PFN database" }, [KdPageNonPagedPool] = { 'N', "nonpaged pool" },
    [KdPagePagedPool] = { 'P', "paged pool" },    [KdPagePageTable] = { 'T', "page tables" },
    [KdPageUser] = { 'U', "process private" },    [KdPageSystemPte] = { 'S', "system PTE mappings" },
    [KdPageHyperSpace] = { 'H', "hyperspace" },   [KdPageSharedData] = { 'K', "shared user data" },
    [KdPageReserved] = { 'R', "reserved at boot" }, [KdPageOther] = { 'O', "other system" },
};

static ULONG_PTR KdpPfnDatabaseEnd(VOID)
{
    return ALIGN_UP_BY((ULONG_PTR)MI_PFN_ELEMENT(MmHighestPhysicalPage + 1), PAGE_SIZE);
}

/* The regions of the 4 GB address space, in order, each with what it holds. */
ULONG KdpLayout(PKD_REGION Regions, ULONG Maximum)
{
    ULONG_PTR PfnEnd = KdpPfnDatabaseEnd();
    const KD_REGION All[] = {
        { 0, MI_LOWEST_USER_ADDRESS - 1, "no access (NULL guard)", '-' },
        { MI_LOWEST_USER_ADDRESS, MM_HIGHEST_VAD_ADDRESS, "user space (the process's VADs)", 'u' },
        { MM_SHARED_USER_DATA_VA, MM_SHARED_USER_DATA_VA + PAGE_SIZE - 1, "shared user data (user view)", 'k' },
        { MI_USER_PROBE_ADDRESS, MI_SYSTEM_RANGE_START - 1, "no access (MM_USER_PROBE_ADDRESS)", '-' },
        { (ULONG_PTR)__ImageBase, ALIGN_UP_BY((ULONG_PTR)__ImageEnd, PAGE_SIZE) - 1, "kernel image", 'i' },
        { (ULONG_PTR)MmPfnDatabase, PfnEnd - 1, "PFN database", 'd' },
        { PfnEnd, ALIGN_UP_BY(PfnEnd + MiPoolPageMetadataBytes(), PAGE_SIZE) - 1, "pool page bitmaps", 'b' },
        { (ULONG_PTR)MmNonPagedPoolStart, (ULONG_PTR)MmNonPagedPoolEnd - 1, "initial nonpaged pool", 'n' },
        { (ULONG_PTR)MmNonPagedPoolExpansionStart, (ULONG_PTR)MmNonPagedPoolExpansionEnd - 1,
          "nonpaged pool expansion", 'e' },
        { PTE_BASE, PDE_BASE - 1, "page tables (PTE_BASE)", 't' },
        { PDE_BASE, PDE_BASE + PAGE_SIZE - 1, "page directory (PDE_BASE)", 'r' },
        { PDE_BASE + PAGE_SIZE, PTE_TOP, "page tables (PTE_BASE)", 't' },
        { HYPER_SPACE, HYPER_SPACE_END, "hyperspace", 'h' },
        { (ULONG_PTR)MmPagedPoolStart, (ULONG_PTR)MmPagedPoolEnd - 1, "paged pool", 'p' },
        { MM_SYSTEM_PTE_START, MM_SYSTEM_PTE_END, "system PTEs", 's' },
        { MM_HAL_VA_START, KI_USER_SHARED_DATA - 1, "HAL", 'a' },
        { KI_USER_SHARED_DATA, KI_USER_SHARED_DATA + PAGE_SIZE - 1, "shared user data (KUSER_SHARED_DATA)", 'k' },
        { KI_USER_SHARED_DATA + PAGE_SIZE, MAXULONG, "HAL", 'a' },
    };
    ULONG Count = 0;

    for (ULONG i = 0; i < RTL_NUMBER_OF(All) && Count < Maximum; i++) {
        if (All[i].End >= All[i].Start)
            Regions[Count++] = All[i];
    }
    return Count;
}

/* The region Address is in; "unused" between them. */
BOOLEAN KdpFindRegion(ULONG_PTR Address, PKD_REGION Region)
{
    KD_REGION Regions[KD_LAYOUT_REGIONS];
    ULONG Count = KdpLayout(Regions, RTL_NUMBER_OF(Regions));
    ULONG_PTR Start = 0;

    for (ULONG i = 0; i < Count; i++) {
        if (Address >= Regions[i].Start && Address <= Regions[i].End) {
            *Region = Regions[i];
            return TRUE;
        }
        if (Address > Regions[i].End)
            Start = Regions[i].End + 1;
        else if (Address < Regions[i].Start) {
            Region->Start = Start;
            Region->End = Regions[i].Start - 1;
            break;
        }
    }
    Region->Name = "unused";
    Region->Letter = '.';
    return FALSE;
}

static KD_PAGE_USE KdpClassifyAddress(ULONG_PTR Va)
{
    if (Va < MI_SYSTEM_RANGE_START)
        return Va >= MM_SHARED_USER_DATA_VA && Va < MI_USER_PROBE_ADDRESS ? KdPageSharedData : KdPageUser;
    if (Va >= (ULONG_PTR)__ImageBase && Va < (ULONG_PTR)__ImageEnd)
        return KdPageImage;
    if (Va >= (ULONG_PTR)MmPfnDatabase && Va < KdpPfnDatabaseEnd() + MiPoolPageMetadataBytes())
        return KdPagePfnDatabase;
    if ((Va >= (ULONG_PTR)MmNonPagedPoolStart && Va < (ULONG_PTR)MmNonPagedPoolEnd) ||
        (Va >= (ULONG_PTR)MmNonPagedPoolExpansionStart && Va < (ULONG_PTR)MmNonPagedPoolExpansionEnd))
        return KdPageNonPagedPool;
    if (Va >= PTE_BASE && Va <= PTE_TOP)
        return KdPagePageTable;
    if (Va >= HYPER_SPACE && Va <= HYPER_SPACE_END)
        return KdPageHyperSpace;
    if (Va >= (ULONG_PTR)MmPagedPoolStart && Va < (ULONG_PTR)MmPagedPoolEnd)
        return KdPagePagedPool;
    if (Va >= MM_SYSTEM_PTE_START && Va <= MM_SYSTEM_PTE_END)
        return KdPageSystemPte;
    if (Va >= KI_USER_SHARED_DATA && Va < KI_USER_SHARED_DATA + PAGE_SIZE)
        return KdPageSharedData;
    return KdPageOther;
}

KD_PAGE_USE KdpClassifyPage(PFN_NUMBER PageFrameIndex)
{
    PMMPFN Pfn1 = MI_PFN_ELEMENT(PageFrameIndex);
    ULONG_PTR PteAddress = (ULONG_PTR)Pfn1->PteAddress & ~(ULONG_PTR)1;

    switch (Pfn1->u3.e2.e1.PageLocation) {
    case ZeroedPageList: return KdPageZeroed;
    case FreePageList: return KdPageFree;
    case StandbyPageList: return KdPageStandby;
    case ModifiedPageList:
    case ModifiedNoWritePageList: return KdPageModified;
    case BadPageList: return KdPageBad;
    default: break;
    }
    if (PteAddress == 0)
        return KdPageReserved;
    if (Pfn1->u3.e2.e1.NonPagedPool)
        return KdPageNonPagedPool;
    if (PteAddress >= PDE_BASE && PteAddress < PDE_BASE + PAGE_SIZE)
        return KdPagePageTable;
    return KdpClassifyAddress((ULONG_PTR)MiPteToAddress(PteAddress));
}

/* --- !memusage, !vm -------------------------------------------------------------------------- */

static VOID KdpCountPages(ULONG Counts[KdPageUses])
{
    memset(Counts, 0, sizeof(ULONG) * KdPageUses);
    for (ULONG i = 0; i < MmPhysicalMemoryBlock.NumberOfRuns; i++) {
        PPHYSICAL_MEMORY_RUN Run = &MmPhysicalMemoryBlock.Run[i];

        for (PFN_NUMBER Page = Run->BasePage; Page < Run->BasePage + Run->PageCount; Page++)
            Counts[KdpClassifyPage(Page)]++;
    }
}

/* !vm: the counters; !memusage: the counters, then every page counted by what it is used for. */
static VOID KdpShowMemoryUse(BOOLEAN ByUse)
{
    ULONG Counts[KdPageUses], InUse;

    DbgPrint("Physical Memory:   %8u (%9u Kb)\n", MmNumberOfPhysicalPages, MmNumberOfPhysicalPages * 4);
    DbgPrint("Available Pages:   %8u (%9u Kb)\n", MmAvailablePages, MmAvailablePages * 4);
    DbgPrint("  Zeroed list:     %8u (%9u Kb)\n", MmZeroedPageListHead.Total, MmZeroedPageListHead.Total * 4);
    DbgPrint("  Free list:       %8u (%9u Kb)\n", MmFreePageListHead.Total, MmFreePageListHead.Total * 4);
    DbgPrint("Bad list:          %8u (%9u Kb)\n", MmBadPageListHead.Total, MmBadPageListHead.Total * 4);
    InUse = MmNumberOfPhysicalPages - MmAvailablePages - MmBadPageListHead.Total;
    DbgPrint("Active pages:      %8u (%9u Kb)\n", InUse, InUse * 4);
    DbgPrint("Committed pages:   %8u (%9u Kb)  limit %u, peak %u\n", MmTotalCommittedPages, MmTotalCommittedPages * 4,
             MmTotalCommitLimit, MmPeakCommitment);
    DbgPrint("Free System PTEs:  %8u (%9u Kb)  of %u\n", MmTotalFreeSystemPtes, MmTotalFreeSystemPtes * 4,
             MmNumberOfSystemPtes);
    if (!ByUse)
        return;
    KdpCountPages(Counts);
    DbgPrint("\n  Pages  Kb         Use\n");
    for (ULONG i = 0; i < KdPageUses; i++) {
        if (Counts[i] != 0)
            DbgPrint("%7u %9u  %c %s\n", Counts[i], Counts[i] * 4, KdpPageUseNames[i].Letter, KdpPageUseNames[i].Name);
    }
}

static VOID KdpCommandVm(ULONG Argc, PCSTR Argv[])
{
    UNREFERENCED_PARAMETER(Argc);
    UNREFERENCED_PARAMETER(Argv);
    KdpShowMemoryUse(FALSE);
}

static VOID KdpCommandMemusage(ULONG Argc, PCSTR Argv[])
{
    UNREFERENCED_PARAMETER(Argc);
    UNREFERENCED_PARAMETER(Argv);
    KdpShowMemoryUse(TRUE);
}

/* --- !memmap ---------------------------------------------------------------------------------- */

static VOID KdpShowLayout(VOID)
{
    KD_REGION Regions[KD_LAYOUT_REGIONS];
    ULONG Count = KdpLayout(Regions, RTL_NUMBER_OF(Regions));

    for (ULONG i = 0; i < Count; i++)
        DbgPrint("  %08x-%08x %9u KB  %s\n", Regions[i].Start, Regions[i].End,
                 (Regions[i].End - Regions[i].Start) / 1024 + 1, Regions[i].Name);
}

/* Physical memory as letters, KD_MEMMAP_COLUMNS pages a line; runs of one letter for a whole line fold. */
static VOID KdpShowPhysicalMap(VOID)
{
    CHAR Line[KD_MEMMAP_COLUMNS + 1], Previous[KD_MEMMAP_COLUMNS + 1] = "";
    ULONG Repeats = 0;

    DbgPrint("\nPhysical pages, %u a line:", KD_MEMMAP_COLUMNS);
    for (ULONG i = 0; i < KdPageUses; i++)
        DbgPrint("%s%c %s", i % 6 == 0 ? "\n  " : ", ", KdpPageUseNames[i].Letter, KdpPageUseNames[i].Name);
    DbgPrint(", . not RAM\n");
    for (PFN_NUMBER First = 0; First <= MmHighestPhysicalPage; First += KD_MEMMAP_COLUMNS) {
        for (ULONG i = 0; i < KD_MEMMAP_COLUMNS; i++) {
            PFN_NUMBER Page = First + i;

            Line[i] = Page > MmHighestPhysicalPage || !MiIsPhysicalPage(Page) ? '.'
                                                                             : KdpPageUseNames[KdpClassifyPage(Page)].Letter;
        }
        Line[KD_MEMMAP_COLUMNS] = '\0';
        if (strcmp(Line, Previous) == 0 && First + KD_MEMMAP_COLUMNS <= MmHighestPhysicalPage) {
            Repeats++;
            continue;
        }
        if (Repeats != 0)
            DbgPrint("  ... %u more lines the same\n", Repeats);
        Repeats = 0;
        DbgPrint("%06x %s\n", First, Line);
        strlcpy(Previous, Line, sizeof(Previous));
    }
}

static VOID KdpCommandMemmap(ULONG Argc, PCSTR Argv[])
{
    BOOLEAN LayoutOnly = Argc == 1 && strcmp(Argv[0], "layout") == 0;

    if (Argc == 1 && !LayoutOnly) {
        DbgPrint("Usage: !memmap [layout]\n");
        return;
    }
    KdpShowLayout();
    if (!LayoutOnly)
        KdpShowPhysicalMap();
}

/*
 * The record tools/memmap.py reads: one "# memmap-region|start|end|letter|name" line per
 * region of the layout, then "# memmap-pages|first page|letter count,letter count,..." runs
 * over every page frame up to the highest (. for frames that are not RAM), then the legend
 * ("# memmap-use|letter|name") and "# memmap: done".
 */
VOID KdDumpMemoryMapRecord(VOID)
{
    KD_REGION Regions[KD_LAYOUT_REGIONS];
    ULONG Count = KdpLayout(Regions, RTL_NUMBER_OF(Regions)), Runs = 0, Length = 0;
    CHAR Letter = 0;

    for (ULONG i = 0; i < Count; i++)
        DbgPrint("# memmap-region|%08x|%08x|%c|%s\n", Regions[i].Start, Regions[i].End, Regions[i].Letter,
                 Regions[i].Name);
    for (ULONG i = 0; i < KdPageUses; i++)
        DbgPrint("# memmap-use|%c|%s\n", KdpPageUseNames[i].Letter, KdpPageUseNames[i].Name);
    for (PFN_NUMBER Page = 0; Page <= MmHighestPhysicalPage + 1; Page++) {
        CHAR This = Page > MmHighestPhysicalPage ? 0
                    : !MiIsPhysicalPage(Page) ? '.' : KdpPageUseNames[KdpClassifyPage(Page)].Letter;

        if (This == Letter) {
            Length++;
            continue;
        }
        if (Length != 0) {
            if (Runs % KD_RECORD_RUNS_PER_LINE == 0)
                DbgPrint("%s# memmap-pages|%x|", Runs != 0 ? "\n" : "", Page - Length);
            else
                DbgPrint(",");
            DbgPrint("%c%u", Letter, Length);
            Runs++;
        }
        Letter = This;
        Length = 1;
    }
    DbgPrint("\n# memmap: done\n");
}

const KD_COMMAND KdpMapCommands[] = {
    { "!vm", "", "physical memory by list, commitment, system PTEs", KdpCommandVm, 0, 0 },
    { "!memusage", "", "!vm, then every physical page counted by use", KdpCommandMemusage, 0, 0 },
    { "!memmap", "[layout]", "the address-space layout and a map of physical pages", KdpCommandMemmap, 0, 1 },
    KD_LAST_COMMAND,
};
