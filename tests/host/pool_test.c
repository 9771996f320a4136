/* pool_test.c (host): the pool's block logic under ASan and UBSan, over an mmap page source. */
#include "ktest.h"
#include <ex.h>
#include "exp.h"
#include "pool_host.h"
#include <stdlib.h>
#include <string.h>

static VOID InitializeOnce(VOID)
{
    static BOOLEAN Done;

    if (!Done) {
        ExInitializePool();
        Done = TRUE;
    }
}

KTEST(pool_host, blocks_never_overlap_under_random_load)
{
    enum { SLOTS = 2048, STEPS = 200000 };
    static PUCHAR Blocks[SLOTS];
    static SIZE_T Sizes[SLOTS];
    ULONG Corrupt = 0;

    InitializeOnce();
    srand(42);
    for (ULONG Step = 0; Step < STEPS; Step++) {
        ULONG Slot = (ULONG)rand() % SLOTS;

        if (Blocks[Slot] != NULL) {
            for (SIZE_T i = 0; i < Sizes[Slot]; i++)
                Corrupt += Blocks[Slot][i] != (UCHAR)(Slot ^ i);
            ExFreePoolWithTag(Blocks[Slot], 'tsoH');
            Blocks[Slot] = NULL;
            continue;
        }
        ULONG Type = (ULONG)rand() % 6;

        Sizes[Slot] = (ULONG)rand() % ((rand() & 7) == 0 ? 20000 : 700);
        Blocks[Slot] = ExAllocatePoolWithTag((POOL_TYPE)(Type == DontUseThisType ? NonPagedPool : Type),
                                             Sizes[Slot], 'tsoH');
        KT_ASSERT(Blocks[Slot] != NULL);
        for (SIZE_T i = 0; i < Sizes[Slot]; i++)
            Blocks[Slot][i] = (UCHAR)(Slot ^ i);
        if (Step % 20000 == 0)
            KT_ASSERT(ExCheckPool(TRUE));
    }
    for (ULONG Slot = 0; Slot < SLOTS; Slot++) {
        if (Blocks[Slot] != NULL) {
            for (SIZE_T i = 0; i < Sizes[Slot]; i++)
                Corrupt += Blocks[Slot][i] != (UCHAR)(Slot ^ i);
            ExFreePoolWithTag(Blocks[Slot], 'tsoH');
        }
    }
    KT_EXPECT_EQ(Corrupt, 0);
    KT_EXPECT(ExCheckPool(TRUE));
}

KTEST(pool_host, everything_freed_leaves_no_small_pages_after_trim)
{
    static PVOID Blocks[4000];
    EX_POOL_STATISTICS Statistics;
    EX_POOL_TAG_INFORMATION Info;

    InitializeOnce();
    for (ULONG i = 0; i < 4000; i++)
        Blocks[i] = ExAllocatePoolWithTag(i & 1 ? PagedPool : NonPagedPool, 16 + (i * 37) % 900, 'mirT');
    for (ULONG i = 0; i < 4000; i += 3)
        ExFreePoolWithTag(Blocks[i], 'mirT');
    for (ULONG i = 1; i < 4000; i += 3)
        ExFreePoolWithTag(Blocks[i], 'mirT');
    for (ULONG i = 2; i < 4000; i += 3)
        ExFreePoolWithTag(Blocks[i], 'mirT');
    ExTrimPool();
    ExQueryPoolStatistics(NonPagedPool, &Statistics);
    KT_EXPECT_EQ(Statistics.SmallPages, 0);
    ExQueryPoolStatistics(PagedPool, &Statistics);
    KT_EXPECT_EQ(Statistics.SmallPages, 0);
    ExQueryPoolTag('mirT', &Info);
    KT_EXPECT_EQ(Info.NonPagedBytes + Info.PagedBytes, 0);
    KT_EXPECT_EQ(Info.NonPagedAllocs, 2000);
    KT_EXPECT(ExCheckPool(TRUE));
}

/*
 * The tracker against a model: thousands of tags (past the first table and
 * through several index rebuilds), blocks of every size class in both
 * pools allocated and freed at random; every tag's counts must be the
 * model's, and no tag may land in the overflow record.
 */
KTEST(pool_host, tag_tracking_matches_a_model_across_growth)
{
    enum { TAGS = 5000, SLOTS = 4096, STEPS = 60000 };
    static struct { ULONG Allocs, Frees; SIZE_T Bytes; } Model[TAGS][2];
    static PVOID Blocks[SLOTS];
    static ULONG Tags[SLOTS], Types[SLOTS];
    POOL_TRACKER_TABLE Overflow;
    ULONG Wrong = 0, NewTags = 0;

    InitializeOnce();
    Overflow = ExpPoolTrackOverflow;
    srand(7);
    for (ULONG Step = 0; Step < STEPS; Step++) {
        ULONG Slot = (ULONG)rand() % SLOTS;

        if (Blocks[Slot] != NULL) {
            Model[Tags[Slot]][Types[Slot]].Frees++;
            Model[Tags[Slot]][Types[Slot]].Bytes -= ExpTrackedBytes(Blocks[Slot]);
            ExFreePoolWithTag(Blocks[Slot], 'A0mT' + Tags[Slot]);
            Blocks[Slot] = NULL;
            continue;
        }
        Tags[Slot] = NewTags < TAGS ? NewTags++ : (ULONG)rand() % TAGS;
        Types[Slot] = (ULONG)rand() & 1;
        Blocks[Slot] = ExAllocatePoolWithTag((POOL_TYPE)Types[Slot], (ULONG)rand() % ((rand() & 15) ? 300 : 9000),
                                             'A0mT' + Tags[Slot]);
        KT_ASSERT(Blocks[Slot] != NULL);
        Model[Tags[Slot]][Types[Slot]].Allocs++;
        Model[Tags[Slot]][Types[Slot]].Bytes += ExpTrackedBytes(Blocks[Slot]);
    }
    for (ULONG Tag = 0; Tag < TAGS; Tag++) {
        EX_POOL_TAG_INFORMATION Info;

        if (Model[Tag][0].Allocs + Model[Tag][1].Allocs == 0)
            continue;
        Wrong += !ExQueryPoolTag('A0mT' + Tag, &Info) || Info.NonPagedAllocs != Model[Tag][0].Allocs ||
                 Info.NonPagedFrees != Model[Tag][0].Frees || Info.NonPagedBytes != Model[Tag][0].Bytes ||
                 Info.PagedAllocs != Model[Tag][1].Allocs || Info.PagedFrees != Model[Tag][1].Frees ||
                 Info.PagedBytes != Model[Tag][1].Bytes;
    }
    KT_EXPECT_EQ(Wrong, 0);
    KT_EXPECT_EQ(ExpPoolTrackOverflow.Counts[0].Allocs + ExpPoolTrackOverflow.Counts[1].Allocs,
                 Overflow.Counts[0].Allocs + Overflow.Counts[1].Allocs);
    KT_EXPECT(ExpTrackerCount() >= TAGS);
    for (ULONG Slot = 0; Slot < SLOTS; Slot++) {
        if (Blocks[Slot] != NULL)
            ExFreePoolWithTag(Blocks[Slot], 'A0mT' + Tags[Slot]);
    }
    KT_EXPECT(ExCheckPool(TRUE));
}

/*
 * A free of NULL, or of an address just past it, is a free of a user address (0x40), reached
 * without arithmetic below NULL, which clang's UndefinedBehaviorSanitizer stops (found by make
 * fuzz FUZZ=pool; make test-host HOSTCC=clang).
 */
KTEST(pool_host, free_of_null_or_just_past_it_stops_with_0xc2_40)
{
    static const ULONG_PTR Addresses[] = { 0, 1, 8 };

    InitializeOnce();
    for (ULONG i = 0; i < RTL_NUMBER_OF(Addresses); i++) {
        jmp_buf Jump;

        HostLastBugCheck.Code = 0;
        if (setjmp(Jump) == 0) {
            HostBugCheckJump = &Jump;
            ExFreePool((PVOID)Addresses[i]);
            HostBugCheckJump = NULL;
        }
        KT_EXPECT_EQ(HostLastBugCheck.Code, BAD_POOL_CALLER);
        KT_EXPECT_EQ(HostLastBugCheck.Parameter[0], BAD_POOL_USER_ADDRESS);
        KT_EXPECT_EQ(HostLastBugCheck.Parameter[1], Addresses[i]);
        KT_EXPECT_EQ(HostLastBugCheck.Parameter[2], MI_SYSTEM_RANGE_START);
    }
}
