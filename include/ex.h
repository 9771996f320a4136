/* ex.h: the executive's interface to the rest of the kernel and the tests (not to drivers). */
#ifndef NTMM_EX_H
#define NTMM_EX_H

#include <ntddk.h>

VOID ExInitializePool(VOID);

/* Pool tracking by tag (what poolmon shows). */
typedef struct _EX_POOL_TAG_INFORMATION {
    ULONG Tag;
    ULONG NonPagedAllocs, NonPagedFrees;
    SIZE_T NonPagedBytes;
    ULONG PagedAllocs, PagedFrees;
    SIZE_T PagedBytes;
} EX_POOL_TAG_INFORMATION, *PEX_POOL_TAG_INFORMATION;

BOOLEAN ExQueryPoolTag(ULONG Tag, PEX_POOL_TAG_INFORMATION Information);
VOID ExDumpPoolTags(ULONG MaximumRows);
VOID ExDumpPoolSummary(VOID);

/* Pool state for tests, the boot summary and the invariant checks. */
typedef struct _EX_POOL_STATISTICS {
    ULONG SmallPages;              /* pages holding small blocks */
    ULONG BigPages;                /* pages in whole-page allocations */
    ULONG RunningAllocs, RunningDeAllocs;
    ULONG FreeBlocks;
    SIZE_T FreeBytes;
} EX_POOL_STATISTICS, *PEX_POOL_STATISTICS;

VOID ExQueryPoolStatistics(POOL_TYPE PoolType, PEX_POOL_STATISTICS Statistics);
BOOLEAN ExCheckPool(BOOLEAN Verbose);
VOID ExVerifyPool(VOID);
VOID ExTrimPool(VOID);
ULONG ExPoolMetadataBytes(VOID);

/*
 * Leak checking between two points: bytes outstanding per tag, less what
 * lookaside lists hold. Room for every tag the tracker can hold, and its
 * overflow entry.
 */
#define EX_POOL_SNAPSHOT_ENTRIES 513
typedef struct _EX_POOL_SNAPSHOT {
    ULONG Generation;              /* the verifier's, from the snapshot on (vf.h): what pool tracking lists */
    ULONG Count;
    struct {
        ULONG Tag;
        LONG NonPagedBytes, PagedBytes;
    } Entries[EX_POOL_SNAPSHOT_ENTRIES];
} EX_POOL_SNAPSHOT, *PEX_POOL_SNAPSHOT;

/*
 * ExReportPoolLeaks prints each tag holding more bytes After than Before
 * and returns how many; with pool tracking on, it lists each block of such
 * a tag allocated since Before, with its size and allocating caller.
 */
VOID ExTakePoolSnapshot(PEX_POOL_SNAPSHOT Snapshot);
ULONG ExReportPoolLeaks(const EX_POOL_SNAPSHOT *Before, const EX_POOL_SNAPSHOT *After);

/*
 * The pools as a debugger reads them (pooldbg.c, for the kd shell's !pool,
 * !poolfind and !poolused). A block's Address is its header, or the first
 * page of a whole-page allocation; sizes are in bytes, header included.
 */
typedef enum _EX_POOL_BLOCK_STATE {
    ExPoolBlockAllocated,
    ExPoolBlockFree,
    ExPoolBlockLookaside,          /* free to callers, held by a lookaside list */
    ExPoolBlockFragment,           /* free, too small for the lists */
    ExPoolBlockCorrupt             /* its header cannot be right: the walk stops here */
} EX_POOL_BLOCK_STATE;

typedef enum _EX_POOL_PAGE_KIND {
    ExPoolPageSmallBlocks,
    ExPoolPageBig,                 /* part of a whole-page allocation */
    ExPoolPageSpare,               /* a free page the pool keeps back */
    ExPoolPageBigPageTable         /* the big-page table's own storage */
} EX_POOL_PAGE_KIND, *PEX_POOL_PAGE_KIND;

typedef struct _EX_POOL_BLOCK {
    PVOID Address;
    ULONG Size;
    ULONG PreviousSize;
    ULONG Tag;
    UCHAR State;                   /* EX_POOL_BLOCK_STATE */
} EX_POOL_BLOCK, *PEX_POOL_BLOCK;

typedef VOID (*PEX_POOL_BLOCK_CALLBACK)(const EX_POOL_BLOCK *Block, PVOID Context);
NTSTATUS ExDescribePoolPage(PVOID VirtualAddress, POOL_TYPE *PoolType, PEX_POOL_PAGE_KIND Kind,
                            PEX_POOL_BLOCK_CALLBACK Callback, PVOID Context);
VOID ExWalkPoolBlocks(POOL_TYPE PoolType, PEX_POOL_BLOCK_CALLBACK Callback, PVOID Context);
ULONG ExQueryPoolTags(PEX_POOL_TAG_INFORMATION Rows, ULONG MaximumRows);

/* The lookaside lists' depth adjustment (NT's balance-set scan), run once a second. */
VOID ExAdjustLookasideDepth(VOID);

#endif
