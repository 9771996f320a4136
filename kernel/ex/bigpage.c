/*
 * bigpage.c: the big-page table, NT's PoolBigPageTable. Allocations of whole
 * pages carry no header, so their tag and length live here, keyed by their
 * start address: an open-addressing hash table with linear probing, grown
 * to twice its size when three quarters full, entries removed by shifting
 * the rest of their cluster back (no tombstones, so lookups stay short).
 * The table lives in nonpaged pages of its own and is changed at
 * DISPATCH_LEVEL, or above it when the caller is there already: a free
 * from too high an IRQL looks its block up before the pool stops it with
 * BAD_POOL_CALLER.
 */
#include "exp.h"

typedef struct _POOL_TRACKER_BIG_PAGES {
    PVOID Va;                 /* NULL: empty slot */
    ULONG Key;                /* the tag, PoolType's base type in the top bit */
    ULONG NumberOfPages;
} POOL_TRACKER_BIG_PAGES, *PPOOL_TRACKER_BIG_PAGES;

#define BIG_PAGE_INITIAL_ENTRIES 256    /* a power of two; the table doubles as it fills */
#define BIG_PAGE_PAGED_BIT 0x80000000

static PPOOL_TRACKER_BIG_PAGES ExpBigPageTable;
static ULONG ExpBigPageTableSize, ExpBigPageCount;

static ULONG ExpBigPageHash(PVOID Va, ULONG Size)
{
    return (ULONG)(((ULONG_PTR)Va >> PAGE_SHIFT) * 0x9E3779B1u) & (Size - 1);
}

static VOID ExpLockBigPages(PKIRQL OldIrql)
{
    KIRQL Irql = KeGetCurrentIrql();

    KeRaiseIrql(Irql > DISPATCH_LEVEL ? Irql : DISPATCH_LEVEL, OldIrql);
}

static PPOOL_TRACKER_BIG_PAGES ExpAllocateTable(ULONG Entries)
{
    PPOOL_TRACKER_BIG_PAGES Table = MiAllocatePoolPages(MiNonPagedPoolPages, Entries * sizeof(*Table));

    if (Table != NULL)
        memset(Table, 0, Entries * sizeof(*Table));
    return Table;
}

VOID ExpInitializeBigPageTable(VOID)
{
    ExpBigPageTable = ExpAllocateTable(BIG_PAGE_INITIAL_ENTRIES);
    if (ExpBigPageTable == NULL)
        KeBugCheckEx(MUST_SUCCEED_POOL_EMPTY, BIG_PAGE_INITIAL_ENTRIES * sizeof(POOL_TRACKER_BIG_PAGES), 0, 0, 0);
    ExpBigPageTableSize = BIG_PAGE_INITIAL_ENTRIES;
}

BOOLEAN ExpIsBigPageTableStorage(PVOID Va)
{
    return (PUCHAR)Va >= (PUCHAR)ExpBigPageTable &&
           (PUCHAR)Va < (PUCHAR)(ExpBigPageTable + ExpBigPageTableSize);
}

static VOID ExpPlace(PPOOL_TRACKER_BIG_PAGES Table, ULONG Size, const POOL_TRACKER_BIG_PAGES *Entry)
{
    ULONG i = ExpBigPageHash(Entry->Va, Size);

    while (Table[i].Va != NULL)
        i = (i + 1) & (Size - 1);
    Table[i] = *Entry;
}

/* Doubles the table; if no pages can be had, the old one stays (and fills further). */
static VOID ExpGrowBigPageTable(VOID)
{
    ULONG NewSize = ExpBigPageTableSize * 2;
    PPOOL_TRACKER_BIG_PAGES NewTable = ExpAllocateTable(NewSize), Old = ExpBigPageTable;

    if (NewTable == NULL)
        return;
    for (ULONG i = 0; i < ExpBigPageTableSize; i++) {
        if (Old[i].Va != NULL)
            ExpPlace(NewTable, NewSize, &Old[i]);
    }
    ExpBigPageTable = NewTable;
    ExpBigPageTableSize = NewSize;
    MiFreePoolPages(Old);
}

BOOLEAN ExpInsertBigPage(PVOID Va, ULONG Tag, ULONG Pages, POOL_TYPE PoolType)
{
    POOL_TRACKER_BIG_PAGES Entry = { Va, (Tag & EXP_TAG_MASK) | ((PoolType & BASE_POOL_TYPE_MASK) ? BIG_PAGE_PAGED_BIT : 0), Pages };
    KIRQL OldIrql;

    ExpLockBigPages(&OldIrql);
    if ((ExpBigPageCount + 1) * 4 > ExpBigPageTableSize * 3)
        ExpGrowBigPageTable();
    if (ExpBigPageCount + 1 == ExpBigPageTableSize) {
        KeLowerIrql(OldIrql);
        return FALSE;
    }
    ExpPlace(ExpBigPageTable, ExpBigPageTableSize, &Entry);
    ExpBigPageCount++;
    KeLowerIrql(OldIrql);
    return TRUE;
}

static LONG ExpFindSlot(PVOID Va)
{
    ULONG i = ExpBigPageHash(Va, ExpBigPageTableSize);

    while (ExpBigPageTable[i].Va != NULL) {
        if (ExpBigPageTable[i].Va == Va)
            return (LONG)i;
        i = (i + 1) & (ExpBigPageTableSize - 1);
    }
    return -1;
}

/* Tag and pages of the big allocation at Va; FALSE when none starts there. */
BOOLEAN ExpFindBigPage(PVOID Va, PULONG Tag, PULONG Pages)
{
    KIRQL OldIrql;
    LONG Slot;

    ExpLockBigPages(&OldIrql);
    Slot = ExpFindSlot(Va);
    if (Slot >= 0) {
        *Tag = ExpBigPageTable[Slot].Key & ~BIG_PAGE_PAGED_BIT;
        *Pages = ExpBigPageTable[Slot].NumberOfPages;
    }
    KeLowerIrql(OldIrql);
    return Slot >= 0;
}

BOOLEAN ExpRemoveBigPage(PVOID Va, PULONG Tag, PULONG Pages)
{
    ULONG Mask = ExpBigPageTableSize - 1, Hole, i;
    KIRQL OldIrql;
    LONG Slot;

    ExpLockBigPages(&OldIrql);
    Slot = ExpFindSlot(Va);
    if (Slot < 0) {
        KeLowerIrql(OldIrql);
        return FALSE;
    }
    *Tag = ExpBigPageTable[Slot].Key & ~BIG_PAGE_PAGED_BIT;
    *Pages = ExpBigPageTable[Slot].NumberOfPages;
    /* Shift later members of the cluster back into the hole when their home allows it. */
    Hole = (ULONG)Slot;
    for (i = (Hole + 1) & Mask; ExpBigPageTable[i].Va != NULL; i = (i + 1) & Mask) {
        ULONG Home = ExpBigPageHash(ExpBigPageTable[i].Va, ExpBigPageTableSize);

        if (((i - Home) & Mask) >= ((i - Hole) & Mask)) {
            ExpBigPageTable[Hole] = ExpBigPageTable[i];
            Hole = i;
        }
    }
    ExpBigPageTable[Hole].Va = NULL;
    ExpBigPageCount--;
    KeLowerIrql(OldIrql);
    return TRUE;
}

ULONG ExpBigPageTableBytes(VOID)
{
    return ExpBigPageTableSize * sizeof(POOL_TRACKER_BIG_PAGES);
}
