/*
 * mdl_test.c: the arithmetic of IoAllocateMdl and IoBuildPartialMdl (kernel/io/iop.h) at its edges,
 * on the host under UBSan; tests/fuzz/mdl_fuzz.c explores the same at the kernel's 32 bits.
 */
#include "ktest.h"
#include "../../kernel/io/iop.h"

/* A source MDL of Length bytes at Va (only its header: the range check reads nothing else). */
static PMDL Source(PMDL Mdl, ULONG_PTR Va, ULONG Length)
{
    MmInitializeMdl(Mdl, (PVOID)Va, Length);
    return Mdl;
}

/* An MDL of page 0 has a NULL StartVa: found by the fuzzer as a pointer sum on NULL (UBSan). */
KTEST(mdl_host, partial_range_of_an_mdl_in_page_zero)
{
    MDL Mdl;
    ULONG_PTR Offset;
    ULONG_PTR volatile Va = 0x10;   /* not a constant the compiler folds before UBSan sees it */
    ULONG Length = 0x20, FirstPage, Pages;

    KT_EXPECT(IopPartialMdlRange(Source(&Mdl, Va, 0x100), (PVOID)0x20, &Length, 1, &Offset, &FirstPage, &Pages));
    KT_EXPECT_EQ(Offset, 0x10);
    KT_EXPECT_EQ(FirstPage, 0);
    KT_EXPECT_EQ(Pages, 1);
}

KTEST(mdl_host, partial_ranges_at_the_ends_of_the_source)
{
    MDL Mdl;
    ULONG_PTR Offset;
    ULONG Length, FirstPage, Pages;
    PMDL Mdl3 = Source(&Mdl, 0x10800, 3 * PAGE_SIZE);   /* pages 0x10-0x13, four of them */

    /* Its last byte: inside. One byte more: not, and the stop is told the offset and length tried. */
    Length = 1;
    KT_EXPECT(IopPartialMdlRange(Mdl3, (PVOID)0x137FF, &Length, 16, &Offset, &FirstPage, &Pages));
    KT_EXPECT_EQ(FirstPage, 3);
    KT_EXPECT_EQ(Pages, 1);
    Length = 2;
    KT_EXPECT(!IopPartialMdlRange(Mdl3, (PVOID)0x137FF, &Length, 16, &Offset, &FirstPage, &Pages));
    KT_EXPECT_EQ(Offset, 3 * PAGE_SIZE - 1);
    KT_EXPECT_EQ(Length, 2);
    /* One byte before its start is an offset of almost 2^N, never a small negative one. */
    Length = 1;
    KT_EXPECT(!IopPartialMdlRange(Mdl3, (PVOID)0x107FF, &Length, 16, &Offset, &FirstPage, &Pages));
    KT_EXPECT_EQ(Offset, (ULONG_PTR)-1);
    /* Length 0 takes the rest; at the very end the rest is nothing, but still the page that holds the end. */
    Length = 0;
    KT_EXPECT(IopPartialMdlRange(Mdl3, (PVOID)0x11000, &Length, 16, &Offset, &FirstPage, &Pages));
    KT_EXPECT_EQ(Length, 3 * PAGE_SIZE - 0x800);
    KT_EXPECT_EQ(FirstPage, 1);
    KT_EXPECT_EQ(Pages, 3);
    Length = 0;
    KT_EXPECT(IopPartialMdlRange(Mdl3, (PVOID)0x13800, &Length, 16, &Offset, &FirstPage, &Pages));
    KT_EXPECT_EQ(Length, 0);
    KT_EXPECT_EQ(FirstPage, 3);
    KT_EXPECT_EQ(Pages, 1);
    /* A length that would wrap the address space is outside, however far the source reaches. */
    Length = 0xFFFFFFFF;
    KT_EXPECT(!IopPartialMdlRange(Mdl3, (PVOID)0x11000, &Length, 0xFFFF, &Offset, &FirstPage, &Pages));
}

KTEST(mdl_host, partial_range_must_fit_the_target)
{
    MDL Mdl, Target;
    ULONG_PTR Offset;
    ULONG Length = 2 * PAGE_SIZE, FirstPage, Pages;
    PMDL Mdl8 = Source(&Mdl, 0x40000, 8 * PAGE_SIZE);

    /* Two pages' bytes starting mid-page take three frames. */
    KT_EXPECT(!IopPartialMdlRange(Mdl8, (PVOID)0x40010, &Length, 2, &Offset, &FirstPage, &Pages));
    KT_EXPECT(IopPartialMdlRange(Mdl8, (PVOID)0x40010, &Length, 3, &Offset, &FirstPage, &Pages));
    KT_EXPECT_EQ(Pages, 3);
    /* A target's Size is read as NT reads it: unsigned, and less than a header holds nothing. */
    Target.Size = (CSHORT)0xFFFF;
    KT_EXPECT_EQ(IopMdlPfnCapacity(&Target), (0xFFFF - sizeof(MDL)) / sizeof(PFN_NUMBER));
    Target.Size = sizeof(MDL) - 1;
    KT_EXPECT_EQ(IopMdlPfnCapacity(&Target), 0);
    Target.Size = sizeof(MDL) + sizeof(PFN_NUMBER) - 1;
    KT_EXPECT_EQ(IopMdlPfnCapacity(&Target), 0);
}

KTEST(mdl_host, allocate_mdl_refuses_what_its_size_cannot_count)
{
    /* Nothing, and 2 GB or more, are refused; so is one page past what Size can count. */
    KT_EXPECT_EQ(IopAllocateMdlPages((PVOID)0x10000, 0), 0);
    KT_EXPECT_EQ(IopAllocateMdlPages((PVOID)0x10000, 1), 1);
    KT_EXPECT_EQ(IopAllocateMdlPages((PVOID)0x10FFF, 2), 2);
    KT_EXPECT_EQ(IopAllocateMdlPages((PVOID)0x10000, MM_MAXIMUM_MDL_PAGES * PAGE_SIZE), MM_MAXIMUM_MDL_PAGES);
    KT_EXPECT_EQ(IopAllocateMdlPages((PVOID)0x10001, MM_MAXIMUM_MDL_PAGES * PAGE_SIZE), 0);
    KT_EXPECT_EQ(IopAllocateMdlPages((PVOID)0x10000, 0x7FFFFFFF), 0);
    KT_EXPECT_EQ(IopAllocateMdlPages((PVOID)0x10000, 0x80000000), 0);
    KT_EXPECT_EQ(MM_SIZE_OF_MDL((PVOID)0x10FFF, 2), sizeof(MDL) + 2 * sizeof(PFN_NUMBER));
}
