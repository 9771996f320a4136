/*
 * specpool_test.c: special pool (mm/specpool.c), turned on for one tag by
 * each case. Blocks sit against a guard page that is really unmapped;
 * touches past them, before them (underrun blocks) and after their free
 * fault for real, and the stop cases show each detection with NT's code
 * and parameters. Probes (KtProbeRead) are how the normal cases look at a
 * guard without stopping, the one protection NT documents.
 */
#include "ktest.h"
#include "mmtest.h"
#include "vftest.h"
#include <ex.h>

#define KT_SPECIAL_TAG 'pSkK'          /* "KkSp" */
#define KT_OTHER_TAG 'tOkK'

KTEST(specpool, a_block_ends_against_an_unmapped_guard_page)
{
    VF_OPTIONS Saved = KtVerifierEnable(DRIVER_VERIFIER_SPECIAL_POOLING, KT_SPECIAL_TAG);
    PUCHAR Block = ExAllocatePoolWithTag(NonPagedPool, 24, KT_SPECIAL_TAG);

    KT_ASSERT(Block != NULL);
    KT_EXPECT(MmIsSpecialPoolAddress(Block));
    KT_EXPECT(MmIsSpecialPoolAddressNonPaged(Block));
    KT_EXPECT_EQ(BYTE_OFFSET(Block + 24), 0);                 /* its last byte is its page's last */
    KT_EXPECT_EQ(ExQueryPoolBlockSize(Block, NULL), 24);
    RtlFillMemory(Block, 24, 0x5A);
    KT_EXPECT_EQ(KtProbeRead(Block + 23), STATUS_SUCCESS);
    KT_EXPECT_EQ(KtProbeRead(Block + 24), STATUS_ACCESS_VIOLATION);
    KT_EXPECT(!MmIsAddressValid(Block + 24));
    ExFreePoolWithTag(Block, KT_SPECIAL_TAG);
    /* Freed: the page is gone, the address out of reach. */
    KT_EXPECT_EQ(KtProbeRead(Block), STATUS_ACCESS_VIOLATION);
    KtVerifierRestore(Saved);
}

/* A freed slot waits behind every other before it is used again: its old addresses keep faulting. */
KTEST(specpool, a_freed_block_is_not_handed_out_again_soon)
{
    VF_OPTIONS Saved = KtVerifierEnable(DRIVER_VERIFIER_SPECIAL_POOLING, KT_SPECIAL_TAG);
    PVOID First = ExAllocatePoolWithTag(NonPagedPool, 64, KT_SPECIAL_TAG), Next[8];

    KT_ASSERT(First != NULL && MmIsSpecialPoolAddress(First));
    ExFreePoolWithTag(First, KT_SPECIAL_TAG);
    for (ULONG i = 0; i < RTL_NUMBER_OF(Next); i++) {
        Next[i] = ExAllocatePoolWithTag(NonPagedPool, 64, KT_SPECIAL_TAG);
        KT_EXPECT(Next[i] != NULL && PAGE_ALIGN(Next[i]) != PAGE_ALIGN(First));
    }
    KT_EXPECT_EQ(KtProbeRead(First), STATUS_ACCESS_VIOLATION);
    for (ULONG i = 0; i < RTL_NUMBER_OF(Next); i++)
        ExFreePoolWithTag(Next[i], KT_SPECIAL_TAG);
    KtVerifierRestore(Saved);
}

/* The special-pool priorities ask for the guard before the block: the block starts its page. */
KTEST(specpool, an_underrun_block_starts_its_page_after_the_guard)
{
    VF_OPTIONS Saved = KtVerifierEnable(DRIVER_VERIFIER_SPECIAL_POOLING, KT_SPECIAL_TAG);
    PUCHAR Block = ExAllocatePoolWithTagPriority(NonPagedPool, 40, KT_OTHER_TAG, NormalPoolPrioritySpecialPoolUnderrun);

    KT_ASSERT(Block != NULL);
    KT_EXPECT(MmIsSpecialPoolAddress(Block));
    KT_EXPECT_EQ(BYTE_OFFSET(Block), 0);
    KT_EXPECT_EQ(KtProbeRead(Block), STATUS_SUCCESS);
    KT_EXPECT_EQ(KtProbeRead(Block - 1), STATUS_ACCESS_VIOLATION);
    ExFreePoolWithTag(Block, KT_OTHER_TAG);
    KtVerifierRestore(Saved);
}

/* special.tag chooses: another tag, a request too large for a page, must-succeed pool go to normal pool. */
KTEST(specpool, only_the_chosen_tag_and_sizes_that_fit_go_to_special_pool)
{
    VF_OPTIONS Saved = KtVerifierEnable(DRIVER_VERIFIER_SPECIAL_POOLING, KT_SPECIAL_TAG);
    PVOID Other = ExAllocatePoolWithTag(NonPagedPool, 24, KT_OTHER_TAG);
    PVOID Large = ExAllocatePoolWithTag(NonPagedPool, PAGE_SIZE, KT_SPECIAL_TAG);
    PVOID Paged = ExAllocatePoolWithTag(PagedPool, 100, KT_SPECIAL_TAG);

    KT_EXPECT(Other != NULL && !MmIsSpecialPoolAddress(Other));
    KT_EXPECT(Large != NULL && !MmIsSpecialPoolAddress(Large));
    KT_EXPECT(Paged != NULL && MmIsSpecialPoolAddress(Paged));
    KT_EXPECT(!MmIsSpecialPoolAddressNonPaged(Paged));
    KT_EXPECT(!MmIsNonPagedSystemAddressValid(Paged));
    if (Other != NULL)
        ExFreePoolWithTag(Other, KT_OTHER_TAG);
    if (Large != NULL)
        ExFreePoolWithTag(Large, KT_SPECIAL_TAG);
    if (Paged != NULL)
        ExFreePoolWithTag(Paged, KT_SPECIAL_TAG);
    KtVerifierRestore(Saved);
}

/* Tags count special-pool blocks by the bytes asked for, so the leak check sees them as any block. */
KTEST(specpool, blocks_count_against_their_tag)
{
    VF_OPTIONS Saved = KtVerifierEnable(DRIVER_VERIFIER_SPECIAL_POOLING, KT_SPECIAL_TAG);
    EX_POOL_TAG_INFORMATION Before, After;
    PVOID Block;

    ExQueryPoolTag(KT_SPECIAL_TAG, &Before);
    Block = ExAllocatePoolWithTag(NonPagedPool, 100, KT_SPECIAL_TAG);
    KT_ASSERT(Block != NULL);
    ExQueryPoolTag(KT_SPECIAL_TAG, &After);
    KT_EXPECT_EQ(After.NonPagedBytes, Before.NonPagedBytes + 100);
    KT_EXPECT_EQ(After.NonPagedAllocs, Before.NonPagedAllocs + 1);
    ExFreePoolWithTag(Block, KT_SPECIAL_TAG);
    ExQueryPoolTag(KT_SPECIAL_TAG, &After);
    KT_EXPECT_EQ(After.NonPagedBytes, Before.NonPagedBytes);
    KtVerifierRestore(Saved);
}

/* Stops: each at the instruction that makes the bad touch, or at the free that finds the damage. */

static PUCHAR KtSpecialBlock(POOL_TYPE PoolType, SIZE_T Bytes)
{
    PUCHAR Block;

    KtVerifierEnable(DRIVER_VERIFIER_SPECIAL_POOLING, KT_SPECIAL_TAG);
    Block = ExAllocatePoolWithTag(PoolType, Bytes, KT_SPECIAL_TAG);
    KT_ASSERT(Block != NULL && MmIsSpecialPoolAddress(Block));
    return Block;
}

KTEST_BUGCHECK(specpool, writing_past_the_end_stops_with_0xd6, DRIVER_PAGE_FAULT_BEYOND_END_OF_ALLOCATION)
{
    PUCHAR Block = KtSpecialBlock(NonPagedPool, 32);

    KT_BUGCHECK_PARAMETER(1, (ULONG_PTR)(Block + 32));
    KT_BUGCHECK_PARAMETER(2, 1);
    KT_BUGCHECK_PARAMETER(4, 0);
    Block[32] = 1;
}

KTEST_BUGCHECK(specpool, reading_before_an_underrun_block_stops_with_0xd6, DRIVER_PAGE_FAULT_BEYOND_END_OF_ALLOCATION)
{
    volatile PUCHAR Block;

    KtVerifierEnable(DRIVER_VERIFIER_SPECIAL_POOLING, KT_SPECIAL_TAG);
    VfOptions.SpecialPoolUnderruns = TRUE;
    Block = ExAllocatePoolWithTag(NonPagedPool, 32, KT_SPECIAL_TAG);
    KT_ASSERT(Block != NULL && BYTE_OFFSET(Block) == 0);
    KT_BUGCHECK_PARAMETER(1, (ULONG_PTR)(Block - 4));
    KT_BUGCHECK_PARAMETER(2, 0);
    (void)*(volatile ULONG *)(Block - 4);
}

KTEST_BUGCHECK(specpool, touching_a_freed_block_stops_with_0xd5, DRIVER_PAGE_FAULT_IN_FREED_SPECIAL_POOL)
{
    PUCHAR Block = KtSpecialBlock(PagedPool, 48);

    ExFreePoolWithTag(Block, KT_SPECIAL_TAG);
    KT_BUGCHECK_PARAMETER(1, (ULONG_PTR)(Block + 8));
    KT_BUGCHECK_PARAMETER(2, 0);
    (void)*(volatile UCHAR *)(Block + 8);
}

/* 13 bytes against an 8-byte alignment: the 3 after the block share its page, and the free checks them. */
KTEST_BUGCHECK(specpool, writing_into_the_bytes_after_the_block_stops_the_free_with_0xc1_24,
               SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION)
{
    PUCHAR Block = KtSpecialBlock(NonPagedPool, 13);

    KT_BUGCHECK_PARAMETER(1, (ULONG_PTR)Block);
    KT_BUGCHECK_PARAMETER(2, (ULONG_PTR)(Block + 14));
    KT_BUGCHECK_PARAMETER(4, 0x24);
    Block[14] = 0;
    ExFreePoolWithTag(Block, KT_SPECIAL_TAG);
}

KTEST_BUGCHECK(specpool, writing_before_the_block_stops_the_free_with_0xc1_23, SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION)
{
    PUCHAR Block = KtSpecialBlock(NonPagedPool, 100);

    KT_BUGCHECK_PARAMETER(1, (ULONG_PTR)Block);
    KT_BUGCHECK_PARAMETER(2, (ULONG_PTR)(Block - 2));
    KT_BUGCHECK_PARAMETER(4, 0x23);
    Block[-2] ^= 0xFF;
    ExFreePoolWithTag(Block, KT_SPECIAL_TAG);
}

KTEST_BUGCHECK(specpool, freeing_twice_stops_with_0xc1_20, SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION)
{
    PUCHAR Block = KtSpecialBlock(NonPagedPool, 100);

    KT_BUGCHECK_PARAMETER(1, (ULONG_PTR)Block);
    KT_BUGCHECK_PARAMETER(4, 0x20);
    ExFreePoolWithTag(Block, KT_SPECIAL_TAG);
    ExFreePoolWithTag(Block, KT_SPECIAL_TAG);
}

KTEST_BUGCHECK(specpool, freeing_an_address_inside_the_block_stops_with_0xc1_21, SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION)
{
    PUCHAR Block = KtSpecialBlock(NonPagedPool, 100);

    KT_BUGCHECK_PARAMETER(1, (ULONG_PTR)(Block + 8));
    KT_BUGCHECK_PARAMETER(2, 100);
    KT_BUGCHECK_PARAMETER(4, 0x21);
    ExFreePoolWithTag(Block + 8, KT_SPECIAL_TAG);
}

KTEST_BUGCHECK(specpool, freeing_paged_special_pool_at_dispatch_stops_with_0xc1_31, SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION)
{
    PUCHAR Block = KtSpecialBlock(PagedPool, 100);
    KIRQL OldIrql;

    KT_BUGCHECK_PARAMETER(1, DISPATCH_LEVEL);
    KT_BUGCHECK_PARAMETER(2, PagedPool);
    KT_BUGCHECK_PARAMETER(3, (ULONG_PTR)Block);
    KT_BUGCHECK_PARAMETER(4, 0x31);
    KeRaiseIrql(DISPATCH_LEVEL, &OldIrql);
    ExFreePoolWithTag(Block, KT_SPECIAL_TAG);
}
