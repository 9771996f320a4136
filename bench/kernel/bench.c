/*
 * bench.c: the benchmark kernel's harness and its rows for the pool, the
 * page lists, faults, MDLs and I/O space (a "bench" boot; tools/bench.py
 * runs QEMU with -icount shift=0 and reads the "# bench" lines).
 *
 * Under -icount shift=0 the TSC advances by exactly one per guest
 * instruction, so an rdtsc difference is an instruction count, and the
 * same state gives the same count every time: a row runs its operation
 * Iterations times per round, with interrupts off so no clock tick lands
 * inside, and reports the first round (after one warm-up call), with the
 * other rounds' range only when they differ. The timing bracket's own
 * instructions (the rdtscs, the loop's set-up) are measured once and
 * taken off; the call and loop around each operation are the "harness"
 * row, printed and taken off as the net figure. Every row stands next to a
 * reference measured in the same boot, and ratios are net over net.
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
#include "bench.h"

extern ULONGLONG KiBootTsc;

BENCH_FIGURE BenchHarness, BenchSList;
static ULONG BenchBracket;

/* One round: Iterations operations from Index First, in instructions. noinline: every row runs the same code. */
static ULONG __attribute__((noinline)) BenchRound(BENCH_OPERATION Operation, PVOID Context, ULONG First,
                                                   ULONG Iterations)
{
    ULONGLONG Start, End;

    _disable();
    Start = __rdtsc();
    for (ULONG i = 0; i < Iterations; i++)
        Operation(Context, First + i);
    End = __rdtsc();
    _enable();
    return (ULONG)(End - Start);
}

BENCH_FIGURE BenchFigure(PCSTR Name, ULONG Gross, ULONG Net)
{
    BENCH_FIGURE Figure;

    ksnprintf(Figure.Name, sizeof(Figure.Name), "%s", Name);
    Figure.Gross = Figure.Low = Figure.High = Gross;
    Figure.Net = Net;
    return Figure;
}

BENCH_FIGURE BenchMeasure(PCSTR Name, BENCH_OPERATION Operation, PVOID Context, ULONG Iterations)
{
    BENCH_FIGURE Figure;

    Operation(Context, BENCH_ROUNDS * Iterations);          /* warm: first-use paths out of the way */
    for (ULONG Round = 0; Round < BENCH_ROUNDS; Round++) {
        ULONG Count = BenchRound(Operation, Context, Round * Iterations, Iterations) - BenchBracket;
        ULONG PerOperation = (ULONG)(((ULONGLONG)Count * 100) / Iterations);

        if (Round == 0) {
            Figure = BenchFigure(Name, PerOperation, 0);
        } else {
            Figure.Low = PerOperation < Figure.Low ? PerOperation : Figure.Low;
            Figure.High = PerOperation > Figure.High ? PerOperation : Figure.High;
        }
    }
    Figure.Net = Figure.Gross > BenchHarness.Gross ? Figure.Gross - BenchHarness.Gross : 0;
    return Figure;
}

ULONG BenchRatio(const BENCH_FIGURE *Row, const BENCH_FIGURE *Reference)
{
    return Reference->Net != 0 ? (ULONG)(((ULONGLONG)Row->Net * 100 + Reference->Net / 2) / Reference->Net) : 0;
}

#define BENCH_HUNDREDTHS(Value) (Value) / 100, (Value) % 100

/* "# bench|row|gross|net|reference|reference net|note"; the rounds' range joins the note when they differ. */
VOID BenchReport(const BENCH_FIGURE *Row, const BENCH_FIGURE *Reference, PCSTR Note)
{
    CHAR Spread[64] = "";

    if (Row->Low != Row->High)
        ksnprintf(Spread, sizeof(Spread), "%srounds differ: %u.%02u to %u.%02u", Note != NULL ? "; " : "",
                  BENCH_HUNDREDTHS(Row->Low), BENCH_HUNDREDTHS(Row->High));
    DbgPrint("# bench|%s|%u.%02u|%u.%02u|%s|%u.%02u|%s%s\n", Row->Name, BENCH_HUNDREDTHS(Row->Gross),
             BENCH_HUNDREDTHS(Row->Net), Reference->Name, BENCH_HUNDREDTHS(Reference->Net), Note != NULL ? Note : "",
             Spread);
}

VOID BenchFact(PCSTR Name, PCSTR Format, ...)
{
    CHAR Text[160];
    va_list Args;

    va_start(Args, Format);
    kvsnprintf(Text, sizeof(Text), Format, Args);
    va_end(Args);
    DbgPrint("# bench-fact|%s|%s\n", Name, Text);
}

VOID BenchTarget(PCSTR What, ULONG Figure, ULONG Bound)
{
    DbgPrint("# bench-target|%s|%u.%02u|%u.%02u\n", What, BENCH_HUNDREDTHS(Figure), BENCH_HUNDREDTHS(Bound));
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

/* An empty try block, left by falling out of it: what every probe of a caller's buffer costs on top. */
static VOID OpTryBlock(PVOID Context, ULONG Index)
{
    UNREFERENCED_PARAMETER(Index);
    _SEH2_TRY {
        *(volatile ULONG *)Context = 0;
    } _SEH2_EXCEPT(EXCEPTION_EXECUTE_HANDLER) {
    } _SEH2_END;
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

/* The instruction the kernel zeroes a page with, and nothing else (the row's net is the zeroing itself). */
static VOID OpZeroPage(PVOID Context, ULONG Index)
{
    ULONG Count = PAGE_SIZE / sizeof(ULONG);

    UNREFERENCED_PARAMETER(Index);
    __asm__ volatile("rep stosl" : "+D"(Context), "+c"(Count) : "a"(0) : "memory");
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

/* The pool's fast path target: a lookaside pair, NT's checks kept, in at most this many instructions net. */
#define BENCH_POOL_PAIR_TARGET 120

static VOID BenchPools(VOID)
{
    static const SIZE_T Sizes[] = { 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4000, PAGE_SIZE, 4 * PAGE_SIZE };
    static const POOL_TYPE Types[] = { NonPagedPool, PagedPool };

    for (ULONG t = 0; t < RTL_NUMBER_OF(Types); t++) {
        for (ULONG s = 0; s < RTL_NUMBER_OF(Sizes); s++) {
            POOL_CONTEXT Pool = { Types[t], Sizes[s] };
            BENCH_FIGURE Row;
            CHAR Name[64];

            ksnprintf(Name, sizeof(Name), "ExAllocatePoolWithTag+Free %s %u bytes",
                      Types[t] == PagedPool ? "paged" : "nonpaged", (ULONG)Sizes[s]);
            Row = BenchMeasure(Name, OpPoolPair, &Pool, 200);
            BenchReport(&Row, &BenchSList, NULL);
            if (Sizes[s] == 16) {
                ksnprintf(Name, sizeof(Name), "%s pool pair, 16 bytes (lookaside): net instructions",
                          Types[t] == PagedPool ? "paged" : "nonpaged");
                BenchTarget(Name, Row.Net, BENCH_POOL_PAIR_TARGET * 100);
            }
        }
    }
}

/* The fault handler's target: at most this many instructions beyond zeroing the page. */
#define BENCH_FAULT_TARGET 150

/* Returns the demand-zero row (page zeroed in the fault), the reference of the ring-3 rows. */
static BENCH_FIGURE BenchFaults(VOID)
{
    enum { PAGES = 64 };
    PUCHAR Region = MiAllocatePoolPages(MiPagedPoolPages, (BENCH_ROUNDS + 1) * PAGES * PAGE_SIZE);
    PUCHAR Mapped = ExAllocatePoolWithTag(NonPagedPool, PAGE_SIZE, BENCH_TAG);
    BENCH_FIGURE Fault, Touch, Zero, Prezeroed;
    ULONG Flushes, Beyond, Zeroed;

    if (Region == NULL || Mapped == NULL) {
        DbgPrint("# bench-error|demand-zero fault|no paged pool for the measurement\n");
        return BenchHarness;
    }
    /* First with no zeroed pages in stock: each fault zeroes its page. */
    ExTrimPool();
    Flushes = MmStatistics.TbFlushSingle;
    Fault = BenchMeasure("demand-zero fault, page zeroed in the fault", OpTouchPage, Region, PAGES);
    Flushes = MmStatistics.TbFlushSingle - Flushes;
    Touch = BenchMeasure("the same loop over pages already mapped", OpTouchPage, Region, PAGES);
    Zero = BenchMeasure("zeroing one mapped page (rep stosd)", OpZeroPage, Mapped, 32);
    BenchReport(&Fault, &Touch, NULL);
    BenchReport(&Touch, &BenchHarness, NULL);
    BenchReport(&Zero, &Touch, NULL);
    /* The handler is the fault row less the touch row (harness and the write); less the zeroing, what is left. */
    Beyond = Fault.Gross - Touch.Gross - Zero.Net;
    BenchFact("demand-zero fault beyond zeroing the page",
              "%u.%02u instructions (fault %u.%02u - touch %u.%02u - zeroing net %u.%02u), %u.%02u invlpg per fault",
              BENCH_HUNDREDTHS(Beyond), BENCH_HUNDREDTHS(Fault.Gross), BENCH_HUNDREDTHS(Touch.Gross),
              BENCH_HUNDREDTHS(Zero.Net), BENCH_HUNDREDTHS(Flushes * 100 / (BENCH_ROUNDS * PAGES + 1)));
    BenchTarget("demand-zero fault handler beyond zeroing the page: instructions", Beyond, BENCH_FAULT_TARGET * 100);
    MiFreePoolPages(Region);

    /* Then as after idle time: the zeroed list has the pages, the fault only maps one. */
    Region = MiAllocatePoolPages(MiPagedPoolPages, (BENCH_ROUNDS + 1) * PAGES * PAGE_SIZE);
    Zeroed = MiZeroFreePages((BENCH_ROUNDS + 1) * PAGES);
    Prezeroed = BenchMeasure("demand-zero fault, page from the zeroed list", OpTouchPage, Region, PAGES);
    BenchReport(&Prezeroed, &Touch, Zeroed == (BENCH_ROUNDS + 1) * PAGES ? NULL : "zeroed list ran short");
    BenchFact("demand-zero fault handler, pre-zeroed page", "%u.%02u instructions beyond the touch",
              BENCH_HUNDREDTHS(Prezeroed.Gross - Touch.Gross));
    MiFreePoolPages(Region);
    ExFreePoolWithTag(Mapped, BENCH_TAG);
    Fault.Net = Fault.Gross - Touch.Gross;      /* for the ring-3 rows: the handler, the touch taken off */
    return Fault;
}

static VOID BenchMdls(VOID)
{
    PUCHAR Buffer = ExAllocatePoolWithTag(NonPagedPool, 16 * PAGE_SIZE, BENCH_TAG);
    PMDL One = IoAllocateMdl(Buffer, PAGE_SIZE, FALSE, FALSE, NULL);
    PMDL Sixteen = IoAllocateMdl(Buffer, 16 * PAGE_SIZE, FALSE, FALSE, NULL);
    ULONG Flushes;
    BENCH_FIGURE Build, OnePage, SixteenPages;

    Build = BenchMeasure("IoAllocateMdl+MmBuildMdlForNonPagedPool+IoFreeMdl", OpMdlBuild, Buffer, 200);
    BenchReport(&Build, &BenchSList, NULL);
    Flushes = MmStatistics.TbFlushSingle;
    OnePage = BenchMeasure("probe+lock+map+unmap+unlock 1 page", OpLockAndMap, One, 100);
    Flushes = MmStatistics.TbFlushSingle - Flushes;
    BenchReport(&OnePage, &BenchSList, NULL);
    BenchFact("invlpg per 1-page lock+map+unmap+unlock", "%u.%02u",
              BENCH_HUNDREDTHS(Flushes * 100 / (BENCH_ROUNDS * 100 + 1)));
    SixteenPages = BenchMeasure("probe+lock+map+unmap+unlock 16 pages", OpLockAndMap, Sixteen, 100);
    BenchReport(&SixteenPages, &OnePage, NULL);
    IoFreeMdl(One);
    IoFreeMdl(Sixteen);
    ExFreePoolWithTag(Buffer, BENCH_TAG);
}

static VOID BenchIoSpace(VOID)
{
    enum { OUTSTANDING = 10000 };
    static PVOID Mappings[OUTSTANDING];
    PHYSICAL_ADDRESS Physical;
    BENCH_FIGURE One, Many;
    ULONG Made = 0;

    One = BenchMeasure("MmMapIoSpace+MmUnmapIoSpace, 1 mapping outstanding", OpMapIoSpace, NULL, 200);
    Physical.QuadPart = 0xB8000;
    while (Made < OUTSTANDING && (Mappings[Made] = MmMapIoSpace(Physical, PAGE_SIZE, MmNonCached)) != NULL)
        Made++;
    Many = BenchMeasure("MmMapIoSpace+MmUnmapIoSpace, 10000 mappings outstanding", OpMapIoSpace, NULL, 200);
    BenchReport(&One, &BenchSList, NULL);
    BenchReport(&Many, &One, Made == OUTSTANDING ? NULL : "fewer mapped");
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
static BENCH_FIGURE BenchVadFind(PCSTR Name, ULONG Count)
{
    PRTL_AVL_RANGE_NODE Nodes = ExAllocatePoolWithTag(NonPagedPool, Count * sizeof(RTL_AVL_RANGE_NODE), BENCH_TAG);
    VAD_CONTEXT Vads;
    BENCH_FIGURE Figure;

    if (Nodes == NULL) {
        DbgPrint("# bench-error|VAD find|no pool for %u nodes\n", Count);
        return BenchHarness;
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
    Figure = BenchMeasure(Name, OpVadFind, &Vads, 1000);
    ExFreePoolWithTag(Nodes, BENCH_TAG);
    return Figure;
}

VOID KtRunBenchmarks(ULONGLONG FirstOutputTsc)
{
    SLIST_HEADER SList;
    NPAGED_LOOKASIDE_LIST Lookaside;
    PFN_NUMBER Page = MmAllocatePhysicalPage(TRUE);
    BENCH_FIGURE Row, Thousand, KernelFault;

    BenchFact("kernel entry to first output", "%llu instructions", FirstOutputTsc - KiBootTsc);
    BenchMetadata();            /* at rest, before the rows below make page tables of their own */
    BenchBracket = BenchRound(OpNothing, NULL, 0, 0);
    BenchFact("timing bracket (two rdtsc, a loop run 0 times), taken off every count", "%u instructions",
              BenchBracket);
    BenchFact("rounds per row", "%u, after one warm-up call; the first is reported", BENCH_ROUNDS);
    BenchHarness = BenchMeasure("harness (an empty operation)", OpNothing, NULL, 1000);
    BenchHarness.Net = 0;
    InitializeSListHead(&SList);
    BenchSList = BenchMeasure("SLIST push+pop", OpSListPair, &SList, 1000);
    BenchReport(&BenchHarness, &BenchHarness, "the harness: taken off every row's net figure");
    BenchReport(&BenchSList, &BenchSList, NULL);
    Row = BenchMeasure("_SEH2_TRY/_SEH2_EXCEPT entered and left normally", OpTryBlock, &Page, 1000);
    BenchReport(&Row, &BenchSList, NULL);
    BenchPools();
    ExInitializeNPagedLookasideList(&Lookaside, NULL, NULL, 0, 64, BENCH_TAG, 0);
    Row = BenchMeasure("lookaside allocate+free", OpLookasidePair, &Lookaside, 1000);
    BenchReport(&Row, &BenchSList, NULL);
    ExDeleteNPagedLookasideList(&Lookaside);
    Row = BenchMeasure("physical page from the free list and back", OpPhysicalPage, NULL, 200);
    BenchReport(&Row, &BenchSList, NULL);
    Row = BenchMeasure("hyperspace map+unmap", OpHyperspace, &Page, 200);
    BenchReport(&Row, &BenchSList, NULL);
    MmFreePhysicalPage(Page);
    KernelFault = BenchFaults();
    BenchMdls();
    BenchIoSpace();
    Thousand = BenchVadFind("VAD tree find, 1,000 VADs (RtlAvlFindRange)", 1000);
    BenchReport(&Thousand, &BenchSList, NULL);
    Row = BenchVadFind("VAD tree find, 100,000 VADs", 100000);
    BenchReport(&Row, &Thousand, NULL);
    BenchProcesses(&KernelFault);
    BenchScale();
    DbgPrint("# bench-missing|section view map+touch+unmap|no sections yet\n");
    DbgPrint("# bench: done\n");
}
