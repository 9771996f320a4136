/*
 * mapaddr.c: reserved mappings, NT's way to map an MDL without ever failing
 * for want of system PTEs. MmAllocateMappingAddress reserves the PTEs up
 * front; MmMapLockedPagesWithReservedMapping later fills them from an MDL
 * and MmUnmapReservedMapping empties them again, as often as the driver
 * likes; MmFreeMappingAddress gives the PTEs back.
 *
 * A reservation of N pages takes N + 2 system PTEs. The two in front hold
 * what NT x86 keeps there: the count of PTEs (N + 2, shifted left once so
 * the valid bit stays clear) and the owner's pool tag (its low bit, the
 * valid bit, cleared). The address returned is that of the third PTE. Every
 * call checks the header against the tag it is given and stops with NT's
 * SYSTEM_PTE_MISUSE code when a driver misuses a reservation (mi.h).
 */
#include "mi.h"
#include <vf.h>

#define MI_RESERVED_HEADER_PTES 2
#define MI_RESERVED_COUNT_SHIFT 1
#define MI_RESERVED_TAG(PoolTag) ((PoolTag) & ~(ULONG)1)

/* The header in front of a reservation, from any address inside its first page. */
static PMMPTE MiReservationHeader(PVOID MappingAddress)
{
    return MiAddressToPte(PAGE_ALIGN(MappingAddress)) - MI_RESERVED_HEADER_PTES;
}

/* The PTEs a reservation holds for mappings (0: the header says it is none). */
static ULONG MiReservedPtes(PMMPTE Header)
{
    ULONG Ptes = Header[0].u.Long >> MI_RESERVED_COUNT_SHIFT;

    return Ptes > MI_RESERVED_HEADER_PTES ? Ptes - MI_RESERVED_HEADER_PTES : 0;
}

/* Is there a page table holding PointerPte, in the master directory (so any process can read it)? */
static BOOLEAN MiIsSystemPteInTable(PMMPTE PointerPte)
{
    return MmSystemPagePtes[MiAddressToPdeOffset(MiPteToAddress(PointerPte))].u.Hard.Valid;
}

/*
 * Checks the header of the reservation at MappingAddress against PoolTag,
 * stopping with NotOwned or Empty (the two codes of the calling routine).
 * An address outside system PTE space, or where no page table holds the
 * header, has no header and counts as not owned.
 */
static PMMPTE MiCheckReservation(PVOID MappingAddress, ULONG PoolTag, ULONG NotOwned, ULONG Empty)
{
    PMMPTE Header = MiReservationHeader(MappingAddress);

    if (!MiIsSystemPteAddress(MappingAddress) || Header < MmSystemPtesStart || !MiIsSystemPteInTable(&Header[0]) ||
        !MiIsSystemPteInTable(&Header[1]))
        KeBugCheckEx(SYSTEM_PTE_MISUSE, NotOwned, (ULONG_PTR)MappingAddress, PoolTag, 0);
    if (Header[1].u.Long != MI_RESERVED_TAG(PoolTag))
        KeBugCheckEx(SYSTEM_PTE_MISUSE, NotOwned, (ULONG_PTR)MappingAddress, PoolTag, Header[1].u.Long);
    if (MiReservedPtes(Header) == 0)
        KeBugCheckEx(SYSTEM_PTE_MISUSE, Empty, (ULONG_PTR)MappingAddress, PoolTag, 0);
    return Header;
}

/* The first valid PTE among Count from PointerPte, or NULL. */
static PMMPTE MiFindValidPte(PMMPTE PointerPte, ULONG Count)
{
    for (ULONG i = 0; i < Count; i++) {
        if (PointerPte[i].u.Hard.Valid)
            return &PointerPte[i];
    }
    return NULL;
}

/*
 * NumberOfBytes of system address space for later mappings, or NULL when
 * there are not enough system PTEs or PoolTag is 0 (the tag is what later
 * calls prove ownership with, and NT refuses 0 too). Zero bytes is a
 * caller's bug NT stops for.
 */
PVOID NTAPI MmAllocateMappingAddress(SIZE_T NumberOfBytes, ULONG PoolTag)
{
    ULONG Pages = BYTES_TO_PAGES(NumberOfBytes);
    PMMPTE Header;
    MMPTE TempPte;

    ASSERT(KeGetCurrentIrql() <= APC_LEVEL);
    if (NumberOfBytes == 0)
        KeBugCheckEx(SYSTEM_PTE_MISUSE, MI_PTE_MISUSE_ZERO_MAPPINGS, 0, PoolTag,
                     (ULONG_PTR)__builtin_return_address(0));
    if (PoolTag == 0 || VF_INJECT_FAILURE(VfResourceMappingAddress, __builtin_return_address(0)))
        return NULL;
    Header = MiReserveSystemPtes(Pages + MI_RESERVED_HEADER_PTES);
    if (Header == NULL)
        return NULL;
    TempPte.u.Long = (Pages + MI_RESERVED_HEADER_PTES) << MI_RESERVED_COUNT_SHIFT;
    MI_WRITE_INVALID_PTE(&Header[0], TempPte);
    TempPte.u.Long = MI_RESERVED_TAG(PoolTag);
    MI_WRITE_INVALID_PTE(&Header[1], TempPte);
    return MiPteToAddress(Header + MI_RESERVED_HEADER_PTES);
}

/* Gives a reservation back; it must be unmapped first (NT's 0x103 stop otherwise). */
VOID NTAPI MmFreeMappingAddress(PVOID BaseAddress, ULONG PoolTag)
{
    PMMPTE Header = MiCheckReservation(BaseAddress, PoolTag, MI_PTE_MISUSE_FREE_NOT_OWNED, MI_PTE_MISUSE_FREE_EMPTY);
    ULONG Ptes = MiReservedPtes(Header);
    PMMPTE Mapped = MiFindValidPte(Header + MI_RESERVED_HEADER_PTES, Ptes);

    ASSERT(KeGetCurrentIrql() <= APC_LEVEL);
    if (Mapped != NULL)
        KeBugCheckEx(SYSTEM_PTE_MISUSE, MI_PTE_MISUSE_FREE_STILL_MAPPED, (ULONG_PTR)MiPteToAddress(Mapped), PoolTag,
                     Ptes);
    MiReleaseSystemPtes(Header, Ptes + MI_RESERVED_HEADER_PTES);
}

/*
 * Maps a locked MDL's pages at the start of the reservation. Returns the
 * buffer's address (the MDL's byte offset included) and sets
 * MappedSystemVa to the page it starts in, as the DDK documents; NULL when
 * the MDL has more pages than the reservation or a caching type it cannot
 * have. The reservation must be empty: mapping into it twice stops.
 */
PVOID NTAPI MmMapLockedPagesWithReservedMapping(PVOID MappingAddress, ULONG PoolTag, PMDL MemoryDescriptorList,
                                                MEMORY_CACHING_TYPE CacheType)
{
    PMDL Mdl = MemoryDescriptorList;
    PMMPTE Header = MiCheckReservation(MappingAddress, PoolTag, MI_PTE_MISUSE_MAP_NOT_OWNED, MI_PTE_MISUSE_MAP_INVALID);
    PMMPTE PointerPte = Header + MI_RESERVED_HEADER_PTES, Mapped;
    ULONG Ptes = MiReservedPtes(Header), CacheAttribute;
    ULONG Count = ADDRESS_AND_SIZE_TO_SPAN_PAGES(MmGetMdlVirtualAddress(Mdl), Mdl->ByteCount);
    PVOID Base = MiPteToAddress(PointerPte);

    ASSERT((Mdl->MdlFlags & (MDL_MAPPED_TO_SYSTEM_VA | MDL_SOURCE_IS_NONPAGED_POOL)) == 0);
    Mapped = MiFindValidPte(PointerPte, Ptes);
    if (Mapped != NULL)
        KeBugCheckEx(SYSTEM_PTE_MISUSE, MI_PTE_MISUSE_MAP_NOT_EMPTY, (ULONG_PTR)Base,
                     (ULONG_PTR)MiPteToAddress(Mapped), (ULONG_PTR)MiPteToAddress(PointerPte + Ptes - 1));
    if (Count > Ptes || !MiCheckMdlMapping(Mdl, CacheType, FALSE, &CacheAttribute))
        return NULL;
    MiMapMdlPages(Mdl, PointerPte, CacheAttribute, FALSE, Base);
    return (PUCHAR)Base + Mdl->ByteOffset;
}

/*
 * Empties what MmMapLockedPagesWithReservedMapping mapped for this MDL. The
 * MDL must describe exactly what is mapped: more pages than the
 * reservation, pages not mapped, or mapped pages left behind all stop.
 */
VOID NTAPI MmUnmapReservedMapping(PVOID BaseAddress, ULONG PoolTag, PMDL MemoryDescriptorList)
{
    PMDL Mdl = MemoryDescriptorList;
    PMMPTE Header = MiCheckReservation(BaseAddress, PoolTag, MI_PTE_MISUSE_UNMAP_NOT_OWNED, MI_PTE_MISUSE_UNMAP_EMPTY);
    PMMPTE PointerPte = Header + MI_RESERVED_HEADER_PTES;
    ULONG Ptes = MiReservedPtes(Header);
    ULONG Count = ADDRESS_AND_SIZE_TO_SPAN_PAGES(MmGetMdlVirtualAddress(Mdl), Mdl->ByteCount);
    PVOID Base = MiPteToAddress(PointerPte);

    if (Count > Ptes)
        KeBugCheckEx(SYSTEM_PTE_MISUSE, MI_PTE_MISUSE_UNMAP_TOO_MANY, (ULONG_PTR)Base, Ptes, Count);
    for (ULONG i = 0; i < Count; i++) {
        if (!PointerPte[i].u.Hard.Valid)
            KeBugCheckEx(SYSTEM_PTE_MISUSE, MI_PTE_MISUSE_UNMAP_NOT_MAPPED, (ULONG_PTR)Base, PoolTag, Count);
    }
    if (MiFindValidPte(PointerPte + Count, Ptes - Count) != NULL)
        KeBugCheckEx(SYSTEM_PTE_MISUSE, MI_PTE_MISUSE_UNMAP_PARTIAL, (ULONG_PTR)Base, PoolTag, Count);
    for (ULONG i = 0; i < Count; i++) {
        MI_ERASE_PTE(&PointerPte[i]);
        MiFlushTb(MiPteToAddress(&PointerPte[i]));
    }
    Mdl->MdlFlags &= ~(MDL_MAPPED_TO_SYSTEM_VA | MDL_PARTIAL_HAS_BEEN_MAPPED);
}
