/*
 * kstack.c: kernel stacks, made of system PTEs: the stack's pages mapped
 * zeroed, with one more PTE below them left absent as the guard page, so
 * running off the stack faults (and, with no stack left to take the fault
 * on, double-faults onto the double-fault task) instead of overwriting
 * whatever lies below.
 */
#include "mi.h"

/* Returns the stack's base (its highest address, where ESP starts), or NULL. */
PVOID MmCreateKernelStack(ULONG Pages)
{
    PMMPTE PointerPte = MiReserveSystemPtes(Pages + 1);
    KIRQL OldIrql;

    if (PointerPte == NULL)
        return NULL;
    for (ULONG i = 1; i <= Pages; i++) {
        PFN_NUMBER PageFrameIndex;

        MiAcquirePfnLock(&OldIrql);
        PageFrameIndex = MiRemoveZeroPage();
        if (PageFrameIndex == MM_EMPTY_LIST) {
            MiReleasePfnLock(OldIrql);
            MmDeleteKernelStack(MiPteToAddress(PointerPte + Pages + 1), Pages);
            return NULL;
        }
        MiInitializePfn(PageFrameIndex, PointerPte + i, TRUE);
        MI_WRITE_VALID_PTE(PointerPte + i, MiMakeSystemPte(PageFrameIndex, MM_READWRITE));
        MiReleasePfnLock(OldIrql);
    }
    return MiPteToAddress(PointerPte + Pages + 1);
}

/* Frees a stack MmCreateKernelStack made (the guard PTE included); pages not yet mapped are skipped. */
VOID MmDeleteKernelStack(PVOID StackBase, ULONG Pages)
{
    PMMPTE PointerPte = MiAddressToPte(StackBase) - Pages - 1;
    KIRQL OldIrql;

    for (ULONG i = 1; i <= Pages; i++) {
        if (PointerPte[i].u.Hard.Valid) {
            PFN_NUMBER PageFrameIndex = PFN_FROM_PTE(&PointerPte[i]);

            MI_ERASE_PTE(&PointerPte[i]);
            MiFlushTb(MiPteToAddress(&PointerPte[i]));
            MiAcquirePfnLock(&OldIrql);
            MiDecrementShareCount(MI_PFN_ELEMENT(PageFrameIndex), PageFrameIndex);
            MiReleasePfnLock(OldIrql);
        }
    }
    MiReleaseSystemPtes(PointerPte, Pages + 1);
}
