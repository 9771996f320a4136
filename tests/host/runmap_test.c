/* runmap_test.c: the run map (lib/rtl/runmap.c) against a one-bool-per-unit model, over random runs. */
#include "ktest.h"
#include <rtl/runmap.h>
#include <stdlib.h>
#include <string.h>

/* Not a multiple of 32, so the last word has bits past the end; several top words. */
#define UNITS 70001

static ULONG Buffer[(UNITS + 31) / 32 * 2 + 64];
static BOOLEAN InUse[UNITS];
static RTL_RUN_MAP Map;

static BOOLEAN ModelHasRun(ULONG Count)
{
    ULONG Run = 0;

    for (ULONG i = 0; i < UNITS; i++) {
        Run = InUse[i] ? 0 : Run + 1;
        if (Run >= Count)
            return TRUE;
    }
    return FALSE;
}

/* Are units [Start, Start + Count) inside the map and free in the model? */
static BOOLEAN ModelRunAt(ULONG Start, ULONG Count)
{
    if (Start >= UNITS || Count > UNITS - Start)
        return FALSE;
    for (ULONG i = Start; i < Start + Count; i++) {
        if (InUse[i])
            return FALSE;
    }
    return TRUE;
}

/* A run the map handed out must lie inside it and be free in the model; the model takes it. */
static BOOLEAN ModelTake(ULONG Start, ULONG Count)
{
    if (!ModelRunAt(Start, Count))
        return FALSE;
    memset(&InUse[Start], TRUE, Count);
    return TRUE;
}

static ULONG RandomCount(VOID)
{
    ULONG Roll = (ULONG)rand() % 100;

    if (Roll < 50)
        return 1 + (ULONG)rand() % 4;
    if (Roll < 90)
        return 1 + (ULONG)rand() % 32;
    return 33 + (ULONG)rand() % 3000;
}

KTEST(runmap, buffer_size_covers_the_map)
{
    KT_EXPECT(RtlRunMapBufferWords(UNITS) <= RTL_NUMBER_OF(Buffer));
    KT_EXPECT_EQ(RtlRunMapBufferWords(32), 1 + RTL_RUN_MAP_CLASSES * 2);
}

/* A new map is all free, with summaries that agree, at every size around a word's and a summary word's edge. */
KTEST(runmap, a_new_map_of_any_size_is_consistent_and_all_free)
{
    static const ULONG Sizes[] = { 1, 2, 31, 32, 33, 63, 64, 1023, 1024, 1025, 32 * 32 + 5, UNITS };

    for (ULONG i = 0; i < RTL_NUMBER_OF(Sizes); i++) {
        RtlInitializeRunMap(&Map, Buffer, Sizes[i]);
        KT_EXPECT(RtlCheckRunMap(&Map));
        KT_EXPECT_EQ(Map.ClearBits, Sizes[i]);
        KT_EXPECT_EQ(RtlRunMapAllocate(&Map, Sizes[i], TRUE), 0);
        KT_EXPECT_EQ(RtlRunMapAllocate(&Map, 1, TRUE), RTL_BITMAP_NOT_FOUND);
        KT_EXPECT(RtlCheckRunMap(&Map));
    }
}

/*
 * Random allocations and frees of runs of 1 to 3,032 units, the map filled
 * to exhaustion on the way: every run it gives is free and inside it, it
 * fails only when the model has no such run, and its summaries always
 * agree with its bits.
 */
KTEST(runmap, runs_match_a_model_through_exhaustion)
{
    enum { SLOTS = 3000, STEPS = 200000 };
    static ULONG Starts[SLOTS], Counts[SLOTS];
    static BOOLEAN Held[SLOTS];
    ULONG Bad = 0, WrongFailures = 0, Failures = 0, Taken = 0;

    memset(InUse, 0, sizeof(InUse));
    RtlInitializeRunMap(&Map, Buffer, UNITS);
    KT_ASSERT(RtlCheckRunMap(&Map));
    srand(12);
    for (ULONG Step = 0; Step < STEPS; Step++) {
        ULONG Slot = (ULONG)rand() % SLOTS;

        /* Phases: fill (few frees) then drain (many), so the map runs out and comes back several times. */
        if (Held[Slot] && (ULONG)rand() % 100 < ((Step / 20000) % 2 ? 80 : 15)) {
            for (ULONG i = Starts[Slot]; i < Starts[Slot] + Counts[Slot]; i++)
                InUse[i] = FALSE;
            RtlRunMapClear(&Map, Starts[Slot], Counts[Slot]);
            Taken -= Counts[Slot];
            Held[Slot] = FALSE;
        } else if (!Held[Slot]) {
            ULONG Count = RandomCount(), Start = RtlRunMapAllocate(&Map, Count, TRUE);

            if (Start == RTL_BITMAP_NOT_FOUND) {
                Failures++;
                WrongFailures += ModelHasRun(Count);
                continue;
            }
            Bad += !ModelTake(Start, Count);
            Starts[Slot] = Start;
            Counts[Slot] = Count;
            Held[Slot] = TRUE;
            Taken += Count;
        }
        if (Step % 5000 == 0) {
            KT_ASSERT(RtlCheckRunMap(&Map));
            KT_ASSERT_EQ(Map.ClearBits, UNITS - Taken);
        }
    }
    KT_EXPECT_EQ(Bad, 0);
    KT_EXPECT_EQ(WrongFailures, 0);
    KT_EXPECT(Failures > 0);                    /* the map did run out */
    for (ULONG Slot = 0; Slot < SLOTS; Slot++) {
        if (Held[Slot])
            RtlRunMapClear(&Map, Starts[Slot], Counts[Slot]);
    }
    KT_EXPECT(RtlCheckRunMap(&Map));
    KT_EXPECT_EQ(Map.ClearBits, UNITS);
    KT_EXPECT_EQ(RtlRunMapAllocate(&Map, UNITS, TRUE), 0);
    KT_EXPECT_EQ(RtlRunMapAllocate(&Map, 1, TRUE), RTL_BITMAP_NOT_FOUND);
}

/* Runs no class sees: across word boundaries, or shorter than their class's power of two. */
KTEST(runmap, runs_across_words_and_between_classes_are_found)
{
    RtlInitializeRunMap(&Map, Buffer, 128);
    RtlRunMapSet(&Map, 0, 128);
    RtlRunMapClear(&Map, 30, 4);                 /* units 30..33: two in each of two words */
    KT_EXPECT_EQ(RtlRunMapAllocate(&Map, 4, FALSE), RTL_BITMAP_NOT_FOUND);   /* the summaries cannot see it */
    KT_EXPECT_EQ(RtlRunMapAllocate(&Map, 4, TRUE), 30);
    RtlRunMapClear(&Map, 70, 3);                 /* three free: class 2 (four) sees none */
    KT_EXPECT_EQ(RtlRunMapAllocate(&Map, 3, TRUE), 70);
    RtlRunMapClear(&Map, 60, 40);                /* 60..99: a whole word (64..95) and both sides */
    KT_EXPECT_EQ(RtlRunMapAllocate(&Map, 40, TRUE), 60);
    KT_EXPECT(RtlCheckRunMap(&Map));
    KT_EXPECT_EQ(Map.ClearBits, 0);
}

/* Holes below free space cost nothing: two units come from the first word that has two in a row. */
KTEST(runmap, small_runs_skip_one_unit_holes)
{
    RtlInitializeRunMap(&Map, Buffer, 4096);
    for (ULONG i = 0; i < 2048; i++)
        KT_ASSERT_EQ(RtlRunMapAllocate(&Map, 1, TRUE), i);
    for (ULONG i = 0; i < 2048; i += 2)
        RtlRunMapClear(&Map, i, 1);
    KT_EXPECT_EQ(RtlRunMapAllocate(&Map, 2, TRUE), 2048);
    KT_EXPECT_EQ(RtlRunMapAllocate(&Map, 1, TRUE), 0);
    KT_EXPECT_EQ(RtlRunMapAllocate(&Map, 33, TRUE), 2080);    /* whole words: from the first free one */
    KT_EXPECT(RtlCheckRunMap(&Map));
}

/*
 * What the summaries alone promise for Count: up to 32 units, a run of
 * the next power of two inside one word; more, enough whole free words in
 * a row.
 */
static BOOLEAN SummariesPromise(ULONG Count)
{
    ULONG Class = 1, Words = (Count + 31) / 32;

    if (Count > 32) {
        for (ULONG w = 0; (w + Words) * 32 <= UNITS; w++) {
            if (ModelRunAt(w * 32, Words * 32))
                return TRUE;
        }
        return FALSE;
    }
    while (Class < Count)
        Class <<= 1;
    for (ULONG w = 0; w < (UNITS + 31) / 32; w++) {
        for (ULONG b = 0; b + Class <= 32; b++) {
            if (ModelRunAt(w * 32 + b, Class))
                return TRUE;
        }
    }
    return FALSE;
}

/*
 * Nonpaged pool asks the summaries before any scan: without Exhaustive the
 * map must find what they promise, and whatever it returns must be free.
 * Over random maps of every density, against the model.
 */
KTEST(runmap, summaries_alone_find_every_run_they_promise)
{
    ULONG Wrong = 0, Missed = 0, Found = 0;

    srand(34);
    for (ULONG Trial = 0; Trial < 200; Trial++) {
        ULONG Density = (ULONG)rand() % 100;

        RtlInitializeRunMap(&Map, Buffer, UNITS);
        for (ULONG i = 0; i < UNITS; i++)
            InUse[i] = (ULONG)rand() % 100 < Density;
        for (ULONG i = 0; i < UNITS; i++) {
            ULONG End = i;

            while (End < UNITS && InUse[End])
                End++;
            if (End > i)
                RtlRunMapSet(&Map, i, End - i);
            i = End;
        }
        for (ULONG Try = 0; Try < 20; Try++) {
            ULONG Count = Try % 2 ? 1 + (ULONG)rand() % 32 : 33 + (ULONG)rand() % 100;
            BOOLEAN Promised = SummariesPromise(Count);
            ULONG Start = RtlRunMapAllocate(&Map, Count, FALSE);

            if (Start == RTL_BITMAP_NOT_FOUND) {
                Missed += Promised;
                continue;
            }
            Found++;
            Wrong += !ModelTake(Start, Count);
        }
        KT_ASSERT(RtlCheckRunMap(&Map));
    }
    KT_EXPECT_EQ(Wrong, 0);
    KT_EXPECT_EQ(Missed, 0);
    KT_EXPECT(Found > 500);
}
