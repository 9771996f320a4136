/*
 * lookaside.c: interlocked singly linked lists and lookaside lists.
 *
 * A lookaside list caches up to Depth freed entries of one size on an
 * SLIST, so most allocations are a pop and most frees a push. Every list
 * (the drivers' and the pool's own small-block lists) is visited once a
 * second by ExAdjustLookasideDepth, NT's balance-set scan: a list whose
 * allocations mostly missed grows its depth in proportion to the miss rate,
 * a list that was hardly used or almost never missed shrinks toward the
 * minimum, so memory sits in caches only where it saves work.
 */
#include "exp.h"
#include <ex.h>

#define MINIMUM_LOOKASIDE_DEPTH 4
#define MAXIMUM_LOOKASIDE_DEPTH 256
#define MINIMUM_ALLOCATION_THRESHOLD 25   /* fewer allocations a scan: the list is idle */

POOL_LOOKASIDE ExpSmallPoolLookasides[2][POOL_SMALL_LISTS];
PPOOL_LOOKASIDE ExpSmallPoolLookasideFor[POOL_SMALL_SIZE_INDEX(POOL_SMALL_MAXIMUM_BYTES) + 1][2];
static LIST_ENTRY ExNPagedLookasideListHead = { &ExNPagedLookasideListHead, &ExNPagedLookasideListHead };
static LIST_ENTRY ExPagedLookasideListHead = { &ExPagedLookasideListHead, &ExPagedLookasideListHead };
static KTIMER ExpLookasideScanTimer;
static KDPC ExpLookasideScanDpc;

#define LOOKASIDE_SCAN_PERIOD_MS 1000

VOID NTAPI InitializeSListHead(PSLIST_HEADER SListHead)
{
    SListHead->Alignment = 0;
}

PSLIST_ENTRY FASTCALL InterlockedPushEntrySList(PSLIST_HEADER ListHead, PSLIST_ENTRY ListEntry)
{
    return ExpInterlockedPushEntrySList(ListHead, ListEntry);
}

PSLIST_ENTRY FASTCALL InterlockedPopEntrySList(PSLIST_HEADER ListHead)
{
    return ExpInterlockedPopEntrySList(ListHead);
}

/* Takes the whole chain at once. The sequence stays, as on NT x86: a racing pop fails on the emptied first entry. */
PSLIST_ENTRY FASTCALL InterlockedFlushSList(PSLIST_HEADER ListHead)
{
    SLIST_HEADER Old, New;

    do {
        Old.Alignment = *(volatile SLIST_WORD *)&ListHead->Alignment;
        if (Old.Next.Next == NULL)
            return NULL;
        New.Alignment = 0;
        New.Sequence = Old.Sequence;
    } while (!EXP_SLIST_CAS(ListHead, Old.Alignment, New.Alignment));
    return Old.Next.Next;
}

USHORT NTAPI ExQueryDepthSList(PSLIST_HEADER SListHead)
{
    return SListHead->Depth;
}

static VOID ExpInitializeLookaside(PGENERAL_LOOKASIDE Lookaside, PALLOCATE_FUNCTION Allocate,
                                   PFREE_FUNCTION Free, POOL_TYPE Type, SIZE_T Size, ULONG Tag)
{
    InitializeSListHead(&Lookaside->ListHead);
    Lookaside->Depth = MINIMUM_LOOKASIDE_DEPTH;
    Lookaside->MaximumDepth = MAXIMUM_LOOKASIDE_DEPTH;
    Lookaside->TotalAllocates = Lookaside->AllocateMisses = 0;
    Lookaside->TotalFrees = Lookaside->FreeMisses = 0;
    Lookaside->LastTotalAllocates = Lookaside->LastAllocateMisses = 0;
    Lookaside->Type = Type;
    Lookaside->Tag = Tag;
    /* An entry must hold the SLIST link while it is cached. */
    Lookaside->Size = (ULONG)(Size < sizeof(SLIST_ENTRY) ? sizeof(SLIST_ENTRY) : Size);
    Lookaside->Allocate = Allocate != NULL ? Allocate : ExAllocatePoolWithTag;
    Lookaside->Free = Free != NULL ? Free : ExFreePool;
}

/* Puts a list on the scan; Depth is reserved in the DDK ("must be zero") and ignored, as NT ignores it. */
static VOID ExpRegisterLookaside(PGENERAL_LOOKASIDE Lookaside, PLIST_ENTRY ScanList)
{
    KIRQL OldIrql;

    KeRaiseIrql(DISPATCH_LEVEL, &OldIrql);
    InsertTailList(ScanList, &Lookaside->ListEntry);
    KeLowerIrql(OldIrql);
}

VOID NTAPI ExInitializeNPagedLookasideList(PNPAGED_LOOKASIDE_LIST Lookaside, PALLOCATE_FUNCTION Allocate,
                                           PFREE_FUNCTION Free, ULONG Flags, SIZE_T Size, ULONG Tag,
                                           USHORT Depth)
{
    UNREFERENCED_PARAMETER(Depth);
    ExpInitializeLookaside(&Lookaside->L, Allocate, Free, (POOL_TYPE)(NonPagedPool | Flags), Size, Tag);
    ExpRegisterLookaside(&Lookaside->L, &ExNPagedLookasideListHead);
}

VOID NTAPI ExInitializePagedLookasideList(PPAGED_LOOKASIDE_LIST Lookaside, PALLOCATE_FUNCTION Allocate,
                                          PFREE_FUNCTION Free, ULONG Flags, SIZE_T Size, ULONG Tag,
                                          USHORT Depth)
{
    UNREFERENCED_PARAMETER(Depth);
    ExpInitializeLookaside(&Lookaside->L, Allocate, Free, (POOL_TYPE)(PagedPool | Flags), Size, Tag);
    ExpRegisterLookaside(&Lookaside->L, &ExPagedLookasideListHead);
}

static PVOID ExpAllocateFromLookaside(PGENERAL_LOOKASIDE Lookaside)
{
    PVOID Entry;

    ExpCounterAdd(Lookaside->TotalAllocates, 1);
    Entry = ExpInterlockedPopEntrySList(&Lookaside->ListHead);
    if (Entry == NULL) {
        ExpCounterAdd(Lookaside->AllocateMisses, 1);
        Entry = Lookaside->Allocate(Lookaside->Type, Lookaside->Size, Lookaside->Tag);
    }
    return Entry;
}

static VOID ExpFreeToLookaside(PGENERAL_LOOKASIDE Lookaside, PVOID Entry)
{
    ExpCounterAdd(Lookaside->TotalFrees, 1);
    if (ExQueryDepthSList(&Lookaside->ListHead) >= Lookaside->Depth) {
        ExpCounterAdd(Lookaside->FreeMisses, 1);
        Lookaside->Free(Entry);
    } else {
        ExpInterlockedPushEntrySList(&Lookaside->ListHead, Entry);
    }
}

/* Frees every cached entry through the list's Free function and takes the list off the scan. */
static VOID ExpDeleteLookaside(PGENERAL_LOOKASIDE Lookaside)
{
    PSLIST_ENTRY Entry = InterlockedFlushSList(&Lookaside->ListHead);
    KIRQL OldIrql;

    KeRaiseIrql(DISPATCH_LEVEL, &OldIrql);
    RemoveEntryList(&Lookaside->ListEntry);
    KeLowerIrql(OldIrql);
    while (Entry != NULL) {
        PSLIST_ENTRY Next = Entry->Next;
        Lookaside->Free(Entry);
        Entry = Next;
    }
}

PVOID NTAPI ExAllocateFromNPagedLookasideList(PNPAGED_LOOKASIDE_LIST Lookaside)
{
    return ExpAllocateFromLookaside(&Lookaside->L);
}

VOID NTAPI ExFreeToNPagedLookasideList(PNPAGED_LOOKASIDE_LIST Lookaside, PVOID Entry)
{
    ExpFreeToLookaside(&Lookaside->L, Entry);
}

PVOID NTAPI ExAllocateFromPagedLookasideList(PPAGED_LOOKASIDE_LIST Lookaside)
{
    ASSERT(KeGetCurrentIrql() <= APC_LEVEL);
    return ExpAllocateFromLookaside(&Lookaside->L);
}

VOID NTAPI ExFreeToPagedLookasideList(PPAGED_LOOKASIDE_LIST Lookaside, PVOID Entry)
{
    ASSERT(KeGetCurrentIrql() <= APC_LEVEL);
    ExpFreeToLookaside(&Lookaside->L, Entry);
}

VOID NTAPI ExDeleteNPagedLookasideList(PNPAGED_LOOKASIDE_LIST Lookaside)
{
    ExpDeleteLookaside(&Lookaside->L);
}

VOID NTAPI ExDeletePagedLookasideList(PPAGED_LOOKASIDE_LIST Lookaside)
{
    ExpDeleteLookaside(&Lookaside->L);
}

/*
 * The pool's own per-size lists: entry i caches blocks of i + 2 units (3 on
 * the host), and the table from request sizes to them: the largest
 * request with a given index needs the units the index names.
 */
VOID ExpInitializeSmallPoolLookasides(VOID)
{
    for (ULONG i = 0; i < POOL_SMALL_LISTS; i++) {
        ULONG Size = (i + POOL_MINIMUM_UNITS) << POOL_BLOCK_SHIFT;

        for (ULONG Type = NonPagedPool; Type <= PagedPool; Type++) {
            PPOOL_LOOKASIDE Lookaside = &ExpSmallPoolLookasides[Type][i];

            ExpInitializeLookaside(&Lookaside->L, NULL, NULL, (POOL_TYPE)Type, Size, 0);
            Lookaside->CountsOffset = offsetof(POOL_TRACKER_TABLE, Counts[Type]);
            Lookaside->MaximumIrql = ExpMaximumIrql[Type];
        }
    }
    for (ULONG i = 0; i < RTL_NUMBER_OF(ExpSmallPoolLookasideFor); i++) {
        ULONG Units = BYTES_TO_POOL_UNITS(i << POOL_BLOCK_SHIFT);
        ULONG List = Units > POOL_MINIMUM_UNITS ? Units - POOL_MINIMUM_UNITS : 0;

        ExpSmallPoolLookasideFor[i][NonPagedPool] = &ExpSmallNPagedPoolLookasideLists[List];
        ExpSmallPoolLookasideFor[i][PagedPool] = &ExpSmallPagedPoolLookasideLists[List];
    }
}

/*
 * The new depth for one list from what it did since the last scan: idle
 * lists lose 10, lists missing under 0.5% lose 1, others gain a share of
 * their remaining headroom proportional to the miss rate, plus 5.
 */
static VOID ExpComputeLookasideDepth(PGENERAL_LOOKASIDE Lookaside)
{
    ULONG Allocates = Lookaside->TotalAllocates - Lookaside->LastTotalAllocates;
    ULONG Misses = Lookaside->AllocateMisses - Lookaside->LastAllocateMisses;
    LONG Depth = Lookaside->Depth;

    Lookaside->LastTotalAllocates = Lookaside->TotalAllocates;
    Lookaside->LastAllocateMisses = Lookaside->AllocateMisses;
    if (Allocates < MINIMUM_ALLOCATION_THRESHOLD) {
        Depth -= 10;
    } else {
        ULONG Ratio = (ULONG)(((ULONGLONG)Misses * 1000) / Allocates);

        if (Ratio < 5)
            Depth -= 1;
        else
            Depth += (LONG)((Ratio * (ULONG)(Lookaside->MaximumDepth - Depth)) / 2000) + 5;
    }
    if (Depth < MINIMUM_LOOKASIDE_DEPTH)
        Depth = MINIMUM_LOOKASIDE_DEPTH;
    if (Depth > Lookaside->MaximumDepth)
        Depth = Lookaside->MaximumDepth;
    Lookaside->Depth = (USHORT)Depth;
}

VOID ExAdjustLookasideDepth(VOID)
{
    PLIST_ENTRY Heads[] = { &ExNPagedLookasideListHead, &ExPagedLookasideListHead };

    for (ULONG i = 0; i < POOL_SMALL_LISTS; i++) {
        ExpComputeLookasideDepth(&ExpSmallNPagedPoolLookasideLists[i].L);
        ExpComputeLookasideDepth(&ExpSmallPagedPoolLookasideLists[i].L);
    }
    for (ULONG h = 0; h < RTL_NUMBER_OF(Heads); h++) {
        for (PLIST_ENTRY Entry = Heads[h]->Flink; Entry != Heads[h]; Entry = Entry->Flink)
            ExpComputeLookasideDepth(CONTAINING_RECORD(Entry, GENERAL_LOOKASIDE, ListEntry));
    }
}

static VOID NTAPI ExpLookasideScanRoutine(PKDPC Dpc, PVOID Context, PVOID Argument1, PVOID Argument2)
{
    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(Context);
    UNREFERENCED_PARAMETER(Argument1);
    UNREFERENCED_PARAMETER(Argument2);
    ExAdjustLookasideDepth();
}

/* The scan runs once a second from a periodic timer's DPC, where NT's balance-set manager runs it. */
VOID ExpStartLookasideScan(VOID)
{
    LARGE_INTEGER DueTime;

    DueTime.QuadPart = -(LONGLONG)LOOKASIDE_SCAN_PERIOD_MS * 10000;
    KeInitializeDpc(&ExpLookasideScanDpc, ExpLookasideScanRoutine, NULL);
    KeInitializeTimer(&ExpLookasideScanTimer);
    KeSetTimerEx(&ExpLookasideScanTimer, DueTime, LOOKASIDE_SCAN_PERIOD_MS, &ExpLookasideScanDpc);
}

/* Bytes the drivers' lookaside lists hold for Tag in one pool type: cached, not leaked. */
SIZE_T ExpLookasideCachedBytes(ULONG Tag, BOOLEAN Paged)
{
    PLIST_ENTRY Head = Paged ? &ExPagedLookasideListHead : &ExNPagedLookasideListHead;
    SIZE_T Bytes = 0;

    for (PLIST_ENTRY Entry = Head->Flink; Entry != Head; Entry = Entry->Flink) {
        PGENERAL_LOOKASIDE Lookaside = CONTAINING_RECORD(Entry, GENERAL_LOOKASIDE, ListEntry);

        if ((Lookaside->Tag & EXP_TAG_MASK) == (Tag & EXP_TAG_MASK) && Lookaside->Allocate == ExAllocatePoolWithTag &&
            Lookaside->ListHead.Next.Next != NULL)
            Bytes += (SIZE_T)ExQueryDepthSList(&Lookaside->ListHead) * ExpTrackedBytes(Lookaside->ListHead.Next.Next);
    }
    return Bytes;
}
