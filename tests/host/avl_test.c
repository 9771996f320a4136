/* avl_test.c: the AVL range tree (lib/rtl/avl.c) against a sorted array, and its validator against corruption. */
#include "ktest.h"
#include <rtl/avl.h>
#include <string.h>

#define MAX_VPN ((ULONG_PTR)-1)

/* A fixed-seed xorshift, so a failure replays the same way on every libc. */
static ULONGLONG RandomState;

static ULONG_PTR Random(ULONG_PTR Limit)
{
    RandomState ^= RandomState << 13;
    RandomState ^= RandomState >> 7;
    RandomState ^= RandomState << 17;
    return (ULONG_PTR)(RandomState % Limit);
}

/* --- the reference: ranges in a sorted array, searched the slow, obvious way --- */

typedef struct {
    ULONG_PTR Start, End;
    PRTL_AVL_RANGE_NODE Node;
} MODEL_RANGE;

#define MODEL_NODES 4096
static MODEL_RANGE Model[MODEL_NODES];
static ULONG ModelCount;

/* The first model range ending at or after Vpn (ModelCount if none). */
static ULONG ModelLowerBound(ULONG_PTR Vpn)
{
    ULONG Low = 0, High = ModelCount;

    while (Low < High) {
        ULONG Middle = (Low + High) / 2;
        if (Model[Middle].End < Vpn)
            Low = Middle + 1;
        else
            High = Middle;
    }
    return Low;
}

static PRTL_AVL_RANGE_NODE ModelFirstOverlap(ULONG_PTR Start, ULONG_PTR End)
{
    ULONG i = ModelLowerBound(Start);

    return Start <= End && i < ModelCount && Model[i].Start <= End ? Model[i].Node : NULL;
}

static VOID ModelInsert(PRTL_AVL_RANGE_NODE Node)
{
    ULONG i = ModelLowerBound(Node->StartingVpn);

    memmove(&Model[i + 1], &Model[i], (ModelCount - i) * sizeof(Model[0]));
    Model[i] = (MODEL_RANGE){ Node->StartingVpn, Node->EndingVpn, Node };
    ModelCount++;
}

static VOID ModelRemove(ULONG i)
{
    memmove(&Model[i], &Model[i + 1], (ModelCount - i - 1) * sizeof(Model[0]));
    ModelCount--;
}

/* Gap by gap, clipped to Low..High: the first aligned start whose run fits. */
static BOOLEAN ModelFindEmpty(ULONG_PTR Pages, ULONG_PTR Alignment, ULONG_PTR Low, ULONG_PTR High, PULONG_PTR Found)
{
    for (ULONG i = 0; i <= ModelCount; i++) {
        ULONG_PTR GapStart = i == 0 ? 0 : Model[i - 1].End + 1;
        ULONG_PTR GapEnd = i == ModelCount ? MAX_VPN : Model[i].Start - 1;

        if (i > 0 && Model[i - 1].End == MAX_VPN)
            break;
        if (i < ModelCount && Model[i].Start == GapStart)
            continue;
        if (GapStart < Low)
            GapStart = Low;
        if (GapEnd > High)
            GapEnd = High;
        if (GapStart % Alignment != 0)
            GapStart += Alignment - GapStart % Alignment;
        if (GapStart <= GapEnd && GapEnd - GapStart >= Pages - 1) {
            *Found = GapStart;
            return TRUE;
        }
    }
    return FALSE;
}

/* The same question answered from the top: the highest aligned start of a free run in Low..High. */
static BOOLEAN ModelFindEmptyDown(ULONG_PTR Pages, ULONG_PTR Alignment, ULONG_PTR Low, ULONG_PTR High,
                                  PULONG_PTR Found)
{
    for (ULONG i = ModelCount + 1; i-- > 0;) {
        ULONG_PTR GapStart = i == 0 ? 0 : Model[i - 1].End + 1;
        ULONG_PTR GapEnd = i == ModelCount ? MAX_VPN : Model[i].Start - 1;
        ULONG_PTR Start;

        if ((i > 0 && Model[i - 1].End == MAX_VPN) || (i < ModelCount && Model[i].Start == GapStart))
            continue;
        if (GapStart < Low)
            GapStart = Low;
        if (GapEnd > High)
            GapEnd = High;
        if (GapStart > GapEnd || GapEnd - GapStart < Pages - 1)
            continue;
        Start = (GapEnd - (Pages - 1)) / Alignment * Alignment;
        if (Start >= GapStart) {
            *Found = Start;
            return TRUE;
        }
    }
    return FALSE;
}

static VOID ExpectValid(PRTL_AVL_RANGE_TABLE Table)
{
    PCSTR Problem = NULL;
    PRTL_AVL_RANGE_NODE BadNode = NULL;

    if (!RtlAvlValidateTable(Table, &Problem, &BadNode)) {
        KtLog("validator: %s at %p", Problem, (void *)BadNode);
        KT_ASSERT(!"the table is valid");
    }
}

static VOID ExpectSameOrder(PRTL_AVL_RANGE_TABLE Table)
{
    PRTL_AVL_RANGE_NODE Node = RtlAvlFirstRange(Table);

    for (ULONG i = 0; i < ModelCount; i++, Node = RtlAvlNextRange(Node))
        KT_ASSERT_EQ(Node, Model[i].Node);
    KT_ASSERT(Node == NULL);
    Node = RtlAvlLastRange(Table);
    for (ULONG i = ModelCount; i-- > 0; Node = RtlAvlPreviousRange(Node))
        KT_ASSERT_EQ(Node, Model[i].Node);
    KT_ASSERT(Node == NULL);
}

static ULONG Height(PRTL_AVL_NODE Links)
{
    ULONG Left, Right;

    if (Links == NULL)
        return 0;
    Left = Height(Links->LeftChild);
    Right = Height(Links->RightChild);
    return 1 + (Left > Right ? Left : Right);
}

/* The AVL bound, exactly: a tree of height h holds at least F(h+2)-1 nodes (F the Fibonacci numbers). */
static BOOLEAN WithinAvlHeight(PRTL_AVL_RANGE_TABLE Table)
{
    ULONGLONG Previous = 0, Fibonacci = 1;

    for (ULONG i = 1; i < Height(Table->Root) + 2; i++) {
        ULONGLONG Next = Previous + Fibonacci;
        Previous = Fibonacci;
        Fibonacci = Next;
    }
    return Table->NumberOfNodes >= Fibonacci - 1;
}

static RTL_AVL_RANGE_NODE Nodes[MODEL_NODES];

KTEST(avl, random_operations_match_a_sorted_array)
{
    enum { STEPS = 60000, SPACE = 1 << 15 };
    static ULONG FreeNodes[MODEL_NODES];
    static const ULONG_PTR Alignments[] = { 1, 1, 2, 4, 16, 64 };
    ULONG FreeCount = MODEL_NODES, Refused = 0, Hits = 0, Fits = 0, Largest = 0;
    RTL_AVL_RANGE_TABLE Table;

    RandomState = 0x9E3779B97F4A7C15ull;
    ModelCount = 0;
    for (ULONG i = 0; i < MODEL_NODES; i++)
        FreeNodes[i] = i;
    RtlAvlInitializeTable(&Table);

    for (ULONG Step = 0; Step < STEPS; Step++) {
        BOOLEAN Growing = (Step / 15000) % 2 == 0;
        ULONG_PTR Choice = Random(100);
        ULONG_PTR Start = Random(SPACE), Length = 1 + Random(Random(8) == 0 ? 200 : 16);

        if (Choice < (Growing ? 55u : 20u)) {
            PRTL_AVL_RANGE_NODE Node;
            BOOLEAN Overlaps = ModelFirstOverlap(Start, Start + Length - 1) != NULL;

            if (FreeCount == 0)
                continue;
            Node = &Nodes[FreeNodes[FreeCount - 1]];
            Node->StartingVpn = Start;
            Node->EndingVpn = Start + Length - 1;
            KT_ASSERT_EQ(RtlAvlInsertRange(&Table, Node), !Overlaps);
            if (Overlaps) {
                Refused++;
                continue;
            }
            FreeCount--;
            ModelInsert(Node);
        } else if (Choice < 75) {
            ULONG i;

            if (ModelCount == 0)
                continue;
            i = (ULONG)Random(ModelCount);
            FreeNodes[FreeCount++] = (ULONG)(Model[i].Node - Nodes);
            RtlAvlRemoveRange(&Table, Model[i].Node);
            ModelRemove(i);
        } else if (Choice < 88) {
            /* Half aimed inside a range, at its first, last or some middle page; half anywhere. */
            ULONG_PTR Vpn = Random(SPACE + 256);

            if (ModelCount != 0 && Random(2) == 0) {
                MODEL_RANGE *Target = &Model[Random(ModelCount)];
                ULONG_PTR Where = Random(3);

                Vpn = Where == 0 ? Target->Start : Where == 1 ? Target->End
                                 : Target->Start + Random(Target->End - Target->Start + 1);
            }
            PRTL_AVL_RANGE_NODE Expected = ModelFirstOverlap(Vpn, Vpn);

            KT_ASSERT_EQ(RtlAvlFindRange(&Table, Vpn), Expected);
            Hits += Expected != NULL;
        } else if (Choice < 96) {
            KT_ASSERT_EQ(RtlAvlFindFirstOverlap(&Table, Start, Start + Length - 1),
                         ModelFirstOverlap(Start, Start + Length - 1));
        } else {
            ULONG_PTR Alignment = Alignments[Random(RTL_NUMBER_OF(Alignments))];
            ULONG_PTR Pages = 1 + Random(Random(4) == 0 ? 300 : 24), High = Start + Random(SPACE / 4);
            ULONG_PTR Expected = 0, Found = 0;
            BOOLEAN ModelFits = ModelFindEmpty(Pages, Alignment, Start, High, &Expected);

            KT_ASSERT_EQ(RtlAvlFindEmptyRange(&Table, Pages, Alignment, Start, High, &Found), ModelFits);
            if (ModelFits) {
                KT_ASSERT_EQ(Found, Expected);
                Fits++;
            }
            ModelFits = ModelFindEmptyDown(Pages, Alignment, Start, High, &Expected);
            KT_ASSERT_EQ(RtlAvlFindEmptyRangeDown(&Table, Pages, Alignment, Start, High, &Found), ModelFits);
            if (ModelFits)
                KT_ASSERT_EQ(Found, Expected);
        }
        KT_ASSERT_EQ(Table.NumberOfNodes, ModelCount);
        if (ModelCount > Largest)
            Largest = ModelCount;
        if (Step % 128 == 0)
            ExpectValid(&Table);
        if (Step % 4096 == 0) {
            ExpectSameOrder(&Table);
            KT_ASSERT(WithinAvlHeight(&Table));
        }
    }
    ExpectValid(&Table);
    ExpectSameOrder(&Table);
    KtLog("%u refused inserts, %u finds that hit, %u gaps found; %u nodes at most, %u at the end", Refused, Hits,
          Fits, Largest, Table.NumberOfNodes);
    /* The mix must really have exercised both sides of every question. */
    KT_EXPECT(Refused > 1000);
    KT_EXPECT(Hits > 3000);
    KT_EXPECT(Largest > 1000);
    KT_EXPECT(Fits > 500);

    while (ModelCount != 0) {
        RtlAvlRemoveRange(&Table, Model[ModelCount - 1].Node);
        ModelRemove(ModelCount - 1);
        if (ModelCount % 64 == 0)
            ExpectValid(&Table);
    }
    KT_EXPECT(Table.Root == NULL);
    KT_EXPECT_EQ(Table.NumberOfNodes, 0);
}

static PRTL_AVL_RANGE_NODE Range(PRTL_AVL_RANGE_NODE Node, ULONG_PTR Start, ULONG_PTR End)
{
    Node->StartingVpn = Start;
    Node->EndingVpn = End;
    return Node;
}

KTEST(avl, insert_refuses_overlapping_and_empty_ranges)
{
    RTL_AVL_RANGE_TABLE Table;
    RTL_AVL_RANGE_NODE Held, Probe;

    RtlAvlInitializeTable(&Table);
    KT_ASSERT(RtlAvlInsertRange(&Table, Range(&Held, 100, 199)));
    KT_EXPECT(!RtlAvlInsertRange(&Table, Range(&Probe, 50, 100)));     /* its first page */
    KT_EXPECT(!RtlAvlInsertRange(&Table, Range(&Probe, 199, 250)));    /* its last page */
    KT_EXPECT(!RtlAvlInsertRange(&Table, Range(&Probe, 120, 130)));    /* inside it */
    KT_EXPECT(!RtlAvlInsertRange(&Table, Range(&Probe, 50, 250)));     /* around it */
    KT_EXPECT(!RtlAvlInsertRange(&Table, Range(&Probe, 100, 199)));    /* the same */
    KT_EXPECT(!RtlAvlInsertRange(&Table, Range(&Probe, 10, 9)));       /* empty */
    KT_EXPECT(!RtlAvlInsertRange(&Table, &Held));                      /* itself again */
    KT_EXPECT_EQ(Table.NumberOfNodes, 1);
    KT_EXPECT(Table.Root == &Held.Links);
    KT_EXPECT(Held.Links.LeftChild == NULL && Held.Links.RightChild == NULL);
    ExpectValid(&Table);

    /* Touching is not overlapping. */
    static RTL_AVL_RANGE_NODE Below, Above, Top;
    KT_EXPECT(RtlAvlInsertRange(&Table, Range(&Below, 0, 99)));
    KT_EXPECT(RtlAvlInsertRange(&Table, Range(&Above, 200, 200)));
    KT_EXPECT(RtlAvlInsertRange(&Table, Range(&Top, MAX_VPN, MAX_VPN)));
    KT_EXPECT(!RtlAvlInsertRange(&Table, Range(&Probe, 201, MAX_VPN)));
    KT_EXPECT_EQ(Table.NumberOfNodes, 4);
    ExpectValid(&Table);
    KT_EXPECT(RtlAvlFindRange(&Table, 0) == &Below);
    KT_EXPECT(RtlAvlFindRange(&Table, 99) == &Below);
    KT_EXPECT(RtlAvlFindRange(&Table, 100) == &Held);
    KT_EXPECT(RtlAvlFindRange(&Table, 201) == NULL);
    KT_EXPECT(RtlAvlFindRange(&Table, MAX_VPN) == &Top);
    KT_EXPECT(RtlAvlFindFirstOverlap(&Table, 150, MAX_VPN) == &Held);
    KT_EXPECT(RtlAvlFindFirstOverlap(&Table, 201, MAX_VPN - 1) == NULL);
    KT_EXPECT(RtlAvlFindFirstOverlap(&Table, 201, MAX_VPN) == &Top);
    KT_EXPECT(RtlAvlFindFirstOverlap(&Table, 5, 4) == NULL);
}

KTEST(avl, empty_table_answers_nothing)
{
    RTL_AVL_RANGE_TABLE Table;
    ULONG_PTR Found = 0;

    RtlAvlInitializeTable(&Table);
    KT_EXPECT(RtlAvlFindRange(&Table, 0) == NULL);
    KT_EXPECT(RtlAvlFindFirstOverlap(&Table, 0, MAX_VPN) == NULL);
    KT_EXPECT(RtlAvlFirstRange(&Table) == NULL);
    KT_EXPECT(RtlAvlLastRange(&Table) == NULL);
    KT_EXPECT(RtlAvlFindEmptyRange(&Table, MAX_VPN, 1, 0, MAX_VPN, &Found));
    KT_EXPECT_EQ(Found, 0);
    ExpectValid(&Table);
}

/* Both expect a local RTL_AVL_RANGE_TABLE Table and ULONG_PTR Found. */
#define EXPECT_GAP(Pages, Align, Low, High, Expected) \
    do { Found = 0xBAD; KT_EXPECT(RtlAvlFindEmptyRange(&Table, Pages, Align, Low, High, &Found)); \
         KT_EXPECT_EQ(Found, Expected); } while (0)
#define EXPECT_NO_GAP(Pages, Align, Low, High) \
    KT_EXPECT(!RtlAvlFindEmptyRange(&Table, Pages, Align, Low, High, &Found))

KTEST(avl, empty_range_first_fit_edges)
{
    static RTL_AVL_RANGE_NODE N[4];
    RTL_AVL_RANGE_TABLE Table;
    ULONG_PTR Found;

    /* Free: 0-9 (10 pages), 20-24 (5), 31-39 (9), 50 and up. */
    RtlAvlInitializeTable(&Table);
    RtlAvlInsertRange(&Table, Range(&N[0], 25, 30));
    RtlAvlInsertRange(&Table, Range(&N[1], 40, 49));
    RtlAvlInsertRange(&Table, Range(&N[2], 10, 19));

    EXPECT_GAP(5, 1, 0, 100, 0);        /* at the bottom limit */
    EXPECT_GAP(10, 1, 0, 100, 0);       /* exact fit at the bottom */
    EXPECT_GAP(11, 1, 0, 100, 50);
    EXPECT_GAP(5, 1, 12, 100, 20);      /* exact fit between two ranges */
    EXPECT_GAP(9, 1, 12, 100, 31);
    EXPECT_GAP(10, 1, 12, 100, 50);
    EXPECT_GAP(10, 1, 12, 59, 50);      /* exact fit at the top limit */
    EXPECT_NO_GAP(10, 1, 12, 58);       /* one page short */
    EXPECT_GAP(1, 1, 27, 100, 31);      /* the lowest page is taken */
    EXPECT_GAP(4, 1, 21, 100, 21);      /* part of a gap */
    EXPECT_GAP(10, 1, 0, 9, 0);
    EXPECT_NO_GAP(11, 1, 0, 9);
    EXPECT_NO_GAP(1, 1, 10, 19);        /* the whole window is taken */
    EXPECT_NO_GAP(1, 1, 20, 19);        /* an empty window */
    EXPECT_NO_GAP(0, 1, 0, 100);        /* no pages */
    EXPECT_NO_GAP(1, 3, 0, 100);        /* not a power of two */
    EXPECT_NO_GAP(1, 0, 0, 100);

    /* Aligned: a candidate that collides moves to the next boundary after the range in its way. */
    EXPECT_GAP(4, 8, 0, 100, 0);
    EXPECT_GAP(4, 8, 1, 100, 32);       /* 8 runs into 10-19, 24 into 25-30 */
    EXPECT_GAP(1, 16, 1, 100, 32);
    EXPECT_NO_GAP(1, 16, 1, 31);
    /* Alignment jumps over whole ranges: from 20 the next 32-page boundary, 32, is past 21-21 and 25-30. */
    RtlAvlInsertRange(&Table, Range(&N[3], 21, 21));
    EXPECT_GAP(16, 32, 0, 100, 64);
    ExpectValid(&Table);
}

KTEST(avl, empty_range_at_the_top_of_the_address_space)
{
    static RTL_AVL_RANGE_NODE Top, Bottom;
    RTL_AVL_RANGE_TABLE Table;
    ULONG_PTR Found;

    RtlAvlInitializeTable(&Table);
    RtlAvlInsertRange(&Table, Range(&Top, MAX_VPN - 9, MAX_VPN));
    EXPECT_NO_GAP(1, 1, MAX_VPN - 9, MAX_VPN);          /* the candidate would wrap past the last range */
    EXPECT_GAP(1, 1, MAX_VPN - 10, MAX_VPN, MAX_VPN - 10);
    EXPECT_NO_GAP(1, 16, MAX_VPN - 3, MAX_VPN);         /* aligning up would wrap */

    RtlAvlRemoveRange(&Table, &Top);
    RtlAvlInsertRange(&Table, Range(&Top, MAX_VPN - 9, MAX_VPN - 5));
    EXPECT_GAP(5, 1, MAX_VPN - 9, MAX_VPN, MAX_VPN - 4);   /* exact fit at the very top */
    EXPECT_NO_GAP(6, 1, MAX_VPN - 9, MAX_VPN);

    RtlAvlRemoveRange(&Table, &Top);
    RtlAvlInsertRange(&Table, Range(&Bottom, 0, 0));
    EXPECT_GAP(MAX_VPN, 1, 0, MAX_VPN, 1);              /* every page but the first */
    EXPECT_NO_GAP(MAX_VPN, 2, 0, MAX_VPN);
    ExpectValid(&Table);
}

#define EXPECT_GAP_DOWN(Pages, Align, Low, High, Expected) \
    do { Found = 0xBAD; KT_EXPECT(RtlAvlFindEmptyRangeDown(&Table, Pages, Align, Low, High, &Found)); \
         KT_EXPECT_EQ(Found, Expected); } while (0)
#define EXPECT_NO_GAP_DOWN(Pages, Align, Low, High) \
    KT_EXPECT(!RtlAvlFindEmptyRangeDown(&Table, Pages, Align, Low, High, &Found))

KTEST(avl, empty_range_top_down_edges)
{
    static RTL_AVL_RANGE_NODE N[3];
    RTL_AVL_RANGE_TABLE Table;
    ULONG_PTR Found;

    /* Free: 0-9 (10 pages), 20-24 (5), 31-39 (9), 50 and up. */
    RtlAvlInitializeTable(&Table);
    RtlAvlInsertRange(&Table, Range(&N[0], 25, 30));
    RtlAvlInsertRange(&Table, Range(&N[1], 40, 49));
    RtlAvlInsertRange(&Table, Range(&N[2], 10, 19));

    EXPECT_GAP_DOWN(5, 1, 0, 100, 96);        /* at the top limit */
    EXPECT_GAP_DOWN(9, 1, 0, 49, 31);         /* exact fit below a range */
    EXPECT_GAP_DOWN(10, 1, 0, 49, 0);         /* too big for 31-39 and 20-24 */
    EXPECT_NO_GAP_DOWN(11, 1, 0, 49);
    EXPECT_GAP_DOWN(5, 1, 0, 30, 20);
    EXPECT_GAP_DOWN(1, 1, 0, 49, 39);
    EXPECT_NO_GAP_DOWN(1, 1, 10, 19);         /* the whole window is taken */
    EXPECT_NO_GAP_DOWN(1, 1, 20, 19);         /* an empty window */
    EXPECT_NO_GAP_DOWN(0, 1, 0, 100);
    EXPECT_NO_GAP_DOWN(1, 3, 0, 100);
    EXPECT_GAP_DOWN(4, 8, 0, 49, 32);         /* 32-35 is the highest aligned run below 40 */
    EXPECT_GAP_DOWN(4, 16, 0, 47, 32);        /* past 40-49, 32-35 is free */
    EXPECT_GAP_DOWN(4, 16, 0, 34, 0);         /* 16 runs into 25-30, then into 10-19: down to 0 */
    EXPECT_NO_GAP_DOWN(4, 16, 1, 34);
    EXPECT_GAP_DOWN(MAX_VPN - 49, 1, 0, MAX_VPN, 50);
    ExpectValid(&Table);
}

KTEST(avl, iteration_visits_ranges_in_address_order)
{
    enum { COUNT = 1000 };
    static ULONG Order[COUNT];
    RTL_AVL_RANGE_TABLE Table;
    PRTL_AVL_RANGE_NODE Node;
    ULONG Seen = 0;

    RandomState = 77;
    for (ULONG i = 0; i < COUNT; i++)
        Order[i] = i;
    for (ULONG i = COUNT - 1; i > 0; i--) {
        ULONG j = (ULONG)Random(i + 1), Swap = Order[i];
        Order[i] = Order[j];
        Order[j] = Swap;
    }
    RtlAvlInitializeTable(&Table);
    for (ULONG i = 0; i < COUNT; i++)
        KT_ASSERT(RtlAvlInsertRange(&Table, Range(&Nodes[Order[i]], Order[i] * 10, Order[i] * 10 + Order[i] % 7)));
    ExpectValid(&Table);

    for (Node = RtlAvlFirstRange(&Table); Node != NULL; Node = RtlAvlNextRange(Node), Seen++)
        KT_ASSERT(Node == &Nodes[Seen]);
    KT_EXPECT_EQ(Seen, COUNT);
    for (Node = RtlAvlLastRange(&Table); Node != NULL; Node = RtlAvlPreviousRange(Node))
        KT_ASSERT(Node == &Nodes[--Seen]);
    KT_EXPECT_EQ(Seen, 0);
    KT_EXPECT(RtlAvlPreviousRange(RtlAvlFirstRange(&Table)) == NULL);
    KT_EXPECT(RtlAvlNextRange(RtlAvlLastRange(&Table)) == NULL);
}

KTEST(avl, sorted_inserts_and_removals_stay_balanced)
{
    enum { COUNT = MODEL_NODES };
    RTL_AVL_RANGE_TABLE Table;

    RtlAvlInitializeTable(&Table);
    for (ULONG i = 0; i < COUNT; i++)
        KT_ASSERT(RtlAvlInsertRange(&Table, Range(&Nodes[i], i, i)));
    ExpectValid(&Table);
    KT_EXPECT(WithinAvlHeight(&Table));
    for (ULONG i = 0; i < COUNT; i += 2)
        RtlAvlRemoveRange(&Table, &Nodes[i]);
    ExpectValid(&Table);
    KT_EXPECT(WithinAvlHeight(&Table));
    for (ULONG i = COUNT - 1; i < COUNT; i -= 2)
        RtlAvlRemoveRange(&Table, &Nodes[i]);
    KT_EXPECT(Table.Root == NULL);

    for (ULONG i = COUNT; i-- > 0;)
        KT_ASSERT(RtlAvlInsertRange(&Table, Range(&Nodes[i], i * 2, i * 2 + 1)));
    ExpectValid(&Table);
    KT_EXPECT(WithinAvlHeight(&Table));
    KT_EXPECT(RtlAvlFindRange(&Table, 2 * COUNT - 1) == &Nodes[COUNT - 1]);
}

/* --- the validator must catch what it claims to --- */

static BOOLEAN Contains(PCSTR Text, PCSTR Word)
{
    for (; *Text != '\0'; Text++)
        if (strncmp(Text, Word, strlen(Word)) == 0)
            return TRUE;
    return FALSE;
}

static BOOLEAN Catches(PRTL_AVL_RANGE_TABLE Table, PCSTR Word, PRTL_AVL_RANGE_NODE Where)
{
    PCSTR Problem = NULL;
    PRTL_AVL_RANGE_NODE BadNode = (PRTL_AVL_RANGE_NODE)1;

    if (RtlAvlValidateTable(Table, &Problem, &BadNode))
        return FALSE;
    KtLog("caught: %s", Problem);
    return Problem != NULL && Contains(Problem, Word) && BadNode == Where;
}

/* The lowest node with two children (Children 2) or none (Children 0). */
static PRTL_AVL_RANGE_NODE FirstWithChildren(PRTL_AVL_RANGE_TABLE Table, ULONG Children)
{
    PRTL_AVL_RANGE_NODE Node = RtlAvlFirstRange(Table);

    while (Node != NULL && (Node->Links.LeftChild != NULL) + (Node->Links.RightChild != NULL) != (int)Children)
        Node = RtlAvlNextRange(Node);
    return Node;
}

/* The validator counts nodes on the way down, so an overcount shows at the last node in pre-order. */
static PRTL_AVL_RANGE_NODE LastInPreorder(PRTL_AVL_RANGE_TABLE Table)
{
    PRTL_AVL_NODE Links = Table->Root;

    while (Links->LeftChild != NULL || Links->RightChild != NULL)
        Links = Links->RightChild != NULL ? Links->RightChild : Links->LeftChild;
    return CONTAINING_RECORD(Links, RTL_AVL_RANGE_NODE, Links);
}

KTEST(avl, validator_catches_corruption)
{
    enum { COUNT = 200 };
    RTL_AVL_RANGE_TABLE Table;
    PRTL_AVL_RANGE_NODE Inner, Leaf, Next;
    PRTL_AVL_NODE Saved;
    LONG SavedBalance;
    ULONG_PTR SavedVpn;

    RandomState = 4242;
    RtlAvlInitializeTable(&Table);
    for (ULONG i = 0; i < COUNT;) {
        ULONG_PTR Start = Random(100000);
        i += RtlAvlInsertRange(&Table, Range(&Nodes[i], Start, Start + Random(20)));
    }
    ExpectValid(&Table);
    Inner = FirstWithChildren(&Table, 2);
    Leaf = FirstWithChildren(&Table, 0);
    KT_ASSERT(Inner != NULL && Leaf != NULL && Inner != CONTAINING_RECORD(Table.Root, RTL_AVL_RANGE_NODE, Links));
    KT_ASSERT(RtlAvlValidateTable(&Table, NULL, NULL));   /* both outputs are optional */

    /* A balance factor that disagrees with the heights. */
    SavedBalance = Inner->Links.Balance;
    Inner->Links.Balance = SavedBalance == 0 ? 1 : 0;
    KT_EXPECT(Catches(&Table, "balance factor differs", Inner));
    KT_EXPECT(!RtlAvlValidateTable(&Table, NULL, NULL));
    Inner->Links.Balance = SavedBalance;
    ExpectValid(&Table);

    /* A child whose Parent points elsewhere. */
    Saved = Inner->Links.RightChild->Parent;
    Inner->Links.RightChild->Parent = &Leaf->Links;
    KT_EXPECT(Catches(&Table, "right child's Parent", CONTAINING_RECORD(Inner->Links.RightChild, RTL_AVL_RANGE_NODE, Links)));
    Inner->Links.RightChild->Parent = Saved;
    Saved = Inner->Links.LeftChild->Parent;
    Inner->Links.LeftChild->Parent = NULL;
    KT_EXPECT(Catches(&Table, "left child's Parent", CONTAINING_RECORD(Inner->Links.LeftChild, RTL_AVL_RANGE_NODE, Links)));
    Inner->Links.LeftChild->Parent = Saved;
    ExpectValid(&Table);

    /* A cycle: a leaf whose child is the root. */
    Leaf->Links.LeftChild = Table.Root;
    KT_EXPECT(Catches(&Table, "left child's Parent", CONTAINING_RECORD(Table.Root, RTL_AVL_RANGE_NODE, Links)));
    Leaf->Links.LeftChild = NULL;

    /* Out of order, then overlapping its neighbour, then an inverted range. */
    Next = RtlAvlNextRange(Inner);
    SavedVpn = Next->StartingVpn;
    Next->StartingVpn = RtlAvlPreviousRange(Inner)->EndingVpn;
    KT_EXPECT(Catches(&Table, "out of order", Next));
    Next->StartingVpn = Inner->EndingVpn;
    KT_EXPECT(Catches(&Table, "overlaps", Next));
    Next->StartingVpn = Next->EndingVpn + 1;
    KT_EXPECT(Catches(&Table, "starts after it ends", Next));
    Next->StartingVpn = SavedVpn;
    ExpectValid(&Table);

    /* A count that disagrees with the tree, each way. */
    Table.NumberOfNodes++;
    KT_EXPECT(Catches(&Table, "fewer nodes", NULL));
    Table.NumberOfNodes -= 2;
    KT_EXPECT(Catches(&Table, "more nodes", LastInPreorder(&Table)));
    Table.NumberOfNodes++;

    /* A root with a parent. */
    Table.Root->Parent = &Leaf->Links;
    KT_EXPECT(Catches(&Table, "root has a parent", CONTAINING_RECORD(Table.Root, RTL_AVL_RANGE_NODE, Links)));
    Table.Root->Parent = NULL;
    ExpectValid(&Table);
}

KTEST(avl, validator_catches_shapes_no_avl_tree_has)
{
    enum { CHAIN = 50 };
    RTL_AVL_RANGE_TABLE Table = { NULL, CHAIN };

    /* Balance factors true to the heights, but +2: a tree built without rotations. */
    for (ULONG i = 0; i < 3; i++) {
        Range(&Nodes[i], i * 10, i * 10);
        Nodes[i].Links = (RTL_AVL_NODE){ i ? &Nodes[i - 1].Links : NULL, NULL, i < 2 ? &Nodes[i + 1].Links : NULL,
                                         (LONG)(2 - i) };
    }
    Table.Root = &Nodes[0].Links;
    Table.NumberOfNodes = 3;
    KT_EXPECT(Catches(&Table, "outside -1..+1", &Nodes[0]));

    /* A chain deeper than any AVL tree can be: caught on the way down, before any balance is read. */
    for (ULONG i = 0; i < CHAIN; i++) {
        Range(&Nodes[i], i * 10, i * 10);
        Nodes[i].Links = (RTL_AVL_NODE){ i ? &Nodes[i - 1].Links : NULL, NULL,
                                         i + 1 < CHAIN ? &Nodes[i + 1].Links : NULL, 1 };
    }
    Table.NumberOfNodes = CHAIN;
    KT_EXPECT(Catches(&Table, "deeper", &Nodes[45]));
}
