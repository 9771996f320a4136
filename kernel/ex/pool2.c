/*
 * pool2.c: ExAllocatePool2, the flag-based pool interface of Windows 10
 * 2004 and later. The POOL_FLAG_* bits name one of the older pool types
 * (the NX nonpaged pool is the nonpaged pool here, x86 without PAE having
 * no execute bit), the memory is zeroed unless the caller says not to, and
 * a failure, invalid flags and a zero tag included, returns NULL or, with
 * POOL_FLAG_RAISE_ON_FAILURE, raises.
 */
#include <ntddk.h>

#define EXP_POOL_FLAGS_REQUIRED_MASK 0xFFFFFFFFULL
#define EXP_POOL_FLAGS_POOLS (POOL_FLAG_NON_PAGED | POOL_FLAG_NON_PAGED_EXECUTE | POOL_FLAG_PAGED)
#define EXP_POOL_FLAGS_KNOWN                                                                            \
    (EXP_POOL_FLAGS_POOLS | POOL_FLAG_USE_QUOTA | POOL_FLAG_UNINITIALIZED | POOL_FLAG_SESSION |          \
     POOL_FLAG_CACHE_ALIGNED | POOL_FLAG_RAISE_ON_FAILURE)

/* The pool type the required flags name; FALSE for an unknown one, or for none or several of the pools. */
static BOOLEAN ExpPoolTypeFromFlags(POOL_FLAGS Flags, POOL_TYPE *PoolType)
{
    POOL_FLAGS Required = Flags & EXP_POOL_FLAGS_REQUIRED_MASK;
    ULONG Type;

    if ((Required & ~EXP_POOL_FLAGS_KNOWN) != 0)
        return FALSE;
    switch (Required & EXP_POOL_FLAGS_POOLS) {
    case POOL_FLAG_NON_PAGED:
        Type = NonPagedPoolNx;
        break;
    case POOL_FLAG_NON_PAGED_EXECUTE:
        Type = NonPagedPool;
        break;
    case POOL_FLAG_PAGED:
        Type = PagedPool;
        break;
    default:
        return FALSE;
    }
    if (Required & POOL_FLAG_CACHE_ALIGNED)
        Type |= CACHE_ALIGNED_POOL_TYPE_MASK;
    if (Required & POOL_FLAG_SESSION)
        Type |= SESSION_POOL_MASK;
    *PoolType = (POOL_TYPE)Type;
    return TRUE;
}

PVOID NTAPI ExAllocatePool2(POOL_FLAGS Flags, SIZE_T NumberOfBytes, ULONG Tag)
{
    BOOLEAN Raise = (Flags & POOL_FLAG_RAISE_ON_FAILURE) != 0;
    POOL_TYPE PoolType;
    PVOID Block;

    if (Tag == 0 || !ExpPoolTypeFromFlags(Flags, &PoolType)) {
        if (Raise)
            ExRaiseStatus(STATUS_INVALID_PARAMETER);
        return NULL;
    }
    if (Flags & POOL_FLAG_USE_QUOTA) {
        /* It raises itself, with the status of what ran out, unless told to fail instead. */
        if (!Raise)
            PoolType = (POOL_TYPE)(PoolType | POOL_QUOTA_FAIL_INSTEAD_OF_RAISE);
        Block = ExAllocatePoolWithQuotaTag(PoolType, NumberOfBytes, Tag);
    } else {
        Block = ExAllocatePoolWithTag(PoolType, NumberOfBytes, Tag);
        if (Block == NULL && Raise)
            ExRaiseStatus(STATUS_INSUFFICIENT_RESOURCES);
    }
    if (Block != NULL && !(Flags & POOL_FLAG_UNINITIALIZED))
        RtlZeroMemory(Block, NumberOfBytes);
    return Block;
}
