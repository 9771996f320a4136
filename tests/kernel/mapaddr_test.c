/*
 * mapaddr_test.c: reserved mappings: the header NT keeps in front, mapping
 * and unmapping MDLs of every size up to the reservation's, the NULL for
 * one too big, and the SYSTEM_PTE_MISUSE stops for each misuse.
 */
#define NTMM_MM_WHITEBOX_TEST
#define NTMM_WHITEBOX_TEST
#include "ktest.h"
#include "../../mm/mi.h"
#include "mmtest.h"
#include <ps.h>

#define TAG 'MRmK'

static PMDL AllocatePages(ULONG Pages)
{
    PHYSICAL_ADDRESS Low = KtPhysical(0), High = KtPhysical(0xFFFFFFFFULL), Skip = KtPhysical(0);

    return MmAllocatePagesForMdlEx(Low, High, Skip, (SIZE_T)Pages * PAGE_SIZE, MmCached, 0);
}

static VOID FreePages(PMDL Mdl)
{
    MmFreePagesFromMdl(Mdl);
    ExFreePool(Mdl);
}

KTEST(reserved_mapping, reservation_holds_its_size_and_tag_in_front)
{
    ULONG Free = MmTotalFreeSystemPtes;
    PVOID Mapping = MmAllocateMappingAddress(10 * PAGE_SIZE, TAG);
    PMMPTE PointerPte;

    KT_ASSERT(Mapping != NULL);
    KT_EXPECT_EQ(BYTE_OFFSET(Mapping), 0);
    KT_EXPECT_EQ(MmTotalFreeSystemPtes, Free - 12);
    PointerPte = MiAddressToPte(Mapping);
    /* NT x86's layout: PTE count + 2 shifted left once, then the tag with its low bit clear. */
    KT_EXPECT_EQ(PointerPte[-2].u.Long, 12 << 1);
    KT_EXPECT_EQ(PointerPte[-1].u.Long, TAG & ~1u);
    for (ULONG i = 0; i < 10; i++)
        KT_EXPECT_EQ(PointerPte[i].u.Long, 0);
    MmFreeMappingAddress(Mapping, TAG);
    KT_EXPECT_EQ(MmTotalFreeSystemPtes, Free);

    /* One byte is one page; an unaligned address inside the first page frees it as well. */
    Mapping = MmAllocateMappingAddress(1, TAG);
    KT_ASSERT(Mapping != NULL);
    KT_EXPECT_EQ(MiAddressToPte(Mapping)[-2].u.Long, 3 << 1);
    MmFreeMappingAddress((PUCHAR)Mapping + sizeof(ULONG), TAG);
    KT_EXPECT_EQ(MmTotalFreeSystemPtes, Free);
}

KTEST(reserved_mapping, tag_zero_and_too_large_are_refused)
{
    KT_EXPECT(MmAllocateMappingAddress(PAGE_SIZE, 0) == NULL);
    KT_EXPECT(MmAllocateMappingAddress(MAXULONG, TAG) == NULL);
    KT_EXPECT(MmAllocateMappingAddress((SIZE_T)(MmNumberOfSystemPtes - 1) * PAGE_SIZE, TAG) == NULL);
}

KTEST(reserved_mapping, maps_and_unmaps_an_mdl_as_often_as_asked)
{
    PVOID Mapping = MmAllocateMappingAddress(10 * PAGE_SIZE, TAG);
    PMDL Mdl = AllocatePages(10);
    PPFN_NUMBER Pages;
    PUCHAR Va;

    KT_ASSERT(Mapping != NULL);
    KT_ASSERT(Mdl != NULL && Mdl->ByteCount == 10 * PAGE_SIZE);
    Pages = MmGetMdlPfnArray(Mdl);
    for (ULONG Round = 0; Round < 2; Round++) {
        Va = MmMapLockedPagesWithReservedMapping(Mapping, TAG, Mdl, MmCached);
        KT_ASSERT(Va == Mapping);
        KT_EXPECT(Mdl->MdlFlags & MDL_MAPPED_TO_SYSTEM_VA);
        KT_EXPECT(Mdl->MappedSystemVa == Mapping);
        for (ULONG i = 0; i < 10; i++) {
            KT_EXPECT_EQ(PFN_FROM_PTE(MiAddressToPte(Va + i * PAGE_SIZE)), Pages[i]);
            *(volatile ULONG *)(Va + i * PAGE_SIZE) = 0x01234567 + i + Round;
            KT_EXPECT_EQ(*(volatile ULONG *)(Va + i * PAGE_SIZE), 0x01234567 + i + Round);
        }
        MmUnmapReservedMapping(Va, TAG, Mdl);
        KT_EXPECT_EQ(Mdl->MdlFlags & MDL_MAPPED_TO_SYSTEM_VA, 0);
        for (ULONG i = 0; i < 10; i++)
            KT_EXPECT_EQ(MiAddressToPte(Va + i * PAGE_SIZE)->u.Long, 0);
        KT_EXPECT_EQ(KtProbeRead(Va), STATUS_ACCESS_VIOLATION);
    }
    FreePages(Mdl);
    MmFreeMappingAddress(Mapping, TAG);
}

/*
 * Unmap and map again with other pages: every read through the reservation
 * must reach the new pages, so no TLB entry of the old mapping may survive
 * the unmap (each page was read first, so the processor had cached it).
 */
KTEST(reserved_mapping, a_second_mdl_is_seen_through_the_same_addresses)
{
    PVOID Mapping = MmAllocateMappingAddress(3 * PAGE_SIZE, TAG);
    PMDL First = AllocatePages(3), Second = AllocatePages(2);
    PUCHAR Va;

    KT_ASSERT(Mapping != NULL && First != NULL && Second != NULL);
    for (ULONG i = 0; i < 3; i++)
        KtFillPhysicalPage(MmGetMdlPfnArray(First)[i], 0x11111111 * (i + 1));
    for (ULONG i = 0; i < 2; i++)
        KtFillPhysicalPage(MmGetMdlPfnArray(Second)[i], 0xA0A0A0A0 + i);
    Va = MmMapLockedPagesWithReservedMapping(Mapping, TAG, First, MmCached);
    KT_ASSERT(Va == Mapping);
    for (ULONG i = 0; i < 3; i++)
        KT_EXPECT_EQ(*(volatile ULONG *)(Va + i * PAGE_SIZE + 8), 0x11111111 * (i + 1));
    MmUnmapReservedMapping(Va, TAG, First);
    Va = MmMapLockedPagesWithReservedMapping(Mapping, TAG, Second, MmCached);
    KT_ASSERT(Va == Mapping);
    for (ULONG i = 0; i < 2; i++)
        KT_EXPECT_EQ(*(volatile ULONG *)(Va + i * PAGE_SIZE + 8), 0xA0A0A0A0 + i);
    KT_EXPECT_EQ(KtProbeRead(Va + 2 * PAGE_SIZE), STATUS_ACCESS_VIOLATION);
    MmUnmapReservedMapping(Va, TAG, Second);
    FreePages(First);
    FreePages(Second);
    MmFreeMappingAddress(Mapping, TAG);
}

KTEST(reserved_mapping, a_smaller_mdl_keeps_its_byte_offset)
{
    PVOID Mapping = MmAllocateMappingAddress(4 * PAGE_SIZE, TAG);
    PUCHAR Buffer = ExAllocatePoolWithTag(NonPagedPool, 2 * PAGE_SIZE, TAG);
    PMDL Mdl;
    PUCHAR Va;

    KT_ASSERT(Mapping != NULL && Buffer != NULL);
    Mdl = IoAllocateMdl(Buffer + 0x123, PAGE_SIZE, FALSE, FALSE, NULL);
    KT_ASSERT(Mdl != NULL);
    MmProbeAndLockPages(Mdl, KernelMode, IoWriteAccess);
    Buffer[0x123] = 0x5A;
    Va = MmMapLockedPagesWithReservedMapping(Mapping, TAG, Mdl, MmCached);
    /* The buffer's address includes the byte offset; MappedSystemVa does not, as documented. */
    KT_EXPECT(Va == (PUCHAR)Mapping + 0x123);
    KT_EXPECT(Mdl->MappedSystemVa == Mapping);
    KT_EXPECT_EQ(*Va, 0x5A);
    KT_EXPECT_EQ(MiAddressToPte((PUCHAR)Mapping + 2 * PAGE_SIZE)->u.Long, 0);
    MmUnmapReservedMapping(Va, TAG, Mdl);
    MmUnlockPages(Mdl);
    IoFreeMdl(Mdl);
    ExFreePoolWithTag(Buffer, TAG);
    MmFreeMappingAddress(Mapping, TAG);
}

KTEST(reserved_mapping, an_mdl_bigger_than_the_reservation_gets_null)
{
    PVOID Mapping = MmAllocateMappingAddress(2 * PAGE_SIZE, TAG);
    PMDL Mdl = AllocatePages(3);

    KT_ASSERT(Mapping != NULL);
    KT_ASSERT(Mdl != NULL && Mdl->ByteCount == 3 * PAGE_SIZE);
    KT_EXPECT(MmMapLockedPagesWithReservedMapping(Mapping, TAG, Mdl, MmCached) == NULL);
    KT_EXPECT_EQ(Mdl->MdlFlags & MDL_MAPPED_TO_SYSTEM_VA, 0);
    KT_EXPECT_EQ(MiAddressToPte(Mapping)->u.Long, 0);
    FreePages(Mdl);
    MmFreeMappingAddress(Mapping, TAG);
}

/*
 * The point of a reservation: mapping into it from whatever process is
 * current, at DISPATCH_LEVEL. A process created before the reservation's
 * page table was made has no copy of its PDE (here this directory's copy
 * is taken away to make sure); reading the reservation's PTEs through the
 * self-map there must fetch the master's PDE, not stop.
 */
KTEST(reserved_mapping, maps_in_a_process_whose_directory_lacks_its_page_table)
{
    PEPROCESS Process;
    KAPC_STATE ApcState;
    PMDL Mdl = AllocatePages(1);
    PVOID Mapping = MmAllocateMappingAddress(2 * PAGE_SIZE, TAG);
    PUCHAR Va;
    KIRQL OldIrql;

    KT_ASSERT(Mdl != NULL && Mapping != NULL);
    KT_ASSERT_EQ(PsCreateProcess("reserved", 0, &Process), STATUS_SUCCESS);
    KeStackAttachProcess(&Process->Pcb, &ApcState);
    MI_ERASE_PTE(MiAddressToPde(Mapping));
    MiFlushEntireTb(TRUE);
    KeRaiseIrql(DISPATCH_LEVEL, &OldIrql);
    Va = MmMapLockedPagesWithReservedMapping(Mapping, TAG, Mdl, MmCached);
    KT_EXPECT(Va == Mapping);
    if (Va != NULL) {
        *(volatile ULONG *)Va = 0x600DF00D;
        MmUnmapReservedMapping(Va, TAG, Mdl);
    }
    KeLowerIrql(OldIrql);
    KT_EXPECT(MiAddressToPde(Mapping)->u.Hard.Valid);
    KeUnstackDetachProcess(&ApcState);
    MmFreeMappingAddress(Mapping, TAG);
    FreePages(Mdl);
    PsTerminateProcess(Process, STATUS_SUCCESS);
    ObDereferenceObject(Process);
}

/* A byte offset that ends the buffer exactly at the reservation's last byte fits; one byte more does not. */
KTEST(reserved_mapping, an_offset_buffer_ending_at_the_reservations_end_fits)
{
    PVOID Mapping = MmAllocateMappingAddress(2 * PAGE_SIZE, TAG);
    PUCHAR Buffer = ExAllocatePoolWithTag(NonPagedPool, 3 * PAGE_SIZE, TAG);
    PUCHAR Start;
    PMDL Fits, TooLong;
    PUCHAR Va;

    KT_ASSERT(Mapping != NULL && Buffer != NULL);
    Start = (PUCHAR)PAGE_ALIGN(Buffer + PAGE_SIZE - 1) + 0x123;
    Fits = IoAllocateMdl(Start, 2 * PAGE_SIZE - 0x123, FALSE, FALSE, NULL);
    TooLong = IoAllocateMdl(Start, 2 * PAGE_SIZE - 0x123 + 1, FALSE, FALSE, NULL);
    KT_ASSERT(Fits != NULL && TooLong != NULL);
    MmProbeAndLockPages(Fits, KernelMode, IoWriteAccess);
    MmProbeAndLockPages(TooLong, KernelMode, IoWriteAccess);
    KT_EXPECT(MmMapLockedPagesWithReservedMapping(Mapping, TAG, TooLong, MmCached) == NULL);
    Va = MmMapLockedPagesWithReservedMapping(Mapping, TAG, Fits, MmCached);
    KT_EXPECT(Va == (PUCHAR)Mapping + 0x123);
    if (Va != NULL) {
        Start[2 * PAGE_SIZE - 0x123 - 1] = 0x77;
        KT_EXPECT_EQ(Va[2 * PAGE_SIZE - 0x123 - 1], 0x77);      /* the reservation's very last byte */
        MmUnmapReservedMapping(Va, TAG, Fits);
    }
    MmUnlockPages(TooLong);
    MmUnlockPages(Fits);
    IoFreeMdl(TooLong);
    IoFreeMdl(Fits);
    ExFreePoolWithTag(Buffer, TAG);
    MmFreeMappingAddress(Mapping, TAG);
}

KTEST_BUGCHECK(reserved_mapping, reserving_no_bytes_stops, SYSTEM_PTE_MISUSE)
{
    KT_BUGCHECK_PARAMETER(1, MI_PTE_MISUSE_ZERO_MAPPINGS);
    KT_BUGCHECK_PARAMETER(3, TAG);
    (VOID)MmAllocateMappingAddress(0, TAG);
}

KTEST_BUGCHECK(reserved_mapping, freeing_a_reservation_that_still_maps_stops, SYSTEM_PTE_MISUSE)
{
    PVOID Mapping = MmAllocateMappingAddress(2 * PAGE_SIZE, TAG);
    PMDL Mdl = AllocatePages(1);

    KT_ASSERT(Mapping != NULL && Mdl != NULL);
    KT_ASSERT(MmMapLockedPagesWithReservedMapping(Mapping, TAG, Mdl, MmCached) == Mapping);
    KT_BUGCHECK_PARAMETER(1, MI_PTE_MISUSE_FREE_STILL_MAPPED);
    KT_BUGCHECK_PARAMETER(2, Mapping);
    KT_BUGCHECK_PARAMETER(3, TAG);
    KT_BUGCHECK_PARAMETER(4, 2);
    MmFreeMappingAddress(Mapping, TAG);
}

KTEST_BUGCHECK(reserved_mapping, mapping_into_a_reservation_twice_stops, SYSTEM_PTE_MISUSE)
{
    PVOID Mapping = MmAllocateMappingAddress(2 * PAGE_SIZE, TAG);
    PMDL First = AllocatePages(1), Second = AllocatePages(1);

    KT_ASSERT(Mapping != NULL && First != NULL && Second != NULL);
    KT_ASSERT(MmMapLockedPagesWithReservedMapping(Mapping, TAG, First, MmCached) == Mapping);
    KT_BUGCHECK_PARAMETER(1, MI_PTE_MISUSE_MAP_NOT_EMPTY);
    KT_BUGCHECK_PARAMETER(2, Mapping);
    KT_BUGCHECK_PARAMETER(3, Mapping);
    KT_BUGCHECK_PARAMETER(4, (PUCHAR)Mapping + PAGE_SIZE);
    (VOID)MmMapLockedPagesWithReservedMapping(Mapping, TAG, Second, MmCached);
}

KTEST_BUGCHECK(reserved_mapping, mapping_with_another_tag_stops, SYSTEM_PTE_MISUSE)
{
    PVOID Mapping = MmAllocateMappingAddress(PAGE_SIZE, TAG);
    PMDL Mdl = AllocatePages(1);

    KT_ASSERT(Mapping != NULL && Mdl != NULL);
    KT_BUGCHECK_PARAMETER(1, MI_PTE_MISUSE_MAP_NOT_OWNED);
    KT_BUGCHECK_PARAMETER(3, 'rehO');
    KT_BUGCHECK_PARAMETER(4, TAG & ~1u);
    (VOID)MmMapLockedPagesWithReservedMapping(Mapping, 'rehO', Mdl, MmCached);
}

KTEST_BUGCHECK(reserved_mapping, unmapping_with_another_tag_stops, SYSTEM_PTE_MISUSE)
{
    PVOID Mapping = MmAllocateMappingAddress(PAGE_SIZE, TAG);
    PMDL Mdl = AllocatePages(1);

    KT_ASSERT(Mapping != NULL && Mdl != NULL);
    KT_ASSERT(MmMapLockedPagesWithReservedMapping(Mapping, TAG, Mdl, MmCached) == Mapping);
    KT_BUGCHECK_PARAMETER(1, MI_PTE_MISUSE_UNMAP_NOT_OWNED);
    MmUnmapReservedMapping(Mapping, 'rehO', Mdl);
}

KTEST_BUGCHECK(reserved_mapping, unmapping_what_is_not_mapped_stops, SYSTEM_PTE_MISUSE)
{
    PVOID Mapping = MmAllocateMappingAddress(PAGE_SIZE, TAG);
    PMDL Mdl = AllocatePages(1);

    KT_ASSERT(Mapping != NULL && Mdl != NULL);
    KT_BUGCHECK_PARAMETER(1, MI_PTE_MISUSE_UNMAP_NOT_MAPPED);
    MmUnmapReservedMapping(Mapping, TAG, Mdl);
}

KTEST_BUGCHECK(reserved_mapping, freeing_with_another_tag_stops, SYSTEM_PTE_MISUSE)
{
    PVOID Mapping = MmAllocateMappingAddress(PAGE_SIZE, TAG);

    KT_ASSERT(Mapping != NULL);
    KT_BUGCHECK_PARAMETER(1, MI_PTE_MISUSE_FREE_NOT_OWNED);
    KT_BUGCHECK_PARAMETER(2, Mapping);
    KT_BUGCHECK_PARAMETER(4, TAG & ~1u);
    MmFreeMappingAddress(Mapping, 'rehO');
}

/*
 * An address in system PTE space with no page table at all (nothing was
 * ever reserved there) has no header to read: it is a reservation the
 * caller does not own, as NT says, not a fault on the header.
 */
KTEST_BUGCHECK(reserved_mapping, freeing_where_no_page_table_is_stops_as_not_owned, SYSTEM_PTE_MISUSE)
{
    ULONG_PTR Table = MM_SYSTEM_PTE_END + 1 - PDE_MAPPED_SIZE;
    PVOID Mapping;

    while (Table > MM_SYSTEM_PTE_START && MmSystemPagePtes[MiAddressToPdeOffset(Table)].u.Hard.Valid)
        Table -= PDE_MAPPED_SIZE;
    KT_ASSERT(!MmSystemPagePtes[MiAddressToPdeOffset(Table)].u.Hard.Valid);
    Mapping = (PVOID)(Table + 2 * PAGE_SIZE);
    KT_BUGCHECK_PARAMETER(1, MI_PTE_MISUSE_FREE_NOT_OWNED);
    KT_BUGCHECK_PARAMETER(2, Mapping);
    KT_BUGCHECK_PARAMETER(3, TAG);
    KT_BUGCHECK_PARAMETER(4, 0);
    MmFreeMappingAddress(Mapping, TAG);
}

/*
 * The header PTEs are invalid PTEs that may look like demand-zero ones
 * (this tag has protection bits and nothing else): touching them must stop
 * as any unmapped system address does, not conjure a page up.
 */
KTEST_BUGCHECK(reserved_mapping, touching_the_header_stops, PAGE_FAULT_IN_NONPAGED_AREA)
{
    PVOID Mapping = MmAllocateMappingAddress(PAGE_SIZE, 0x00000080);
    PUCHAR Header;

    KT_ASSERT(Mapping != NULL);
    Header = (PUCHAR)Mapping - PAGE_SIZE;
    KT_BUGCHECK_PARAMETER(1, Header);
    (VOID)*(volatile UCHAR *)Header;
}
