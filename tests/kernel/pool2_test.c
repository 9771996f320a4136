/*
 * pool2_test.c: ExAllocatePool2 and the DDK's inline ExAllocatePoolZero
 * family: zeroed memory unless asked otherwise, the pool each flag names,
 * NULL (or the raise a caller asks for) for a zero tag, invalid flags and
 * a request too large.
 */
#include "ktest.h"

#define TAG '2loP'
#define CACHE_LINE 64

static NTSTATUS AllocateRaising(POOL_FLAGS Flags, SIZE_T Bytes)
{
    volatile NTSTATUS Status = STATUS_SUCCESS;
    PVOID volatile Block = NULL;

    _SEH2_TRY {
        Block = ExAllocatePool2(Flags | POOL_FLAG_RAISE_ON_FAILURE, Bytes, TAG);
    } _SEH2_EXCEPT(EXCEPTION_EXECUTE_HANDLER) {
        Status = _SEH2_GetExceptionCode();
    } _SEH2_END;
    if (Block != NULL)
        ExFreePoolWithTag(Block, TAG);
    return Status;
}

/* A block of Bytes from pool that last held 0xCC bytes, so zeroing is seen (a freed small block is reused first). */
static PUCHAR AllocateAfterDirty(POOL_FLAGS Flags, SIZE_T Bytes)
{
    PUCHAR Dirty = ExAllocatePoolWithTag((Flags & POOL_FLAG_PAGED) ? PagedPool : NonPagedPool, Bytes, TAG);

    if (Dirty == NULL)
        return NULL;
    RtlFillMemory(Dirty, Bytes, 0xCC);
    ExFreePoolWithTag(Dirty, TAG);
    return ExAllocatePool2(Flags, Bytes, TAG);
}

KTEST(pool2, memory_is_zeroed_unless_uninitialized_is_asked)
{
    PUCHAR Block = AllocateAfterDirty(POOL_FLAG_NON_PAGED, 100);

    KT_ASSERT(Block != NULL);
    KT_EXPECT_EQ(RtlCompareMemoryUlong(Block, 100, 0), 100);
    ExFreePoolWithTag(Block, TAG);
    Block = AllocateAfterDirty(POOL_FLAG_PAGED, 3 * PAGE_SIZE);
    KT_ASSERT(Block != NULL);
    KT_EXPECT_EQ(RtlCompareMemoryUlong(Block, 3 * PAGE_SIZE, 0), 3 * PAGE_SIZE);
    ExFreePoolWithTag(Block, TAG);
    /* Uninitialized: whatever the block held (here the dirty block itself, from the lookaside list). */
    Block = AllocateAfterDirty(POOL_FLAG_NON_PAGED | POOL_FLAG_UNINITIALIZED, 100);
    KT_ASSERT(Block != NULL);
    ExFreePoolWithTag(Block, TAG);

    Block = ExAllocatePoolZero(NonPagedPoolNx, 40, TAG);
    KT_ASSERT(Block != NULL);
    KT_EXPECT_EQ(RtlCompareMemoryUlong(Block, 40, 0), 40);
    ExFreePoolWithTag(Block, TAG);
    Block = ExAllocatePoolUninitialized(PagedPool, 40, TAG);
    KT_ASSERT(Block != NULL);
    ExFreePoolWithTag(Block, TAG);
}

KTEST(pool2, each_pool_flag_names_its_pool)
{
    PVOID NonPaged = ExAllocatePool2(POOL_FLAG_NON_PAGED, 32, TAG);
    PVOID Executable = ExAllocatePool2(POOL_FLAG_NON_PAGED_EXECUTE, 32, TAG);
    PVOID Paged = ExAllocatePool2(POOL_FLAG_PAGED, 32, TAG);
    PVOID Aligned = ExAllocatePool2(POOL_FLAG_NON_PAGED | POOL_FLAG_CACHE_ALIGNED, 32, TAG);
    /* An unknown optional flag is ignored. */
    PVOID Optional = ExAllocatePool2(POOL_FLAG_PAGED | POOL_FLAG_OPTIONAL_END, 32, TAG);

    KT_ASSERT(NonPaged != NULL && Executable != NULL && Paged != NULL && Aligned != NULL && Optional != NULL);
    KT_EXPECT(MmIsNonPagedSystemAddressValid(NonPaged));
    KT_EXPECT(MmIsNonPagedSystemAddressValid(Executable));
    KT_EXPECT(!MmIsNonPagedSystemAddressValid(Paged));
    KT_EXPECT_EQ((ULONG_PTR)Aligned % CACHE_LINE, 0);
    ExFreePoolWithTag(Optional, TAG);
    ExFreePoolWithTag(Aligned, TAG);
    ExFreePoolWithTag(Paged, TAG);
    ExFreePoolWithTag(Executable, TAG);
    ExFreePoolWithTag(NonPaged, TAG);
}

KTEST(pool2, invalid_flags_or_a_zero_tag_give_null_or_the_raise_asked_for)
{
    KT_EXPECT(ExAllocatePool2(POOL_FLAG_NON_PAGED, 16, 0) == NULL);
    KT_EXPECT(ExAllocatePool2(0, 16, TAG) == NULL);                                       /* no pool */
    KT_EXPECT(ExAllocatePool2(POOL_FLAG_NON_PAGED | POOL_FLAG_PAGED, 16, TAG) == NULL);    /* two */
    KT_EXPECT(ExAllocatePool2(POOL_FLAG_NON_PAGED | POOL_FLAG_RESERVED1, 16, TAG) == NULL); /* unknown, required */
    KT_EXPECT(ExAllocatePool2(POOL_FLAG_NON_PAGED | POOL_FLAG_REQUIRED_END, 16, TAG) == NULL);
    KT_EXPECT(ExAllocatePool2(POOL_FLAG_NON_PAGED, 0x7FFFF000, TAG) == NULL);             /* more than there is */
    KT_EXPECT_EQ(AllocateRaising(POOL_FLAG_PAGED | POOL_FLAG_NON_PAGED_EXECUTE, 16), STATUS_INVALID_PARAMETER);
    KT_EXPECT_EQ(AllocateRaising(POOL_FLAG_NON_PAGED, 0x7FFFF000), STATUS_INSUFFICIENT_RESOURCES);
    KT_EXPECT_EQ(AllocateRaising(POOL_FLAG_NON_PAGED, 16), STATUS_SUCCESS);
}
