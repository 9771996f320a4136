/*
 * exp.h: the executive pool's private header: the block header, the pool
 * descriptors and their free lists, the big-page and tag tables, and the
 * inline SLIST operations the fast paths use. Builds in the kernel and, for
 * the host tests and benchmark, on the host over a page source of its own
 * (tests/host/pool_host.c).
 */
#ifndef NTMM_EXP_H
#define NTMM_EXP_H

#include <ntddk.h>
#include <mm.h>
#include <string.h>

/*
 * Every small block starts with a POOL_HEADER (NT x86's layout). Sizes are
 * in 8-byte units and include the header. PoolType is the pool type + 1
 * for a block in use and 0 for a free one; PoolIndex marks blocks held by a
 * lookaside list (free to the caller, not to the coalescer).
 *
 * A free block sits on the free list of its size when it can hold the
 * links; one smaller than POOL_MINIMUM_UNITS is a fragment on no list,
 * found only by its neighbours when they are freed. NT has them too: the
 * largest small block is 511 units (4080 bytes asked for, BlockSize's 9
 * bits), and the one unit it leaves of its page is such a fragment.
 */
#define POOL_BLOCK_SHIFT 3
#define POOL_SMALLEST_BLOCK 8
#define POOL_PAGE_UNITS (PAGE_SIZE / POOL_SMALLEST_BLOCK)        /* 512 */
/* A listed free block holds a header and its links: 2 units here, 3 on the 64-bit host. */
#define POOL_MINIMUM_UNITS ((ULONG)((sizeof(POOL_HEADER) + sizeof(LIST_ENTRY) + 7) / 8))
#define POOL_MAXIMUM_UNITS (POOL_PAGE_UNITS - 1)                  /* 511, the largest BlockSize */
#define POOL_BUDDY_MAX (PAGE_SIZE - sizeof(POOL_HEADER) - POOL_SMALLEST_BLOCK)   /* 4080, as NT x86 */
#define POOL_CACHE_ALIGNMENT 64
#define POOL_LIST_HEADS POOL_PAGE_UNITS
_Static_assert(POOL_LIST_HEADS / 32 <= 32, "one word summarises the non-empty bitmap");
#define POOL_INDEX_CACHED 0x40        /* held by a small-block lookaside list */

typedef struct _POOL_HEADER {
    union {
        struct {
            USHORT PreviousSize : 9;
            USHORT PoolIndex : 7;
            USHORT BlockSize : 9;
            USHORT PoolType : 7;
        };
        ULONG Ulong1;
    };
    ULONG PoolTag;
} POOL_HEADER, *PPOOL_HEADER;
_Static_assert(sizeof(POOL_HEADER) == 8, "NT x86's POOL_HEADER is 8 bytes");
_Static_assert(POOL_BUDDY_MAX == (POOL_MAXIMUM_UNITS << POOL_BLOCK_SHIFT) - sizeof(POOL_HEADER),
               "the largest small block is the largest BlockSize");

/*
 * The header's first word as one value, for the fast paths: reading or
 * writing a bit-field is a read-modify-write per byte, the whole word one
 * store. PreviousSize is bits 0-8, PoolIndex 9-15, BlockSize 16-24,
 * PoolType 25-31 (the bit-fields above; pool_test checks they agree).
 */
#define POOL_HEADER_INDEX_SHIFT 9
#define POOL_HEADER_BLOCK_SHIFT 16
#define POOL_HEADER_TYPE_SHIFT 25
#define POOL_HEADER_SIZE_MASK 0x1FF
#define POOL_HEADER_SIZES (POOL_HEADER_SIZE_MASK | (POOL_HEADER_SIZE_MASK << POOL_HEADER_BLOCK_SHIFT))
#define POOL_HEADER_BLOCK_SIZE(Ulong1) (((Ulong1) >> POOL_HEADER_BLOCK_SHIFT) & POOL_HEADER_SIZE_MASK)

/* Units for a body of Bytes, header included (before rounding up to the minimum). */
#define BYTES_TO_POOL_UNITS(Bytes) \
    ((ULONG)(((Bytes) + sizeof(POOL_HEADER) + POOL_SMALLEST_BLOCK - 1) >> POOL_BLOCK_SHIFT))
#define POOL_BLOCK_BODY(Entry) ((PVOID)((PPOOL_HEADER)(Entry) + 1))
#define POOL_BLOCK_HEADER(Body) ((PPOOL_HEADER)(Body) - 1)
#define POOL_NEXT_BLOCK(Entry) ((PPOOL_HEADER)((PULONGLONG)(Entry) + (Entry)->BlockSize))
#define POOL_PREV_BLOCK(Entry) ((PPOOL_HEADER)((PULONGLONG)(Entry) - (Entry)->PreviousSize))
#define POOL_FREE_LINKS(Entry) ((PLIST_ENTRY)POOL_BLOCK_BODY(Entry))
#define PAGE_END(Entry) ((PVOID)((ULONG_PTR)PAGE_ALIGN(Entry) + PAGE_SIZE))
#define EXP_TAG_MASK (~PROTECTED_POOL)

/* One per base pool type: its free lists, which of them are non-empty, its counters. */
typedef struct _POOL_DESCRIPTOR {
    POOL_TYPE PoolType;               /* NonPagedPool or PagedPool */
    KIRQL LockIrql;                   /* DISPATCH_LEVEL or APC_LEVEL: holding the "lock" */
    ULONG RunningAllocs;
    ULONG RunningDeAllocs;
    ULONG TotalPages;                 /* pages holding small blocks */
    ULONG TotalBigPages;
    ULONG TotalBytes;                 /* bytes in blocks in use (small and big) */
    PVOID SparePage;                  /* one whole free page kept back to stop page churn */
    struct _POOL_TRACKER_TABLE *volatile Tracker;   /* the last tag's record, for paths without a lookaside list */
    ULONG NonEmpty[POOL_LIST_HEADS / 32];
    ULONG NonEmptyWords;              /* bit w: NonEmpty[w] is not zero */
    LIST_ENTRY ListHeads[POOL_LIST_HEADS];
} POOL_DESCRIPTOR, *PPOOL_DESCRIPTOR;

extern POOL_DESCRIPTOR ExpNonPagedPoolDescriptor, ExpPagedPoolDescriptor;

/*
 * Holding a pool: running at its lock level (DISPATCH_LEVEL for nonpaged,
 * APC_LEVEL for paged) or above, which on one processor keeps every other
 * user of it out. A caller already higher stays where it is.
 */
FORCEINLINE VOID ExpLockPool(PPOOL_DESCRIPTOR Descriptor, PKIRQL OldIrql)
{
    KIRQL Irql = KeGetCurrentIrql();

    KeRaiseIrql(Descriptor->LockIrql > Irql ? Descriptor->LockIrql : Irql, OldIrql);
}

#define ExpUnlockPool(OldIrql) KeLowerIrql(OldIrql)

FORCEINLINE PPOOL_DESCRIPTOR ExpDescriptorFor(POOL_TYPE PoolType)
{
    return (PoolType & BASE_POOL_TYPE_MASK) ? &ExpPagedPoolDescriptor : &ExpNonPagedPoolDescriptor;
}

/* poolblk.c: small blocks. Callers hold the descriptor (run at its LockIrql). */
PPOOL_HEADER ExpAllocateBlock(PPOOL_DESCRIPTOR Descriptor, ULONG Units, ULONG AlignmentUnits);
VOID ExpFreeBlock(PPOOL_DESCRIPTOR Descriptor, PPOOL_HEADER Entry);
VOID ExpCheckBlockNeighbours(PPOOL_HEADER Entry);
DECLSPEC_NORETURN VOID ExpBadNextBlock(PPOOL_HEADER Entry);
VOID ExpReleaseSparePages(VOID);

/*
 * The check Windows (7 and later) makes on every free, fast path included:
 * Entry, a block of Units, ends inside its page, and the block after it
 * gives Units as its previous size unless Entry ends the page. An overrun
 * of Entry into the next header fails it; the free then stops with
 * BAD_POOL_HEADER 0x20 (ExpBadNextBlock).
 */
FORCEINLINE BOOLEAN ExpNextBlockAgrees(PPOOL_HEADER Entry, ULONG Units)
{
    ULONG End = BYTE_OFFSET(Entry) + (Units << POOL_BLOCK_SHIFT);

    return End < PAGE_SIZE ? ((PPOOL_HEADER)((PULONGLONG)Entry + Units))->PreviousSize == Units : End == PAGE_SIZE;
}

/* The same with the block's size in bytes, which the fast free path has at hand (PreviousSize compared as bytes). */
FORCEINLINE BOOLEAN ExpNextBlockAgreesBytes(PPOOL_HEADER Entry, ULONG Bytes)
{
    ULONG End = BYTE_OFFSET(Entry) + Bytes;

    return End < PAGE_SIZE ? ((*(PULONG)((PUCHAR)Entry + Bytes) << POOL_BLOCK_SHIFT) &
                              (POOL_HEADER_SIZE_MASK << POOL_BLOCK_SHIFT)) == Bytes
                           : End == PAGE_SIZE;
}

/* bigpage.c: allocations of whole pages, by start address. */
BOOLEAN ExpInsertBigPage(PVOID Va, ULONG Tag, ULONG Pages, POOL_TYPE PoolType);
BOOLEAN ExpFindBigPage(PVOID Va, PULONG Tag, PULONG Pages);
BOOLEAN ExpRemoveBigPage(PVOID Va, PULONG Tag, PULONG Pages);
BOOLEAN ExpIsBigPageTableStorage(PVOID Va);
VOID ExpInitializeBigPageTable(VOID);
ULONG ExpBigPageTableBytes(VOID);

/*
 * ntmm runs on one processor, where an instruction is never split by an
 * interrupt: the interlocked operations below need no bus lock, as NT's
 * uniprocessor kernel patched its lock prefixes out. An SMP build defines
 * NTMM_SMP.
 */
#ifdef NTMM_SMP
#define EXP_LOCK "lock "
#else
#define EXP_LOCK ""
#endif

/*
 * Counters the pool updates at any IRQL up to DISPATCH_LEVEL, so a DPC can
 * update them in the middle of a passive-level update: each change is one
 * read-modify-write instruction, which an interrupt lands before or after
 * but never inside (C's ++ promises no such thing). The host has no
 * interrupts.
 */
#if defined(__i386__)
#define ExpCounterAdd(Counter, Value) __asm__ volatile(EXP_LOCK "addl %1, %0" : "+m"(Counter) : "ri"((ULONG)(Value)))
#define ExpCounterSubtract(Counter, Value) \
    __asm__ volatile(EXP_LOCK "subl %1, %0" : "+m"(Counter) : "ri"((ULONG)(Value)))
FORCEINLINE ULONG ExpCompareExchange(volatile ULONG *Target, ULONG Exchange, ULONG Comparand)
{
    __asm__ volatile(EXP_LOCK "cmpxchgl %2, %1" : "+a"(Comparand), "+m"(*Target) : "r"(Exchange) : "memory", "cc");
    return Comparand;
}
#else
#define ExpCounterAdd(Counter, Value) ((void)((Counter) += (Value)))
#define ExpCounterSubtract(Counter, Value) ((void)((Counter) -= (Value)))
FORCEINLINE ULONG ExpCompareExchange(volatile ULONG *Target, ULONG Exchange, ULONG Comparand)
{
    __atomic_compare_exchange_n(Target, &Comparand, Exchange, FALSE, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    return Comparand;
}
#endif

/*
 * pooltag.c: what poolmon shows, per tag and pool type. A tag's record
 * keeps NT x86's POOL_TRACKER_TABLE layout (Key, then nonpaged allocs,
 * frees and bytes, then the same for paged pool), as an array by base pool
 * type so a fast path indexes it instead of branching. A record never
 * moves once its tag has it.
 */
typedef struct _POOL_TRACKER_COUNTS {
    ULONG Allocs;
    ULONG Frees;
    SIZE_T Bytes;
} POOL_TRACKER_COUNTS;

typedef struct _POOL_TRACKER_TABLE {
    ULONG Key;                        /* the tag, without the protected bit */
    POOL_TRACKER_COUNTS Counts[2];    /* [NonPagedPool], [PagedPool] */
} POOL_TRACKER_TABLE, *PPOOL_TRACKER_TABLE;

/* The index's hash: the top bits of a Fibonacci product; Shift is 32 less the index's size in bits. */
#define POOL_TRACKER_HASH(Tag, Shift) (((Tag) * 0x9E3779B1u) >> (Shift))
/* The key of ExpNoTracker: keys are masked tags, which never carry the protected bit (0 is a tag like any other). */
#define POOL_TRACKER_NO_KEY PROTECTED_POOL

extern PPOOL_TRACKER_TABLE *ExpTrackIndex;     /* read and changed at DISPATCH_LEVEL only */
extern ULONG ExpTrackIndexShift;
extern POOL_TRACKER_TABLE ExpPoolTrackOverflow;
extern POOL_TRACKER_TABLE ExpNoTracker;        /* what a cache holds before its first tag: matches none */
VOID ExpInitializePoolTracker(VOID);
PPOOL_TRACKER_TABLE ExpFindTracker(ULONG Tag);
PPOOL_TRACKER_TABLE ExpTrackerRecord(ULONG Index);
ULONG ExpTrackerCount(VOID);
BOOLEAN ExpIsTrackerStorage(PVOID Va);
ULONG ExpTrackerMetadataBytes(VOID);
VOID ExpFormatTag(ULONG Tag, PCHAR Text);

/*
 * A tag's record through a cache of the last one used there (a lookaside
 * list's or a descriptor's): one load and a compare when the tag is the
 * same as last time. The cache is one pointer, read once and written once,
 * so a DPC changing it in between leaves this caller with a record that
 * is still the right one for its tag.
 */
FORCEINLINE PPOOL_TRACKER_TABLE ExpTrackerFor(PPOOL_TRACKER_TABLE volatile *Cache, ULONG Tag)
{
    PPOOL_TRACKER_TABLE Tracker = *Cache;

    Tag &= EXP_TAG_MASK;
    if (Tracker->Key != Tag) {
        Tracker = ExpFindTracker(Tag);
        *Cache = Tracker;
    }
    return Tracker;
}

FORCEINLINE VOID ExpInsertPoolTracker(PPOOL_TRACKER_TABLE volatile *Cache, ULONG Tag, SIZE_T Bytes,
                                      POOL_TYPE PoolType)
{
    POOL_TRACKER_COUNTS *Counts = &ExpTrackerFor(Cache, Tag)->Counts[PoolType & BASE_POOL_TYPE_MASK];

    ExpCounterAdd(Counts->Allocs, 1);
    ExpCounterAdd(Counts->Bytes, Bytes);
}

FORCEINLINE VOID ExpRemovePoolTracker(PPOOL_TRACKER_TABLE volatile *Cache, ULONG Tag, SIZE_T Bytes,
                                      POOL_TYPE PoolType)
{
    POOL_TRACKER_COUNTS *Counts = &ExpTrackerFor(Cache, Tag)->Counts[PoolType & BASE_POOL_TYPE_MASK];

    ExpCounterAdd(Counts->Frees, 1);
    ExpCounterSubtract(Counts->Bytes, Bytes);
}

/*
 * lookaside.c: the small-block lookaside lists the pool's fast path uses,
 * each with the tracker record of the last tag counted through it.
 */
#define POOL_SMALL_LISTS 32              /* blocks of 2..33 units: bodies up to 256 bytes */
typedef struct _POOL_LOOKASIDE {
    GENERAL_LOOKASIDE L;
    PPOOL_TRACKER_TABLE volatile Tracker;
    ULONG CountsOffset;               /* of Counts[the list's pool type] in a tracker record */
    KIRQL MaximumIrql;                /* the highest IRQL its pool type may be used at */
} POOL_LOOKASIDE, *PPOOL_LOOKASIDE;
extern POOL_LOOKASIDE ExpSmallPoolLookasides[2][POOL_SMALL_LISTS];   /* [NonPagedPool, PagedPool] */

/*
 * The largest request the lists serve, and the fast paths' table to them:
 * entry [i][PoolType] is the list for a request of up to i * 8 bytes, which
 * is also the list for blocks of i + 1 units (the header's 8 bytes added).
 * Indexed by size first, so one scaled index reaches an entry.
 */
#define POOL_SMALL_MAXIMUM_BYTES \
    ((POOL_SMALL_LISTS + POOL_MINIMUM_UNITS - 1) * POOL_SMALLEST_BLOCK - sizeof(POOL_HEADER))
#define POOL_SMALL_SIZE_INDEX(Bytes) (((Bytes) + POOL_SMALLEST_BLOCK - 1) >> POOL_BLOCK_SHIFT)
#define POOL_SMALL_UNITS_INDEX(Units) ((Units) - 1)
extern PPOOL_LOOKASIDE ExpSmallPoolLookasideFor[POOL_SMALL_SIZE_INDEX(POOL_SMALL_MAXIMUM_BYTES) + 1][2];
_Static_assert(POOL_SMALL_UNITS_INDEX(POOL_MINIMUM_UNITS + POOL_SMALL_LISTS - 1) ==
               POOL_SMALL_SIZE_INDEX(POOL_SMALL_MAXIMUM_BYTES), "the largest list's blocks index the table's last row");

/* Counts a block against Tag when the list's cached record is another tag's (pool.c). */
VOID ExpTrackLookasideMiss(PPOOL_LOOKASIDE Lookaside, ULONG Tag, BOOLEAN Allocate);
#define ExpSmallNPagedPoolLookasideLists (ExpSmallPoolLookasides[NonPagedPool])
#define ExpSmallPagedPoolLookasideLists (ExpSmallPoolLookasides[PagedPool])
VOID ExpInitializeSmallPoolLookasides(VOID);
VOID ExpStartLookasideScan(VOID);
SIZE_T ExpLookasideCachedBytes(ULONG Tag, BOOLEAN Paged);

/*
 * poolquota.c: a block charged to a process has POOL_QUOTA_MASK in its
 * header's PoolType (added to the stored type + 1, as NT x86 does) and the
 * process in its last pointer; the free path gives the charge back.
 */
#define POOL_QUOTA_MASK 8
#define EXP_IS_QUOTA_BLOCK(Entry) ((((Entry)->PoolType - 1) & POOL_QUOTA_MASK) != 0)
VOID ExpReturnPoolQuota(PPOOL_HEADER Entry);

/* BAD_POOL_CALLER first parameters (NT's). */
#define BAD_POOL_ALREADY_FREE       0x07
#define BAD_POOL_ALLOCATE_IRQL      0x08
#define BAD_POOL_FREE_IRQL          0x09
#define BAD_POOL_WRONG_TAG          0x0A
#define BAD_POOL_USER_ADDRESS       0x40
#define BAD_POOL_NEVER_IN_POOL      0x42
#define BAD_POOL_NONPAGED_NOT_ALLOCATED 0x44
#define BAD_POOL_PAGED_NOT_ALLOCATED 0x50
#define BAD_POOL_INVALID_ADDRESS    0x99
#define BAD_POOL_ZERO_TAG           0x9B

/*
 * vfpool.c: the pool under the verifier: special pool's share of requests
 * (counted against their tags by the bytes asked for) and pool tracking.
 * SpecialPoolType: 0 guards a block's end, 1 its start.
 */
BOOLEAN ExpIsSpecialPoolRequest(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag);
PVOID ExpAllocateSpecialPool(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag, ULONG SpecialPoolType,
                             PVOID CallersAddress);
VOID ExpFreeSpecialPool(PVOID P, ULONG Tag, PVOID CallersAddress);

/* pool.c: the highest IRQL each base pool type may be used at, and the bytes a block or big allocation counts for. */
extern const KIRQL ExpMaximumIrql[2];
SIZE_T ExpTrackedBytes(PVOID Body);
VOID ExAdjustLookasideDepth(VOID);

/* poolchk.c */
BOOLEAN ExpCheckPool(BOOLEAN Verbose);

/* IRQL without a call: the pool's fast paths read it on every request. */
#ifdef KTEST_HOST
extern KIRQL KeHostIrql;                 /* tests/host/pool_host.c */
#define ExpGetIrql() (KeHostIrql)
#else
#define ExpGetIrql() (KiPcr.Irql)
#endif

#define EXP_IN_RANGE(P, Start, End) ((ULONG_PTR)(P) - (ULONG_PTR)(Start) < (ULONG_PTR)(End) - (ULONG_PTR)(Start))

/*
 * May the fast free path read the header in front of P? P must lie in a
 * pool region, on a page that is there: the initial nonpaged pool is mapped
 * for good, but an expansion or paged-pool page nobody allocated is not,
 * and reading its header would fault in pool code. One look in the
 * memory manager's table of regions says which (MmPoolRegion). Everything
 * else goes the slow way, which asks the page allocator (MiIsPoolAddress)
 * and stops a bad caller with BAD_POOL_CALLER. (The host's pool pages are
 * always readable, and above 4 GB: its ranges are compared.)
 */
FORCEINLINE BOOLEAN ExpIsReadablePoolAddress(PVOID P)
{
#ifdef KTEST_HOST
    return EXP_IN_RANGE(P, MmNonPagedPoolExpansionStart, MmNonPagedPoolExpansionEnd) ||
           EXP_IN_RANGE(P, MmPagedPoolStart, MmPagedPoolEnd);
#else
    ULONG Region = MmPoolRegion[(ULONG_PTR)P >> PDE_SHIFT];

    return Region == MM_POOL_REGION_RESIDENT || (Region == MM_POOL_REGION_CHECK_PTE && MiIsSmallPagePresent(P));
#endif
}

/* The pool's code, so a fault in it can be reported as DRIVER_CORRUPTED_EXPOOL. */
#define EXP_POOL_CODE __attribute__((section(".text.expool")))

/*
 * SLISTs. The header's depth and sequence ride with the first entry in one
 * 8-byte word (16 on the host). As on NT x86, only a push moves the
 * sequence; a pop or a flush leaves it.
 *
 * That is enough against ABA where the header is swapped by compare-
 * exchange (the flush, and push and pop on more than one processor). A
 * pop reads the header (first entry A) and A's Next (B), then swaps B in
 * only if the header still holds what it read. If anything ran in between,
 * either it pushed, and the sequence moved, or it only popped and flushed:
 * those take A off the head and cannot put it back, so the first entry
 * differs. Either way the stale swap fails, in particular when A came back
 * to the head over a B now in use (pop A, pop B, push A). Only 65536
 * pushes inside that window would wrap the 16-bit sequence, a risk NT
 * accepts too. A push needs no guard: it links its entry in front of the
 * first entry its swap confirms.
 */
#if defined(__x86_64__)
typedef unsigned __int128 SLIST_WORD;
FORCEINLINE BOOLEAN EXP_SLIST_CAS(PSLIST_HEADER Header, SLIST_WORD Old, SLIST_WORD New)
{
    ULONGLONG OldLow = (ULONGLONG)Old, OldHigh = (ULONGLONG)(Old >> 64);
    BOOLEAN Swapped;

    __asm__ volatile(EXP_LOCK "cmpxchg16b %1\n\t"
                     "sete %0"
                     : "=q"(Swapped), "+m"(Header->Alignment), "+a"(OldLow), "+d"(OldHigh)
                     : "b"((ULONGLONG)New), "c"((ULONGLONG)(New >> 64))
                     : "memory", "cc");
    return Swapped;
}
#else
typedef ULONGLONG SLIST_WORD;
FORCEINLINE BOOLEAN EXP_SLIST_CAS(PSLIST_HEADER Header, SLIST_WORD Old, SLIST_WORD New)
{
    BOOLEAN Swapped;

    __asm__ volatile(EXP_LOCK "cmpxchg8b %1\n\t"
                     "sete %0"
                     : "=q"(Swapped), "+m"(Header->Alignment), "+A"(Old)
                     : "b"((ULONG)New), "c"((ULONG)(New >> 32))
                     : "memory", "cc");
    return Swapped;
}
#endif

/* A push adds this to the 32 bits holding Depth (low half) and Sequence (high half); a pop subtracts 1. */
#define EXP_SLIST_PUSH_COUNTS 0x10001
typedef ULONG __attribute__((may_alias)) EXP_SLIST_COUNTS;    /* Depth and Sequence read as one word */
#define ExpSListCounts(ListHead) (*(EXP_SLIST_COUNTS *)&(ListHead)->Depth)

#if defined(NTMM_SMP)
/*
 * More than one processor: the header is swapped by cmpxchg8b. Its two
 * words are read apart, in this order: first entry, counts, then (for a
 * pop) the first entry's Next, all volatile so the compiler keeps the
 * order. A swap against a torn read succeeds only if the header still
 * holds the first entry read and the counts read after it, and then the
 * Next read after both is still A's.
 */
_Static_assert(sizeof(SLIST_HEADER) == 8, "the SMP SLIST is NT x86's");
FORCEINLINE BOOLEAN ExpSwapSListHeader(PSLIST_HEADER Header, ULONG OldFirst, ULONG OldCounts, ULONG NewFirst,
                                       ULONG NewCounts)
{
    BOOLEAN Swapped;

    __asm__ volatile(EXP_LOCK "cmpxchg8b %1\n\t"
                     "sete %0"
                     : "=q"(Swapped), "+m"(Header->Alignment), "+a"(OldFirst), "+d"(OldCounts)
                     : "b"(NewFirst), "c"(NewCounts)
                     : "memory", "cc");
    return Swapped;
}

FORCEINLINE PSLIST_ENTRY ExpInterlockedPushEntrySList(PSLIST_HEADER ListHead, PSLIST_ENTRY Entry)
{
    volatile ULONG *Words = (volatile ULONG *)ListHead;
    ULONG First, Counts;

    do {
        First = Words[0];
        Counts = Words[1];
        Entry->Next = (PSLIST_ENTRY)First;
    } while (!ExpSwapSListHeader(ListHead, First, Counts, (ULONG)Entry, Counts + EXP_SLIST_PUSH_COUNTS));
    return (PSLIST_ENTRY)First;
}

FORCEINLINE PSLIST_ENTRY ExpInterlockedPopEntrySList(PSLIST_HEADER ListHead)
{
    volatile ULONG *Words = (volatile ULONG *)ListHead;
    ULONG First, Counts;

    do {
        First = Words[0];
        Counts = Words[1];
        if (First == 0)
            return NULL;
    } while (!ExpSwapSListHeader(ListHead, First, Counts, (ULONG)*(PSLIST_ENTRY volatile *)&((PSLIST_ENTRY)First)->Next,
                                 Counts - 1));
    return (PSLIST_ENTRY)First;
}
#else
/*
 * One processor, as NT's uniprocessor kernel: with interrupts off nothing
 * else can run, so a push or pop is a few plain loads and stores, and
 * cmpxchg8b, which ties up four registers, is not needed. The flags are
 * saved on the stack and restored, so a caller that had interrupts off
 * keeps them off; each operation is one asm statement, so the stack moves
 * only inside it. The host has no interrupts to turn off.
 */
#ifdef KTEST_HOST
FORCEINLINE PSLIST_ENTRY ExpInterlockedPushEntrySList(PSLIST_HEADER ListHead, PSLIST_ENTRY Entry)
{
    PSLIST_ENTRY First = ListHead->Next.Next;

    Entry->Next = First;
    ListHead->Next.Next = Entry;
    ExpSListCounts(ListHead) += EXP_SLIST_PUSH_COUNTS;
    return First;
}

FORCEINLINE PSLIST_ENTRY ExpInterlockedPopEntrySList(PSLIST_HEADER ListHead)
{
    PSLIST_ENTRY First = ListHead->Next.Next;

    if (First != NULL) {
        ListHead->Next.Next = First->Next;
        ExpSListCounts(ListHead) -= 1;
    }
    return First;
}
#else
_Static_assert(offsetof(SLIST_HEADER, Depth) == 4, "the counts are the header's second word");

FORCEINLINE PSLIST_ENTRY ExpInterlockedPushEntrySList(PSLIST_HEADER ListHead, PSLIST_ENTRY Entry)
{
    PSLIST_ENTRY First;

    __asm__ volatile("pushfl\n\t"
                     "cli\n\t"
                     "movl (%1), %0\n\t"
                     "movl %0, (%2)\n\t"
                     "movl %2, (%1)\n\t"
                     "addl %3, 4(%1)\n\t"
                     "popfl"
                     : "=&r"(First)
                     : "r"(ListHead), "r"(Entry), "i"(EXP_SLIST_PUSH_COUNTS)
                     : "memory", "cc");
    return First;
}

FORCEINLINE PSLIST_ENTRY ExpInterlockedPopEntrySList(PSLIST_HEADER ListHead)
{
    PSLIST_ENTRY First, Next;

    __asm__ volatile("pushfl\n\t"
                     "cli\n\t"
                     "movl (%2), %0\n\t"
                     "testl %0, %0\n\t"
                     "jz 1f\n\t"
                     "movl (%0), %1\n\t"
                     "movl %1, (%2)\n\t"
                     "decl 4(%2)\n"
                     "1:\n\t"
                     "popfl"
                     : "=&r"(First), "=&r"(Next)
                     : "r"(ListHead)
                     : "memory", "cc");
    return First;
}
#endif
#endif

#endif
