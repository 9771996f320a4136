/*
 * vf.h: the kernel verifier's interface to the rest of the kernel (not to
 * drivers, who ask MmIsVerifierEnabled in ntddk.h). Options come from the
 * kernel command line (mm/verifier.c):
 *
 *     verifier=special,lowres,irql,pooltrack,locks[,seed=N][,rate=M]
 *              [,special.tag=Tag][,special.size=N][,special.underrun]
 *
 * Each word turns on one of NT's Driver Verifier options, with NT's flag
 * value: special pool (mm/specpool.c), low-resources simulation
 * (mm/vflowres.c), forced IRQL checking (mm/vftrim.c), pool tracking with
 * the allocating caller (kernel/ex/vfpool.c) and locked-page tracking
 * (mm/vfmdl.c), deadlock detection for spin locks (kernel/ke/vfdeadlk.c).
 * The verifier sits beside mm rather than above or below it: every layer
 * calls its checkpoints, and the parts that keep tables take their pages
 * from the pool page allocator directly, so nothing they do is verified
 * (or failed on purpose) in turn. Tests change the options at run time.
 */
#ifndef NTMM_VF_H
#define NTMM_VF_H

#include <ntddk.h>
#include <ke.h>
#include <rtl/avl.h>

/*
 * The verifier's tables are kept at DISPATCH_LEVEL, where one processor is
 * alone, or where a caller above it already is (a pool free at HIGH_LEVEL
 * must reach its stop, not one of the verifier's). Raised without
 * KeRaiseIrql, so keeping them never trims pageable memory (vftrim.c).
 */
FORCEINLINE KIRQL VfLockTables(VOID)
{
    KIRQL OldIrql = KeGetCurrentIrql();

    if (OldIrql <= DISPATCH_LEVEL)
        KiRaiseIrqlToDispatch();
    return OldIrql;
}

FORCEINLINE VOID VfUnlockTables(KIRQL OldIrql)
{
    if (OldIrql < DISPATCH_LEVEL)
        KiLowerIrqlFromDispatch(OldIrql);
}

/* --- Options (mm/verifier.c) ------------------------------------------------------ */

typedef struct _VF_OPTIONS {
    ULONG Level;                  /* DRIVER_VERIFIER_* flags (ntddk.h) */
    ULONG Seed;                   /* low resources: the stream of failures (seed=) */
    ULONG Rate;                   /* low resources: failures per 10,000 requests (rate=), NT's unit */
    ULONG SpecialPoolTag;         /* special pool only for this tag (special.tag=); 0: any */
    SIZE_T SpecialPoolSize;       /* special pool only for requests of this size (special.size=); 0: any */
    BOOLEAN SpecialPoolUnderruns; /* the guard page before the block, not after (special.underrun) */
} VF_OPTIONS, *PVF_OPTIONS;

extern VF_OPTIONS VfOptions;
#define VfIsEnabled(Flag) ((VfOptions.Level & (Flag)) != 0)

/* NT's default probability of an injected failure: 6%, in its unit of 1/10,000. */
#define VF_DEFAULT_FAILURE_RATE 600
#define VF_FAILURE_RATE_UNIT 10000

/* Counters a boot's summary and the tests read (a part of NT's MM_DRIVER_VERIFIER_DATA). */
typedef struct _VF_STATISTICS {
    ULONG RaiseIrqls;             /* raises to DISPATCH_LEVEL that trimmed pageable memory */
    ULONG Trims;                  /* paged-pool pages trimmed by forced IRQL checking */
    ULONG AllocationsAttempted;   /* requests the low-resources simulation saw */
    ULONG AllocationsFailedDeliberately;
    ULONG AllocationsSucceededSpecialPool;
    ULONG SpecialPoolFallbacks;   /* special pool was full: served by normal pool */
} VF_STATISTICS;
extern VF_STATISTICS VfStatistics;

VOID VfInitialize(VOID);
/* The system is up: the options that act only after boot (low resources, forced IRQL checking) begin. */
VOID VfStart(VOID);
extern BOOLEAN VfStarted;
BOOLEAN VfParseOptions(PCSTR Text, PVF_OPTIONS Options);
VOID VfDumpStatistics(VOID);

/*
 * Records the verifier keeps (pool allocations, locked MDLs) carry the
 * generation they were made in; a report asked for since a generation
 * lists those made in it or after. The test runner starts one before each
 * suite and each case.
 */
extern volatile ULONG VfGeneration;
ULONG VfStartGeneration(VOID);

/*
 * The verifier's own tables live in nonpaged pool pages taken from the page
 * allocator (MiAllocatePoolPages), not in pool blocks; the pool's walker
 * asks VfIsVerifierStorage to tell them from pool pages.
 */
PVOID VfAllocateStorage(SIZE_T NumberOfBytes);
VOID VfFreeStorage(PVOID Storage);
BOOLEAN VfIsVerifierStorage(PVOID Va);

/*
 * Records of one size for the verifier's tables (tracked allocations,
 * locked MDLs), handed out from blocks of storage that double as they are
 * needed and never move, so a record can be linked into a tree. A record
 * that cannot be had is counted as lost: what it would have recorded goes
 * unreported. Callers run at DISPATCH_LEVEL.
 */
#define VF_RECORD_BLOCKS 8
typedef struct _VF_RECORD_POOL {
    SIZE_T RecordSize;
    ULONG FirstBlockRecords;
    ULONG BlockCount;
    ULONG Handed;                 /* records handed out of the blocks so far */
    ULONG InUse;
    ULONG Lost;
    PSINGLE_LIST_ENTRY FreeList;
    PVOID Blocks[VF_RECORD_BLOCKS];
} VF_RECORD_POOL, *PVF_RECORD_POOL;

PVOID VfAllocateRecord(PVF_RECORD_POOL Pool);
VOID VfFreeRecord(PVF_RECORD_POOL Pool, PVOID Record);

/*
 * A table of such records, each keyed by a range of addresses (a block's
 * bytes, an MDL's address) in an AVL range tree (rtl/avl.h): a record
 * type starts with its RTL_AVL_RANGE_NODE. VfInsertRecord links a zeroed
 * record in for [Start, End], dropping any stale one in the way (the
 * memory was freed while the verifier looked away), and returns it for the
 * caller to fill, or NULL (lost); callers hold the tables (VfLockTables).
 * VfRemoveRecord takes the record starting at Start out, copying it to
 * Copy first; FALSE when there is none.
 */
typedef struct _VF_RECORD_TABLE {
    VF_RECORD_POOL Pool;
    RTL_AVL_RANGE_TABLE Tree;
} VF_RECORD_TABLE, *PVF_RECORD_TABLE;
#define VF_RECORD_TABLE_INITIALIZER(RecordType, FirstBlockRecords) \
    { { sizeof(RecordType), (FirstBlockRecords), 0, 0, 0, 0, NULL, { NULL } }, { NULL, 0 } }

PVOID VfInsertRecord(PVF_RECORD_TABLE Table, ULONG_PTR Start, ULONG_PTR End);
BOOLEAN VfRemoveRecord(PVF_RECORD_TABLE Table, ULONG_PTR Start, PVOID Copy);

/* --- Low-resources simulation (mm/vflowres.c) --------------------------------------- */

typedef enum _VF_RESOURCE {
    VfResourcePool,               /* ExAllocatePool* */
    VfResourceSystemPtes,         /* MiReserveSystemPtes, and every mapping made of them */
    VfResourcePages,              /* MmAllocatePagesForMdl(Ex), contiguous and noncached memory */
    VfResourceMdl,                /* IoAllocateMdl */
    VfResourceMappingAddress,     /* MmAllocateMappingAddress */
    VfResourceKinds
} VF_RESOURCE;

BOOLEAN VfInjectResourceFailure(VF_RESOURCE Resource, PVOID CallersAddress);
/* The check at each request: one test of a word when the simulation is off. */
#define VF_INJECT_FAILURE(Resource, CallersAddress) \
    (VfIsEnabled(DRIVER_VERIFIER_INJECT_ALLOCATION_FAILURES) && VfInjectResourceFailure((Resource), (CallersAddress)))
VOID VfReseedLowResources(ULONG Salt);
VOID VfSuspendLowResources(VOID);
VOID VfResumeLowResources(VOID);
ULONG VfInjectedFailures(VOID);

/* --- Forced IRQL checking (mm/vftrim.c) ---------------------------------------------- */

VOID VfForceIrqlRaise(KIRQL OldIrql, KIRQL NewIrql);
ULONG MmTrimAllSystemPagableMemory(VOID);

/* --- Pool tracking (kernel/ex/vfpool.c) ---------------------------------------------- */

/* Pool keeps a record of each block for pool tracking, and for deadlock detection's forgetting of freed locks. */
#define VF_POOL_RECORD_FLAGS (DRIVER_VERIFIER_TRACK_POOL_ALLOCATIONS | DRIVER_VERIFIER_DEADLOCK_DETECTION)

VOID VfTrackPoolAllocation(PVOID P, ULONG Tag, SIZE_T NumberOfBytes, POOL_TYPE PoolType, PVOID CallersAddress);
VOID VfUntrackPoolAllocation(PVOID P);
ULONG VfReportPoolAllocations(ULONG Generation, ULONG Tag);
ULONG VfTrackedPoolAllocations(VOID);

/* --- Locked-page tracking (mm/vfmdl.c) ------------------------------------------------ */

VOID VfTrackLockedPages(PMDL Mdl, ULONG Pages, PVOID CallersAddress);
VOID VfUntrackLockedPages(PMDL Mdl);
ULONG VfReportLockedPages(ULONG Generation);
VOID VfCheckMdlUnmapped(PMDL Mdl);

/* --- Deadlock detection and spin lock misuse (kernel/ke/vfdeadlk.c) ------------------ */

VOID VfDeadlockAcquireResource(PVOID Resource, PVOID CallersAddress);
VOID VfDeadlockReleaseResource(PVOID Resource, PVOID CallersAddress);
VOID VfDeadlockDeleteMemoryRange(PVOID Address, SIZE_T Size);
ULONG VfDeadlockReports(VOID);
VOID VfDeadlockPrintReports(ULONG First);
VOID VfCheckSpinLockAcquire(PKSPIN_LOCK SpinLock, BOOLEAN AtDpcLevel);
VOID VfCheckSpinLockRelease(PKSPIN_LOCK SpinLock, BOOLEAN AtDpcLevel, BOOLEAN Held);

#endif
