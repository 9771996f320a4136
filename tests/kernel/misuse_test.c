/*
 * misuse_test.c: the stops for callers that break the rules of spin locks,
 * lists, MDL mapping and noncached memory, and the checks the hot paths
 * keep (the head-of-list unlink).
 */
#define NTMM_MM_WHITEBOX_TEST
#include "ktest.h"
#include "vftest.h"
#include "../../mm/mi.h"
#include <io.h>

KTEST_BUGCHECK(misuse, acquiring_a_spin_lock_twice_stops_with_0xf, SPIN_LOCK_ALREADY_OWNED)
{
    static KSPIN_LOCK Lock;
    KIRQL OldIrql;

    KT_SKIP_UNDER_VERIFIER(DRIVER_VERIFIER_DEADLOCK_DETECTION, "the verifier stops with its own code (0xC4, 0x1000)");
    KeInitializeSpinLock(&Lock);
    KT_BUGCHECK_PARAMETER(1, (ULONG_PTR)&Lock);
    KeAcquireSpinLock(&Lock, &OldIrql);
    KeAcquireSpinLockAtDpcLevel(&Lock);
}

KTEST_BUGCHECK(misuse, releasing_a_spin_lock_not_held_stops_with_0x10, SPIN_LOCK_NOT_OWNED)
{
    static KSPIN_LOCK Lock;

    KT_SKIP_UNDER_VERIFIER(DRIVER_VERIFIER_DEADLOCK_DETECTION, "the verifier stops with its own code (0xC4, 0x1007)");
    KeInitializeSpinLock(&Lock);
    KT_BUGCHECK_PARAMETER(1, (ULONG_PTR)&Lock);
    KeReleaseSpinLock(&Lock, PASSIVE_LEVEL);
}

KTEST_BUGCHECK(misuse, unlinking_a_corrupt_list_entry_stops_with_0x139, KERNEL_SECURITY_CHECK_FAILURE)
{
    LIST_ENTRY Head, A, B;

    InitializeListHead(&Head);
    InsertTailList(&Head, &A);
    InsertTailList(&Head, &B);
    A.Flink = &Head;                    /* B is skipped: B.Blink no longer matches */
    KT_BUGCHECK_PARAMETER(1, FAST_FAIL_CORRUPT_LIST_ENTRY);
    KT_BUGCHECK_PARAMETER(2, (ULONG_PTR)&B);
    RemoveEntryList(&B);
}

KTEST_BUGCHECK(misuse, taking_the_head_of_a_corrupt_page_list_stops_with_0x4e, PFN_LIST_CORRUPT)
{
    PFN_NUMBER Head = MmFreePageListHead.Flink;

    KT_BUGCHECK_PARAMETER(1, 0x02);
    KT_BUGCHECK_PARAMETER(2, Head);
    MI_PFN_ELEMENT(MI_PFN_ELEMENT(Head)->u1.Flink)->u2.Blink = MM_EMPTY_LIST;
    MmAllocatePhysicalPage(FALSE);
}

KTEST_BUGCHECK(misuse, partial_mdl_too_small_for_its_range_stops_with_0x40, TARGET_MDL_TOO_SMALL)
{
    PUCHAR Buffer = ExAllocatePoolWithTag(NonPagedPool, 8 * PAGE_SIZE, 'suiM');
    PMDL Source = IoAllocateMdl(Buffer, 8 * PAGE_SIZE, FALSE, FALSE, NULL);
    PMDL Target = IoAllocateMdl(Buffer, PAGE_SIZE, FALSE, FALSE, NULL);   /* room for one PFN */

    MmBuildMdlForNonPagedPool(Source);
    KT_BUGCHECK_PARAMETER(1, (ULONG_PTR)Source);
    KT_BUGCHECK_PARAMETER(2, (ULONG_PTR)Target);
    IoBuildPartialMdl(Source, Target, Buffer, 4 * PAGE_SIZE);
}

/*
 * Builds a partial MDL of SourcePages pages (of addresses never touched)
 * into a target MDL made for TargetPages pages, expecting the stop to name
 * both MDLs, the offset and the length.
 */
static VOID BuildPartialExpectingTooSmall(ULONG SourcePages, ULONG TargetPages, ULONG Offset, ULONG Length)
{
    PUCHAR Buffer = (PUCHAR)MM_PAGED_POOL_START;
    PMDL Source = IoAllocateMdl(Buffer, SourcePages * PAGE_SIZE, FALSE, FALSE, NULL);
    PMDL Target = IoAllocateMdl(Buffer, TargetPages * PAGE_SIZE, FALSE, FALSE, NULL);

    KT_BUGCHECK_PARAMETER(1, (ULONG_PTR)Source);
    KT_BUGCHECK_PARAMETER(2, (ULONG_PTR)Target);
    KT_BUGCHECK_PARAMETER(3, Offset);
    KT_BUGCHECK_PARAMETER(4, Length);
    IoBuildPartialMdl(Source, Target, Buffer + Offset, Length);
}

/* More PFNs than a CSHORT's positive half: the needed size must not be read as negative. */
KTEST_BUGCHECK(misuse, partial_mdl_of_9000_pages_into_a_one_page_mdl_stops_with_0x40, TARGET_MDL_TOO_SMALL)
{
    BuildPartialExpectingTooSmall(9000, 1, 0, 9000 * PAGE_SIZE);
}

/* Offset + Length wraps past 4 GB: the range is checked against what is left of the source. */
KTEST_BUGCHECK(misuse, partial_mdl_whose_end_wraps_stops_with_0x40, TARGET_MDL_TOO_SMALL)
{
    BuildPartialExpectingTooSmall(2, 2, PAGE_SIZE, 0xFFFFF000);
}

/* A range that starts below its source: the offset, read unsigned as NT reads it, is past the source's end. */
KTEST_BUGCHECK(misuse, partial_mdl_starting_below_its_source_stops_with_0x40, TARGET_MDL_TOO_SMALL)
{
    BuildPartialExpectingTooSmall(2, 8, 0U - PAGE_SIZE, PAGE_SIZE);
}

/* A target whose Size (odd, and short of an MDL header) leaves no room for a single PFN. */
KTEST_BUGCHECK(misuse, partial_mdl_into_a_target_smaller_than_an_mdl_stops_with_0x40, TARGET_MDL_TOO_SMALL)
{
    PUCHAR Buffer = (PUCHAR)MM_PAGED_POOL_START;
    PMDL Source = IoAllocateMdl(Buffer, PAGE_SIZE, FALSE, FALSE, NULL);
    PMDL Target = IoAllocateMdl(Buffer, PAGE_SIZE, FALSE, FALSE, NULL);

    KT_ASSERT(Source != NULL && Target != NULL);
    Target->Size = sizeof(MDL) - 1;
    KT_BUGCHECK_PARAMETER(2, (ULONG_PTR)Target);
    IoBuildPartialMdl(Source, Target, Buffer, 1);
}

/* A target with room enough, a range that runs past the end of the source. */
KTEST_BUGCHECK(misuse, partial_mdl_past_the_end_of_its_source_stops_with_0x40, TARGET_MDL_TOO_SMALL)
{
    BuildPartialExpectingTooSmall(2, 8, PAGE_SIZE, PAGE_SIZE + 1);
}

KTEST_BUGCHECK(misuse, unmapping_an_mdl_at_another_address_stops_with_0xda_6, SYSTEM_PTE_MISUSE)
{
    PMDL Mdl = IoAllocateMdl((PVOID)KeBugCheckEx, 100, FALSE, FALSE, NULL);
    PUCHAR View;

    MmProbeAndLockPages(Mdl, KernelMode, IoReadAccess);
    View = MmMapLockedPagesSpecifyCache(Mdl, KernelMode, MmCached, NULL, FALSE, NormalPagePriority);
    KT_BUGCHECK_PARAMETER(1, 0x06);
    KT_BUGCHECK_PARAMETER(2, (ULONG_PTR)Mdl);
    KT_BUGCHECK_PARAMETER(3, (ULONG_PTR)(View + PAGE_SIZE));
    MmUnmapLockedPages(View + PAGE_SIZE, Mdl);
}

/* The mapping a partial MDL shares belongs to its source: unmapping it through the partial MDL is misuse. */
KTEST_BUGCHECK(misuse, unmapping_a_mapping_a_partial_mdl_shares_stops_with_0xda_6, SYSTEM_PTE_MISUSE)
{
    PMDL Source = IoAllocateMdl((PVOID)KeBugCheckEx, 2 * PAGE_SIZE, FALSE, FALSE, NULL);
    PMDL Partial = IoAllocateMdl((PVOID)KeBugCheckEx, 2 * PAGE_SIZE, FALSE, FALSE, NULL);

    MmProbeAndLockPages(Source, KernelMode, IoReadAccess);
    MmMapLockedPagesSpecifyCache(Source, KernelMode, MmCached, NULL, FALSE, NormalPagePriority);
    IoBuildPartialMdl(Source, Partial, (PVOID)KeBugCheckEx, PAGE_SIZE);
    KT_BUGCHECK_PARAMETER(1, 0x06);
    KT_BUGCHECK_PARAMETER(2, (ULONG_PTR)Partial);
    KT_BUGCHECK_PARAMETER(3, (ULONG_PTR)Partial->MappedSystemVa);
    MmUnmapLockedPages(Partial->MappedSystemVa, Partial);
}

KTEST_BUGCHECK(misuse, freeing_noncached_memory_never_allocated_stops_with_0xda, SYSTEM_PTE_MISUSE)
{
    PVOID Va = (PVOID)(MM_SYSTEM_PTE_END + 1 - 6 * PDE_MAPPED_SIZE);

    KT_BUGCHECK_PARAMETER(1, 0x302);
    KT_BUGCHECK_PARAMETER(2, (ULONG_PTR)Va);
    MmFreeNonCachedMemory(Va, PAGE_SIZE);
}

