/*
 * pooltag.c: pool tracking by tag, what poolmon shows: for each tag and
 * pool type, allocations, frees and bytes outstanding. An open-addressing
 * table keyed by tag (entries are never removed); when it is full, tags
 * share the overflow entry 'Ovfl'. Updated on every allocation and free,
 * fast path included, at any IRQL up to DISPATCH_LEVEL: counters change
 * by single instructions and slots are claimed by compare-exchange, so a
 * DPC interrupting an update neither loses a count nor merges two tags.
 */
#include "exp.h"
#include <ex.h>

POOL_TRACKER_TABLE ExpPoolTrackTable[POOL_TRACKER_TABLE_SIZE];
POOL_TRACKER_TABLE ExpPoolTrackOverflow = { 'lfvO', 0, 0, 0, 0, 0, 0 };

VOID ExpInitializePoolTracker(VOID)
{
    for (ULONG i = 0; i < POOL_TRACKER_TABLE_SIZE; i++)
        ExpPoolTrackTable[i].Key = POOL_TRACKER_FREE_KEY;
}

/*
 * The out-of-line part of ExpTrackerFor: probing past the home slot,
 * claiming a free one. A DPC allocating with another tag may claim the
 * same free slot between the look and the claim, so the claim is a
 * compare-exchange; the loser looks at the slot again (the winner may have
 * claimed it for the same tag) and otherwise probes on.
 */
PPOOL_TRACKER_TABLE EXP_POOL_CODE ExpFindTracker(ULONG Tag)
{
    ULONG i = POOL_TRACKER_HASH(Tag);

    _Static_assert(POOL_TRACKER_TABLE_SIZE == 1 << 9, "the hash yields 9 bits");
    for (ULONG Probes = 0; Probes < POOL_TRACKER_TABLE_SIZE; Probes++) {
        PPOOL_TRACKER_TABLE Entry = &ExpPoolTrackTable[i];
        ULONG Key = *(volatile ULONG *)&Entry->Key;

        if (Key == POOL_TRACKER_FREE_KEY) {
            KI_INTERRUPT_WINDOW(KiWindowPoolTrackerClaim);
            Key = ExpCompareExchange(&Entry->Key, Tag, POOL_TRACKER_FREE_KEY);
            if (Key == POOL_TRACKER_FREE_KEY)
                return Entry;
        }
        if (Key == Tag)
            return Entry;
        i = (i + 1) & (POOL_TRACKER_TABLE_SIZE - 1);
    }
    return &ExpPoolTrackOverflow;
}

BOOLEAN ExQueryPoolTag(ULONG Tag, PEX_POOL_TAG_INFORMATION Information)
{
    for (ULONG i = 0; i < POOL_TRACKER_TABLE_SIZE; i++) {
        PPOOL_TRACKER_TABLE Entry = &ExpPoolTrackTable[i];

        if (Entry->Key == (Tag & EXP_TAG_MASK)) {
            Information->Tag = Entry->Key;
            Information->NonPagedAllocs = Entry->NonPagedAllocs;
            Information->NonPagedFrees = Entry->NonPagedFrees;
            Information->NonPagedBytes = Entry->NonPagedBytes;
            Information->PagedAllocs = Entry->PagedAllocs;
            Information->PagedFrees = Entry->PagedFrees;
            Information->PagedBytes = Entry->PagedBytes;
            return TRUE;
        }
    }
    memset(Information, 0, sizeof(*Information));
    Information->Tag = Tag;
    return FALSE;
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

/* The table sorted by bytes outstanding (both pools), largest first: poolmon's default view. */
VOID ExDumpPoolTags(ULONG MaximumRows)
{
    PPOOL_TRACKER_TABLE Rows[POOL_TRACKER_TABLE_SIZE + 1];
    ULONG Count = 0;

    for (ULONG i = 0; i < POOL_TRACKER_TABLE_SIZE; i++) {
        if (ExpPoolTrackTable[i].Key != POOL_TRACKER_FREE_KEY)
            Rows[Count++] = &ExpPoolTrackTable[i];
    }
    if (ExpPoolTrackOverflow.NonPagedAllocs + ExpPoolTrackOverflow.PagedAllocs != 0)
        Rows[Count++] = &ExpPoolTrackOverflow;
    for (ULONG i = 1; i < Count; i++) {
        PPOOL_TRACKER_TABLE Row = Rows[i];
        SIZE_T Bytes = Row->NonPagedBytes + Row->PagedBytes;
        ULONG j = i;

        while (j > 0 && Rows[j - 1]->NonPagedBytes + Rows[j - 1]->PagedBytes < Bytes) {
            Rows[j] = Rows[j - 1];
            j--;
        }
        Rows[j] = Row;
    }
    DbgPrint(" Tag  Type    Allocs     Frees      Diff     Bytes\n");
    for (ULONG i = 0; i < Count && i < MaximumRows; i++) {
        CHAR Text[5];

        ExpFormatTag(Rows[i]->Key, Text);
        if (Rows[i]->NonPagedAllocs != 0)
            DbgPrint(" %s Nonp %9u %9u %9u %9u\n", Text, Rows[i]->NonPagedAllocs, Rows[i]->NonPagedFrees,
                     Rows[i]->NonPagedAllocs - Rows[i]->NonPagedFrees, (ULONG)Rows[i]->NonPagedBytes);
        if (Rows[i]->PagedAllocs != 0)
            DbgPrint(" %s Page %9u %9u %9u %9u\n", Text, Rows[i]->PagedAllocs, Rows[i]->PagedFrees,
                     Rows[i]->PagedAllocs - Rows[i]->PagedFrees, (ULONG)Rows[i]->PagedBytes);
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
