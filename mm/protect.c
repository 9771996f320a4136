/*
 * protect.c: protections: the one table from NT's MM_* protections to the
 * hardware bits of a valid PTE, and the conversions between the Win32
 * PAGE_* values callers pass and MM_*. x86 without NX cannot refuse execution, so execute rights
 * add nothing; write-copy pages start read-only. MM_NOCACHE sets PCD and
 * PWT; MM_WRITECOMBINE selects the PAT entry boot programs for write
 * combining (PWT alone, PAT index 1).
 */
#include "mi.h"

#define MI_RW PTE_WRITE
#define MI_UC (PTE_CACHE_DISABLE | PTE_WRITE_THROUGH)
#define MI_WC PTE_WRITE_THROUGH
#define MI_ROW(Cache) (Cache), (Cache), (Cache), (Cache), MI_RW | (Cache), (Cache), MI_RW | (Cache), (Cache)

const ULONG MmProtectToPteMask[32] = {
    MI_ROW(0),          /* cached */
    MI_ROW(MI_UC),      /* MM_NOCACHE */
    MI_ROW(0),          /* MM_GUARD_PAGE: made valid only when the guard is gone */
    MI_ROW(MI_WC),      /* MM_WRITECOMBINE */
};

/*
 * From a Win32 PAGE_* value to NT's MM_* protection, as NT's
 * MiMakeProtectionMask does: exactly one base protection (in the low or the
 * high nibble), plus at most one of PAGE_GUARD, PAGE_NOCACHE and
 * PAGE_WRITECOMBINE, none of them with PAGE_NOACCESS. Anything else is
 * MM_INVALID_PROTECTION.
 */
#define MI_PAGE_MODIFIERS (PAGE_GUARD | PAGE_NOCACHE | PAGE_WRITECOMBINE)

/* A nibble with one bit set names a base protection; 0 marks every other value. */
static const ULONG MiLowNibbleProtection[16] = {
    [1] = MM_NOACCESS, [2] = MM_READONLY, [4] = MM_READWRITE, [8] = MM_WRITECOPY,
};
static const ULONG MiHighNibbleProtection[16] = {
    [1] = MM_EXECUTE, [2] = MM_EXECUTE_READ, [4] = MM_EXECUTE_READWRITE, [8] = MM_EXECUTE_WRITECOPY,
};

ULONG MiMakeProtectionMask(ULONG Protect)
{
    ULONG Low = Protect & 0xF, High = (Protect >> 4) & 0xF, Modifiers = Protect & MI_PAGE_MODIFIERS;
    ULONG Protection;

    if ((Protect & ~(0xFF | MI_PAGE_MODIFIERS)) != 0 || (Low != 0) == (High != 0))
        return MM_INVALID_PROTECTION;
    Protection = Low != 0 ? MiLowNibbleProtection[Low] : MiHighNibbleProtection[High];
    if (Protection == 0)
        return MM_INVALID_PROTECTION;
    if (Modifiers == 0)
        return Protection;
    if (Protection == MM_NOACCESS || (Modifiers & (Modifiers - 1)) != 0)
        return MM_INVALID_PROTECTION;
    if (Modifiers == PAGE_GUARD)
        return Protection | MM_GUARD_PAGE;
    if (Modifiers == PAGE_NOCACHE)
        return Protection | MM_NOCACHE;
    return Protection | MM_WRITECOMBINE;
}

/* The reverse, for what NtQueryVirtualMemory and NtProtectVirtualMemory report (NT's MmProtectToValue). */
ULONG MiProtectionToPageProtect(ULONG ProtectionMask)
{
    static const ULONG Base[8] = {
        PAGE_NOACCESS, PAGE_READONLY, PAGE_EXECUTE, PAGE_EXECUTE_READ,
        PAGE_READWRITE, PAGE_WRITECOPY, PAGE_EXECUTE_READWRITE, PAGE_EXECUTE_WRITECOPY,
    };
    ULONG Value = Base[ProtectionMask & 7];

    if (MI_IS_NOACCESS(ProtectionMask))
        return PAGE_NOACCESS;
    switch (ProtectionMask & MM_NOACCESS) {
    case MM_GUARD_PAGE:
        return Value | PAGE_GUARD;
    case MM_NOCACHE:
        return Value | PAGE_NOCACHE;
    case MM_WRITECOMBINE:
        return Value | PAGE_WRITECOMBINE;
    default:
        return Value;
    }
}
