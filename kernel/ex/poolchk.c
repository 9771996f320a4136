/*
 * poolchk.c: the pool walker. Visits every page of both pools: whole-page
 * allocations must be in the big-page table; every other page (but the
 * spare and the big-page table's own) is a small-block page whose headers
 * must tile it exactly, each PreviousSize naming the block before, each
 * PoolType in use or free, a block too small for links a free fragment.
 * Then every free list is walked: links must point
 * back, every block on list N must be a free block of N units, the
 * non-empty bitmap must match, and the free blocks found in pages must be
 * exactly those on the lists. ExCheckPool reports; ExVerifyPool stops the
 * system with BAD_POOL_HEADER at the first problem, as NT's checked pool does.
 */
#include "exp.h"
#include <ex.h>
#include <vf.h>

typedef struct _POOL_WALK {
    PPOOL_DESCRIPTOR Descriptor;
    BOOLEAN Verbose;
    ULONG Errors;
    ULONG FirstCode;
    PVOID FirstEntry;
    ULONG SmallPages;
    ULONG BigPages;
    ULONG FreeBlocksInPages;
} POOL_WALK, *PPOOL_WALK;

static VOID ExpWalkFailed(PPOOL_WALK Walk, ULONG Code, PVOID Entry, PCSTR What)
{
    if (Walk->Errors++ == 0) {
        Walk->FirstCode = Code;
        Walk->FirstEntry = Entry;
    }
    if (Walk->Verbose && Walk->Errors <= 8)
        DbgPrint("    # pool check: %s at %p\n", What, Entry);
}

static VOID ExpWalkSmallPage(PPOOL_WALK Walk, PPOOL_HEADER Page)
{
    PPOOL_HEADER Entry = Page;
    ULONG Previous = 0, Units = 0;
    UCHAR InUse = (UCHAR)(Walk->Descriptor->PoolType + 1);

    while (Units < POOL_PAGE_UNITS) {
        if (Entry->BlockSize == 0 || Units + Entry->BlockSize > POOL_PAGE_UNITS) {
            ExpWalkFailed(Walk, 0x7, Entry, "block size out of range");
            return;
        }
        if (Entry->PreviousSize != Previous)
            ExpWalkFailed(Walk, 0x5, Entry, "previous size does not match the block before");
        if (Entry->PoolType != 0 && (Entry->PoolType & ~POOL_QUOTA_MASK) != InUse)
            ExpWalkFailed(Walk, 0x20, Entry, "pool type of another pool");
        if (Entry->BlockSize < POOL_MINIMUM_UNITS) {
            if (Entry->PoolType != 0 || Entry->PoolIndex != 0)
                ExpWalkFailed(Walk, 0x7, Entry, "block too small for anything but a free fragment");
        } else if (Entry->PoolType == 0 && !(Entry->PoolIndex & POOL_INDEX_CACHED)) {
            Walk->FreeBlocksInPages++;
        }
        Previous = Entry->BlockSize;
        Units += Entry->BlockSize;
        Entry = POOL_NEXT_BLOCK(Entry);
    }
}

static VOID ExpWalkAllocation(PVOID StartingAddress, ULONG Pages, PVOID Context)
{
    PPOOL_WALK Walk = Context;
    ULONG Tag, BigPages;

    if (ExpFindBigPage(StartingAddress, &Tag, &BigPages)) {
        if (BigPages != Pages)
            ExpWalkFailed(Walk, 0x22, StartingAddress, "big-page table length differs from the allocation");
        Walk->BigPages += Pages;
    } else if (!ExpIsBigPageTableStorage(StartingAddress) && !ExpIsTrackerStorage(StartingAddress) &&
               !VfIsVerifierStorage(StartingAddress) && StartingAddress != Walk->Descriptor->SparePage) {
        if (Pages != 1)
            ExpWalkFailed(Walk, 0x22, StartingAddress, "multi-page allocation missing from the big-page table");
        else
            ExpWalkSmallPage(Walk, StartingAddress);
        Walk->SmallPages++;
    } else if (StartingAddress == Walk->Descriptor->SparePage) {
        Walk->SmallPages++;
    }
}

static VOID ExpWalkFreeLists(PPOOL_WALK Walk)
{
    PPOOL_DESCRIPTOR Descriptor = Walk->Descriptor;
    ULONG FreeBlocksOnLists = 0;

    for (ULONG i = 0; i < POOL_LIST_HEADS; i++) {
        PLIST_ENTRY ListHead = &Descriptor->ListHeads[i];
        BOOLEAN Marked = (Descriptor->NonEmpty[i / 32] >> (i % 32)) & 1;
        ULONG Count = 0;

        for (PLIST_ENTRY Links = ListHead->Flink; Links != ListHead; Links = Links->Flink) {
            PPOOL_HEADER Entry = POOL_BLOCK_HEADER(Links);

            if (Links->Flink->Blink != Links || Links->Blink->Flink != Links) {
                ExpWalkFailed(Walk, 0x3, Entry, "free list links do not point back");
                return;
            }
            if (Entry->BlockSize != i || Entry->PoolType != 0)
                ExpWalkFailed(Walk, 0x3, Entry, "block on a free list it does not belong to");
            if (++Count > 1024 * 1024) {
                ExpWalkFailed(Walk, 0x3, Entry, "free list does not end");
                return;
            }
        }
        if (Marked != (Count != 0))
            ExpWalkFailed(Walk, 0x3, ListHead, "non-empty bitmap disagrees with a free list");
        FreeBlocksOnLists += Count;
    }
    for (ULONG w = 0; w < POOL_LIST_HEADS / 32; w++) {
        if (((Descriptor->NonEmptyWords >> w) & 1) != (Descriptor->NonEmpty[w] != 0))
            ExpWalkFailed(Walk, 0x3, &Descriptor->NonEmpty[w], "non-empty summary disagrees with its bitmap");
    }
    if (FreeBlocksOnLists != Walk->FreeBlocksInPages)
        ExpWalkFailed(Walk, 0x3, NULL, "free blocks in pages differ from those on the lists");
}

static BOOLEAN ExpWalkPool(PPOOL_DESCRIPTOR Descriptor, BOOLEAN Verbose, PULONG Code, PVOID *FirstEntry)
{
    POOL_WALK Walk = { Descriptor, Verbose, 0, 0, NULL, 0, 0, 0 };
    KIRQL OldIrql;

    ExpLockPool(Descriptor, &OldIrql);
    MiEnumeratePoolAllocations(Descriptor->PoolType == PagedPool ? MiPagedPoolPages : MiNonPagedPoolPages,
                               ExpWalkAllocation, &Walk);
    ExpWalkFreeLists(&Walk);
    if (Walk.SmallPages != Descriptor->TotalPages)
        ExpWalkFailed(&Walk, 0x22, NULL, "small-block pages found differ from the pool's count");
    if (Walk.BigPages != Descriptor->TotalBigPages)
        ExpWalkFailed(&Walk, 0x22, NULL, "big pages found differ from the pool's count");
    ExpUnlockPool(OldIrql);
    *Code = Walk.FirstCode;
    *FirstEntry = Walk.FirstEntry;
    return Walk.Errors == 0;
}

BOOLEAN ExCheckPool(BOOLEAN Verbose)
{
    ULONG Code;
    PVOID Entry;
    BOOLEAN NonPagedOk = ExpWalkPool(&ExpNonPagedPoolDescriptor, Verbose, &Code, &Entry);
    BOOLEAN PagedOk = ExpWalkPool(&ExpPagedPoolDescriptor, Verbose, &Code, &Entry);

    return NonPagedOk && PagedOk;
}

/* The walk that stops: BAD_POOL_HEADER with the first problem's code and entry. */
VOID ExVerifyPool(VOID)
{
    PPOOL_DESCRIPTOR Descriptors[] = { &ExpNonPagedPoolDescriptor, &ExpPagedPoolDescriptor };

    for (ULONG i = 0; i < RTL_NUMBER_OF(Descriptors); i++) {
        ULONG Code;
        PVOID Entry;

        if (!ExpWalkPool(Descriptors[i], TRUE, &Code, &Entry))
            KeBugCheckEx(BAD_POOL_HEADER, Code, (ULONG_PTR)Entry, Entry != NULL ? ((PPOOL_HEADER)Entry)->Ulong1 : 0, 0);
    }
}
