/*
 * sysview.c: views of sections in system space (MmMapViewInSystemSpace,
 * MmUnmapViewInSystemSpace), for kernel components that want a section's
 * pages at one address in every process.
 *
 * System view space (MM_SYSTEM_VIEW_START, 16 MB as on NT x86) is handed
 * out in 64 KB slots from a bitmap; MiSystemViews records each view at its
 * first slot. Mapping writes every PTE of the view in prototype format,
 * naming its prototype PTE, so a view costs no page until it is touched;
 * the first touch (MmAccessFault, at APC_LEVEL or below) makes the shared
 * page resident and the PTE valid, one more share on the page, exactly as
 * a user view's fault does. The page tables of the range are system page
 * tables, shared by every address space and kept once made.
 *
 * A view's protection is fixed when it is mapped: the section's, read-only
 * for a copy-on-write section (system space has no private copies), or in
 * an image each page's own, with copy-on-write read-only too. NT keeps
 * only a packed base and size per view (MMVIEW.Entry); ntmm keeps the
 * fields apart, and the protection with them.
 */
#include "mi.h"

#define MI_SYSTEM_VIEW_SLOTS ((MM_SYSTEM_VIEW_END + 1 - MM_SYSTEM_VIEW_START) / MM_ALLOCATION_GRANULARITY)
#define MI_SLOT_TO_ADDRESS(Slot) ((PVOID)(MM_SYSTEM_VIEW_START + (ULONG_PTR)(Slot) * MM_ALLOCATION_GRANULARITY))
#define MI_ADDRESS_TO_SLOT(Va) (((ULONG_PTR)(Va) - MM_SYSTEM_VIEW_START) / MM_ALLOCATION_GRANULARITY)

typedef struct _MMVIEW {
    ULONG Pages;                      /* 0: no view starts at this slot */
    ULONG Protection;                 /* MM_*; MM_ZERO_ACCESS: each page's own (an image) */
    PCONTROL_AREA ControlArea;
} MMVIEW, *PMMVIEW;

static MMVIEW MiSystemViews[MI_SYSTEM_VIEW_SLOTS];
static ULONG MiSystemViewBits[MI_SYSTEM_VIEW_SLOTS / 32];
static RTL_BITMAP MiSystemViewBitmap = { MI_SYSTEM_VIEW_SLOTS, MiSystemViewBits };
static KSPIN_LOCK MiSystemViewLock;

/* DRIVER_UNMAPPING_INVALID_VIEW's second parameter: a system view was being unmapped (NT's value). */
#define MI_UNMAPPING_SYSTEM_VIEW 1

BOOLEAN MiIsSystemViewAddress(PVOID VirtualAddress)
{
    return (ULONG_PTR)VirtualAddress >= MM_SYSTEM_VIEW_START && (ULONG_PTR)VirtualAddress <= MM_SYSTEM_VIEW_END;
}

/* The view that holds VirtualAddress, copied out under the lock; FALSE when none does. */
static BOOLEAN MiLookupSystemView(PVOID VirtualAddress, PVOID *Base, PMMVIEW Found)
{
    BOOLEAN Mapped = FALSE;
    KIRQL OldIrql;

    KeAcquireSpinLock(&MiSystemViewLock, &OldIrql);
    for (LONG Slot = (LONG)MI_ADDRESS_TO_SLOT(VirtualAddress); Slot >= 0; Slot--) {
        PMMVIEW View = &MiSystemViews[Slot];

        if (View->Pages == 0)
            continue;
        Mapped = (ULONG_PTR)VirtualAddress < (ULONG_PTR)MI_SLOT_TO_ADDRESS(Slot) + (View->Pages << PAGE_SHIFT);
        *Base = MI_SLOT_TO_ADDRESS(Slot);
        *Found = *View;
        break;
    }
    KeReleaseSpinLock(&MiSystemViewLock, OldIrql);
    return Mapped;
}

/* System space has no private copies: copy-on-write pages are mapped read-only. */
static ULONG MiWithoutCopyOnWrite(ULONG Protection)
{
    return MI_IS_COPY_ON_WRITE(Protection) ? Protection & ~MM_PROTECTION_WRITE_MASK : Protection;
}

/*
 * Maps *ViewSize bytes (0: the whole section) of Section from its start
 * into system view space; *MappedBase and *ViewSize return where and how
 * much (whole pages). STATUS_INVALID_VIEW_SIZE for more than the section
 * holds, STATUS_NO_MEMORY when view space has no room left.
 */
NTSTATUS NTAPI MmMapViewInSystemSpace(PVOID Section, PVOID *MappedBase, PSIZE_T ViewSize)
{
    PSECTION TheSection = Section;
    PCONTROL_AREA ControlArea = TheSection->Segment->ControlArea;
    ULONGLONG Size = *ViewSize != 0 ? *ViewSize : (ULONGLONG)TheSection->SizeOfSection.QuadPart;
    ULONG Pages, Slots, Slot, Protection;
    PMMPTE PointerPte;
    ULONG_PTR End;
    PVOID Base;
    KIRQL OldIrql;

    if (Size > (ULONGLONG)TheSection->SizeOfSection.QuadPart || Size > MM_SYSTEM_VIEW_END + 1 - MM_SYSTEM_VIEW_START)
        return STATUS_INVALID_VIEW_SIZE;
    Pages = BYTES_TO_PAGES((SIZE_T)Size);
    Slots = (Pages + MM_ALLOCATION_GRANULARITY / PAGE_SIZE - 1) / (MM_ALLOCATION_GRANULARITY / PAGE_SIZE);
    KeAcquireSpinLock(&MiSystemViewLock, &OldIrql);
    Slot = RtlFindClearBitsAndSet(&MiSystemViewBitmap, Slots, 0);
    KeReleaseSpinLock(&MiSystemViewLock, OldIrql);
    if (Slot == RTL_BITMAP_NOT_FOUND)
        return STATUS_NO_MEMORY;
    Base = MI_SLOT_TO_ADDRESS(Slot);
    End = (ULONG_PTR)Base + ((SIZE_T)Pages << PAGE_SHIFT);
    for (ULONG_PTR Va = (ULONG_PTR)Base; Va < End; Va = (Va | (PDE_MAPPED_SIZE - 1)) + 1) {
        if (!NT_SUCCESS(MiEnsureSystemPageTable((PVOID)Va))) {
            KeAcquireSpinLock(&MiSystemViewLock, &OldIrql);
            RtlClearBits(&MiSystemViewBitmap, Slot, Slots);
            KeReleaseSpinLock(&MiSystemViewLock, OldIrql);
            return STATUS_INSUFFICIENT_RESOURCES;
        }
    }
    PointerPte = MiAddressToPte(Base);
    for (ULONG i = 0; i < Pages; i++)
        MI_WRITE_INVALID_PTE(&PointerPte[i], MiMakePrototypeFormatPte(&ControlArea->Segment->ThePtes[i]));

    /* The section object is paged: read before the lock, as forced IRQL checking insists. */
    Protection = TheSection->u.Flags.Image ? MM_ZERO_ACCESS : MiWithoutCopyOnWrite(TheSection->InitialPageProtection);
    KeAcquireSpinLock(&MiSystemViewLock, &OldIrql);
    MiSystemViews[Slot].Pages = Pages;
    MiSystemViews[Slot].Protection = Protection;
    MiSystemViews[Slot].ControlArea = ControlArea;
    KeReleaseSpinLock(&MiSystemViewLock, OldIrql);
    MiAcquirePfnLock(&OldIrql);
    ControlArea->NumberOfMappedViews++;
    ControlArea->NumberOfSystemCacheViews++;
    MiReleasePfnLock(OldIrql);
    *MappedBase = Base;
    *ViewSize = (SIZE_T)Pages << PAGE_SHIFT;
    return STATUS_SUCCESS;
}

/*
 * Unmaps the system view at MappedBase: each valid PTE's share goes back to
 * its page, each PTE is erased and its TLB entry flushed. An address that
 * is not a view's base is NT's stop, DRIVER_UNMAPPING_INVALID_VIEW.
 */
NTSTATUS NTAPI MmUnmapViewInSystemSpace(PVOID MappedBase)
{
    ULONG Slot = MI_ADDRESS_TO_SLOT(MappedBase);
    PCONTROL_AREA ControlArea;
    PMMPTE PointerPte;
    ULONG Pages, Slots;
    KIRQL OldIrql;

    KeAcquireSpinLock(&MiSystemViewLock, &OldIrql);
    if (!MiIsSystemViewAddress(MappedBase) || MI_SLOT_TO_ADDRESS(Slot) != MappedBase ||
        MiSystemViews[Slot].Pages == 0)
        KeBugCheckEx(DRIVER_UNMAPPING_INVALID_VIEW, (ULONG_PTR)MappedBase, MI_UNMAPPING_SYSTEM_VIEW, 0, 0);
    Pages = MiSystemViews[Slot].Pages;
    ControlArea = MiSystemViews[Slot].ControlArea;
    MiSystemViews[Slot].Pages = 0;
    KeReleaseSpinLock(&MiSystemViewLock, OldIrql);

    PointerPte = MiAddressToPte(MappedBase);
    MiAcquirePfnLock(&OldIrql);
    for (ULONG i = 0; i < Pages; i++) {
        MMPTE OldPte = PointerPte[i];

        MI_ERASE_PTE(&PointerPte[i]);
        if (OldPte.u.Hard.Valid) {
            MiFlushTb((PUCHAR)MappedBase + ((SIZE_T)i << PAGE_SHIFT));
            MiDecrementShareCount(MI_PFN_ELEMENT(PFN_FROM_PTE(&OldPte)), PFN_FROM_PTE(&OldPte));
        }
    }
    ControlArea->NumberOfMappedViews--;
    ControlArea->NumberOfSystemCacheViews--;
    MiReleasePfnLock(OldIrql);

    Slots = (Pages + MM_ALLOCATION_GRANULARITY / PAGE_SIZE - 1) / (MM_ALLOCATION_GRANULARITY / PAGE_SIZE);
    KeAcquireSpinLock(&MiSystemViewLock, &OldIrql);
    RtlClearBits(&MiSystemViewBitmap, Slot, Slots);
    KeReleaseSpinLock(&MiSystemViewLock, OldIrql);
    MiCheckControlArea(ControlArea);
    return STATUS_SUCCESS;
}

/*
 * A fault on a PTE in prototype format in system view space (MmAccessFault,
 * at APC_LEVEL or below): the shared page becomes resident and the PTE
 * valid with the view's protection. A page not committed, or outside any
 * view, is STATUS_ACCESS_VIOLATION for the caller to judge; running out of
 * pages is STATUS_NO_MEMORY.
 */
NTSTATUS MiResolveSystemViewFault(PVOID VirtualAddress, PMMPTE PointerPte, ULONG FaultStatus)
{
    PMMPTE ProtoPte = MiPteToProto(*PointerPte);
    PFN_NUMBER PageFrameIndex;
    ULONG Protection;
    NTSTATUS Status;
    MMVIEW View;
    PVOID Base;

    UNREFERENCED_PARAMETER(FaultStatus);
    if (!MiLookupSystemView(VirtualAddress, &Base, &View))
        return STATUS_ACCESS_VIOLATION;
    Protection = View.Protection;
    if (Protection == MM_ZERO_ACCESS)
        Protection = MiWithoutCopyOnWrite(MiProtoPteProtection(ProtoPte));
    if (ProtoPte->u.Long == 0 || MI_IS_NOACCESS(Protection))
        return STATUS_ACCESS_VIOLATION;
    Status = MiMakeProtoPageResident(View.ControlArea, ProtoPte, &PageFrameIndex);
    if (!NT_SUCCESS(Status))
        return Status;
    MI_WRITE_VALID_PTE(PointerPte, MiMakeSystemPte(PageFrameIndex, Protection));
    return STATUS_SUCCESS;
}

/* Calls Callback for every system view, for the section walker. */
VOID MiEnumerateSystemViews(PMI_SYSTEM_VIEW_CALLBACK Callback, PVOID Context)
{
    for (ULONG Slot = 0; Slot < MI_SYSTEM_VIEW_SLOTS; Slot++) {
        if (MiSystemViews[Slot].Pages != 0)
            Callback(MI_SLOT_TO_ADDRESS(Slot), MiSystemViews[Slot].Pages, MiSystemViews[Slot].ControlArea, Context);
    }
}
