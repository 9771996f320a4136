/*
 * pooltag.c: pool tracking by tag, what poolmon shows: for each tag and
 * pool type, allocations, frees and bytes outstanding.
 *
 * A tag's counters are a record (POOL_TRACKER_TABLE) that never moves and
 * is never freed once the tag has one, so code holding a record's address
 * can count into it at any IRQL up to DISPATCH_LEVEL, a single instruction
 * per counter, whatever else happens meanwhile. The records come in blocks,
 * the first static and each later one twice the size of all before it, so
 * the i-th record is found by arithmetic and a walk over all of them needs
 * no lock. An index finds a tag's record: open addressing by a Fibonacci
 * hash of the tag, linear probing, never more than half full; when an
 * insertion would pass that, the index is rebuilt at twice the size in
 * pages of its own and the old one freed. The index is read and changed
 * only at DISPATCH_LEVEL, which on one processor keeps every other user
 * out, so a rebuild can never pull it from under a reader.
 *
 * Nobody reaches the index on a fast path: the pool's lookaside lists and
 * descriptors each remember the record of the last tag they counted
 * (ExpTrackerFor), and only a different tag comes here. When no page can
 * be had for a record or a larger index, the tag shares the overflow
 * record 'Ovfl', as tags did in NT's fixed table once it was full.
 */
#include "exp.h"
#include <ex.h>
#include <vf.h>

#define POOL_TRACKER_FIRST_RECORDS 512u         /* the static block; block k > 0 holds 512 << (k - 1) */
#define POOL_TRACKER_RECORD_BLOCKS 16           /* up to 512 << 15 records: more tags than tag values in use */
#define POOL_TRACKER_FIRST_INDEX_SHIFT 22       /* the static index: 2^(32 - 22) = 1024 slots */
#define POOL_TRACKER_FIRST_INDEX_SLOTS (1u << (32 - POOL_TRACKER_FIRST_INDEX_SHIFT))
#define POOL_TRACKER_OVERFLOW_TAG 'lfvO'

static POOL_TRACKER_TABLE ExpFirstTrackers[POOL_TRACKER_FIRST_RECORDS];
static PPOOL_TRACKER_TABLE ExpTrackerBlocks[POOL_TRACKER_RECORD_BLOCKS] = { ExpFirstTrackers };
static ULONG ExpTrackerBlockCount = 1;
static volatile ULONG ExpTrackerRecords;       /* handed out, in order */
static PPOOL_TRACKER_TABLE ExpFirstTrackIndex[POOL_TRACKER_FIRST_INDEX_SLOTS];

PPOOL_TRACKER_TABLE *ExpTrackIndex = ExpFirstTrackIndex;
ULONG ExpTrackIndexShift = POOL_TRACKER_FIRST_INDEX_SHIFT;
POOL_TRACKER_TABLE ExpPoolTrackOverflow = { POOL_TRACKER_OVERFLOW_TAG, { { 0, 0, 0 }, { 0, 0, 0 } } };
POOL_TRACKER_TABLE ExpNoTracker = { POOL_TRACKER_NO_KEY, { { 0, 0, 0 }, { 0, 0, 0 } } };

#define ExpTrackIndexSlots() (1u << (32 - ExpTrackIndexShift))
/* Records in the blocks so far: as many as all blocks before the last, twice. */
#define ExpTrackerCapacity() (POOL_TRACKER_FIRST_RECORDS << (ExpTrackerBlockCount - 1))

VOID ExpInitializePoolTracker(VOID)
{
    for (ULONG i = 0; i < 2; i++) {
        for (ULONG j = 0; j < POOL_SMALL_LISTS; j++)
            ExpSmallPoolLookasides[i][j].Tracker = &ExpNoTracker;
    }
    ExpNonPagedPoolDescriptor.Tracker = ExpPagedPoolDescriptor.Tracker = &ExpNoTracker;
}

/*
 * Holding the index: DISPATCH_LEVEL, or where the caller already is above
 * it. Inline in the kernel, since every tag that misses a cache comes here.
 */
FORCEINLINE KIRQL ExpLockTrackIndex(VOID)
{
    KIRQL OldIrql = ExpGetIrql();

#ifdef KTEST_HOST
    KeRaiseIrql(OldIrql > DISPATCH_LEVEL ? OldIrql : DISPATCH_LEVEL, &OldIrql);
#else
    if (OldIrql < DISPATCH_LEVEL)
        KiRaiseIrqlToDispatch();
#endif
    return OldIrql;
}

FORCEINLINE VOID ExpUnlockTrackIndex(KIRQL OldIrql)
{
#ifdef KTEST_HOST
    KeLowerIrql(OldIrql);
#else
    if (OldIrql < DISPATCH_LEVEL)
        KiLowerIrqlFromDispatch(OldIrql);
#endif
}

/* The slot of Tag in the index (its record's, or the empty one that ends its probe). */
static ULONG ExpTrackIndexSlot(ULONG Tag)
{
    ULONG Mask = ExpTrackIndexSlots() - 1, Slot = POOL_TRACKER_HASH(Tag, ExpTrackIndexShift);

    while (ExpTrackIndex[Slot] != NULL && ExpTrackIndex[Slot]->Key != Tag)
        Slot = (Slot + 1) & Mask;
    return Slot;
}

/* The Index-th record handed out: block 0 holds the first 512, block k > 0 the next 512 << (k - 1). */
PPOOL_TRACKER_TABLE ExpTrackerRecord(ULONG Index)
{
    ULONG Block;

    if (Index < POOL_TRACKER_FIRST_RECORDS)
        return &ExpFirstTrackers[Index];
    Block = 32 - __builtin_clz(Index / POOL_TRACKER_FIRST_RECORDS);
    return &ExpTrackerBlocks[Block][Index - (POOL_TRACKER_FIRST_RECORDS << (Block - 1))];
}

ULONG ExpTrackerCount(VOID)
{
    return ExpTrackerRecords;
}

/* A new record for Tag, a block of them allocated when the last is full; NULL when no page can be had. */
static PPOOL_TRACKER_TABLE ExpNewTracker(ULONG Tag)
{
    ULONG Index = ExpTrackerRecords;
    PPOOL_TRACKER_TABLE Tracker;

    if (Index == ExpTrackerCapacity()) {
        ULONG Records = ExpTrackerCapacity();
        PPOOL_TRACKER_TABLE Block;

        if (ExpTrackerBlockCount == POOL_TRACKER_RECORD_BLOCKS)
            return NULL;
        Block = MiAllocatePoolPages(MiNonPagedPoolPages, Records * sizeof(POOL_TRACKER_TABLE));
        if (Block == NULL)
            return NULL;
        ExpTrackerBlocks[ExpTrackerBlockCount++] = Block;
    }
    Tracker = ExpTrackerRecord(Index);
    memset(Tracker, 0, sizeof(*Tracker));
    Tracker->Key = Tag;
    ExpTrackerRecords = Index + 1;
    return Tracker;
}

/* Rebuilds the index at twice its size; when no pages can be had the old one stays and fills further. */
static VOID ExpGrowTrackIndex(VOID)
{
    ULONG OldSlots = ExpTrackIndexSlots();
    PPOOL_TRACKER_TABLE *Old = ExpTrackIndex;
    /* NOLINTNEXTLINE(bugprone-sizeof-expression): the index holds pointers to records, so a slot is a pointer */
    PPOOL_TRACKER_TABLE *New = MiAllocatePoolPages(MiNonPagedPoolPages, 2 * OldSlots * sizeof(*New));

    if (New == NULL)
        return;
    memset(New, 0, 2 * OldSlots * sizeof(*New)); /* NOLINT(bugprone-sizeof-expression): slots are pointers */
    ExpTrackIndex = New;
    ExpTrackIndexShift--;
    for (ULONG i = 0; i < OldSlots; i++) {
        if (Old[i] != NULL)
            New[ExpTrackIndexSlot(Old[i]->Key)] = Old[i];
    }
    if (Old != ExpFirstTrackIndex)
        MiFreePoolPages(Old);
}

/*
 * The record of Tag (masked), made when the tag is new: the part of
 * ExpTrackerFor off the fast path. A DPC allocating with another tag may
 * run just before the index is locked (the interrupt window) and take the
 * slot this tag would have had; the look made under the lock sees that.
 */
PPOOL_TRACKER_TABLE EXP_POOL_CODE ExpFindTracker(ULONG Tag)
{
    PPOOL_TRACKER_TABLE Tracker;
    KIRQL OldIrql;
    ULONG Slot;

    KI_INTERRUPT_WINDOW(KiWindowPoolTrackerClaim);
    OldIrql = ExpLockTrackIndex();
    Slot = ExpTrackIndexSlot(Tag);
    Tracker = ExpTrackIndex[Slot];
    if (Tracker == NULL) {
        if ((ExpTrackerRecords + 1) * 2 > ExpTrackIndexSlots()) {
            ExpGrowTrackIndex();
            Slot = ExpTrackIndexSlot(Tag);
        }
        /* One slot always stays empty, so every probe ends. */
        if (ExpTrackerRecords + 2 <= ExpTrackIndexSlots())
            Tracker = ExpNewTracker(Tag);
        if (Tracker != NULL)
            ExpTrackIndex[Slot] = Tracker;
        else
            Tracker = &ExpPoolTrackOverflow;
    }
    ExpUnlockTrackIndex(OldIrql);
    return Tracker;
}

BOOLEAN ExQueryPoolTag(ULONG Tag, PEX_POOL_TAG_INFORMATION Information)
{
    KIRQL OldIrql = ExpLockTrackIndex();
    PPOOL_TRACKER_TABLE Tracker = ExpTrackIndex[ExpTrackIndexSlot(Tag & EXP_TAG_MASK)];

    if (Tracker != NULL) {
        Information->Tag = Tracker->Key;
        Information->NonPagedAllocs = Tracker->Counts[NonPagedPool].Allocs;
        Information->NonPagedFrees = Tracker->Counts[NonPagedPool].Frees;
        Information->NonPagedBytes = Tracker->Counts[NonPagedPool].Bytes;
        Information->PagedAllocs = Tracker->Counts[PagedPool].Allocs;
        Information->PagedFrees = Tracker->Counts[PagedPool].Frees;
        Information->PagedBytes = Tracker->Counts[PagedPool].Bytes;
    } else {
        memset(Information, 0, sizeof(*Information));
        Information->Tag = Tag;
    }
    ExpUnlockTrackIndex(OldIrql);
    return Tracker != NULL;
}

/* A tag as its four characters, the first in the lowest byte as NT shows them; Text holds 5. */
VOID ExpFormatTag(ULONG Tag, PCHAR Text)
{
    for (ULONG i = 0; i < 4; i++) {
        CHAR c = (CHAR)(Tag >> (i * 8));
        Text[i] = (c >= ' ' && c <= '~') ? c : '.';
    }
    Text[4] = '\0';
}

/* Every record, the overflow one last. */
static PPOOL_TRACKER_TABLE ExpTrackerOrOverflow(ULONG Index, ULONG Records)
{
    return Index < Records ? ExpTrackerRecord(Index) : &ExpPoolTrackOverflow;
}

static SIZE_T ExpTrackerHeldBytes(PPOOL_TRACKER_TABLE Tracker)
{
    return Tracker->Counts[NonPagedPool].Bytes + Tracker->Counts[PagedPool].Bytes;
}

#define POOL_DUMP_MAXIMUM_ROWS 32

/* The tags holding most bytes (both pools), largest first: poolmon's default view. */
VOID ExDumpPoolTags(ULONG MaximumRows)
{
    PPOOL_TRACKER_TABLE Rows[POOL_DUMP_MAXIMUM_ROWS];
    ULONG Count = 0, Records = ExpTrackerCount();

    if (MaximumRows > POOL_DUMP_MAXIMUM_ROWS)
        MaximumRows = POOL_DUMP_MAXIMUM_ROWS;
    for (ULONG i = 0; i <= Records; i++) {
        PPOOL_TRACKER_TABLE Row = ExpTrackerOrOverflow(i, Records);
        SIZE_T Bytes = ExpTrackerHeldBytes(Row);
        ULONG j;

        if (Row->Counts[NonPagedPool].Allocs + Row->Counts[PagedPool].Allocs == 0)
            continue;
        /* Keep the largest MaximumRows so far in order: insert, the smallest falling off the end. */
        if (Count == MaximumRows && (Count == 0 || ExpTrackerHeldBytes(Rows[Count - 1]) >= Bytes))
            continue;
        j = Count < MaximumRows ? Count++ : Count - 1;
        while (j > 0 && ExpTrackerHeldBytes(Rows[j - 1]) < Bytes) {
            Rows[j] = Rows[j - 1];
            j--;
        }
        Rows[j] = Row;
    }
    DbgPrint(" Tag  Type    Allocs     Frees      Diff     Bytes\n");
    for (ULONG i = 0; i < Count; i++) {
        CHAR Text[5];

        ExpFormatTag(Rows[i]->Key, Text);
        for (ULONG t = NonPagedPool; t <= PagedPool; t++) {
            POOL_TRACKER_COUNTS *Counts = &Rows[i]->Counts[t];

            if (Counts->Allocs != 0)
                DbgPrint(" %s %s %9u %9u %9u %9u\n", Text, t == PagedPool ? "Page" : "Nonp", Counts->Allocs,
                         Counts->Frees, Counts->Allocs - Counts->Frees, (ULONG)Counts->Bytes);
        }
    }
}

/* The pool part of what a normal boot shows: both pools' pages and blocks, then the top tags. */
VOID ExDumpPoolSummary(VOID)
{
    static const POOL_TYPE Types[] = { NonPagedPool, PagedPool };

    for (ULONG i = 0; i < RTL_NUMBER_OF(Types); i++) {
        EX_POOL_STATISTICS Statistics;

        ExQueryPoolStatistics(Types[i], &Statistics);
        DbgPrint("%s pool: %u small-block pages, %u big pages, %u allocations, %u frees, %u free blocks (%u bytes)\n",
                 Types[i] == PagedPool ? "paged" : "nonpaged", Statistics.SmallPages, Statistics.BigPages,
                 Statistics.RunningAllocs, Statistics.RunningDeAllocs, Statistics.FreeBlocks,
                 (ULONG)Statistics.FreeBytes);
    }
    ExDumpPoolTags(10);
}

/*
 * Every tag holding bytes, less what drivers' lookaside lists cache. Past
 * the snapshot's room, the rest are summed under the overflow tag, which a
 * leak report then names.
 */
VOID ExTakePoolSnapshot(PEX_POOL_SNAPSHOT Snapshot)
{
    ULONG Records = ExpTrackerCount(), Last = RTL_NUMBER_OF(Snapshot->Entries) - 1;

    Snapshot->Generation = VfStartGeneration();
    Snapshot->Count = 0;
    for (ULONG i = 0; i <= Records; i++) {
        PPOOL_TRACKER_TABLE Tracker = ExpTrackerOrOverflow(i, Records);
        LONG NonPaged = (LONG)(Tracker->Counts[NonPagedPool].Bytes - ExpLookasideCachedBytes(Tracker->Key, FALSE));
        LONG Paged = (LONG)(Tracker->Counts[PagedPool].Bytes - ExpLookasideCachedBytes(Tracker->Key, TRUE));
        ULONG Slot = Snapshot->Count;

        if (NonPaged == 0 && Paged == 0)
            continue;
        if (Slot < Last) {
            Snapshot->Entries[Slot].Tag = Tracker->Key;
            Snapshot->Entries[Slot].NonPagedBytes = 0;
            Snapshot->Entries[Slot].PagedBytes = 0;
            Snapshot->Count++;
        } else if (Slot == Last) {
            Snapshot->Entries[Slot].Tag = POOL_TRACKER_OVERFLOW_TAG;
            Snapshot->Entries[Slot].NonPagedBytes = 0;
            Snapshot->Entries[Slot].PagedBytes = 0;
            Snapshot->Count++;
        } else {
            Slot = Last;
        }
        Snapshot->Entries[Slot].NonPagedBytes += NonPaged;
        Snapshot->Entries[Slot].PagedBytes += Paged;
    }
}

/* Prints and counts the tags holding more bytes After than Before, and (pool tracking) their blocks. */
ULONG ExReportPoolLeaks(const EX_POOL_SNAPSHOT *Before, const EX_POOL_SNAPSHOT *After)
{
    ULONG Leaks = 0;

    for (ULONG i = 0; i < After->Count; i++) {
        LONG NonPaged = After->Entries[i].NonPagedBytes, Paged = After->Entries[i].PagedBytes;

        for (ULONG j = 0; j < Before->Count; j++) {
            if (Before->Entries[j].Tag == After->Entries[i].Tag) {
                NonPaged -= Before->Entries[j].NonPagedBytes;
                Paged -= Before->Entries[j].PagedBytes;
                break;
            }
        }
        if (NonPaged > 0 || Paged > 0) {
            CHAR Text[5];

            ExpFormatTag(After->Entries[i].Tag, Text);
            DbgPrint("    # pool leak: tag '%s' (%08X) holds %d more nonpaged and %d more paged bytes\n", Text,
                     After->Entries[i].Tag, NonPaged, Paged);
            if (VfIsEnabled(DRIVER_VERIFIER_TRACK_POOL_ALLOCATIONS))
                VfReportPoolAllocations(Before->Generation, After->Entries[i].Tag);
            Leaks++;
        }
    }
    return Leaks;
}

/* Is Va one of the tracker's own pages (record blocks, the index)? The pool walker skips them. */
BOOLEAN ExpIsTrackerStorage(PVOID Va)
{
    for (ULONG k = 1; k < ExpTrackerBlockCount; k++) {
        if (EXP_IN_RANGE(Va, ExpTrackerBlocks[k], ExpTrackerBlocks[k] + (POOL_TRACKER_FIRST_RECORDS << (k - 1))))
            return TRUE;
    }
    return ExpTrackIndex != ExpFirstTrackIndex && EXP_IN_RANGE(Va, ExpTrackIndex, ExpTrackIndex + ExpTrackIndexSlots());
}

/* Bytes the tracker keeps: its records and its index. */
ULONG ExpTrackerMetadataBytes(VOID)
{
    return ExpTrackerCapacity() * sizeof(POOL_TRACKER_TABLE) +
           ExpTrackIndexSlots() * sizeof(PPOOL_TRACKER_TABLE);
}
