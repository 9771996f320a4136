/*
 * iosup.c: mapping physical addresses into system space: MmMapIoSpace and
 * MmUnmapIoSpace, and the caching types every mapping can ask for. Boot
 * programs the PAT so that PAT entry 1 (PTE bits PWT only) is write
 * combining; MmNonCached sets PCD and PWT (uncached), MmCached leaves both
 * clear (write-back). Without a PAT, write combining falls back to uncached.
 *
 * Two mappings of one physical page with different memory types are
 * undefined behaviour (Intel SDM 11.12.4), so RAM keeps one type in its PFN
 * and every mapping follows it: MmMapIoSpace of RAM is refused when the type
 * differs, MDL mappings take the page's type (mdlsup.c), and a page's first
 * mapping chooses only for pages allocated as MiNotMapped.
 */
#include "mi.h"

#define PAT_WRITE_COMBINING 0x01
#define PAT_ENTRY1_SHIFT 8

BOOLEAN MmWriteCombiningAvailable;

VOID MiInitializePat(VOID)
{
    ULONGLONG Pat;

    if (!(KeFeatureBits & CPUID_FEATURE_PAT))
        return;
    Pat = __readmsr(MSR_IA32_PAT);
    Pat = (Pat & ~(0xFFULL << PAT_ENTRY1_SHIFT)) | ((ULONGLONG)PAT_WRITE_COMBINING << PAT_ENTRY1_SHIFT);
    /* SDM 11.12.4: flush caches and the TLB around a PAT change. */
    __wbinvd();
    __writemsr(MSR_IA32_PAT, Pat);
    __wbinvd();
    MiFlushEntireTb(TRUE);
    MmWriteCombiningAvailable = TRUE;
}

/*
 * The memory type a caching type gives RAM (NT's translation for x86): the
 * hardware-coherent type is cached, the unordered one uncached, USWC write
 * combining. Without a PAT, write combining is uncached in the PTE, so it
 * is uncached in the PFN too.
 */
ULONG MiCacheTypeToAttribute(MEMORY_CACHING_TYPE CacheType)
{
    switch (CacheType) {
    case MmNonCached:
    case MmNonCachedUnordered:
        return MiNonCached;
    case MmWriteCombined:
    case MmUSWCCached:
        return MmWriteCombiningAvailable ? MiWriteCombined : MiNonCached;
    default:
        return MiCached;
    }
}

/* The MM_* protection (read-write) carrying a memory type's PTE bits. */
ULONG MiCacheAttributeToProtection(ULONG CacheAttribute)
{
    switch (CacheAttribute) {
    case MiNonCached:
        return MM_READWRITE | MM_NOCACHE;
    case MiWriteCombined:
        return MM_READWRITE | MM_WRITECOMBINE;
    default:
        return MM_READWRITE;
    }
}

/* The type every mapping of a RAM frame must use now, or MiNotMapped when its first mapping may choose. */
ULONG MiFrameCacheAttribute(PFN_NUMBER PageFrameIndex)
{
    PMMPFN Pfn1 = MI_PFN_ELEMENT(PageFrameIndex);

    MI_ASSERT_PFN_LOCK_HELD();
    if (MI_PAGE_FRAME_INDEX_MUST_BE_CACHED(PageFrameIndex) || Pfn1->u3.e2.e1.PageLocation != ActiveAndValid)
        return MiCached;
    return Pfn1->u3.e2.e1.CacheAttribute;
}

/*
 * Do the RAM frames among [PageFrameIndex, + Count) all take CacheAttribute?
 * Frames no mapping has chosen a type for take it from now on, so a later
 * mapping agrees. Device memory has no PFN and is the caller's to describe.
 */
static BOOLEAN MiClaimCacheAttribute(PFN_NUMBER PageFrameIndex, ULONG Count, ULONG CacheAttribute)
{
    BOOLEAN Agree = TRUE;
    KIRQL OldIrql;

    MiAcquirePfnLock(&OldIrql);
    for (ULONG i = 0; i < Count && Agree; i++) {
        if (MiIsPhysicalPage(PageFrameIndex + i)) {
            ULONG Current = MiFrameCacheAttribute(PageFrameIndex + i);
            Agree = Current == CacheAttribute || Current == MiNotMapped;
        }
    }
    for (ULONG i = 0; i < Count && Agree; i++) {
        if (MiIsPhysicalPage(PageFrameIndex + i) && MiFrameCacheAttribute(PageFrameIndex + i) == MiNotMapped)
            MI_PFN_ELEMENT(PageFrameIndex + i)->u3.e2.e1.CacheAttribute = CacheAttribute;
    }
    MiReleasePfnLock(OldIrql);
    return Agree;
}

/* A non-PAE kernel reaches physical addresses below 4 GB only. */
#define MI_PHYSICAL_ADDRESS_LIMIT (1ULL << 32)

/*
 * Maps NumberOfBytes of physical address space starting at PhysicalAddress
 * (any alignment: the offset is kept) into system PTEs. NULL when the
 * request is empty, reaches beyond 4 GB (the end is compared without
 * adding, so nothing wraps), names RAM whose memory type is not the one
 * asked for (the kernel's own pages, pool and anything under a large page
 * are cached), or no PTEs are left.
 */
PVOID NTAPI MmMapIoSpace(PHYSICAL_ADDRESS PhysicalAddress, SIZE_T NumberOfBytes, MEMORY_CACHING_TYPE CacheType)
{
    ULONGLONG Start = (ULONGLONG)PhysicalAddress.QuadPart;
    ULONG Offset = BYTE_OFFSET(PhysicalAddress.LowPart);
    ULONG Count = ADDRESS_AND_SIZE_TO_SPAN_PAGES(Offset, NumberOfBytes);
    PFN_NUMBER PageFrameIndex = PHYSICAL_TO_PFN(Start);
    ULONG CacheAttribute, Protection;
    PMMPTE PointerPte;

    if (NumberOfBytes == 0 || CacheType >= MmMaximumCacheType || Start >= MI_PHYSICAL_ADDRESS_LIMIT ||
        NumberOfBytes > MI_PHYSICAL_ADDRESS_LIMIT - Start)
        return NULL;
    CacheAttribute = MiCacheTypeToAttribute(CacheType);
    Protection = MiCacheAttributeToProtection(CacheAttribute);
    PointerPte = MiReserveSystemPtes(Count);
    if (PointerPte == NULL)
        return NULL;
    if (!MiClaimCacheAttribute(PageFrameIndex, Count, CacheAttribute)) {
        MiReleaseSystemPtes(PointerPte, Count);
        return NULL;
    }
    MiPrepareForNonCached(CacheAttribute);
    for (ULONG i = 0; i < Count; i++)
        MI_WRITE_VALID_PTE(&PointerPte[i], MiMakeSystemPte(PageFrameIndex + i, Protection));
    return (PUCHAR)MiPteToAddress(PointerPte) + Offset;
}

/* Unmaps what MmMapIoSpace mapped; the PTEs must be the ones it reserved. */
VOID NTAPI MmUnmapIoSpace(PVOID BaseAddress, SIZE_T NumberOfBytes)
{
    ULONG Count = ADDRESS_AND_SIZE_TO_SPAN_PAGES(BaseAddress, NumberOfBytes);
    PMMPTE PointerPte = MiAddressToPte(BaseAddress);

    if (!MiIsSystemPteAddress(BaseAddress) || !MiAreSystemPtesReserved(PointerPte, Count) ||
        !PointerPte->u.Hard.Valid)
        KeBugCheckEx(SYSTEM_PTE_MISUSE, 0x302, (ULONG_PTR)BaseAddress, NumberOfBytes, 0);
    MiReleaseSystemPtes(PointerPte, Count);
}
