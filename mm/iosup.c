/*
 * iosup.c: mapping physical addresses into system space: MmMapIoSpace and
 * MmUnmapIoSpace, and the caching types every mapping can ask for. Boot
 * programs the PAT so that PAT entry 1 (PTE bits PWT only) is write
 * combining; MmNonCached sets PCD and PWT (uncached), MmCached leaves both
 * clear (write-back). Without a PAT, write combining falls back to uncached.
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
    __asm__ volatile("wbinvd" ::: "memory");
    __writemsr(MSR_IA32_PAT, Pat);
    __asm__ volatile("wbinvd" ::: "memory");
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

/* The MM_* protection (read-write) carrying a caching type's PTE bits. */
ULONG MiCacheTypeToProtection(MEMORY_CACHING_TYPE CacheType)
{
    switch (MiCacheTypeToAttribute(CacheType)) {
    case MiNonCached:
        return MM_READWRITE | MM_NOCACHE;
    case MiWriteCombined:
        return MM_READWRITE | MM_WRITECOMBINE;
    default:
        return MM_READWRITE;
    }
}

/* A non-PAE kernel reaches physical addresses below 4 GB only. */
#define MI_PHYSICAL_ADDRESS_LIMIT (1ULL << 32)

/*
 * Maps NumberOfBytes of physical address space starting at PhysicalAddress
 * (any alignment: the offset is kept) into system PTEs. NULL when the
 * request is empty, reaches beyond 4 GB (the end is compared without
 * adding, so nothing wraps), or no PTEs are left.
 */
PVOID NTAPI MmMapIoSpace(PHYSICAL_ADDRESS PhysicalAddress, SIZE_T NumberOfBytes, MEMORY_CACHING_TYPE CacheType)
{
    ULONGLONG Start = (ULONGLONG)PhysicalAddress.QuadPart;
    ULONG Offset = BYTE_OFFSET(PhysicalAddress.LowPart);
    ULONG Count = ADDRESS_AND_SIZE_TO_SPAN_PAGES(Offset, NumberOfBytes);
    PFN_NUMBER PageFrameIndex = PHYSICAL_TO_PFN(Start);
    ULONG Protection = MiCacheTypeToProtection(CacheType);
    PMMPTE PointerPte;

    if (NumberOfBytes == 0 || CacheType >= MmMaximumCacheType || Start >= MI_PHYSICAL_ADDRESS_LIMIT ||
        NumberOfBytes > MI_PHYSICAL_ADDRESS_LIMIT - Start)
        return NULL;
    PointerPte = MiReserveSystemPtes(Count);
    if (PointerPte == NULL)
        return NULL;
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
