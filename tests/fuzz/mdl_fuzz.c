/*
 * mdl_fuzz.c: libFuzzer target for MDL arithmetic at the 32-bit edges, against the same questions
 * answered in 64 bits: ADDRESS_AND_SIZE_TO_SPAN_PAGES, BYTES_TO_PAGES, ROUND_TO_PAGES, MmSizeOfMdl
 * (MM_SIZE_OF_MDL), what MmInitializeMdl records, which buffers IoAllocateMdl takes
 * (kernel/io/iop.h), and the range IoBuildPartialMdl copies from a source MDL: accepted exactly
 * when it lies inside the source and fits the target, and then never past either's page frames.
 * Addresses differ modulo 2^32, as they do on the machine; sums never wrap in the reference.
 */
#include "fuzz.h"
#include <ntddk.h>
#include <mm.h>
#include "iop.h"

/* The pages [Va, Va + Length) touches, in 64 bits. */
static ULONGLONG SpanPages(ULONGLONG Va, ULONGLONG Length)
{
    return ((Va % PAGE_SIZE) + Length + PAGE_SIZE - 1) / PAGE_SIZE;
}

static VOID CheckSizes(PVOID Va, ULONG Length)
{
    ULONGLONG Span = SpanPages((ULONG_PTR)Va, Length);
    BOOLEAN Allowed = Length != 0 && Length < 0x80000000u && Span <= (MAXUSHORT - sizeof(MDL)) / sizeof(PFN_NUMBER);
    MDL Mdl;

    FUZZ_CHECK(ADDRESS_AND_SIZE_TO_SPAN_PAGES(Va, Length) == Span);
    FUZZ_CHECK(BYTES_TO_PAGES(Length) == ((ULONGLONG)Length + PAGE_SIZE - 1) / PAGE_SIZE);
    FUZZ_CHECK(ROUND_TO_PAGES(Length) == (ULONG)(((ULONGLONG)Length + PAGE_SIZE - 1) & ~(ULONGLONG)(PAGE_SIZE - 1)));
    FUZZ_CHECK(MM_SIZE_OF_MDL(Va, Length) == sizeof(MDL) + Span * sizeof(PFN_NUMBER));
    FUZZ_CHECK(IopAllocateMdlPages(Va, Length) == (Allowed ? Span : 0));
    /* What IoAllocateMdl then builds: a Size that holds every page frame number, read back as many. */
    MmInitializeMdl(&Mdl, Va, Length);
    FUZZ_CHECK((ULONG_PTR)Mdl.StartVa + Mdl.ByteOffset == (ULONG_PTR)Va && Mdl.ByteOffset < PAGE_SIZE);
    FUZZ_CHECK(Mdl.ByteCount == Length);
    if (Allowed) {
        FUZZ_CHECK((USHORT)Mdl.Size == MM_SIZE_OF_MDL(Va, Length));
        FUZZ_CHECK(IopMdlPfnCapacity(&Mdl) == Span);
    }
}

static VOID CheckPartial(PVOID SourceVa, ULONG SourceLength, PVOID Va, ULONG Length, USHORT TargetSize)
{
    ULONGLONG SourcePages = SpanPages((ULONG_PTR)SourceVa, SourceLength);
    /* The distance from the source's first byte, as the machine's addresses count it. */
    ULONGLONG Offset = (ULONG)((ULONG_PTR)Va - (ULONG_PTR)SourceVa), Wanted = Length;
    ULONG_PTR OffsetSeen = 0;
    ULONG LengthSeen = Length, FirstPage = 0, Pages = 0, Capacity;
    BOOLEAN Inside, Accepted;
    MDL Source, Target;

    MmInitializeMdl(&Source, SourceVa, SourceLength);
    Target.Size = (CSHORT)TargetSize;
    Capacity = IopMdlPfnCapacity(&Target);
    FUZZ_CHECK(Capacity == (TargetSize < sizeof(MDL) ? 0 : (TargetSize - sizeof(MDL)) / sizeof(PFN_NUMBER)));
    if (Wanted == 0 && Offset <= SourceLength)
        Wanted = SourceLength - Offset;
    Inside = Offset <= SourceLength && Offset + Wanted <= SourceLength;
    Accepted = IopPartialMdlRange(&Source, Va, &LengthSeen, Capacity, &OffsetSeen, &FirstPage, &Pages);
    /* The stop's parameters are the offset and length the call worked with, accepted or not. */
    FUZZ_CHECK(OffsetSeen == Offset && LengthSeen == Wanted);
    FUZZ_CHECK(Accepted == (Inside && SpanPages((ULONG_PTR)Va, Wanted) <= Capacity));
    if (!Accepted)
        return;
    FUZZ_CHECK(Pages == SpanPages((ULONG_PTR)Va, Wanted) && Pages <= Capacity);
    /* Every page frame number copied is one the source has. An empty range on a page boundary copies none. */
    if (Pages != 0) {
        FUZZ_CHECK(FirstPage == (Source.ByteOffset + Offset) / PAGE_SIZE);
        FUZZ_CHECK((ULONGLONG)FirstPage + Pages <= SourcePages);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size)
{
    FUZZ_INPUT Input = { Data, Size };

    while (!FuzzDone(&Input)) {
        PVOID Va = (PVOID)(ULONG_PTR)FuzzEdgyUlong(&Input);
        ULONG Length = FuzzEdgyUlong(&Input);

        CheckSizes(Va, Length);
        if (FuzzByte(&Input) & 1) {
            /*
             * A source that does not wrap past 4 GB (a buffer cannot), and a range near it: at its
             * start, at its end, or anywhere, so that it starts before, inside or after.
             */
            UCHAR Where = FuzzByte(&Input);
            ULONG Near = FuzzEdgyUlong(&Input);
            ULONG_PTR Start = (ULONG_PTR)Va, End = Start + Length;
            ULONG_PTR Range = (Where & 3) == 0 ? Start + Near : (Where & 3) == 1 ? Start - Near
                            : (Where & 3) == 2 ? End - Near : FuzzEdgyUlong(&Input);

            if ((ULONGLONG)Start + Length > 1ULL << 32)
                continue;
            CheckPartial(Va, Length, (PVOID)Range, FuzzEdgyUlong(&Input), (USHORT)FuzzEdgyUlong(&Input));
        }
    }
    return 0;
}
