/*
 * vmargs.c: the checks NtAllocateVirtualMemory makes of its arguments, in NT's order, as pure
 * functions: they read no process and no pointer, so the host runs them too (make test-host).
 * First what the caller passes by value; then, once the base and size are captured through the
 * caller's pointers, the range they name. The first failure is the status.
 */
#include "mi.h"

#define MI_MAXIMUM_ZERO_BITS 21
#define MI_VALID_ALLOCATION_TYPES (MEM_COMMIT | MEM_RESERVE | MEM_RESET | MEM_TOP_DOWN | MEM_WRITE_WATCH | \
                                   MEM_PHYSICAL | MEM_LARGE_PAGES)

/* The allocation type, the zero bits and the protection; *Protection gets the MM_* protection. */
NTSTATUS MiCheckAllocateArguments(ULONG AllocationType, ULONG_PTR ZeroBits, ULONG Protect, PULONG Protection)
{
    if ((AllocationType & ~MI_VALID_ALLOCATION_TYPES) != 0 ||
        (AllocationType & (MEM_COMMIT | MEM_RESERVE | MEM_RESET)) == 0 ||
        ((AllocationType & MEM_RESET) && AllocationType != MEM_RESET))
        return STATUS_INVALID_PARAMETER_5;
    if (ZeroBits > MI_MAXIMUM_ZERO_BITS)
        return STATUS_INVALID_PARAMETER_3;
    *Protection = MiMakeProtectionMask(Protect);
    /* Private memory has nothing to copy on write. */
    if (*Protection == MM_INVALID_PROTECTION || (*Protection & MM_WRITECOPY) == MM_WRITECOPY)
        return STATUS_INVALID_PAGE_PROTECTION;
    if (AllocationType & (MEM_RESET | MEM_WRITE_WATCH | MEM_PHYSICAL | MEM_LARGE_PAGES))
        return STATUS_NOT_SUPPORTED;
    return STATUS_SUCCESS;
}

/*
 * The captured base and size: the range must start and end in user space,
 * above the first 64 KB (never mapped, so that a NULL pointer, or one a
 * little past it, always faults). *HighestAddress gets the top a base the
 * system chooses may have: the top of user space, or lower with zero bits,
 * which bound only such a base (one the caller gives is taken as it is).
 * The size is compared as what is left above the base, so no sum can wrap.
 */
NTSTATUS MiCheckAllocateRange(PVOID Base, SIZE_T Size, ULONG_PTR ZeroBits, PULONG_PTR HighestAddress)
{
    *HighestAddress = MM_HIGHEST_VAD_ADDRESS;
    if ((ULONG_PTR)Base > MM_HIGHEST_VAD_ADDRESS || (Base != NULL && (ULONG_PTR)Base < MI_LOWEST_USER_ADDRESS))
        return STATUS_INVALID_PARAMETER_2;
    if (Size == 0 || MM_HIGHEST_VAD_ADDRESS + 1 - (ULONG_PTR)Base < Size)
        return STATUS_INVALID_PARAMETER_4;
    if (ZeroBits != 0 && (MAXULONG >> ZeroBits) < *HighestAddress)
        *HighestAddress = MAXULONG >> ZeroBits;
    return STATUS_SUCCESS;
}
