/*
 * benchscale.c: the allocators against what they already hold. Each row
 * measures one operation with N of something in place (distinct pool tags,
 * one-page holes below where the allocator last looked, live pool blocks)
 * next to the same operation with N = 10 measured in the same boot; the
 * target is that no row costs more than 1.2 times its n = 10 row.
 */
#include <ntddk.h>
#include <ke.h>
#include <mm.h>
#include <kprintf.h>
#include "bench.h"

#define BENCH_SCALE_TARGET 120             /* hundredths of the n = 10 row */
#define BENCH_SCALE_MAXIMUM 10000
#define BENCH_TAG_BASE 'A0cS'              /* tags BENCH_TAG_BASE + i, all distinct */

static const ULONG BenchScales[] = { 10, 100, 1000, BENCH_SCALE_MAXIMUM };

/* A row and its target against the first (n = 10) row of its series. */
static VOID BenchScaleRow(BENCH_FIGURE *Row, const BENCH_FIGURE *First, PCSTR Note)
{
    CHAR What[128];

    BenchReport(Row, First, Note);
    if (Row != First) {
        ksnprintf(What, sizeof(What), "%s: times the n = 10 row", Row->Name);
        BenchTarget(What, BenchRatio(Row, First), BENCH_SCALE_TARGET);
    }
}

/* --- pool tags ------------------------------------------------------------------ */

/* A 16-byte pair under one of the N tags in turn, so every pair looks its tag up afresh. */
static VOID OpPoolPairTags(PVOID Context, ULONG Index)
{
    ULONG Tag = BENCH_TAG_BASE + Index % *(PULONG)Context;

    ExFreePoolWithTag(ExAllocatePoolWithTag(NonPagedPool, 16, Tag), Tag);
}

static VOID BenchTags(VOID)
{
    BENCH_FIGURE Rows[RTL_NUMBER_OF(BenchScales)];

    for (ULONG s = 0; s < RTL_NUMBER_OF(BenchScales); s++) {
        ULONG Count = BenchScales[s];
        CHAR Name[96];

        for (ULONG i = 0; i < Count; i++)
            OpPoolPairTags(&Count, i);
        ksnprintf(Name, sizeof(Name), "pool pair, 16 bytes, cycling through %u distinct tags", Count);
        Rows[s] = BenchMeasure(Name, OpPoolPairTags, &Count, 1000);
        BenchScaleRow(&Rows[s], &Rows[0], NULL);
    }
}

/* --- holes below the allocators' hint ---------------------------------------------- */

typedef PVOID (*BENCH_MAP)(ULONG Pages);
typedef VOID (*BENCH_UNMAP)(PVOID Va, ULONG Pages);

typedef struct _BENCH_CHURN {
    BENCH_MAP Map;
    BENCH_UNMAP Unmap;
    BOOLEAN FillInitialPool;          /* nonpaged pool: see BenchFillInitialPool */
} BENCH_CHURN;

static PVOID BenchMapPool(ULONG Pages)
{
    return ExAllocatePoolWithTag(NonPagedPool, (SIZE_T)Pages * PAGE_SIZE, BENCH_TAG);
}

static VOID BenchUnmapPool(PVOID Va, ULONG Pages)
{
    UNREFERENCED_PARAMETER(Pages);
    ExFreePoolWithTag(Va, BENCH_TAG);
}

static PVOID BenchMapIo(ULONG Pages)
{
    PHYSICAL_ADDRESS Physical;

    Physical.QuadPart = 0xB8000;
    return MmMapIoSpace(Physical, (SIZE_T)Pages * PAGE_SIZE, MmNonCached);
}

static VOID BenchUnmapIo(PVOID Va, ULONG Pages)
{
    MmUnmapIoSpace(Va, (SIZE_T)Pages * PAGE_SIZE);
}

/*
 * Takes every free page of the initial nonpaged pool, linked through the
 * pages themselves, so a row of the pool churn works in expansion pages
 * only: a row with few holes would otherwise get resident initial pages
 * that cost less to hand out, and one whose allocations grew the big-page
 * table would find the old table's pages, freed in the initial pool, as
 * a run of free pages below its holes.
 */
static PVOID BenchFillInitialPool(VOID)
{
    PVOID Head = NULL;

    for (;;) {
        PVOID *Page = BenchMapPool(1);

        if (Page == NULL)
            return Head;
        if ((ULONG_PTR)Page - (ULONG_PTR)MmNonPagedPoolStart >=
            (ULONG_PTR)MmNonPagedPoolEnd - (ULONG_PTR)MmNonPagedPoolStart) {
            BenchUnmapPool(Page, 1);
            return Head;
        }
        *Page = Head;
        Head = Page;
    }
}

static VOID BenchDrainInitialPool(PVOID Head)
{
    while (Head != NULL) {
        PVOID Next = *(PVOID *)Head;

        BenchUnmapPool(Head, 1);
        Head = Next;
    }
}

/* A one-page and a two-page allocation, both given back: the first fills a hole, the second needs a run. */
static VOID OpChurn(PVOID Context, ULONG Index)
{
    BENCH_CHURN *Churn = Context;
    PVOID One = Churn->Map(1), Two = Churn->Map(2);

    UNREFERENCED_PARAMETER(Index);
    if (One == NULL || Two == NULL)
        DbgPrint("# bench-error|churn|an allocation failed\n");
    Churn->Unmap(Two, 2);
    Churn->Unmap(One, 1);
}

/*
 * The churn with N one-page holes: 2N + 1 one-page allocations, then
 * every other one of the first 2N given back, leaving holes below
 * everything allocated since. A first pass makes and frees as many, so
 * that tables growing with the allocations (the pool's big-page table)
 * have their final size before the holes are made: the storage a table
 * leaves when it moves would otherwise be a longer hole among them.
 */
static VOID BenchChurn(PCSTR What, BENCH_CHURN *Churn)
{
    static PVOID Held[2 * BENCH_SCALE_MAXIMUM + 1];
    BENCH_FIGURE Rows[RTL_NUMBER_OF(BenchScales)];

    for (ULONG s = 0; s < RTL_NUMBER_OF(BenchScales); s++) {
        ULONG Holes = BenchScales[s], Made = 0;
        CHAR Name[96];

        PVOID InitialPool = NULL;

        while (Made < 2 * Holes + 1 && (Held[Made] = Churn->Map(1)) != NULL)
            Made++;
        while (Made > 0)
            Churn->Unmap(Held[--Made], 1);
        if (Churn->FillInitialPool)
            InitialPool = BenchFillInitialPool();
        while (Made < 2 * Holes + 1 && (Held[Made] = Churn->Map(1)) != NULL)
            Made++;
        for (ULONG i = 0; i + 1 < Made; i += 2)
            Churn->Unmap(Held[i], 1);
        ksnprintf(Name, sizeof(Name), "%s, %u one-page holes below", What, Holes);
        Rows[s] = BenchMeasure(Name, OpChurn, Churn, 50);
        BenchScaleRow(&Rows[s], &Rows[0], Made == 2 * Holes + 1 ? NULL : "fewer holes: the range ran out");
        for (ULONG i = 1; i < Made; i += 2)
            Churn->Unmap(Held[i], 1);
        if (Made % 2 == 1)
            Churn->Unmap(Held[Made - 1], 1);
        BenchDrainInitialPool(InitialPool);
    }
}

/* --- live blocks ----------------------------------------------------------------- */

static const SIZE_T BenchMixedSizes[] = { 16, 24, 40, 64, 100, 200, 256, 400, 700, 1000, 1500, 2500, 4000 };

/* A pair of each mixed size in turn, so the lookaside lists and the block allocator both take part. */
static VOID OpPoolPairMixed(PVOID Context, ULONG Index)
{
    UNREFERENCED_PARAMETER(Context);
    ExFreePoolWithTag(ExAllocatePoolWithTag(NonPagedPool, BenchMixedSizes[Index % RTL_NUMBER_OF(BenchMixedSizes)],
                                            BENCH_TAG), BENCH_TAG);
}

static VOID BenchLiveBlocks(VOID)
{
    static PVOID Live[BENCH_SCALE_MAXIMUM];
    BENCH_FIGURE Rows[RTL_NUMBER_OF(BenchScales)];
    ULONG Made = 0;

    for (ULONG s = 0; s < RTL_NUMBER_OF(BenchScales); s++) {
        CHAR Name[96];

        /* Sizes in an order unrelated to the measured one, so the live blocks interleave. */
        while (Made < BenchScales[s]) {
            Live[Made] = ExAllocatePoolWithTag(NonPagedPool, BenchMixedSizes[(Made * 7) % RTL_NUMBER_OF(BenchMixedSizes)],
                                               BENCH_TAG);
            if (Live[Made] == NULL)
                break;
            Made++;
        }
        ksnprintf(Name, sizeof(Name), "pool pair of mixed sizes (16 to 4000 bytes), %u live blocks", BenchScales[s]);
        Rows[s] = BenchMeasure(Name, OpPoolPairMixed, NULL, 13 * 20);
        BenchScaleRow(&Rows[s], &Rows[0], Made == BenchScales[s] ? NULL : "fewer live blocks: the pool ran out");
    }
    while (Made > 0)
        ExFreePoolWithTag(Live[--Made], BENCH_TAG);
}

VOID BenchScale(VOID)
{
    BENCH_CHURN Pool = { BenchMapPool, BenchUnmapPool, TRUE }, Io = { BenchMapIo, BenchUnmapIo, FALSE };

    BenchLiveBlocks();
    BenchChurn("nonpaged pool expansion pages: 1 and 2 pages allocated and freed", &Pool);
    BenchChurn("system PTEs: MmMapIoSpace of 1 and 2 pages, both unmapped", &Io);
    BenchTags();
}
