/*
 * mi.h: the memory manager's private header: how PTEs are written and TLB
 * entries flushed, the PFN lock and list operations, page tables for system
 * space, and the page-level allocator under the pools. Only mm/ includes it
 * (and white-box tests that define NTMM_MM_WHITEBOX_TEST).
 */
#ifndef NTMM_MI_H
#define NTMM_MI_H

#if !defined(NTMM_MM_INTERNAL) && !defined(NTMM_MM_WHITEBOX_TEST)
#error "mm/mi.h is private to mm/"
#endif

#include <mm.h>
#include <rtl/bitmap.h>

/*
 * MEMORY_MANAGEMENT (0x1A) first parameters for ntmm's own consistency
 * stops (NT's values are undocumented internals; these sit outside them).
 */
#define MI_BUGCHECK_HYPERSPACE_OVERFLOW 0x6001 /* slot, page frame */
#define MI_BUGCHECK_HYPERSPACE_ORDER    0x6002 /* address, depth: unmapped out of order */
#define MI_BUGCHECK_NO_PAGE_TABLE       0x6003 /* address: no page for a system page table */
#define MI_BUGCHECK_BOOT_ALLOCATION     0x6004 /* pages wanted: boot ran out of memory */

/* --- PTE contents ----------------------------------------------------------- */

/* MM_* protection to the hardware bits of a valid PTE (Write, CacheDisable, WriteThrough, PAT). */
extern const ULONG MmProtectToPteMask[32];
extern ULONG MmPteGlobal;                   /* PTE_GLOBAL when the CPU has PGE, else 0 */

/* A valid kernel PTE for PageFrameIndex with Protection; global, since system space is shared. */
FORCEINLINE MMPTE MiMakeSystemPte(PFN_NUMBER PageFrameIndex, ULONG Protection)
{
    MMPTE TempPte;

    TempPte.u.Long = (PageFrameIndex << PAGE_SHIFT) | MmProtectToPteMask[Protection & 0x1F] |
                     PTE_VALID | PTE_ACCESSED | PTE_DIRTY | MmPteGlobal;
    return TempPte;
}

/* An invalid PTE that the fault handler turns into a zeroed page with Protection. */
FORCEINLINE MMPTE MiMakeDemandZeroPte(ULONG Protection)
{
    MMPTE TempPte;

    TempPte.u.Long = 0;
    TempPte.u.Soft.Protection = Protection;
    return TempPte;
}

FORCEINLINE BOOLEAN MiIsDemandZeroPte(MMPTE Pte)
{
    return !Pte.u.Soft.Valid && !Pte.u.Soft.Prototype && !Pte.u.Soft.Transition &&
           Pte.u.Soft.PageFileHigh == 0 && Pte.u.Soft.PageFileLow == 0 &&
           Pte.u.Soft.Protection != MM_ZERO_ACCESS;
}

/*
 * Live PTEs change only through these, each asserting the transition it
 * makes. Taking a valid PTE away must be followed by MiFlushTb.
 */
FORCEINLINE VOID MI_WRITE_VALID_PTE(PMMPTE PointerPte, MMPTE TempPte)
{
    ASSERT(!PointerPte->u.Hard.Valid);
    ASSERT(TempPte.u.Hard.Valid);
    *(volatile ULONG *)&PointerPte->u.Long = TempPte.u.Long;
}

FORCEINLINE VOID MI_UPDATE_VALID_PTE(PMMPTE PointerPte, MMPTE TempPte)
{
    ASSERT(PointerPte->u.Hard.Valid && TempPte.u.Hard.Valid);
    ASSERT(PointerPte->u.Hard.PageFrameNumber == TempPte.u.Hard.PageFrameNumber);
    *(volatile ULONG *)&PointerPte->u.Long = TempPte.u.Long;
}

FORCEINLINE VOID MI_WRITE_INVALID_PTE(PMMPTE PointerPte, MMPTE InvalidPte)
{
    ASSERT(!InvalidPte.u.Hard.Valid);
    *(volatile ULONG *)&PointerPte->u.Long = InvalidPte.u.Long;
}

FORCEINLINE VOID MI_ERASE_PTE(PMMPTE PointerPte)
{
    *(volatile ULONG *)&PointerPte->u.Long = 0;
}

/* --- TLB ---------------------------------------------------------------------- */

FORCEINLINE VOID MiFlushTb(PVOID VirtualAddress)
{
    __invlpg(VirtualAddress);
    MmStatistics.TbFlushSingle++;
}

VOID MiFlushEntireTb(BOOLEAN IncludeGlobal);

/* --- The PFN lock and lists (pfnlist.c) ---------------------------------------- */

/*
 * The PFN lock: a spin lock, taken inline because every page operation
 * takes it. Taking it twice stops the system, as KeAcquireSpinLock does.
 */
extern KSPIN_LOCK MmPfnLock;

FORCEINLINE VOID MiAcquirePfnLock(PKIRQL OldIrql)
{
    *OldIrql = KiRaiseIrqlToDispatch();
    if (MmPfnLock != 0)
        KeBugCheckEx(SPIN_LOCK_ALREADY_OWNED, (ULONG_PTR)&MmPfnLock, 0, 0, 0);
    MmPfnLock = 1;
}

FORCEINLINE VOID MiReleasePfnLock(KIRQL OldIrql)
{
    MmPfnLock = 0;
    KiLowerIrqlFromDispatch(OldIrql);
}

#define MI_ASSERT_PFN_LOCK_HELD() ASSERT(MmPfnLock != 0)

VOID MiInsertPageInList(PMMPFNLIST ListHead, PFN_NUMBER PageFrameIndex);
VOID MiUnlinkFreeOrZeroedPage(PFN_NUMBER PageFrameIndex);
PFN_NUMBER MiRemoveAnyPage(VOID);
PFN_NUMBER MiRemoveZeroPage(VOID);
ULONG MiZeroFreePages(ULONG MaximumPages);
VOID MiInsertPageInFreeList(PFN_NUMBER PageFrameIndex);
VOID MiMarkPageBad(PFN_NUMBER PageFrameIndex);
VOID MiDecrementShareCount(PMMPFN Pfn1, PFN_NUMBER PageFrameIndex);

/*
 * Makes a page just taken off a list the page mapped by PointerPte: one
 * share, one reference, and where to find its PTE (the page table page
 * holding PointerPte is PteFrame).
 */
FORCEINLINE VOID MiInitializePfn(PFN_NUMBER PageFrameIndex, PMMPTE PointerPte, BOOLEAN Modified)
{
    PMMPFN Pfn1 = MI_PFN_ELEMENT(PageFrameIndex);

    ASSERT(Pfn1->u3.e2.e1.PageLocation == ActiveAndValid && Pfn1->u3.e2.ReferenceCount == 0);
    Pfn1->PteAddress = PointerPte;
    Pfn1->OriginalPte = *PointerPte;
    Pfn1->u2.ShareCount = 1;
    Pfn1->u3.e2.ReferenceCount = 1;
    Pfn1->u3.e2.e1.Modified = Modified;
    Pfn1->u3.e2.e1.CacheAttribute = MiCached;
    Pfn1->u4.PteFrame = PFN_FROM_PTE(MiAddressToPte(PointerPte));
}

VOID MiDecrementReferenceCount(PMMPFN Pfn1, PFN_NUMBER PageFrameIndex);

/* --- Page tables for system space (syspte.c's neighbour, sysptab.c) ------------- */

/*
 * The system directory (the boot directory, reachable at its image address
 * in every address space) holds the master copy of every system PDE.
 */
#define MmSystemPagePtes ((PMMPTE)KiBootPageDirectory)
extern PFN_NUMBER MmSystemPageDirectory;

NTSTATUS MiEnsureSystemPageTable(PVOID VirtualAddress);
BOOLEAN MiSyncSystemPde(PVOID VirtualAddress);
PFN_NUMBER MiCreateAddressSpace(VOID);
VOID MiDeleteAddressSpace(PFN_NUMBER DirectoryFrame);

/* --- Page faults (pagfault.c) -------------------------------------------------- */

BOOLEAN MiIsPageableRange(PVOID VirtualAddress, SIZE_T Length);

/* --- Hyperspace (hypermap.c) --------------------------------------------------- */

#define MI_HYPERSPACE_SLOTS 8
VOID MiInitializeHyperSpace(PFN_NUMBER DirectoryFrame, PFN_NUMBER HyperSpaceTableFrame);

/* --- Boot-time allocation (mminit.c) -------------------------------------------- */

PFN_NUMBER MxGetNextPage(VOID);

/* --- The page allocator under the pools (allocpag.c; its interface is in mm.h) --- */

VOID MiInitializePoolPages(ULONG InitialPages, PULONG Bitmaps);
ULONG MiPoolPageBitmapBytes(ULONG InitialPages, ULONG ExpansionPages, ULONG PagedPages);

/* --- Start-up of the rest (syspte.c, iosup.c) ------------------------------------ */

VOID MiInitializeSystemPtes(VOID);
VOID MiInitializePat(VOID);
extern BOOLEAN MmWriteCombiningAvailable;
extern PMMPTE MmSystemPtesStart, MmSystemPtesEnd;

#endif
