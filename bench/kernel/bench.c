/*
 * bench.c: the benchmark kernel's measurements (a "bench" boot; tools/bench.py
 * runs QEMU with -icount shift=0 and reads the "# bench" lines).
 *
 * Under -icount shift=0 the TSC advances by exactly one per guest
 * instruction, so an rdtsc difference is an instruction count that repeats
 * from run to run. Every row runs an operation Iterations times per round,
 * with interrupts off so no clock tick lands inside, and reports the median
 * of the rounds' per-operation counts next to a reference measured in the
 * same boot (the bare SLIST pair for the allocators, the same loop over
 * mapped pages for faults, one outstanding mapping for ten thousand).
 * Counts include the harness's call and loop; the "harness" row measures
 * them with an empty operation.
 */
#define NTMM_MM_WHITEBOX_TEST
#include <ntddk.h>
#include <ke.h>
#include <ex.h>
#include <io.h>
#include "../../mm/mi.h"
#include <string.h>
#include <kprintf.h>
#include <rtl/avl.h>

#define BENCH_ROUNDS 7
#define BENCH_TAG 'hcnB'

typedef VOID (*BENCH_OPERATION)(PVOID Context, ULONG Index);

extern ULONGLONG KiBootTsc;

static ULONG BenchMedian(ULONG *Values, ULONG Count)
{
    for (ULONG i = 1; i < Count; i++) {
        ULONG Value = Values[i], j = i;
        while (j > 0 && Values[j - 1] > Value) {
            Values[j] = Values[j - 1];
            j--;
        }
        Values[j] = Value;
    }
    return Values[Count / 2];
}

/* Median over the rounds of instructions per operation, in hundredths. */
static ULONG BenchMeasure(BENCH_OPERATION Operation, PVOID Context, ULONG Iterations)
{
    ULONG PerRound[BENCH_ROUNDS];

    Operation(Context, 0);                  /* warm: first-use paths out of the way */
    for (ULONG Round = 0; Round < BENCH_ROUNDS; Round++) {
        ULONGLONG Start, End;

        _disable();
        Start = __rdtsc();
        for (ULONG i = 0; i < Iterations; i++)
            Operation(Context, Round * Iterations + i);
        End = __rdtsc();
        _enable();
        PerRound[Round] = (ULONG)(((End - Start) * 100) / Iterations);
    }
    return BenchMedian(PerRound, BENCH_ROUNDS);
}

static VOID BenchReport(PCSTR Name, ULONG Hundredths, PCSTR Reference, ULONG ReferenceHundredths, PCSTR Note)
{
    DbgPrint("# bench|%s|%u.%02u|%s|%u.%02u|%s\n", Name, Hundredths / 100, Hundredths % 100, Reference,
             ReferenceHundredths / 100, ReferenceHundredths % 100, Note != NULL ? Note : "");
}

static VOID BenchFact(PCSTR Name, PCSTR Format, ...) __attribute__((format(printf, 2, 3)));
static VOID BenchFact(PCSTR Name, PCSTR Format, ...)
{
    CHAR Text[128];
    va_list Args;

    va_start(Args, Format);
    kvsnprintf(Text, sizeof(Text), Format, Args);
    va_end(Args);
    DbgPrint("# bench-fact|%s|%s\n", Name, Text);
}

/* --- operations ------------------------------------------------------------ */

static VOID OpNothing(PVOID Context, ULONG Index)
{
    UNREFERENCED_PARAMETER(Context);
    UNREFERENCED_PARAMETER(Index);
}

static VOID OpSListPair(PVOID Context, ULONG Index)
{
    static SLIST_ENTRY Entry;

    UNREFERENCED_PARAMETER(Index);
    InterlockedPushEntrySList(Context, &Entry);
    InterlockedPopEntrySList(Context);
}

typedef struct _POOL_CONTEXT {
    POOL_TYPE Type;
    SIZE_T Size;
} POOL_CONTEXT;

static VOID OpPoolPair(PVOID Context, ULONG Index)
{
    POOL_CONTEXT *Pool = Context;

    UNREFERENCED_PARAMETER(Index);
    ExFreePoolWithTag(ExAllocatePoolWithTag(Pool->Type, Pool->Size, BENCH_TAG), BENCH_TAG);
}

static VOID OpLookasidePair(PVOID Context, ULONG Index)
{
    UNREFERENCED_PARAMETER(Index);
    ExFreeToNPagedLookasideList(Context, ExAllocateFromNPagedLookasideList(Context));
}

static VOID OpPhysicalPage(PVOID Context, ULONG Index)
{
    UNREFERENCED_PARAMETER(Context);
    UNREFERENCED_PARAMETER(Index);
    MmFreePhysicalPage(MmAllocatePhysicalPage(FALSE));
}

static VOID OpHyperspace(PVOID Context, ULONG Index)
{
    KIRQL OldIrql;
    PVOID Va;

    UNREFERENCED_PARAMETER(Index);
    Va = MiMapPageInHyperSpace(*(PPFN_NUMBER)Context, &OldIrql);
    MiUnmapPageInHyperSpace(Va, OldIrql);
}

static VOID OpTouchPage(PVOID Context, ULONG Index)
{
    ((volatile PUCHAR)Context)[(SIZE_T)Index * PAGE_SIZE] = 1;
}

static VOID OpZeroPage(PVOID Context, ULONG Index)
{
    UNREFERENCED_PARAMETER(Index);
    memset(Context, 0, PAGE_SIZE);
}

static VOID OpMdlBuild(PVOID Context, ULONG Index)
{
    PMDL Mdl = IoAllocateMdl(Context, 3000, FALSE, FALSE, NULL);

    UNREFERENCED_PARAMETER(Index);
    MmBuildMdlForNonPagedPool(Mdl);
    IoFreeMdl(Mdl);
}

static VOID OpLockAndMap(PVOID Context, ULONG Index)
{
    PMDL Mdl = Context;
    PVOID Va;

    UNREFERENCED_PARAMETER(Index);
    MmProbeAndLockPages(Mdl, KernelMode, IoWriteAccess);
    Va = MmMapLockedPagesSpecifyCache(Mdl, KernelMode, MmCached, NULL, FALSE, NormalPagePriority);
    MmUnmapLockedPages(Va, Mdl);
    MmUnlockPages(Mdl);
}

static VOID OpMapIoSpace(PVOID Context, ULONG Index)
{
    PHYSICAL_ADDRESS Physical;

    UNREFERENCED_PARAMETER(Context);
    UNREFERENCED_PARAMETER(Index);
    Physical.QuadPart = 0xB8000;
    MmUnmapIoSpace(MmMapIoSpace(Physical, PAGE_SIZE, MmNonCached), PAGE_SIZE);
}

/* --- rows -------------------------------------------------------------------- */

static VOID BenchPools(ULONG SList)
{
    static const SIZE_T Sizes[] = { 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4000, PAGE_SIZE, 4 * PAGE_SIZE };
    static const POOL_TYPE Types[] = { NonPagedPool, PagedPool };

    for (ULONG t = 0; t < RTL_NUMBER_OF(Types); t++) {
        for (ULONG s = 0; s < RTL_NUMBER_OF(Sizes); s++) {
            POOL_CONTEXT Pool = { Types[t], Sizes[s] };
            CHAR Name[64];

            ksnprintf(Name, sizeof(Name), "ExAllocatePoolWithTag+Free %s %u bytes",
                      Types[t] == PagedPool ? "paged" : "nonpaged", (ULONG)Sizes[s]);
            BenchReport(Name, BenchMeasure(OpPoolPair, &Pool, 200), "SLIST push+pop", SList, NULL);
        }
    }
}

static VOID BenchFaults(VOID)
{
    enum { PAGES = 64 };
    PUCHAR Region = MiAllocatePoolPages(MiPagedPoolPages, (BENCH_ROUNDS + 1) * PAGES * PAGE_SIZE);
    PUCHAR Mapped = ExAllocatePoolWithTag(NonPagedPool, PAGE_SIZE, BENCH_TAG);
    ULONG Fault, Touch, Zero, Flushes;

    if (Region == NULL || Mapped == NULL) {
        DbgPrint("# bench-error|demand-zero fault|no paged pool for the measurement\n");
        return;
    }
    ULONG Prezeroed;

    /* First with no zeroed pages in stock: each fault zeroes its page through hyperspace. */
    ExTrimPool();
    Flushes = MmStatistics.TbFlushSingle;
    Fault = BenchMeasure(OpTouchPage, Region, PAGES);
    Flushes = MmStatistics.TbFlushSingle - Flushes;
    Touch = BenchMeasure(OpTouchPage, Region, PAGES);   /* the same pages, mapped now */
    Zero = BenchMeasure(OpZeroPage, Mapped, 32);
    BenchReport("demand-zero fault, page zeroed in the fault", Fault,
                "the same loop over pages already mapped", Touch, NULL);
    BenchReport("zeroing one mapped page (memset)", Zero, "the same loop over pages already mapped", Touch, NULL);
    BenchFact("demand-zero fault beyond zeroing the page",
              "%d instructions (fault %u - touch %u - zeroing %u), %u.%02u invlpg per fault",
              (LONG)(Fault - Touch - Zero) / 100, Fault / 100, Touch / 100, Zero / 100,
              Flushes * 100 / (BENCH_ROUNDS * PAGES + 1) / 100, Flushes * 100 / (BENCH_ROUNDS * PAGES + 1) % 100);
    MiFreePoolPages(Region);

    /* Then as after idle time: the zeroed list has the pages, the fault only maps one. */
    Region = MiAllocatePoolPages(MiPagedPoolPages, (BENCH_ROUNDS + 1) * PAGES * PAGE_SIZE);
    Prezeroed = MiZeroFreePages((BENCH_ROUNDS + 1) * PAGES);
    Fault = BenchMeasure(OpTouchPage, Region, PAGES);
    BenchReport("demand-zero fault, page from the zeroed list", Fault, "the same loop over pages already mapped",
                Touch, Prezeroed == (BENCH_ROUNDS + 1) * PAGES ? NULL : "zeroed list ran short");
    BenchFact("demand-zero fault handler, pre-zeroed page", "%d instructions beyond the touch",
              (LONG)(Fault - Touch) / 100);
    MiFreePoolPages(Region);
    ExFreePoolWithTag(Mapped, BENCH_TAG);
}

static VOID BenchMdls(ULONG SList)
{
    PUCHAR Buffer = ExAllocatePoolWithTag(NonPagedPool, 16 * PAGE_SIZE, BENCH_TAG);
    PMDL One = IoAllocateMdl(Buffer, PAGE_SIZE, FALSE, FALSE, NULL);
    PMDL Sixteen = IoAllocateMdl(Buffer, 16 * PAGE_SIZE, FALSE, FALSE, NULL);
    ULONG Flushes = MmStatistics.TbFlushSingle, OneCost;

    BenchReport("IoAllocateMdl+MmBuildMdlForNonPagedPool+IoFreeMdl", BenchMeasure(OpMdlBuild, Buffer, 200),
                "SLIST push+pop", SList, NULL);
    OneCost = BenchMeasure(OpLockAndMap, One, 100);
    Flushes = MmStatistics.TbFlushSingle - Flushes;
    BenchReport("probe+lock+map+unmap+unlock 1 page", OneCost, "SLIST push+pop", SList, NULL);
    BenchFact("invlpg per 1-page lock+map+unmap+unlock", "%u.%02u", Flushes / (BENCH_ROUNDS * 100 + 1),
              Flushes * 100 / (BENCH_ROUNDS * 100 + 1) % 100);
    BenchReport("probe+lock+map+unmap+unlock 16 pages", BenchMeasure(OpLockAndMap, Sixteen, 100),
                "probe+lock+map+unmap+unlock 1 page", OneCost, NULL);
    IoFreeMdl(One);
    IoFreeMdl(Sixteen);
    ExFreePoolWithTag(Buffer, BENCH_TAG);
}

static VOID BenchIoSpace(ULONG SList)
{
    enum { OUTSTANDING = 10000 };
    static PVOID Mappings[OUTSTANDING];
    PHYSICAL_ADDRESS Physical;
    ULONG One, Many, Made = 0;

    One = BenchMeasure(OpMapIoSpace, NULL, 200);
    Physical.QuadPart = 0xB8000;
    while (Made < OUTSTANDING && (Mappings[Made] = MmMapIoSpace(Physical, PAGE_SIZE, MmNonCached)) != NULL)
        Made++;
    Many = BenchMeasure(OpMapIoSpace, NULL, 200);
    BenchReport("MmMapIoSpace+MmUnmapIoSpace, 1 mapping outstanding", One, "SLIST push+pop", SList, NULL);
    BenchReport("MmMapIoSpace+MmUnmapIoSpace, 10000 mappings outstanding", Many,
                "MmMapIoSpace+MmUnmapIoSpace, 1 mapping outstanding", One, Made == OUTSTANDING ? NULL : "fewer mapped");
    while (Made > 0)
        MmUnmapIoSpace(Mappings[--Made], PAGE_SIZE);
}

/* Bytes as a share of RAM, in hundredths of a percent. */
static ULONG BenchShareOfRam(ULONGLONG Bytes)
{
    return (ULONG)(Bytes * 10000 / ((ULONGLONG)MmNumberOfPhysicalPages * PAGE_SIZE));
}

static VOID BenchMetadata(VOID)
{
    ULONG Ram = MmNumberOfPhysicalPages, PfnPages = 0, PageTables = 0, Share;
    ULONG_PTR PfnBytes = (MmHighestPhysicalPage + 1) * sizeof(MMPFN);
    EX_POOL_STATISTICS NonPaged, Paged;
    ULONGLONG PoolMetadata, All;

    for (ULONG_PTR Va = ALIGN_DOWN_BY((ULONG_PTR)MmPfnDatabase, PAGE_SIZE); Va < (ULONG_PTR)MmPfnDatabase + PfnBytes; Va += PAGE_SIZE)
        PfnPages += MmIsAddressValid((PVOID)Va);
    for (ULONG Pde = 0; Pde < PTE_PER_PAGE; Pde++) {
        PMMPTE PointerPde = (PMMPTE)PDE_BASE + Pde;
        PageTables += PointerPde->u.Hard.Valid && !PointerPde->u.Hard.LargePage && Pde != PDE_SELFMAP_INDEX;
    }
    ExQueryPoolStatistics(NonPagedPool, &NonPaged);
    ExQueryPoolStatistics(PagedPool, &Paged);
    /* Pool metadata: a header per block, used or free, and the pools' own tables and bitmaps. */
    PoolMetadata = (ULONGLONG)(NonPaged.RunningAllocs - NonPaged.RunningDeAllocs + Paged.RunningAllocs -
                               Paged.RunningDeAllocs + NonPaged.FreeBlocks + Paged.FreeBlocks) * 8 +
                   ExPoolMetadataBytes() + MiPoolPageMetadataBytes();
    All = (ULONGLONG)(PfnPages + PageTables) * PAGE_SIZE + PoolMetadata;
    BenchFact("sizeof(MMPFN)", "%u bytes", (ULONG)sizeof(MMPFN));
    BenchFact("RAM", "%u pages (%u KB)", Ram, Ram * 4);
    Share = BenchShareOfRam((ULONGLONG)PfnPages * PAGE_SIZE);
    BenchFact("PFN database", "%u pages (%u KB), %u.%02u%% of RAM", PfnPages, PfnPages * 4, Share / 100, Share % 100);
    Share = BenchShareOfRam((ULONGLONG)PageTables * PAGE_SIZE);
    BenchFact("page tables", "%u (%u KB), %u.%02u%% of RAM", PageTables, PageTables * 4, Share / 100, Share % 100);
    Share = BenchShareOfRam(PoolMetadata);
    BenchFact("pool metadata", "%u bytes, %u.%02u%% of RAM", (ULONG)PoolMetadata, Share / 100, Share % 100);
    Share = BenchShareOfRam(All);
    BenchFact("MM metadata in all", "%u KB, %u.%02u%% of RAM", (ULONG)(All / 1024), Share / 100, Share % 100);
}

typedef struct _VAD_CONTEXT {
    RTL_AVL_RANGE_TABLE Table;
    ULONG Count;
    ULONG Seed;
} VAD_CONTEXT;

/* Finds the range holding a random page of a random range: every lookup hits. */
static VOID OpVadFind(PVOID Context, ULONG Index)
{
    VAD_CONTEXT *Vads = Context;

    UNREFERENCED_PARAMETER(Index);
    Vads->Seed = Vads->Seed * 1103515245 + 12345;
    if (RtlAvlFindRange(&Vads->Table, (Vads->Seed >> 8) % Vads->Count * 4 + 1) == NULL)
        DbgPrint("# bench-error|VAD find|a lookup missed\n");
}

/*
 * VADs of 3 pages with 1-page gaps (range i covers VPNs 4i..4i+2), inserted
 * in a shuffled order, looked up at random pages.
 */
static ULONG BenchVadFind(ULONG Count)
{
    PRTL_AVL_RANGE_NODE Nodes = ExAllocatePoolWithTag(NonPagedPool, Count * sizeof(RTL_AVL_RANGE_NODE), BENCH_TAG);
    VAD_CONTEXT Vads;
    ULONG Cost;

    if (Nodes == NULL) {
        DbgPrint("# bench-error|VAD find|no pool for %u nodes\n", Count);
        return 0;
    }
    RtlAvlInitializeTable(&Vads.Table);
    Vads.Count = Count;
    Vads.Seed = 0x2468ACE;
    for (ULONG i = 0; i < Count; i++) {
        /* i * 7919 mod Count visits every slot once when Count is not a multiple of 7919. */
        ULONG Slot = (ULONG)(((ULONGLONG)i * 7919) % Count);

        Nodes[i].StartingVpn = Slot * 4;
        Nodes[i].EndingVpn = Slot * 4 + 2;
        RtlAvlInsertRange(&Vads.Table, &Nodes[i]);
    }
    if (Vads.Table.NumberOfNodes != Count)
        DbgPrint("# bench-error|VAD find|%u of %u ranges inserted\n", Vads.Table.NumberOfNodes, Count);
    Cost = BenchMeasure(OpVadFind, &Vads, 1000);
    ExFreePoolWithTag(Nodes, BENCH_TAG);
    return Cost;
}

/* --- sections (issue 14) -------------------------------------------------------- */

typedef struct _VIEW_CONTEXT {
    HANDLE Section;
    ULONG Pages;
} VIEW_CONTEXT;

/* A view of the section anywhere in the System process, each page touched, then unmapped. */
static VOID OpViewMapTouchUnmap(PVOID Context, ULONG Index)
{
    VIEW_CONTEXT *View = Context;
    PVOID Base = NULL;
    SIZE_T Size = 0;

    UNREFERENCED_PARAMETER(Index);
    ZwMapViewOfSection(View->Section, NtCurrentProcess(), &Base, 0, 0, NULL, &Size, ViewShare, 0, PAGE_READWRITE);
    for (ULONG i = 0; i < View->Pages; i++)
        ((volatile PUCHAR)Base)[(SIZE_T)i * PAGE_SIZE] = 1;
    ZwUnmapViewOfSection(NtCurrentProcess(), Base);
}

/* The same pages as private memory: reserved and committed, touched, released. */
static VOID OpPrivateAllocateTouchFree(PVOID Context, ULONG Index)
{
    VIEW_CONTEXT *View = Context;
    SIZE_T Size = (SIZE_T)View->Pages * PAGE_SIZE;
    PVOID Base = NULL;

    UNREFERENCED_PARAMETER(Index);
    ZwAllocateVirtualMemory(NtCurrentProcess(), &Base, 0, &Size, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    for (ULONG i = 0; i < View->Pages; i++)
        ((volatile PUCHAR)Base)[(SIZE_T)i * PAGE_SIZE] = 1;
    Size = 0;
    ZwFreeVirtualMemory(NtCurrentProcess(), &Base, &Size, MEM_RELEASE);
}

static PVOID BenchMapView(HANDLE Section)
{
    PVOID Base = NULL;
    SIZE_T Size = 0;

    return NT_SUCCESS(ZwMapViewOfSection(Section, NtCurrentProcess(), &Base, 0, 0, NULL, &Size, ViewShare, 0,
                                         PAGE_READWRITE))
               ? Base
               : NULL;
}

/*
 * A view mapped, touched and unmapped next to the same pages as private
 * memory; then one fault per page: through a prototype PTE to a new page,
 * through one whose page another view made resident, and a private
 * demand-zero fault, each page taken from the zeroed list.
 */
static VOID BenchSections(VOID)
{
    enum { PAGES = 64, VIEW_PAGES = 4 };
    SIZE_T RegionSize = (BENCH_ROUNDS + 1) * PAGES * PAGE_SIZE;
    VIEW_CONTEXT View = { NULL, VIEW_PAGES };
    LARGE_INTEGER Size;
    PVOID First, Second, Private = NULL;
    ULONG New, Resident, Demand, Touch;

    Size.QuadPart = VIEW_PAGES * PAGE_SIZE;
    if (!NT_SUCCESS(ZwCreateSection(&View.Section, SECTION_ALL_ACCESS, NULL, &Size, PAGE_READWRITE, SEC_COMMIT,
                                    NULL))) {
        DbgPrint("# bench-error|section view map+touch+unmap|no section\n");
        return;
    }
    BenchReport("section view map+touch+unmap (4 pages resident in the section)",
                BenchMeasure(OpViewMapTouchUnmap, &View, 50),
                "private reserve+commit+touch+release of 4 pages", BenchMeasure(OpPrivateAllocateTouchFree, &View, 50),
                NULL);
    ZwClose(View.Section);

    Size.QuadPart = RegionSize;
    if (!NT_SUCCESS(ZwCreateSection(&View.Section, SECTION_ALL_ACCESS, NULL, &Size, PAGE_READWRITE, SEC_COMMIT,
                                    NULL)) ||
        !NT_SUCCESS(ZwAllocateVirtualMemory(NtCurrentProcess(), &Private, 0, &RegionSize, MEM_RESERVE | MEM_COMMIT,
                                            PAGE_READWRITE))) {
        DbgPrint("# bench-error|prototype-PTE fault|no section or private memory for the measurement\n");
        return;
    }
    First = BenchMapView(View.Section);
    Second = BenchMapView(View.Section);
    MiZeroFreePages(3 * (BENCH_ROUNDS + 1) * PAGES);
    Demand = BenchMeasure(OpTouchPage, Private, PAGES);
    New = BenchMeasure(OpTouchPage, First, PAGES);
    Resident = BenchMeasure(OpTouchPage, Second, PAGES);
    Touch = BenchMeasure(OpTouchPage, Second, PAGES);
    BenchReport("private demand-zero fault (user page, zeroed list)", Demand,
                "the same loop over pages already mapped", Touch, NULL);
    BenchReport("prototype-PTE fault, new page (SEC_COMMIT view)", New,
                "private demand-zero fault (user page, zeroed list)", Demand, NULL);
    BenchReport("prototype-PTE fault, page another view made resident", Resident,
                "private demand-zero fault (user page, zeroed list)", Demand, NULL);
    ZwUnmapViewOfSection(NtCurrentProcess(), Second);
    ZwUnmapViewOfSection(NtCurrentProcess(), First);
    ZwClose(View.Section);
    RegionSize = 0;
    ZwFreeVirtualMemory(NtCurrentProcess(), &Private, &RegionSize, MEM_RELEASE);
}

VOID KtRunBenchmarks(ULONGLONG FirstOutputTsc)
{
    SLIST_HEADER SList;
    NPAGED_LOOKASIDE_LIST Lookaside;
    PFN_NUMBER Page = MmAllocatePhysicalPage(TRUE);
    ULONG SListPair, Harness;

    BenchFact("kernel entry to first output", "%llu instructions", FirstOutputTsc - KiBootTsc);
    BenchMetadata();            /* at rest, before the rows below make page tables of their own */
    InitializeSListHead(&SList);
    Harness = BenchMeasure(OpNothing, NULL, 1000);
    SListPair = BenchMeasure(OpSListPair, &SList, 1000);
    BenchReport("harness (an empty operation)", Harness, "harness (an empty operation)", Harness, NULL);
    BenchReport("SLIST push+pop", SListPair, "SLIST push+pop", SListPair, NULL);
    BenchPools(SListPair);
    ExInitializeNPagedLookasideList(&Lookaside, NULL, NULL, 0, 64, BENCH_TAG, 0);
    BenchReport("lookaside allocate+free", BenchMeasure(OpLookasidePair, &Lookaside, 1000), "SLIST push+pop",
                SListPair, NULL);
    ExDeleteNPagedLookasideList(&Lookaside);
    BenchReport("physical page from the free list and back", BenchMeasure(OpPhysicalPage, NULL, 200),
                "SLIST push+pop", SListPair, NULL);
    BenchReport("hyperspace map+unmap", BenchMeasure(OpHyperspace, &Page, 200), "SLIST push+pop", SListPair, NULL);
    MmFreePhysicalPage(Page);
    BenchFaults();
    BenchMdls(SListPair);
    BenchIoSpace(SListPair);
    {
        ULONG Thousand = BenchVadFind(1000);

        BenchReport("VAD tree find, 1,000 VADs (RtlAvlFindRange)", Thousand, "SLIST push+pop", SListPair, NULL);
        BenchReport("VAD tree find, 100,000 VADs", BenchVadFind(100000), "VAD tree find, 1,000 VADs (RtlAvlFindRange)",
                    Thousand, NULL);
    }
    DbgPrint("# bench-missing|NtAllocateVirtualMemory reserve+commit+touch+release|no process address spaces yet\n");
    BenchSections();
    DbgPrint("# bench: done\n");
}
