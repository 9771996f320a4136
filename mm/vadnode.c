/*
 * vadnode.c: the VAD tree and the address-space lock.
 *
 * Each range of user space a process has reserved is one MMVAD, linked
 * into the process's VadRoot, an AVL tree of disjoint page ranges
 * (lib/rtl/avl.c). Finding the VAD that holds an address (every user page
 * fault asks), checking a new range against the tree and finding room for
 * one are O(log n), plus one step per VAD skipped for room. VADs come from
 * nonpaged pool with NT's tag; the tree changes only under the process's
 * address-space lock, and the VirtualSize counts follow every change.
 */
#include "mi.h"
#include <string.h>

VOID MmLockAddressSpace(PEPROCESS Process)
{
    KIRQL OldIrql;

    KeRaiseIrql(APC_LEVEL, &OldIrql);
    if (Process->AddressCreationLockOwner != NULL)
        KeBugCheckEx(MEMORY_MANAGEMENT, MI_BUGCHECK_ADDRESS_SPACE_LOCK, (ULONG_PTR)Process,
                     (ULONG_PTR)Process->AddressCreationLockOwner, 0);
    Process->AddressCreationLockOwner = KeGetCurrentThread();
    Process->AddressCreationLockIrql = OldIrql;
}

VOID MmUnlockAddressSpace(PEPROCESS Process)
{
    if (Process->AddressCreationLockOwner != KeGetCurrentThread())
        KeBugCheckEx(MEMORY_MANAGEMENT, MI_BUGCHECK_ADDRESS_SPACE_LOCK, (ULONG_PTR)Process,
                     (ULONG_PTR)Process->AddressCreationLockOwner, 1);
    Process->AddressCreationLockOwner = NULL;
    KeLowerIrql(Process->AddressCreationLockIrql);
}

PMMVAD MiLocateAddress(PEPROCESS Process, PVOID VirtualAddress)
{
    PRTL_AVL_RANGE_NODE Node = RtlAvlFindRange(&Process->VadRoot, (ULONG_PTR)VirtualAddress >> PAGE_SHIFT);

    return Node != NULL ? CONTAINING_RECORD(Node, MMVAD, Node) : NULL;
}

/* Does any VAD share a page with StartingAddress..EndingAddress (inclusive)? */
BOOLEAN MiCheckForConflictingVadExistence(PEPROCESS Process, PVOID StartingAddress, PVOID EndingAddress)
{
    return RtlAvlFindFirstOverlap(&Process->VadRoot, (ULONG_PTR)StartingAddress >> PAGE_SHIFT,
                                  (ULONG_PTR)EndingAddress >> PAGE_SHIFT) != NULL;
}

/*
 * Room for SizeOfRange bytes on an Alignment boundary (a power of two, in
 * bytes) between MI_LOWEST_USER_ADDRESS and HighestAddress: the lowest such
 * range, or the highest with TopDown (NT's MiFindEmptyAddressRange and
 * MiFindEmptyAddressRangeDown). STATUS_NO_MEMORY when there is none.
 */
NTSTATUS MiFindEmptyAddressRange(PEPROCESS Process, SIZE_T SizeOfRange, ULONG_PTR Alignment,
                                 PVOID HighestAddress, BOOLEAN TopDown, PVOID *Base)
{
    ULONG_PTR Pages = BYTES_TO_PAGES(SizeOfRange), Found;
    ULONG_PTR LowestVpn = MI_LOWEST_USER_ADDRESS >> PAGE_SHIFT, HighestVpn = (ULONG_PTR)HighestAddress >> PAGE_SHIFT;
    BOOLEAN Fits;

    if (TopDown)
        Fits = RtlAvlFindEmptyRangeDown(&Process->VadRoot, Pages, Alignment >> PAGE_SHIFT, LowestVpn, HighestVpn,
                                        &Found);
    else
        Fits = RtlAvlFindEmptyRange(&Process->VadRoot, Pages, Alignment >> PAGE_SHIFT, LowestVpn, HighestVpn,
                                    &Found);
    if (!Fits)
        return STATUS_NO_MEMORY;
    *Base = (PVOID)(Found << PAGE_SHIFT);
    return STATUS_SUCCESS;
}

/* A VAD for StartingAddress..EndingAddress (inclusive), its flags clear but Protection; NULL without pool. */
PMMVAD MiAllocateVad(PVOID StartingAddress, PVOID EndingAddress, ULONG Protection)
{
    PMMVAD Vad = ExAllocatePoolWithTag(NonPagedPool, sizeof(MMVAD), MI_VAD_TAG);

    if (Vad == NULL)
        return NULL;
    memset(Vad, 0, sizeof(*Vad));
    Vad->Node.StartingVpn = (ULONG_PTR)StartingAddress >> PAGE_SHIFT;
    Vad->Node.EndingVpn = (ULONG_PTR)EndingAddress >> PAGE_SHIFT;
    Vad->u.VadFlags.Protection = Protection;
    return Vad;
}

VOID MiFreeVad(PMMVAD Vad)
{
    ExFreePoolWithTag(Vad, MI_VAD_TAG);
}

/* Links a VAD whose range the caller has checked is free; its pages count toward VirtualSize. */
VOID MiInsertVad(PEPROCESS Process, PMMVAD Vad)
{
    if (!RtlAvlInsertRange(&Process->VadRoot, &Vad->Node))
        KeBugCheckEx(MEMORY_MANAGEMENT, MI_BUGCHECK_VAD_CONFLICT, (ULONG_PTR)Process, (ULONG_PTR)Vad,
                     Vad->Node.StartingVpn);
    Process->VirtualSize += MI_VAD_PAGES(Vad) << PAGE_SHIFT;
    if (Process->VirtualSize > Process->PeakVirtualSize)
        Process->PeakVirtualSize = Process->VirtualSize;
}

VOID MiRemoveVad(PEPROCESS Process, PMMVAD Vad)
{
    RtlAvlRemoveRange(&Process->VadRoot, &Vad->Node);
    Process->VirtualSize -= MI_VAD_PAGES(Vad) << PAGE_SHIFT;
}
