/* lookaside_test.c: SLISTs and lookaside lists: counters as NT keeps them, callbacks, delete, depth balancing. */
#include "ktest.h"
#include "vftest.h"
#include <ex.h>
#include "../../kernel/ex/exp.h"
#include <hal.h>

#define TAG 'kooL'

KTEST(slist, push_pop_flush_and_depth)
{
    SLIST_HEADER Head;
    SLIST_ENTRY Entries[3];

    InitializeSListHead(&Head);
    KT_EXPECT(InterlockedPopEntrySList(&Head) == NULL);
    KT_EXPECT(InterlockedPushEntrySList(&Head, &Entries[0]) == NULL);
    KT_EXPECT(InterlockedPushEntrySList(&Head, &Entries[1]) == &Entries[0]);
    KT_EXPECT(InterlockedPushEntrySList(&Head, &Entries[2]) == &Entries[1]);
    KT_EXPECT_EQ(ExQueryDepthSList(&Head), 3);
    KT_EXPECT(InterlockedPopEntrySList(&Head) == &Entries[2]);
    KT_EXPECT_EQ(ExQueryDepthSList(&Head), 2);
    KT_EXPECT(InterlockedFlushSList(&Head) == &Entries[1]);
    KT_EXPECT(Entries[1].Next == &Entries[0]);
    KT_EXPECT_EQ(ExQueryDepthSList(&Head), 0);
    KT_EXPECT(InterlockedPopEntrySList(&Head) == NULL);
    KT_EXPECT(InterlockedFlushSList(&Head) == NULL);
}

/* As on NT x86: a push moves the sequence, a pop and a flush leave it. */
KTEST(slist, only_a_push_moves_the_sequence)
{
    SLIST_HEADER Head;
    SLIST_ENTRY Entries[2];
    USHORT Sequence;

    InitializeSListHead(&Head);
    Sequence = Head.Sequence;
    InterlockedPushEntrySList(&Head, &Entries[0]);
    InterlockedPushEntrySList(&Head, &Entries[1]);
    KT_EXPECT_EQ(Head.Sequence, (USHORT)(Sequence + 2));
    KT_EXPECT(InterlockedPopEntrySList(&Head) == &Entries[1]);
    KT_EXPECT_EQ(Head.Sequence, (USHORT)(Sequence + 2));
    KT_EXPECT_EQ(ExQueryDepthSList(&Head), 1);
    KT_EXPECT(InterlockedFlushSList(&Head) == &Entries[0]);
    KT_EXPECT_EQ(Head.Sequence, (USHORT)(Sequence + 2));
    KT_EXPECT_EQ(ExQueryDepthSList(&Head), 0);
}

/* One processor's SLIST turns interrupts off around each change: a caller gets them back as it had them. */
KTEST(slist, push_and_pop_leave_interrupts_as_they_were)
{
    SLIST_HEADER Head;
    SLIST_ENTRY Entry;

    InitializeSListHead(&Head);
    InterlockedPushEntrySList(&Head, &Entry);
    KT_EXPECT(KiReadEFlags() & EFLAGS_IF);
    KT_EXPECT(InterlockedPopEntrySList(&Head) == &Entry);
    KT_EXPECT(KiReadEFlags() & EFLAGS_IF);
    KT_EXPECT(InterlockedPopEntrySList(&Head) == NULL);
    KT_EXPECT(KiReadEFlags() & EFLAGS_IF);
    _disable();
    InterlockedPushEntrySList(&Head, &Entry);
    KT_EXPECT((KiReadEFlags() & EFLAGS_IF) == 0);
    InterlockedPopEntrySList(&Head);
    KT_EXPECT((KiReadEFlags() & EFLAGS_IF) == 0);
    _enable();
    KT_EXPECT_EQ(ExQueryDepthSList(&Head), 0);
}

/*
 * ABA: a pop has read the header (first entry A, whose Next is B). If
 * other pops ran before its swap, the first entry changed; if A came back
 * to the head, a push brought it, and the sequence moved. Either way the
 * stale swap must fail instead of installing B (now in use) as first.
 */
KTEST(slist, sequence_number_defeats_aba)
{
    SLIST_HEADER Head, Stale, Wanted;
    SLIST_ENTRY A, B;

    InitializeSListHead(&Head);
    InterlockedPushEntrySList(&Head, &B);
    InterlockedPushEntrySList(&Head, &A);
    Stale.Alignment = Head.Alignment;
    Wanted.Alignment = 0;
    Wanted.Next.Next = &B;
    Wanted.Depth = Stale.Depth - 1;
    Wanted.Sequence = Stale.Sequence;

    KT_EXPECT(InterlockedPopEntrySList(&Head) == &A);
    KT_EXPECT(!EXP_SLIST_CAS(&Head, Stale.Alignment, Wanted.Alignment));   /* pops only: A is not first */
    KT_EXPECT(InterlockedPopEntrySList(&Head) == &B);
    InterlockedPushEntrySList(&Head, &A);
    KT_EXPECT(Head.Next.Next == Stale.Next.Next);          /* the same first entry... */
    KT_EXPECT_NE(Head.Sequence, Stale.Sequence);           /* ...but not the same header */
    KT_EXPECT(!EXP_SLIST_CAS(&Head, Stale.Alignment, Wanted.Alignment));
    KT_EXPECT(Head.Next.Next == &A && A.Next == NULL);
}

KTEST(lookaside, counters_follow_hits_and_misses)
{
    NPAGED_LOOKASIDE_LIST List;
    PVOID Entries[6];

    ExInitializeNPagedLookasideList(&List, NULL, NULL, 0, 40, TAG, 0);
    KT_EXPECT_EQ(List.L.Depth, 4);
    KT_EXPECT_EQ(List.L.Size, 40);
    KT_EXPECT_EQ(List.L.Tag, TAG);
    for (ULONG i = 0; i < 6; i++) {
        Entries[i] = ExAllocateFromNPagedLookasideList(&List);
        KT_ASSERT(Entries[i] != NULL);
    }
    KT_EXPECT_EQ(List.L.TotalAllocates, 6);
    KT_EXPECT_EQ(List.L.AllocateMisses, 6);
    for (ULONG i = 0; i < 6; i++)
        ExFreeToNPagedLookasideList(&List, Entries[i]);
    KT_EXPECT_EQ(List.L.TotalFrees, 6);
    KT_EXPECT_EQ(List.L.FreeMisses, 2);            /* depth 4: the last two went back to pool */
    KT_EXPECT_EQ(ExQueryDepthSList(&List.L.ListHead), 4);
    Entries[0] = ExAllocateFromNPagedLookasideList(&List);
    KT_EXPECT(Entries[0] == Entries[5 - 2]);        /* the last one cached comes out first */
    KT_EXPECT_EQ(List.L.AllocateMisses, 6);
    ExFreeToNPagedLookasideList(&List, Entries[0]);
    ExDeleteNPagedLookasideList(&List);
}

static ULONG Allocated, Freed;

static PVOID NTAPI CountingAllocate(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag)
{
    Allocated++;
    return ExAllocatePoolWithTag(PoolType, NumberOfBytes, Tag);
}

static VOID NTAPI CountingFree(PVOID Buffer)
{
    Freed++;
    ExFreePool(Buffer);
}

KTEST(lookaside, callbacks_are_called_and_delete_frees_every_cached_entry)
{
    PAGED_LOOKASIDE_LIST List;
    PVOID Entries[3];

    Allocated = Freed = 0;
    ExInitializePagedLookasideList(&List, CountingAllocate, CountingFree, 0, 100, TAG, 0);
    for (ULONG i = 0; i < 3; i++)
        Entries[i] = ExAllocateFromPagedLookasideList(&List);
    KT_EXPECT_EQ(Allocated, 3);
    KT_EXPECT(MmIsAddressValid(Entries[0]) && (ULONG_PTR)Entries[0] >= (ULONG_PTR)MmPagedPoolStart);
    for (ULONG i = 0; i < 3; i++)
        ExFreeToPagedLookasideList(&List, Entries[i]);
    KT_EXPECT_EQ(Freed, 0);
    ExDeletePagedLookasideList(&List);
    KT_EXPECT_EQ(Freed, 3);
}

KTEST(lookaside, tiny_sizes_still_hold_the_link)
{
    NPAGED_LOOKASIDE_LIST List;
    PVOID Entry;

    ExInitializeNPagedLookasideList(&List, NULL, NULL, 0, 1, TAG, 0);
    KT_EXPECT_EQ(List.L.Size, sizeof(SLIST_ENTRY));
    Entry = ExAllocateFromNPagedLookasideList(&List);
    KT_ASSERT(Entry != NULL);
    ExFreeToNPagedLookasideList(&List, Entry);
    ExDeleteNPagedLookasideList(&List);
}

KTEST(lookaside, balance_scan_grows_missing_lists_and_shrinks_idle_ones)
{
    NPAGED_LOOKASIDE_LIST List;
    PVOID Entries[64];
    USHORT Grown;

    ExInitializeNPagedLookasideList(&List, NULL, NULL, 0, 64, TAG, 0);
    /* 64 allocations, all misses: a 100% miss rate (each one served: the scan is the subject). */
    KtVerifierSuspendLowResources();
    for (ULONG i = 0; i < 64; i++) {
        Entries[i] = ExAllocateFromNPagedLookasideList(&List);
        KT_ASSERT(Entries[i] != NULL);
    }
    KtVerifierResumeLowResources();
    ExAdjustLookasideDepth();
    Grown = List.L.Depth;
    /* 4 + (1000 * (256 - 4)) / 2000 + 5 */
    KT_EXPECT_EQ(Grown, 4 + 126 + 5);
    for (ULONG i = 0; i < 64; i++)
        ExFreeToNPagedLookasideList(&List, Entries[i]);
    KT_EXPECT_EQ(List.L.FreeMisses, 0);             /* the deeper list took them all */
    ExAdjustLookasideDepth();                       /* idle this period: -10 */
    KT_EXPECT_EQ(List.L.Depth, Grown - 10);
    for (ULONG Scan = 0; Scan < 20; Scan++)
        ExAdjustLookasideDepth();
    KT_EXPECT_EQ(List.L.Depth, 4);
    ExDeleteNPagedLookasideList(&List);
}

KTEST(lookaside, the_scan_runs_by_itself_every_second)
{
    NPAGED_LOOKASIDE_LIST List;
    ULONGLONG Start = KeTickCount;
    ULONG Dpcs = KiPcr.DpcCount;

    ExInitializeNPagedLookasideList(&List, NULL, NULL, 0, 64, TAG, 0);
    List.L.Depth = 50;
    while (List.L.Depth == 50 && KeTickCount < Start + 3 * CLOCK_TICKS_PER_SECOND)
        __halt();
    KT_EXPECT(List.L.Depth < 50);
    KT_EXPECT(KiPcr.DpcCount > Dpcs);
    ExDeleteNPagedLookasideList(&List);
}
