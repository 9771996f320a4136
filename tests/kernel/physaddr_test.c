/* physaddr_test.c: MmGetPhysicalAddress and MmIsAddressValid, checked by reading memory both ways. */
#define NTMM_MM_WHITEBOX_TEST
#include "ktest.h"
#include "../../mm/mi.h"
#include "mmtest.h"

/* Writes through Va, reads the same bytes through hyperspace at the physical address reported. */
static BOOLEAN SameBytesThroughPhysical(PVOID Va)
{
    PHYSICAL_ADDRESS Physical = MmGetPhysicalAddress(Va);
    volatile ULONG *Virtual = Va;
    ULONG Saved = *Virtual, Seen;
    PUCHAR Mapped;
    KIRQL OldIrql;

    *Virtual = 0xC0FFEE00 ^ (ULONG)(ULONG_PTR)Va;
    Mapped = MiMapPageInHyperSpace(PHYSICAL_TO_PFN(Physical.QuadPart), &OldIrql);
    Seen = *(PULONG)(Mapped + BYTE_OFFSET(Physical.LowPart));
    MiUnmapPageInHyperSpace(Mapped, OldIrql);
    *Virtual = Saved;
    return Seen == (0xC0FFEE00 ^ (ULONG)(ULONG_PTR)Va);
}

KTEST(physaddr, kernel_image_is_kseg0_minus_base)
{
    PHYSICAL_ADDRESS Physical = MmGetPhysicalAddress((PVOID)KeBugCheckEx);

    KT_EXPECT_EQ(Physical.QuadPart, (ULONG_PTR)KeBugCheckEx - KSEG0_BASE);
    KT_EXPECT_EQ(MmGetPhysicalAddress(&KeLoaderBlock).QuadPart, (ULONG_PTR)&KeLoaderBlock - KSEG0_BASE);
    KT_EXPECT(SameBytesThroughPhysical(&KeLoaderBlock.MemLowerKb));
}

KTEST(physaddr, large_page_path_adds_the_offset_inside_4mb)
{
    PMMPTE PointerPde = MiAddressToPde(MmNonPagedPoolStart);
    PUCHAR Va = (PUCHAR)MmNonPagedPoolStart + 0x123458;

    if (!PointerPde->u.Hard.LargePage)
        KT_SKIP("the initial nonpaged pool is not one large page on this machine");
    KT_EXPECT_EQ(MmGetPhysicalAddress(Va).QuadPart,
                 (PointerPde->u.Long & 0xFFC00000) + 0x123458);
    KT_EXPECT(SameBytesThroughPhysical(Va));
    KT_EXPECT(SameBytesThroughPhysical((PUCHAR)MmNonPagedPoolStart + PDE_MAPPED_SIZE - 4));
    KT_EXPECT(MmIsAddressValid(Va));
}

KTEST(physaddr, small_page_path_keeps_the_byte_offset)
{
    PUCHAR Pool = MiAllocatePoolPages(MiPagedPoolPages, 2 * PAGE_SIZE);

    KT_ASSERT(Pool != NULL);
    Pool[PAGE_SIZE + 0x7C] = 1;                /* fault it in */
    KT_EXPECT_EQ(MmGetPhysicalAddress(Pool + PAGE_SIZE + 0x7C).QuadPart,
                 PFN_TO_PHYSICAL(PFN_FROM_PTE(MiAddressToPte(Pool + PAGE_SIZE))) + 0x7C);
    KT_EXPECT(SameBytesThroughPhysical(Pool + PAGE_SIZE + 0x7C));
    /* The first page was never touched: no physical address yet. */
    KT_EXPECT_EQ(MmGetPhysicalAddress(Pool).QuadPart, 0);
    KT_EXPECT(!MmIsAddressValid(Pool));
    KT_EXPECT(MmIsAddressValid(Pool + PAGE_SIZE));
    MiFreePoolPages(Pool);
}

KTEST(physaddr, invalid_addresses_give_zero)
{
    KT_EXPECT_EQ(MmGetPhysicalAddress(NULL).QuadPart, 0);
    KT_EXPECT_EQ(MmGetPhysicalAddress((PVOID)0x7F000000).QuadPart, 0);     /* no user PDE */
    KT_EXPECT_EQ(MmGetPhysicalAddress(KiBootStackGuard).QuadPart, 0);      /* PDE valid, PTE not */
    KT_EXPECT_EQ(MmGetPhysicalAddress((PVOID)KT_UNMAPPED_SYSTEM_ADDRESS).QuadPart, 0);
    KT_EXPECT(!MmIsAddressValid(NULL));
    KT_EXPECT(!MmIsAddressValid(KiBootStackGuard));
    KT_EXPECT(MmIsAddressValid(KiBootStackLimit));
    KT_EXPECT(MmIsAddressValid((PVOID)PDE_BASE));
}

KTEST(physaddr, kernel_image_protections_are_in_the_ptes)
{
    extern const ULONG NtBuildNumber;
    PMMPTE Text = MiAddressToPte(KeBugCheckEx), RoData = MiAddressToPte(&NtBuildNumber);
    PMMPTE Data = MiAddressToPte(&KeLoaderBlock);
    ULONG Global = (KeFeatureBits & CPUID_FEATURE_PGE) ? 1 : 0;

    KT_EXPECT(Text->u.Hard.Valid && !Text->u.Hard.Write);
    KT_EXPECT(RoData->u.Hard.Valid && !RoData->u.Hard.Write);
    KT_EXPECT(Data->u.Hard.Valid && Data->u.Hard.Write);
    KT_EXPECT_EQ(Text->u.Hard.Global, Global);
    KT_EXPECT_EQ(Data->u.Hard.Global, Global);
    KT_EXPECT_EQ(MiAddressToPte(KiBootStackGuard)->u.Long, 0);
    KT_EXPECT_EQ(MI_PFN_ELEMENT(PFN_FROM_PTE(Data))->PteAddress, Data);
    /* Below the image, KSEG0 no longer maps low memory. */
    KT_EXPECT(!MmIsAddressValid((PVOID)(KSEG0_BASE + 0xB8000)));
}
