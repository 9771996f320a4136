/*
 * avl_fuzz.c: libFuzzer target for the range tree (lib/rtl/avl.c): sequences of inserts,
 * removals, finds, overlap queries, walks and empty-range searches (up and down) against a sorted
 * array, with the tree validated after every step. Page numbers are the kernel's 32-bit ones and
 * are drawn toward 0 and the top, where "the page after the last" does not exist.
 */
#include "fuzz.h"
#include <rtl/avl.h>
#include <string.h>

#define FUZZ_NODES 48
#define TOP_VPN 0xFFFFFFFFull

/* The model: the ranges in the tree, sorted, as 64-bit numbers. */
typedef struct _MODEL_RANGE {
    ULONGLONG Start, End;
    PRTL_AVL_RANGE_NODE Node;
} MODEL_RANGE;

static MODEL_RANGE Model[FUZZ_NODES];
static ULONG ModelCount;
static RTL_AVL_RANGE_NODE Nodes[FUZZ_NODES];
static BOOLEAN NodeInUse[FUZZ_NODES];

static PRTL_AVL_RANGE_NODE ModelFirstOverlap(ULONGLONG Start, ULONGLONG End)
{
    for (ULONG i = 0; i < ModelCount; i++)
        if (Model[i].End >= Start && Model[i].Start <= End)
            return Model[i].Node;
    return NULL;
}

/*
 * The free runs, gap by gap in 64-bit numbers: the first (Down: the last) aligned start in a gap,
 * clipped to Low..High, whose run of Pages fits. The gaps are everything no range holds, 0 to 2^32-1.
 */
static BOOLEAN ModelFindEmpty(ULONGLONG Pages, ULONGLONG Alignment, ULONGLONG Low, ULONGLONG High, BOOLEAN Down,
                              ULONGLONG *Found)
{
    if (Pages == 0 || Alignment == 0 || (Alignment & (Alignment - 1)) != 0 || Low > High)
        return FALSE;
    for (ULONG Step = 0; Step <= ModelCount; Step++) {
        ULONG Gap = Down ? ModelCount - Step : Step;
        ULONGLONG First = Gap == 0 ? 0 : Model[Gap - 1].End + 1;
        ULONGLONG Last = Gap == ModelCount ? TOP_VPN : Model[Gap].Start - 1;
        ULONGLONG Start;

        if (Gap < ModelCount && Model[Gap].Start == First)
            continue;                                   /* no gap before this range */
        if (First < Low)
            First = Low;
        if (Last > High)
            Last = High;
        if (First > Last || Last - First + 1 < Pages)
            continue;
        Start = Down ? (Last - Pages + 1) / Alignment * Alignment : (First + Alignment - 1) / Alignment * Alignment;
        if (Start >= First && Start + Pages - 1 <= Last) {
            *Found = Start;
            return TRUE;
        }
    }
    return FALSE;
}

static VOID CheckTable(PRTL_AVL_RANGE_TABLE Table)
{
    PCSTR Problem = NULL;
    PRTL_AVL_RANGE_NODE Node;

    if (!RtlAvlValidateTable(Table, &Problem, NULL)) {
        fprintf(stderr, "the validator says: %s\n", Problem);
        FUZZ_CHECK(!"the tree is valid");
    }
    FUZZ_CHECK(Table->NumberOfNodes == ModelCount);
    Node = RtlAvlFirstRange(Table);
    for (ULONG i = 0; i < ModelCount; i++, Node = RtlAvlNextRange(Node))
        FUZZ_CHECK(Node == Model[i].Node);
    FUZZ_CHECK(Node == NULL);
    Node = RtlAvlLastRange(Table);
    for (ULONG i = ModelCount; i-- > 0; Node = RtlAvlPreviousRange(Node))
        FUZZ_CHECK(Node == Model[i].Node);
    FUZZ_CHECK(Node == NULL);
}

static VOID Insert(PRTL_AVL_RANGE_TABLE Table, ULONG_PTR Start, ULONG_PTR End)
{
    ULONG Free = 0, Position = 0;
    PRTL_AVL_RANGE_NODE Node;
    BOOLEAN Expected;

    while (Free < FUZZ_NODES && NodeInUse[Free])
        Free++;
    if (Free == FUZZ_NODES)
        return;
    Node = &Nodes[Free];
    Node->StartingVpn = Start;
    Node->EndingVpn = End;
    Expected = Start <= End && ModelFirstOverlap(Start, End) == NULL;
    FUZZ_CHECK(RtlAvlInsertRange(Table, Node) == Expected);
    if (!Expected)
        return;
    NodeInUse[Free] = TRUE;
    while (Position < ModelCount && Model[Position].Start < Start)
        Position++;
    memmove(&Model[Position + 1], &Model[Position], (ModelCount - Position) * sizeof(Model[0]));
    Model[Position] = (MODEL_RANGE){ Start, End, Node };
    ModelCount++;
}

static VOID Remove(PRTL_AVL_RANGE_TABLE Table, ULONG Index)
{
    PRTL_AVL_RANGE_NODE Node = Model[Index].Node;

    RtlAvlRemoveRange(Table, Node);
    NodeInUse[Node - Nodes] = FALSE;
    memmove(&Model[Index], &Model[Index + 1], (ModelCount - Index - 1) * sizeof(Model[0]));
    ModelCount--;
}

/* A page number near 0, near the top, next to a range already there, or anywhere. */
static ULONG_PTR Vpn(FUZZ_INPUT *Input)
{
    UCHAR Kind = FuzzByte(Input);

    if ((Kind & 3) == 3 && ModelCount != 0) {
        const MODEL_RANGE *Range = &Model[FuzzBelow(Input, ModelCount)];
        ULONGLONG Vpn = (Kind & 4) ? Range->End + 1 + (Kind >> 4) : Range->Start - (Kind >> 4);

        return (ULONG_PTR)Vpn;
    }
    return FuzzEdgyUlong(Input);
}

static ULONG_PTR Alignment(FUZZ_INPUT *Input)
{
    UCHAR Choice = FuzzByte(Input);

    /* Mostly powers of two; now and then anything, which must be refused. */
    return Choice < 0xF0 ? (ULONG_PTR)1 << (Choice % 32) : FuzzUlong(Input);
}

int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size)
{
    FUZZ_INPUT Input = { Data, Size };
    RTL_AVL_RANGE_TABLE Table;

    RtlAvlInitializeTable(&Table);
    ModelCount = 0;
    memset(NodeInUse, 0, sizeof(NodeInUse));
    while (!FuzzDone(&Input)) {
        UCHAR Operation = FuzzByte(&Input);

        switch (Operation % 6) {
        case 0: {
            ULONG_PTR Start = Vpn(&Input);
            ULONG_PTR Length = FuzzEdgyUlong(&Input);

            /* A length of 0 asks for an empty range (End before Start), which must be refused. */
            Insert(&Table, Start, Length == 0 ? Start - 1 : Start + (Length - 1));
            break;
        }
        case 1:
            if (ModelCount != 0)
                Remove(&Table, FuzzBelow(&Input, ModelCount));
            break;
        case 2: {
            ULONG_PTR Target = Vpn(&Input);

            FUZZ_CHECK(RtlAvlFindRange(&Table, Target) == ModelFirstOverlap(Target, Target));
            break;
        }
        case 3: {
            ULONG_PTR Start = Vpn(&Input), End = Vpn(&Input);

            FUZZ_CHECK(RtlAvlFindFirstOverlap(&Table, Start, End) ==
                       (Start <= End ? ModelFirstOverlap(Start, End) : NULL));
            break;
        }
        default: {
            BOOLEAN Down = Operation % 6 == 5;
            ULONG_PTR Pages = FuzzEdgyUlong(&Input), Align = Alignment(&Input);
            ULONG_PTR Low = Vpn(&Input), High = Vpn(&Input), Found = 0;
            ULONGLONG Expected = 0;
            BOOLEAN Fits = ModelFindEmpty(Pages, Align, Low, High, Down, &Expected);
            BOOLEAN Answer = Down ? RtlAvlFindEmptyRangeDown(&Table, Pages, Align, Low, High, &Found)
                                  : RtlAvlFindEmptyRange(&Table, Pages, Align, Low, High, &Found);

            FUZZ_CHECK(Answer == Fits);
            FUZZ_CHECK(!Fits || Found == Expected);
            break;
        }
        }
        CheckTable(&Table);
    }
    while (ModelCount != 0)
        Remove(&Table, ModelCount - 1);
    CheckTable(&Table);
    return 0;
}
