/*
 * vftrim.c: forced IRQL checking, NT's "Force IRQL Checking". Touching
 * pageable memory above APC_LEVEL is a bug, but one that stops the system
 * only when the page happens to be absent. With the option on, every raise
 * through KeRaiseIrql (and so every KeAcquireSpinLock) from below
 * DISPATCH_LEVEL to it or above first makes all pageable system memory not
 * present, as NT trims it (MmTrimAllSystemPagableMemory): each valid PTE
 * of paged pool, and of paged special pool, becomes a transition PTE that
 * keeps its page. The next touch faults; at APC_LEVEL or below the fault
 * makes the PTE valid again, above it the fault stops with
 * IRQL_NOT_LESS_OR_EQUAL (pagfault.c), every time. ntmm has no pageable
 * code yet; the kernel's own raises to DISPATCH_LEVEL through the PFN lock
 * do not trim, or resolving one fault would undo the last.
 */
#include "mi.h"
#include <vf.h>

static VOID MiTrimPagedPoolAllocation(PVOID StartingAddress, ULONG Pages, PVOID Context)
{
    PULONG Trimmed = Context;

    for (ULONG i = 0; i < Pages; i++) {
        PVOID Va = (PUCHAR)StartingAddress + (SIZE_T)i * PAGE_SIZE;
        PMMPTE PointerPte = MiAddressToPte(Va);

        if (!MiAddressToPde(Va)->u.Hard.Valid || !PointerPte->u.Hard.Valid)
            continue;
        MI_WRITE_INVALID_PTE(PointerPte, MiMakeTransitionPte(PFN_FROM_PTE(PointerPte), MM_READWRITE));
        MiFlushTb(Va);
        (*Trimmed)++;
    }
}

/* Takes every resident page of pageable system memory out of reach; returns how many. */
ULONG MmTrimAllSystemPagableMemory(VOID)
{
    ULONG Trimmed = 0;
    KIRQL OldIrql;

    MiAcquirePfnLock(&OldIrql);
    MiEnumeratePoolAllocations(MiPagedPoolPages, MiTrimPagedPoolAllocation, &Trimmed);
    Trimmed += MiTrimSpecialPool();
    MiReleasePfnLock(OldIrql);
    return Trimmed;
}

/* KeRaiseIrql's checkpoint, when forced IRQL checking is on (irql.c). */
VOID VfForceIrqlRaise(KIRQL OldIrql, KIRQL NewIrql)
{
    if (OldIrql >= DISPATCH_LEVEL || NewIrql < DISPATCH_LEVEL || !VfStarted)
        return;
    VfStatistics.RaiseIrqls++;
    VfStatistics.Trims += MmTrimAllSystemPagableMemory();
}
