/*
 * vmargs_fuzz.c: libFuzzer target for NtAllocateVirtualMemory's argument checks (mm/vmargs.c and
 * the PAGE_* conversion of mm/protect.c), called as the service calls them: the values the
 * caller passes, then, when they pass, the captured base and size. The reference re-derives the
 * status from the rules, in the order vmargs.c and tests/kernel/vmargs_test.c fix, in 64-bit
 * arithmetic:
 *   1. the allocation type: only known flags, at least one of MEM_COMMIT, MEM_RESERVE and
 *      MEM_RESET, and MEM_RESET alone (else STATUS_INVALID_PARAMETER_5);
 *   2. zero bits at most 21 (else STATUS_INVALID_PARAMETER_3);
 *   3. the protection as NT documents PAGE_* values: one base protection, at most one of
 *      PAGE_GUARD, PAGE_NOCACHE and PAGE_WRITECOMBINE and none with PAGE_NOACCESS, no other bit,
 *      and no write-copy for private memory (else STATUS_INVALID_PAGE_PROTECTION);
 *   4. MEM_RESET, MEM_WRITE_WATCH, MEM_PHYSICAL and MEM_LARGE_PAGES: STATUS_NOT_SUPPORTED;
 *   5. the base NULL or in [64 KB, MM_HIGHEST_VAD_ADDRESS] (else STATUS_INVALID_PARAMETER_2);
 *   6. a size not 0 whose range ends in user space (else STATUS_INVALID_PARAMETER_4).
 * On success the MM_* protection and the highest address a chosen base may have (user space's
 * top, lowered to 2^(32 - zero bits) - 1 by zero bits) must be the model's.
 */
#define NTMM_MM_WHITEBOX_TEST
#include "fuzz.h"
#include "../../mm/mi.h"

#define MODEL_MAXIMUM_ZERO_BITS 21
#define MODEL_TOP_OF_USER_SPACE ((ULONGLONG)MM_HIGHEST_VAD_ADDRESS + 1)

static const struct {
    ULONG Page, Mm;
} BaseProtections[] = {
    { PAGE_NOACCESS, MM_NOACCESS },       { PAGE_READONLY, MM_READONLY },
    { PAGE_READWRITE, MM_READWRITE },     { PAGE_WRITECOPY, MM_WRITECOPY },
    { PAGE_EXECUTE, MM_EXECUTE },         { PAGE_EXECUTE_READ, MM_EXECUTE_READ },
    { PAGE_EXECUTE_READWRITE, MM_EXECUTE_READWRITE }, { PAGE_EXECUTE_WRITECOPY, MM_EXECUTE_WRITECOPY },
};
static const struct {
    ULONG Page, Mm;
} Modifiers[] = {
    { 0, 0 }, { PAGE_GUARD, MM_GUARD_PAGE }, { PAGE_NOCACHE, MM_NOCACHE }, { PAGE_WRITECOMBINE, MM_WRITECOMBINE },
};
static const ULONG TypeFlags[] = { MEM_COMMIT, MEM_RESERVE, MEM_RESET, MEM_TOP_DOWN, MEM_WRITE_WATCH,
                                   MEM_PHYSICAL, MEM_LARGE_PAGES, MEM_DECOMMIT, MEM_RELEASE, MEM_FREE };

/* The MM_* protection for Protect, or MM_INVALID_PROTECTION: matched whole against every valid combination. */
static ULONG ModelProtection(ULONG Protect)
{
    for (ULONG b = 0; b < RTL_NUMBER_OF(BaseProtections); b++) {
        for (ULONG m = 0; m < RTL_NUMBER_OF(Modifiers); m++) {
            if (BaseProtections[b].Page == PAGE_NOACCESS && Modifiers[m].Page != 0)
                continue;
            if (Protect == (BaseProtections[b].Page | Modifiers[m].Page))
                return BaseProtections[b].Mm | Modifiers[m].Mm;
        }
    }
    return MM_INVALID_PROTECTION;
}

static NTSTATUS ModelArguments(ULONG Type, ULONG_PTR ZeroBits, ULONG Protect, PULONG Protection)
{
    ULONG Known = MEM_COMMIT | MEM_RESERVE | MEM_RESET | MEM_TOP_DOWN | MEM_WRITE_WATCH | MEM_PHYSICAL | MEM_LARGE_PAGES;

    if ((Type & ~Known) != 0 || (Type & (MEM_COMMIT | MEM_RESERVE | MEM_RESET)) == 0 ||
        ((Type & MEM_RESET) && Type != MEM_RESET))
        return STATUS_INVALID_PARAMETER_5;
    if (ZeroBits > MODEL_MAXIMUM_ZERO_BITS)
        return STATUS_INVALID_PARAMETER_3;
    *Protection = ModelProtection(Protect);
    if (*Protection == MM_INVALID_PROTECTION || (Protect & (PAGE_WRITECOPY | PAGE_EXECUTE_WRITECOPY)) != 0)
        return STATUS_INVALID_PAGE_PROTECTION;
    if (Type & (MEM_RESET | MEM_WRITE_WATCH | MEM_PHYSICAL | MEM_LARGE_PAGES))
        return STATUS_NOT_SUPPORTED;
    return STATUS_SUCCESS;
}

static NTSTATUS ModelRange(ULONG_PTR Base, SIZE_T Size, ULONG_PTR ZeroBits, PULONGLONG Highest)
{
    if ((ULONGLONG)Base >= MODEL_TOP_OF_USER_SPACE || (Base != 0 && Base < MI_LOWEST_USER_ADDRESS))
        return STATUS_INVALID_PARAMETER_2;
    if (Size == 0 || (ULONGLONG)Base + Size > MODEL_TOP_OF_USER_SPACE)
        return STATUS_INVALID_PARAMETER_4;
    *Highest = MODEL_TOP_OF_USER_SPACE - 1;
    if (ZeroBits != 0 && ((1ULL << (32 - ZeroBits)) - 1) < *Highest)
        *Highest = (1ULL << (32 - ZeroBits)) - 1;
    return STATUS_SUCCESS;
}

/* Flags a caller might pass: mostly known ones, now and then any bit. */
static ULONG Flags(FUZZ_INPUT *Input, const ULONG *Known, ULONG Count)
{
    UCHAR Kind = FuzzByte(Input);
    ULONG Value = 0;

    for (ULONG i = 0; i < 3 && i <= (Kind & 3); i++) {
        UCHAR Pick = FuzzByte(Input);

        Value |= Pick < 0xF0 ? Known[Pick % Count] : 1u << (Pick & 31);
    }
    return Kind & 0x80 ? FuzzEdgyUlong(Input) : Value;
}

/* Addresses and sizes at user space's edges: 64 KB, its top, 4 GB, and page edges. */
static ULONG_PTR Address(FUZZ_INPUT *Input)
{
    static const ULONG_PTR Edges[] = { 0, MI_LOWEST_USER_ADDRESS, MM_HIGHEST_VAD_ADDRESS, MM_HIGHEST_VAD_ADDRESS + 1,
                                       MI_SYSTEM_RANGE_START, 0, PAGE_SIZE, 0x40000000 };
    UCHAR Kind = FuzzByte(Input);
    ULONG_PTR Near = FuzzByte(Input);

    if (Kind & 0x80)
        return FuzzEdgyUlong(Input);
    return Edges[Kind & 7] + (Kind & 8 ? -Near : Near) * (Kind & 0x10 ? PAGE_SIZE : 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size)
{
    static const ULONG ProtectFlags[] = { PAGE_NOACCESS, PAGE_READONLY, PAGE_READWRITE, PAGE_WRITECOPY,
                                          PAGE_EXECUTE, PAGE_EXECUTE_READ, PAGE_EXECUTE_READWRITE,
                                          PAGE_EXECUTE_WRITECOPY, PAGE_GUARD, PAGE_NOCACHE, PAGE_WRITECOMBINE };
    FUZZ_INPUT Input = { Data, Size };

    while (!FuzzDone(&Input)) {
        ULONG Type = Flags(&Input, TypeFlags, RTL_NUMBER_OF(TypeFlags));
        ULONG Protect = Flags(&Input, ProtectFlags, RTL_NUMBER_OF(ProtectFlags));
        UCHAR ZeroKind = FuzzByte(&Input);
        ULONG_PTR ZeroBits = ZeroKind < 0xE0 ? ZeroKind % 24 : FuzzEdgyUlong(&Input);
        ULONG_PTR Base = Address(&Input);
        SIZE_T RegionSize = Address(&Input);
        ULONG Protection = 0, ModelProtectionMask = 0;
        ULONG_PTR Highest = 0;
        ULONGLONG ModelHighest = 0;
        NTSTATUS Status = MiCheckAllocateArguments(Type, ZeroBits, Protect, &Protection);
        NTSTATUS Expected = ModelArguments(Type, ZeroBits, Protect, &ModelProtectionMask);

        /* The service reads the base and size only once the values passed by value are good. */
        if (NT_SUCCESS(Status))
            Status = MiCheckAllocateRange((PVOID)Base, RegionSize, ZeroBits, &Highest);
        if (NT_SUCCESS(Expected))
            Expected = ModelRange(Base, RegionSize, ZeroBits, &ModelHighest);
        if (Status != Expected)
            fprintf(stderr, "type 0x%X zero bits %lu protect 0x%X base 0x%lX size 0x%lX: 0x%08X, expected 0x%08X\n", Type,
                    (unsigned long)ZeroBits, Protect, (unsigned long)Base, (unsigned long)RegionSize, (ULONG)Status,
                    (ULONG)Expected);
        FUZZ_CHECK(Status == Expected);
        if (NT_SUCCESS(Status)) {
            FUZZ_CHECK(Protection == ModelProtectionMask);
            FUZZ_CHECK(Highest == ModelHighest);
        }
    }
    return 0;
}
