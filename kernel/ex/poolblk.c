/*
 * poolblk.c: small blocks, the buddy-free part of NT's pool.
 *
 * A pool page is cut into blocks, each with a POOL_HEADER giving its size
 * and its neighbour's (PreviousSize), so a page can be walked both ways.
 * Free blocks sit on ListHeads[BlockSize]; a bitmap of non-empty lists,
 * with a word marking its non-empty words, finds the smallest list that
 * can serve a request in two word looks. Allocation splits a larger block, giving the caller the front
 * and keeping the tail free; freeing merges a block with free neighbours
 * on both sides, and a page that becomes entirely free goes back to the
 * memory manager (one page per pool is kept back, so a single block
 * allocated and freed over and over does not map and unmap a page each
 * time). Every header read on the way is checked against its neighbours;
 * an inconsistency stops the system with BAD_POOL_HEADER.
 */
#include "exp.h"

POOL_DESCRIPTOR ExpNonPagedPoolDescriptor, ExpPagedPoolDescriptor;

/* BAD_POOL_HEADER first parameters (NT's). */
#define BAD_POOL_FREE_LIST       0x3
#define BAD_POOL_NEIGHBOURS      0x5
#define BAD_POOL_PREVIOUS_SIZE   0x6
#define BAD_POOL_BLOCK_SIZE_ZERO 0x8
#define BAD_POOL_BLOCK_TOO_LARGE 0x9
#define BAD_POOL_NEXT_SIZE       0x20

static DECLSPEC_NORETURN VOID EXP_POOL_CODE ExpBadPoolHeader(ULONG Code, PVOID P2, ULONG_PTR P3, PVOID P4)
{
    KeBugCheckEx(BAD_POOL_HEADER, Code, (ULONG_PTR)P2, P3, (ULONG_PTR)P4);
}

/* ExpCheckNextBlock's stop: the entry, the next entry, and the next header's size word. */
VOID EXP_POOL_CODE ExpBadNextBlock(PPOOL_HEADER Entry)
{
    PPOOL_HEADER Next = POOL_NEXT_BLOCK(Entry);

    KeBugCheckEx(BAD_POOL_HEADER, BAD_POOL_NEXT_SIZE, (ULONG_PTR)Entry, (ULONG_PTR)Next, Next->Ulong1);
}

static VOID EXP_POOL_CODE ExpMarkListNonEmpty(PPOOL_DESCRIPTOR Descriptor, ULONG Index, BOOLEAN NonEmpty)
{
    ULONG Word = Index / 32;

    if (NonEmpty) {
        Descriptor->NonEmpty[Word] |= 1u << (Index % 32);
        Descriptor->NonEmptyWords |= 1u << Word;
    } else {
        Descriptor->NonEmpty[Word] &= ~(1u << (Index % 32));
        if (Descriptor->NonEmpty[Word] == 0)
            Descriptor->NonEmptyWords &= ~(1u << Word);
    }
}

/*
 * The smallest non-empty list at or above Index, or 0 when every one is
 * empty: Index's own word, then the first non-empty word above it from the
 * summary, so never more than two words are looked at.
 */
static ULONG EXP_POOL_CODE ExpFindNonEmptyList(PPOOL_DESCRIPTOR Descriptor, ULONG Index)
{
    ULONG Word = Index / 32;
    ULONG Bits = Descriptor->NonEmpty[Word] & (0xFFFFFFFFu << (Index % 32));
    ULONG Above;

    if (Bits != 0)
        return Word * 32 + __builtin_ctz(Bits);
    Above = Word + 1 < POOL_LIST_HEADS / 32 ? Descriptor->NonEmptyWords & (0xFFFFFFFFu << (Word + 1)) : 0;
    if (Above == 0)
        return 0;
    Word = __builtin_ctz(Above);
    return Word * 32 + __builtin_ctz(Descriptor->NonEmpty[Word]);
}

/* Marks Entry free and puts it on its size's list, unless it is a fragment too small for the links. */
static VOID EXP_POOL_CODE ExpInsertFreeBlock(PPOOL_DESCRIPTOR Descriptor, PPOOL_HEADER Entry)
{
    PLIST_ENTRY ListHead = &Descriptor->ListHeads[Entry->BlockSize];
    PLIST_ENTRY Links = POOL_FREE_LINKS(Entry);

    Entry->PoolType = 0;
    Entry->PoolIndex = 0;
    if (Entry->BlockSize < POOL_MINIMUM_UNITS)
        return;
    if (ListHead->Flink->Blink != ListHead)
        ExpBadPoolHeader(BAD_POOL_FREE_LIST, ListHead, (ULONG_PTR)ListHead->Flink->Blink, ListHead->Blink->Flink);
    Links->Flink = ListHead->Flink;
    Links->Blink = ListHead;
    ListHead->Flink->Blink = Links;
    ListHead->Flink = Links;
    ExpMarkListNonEmpty(Descriptor, Entry->BlockSize, TRUE);
}

/* Takes a free block off its list (a fragment is on none); links that do not point back mean a corrupted free list. */
static VOID EXP_POOL_CODE ExpRemoveFreeBlock(PPOOL_DESCRIPTOR Descriptor, PPOOL_HEADER Entry)
{
    PLIST_ENTRY Links = POOL_FREE_LINKS(Entry);
    PLIST_ENTRY Flink, Blink;

    if (Entry->BlockSize < POOL_MINIMUM_UNITS)
        return;
    Flink = Links->Flink;
    Blink = Links->Blink;
    if (Flink->Blink != Links || Blink->Flink != Links)
        ExpBadPoolHeader(BAD_POOL_FREE_LIST, Entry, (ULONG_PTR)Flink->Blink, Blink->Flink);
    Blink->Flink = Flink;
    Flink->Blink = Blink;
    if (Flink == Blink)
        ExpMarkListNonEmpty(Descriptor, Entry->BlockSize, FALSE);
}

/* The headers on both sides of Entry must agree with it. */
VOID EXP_POOL_CODE ExpCheckBlockNeighbours(PPOOL_HEADER Entry)
{
    PPOOL_HEADER Next;

    if (Entry->BlockSize == 0)
        ExpBadPoolHeader(BAD_POOL_BLOCK_SIZE_ZERO, NULL, Entry->Ulong1, Entry);
    Next = POOL_NEXT_BLOCK(Entry);
    if ((PVOID)Next > PAGE_END(Entry))
        ExpBadPoolHeader(BAD_POOL_BLOCK_TOO_LARGE, Entry, Entry->Ulong1, Entry);
    if ((PVOID)Next != PAGE_END(Entry) && Next->PreviousSize != Entry->BlockSize)
        ExpBadPoolHeader(BAD_POOL_NEIGHBOURS, Entry, Next->Ulong1, Next);
    if (Entry->PreviousSize != 0) {
        PPOOL_HEADER Previous = POOL_PREV_BLOCK(Entry);

        if ((ULONG_PTR)Previous < (ULONG_PTR)PAGE_ALIGN(Entry))
            ExpBadPoolHeader(BAD_POOL_PREVIOUS_SIZE, Entry, Entry->Ulong1, Previous);
        if (Previous->BlockSize != Entry->PreviousSize)
            ExpBadPoolHeader(BAD_POOL_NEIGHBOURS, Previous, Previous->Ulong1, Entry);
    } else if (PAGE_ALIGN(Entry) != (PVOID)Entry) {
        ExpBadPoolHeader(BAD_POOL_PREVIOUS_SIZE, Entry, Entry->Ulong1, Entry);
    }
}

/*
 * Cuts Entry to Units; the rest (at least POOL_MINIMUM_UNITS, else Entry
 * keeps it) becomes a free block, merged with the block after it when that
 * one is free too, so two free blocks are never neighbours.
 */
static VOID EXP_POOL_CODE ExpSplitBlock(PPOOL_DESCRIPTOR Descriptor, PPOOL_HEADER Entry, ULONG Units)
{
    PPOOL_HEADER Rest, Next;
    ULONG RestUnits = Entry->BlockSize - Units;

    if (RestUnits < POOL_MINIMUM_UNITS)
        return;
    Entry->BlockSize = Units;
    Rest = POOL_NEXT_BLOCK(Entry);
    Rest->Ulong1 = 0;
    Rest->PreviousSize = Units;
    Rest->BlockSize = RestUnits;
    Rest->PoolTag = 0;
    Next = POOL_NEXT_BLOCK(Rest);
    if ((PVOID)Next != PAGE_END(Rest) && Next->PoolType == 0 && !(Next->PoolIndex & POOL_INDEX_CACHED)) {
        ExpRemoveFreeBlock(Descriptor, Next);
        Rest->BlockSize = RestUnits + Next->BlockSize;
        Next = POOL_NEXT_BLOCK(Rest);
    }
    if ((PVOID)Next != PAGE_END(Rest))
        Next->PreviousSize = Rest->BlockSize;
    ExpInsertFreeBlock(Descriptor, Rest);
}

/* A page for small blocks: the spare one, or a new one from the memory manager. */
static PPOOL_HEADER EXP_POOL_CODE ExpAllocatePoolPage(PPOOL_DESCRIPTOR Descriptor)
{
    PPOOL_HEADER Entry = Descriptor->SparePage, Tail;

    if (Entry != NULL) {
        Descriptor->SparePage = NULL;
    } else {
        Entry = MiAllocatePoolPages(Descriptor->PoolType == PagedPool ? MiPagedPoolPages : MiNonPagedPoolPages,
                                    PAGE_SIZE);
        if (Entry == NULL)
            return NULL;
        Descriptor->TotalPages++;
    }
    /*
     * 512 units do not fit the 9-bit BlockSize: the page starts as a block of
     * 511 for the caller to split and a one-unit fragment, which the split's
     * remainder absorbs.
     */
    Entry->Ulong1 = 0;
    Entry->BlockSize = POOL_MAXIMUM_UNITS;
    Entry->PoolTag = 0;
    Tail = POOL_NEXT_BLOCK(Entry);
    Tail->Ulong1 = 0;
    Tail->PreviousSize = POOL_MAXIMUM_UNITS;
    Tail->BlockSize = POOL_PAGE_UNITS - POOL_MAXIMUM_UNITS;
    Tail->PoolTag = 0;
    ExpInsertFreeBlock(Descriptor, Tail);
    return Entry;
}

/*
 * A block of Units (header included), its body aligned to AlignmentUnits *
 * 8 bytes when that is more than 1. NULL when no page can be had. The block
 * comes back marked in use with no tag; the caller fills both in.
 */
PPOOL_HEADER EXP_POOL_CODE ExpAllocateBlock(PPOOL_DESCRIPTOR Descriptor, ULONG Units, ULONG AlignmentUnits)
{
    ULONG Needed = Units + (AlignmentUnits > 1 ? AlignmentUnits + POOL_MINIMUM_UNITS : 0);
    ULONG Index;
    PPOOL_HEADER Entry;

    ASSERT(Units >= POOL_MINIMUM_UNITS && Needed <= POOL_MAXIMUM_UNITS);
    Index = ExpFindNonEmptyList(Descriptor, Needed);
    if (Index != 0) {
        Entry = POOL_BLOCK_HEADER(Descriptor->ListHeads[Index].Flink);
        ExpCheckBlockNeighbours(Entry);
        ExpRemoveFreeBlock(Descriptor, Entry);
    } else {
        Entry = ExpAllocatePoolPage(Descriptor);
        if (Entry == NULL)
            return NULL;
    }

    if (AlignmentUnits > 1) {
        /* Give the front away as a free block until the body lands on the boundary. */
        ULONG_PTR Body = (ULONG_PTR)POOL_BLOCK_BODY(Entry);
        ULONG Skip = (ULONG)((ALIGN_UP_BY(Body, AlignmentUnits * POOL_SMALLEST_BLOCK) - Body) >> POOL_BLOCK_SHIFT);

        if (Skip != 0 && Skip < POOL_MINIMUM_UNITS)
            Skip += AlignmentUnits;
        if (Skip != 0) {
            PPOOL_HEADER Aligned = (PPOOL_HEADER)((PULONGLONG)Entry + Skip);

            Aligned->Ulong1 = 0;
            Aligned->PreviousSize = Skip;
            Aligned->BlockSize = Entry->BlockSize - Skip;
            Aligned->PoolTag = 0;
            if ((PVOID)POOL_NEXT_BLOCK(Aligned) != PAGE_END(Aligned))
                POOL_NEXT_BLOCK(Aligned)->PreviousSize = Aligned->BlockSize;
            Entry->BlockSize = Skip;
            ExpInsertFreeBlock(Descriptor, Entry);
            Entry = Aligned;
        }
    }
    ExpSplitBlock(Descriptor, Entry, Units);
    Entry->PoolType = Descriptor->PoolType + 1;
    Entry->PoolIndex = 0;
    return Entry;
}

/*
 * Frees a block in use: merges it with free neighbours (blocks held by a
 * lookaside list are not free to merge), and gives a page that became
 * entirely free back, or keeps it as the spare. The block reads as free
 * from the start: merged into the block in front of it, its header stays
 * behind inside that block, where a second free of it must still find it
 * free (with nothing after it in the page, no neighbour disagrees).
 */
VOID EXP_POOL_CODE ExpFreeBlock(PPOOL_DESCRIPTOR Descriptor, PPOOL_HEADER Entry)
{
    PPOOL_HEADER Next;
    ULONG Units;

    ExpCheckBlockNeighbours(Entry);
    Entry->PoolType = 0;
    /* Two blocks of one page add up to at most the page: 512 units means the page is empty. */
    Next = POOL_NEXT_BLOCK(Entry);
    if ((PVOID)Next != PAGE_END(Entry) && Next->PoolType == 0 && !(Next->PoolIndex & POOL_INDEX_CACHED)) {
        ExpCheckBlockNeighbours(Next);
        ExpRemoveFreeBlock(Descriptor, Next);
        Units = Entry->BlockSize + Next->BlockSize;
        if (Units == POOL_PAGE_UNITS)
            goto WholePage;
        Entry->BlockSize = Units;
        if ((PVOID)POOL_NEXT_BLOCK(Entry) != PAGE_END(Entry))
            POOL_NEXT_BLOCK(Entry)->PreviousSize = Units;
    }
    if (Entry->PreviousSize != 0) {
        PPOOL_HEADER Previous = POOL_PREV_BLOCK(Entry);

        if (Previous->PoolType == 0 && !(Previous->PoolIndex & POOL_INDEX_CACHED)) {
            ExpRemoveFreeBlock(Descriptor, Previous);
            Units = Previous->BlockSize + Entry->BlockSize;
            if (Units == POOL_PAGE_UNITS)
                goto WholePage;
            Previous->BlockSize = Units;
            Entry = Previous;
            if ((PVOID)POOL_NEXT_BLOCK(Entry) != PAGE_END(Entry))
                POOL_NEXT_BLOCK(Entry)->PreviousSize = Units;
        }
    }
    ExpInsertFreeBlock(Descriptor, Entry);
    return;

WholePage:
    /*
     * Every block of the page is free and off the lists: the page itself is
     * free. The freed block still reads as free, so freeing it again is
     * caught while the page is the spare.
     */
    Entry = PAGE_ALIGN(Entry);
    Entry->PoolType = 0;
    if (Descriptor->SparePage == NULL) {
        Descriptor->SparePage = Entry;
        return;
    }
    Descriptor->TotalPages--;
    MiFreePoolPages(Entry);
}

/* Gives the kept-back spare pages to the memory manager (before leak and page-count checks). */
VOID ExpReleaseSparePages(VOID)
{
    PPOOL_DESCRIPTOR Descriptors[] = { &ExpNonPagedPoolDescriptor, &ExpPagedPoolDescriptor };

    for (ULONG i = 0; i < RTL_NUMBER_OF(Descriptors); i++) {
        KIRQL OldIrql;

        ExpLockPool(Descriptors[i], &OldIrql);
        if (Descriptors[i]->SparePage != NULL) {
            MiFreePoolPages(Descriptors[i]->SparePage);
            Descriptors[i]->SparePage = NULL;
            Descriptors[i]->TotalPages--;
        }
        ExpUnlockPool(OldIrql);
    }
}
