/*
 * mmquery_test.c: the older MDL and address calls a driver still meets:
 * MmGetSystemAddressForMdl, MmCreateMdl, MmGetVirtualForPhysical,
 * MmIsNonPagedSystemAddressValid, MmGetPhysicalMemoryRanges,
 * MmQuerySystemSize, MmIsThisAnNtAsSystem, MmFreeContiguousMemorySpecifyCache.
 */
#define NTMM_MM_WHITEBOX_TEST
#include "ktest.h"
#include "vftest.h"
#include "../../mm/mi.h"
#include "mmtest.h"

#define TAG 'yrQM'

KTEST(mm_query, get_system_address_for_mdl_maps_only_what_is_not_mapped)
{
    PUCHAR Buffer = ExAllocatePoolWithTag(NonPagedPool, 100, TAG);
    PHYSICAL_ADDRESS Low = KtPhysical(0), High = KtPhysical(0xFFFFFFFFULL), Skip = KtPhysical(0);
    PMDL Mdl = IoAllocateMdl(Buffer, 100, FALSE, FALSE, NULL), Pages;
    ULONG Free = MmTotalFreeSystemPtes;
    PUCHAR Va;

    KT_ASSERT(Buffer != NULL && Mdl != NULL);
    MmBuildMdlForNonPagedPool(Mdl);
    KT_EXPECT(MmGetSystemAddressForMdl(Mdl) == Buffer);       /* nonpaged pool: its own address */
    KT_EXPECT_EQ(MmTotalFreeSystemPtes, Free);
    IoFreeMdl(Mdl);
    ExFreePoolWithTag(Buffer, TAG);

    Pages = MmAllocatePagesForMdl(Low, High, Skip, 2 * PAGE_SIZE);
    KT_ASSERT(Pages != NULL);
    Va = MmGetSystemAddressForMdl(Pages);
    KT_ASSERT(Va != NULL);
    KT_EXPECT(Pages->MdlFlags & MDL_MAPPED_TO_SYSTEM_VA);
    KT_EXPECT_EQ(MmTotalFreeSystemPtes, Free - 2);
    KT_EXPECT_EQ(PHYSICAL_TO_PFN(MmGetPhysicalAddress(Va + PAGE_SIZE).QuadPart), MmGetMdlPfnArray(Pages)[1]);
    KT_EXPECT(MmGetSystemAddressForMdl(Pages) == Va);          /* mapped already: the same address */
    MmUnmapLockedPages(Va, Pages);
    MmFreePagesFromMdl(Pages);
    ExFreePool(Pages);
    KT_EXPECT_EQ(MmTotalFreeSystemPtes, Free);
}

KTEST(mm_query, create_mdl_allocates_or_fills_in_place)
{
    KT_SKIP_UNDER_SPECIAL_POOL();
    PVOID Base = (PVOID)0xE1000123;
    UCHAR Storage[sizeof(MDL) + 2 * sizeof(PFN_NUMBER)];
    PMDL Mdl = MmCreateMdl(NULL, Base, PAGE_SIZE);

    KT_ASSERT(Mdl != NULL);
    KT_EXPECT_EQ((USHORT)Mdl->Size, sizeof(MDL) + 2 * sizeof(PFN_NUMBER));
    KT_EXPECT(Mdl->StartVa == (PVOID)0xE1000000);
    KT_EXPECT_EQ(Mdl->ByteOffset, 0x123);
    KT_EXPECT_EQ(Mdl->ByteCount, PAGE_SIZE);
    KT_EXPECT_EQ(Mdl->MdlFlags, 0);
    KT_EXPECT(MiIsPoolAddress(Mdl, NULL));
    ExFreePool(Mdl);
    KT_EXPECT((PVOID)MmCreateMdl((PMDL)Storage, Base, PAGE_SIZE) == (PVOID)Storage);
    KT_EXPECT_EQ(((PMDL)Storage)->ByteCount, PAGE_SIZE);

    /* The most pages whose Size still fits 0xFFFF, and one more: refused rather than a Size that wraps. */
    Mdl = MmCreateMdl(NULL, (PVOID)0x80000000, (SIZE_T)MM_MAXIMUM_MDL_PAGES * PAGE_SIZE);
    KT_ASSERT(Mdl != NULL);
    KT_EXPECT_EQ((USHORT)Mdl->Size, MmSizeOfMdl((PVOID)0x80000000, (SIZE_T)MM_MAXIMUM_MDL_PAGES * PAGE_SIZE));
    ExFreePool(Mdl);
    KT_EXPECT(MmCreateMdl(NULL, (PVOID)0x80000000, (SIZE_T)(MM_MAXIMUM_MDL_PAGES + 1) * PAGE_SIZE) == NULL);
    KT_EXPECT(MmCreateMdl(NULL, (PVOID)0x80000001, (SIZE_T)MM_MAXIMUM_MDL_PAGES * PAGE_SIZE) == NULL);
}

KTEST(mm_query, virtual_for_physical_finds_the_system_mapping)
{
    PUCHAR Small = ExAllocatePoolWithTag(NonPagedPool, 64, TAG);
    PUCHAR Page = ExAllocatePoolWithTag(PagedPool, PAGE_SIZE, TAG);
    PHYSICAL_ADDRESS Low = KtPhysical(0), High = KtPhysical(0xFFFFFFFFULL), Skip = KtPhysical(0);
    PMDL Fresh = MmAllocatePagesForMdl(Low, High, Skip, PAGE_SIZE);

    KT_ASSERT(Small != NULL && Page != NULL && Fresh != NULL);
    KT_EXPECT(MmGetVirtualForPhysical(MmGetPhysicalAddress(Small + 3)) == Small + 3);
    Page[5] = 1;                                 /* paged pool is demand-zero: fault it in */
    KT_EXPECT(MmGetVirtualForPhysical(MmGetPhysicalAddress(Page + 5)) == Page + 5);
    KT_EXPECT(MmGetVirtualForPhysical(MmGetPhysicalAddress(SharedUserData)) == (PVOID)SharedUserData);
    /* A page with no mapping of its own, a free page, and no RAM at all: NULL. */
    KT_EXPECT(MmGetVirtualForPhysical(KtPhysical(PFN_TO_PHYSICAL(MmGetMdlPfnArray(Fresh)[0]))) == NULL);
    KT_EXPECT(MmGetVirtualForPhysical(KtPhysical(PFN_TO_PHYSICAL(MmFreePageListHead.Flink != MM_EMPTY_LIST
                                                                     ? MmFreePageListHead.Flink
                                                                     : MmZeroedPageListHead.Flink))) == NULL);
    KT_EXPECT(MmGetVirtualForPhysical(KtPhysical(0xFEC00000ULL)) == NULL);
    /* Past what a page number holds, or negative: no page, not the RAM page of the low bits. */
    KT_EXPECT(MmGetVirtualForPhysical(KtPhysical((1ULL << 44) + MmGetPhysicalAddress(Small).QuadPart)) == NULL);
    KT_EXPECT(MmGetVirtualForPhysical(KtPhysical((1ULL << 63) + MmGetPhysicalAddress(Small).QuadPart)) == NULL);
    MmFreePagesFromMdl(Fresh);
    ExFreePool(Fresh);
    ExFreePoolWithTag(Page, TAG);
    ExFreePoolWithTag(Small, TAG);
}

KTEST(mm_query, nonpaged_system_address_valid_excludes_paged_pool_and_user_space)
{
    PVOID NonPaged = ExAllocatePoolWithTag(NonPagedPool, 64, TAG);
    PUCHAR Paged = ExAllocatePoolWithTag(PagedPool, 64, TAG);
    PVOID Reservation = MmAllocateMappingAddress(PAGE_SIZE, TAG);

    KT_ASSERT(NonPaged != NULL && Paged != NULL && Reservation != NULL);
    Paged[0] = 1;
    KT_EXPECT(MmIsNonPagedSystemAddressValid(NonPaged));
    KT_EXPECT(MmIsNonPagedSystemAddressValid((PVOID)SharedUserData));
    KT_EXPECT(MmIsAddressValid(Paged));
    KT_EXPECT(!MmIsNonPagedSystemAddressValid(Paged));
    KT_EXPECT(!MmIsNonPagedSystemAddressValid(Reservation));  /* reserved, nothing mapped */
    KT_EXPECT(!MmIsNonPagedSystemAddressValid((PVOID)0x10000));
    KT_EXPECT(!MmIsNonPagedSystemAddressValid(NULL));
    MmFreeMappingAddress(Reservation, TAG);
    ExFreePoolWithTag(Paged, TAG);
    ExFreePoolWithTag(NonPaged, TAG);
}

KTEST(mm_query, physical_memory_ranges_are_the_ram_runs_and_a_zero_entry)
{
    KT_SKIP_UNDER_SPECIAL_POOL();
    PPHYSICAL_MEMORY_RANGE Ranges = MmGetPhysicalMemoryRanges();
    ULONGLONG Bytes = 0;
    ULONG i;

    KT_ASSERT(Ranges != NULL);
    for (i = 0; Ranges[i].NumberOfBytes.QuadPart != 0; i++) {
        KT_ASSERT(i < MmPhysicalMemoryBlock.NumberOfRuns);
        KT_EXPECT_EQ(Ranges[i].BaseAddress.QuadPart, PFN_TO_PHYSICAL(MmPhysicalMemoryBlock.Run[i].BasePage));
        if (i > 0)
            KT_EXPECT(Ranges[i].BaseAddress.QuadPart >
                      Ranges[i - 1].BaseAddress.QuadPart + Ranges[i - 1].NumberOfBytes.QuadPart - 1);
        Bytes += (ULONGLONG)Ranges[i].NumberOfBytes.QuadPart;
    }
    KT_EXPECT_EQ(i, MmPhysicalMemoryBlock.NumberOfRuns);
    KT_EXPECT_EQ(Ranges[i].BaseAddress.QuadPart, 0);
    KT_EXPECT_EQ(Bytes, PFN_TO_PHYSICAL(MmPhysicalMemoryBlock.NumberOfPages));
    KT_EXPECT(MiIsPoolAddress(Ranges, NULL));
    ExFreePool(Ranges);
}

KTEST(mm_query, system_size_follows_nt_thresholds)
{
    MM_SYSTEMSIZE Expected = MmNumberOfPhysicalPages <= (13 * 1024 * 1024) / PAGE_SIZE   ? MmSmallSystem
                             : MmNumberOfPhysicalPages <= (19 * 1024 * 1024) / PAGE_SIZE ? MmMediumSystem
                                                                                          : MmLargeSystem;

    KT_EXPECT_EQ(MmQuerySystemSize(), Expected);
    KT_EXPECT(!MmIsThisAnNtAsSystem());
}

KTEST(mm_query, free_contiguous_memory_specify_cache_gives_the_pages_back)
{
    PHYSICAL_ADDRESS Low = KtPhysical(0), High = KtPhysical(0xFFFFFFFFULL), Boundary = KtPhysical(0);
    PFN_NUMBER Available = MmAvailablePages;
    PVOID Memory = MmAllocateContiguousMemorySpecifyCache(3 * PAGE_SIZE, Low, High, Boundary, MmNonCached);

    KT_ASSERT(Memory != NULL);
    KT_EXPECT(MmAvailablePages <= Available - 3);
    MmFreeContiguousMemorySpecifyCache(Memory, 3 * PAGE_SIZE, MmNonCached);
    KT_EXPECT(MmAvailablePages + 1 >= Available);
}
