/*
 * protect.c: the one table from NT's MM_* protections to the hardware bits
 * of a valid PTE. x86 without NX cannot refuse execution, so execute rights
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
