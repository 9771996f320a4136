/*
 * bench_vad.c: make bench-host's second table: the VAD tree's find (RtlAvlFindRange)
 * against glibc's tsearch/tfind and bsearch over a sorted array, in compares and
 * nanoseconds. Built with -DRTL_AVL_COUNT_COMPARES, so lib/rtl/avl.c counts its own.
 */
#define _GNU_SOURCE
#include "bench_util.h"
#include <rtl/avl.h>
#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ROUNDS 15                  /* odd, so the median is one measurement */
#define LOOKUPS 131072             /* per measurement: a millisecond or more at every size */
#define FIRST_VPN 0x10             /* the first page above the 64 KB no-access region */
#define MAX_RANGE_PAGES 32
#define MAX_GAP_PAGES 64

static const ULONG Sizes[] = { 16, 1000, 10000 };
#define NSIZES (sizeof(Sizes) / sizeof(Sizes[0]))

/* A VAD as the tree will see it: its node first, then what a find never reads. */
typedef struct {
    RTL_AVL_RANGE_NODE Node;
    ULONG Flags;
    PVOID FirstPrototypePte, LastContiguousPte;
} BENCH_VAD;

typedef struct {
    ULONG_PTR StartingVpn, EndingVpn;
    BENCH_VAD *Vad;
} SORTED_RANGE;

typedef struct {
    ULONG Count;
    BENCH_VAD *Vads;               /* in insertion order, as a process would have allocated them */
    RTL_AVL_RANGE_TABLE Table;
    void *TsearchRoot;
    SORTED_RANGE *Sorted;
    ULONG_PTR *Queries;            /* LOOKUPS VPNs, each inside some range */
    ULONG_PTR Expected;            /* the sum of the starts of the ranges the queries fall in */
} WORKLOAD;

enum { AVL, TFIND, BSEARCH, NCONTENDERS };

static const char *const Names[NCONTENDERS] = {
    [AVL] = "ntmm RtlAvlFindRange (AVL)",
    [TFIND] = "glibc tfind (red-black)",
    [BSEARCH] = "glibc bsearch (sorted array)",
};

static ULONGLONG TfindCompares, BsearchCompares;
static volatile ULONG_PTR Sink;

/* A fixed-seed xorshift: every run measures the same ranges and the same lookups. */
static ULONGLONG RandomState = 0x2545F4914F6CDD1Dull;

static ULONG_PTR Random(ULONG_PTR Limit)
{
    RandomState ^= RandomState << 13;
    RandomState ^= RandomState >> 7;
    RandomState ^= RandomState << 17;
    return (ULONG_PTR)(RandomState % Limit);
}

/* Ranges compare equal when they share a page: a one-page key finds the range holding it. */
static int CompareForTree(const void *Left, const void *Right)
{
    const RTL_AVL_RANGE_NODE *Key = Left, *Range = Right;

    TfindCompares++;
    if (Key->EndingVpn < Range->StartingVpn)
        return -1;
    return Key->StartingVpn > Range->EndingVpn;
}

static int CompareForArray(const void *Key, const void *Element)
{
    ULONG_PTR Vpn = *(const ULONG_PTR *)Key;
    const SORTED_RANGE *Range = Element;

    BsearchCompares++;
    if (Vpn < Range->StartingVpn)
        return -1;
    return Vpn > Range->EndingVpn;
}

static void *Allocate(size_t Bytes)
{
    void *Block = calloc(1, Bytes);

    if (Block == NULL)
        Fail("out of memory", NULL);
    return Block;
}

static void BuildWorkload(WORKLOAD *W, ULONG Count)
{
    ULONG *Order = Allocate(Count * sizeof(*Order));
    ULONG_PTR Vpn = FIRST_VPN;

    W->Count = Count;
    W->Vads = Allocate(Count * sizeof(*W->Vads));
    W->Sorted = Allocate(Count * sizeof(*W->Sorted));
    W->Queries = Allocate(LOOKUPS * sizeof(*W->Queries));
    RtlAvlInitializeTable(&W->Table);

    /* The ranges in address order, a third of them touching the one before. */
    for (ULONG i = 0; i < Count; i++) {
        W->Sorted[i].StartingVpn = Vpn;
        W->Sorted[i].EndingVpn = Vpn + Random(MAX_RANGE_PAGES);
        Vpn = W->Sorted[i].EndingVpn + 1 + (Random(3) == 0 ? 0 : Random(MAX_GAP_PAGES) + 1);
        Order[i] = i;
    }
    for (ULONG i = Count - 1; i > 0; i--) {
        ULONG j = (ULONG)Random(i + 1), Swap = Order[i];

        Order[i] = Order[j];
        Order[j] = Swap;
    }
    /* Inserted in random order: VAD k holds the k-th range inserted. */
    for (ULONG k = 0; k < Count; k++) {
        SORTED_RANGE *Range = &W->Sorted[Order[k]];
        BENCH_VAD *Vad = &W->Vads[k];

        Vad->Node.StartingVpn = Range->StartingVpn;
        Vad->Node.EndingVpn = Range->EndingVpn;
        Range->Vad = Vad;
        if (!RtlAvlInsertRange(&W->Table, &Vad->Node))
            Fail("the AVL tree refused a range", NULL);
        if (tsearch(&Vad->Node, &W->TsearchRoot, CompareForTree) == NULL)
            Fail("tsearch failed", NULL);
    }
    if (!RtlAvlValidateTable(&W->Table, NULL, NULL))
        Fail("the AVL tree is invalid", NULL);

    /* Lookups that hit: a random range, a random page in it. */
    W->Expected = 0;
    for (ULONG i = 0; i < LOOKUPS; i++) {
        SORTED_RANGE *Range = &W->Sorted[Random(Count)];

        W->Queries[i] = Range->StartingVpn + Random(Range->EndingVpn - Range->StartingVpn + 1);
        W->Expected += Range->StartingVpn;
    }
    free(Order);
}

/* One loop per contender, each calling its find as a client would; noinline keeps them apart. */
static ULONG_PTR __attribute__((noinline)) RunAvl(WORKLOAD *W)
{
    ULONG_PTR Sum = 0;

    for (ULONG i = 0; i < LOOKUPS; i++)
        Sum += RtlAvlFindRange(&W->Table, W->Queries[i])->StartingVpn;
    return Sum;
}

static ULONG_PTR __attribute__((noinline)) RunTfind(WORKLOAD *W)
{
    ULONG_PTR Sum = 0;

    for (ULONG i = 0; i < LOOKUPS; i++) {
        RTL_AVL_RANGE_NODE Key = { .StartingVpn = W->Queries[i], .EndingVpn = W->Queries[i] };
        void *Found = tfind(&Key, &W->TsearchRoot, CompareForTree);

        Sum += (*(RTL_AVL_RANGE_NODE **)Found)->StartingVpn;
    }
    return Sum;
}

static ULONG_PTR __attribute__((noinline)) RunBsearch(WORKLOAD *W)
{
    ULONG_PTR Sum = 0;

    for (ULONG i = 0; i < LOOKUPS; i++) {
        SORTED_RANGE *Found = bsearch(&W->Queries[i], W->Sorted, W->Count, sizeof(*W->Sorted), CompareForArray);

        Sum += Found->StartingVpn;
    }
    return Sum;
}

static ULONG_PTR (*const Runs[NCONTENDERS])(WORKLOAD *) = { RunAvl, RunTfind, RunBsearch };

static ULONGLONG *Counters[NCONTENDERS] = { &RtlAvlCompareCount, &TfindCompares, &BsearchCompares };

/* Every contender must find, for every lookup, the very range the lookup was drawn from. */
static void Verify(WORKLOAD *W)
{
    for (ULONG i = 0; i < LOOKUPS; i++) {
        ULONG_PTR Vpn = W->Queries[i];
        RTL_AVL_RANGE_NODE Key = { .StartingVpn = Vpn, .EndingVpn = Vpn };
        PRTL_AVL_RANGE_NODE Avl = RtlAvlFindRange(&W->Table, Vpn);
        void *Tree = tfind(&Key, &W->TsearchRoot, CompareForTree);
        SORTED_RANGE *Array = bsearch(&Vpn, W->Sorted, W->Count, sizeof(*W->Sorted), CompareForArray);

        if (Avl == NULL || Tree == NULL || Array == NULL || *(PRTL_AVL_RANGE_NODE *)Tree != Avl ||
            &Array->Vad->Node != Avl || Vpn < Avl->StartingVpn || Vpn > Avl->EndingVpn)
            Fail("the contenders disagree on a lookup", NULL);
    }
}

static ULONG AvlHeight(WORKLOAD *W)
{
    ULONG Height = 0;

    for (PRTL_AVL_RANGE_NODE Node = RtlAvlFirstRange(&W->Table); Node != NULL; Node = RtlAvlNextRange(Node)) {
        ULONG Depth = 1;

        for (PRTL_AVL_NODE Links = Node->Links.Parent; Links != NULL; Links = Links->Parent)
            Depth++;
        if (Depth > Height)
            Height = Depth;
    }
    return Height;
}

static int TsearchHeight;

static void MeasureTsearchLevel(const void *Node, VISIT Visit, int Level)
{
    (void)Node;
    if ((Visit == leaf || Visit == postorder) && Level + 1 > TsearchHeight)
        TsearchHeight = Level + 1;
}

int main(int argc, char **argv)
{
    static WORKLOAD Workloads[NSIZES];
    static double Ns[NSIZES][NCONTENDERS][ROUNDS];
    double Compares[NSIZES][NCONTENDERS];
    ULONG AvlHeights[NSIZES];
    int TsearchHeights[NSIZES];
    const char *AppendPath = NULL;
    double Started = NowNs();
    BenchProgram = "bench_vad";

    if (argc == 3 && strcmp(argv[1], "--append") == 0)
        AppendPath = argv[2];
    else if (argc != 1)
        Fail("usage: bench_vad [--append FILE]", NULL);

    for (size_t s = 0; s < NSIZES; s++) {
        WORKLOAD *W = &Workloads[s];

        BuildWorkload(W, Sizes[s]);
        Verify(W);
        AvlHeights[s] = AvlHeight(W);
        TsearchHeight = 0;
        twalk(W->TsearchRoot, MeasureTsearchLevel);
        TsearchHeights[s] = TsearchHeight;
        /* The first pass counts and warms the caches; the checksum proves each found the right ranges. */
        for (int c = 0; c < NCONTENDERS; c++) {
            ULONGLONG Before = *Counters[c];

            if (Runs[c](W) != W->Expected)
                Fail("a contender found the wrong ranges", Names[c]);
            Compares[s][c] = (double)(*Counters[c] - Before) / LOOKUPS;
        }
    }

    /* A/B/C: every contender once per round, the order rotating, so drift hits all of them alike. */
    fprintf(stderr, "bench_vad: timing, %d rounds...\n", ROUNDS);
    for (int r = 0; r < ROUNDS; r++)
        for (size_t s = 0; s < NSIZES; s++)
            for (int k = 0; k < NCONTENDERS; k++) {
                int c = (k + r) % NCONTENDERS;
                double t0 = NowNs();

                Sink += Runs[c](&Workloads[s]);
                Ns[s][c][r] = (NowNs() - t0) / LOOKUPS;
            }

    char *Text;
    size_t TextLength;
    FILE *Out = open_memstream(&Text, &TextLength);

    fprintf(Out, "\n## The VAD tree's find against glibc's tsearch/tfind and bsearch\n\n");
    fprintf(Out, "`%s%s%s`, built as above with `-DRTL_AVL_COUNT_COMPARES`. For each size: that many ranges of "
                 "1–%d pages from VPN 0x%X, a third touching the one before and the rest after a gap of 1–%d "
                 "pages, inserted in random order into the AVL tree (lib/rtl/avl.c) and into tsearch; the "
                 "VAD-sized objects (%zu bytes) are allocated in insertion order and are the keys of both trees; "
                 "bsearch searches the ranges sorted in an array of (start, end, VAD). Then %d lookups of random "
                 "VPNs, each inside a range. *compares/find*: ranges tested against the VPN per lookup, counted "
                 "in the code (a node visited by RtlAvlFindRange, a call of the comparison function by tfind and "
                 "bsearch). *ns/find*: the three interleaved in rotating order, %d rounds of %d lookups: median and "
                 "(min–max); the counters stay in, one increment per compare in each. glibc's bsearch is an "
                 "inline function at -O2, so its comparison is inlined too; tfind calls its comparison through a "
                 "pointer. *ntmm ÷* is the AVL tree's figure over this row's.\n\n",
            argv[0], AppendPath ? " --append " : "", AppendPath ? AppendPath : "", MAX_RANGE_PAGES, FIRST_VPN,
            MAX_GAP_PAGES, sizeof(BENCH_VAD), LOOKUPS, ROUNDS, LOOKUPS);
    fprintf(Out, "| ranges | find | compares/find | ntmm ÷ (compares) | ns/find | (min–max) | ntmm ÷ (ns) |\n");
    fprintf(Out, "|--:|---|--:|--:|--:|--:|--:|\n");
    for (size_t s = 0; s < NSIZES; s++) {
        double Mid[NCONTENDERS];

        for (int c = 0; c < NCONTENDERS; c++) {
            qsort(Ns[s][c], ROUNDS, sizeof(double), CompareDoubles);
            Mid[c] = Ns[s][c][ROUNDS / 2];
        }
        for (int c = 0; c < NCONTENDERS; c++) {
            fprintf(Out, "| %u | %s | %.2f |", Sizes[s], Names[c], Compares[s][c]);
            Ratio(Out, Compares[s][AVL], c ? Compares[s][c] : 0);
            fprintf(Out, " %.1f | (%.1f–%.1f) |", Mid[c], Ns[s][c][0], Ns[s][c][ROUNDS - 1]);
            Ratio(Out, Mid[AVL], c ? Mid[c] : 0);
            fprintf(Out, "\n");
        }
    }
    fprintf(Out, "\nTree heights (levels, root to deepest leaf):");
    for (size_t s = 0; s < NSIZES; s++)
        fprintf(Out, "%s %u ranges: AVL %u, tsearch %d", s ? ";" : "", Sizes[s], AvlHeights[s], TsearchHeights[s]);
    fprintf(Out, ". Took %.1f s.\n", (NowNs() - Started) / 1e9);
    fclose(Out);

    WriteReport(Text, AppendPath, "a");
    free(Text);
    return 0;
}
