/*
 * mdlsup.c: the memory manager's side of MDLs: making one (MmCreateMdl),
 * describing a buffer's pages (MmBuildMdlForNonPagedPool), locking them
 * (MmProbeAndLockPages / MmUnlockPages), mapping them into system PTEs, and
 * MDLs of fresh pages (MmAllocatePagesForMdlEx).
 *
 * Locking a page takes one PFN reference, so a locked page outlives its
 * mapping: a paged-pool page freed while an MDL holds it stays in memory
 * until the MDL is unlocked. Probing touches every page with the kernel's
 * probe instructions (a write, for a lock to write user pages) before
 * anything is locked, so a bad address raises STATUS_ACCESS_VIOLATION to
 * the caller's try block with nothing to undo.
 */
#include "mi.h"
#include <vf.h>

/* MEMORY_MANAGEMENT first parameters NT uses: mapping pages that are not locked; an uncached view of a large page's frame. */
#define MI_BUGCHECK_MAP_UNLOCKED_PAGE 0x1233
#define MI_BUGCHECK_NONCACHED_LARGE_PAGE_FRAME 0x1000
/* DRIVER_UNMAPPING_INVALID_VIEW's second parameter for a user-space view (NT's is 1 for a system one too). */
#define MI_BUGCHECK_USER_VIEW 1
#define MI_MDL_TAG 'ldmM'   /* "Mmdl": MDLs the memory manager allocates */

/* Pages MmProbeAndLockPages holds locked now (NT's MmSystemLockPagesCount). */
volatile ULONG MmSystemLockPagesCount;

SIZE_T NTAPI MmSizeOfMdl(PVOID Base, SIZE_T Length)
{
    return MM_SIZE_OF_MDL(Base, Length);
}

static ULONG MiMdlPages(PMDL Mdl)
{
    return ADDRESS_AND_SIZE_TO_SPAN_PAGES(MmGetMdlVirtualAddress(Mdl), Mdl->ByteCount);
}

/*
 * The old DDK's MDL constructor: initializes MemoryDescriptorList for Length
 * bytes at Base, allocating it from nonpaged pool first when the caller
 * passes none (NULL when pool runs out; free it with ExFreePool). NULL too
 * for a range of more pages than an MDL's 16-bit Size can count, which
 * IoAllocateMdl refuses as well (NT's would wrap Size).
 */
PMDL NTAPI MmCreateMdl(PMDL MemoryDescriptorList, PVOID Base, SIZE_T Length)
{
    if (ADDRESS_AND_SIZE_TO_SPAN_PAGES(Base, Length) > MM_MAXIMUM_MDL_PAGES)
        return NULL;
    if (MemoryDescriptorList == NULL) {
        MemoryDescriptorList = ExAllocatePoolWithTag(NonPagedPool, MmSizeOfMdl(Base, Length), MI_MDL_TAG);
        if (MemoryDescriptorList == NULL)
            return NULL;
    }
    MmInitializeMdl(MemoryDescriptorList, Base, Length);
    return MemoryDescriptorList;
}

VOID NTAPI MmBuildMdlForNonPagedPool(PMDL MemoryDescriptorList)
{
    PPFN_NUMBER Pages = MmGetMdlPfnArray(MemoryDescriptorList);
    PUCHAR Va = MemoryDescriptorList->StartVa;

    ASSERT((MemoryDescriptorList->MdlFlags & (MDL_PAGES_LOCKED | MDL_MAPPED_TO_SYSTEM_VA |
                                             MDL_SOURCE_IS_NONPAGED_POOL | MDL_PARTIAL)) == 0);
    MemoryDescriptorList->Process = NULL;
    for (ULONG i = 0; i < MiMdlPages(MemoryDescriptorList); i++, Va += PAGE_SIZE) {
        ASSERT(MmIsAddressValid(Va));
        Pages[i] = PHYSICAL_TO_PFN(MmGetPhysicalAddress(Va).QuadPart);
    }
    MemoryDescriptorList->MappedSystemVa = MmGetMdlVirtualAddress(MemoryDescriptorList);
    MemoryDescriptorList->MdlFlags |= MDL_SOURCE_IS_NONPAGED_POOL;
}

/* Drops the locks MmProbeAndLockPages took on the first Count pages of Pages. */
static VOID MiUnlockPageArray(PPFN_NUMBER Pages, ULONG Count)
{
    KIRQL OldIrql;

    MiAcquirePfnLock(&OldIrql);
    for (ULONG i = 0; i < Count; i++) {
        if (MiIsPhysicalPage(Pages[i]))
            MiDecrementReferenceCount(MI_PFN_ELEMENT(Pages[i]), Pages[i]);
    }
    MiReleasePfnLock(OldIrql);
}

VOID NTAPI MmProbeAndLockPages(PMDL MemoryDescriptorList, KPROCESSOR_MODE AccessMode, LOCK_OPERATION Operation)
{
    PUCHAR Start = MmGetMdlVirtualAddress(MemoryDescriptorList);
    ULONG Length = MemoryDescriptorList->ByteCount, Count = MiMdlPages(MemoryDescriptorList), i;
    PPFN_NUMBER Pages = MmGetMdlPfnArray(MemoryDescriptorList);
    BOOLEAN Write = Operation != IoReadAccess;
    PUCHAR Va = MemoryDescriptorList->StartVa;
    NTSTATUS Status = STATUS_SUCCESS;
    KIRQL Irql = KeGetCurrentIrql(), OldIrql;

    /* NT's rule: APC_LEVEL at most for pageable memory, DISPATCH_LEVEL for the rest. */
    if (Irql > DISPATCH_LEVEL || (Irql > APC_LEVEL && MiIsPageableRange(Start, Length)))
        KeBugCheckEx(IRQL_NOT_LESS_OR_EQUAL, (ULONG_PTR)Start, Irql, Write, (ULONG_PTR)__builtin_return_address(0));
    ASSERT((MemoryDescriptorList->MdlFlags & (MDL_PAGES_LOCKED | MDL_SOURCE_IS_NONPAGED_POOL |
                                             MDL_PARTIAL | MDL_MAPPED_TO_SYSTEM_VA)) == 0);
    /* User mode may name only user addresses, and the range may not wrap. */
    if ((AccessMode == UserMode && (ULONG_PTR)Start + Length > MI_USER_PROBE_ADDRESS) ||
        (ULONG_PTR)Start + Length < (ULONG_PTR)Start)
        ExRaiseStatus(STATUS_ACCESS_VIOLATION);

    /*
     * Touch every page first: absent ones fault in, bad ones raise to the
     * caller. A user page to be written is written, so a copy-on-write page
     * gets its copy now and the MDL describes the page the writes will
     * reach; system space has no copy-on-write, and its read-only pages are
     * refused below by their PTE (a write to them would stop the system).
     */
    for (i = 0; i < Count; i++) {
        PUCHAR Page = Va + i * PAGE_SIZE;

        if (Write && (ULONG_PTR)Page < MI_SYSTEM_RANGE_START)
            KiProbeWrite(Page);
        else
            KiProbeRead(Page);
    }

    MiAcquirePfnLock(&OldIrql);
    for (i = 0; i < Count; i++, Va += PAGE_SIZE) {
        PMMPTE PointerPde = MiAddressToPde(Va);
        PMMPTE PointerPte = PointerPde->u.Hard.LargePage ? PointerPde : MiAddressToPte(Va);
        PFN_NUMBER PageFrameIndex;

        if (!PointerPte->u.Hard.Valid || (Write && !PointerPte->u.Hard.Write)) {
            Status = STATUS_ACCESS_VIOLATION;
            break;
        }
        PageFrameIndex = PHYSICAL_TO_PFN(MmGetPhysicalAddress(Va).QuadPart);
        if (MiIsPhysicalPage(PageFrameIndex)) {
            PMMPFN Pfn1 = MI_PFN_ELEMENT(PageFrameIndex);

            if (Pfn1->u3.e2.ReferenceCount >= MI_LOCKED_PAGE_REFERENCE_LIMIT) {
                Status = STATUS_WORKING_SET_QUOTA;
                break;
            }
            Pfn1->u3.e2.ReferenceCount++;
        } else {
            MemoryDescriptorList->MdlFlags |= MDL_IO_SPACE;
        }
        Pages[i] = PageFrameIndex;
    }
    MiReleasePfnLock(OldIrql);
    if (!NT_SUCCESS(Status)) {
        MiUnlockPageArray(Pages, i);
        MemoryDescriptorList->MdlFlags &= ~MDL_IO_SPACE;
        ExRaiseStatus(Status);
    }
    /* User pages are charged to their process, which may not go away while they are locked. */
    MemoryDescriptorList->Process = NULL;
    if ((ULONG_PTR)Start < MI_SYSTEM_RANGE_START) {
        MemoryDescriptorList->Process = PsGetCurrentProcessEx();
        MemoryDescriptorList->Process->NumberOfLockedPages += Count;
    }
    MemoryDescriptorList->MdlFlags |= MDL_PAGES_LOCKED | (Write ? MDL_WRITE_OPERATION : 0);
    __atomic_add_fetch(&MmSystemLockPagesCount, Count, __ATOMIC_RELAXED);
    if (VfIsEnabled(DRIVER_VERIFIER_TRACK_POOL_ALLOCATIONS))
        VfTrackLockedPages(MemoryDescriptorList, Count, __builtin_return_address(0));
}

VOID NTAPI MmUnlockPages(PMDL MemoryDescriptorList)
{
    if ((MemoryDescriptorList->MdlFlags & MDL_PAGES_LOCKED) == 0 ||
        (MemoryDescriptorList->MdlFlags & MDL_SOURCE_IS_NONPAGED_POOL)) {
        KeBugCheckEx(PROCESS_HAS_LOCKED_PAGES, 1, (ULONG_PTR)MemoryDescriptorList, 0, 0);
    }
    if (VfIsEnabled(DRIVER_VERIFIER_TRACK_POOL_ALLOCATIONS)) {
        VfCheckMdlUnmapped(MemoryDescriptorList);
        VfUntrackLockedPages(MemoryDescriptorList);
    }
    __atomic_sub_fetch(&MmSystemLockPagesCount, MiMdlPages(MemoryDescriptorList), __ATOMIC_RELAXED);
    if (MemoryDescriptorList->MdlFlags & MDL_MAPPED_TO_SYSTEM_VA)
        MmUnmapLockedPages(MemoryDescriptorList->MappedSystemVa, MemoryDescriptorList);
    MiUnlockPageArray(MmGetMdlPfnArray(MemoryDescriptorList), MiMdlPages(MemoryDescriptorList));
    if (MemoryDescriptorList->Process != NULL)
        MemoryDescriptorList->Process->NumberOfLockedPages -= MiMdlPages(MemoryDescriptorList);
    MemoryDescriptorList->MdlFlags &= ~(MDL_PAGES_LOCKED | MDL_WRITE_OPERATION | MDL_IO_SPACE);
}

/*
 * The protection (read-write and the caching bits) a mapping of one page of
 * an MDL gets: a RAM page keeps the type its PFN records, or takes
 * CacheAttribute when it has none yet; device memory takes CacheAttribute.
 * Called with the PFN lock held.
 */
static ULONG MiMdlPageProtection(PFN_NUMBER PageFrameIndex, ULONG CacheAttribute)
{
    ULONG PageAttribute = CacheAttribute;

    MI_ASSERT_PFN_LOCK_HELD();
    if (MiIsPhysicalPage(PageFrameIndex)) {
        PageAttribute = MiFrameCacheAttribute(PageFrameIndex);
        if (PageAttribute == MiNotMapped) {
            MI_PFN_ELEMENT(PageFrameIndex)->u3.e2.e1.CacheAttribute = CacheAttribute;
            PageAttribute = CacheAttribute;
        }
    }
    return MiCacheAttributeToProtection(PageAttribute);
}

/*
 * Maps an MDL into the current process's user space (UserMode): a VAD of
 * its own at RequestedAddress, or the lowest free 64 KB-aligned range,
 * marked PhysicalMapping because the pages are the MDL's and not the
 * process's (its teardown erases the PTEs and frees no page). A range that
 * cannot be had raises, as NT raises for a UserMode mapping: a requested
 * address that is not page-aligned or leaves no room for the view below
 * MM_HIGHEST_VAD_ADDRESS is STATUS_INVALID_ADDRESS, one another VAD holds
 * STATUS_CONFLICTING_ADDRESSES.
 */
static PVOID MiMapLockedPagesInUserSpace(PMDL Mdl, ULONG Count, ULONG CacheAttribute, PVOID RequestedAddress)
{
    PEPROCESS Process = PsGetCurrentProcessEx();
    PPFN_NUMBER Pages = MmGetMdlPfnArray(Mdl);
    PVOID Base = RequestedAddress;
    NTSTATUS Status = STATUS_SUCCESS;
    PMMVAD Vad = NULL;
    KIRQL OldIrql;

    if (KeGetCurrentIrql() > APC_LEVEL)
        KeBugCheckEx(IRQL_NOT_LESS_OR_EQUAL, (ULONG_PTR)Mdl, KeGetCurrentIrql(), 0,
                     (ULONG_PTR)__builtin_return_address(0));
    MmLockAddressSpace(Process);
    if (Base == NULL)
        Status = MiFindEmptyAddressRange(Process, (SIZE_T)Count << PAGE_SHIFT, MM_ALLOCATION_GRANULARITY,
                                         (PVOID)MM_HIGHEST_VAD_ADDRESS, FALSE, &Base);
    /* The room left is taken only once Base is known to be below the end, so it cannot wrap. */
    else if (BYTE_OFFSET(Base) != 0 || Count == 0 || (ULONG_PTR)Base < MI_LOWEST_USER_ADDRESS ||
             (ULONG_PTR)Base > MM_HIGHEST_VAD_ADDRESS ||
             ((MM_HIGHEST_VAD_ADDRESS + 1 - (ULONG_PTR)Base) >> PAGE_SHIFT) < Count)
        Status = STATUS_INVALID_ADDRESS;
    else if (MiCheckForConflictingVadExistence(Process, Base, (PUCHAR)Base + ((SIZE_T)Count << PAGE_SHIFT) - 1))
        Status = STATUS_CONFLICTING_ADDRESSES;
    if (NT_SUCCESS(Status)) {
        Vad = MiAllocateVad(Base, (PUCHAR)Base + ((SIZE_T)Count << PAGE_SHIFT) - 1, MM_READWRITE);
        Status = Vad != NULL ? STATUS_SUCCESS : STATUS_INSUFFICIENT_RESOURCES;
    }
    if (NT_SUCCESS(Status)) {
        Vad->u.VadFlags.PrivateMemory = 1;
        Vad->u.VadFlags.PhysicalMapping = 1;
        Vad->Mdl = Mdl;
        MiInsertVad(Process, Vad);
        Status = MiMakePageTablesForRange(Process, MI_VAD_START(Vad), MI_VAD_END(Vad));
        if (!NT_SUCCESS(Status)) {
            MiRemoveVad(Process, Vad);
            MiFreeVad(Vad);
        }
    }
    if (NT_SUCCESS(Status)) {
        MiPrepareForNonCached(CacheAttribute);
        MiAcquirePfnLock(&OldIrql);
        for (ULONG i = 0; i < Count; i++) {
            MiWriteUserPte(Process, MiAddressToPte((PUCHAR)Base + ((SIZE_T)i << PAGE_SHIFT)),
                           MiMakeUserPte(Pages[i], MiMdlPageProtection(Pages[i], CacheAttribute)));
        }
        MiReleasePfnLock(OldIrql);
        Process->Vm.WorkingSetSize += Count;
    }
    MmUnlockAddressSpace(Process);
    if (!NT_SUCCESS(Status))
        ExRaiseStatus(Status);
    return (PUCHAR)Base + Mdl->ByteOffset;
}

/* Below this many free system PTEs, low- and normal-priority mappings fail. */
#define MI_LOW_PRIORITY_PTE_RESERVE 2048
#define MI_NORMAL_PRIORITY_PTE_RESERVE 256
#define MI_MDL_MAPPING_FLAGS (MdlMappingNoWrite | MdlMappingNoExecute)

/*
 * The checks every system mapping of an MDL makes before it takes PTEs:
 * the pages must be locked (NT's MEMORY_MANAGEMENT 0x1233 otherwise), the
 * caching type known, and no frame under a large page asked for another
 * type than cached. Returns FALSE to refuse (or stops, when MustSucceed);
 * *CacheAttribute gets the type asked for.
 */
BOOLEAN MiCheckMdlMapping(PMDL Mdl, MEMORY_CACHING_TYPE CacheType, BOOLEAN MustSucceed, PULONG CacheAttribute)
{
    ULONG Count = MiMdlPages(Mdl);
    PPFN_NUMBER Pages = MmGetMdlPfnArray(Mdl);

    if ((Mdl->MdlFlags & (MDL_PAGES_LOCKED | MDL_PARTIAL | MDL_SOURCE_IS_NONPAGED_POOL)) == 0)
        KeBugCheckEx(MEMORY_MANAGEMENT, MI_BUGCHECK_MAP_UNLOCKED_PAGE, Pages[0], 0, 0);
    if ((ULONG)CacheType >= MmMaximumCacheType)
        return FALSE;
    *CacheAttribute = MiCacheTypeToAttribute(CacheType);
    for (ULONG i = 0; i < Count && *CacheAttribute != MiCached; i++) {
        if (MiIsPhysicalPage(Pages[i]) && MI_PAGE_FRAME_INDEX_MUST_BE_CACHED(Pages[i])) {
            if (MustSucceed)
                KeBugCheckEx(MEMORY_MANAGEMENT, MI_BUGCHECK_NONCACHED_LARGE_PAGE_FRAME, (ULONG_PTR)Mdl, Pages[i],
                             *CacheAttribute);
            return FALSE;
        }
    }
    return TRUE;
}

/*
 * Makes PointerPte[0..] map the MDL's pages, each RAM page with the type its
 * PFN records (a page not typed yet takes CacheAttribute), read-only when
 * asked, then marks the MDL mapped at MappedSystemVa.
 */
VOID MiMapMdlPages(PMDL Mdl, PMMPTE PointerPte, ULONG CacheAttribute, BOOLEAN ReadOnly, PVOID MappedSystemVa)
{
    ULONG Count = MiMdlPages(Mdl);
    PPFN_NUMBER Pages = MmGetMdlPfnArray(Mdl);
    ULONG Protection;
    KIRQL OldIrql;

    MiPrepareForNonCached(CacheAttribute);
    MiAcquirePfnLock(&OldIrql);
    for (ULONG i = 0; i < Count; i++) {
        Protection = MiMdlPageProtection(Pages[i], CacheAttribute);
        if (ReadOnly)
            Protection = (Protection & ~MM_PROTECTION_WRITE_MASK) | MM_READONLY;
        MI_WRITE_VALID_PTE(&PointerPte[i], MiMakeSystemPte(Pages[i], Protection));
    }
    MiReleasePfnLock(OldIrql);
    Mdl->MappedSystemVa = MappedSystemVa;
    Mdl->MdlFlags |= MDL_MAPPED_TO_SYSTEM_VA;
    if (Mdl->MdlFlags & MDL_PARTIAL)
        Mdl->MdlFlags |= MDL_PARTIAL_HAS_BEEN_MAPPED;
}

/*
 * Maps an MDL's pages into system PTEs. The memory type of each RAM page is
 * the one its PFN records, as in NT: a page whose type is not chosen yet
 * takes CacheType, any other keeps its own (NT's cache override), and a
 * page under a large page, which is cached for good, refuses any other type
 * (NULL, or NT's stop when the caller wants one). Device memory takes
 * CacheType. Priority is an MM_PAGE_PRIORITY (its special-pool variants
 * count as their level) with the MdlMapping* flags ORed in.
 */
PVOID NTAPI MmMapLockedPagesSpecifyCache(PMDL MemoryDescriptorList, KPROCESSOR_MODE AccessMode,
                                         MEMORY_CACHING_TYPE CacheType, PVOID RequestedAddress,
                                         ULONG BugCheckOnFailure, ULONG Priority)
{
    PMDL Mdl = MemoryDescriptorList;
    ULONG Count = MiMdlPages(Mdl), CacheAttribute;
    ULONG Level = Priority & ~(ULONG)(MI_MDL_MAPPING_FLAGS | 0xF);
    BOOLEAN MustSucceed = BugCheckOnFailure && !(Mdl->MdlFlags & MDL_MAPPING_CAN_FAIL);
    PMMPTE PointerPte = NULL;

    if (AccessMode == KernelMode && (Mdl->MdlFlags & (MDL_SOURCE_IS_NONPAGED_POOL | MDL_MAPPED_TO_SYSTEM_VA)))
        return Mdl->MappedSystemVa;
    if (!MiCheckMdlMapping(Mdl, CacheType, MustSucceed, &CacheAttribute))
        return NULL;
    if (AccessMode == UserMode)
        return MiMapLockedPagesInUserSpace(Mdl, Count, CacheAttribute, RequestedAddress);

    /* A mapping that must succeed is never failed on purpose: its caller would stop, not see NULL. */
    if (MustSucceed)
        VfSuspendLowResources();
    if (!((Level == LowPagePriority && MmTotalFreeSystemPtes < MI_LOW_PRIORITY_PTE_RESERVE + Count) ||
          (Level == NormalPagePriority && MmTotalFreeSystemPtes < MI_NORMAL_PRIORITY_PTE_RESERVE + Count)))
        PointerPte = MiReserveSystemPtes(Count);
    if (MustSucceed)
        VfResumeLowResources();
    if (PointerPte == NULL) {
        if (MustSucceed)
            KeBugCheckEx(NO_MORE_SYSTEM_PTES, 0, Count, MmTotalFreeSystemPtes, MmNumberOfSystemPtes);
        return NULL;
    }
    MiMapMdlPages(Mdl, PointerPte, CacheAttribute, (Priority & MdlMappingNoWrite) != 0,
                  (PUCHAR)MiPteToAddress(PointerPte) + Mdl->ByteOffset);
    return Mdl->MappedSystemVa;
}

PVOID NTAPI MmMapLockedPages(PMDL MemoryDescriptorList, KPROCESSOR_MODE AccessMode)
{
    return MmMapLockedPagesSpecifyCache(MemoryDescriptorList, AccessMode, MmCached, NULL, TRUE, HighPagePriority);
}

/* Removes a mapping MiMapLockedPagesInUserSpace made in the current process; any other address is a caller bug. */
static VOID MiUnmapLockedPagesInUserSpace(PVOID BaseAddress, PMDL Mdl)
{
    PEPROCESS Process = PsGetCurrentProcessEx();
    PVOID EndingAddress;
    PMMVAD Vad;

    MmLockAddressSpace(Process);
    Vad = MiLocateAddress(Process, BaseAddress);
    if (Vad == NULL || !Vad->u.VadFlags.PhysicalMapping || Vad->Mdl != Mdl || MI_VAD_START(Vad) != PAGE_ALIGN(BaseAddress))
        KeBugCheckEx(DRIVER_UNMAPPING_INVALID_VIEW, (ULONG_PTR)BaseAddress, MI_BUGCHECK_USER_VIEW, (ULONG_PTR)Mdl, 0);
    EndingAddress = MI_VAD_END(Vad);
    MiDeleteVad(Process, Vad);
    MiDeleteEmptyPageTables(Process, PAGE_ALIGN(BaseAddress), EndingAddress);
    MmUnlockAddressSpace(Process);
}

VOID NTAPI MmUnmapLockedPages(PVOID BaseAddress, PMDL MemoryDescriptorList)
{
    ULONG Count = MiMdlPages(MemoryDescriptorList);
    PMMPTE PointerPte = MiAddressToPte(BaseAddress);

    if ((ULONG_PTR)BaseAddress < MI_SYSTEM_RANGE_START) {
        MiUnmapLockedPagesInUserSpace(BaseAddress, MemoryDescriptorList);
        return;
    }

    /* A partial MDL that shares its source's mapping does not own it. */
    if (!MiIsSystemPteAddress(BaseAddress) ||
        (MemoryDescriptorList->MdlFlags & (MDL_MAPPED_TO_SYSTEM_VA | MDL_PARENT_MAPPED_SYSTEM_VA)) != MDL_MAPPED_TO_SYSTEM_VA ||
        BaseAddress != MemoryDescriptorList->MappedSystemVa || !MiAreSystemPtesReserved(PointerPte, Count)) {
        KeBugCheckEx(SYSTEM_PTE_MISUSE, 0x06, (ULONG_PTR)MemoryDescriptorList, (ULONG_PTR)BaseAddress, Count);
    }
    MiReleaseSystemPtes(PointerPte, Count);
    MemoryDescriptorList->MdlFlags &= ~(MDL_MAPPED_TO_SYSTEM_VA | MDL_PARTIAL_HAS_BEEN_MAPPED);
}

/* What the DDK's macro does: a mapped partial MDL is unmapped so it can describe another range. */
VOID NTAPI MmPrepareMdlForReuse(PMDL Mdl)
{
    if (Mdl->MdlFlags & MDL_PARTIAL_HAS_BEEN_MAPPED) {
        ASSERT(Mdl->MdlFlags & MDL_PARTIAL);
        MmUnmapLockedPages(Mdl->MappedSystemVa, Mdl);
    } else if ((Mdl->MdlFlags & MDL_PARTIAL) == 0) {
        ASSERT((Mdl->MdlFlags & MDL_MAPPED_TO_SYSTEM_VA) == 0);
    }
}

/*
 * The Flags MmAllocatePagesForMdlEx honours (one node, no waiting, any
 * order is contiguous enough); any other bit, contiguous chunks included,
 * is refused rather than ignored.
 */
#define MI_ALLOCATE_PAGES_FOR_MDL_FLAGS (MM_DONT_ZERO_ALLOCATION | MM_ALLOCATE_FROM_LOCAL_NODE_ONLY | \
                                         MM_ALLOCATE_FULLY_REQUIRED | MM_ALLOCATE_NO_WAIT |       \
                                         MM_ALLOCATE_PREFER_CONTIGUOUS)

/*
 * Up to TotalBytes of pages whose physical addresses lie in [Low, High],
 * then in the same window moved up by SkipBytes, and so on. Returns an MDL
 * (from nonpaged pool, for ExFreePool after MmFreePagesFromMdl) describing
 * the pages found, which may be fewer than asked (never more than are
 * available, nor more than one MDL can describe), or NULL when none were.
 * Each page's PFN takes CacheAttribute (MiNotMapped: its first mapping
 * chooses).
 */
static PMDL MiAllocatePagesForMdl(PHYSICAL_ADDRESS LowAddress, PHYSICAL_ADDRESS HighAddress,
                                  PHYSICAL_ADDRESS SkipBytes, SIZE_T TotalBytes, ULONG CacheAttribute, ULONG Flags,
                                  PVOID CallersAddress)
{
    ULONG Wanted = BYTES_TO_PAGES(TotalBytes), Found = 0, Usable;
    PFN_NUMBER Low = PHYSICAL_TO_PFN_CLIPPED(LowAddress.QuadPart);
    PFN_NUMBER High = PHYSICAL_TO_PFN_CLIPPED(HighAddress.QuadPart);
    PFN_NUMBER Skip = PHYSICAL_TO_PFN_CLIPPED(SkipBytes.QuadPart);
    PPFN_NUMBER Pages;
    PMDL Mdl;
    KIRQL OldIrql;

    if (Wanted > MM_MAXIMUM_MDL_PAGES && !(Flags & MM_ALLOCATE_FULLY_REQUIRED))
        Wanted = MM_MAXIMUM_MDL_PAGES;
    if (Wanted > MiUsablePages() && !(Flags & MM_ALLOCATE_FULLY_REQUIRED))
        Wanted = MiUsablePages();
    if (Wanted == 0 || Wanted > MM_MAXIMUM_MDL_PAGES || High < Low || BYTE_OFFSET(SkipBytes.LowPart) != 0 ||
        (Skip != 0 && Skip < High - Low + 1) || VF_INJECT_FAILURE(VfResourcePages, CallersAddress))
        return NULL;
    Mdl = ExAllocatePoolWithTag(NonPagedPool, sizeof(MDL) + Wanted * sizeof(PFN_NUMBER), MI_MDL_TAG);
    if (Mdl == NULL)
        return NULL;
    Pages = MmGetMdlPfnArray(Mdl);

    MiAcquirePfnLock(&OldIrql);
    /* Pages promised to paged pool are not to be had, however many are on the lists. */
    Usable = MiUsablePages() < Wanted ? MiUsablePages() : Wanted;
    for (;;) {
        PFN_NUMBER Last = High > MmHighestPhysicalPage ? MmHighestPhysicalPage : High;

        for (PFN_NUMBER Page = Low; Page <= Last && Found < Usable; Page++) {
            MMLISTS Location;

            if (!MiIsPhysicalPage(Page))
                continue;
            Location = MI_PFN_ELEMENT(Page)->u3.e2.e1.PageLocation;
            if ((Location != FreePageList && Location != ZeroedPageList) || MI_PFN_ELEMENT(Page)->u3.e2.ReferenceCount != 0)
                continue;
            MiUnlinkFreeOrZeroedPage(Page);
            MI_PFN_ELEMENT(Page)->u3.e2.ReferenceCount = 1;
            MI_PFN_ELEMENT(Page)->u3.e2.e1.CacheAttribute = CacheAttribute;
            MI_PFN_ELEMENT(Page)->PteAddress = NULL;
            MI_PFN_ELEMENT(Page)->u4.PteFrame = 0;
            Pages[Found++] = Page;
            if (Location == FreePageList && !(Flags & MM_DONT_ZERO_ALLOCATION))
                MiZeroPhysicalPage(Page);
        }
        if (Found == Usable || Skip == 0 || High + Skip > MmHighestPhysicalPage || High + Skip < High)
            break;
        Low += Skip;
        High += Skip;
    }
    MiReleasePfnLock(OldIrql);

    if (Found == 0 || ((Flags & MM_ALLOCATE_FULLY_REQUIRED) && Found < Wanted)) {
        MiUnlockPageArray(Pages, Found);
        ExFreePoolWithTag(Mdl, MI_MDL_TAG);
        return NULL;
    }
    MmInitializeMdl(Mdl, NULL, (SIZE_T)Found * PAGE_SIZE);
    Mdl->MdlFlags |= MDL_PAGES_LOCKED;
    return Mdl;
}

/*
 * NT's answers: flags it does not know fail the call; a caching type past
 * the last valid one leaves the choice to the first mapping, as plain
 * MmAllocatePagesForMdl does.
 */
PMDL NTAPI MmAllocatePagesForMdlEx(PHYSICAL_ADDRESS LowAddress, PHYSICAL_ADDRESS HighAddress,
                                   PHYSICAL_ADDRESS SkipBytes, SIZE_T TotalBytes,
                                   MEMORY_CACHING_TYPE CacheType, ULONG Flags)
{
    if (Flags & ~MI_ALLOCATE_PAGES_FOR_MDL_FLAGS)
        return NULL;
    return MiAllocatePagesForMdl(LowAddress, HighAddress, SkipBytes, TotalBytes,
                                 (ULONG)CacheType < MmMaximumCacheType ? MiCacheTypeToAttribute(CacheType) : MiNotMapped,
                                 Flags, __builtin_return_address(0));
}

PMDL NTAPI MmAllocatePagesForMdl(PHYSICAL_ADDRESS LowAddress, PHYSICAL_ADDRESS HighAddress,
                                 PHYSICAL_ADDRESS SkipBytes, SIZE_T TotalBytes)
{
    return MiAllocatePagesForMdl(LowAddress, HighAddress, SkipBytes, TotalBytes, MiNotMapped, 0,
                                 __builtin_return_address(0));
}

/*
 * Frees the pages of an MDL from MmAllocatePagesForMdl(Ex); the MDL itself
 * is the caller's to free. A system mapping still in place is released
 * first, so no PTE is left mapping a freed frame (NT leaves it: DESIGN.md).
 * As in NT, each slot freed becomes MM_EMPTY_LIST and the walk stops at the
 * first empty slot, so a second call frees nothing.
 */
VOID NTAPI MmFreePagesFromMdl(PMDL MemoryDescriptorList)
{
    PPFN_NUMBER Pages = MmGetMdlPfnArray(MemoryDescriptorList);
    ULONG Count = MiMdlPages(MemoryDescriptorList);
    KIRQL OldIrql;

    ASSERT(KeGetCurrentIrql() <= APC_LEVEL);
    if (VfIsEnabled(DRIVER_VERIFIER_TRACK_POOL_ALLOCATIONS))
        VfCheckMdlUnmapped(MemoryDescriptorList);
    if (MemoryDescriptorList->MdlFlags & MDL_MAPPED_TO_SYSTEM_VA)
        MmUnmapLockedPages(MemoryDescriptorList->MappedSystemVa, MemoryDescriptorList);
    MiAcquirePfnLock(&OldIrql);
    for (ULONG i = 0; i < Count && Pages[i] != MM_EMPTY_LIST; i++) {
        MiDecrementReferenceCount(MI_PFN_ELEMENT(Pages[i]), Pages[i]);
        Pages[i] = MM_EMPTY_LIST;
    }
    MiReleasePfnLock(OldIrql);
    MemoryDescriptorList->MdlFlags &= ~MDL_PAGES_LOCKED;
}
