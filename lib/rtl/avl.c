/*
 * avl.c: the AVL tree of page ranges behind a process's VADs (include/rtl/avl.h).
 *
 * Why AVL and how it stays balanced. A VAD tree is read far more often than
 * it changes (a fault on a page whose PTE is still zero looks up its VAD;
 * only reserving, releasing and mapping views change the tree), so it pays
 * to keep it as short as possible: an AVL tree is at most about 1.44
 * log2(n) deep, where a red-black tree may reach 2 log2(n). NT's own VAD
 * tree (MM_AVL_TABLE, from Server 2003 on) is an AVL tree as well.
 *
 * Each node keeps the height of its right subtree minus that of its left,
 * which the AVL rule holds to -1, 0 or +1. Heights are never stored: a
 * change is always one level, and the balance factors along one path say
 * everything about it.
 *
 * Insertion adds a leaf and walks up. At each ancestor the side that grew
 * moves the balance by one. If it becomes 0 the ancestor's height did not
 * change (the shorter side caught up) and the walk ends; if it becomes +-1
 * the ancestor grew too and the walk goes on; if it becomes +-2 one or two
 * rotations there restore the subtree to its height before the insertion,
 * so nothing above changes and the walk ends. At most two rotations per
 * insertion.
 *
 * Removal first reduces to unlinking a node with at most one child: a node
 * with two is replaced, links and balance, by its in-order successor, which
 * has no left child. (Nodes belong to the caller, so they are relinked,
 * never copied.) Then the walk goes up from where a subtree got shorter:
 * a balance that becomes +-1 means the ancestor kept its height and the
 * walk ends; 0 means it shrank and the walk goes on; +-2 means a rotation,
 * after which the subtree either kept its height (the heavy child was
 * balanced: end) or shrank (go on). A removal may rotate at every level.
 *
 * A rotation here is one primitive, promoting a node above its parent;
 * the "double rotation" is the same node promoted twice. The new balance
 * factors after a rebalance follow from the old ones alone, so no height is
 * ever recomputed. Nothing recurses: searches descend, fix-ups ascend
 * through Parent, and the validator walks with Parent links it has checked.
 */
#include <rtl/avl.h>

/*
 * The fewest nodes an AVL tree of height h can hold is F(h+2)-1 (F the
 * Fibonacci numbers): F(48)-1 is past 2^32, so a table whose NumberOfNodes
 * is a ULONG is never taller than 45.
 */
#define RTLP_AVL_MAX_HEIGHT 45

#ifdef RTL_AVL_COUNT_COMPARES
ULONGLONG RtlAvlCompareCount;
#define RtlpAvlCountCompare() (RtlAvlCompareCount++)
#else
#define RtlpAvlCountCompare() ((VOID)0)
#endif

static PRTL_AVL_RANGE_NODE RtlpAvlRange(PRTL_AVL_NODE Links)
{
    return Links != NULL ? CONTAINING_RECORD(Links, RTL_AVL_RANGE_NODE, Links) : NULL;
}

VOID RtlAvlInitializeTable(PRTL_AVL_RANGE_TABLE Table)
{
    Table->Root = NULL;
    Table->NumberOfNodes = 0;
}

/* Points whatever held OldChild (its parent's link or the root) at NewChild. */
static VOID RtlpAvlReplaceChild(PRTL_AVL_RANGE_TABLE Table, PRTL_AVL_NODE Parent, PRTL_AVL_NODE OldChild,
                                PRTL_AVL_NODE NewChild)
{
    if (Parent == NULL)
        Table->Root = NewChild;
    else if (Parent->LeftChild == OldChild)
        Parent->LeftChild = NewChild;
    else
        Parent->RightChild = NewChild;
}

/*
 * Rotates Node above its parent, keeping the in-order sequence: the subtree
 * on Node's inner side changes parent. Balance factors are the caller's.
 */
static VOID RtlpAvlPromote(PRTL_AVL_RANGE_TABLE Table, PRTL_AVL_NODE Node)
{
    PRTL_AVL_NODE Parent = Node->Parent;
    PRTL_AVL_NODE GrandParent = Parent->Parent;
    PRTL_AVL_NODE Inner;

    if (Parent->LeftChild == Node) {
        Inner = Node->RightChild;
        Parent->LeftChild = Inner;
        Node->RightChild = Parent;
    } else {
        Inner = Node->LeftChild;
        Parent->RightChild = Inner;
        Node->LeftChild = Parent;
    }
    if (Inner != NULL)
        Inner->Parent = Parent;
    Parent->Parent = Node;
    Node->Parent = GrandParent;
    RtlpAvlReplaceChild(Table, GrandParent, Parent, Node);
}

/*
 * Node's balance is +-2: rotates its subtree back into shape and returns
 * the subtree's new root. That root's balance is 0 when the subtree ended
 * one level shorter than it was at +-2, and +-1 when it kept its height
 * (possible only after a removal, when the heavy child was balanced).
 */
static PRTL_AVL_NODE RtlpAvlRebalance(PRTL_AVL_RANGE_TABLE Table, PRTL_AVL_NODE Node)
{
    LONG Sign = Node->Balance > 0 ? 1 : -1;
    PRTL_AVL_NODE Heavy = Sign > 0 ? Node->RightChild : Node->LeftChild;

    /* NOLINTNEXTLINE(clang-analyzer-core.NullDereference): a balance of +-2 means that side is two levels deep. */
    if (Heavy->Balance == -Sign) {
        /* Heavy leans back toward Node: its inner child rises two levels, taking one subtree to each side. */
        PRTL_AVL_NODE Inner = Sign > 0 ? Heavy->LeftChild : Heavy->RightChild;

        RtlpAvlPromote(Table, Inner);
        RtlpAvlPromote(Table, Inner);
        Node->Balance = Inner->Balance == Sign ? -Sign : 0;
        Heavy->Balance = Inner->Balance == -Sign ? Sign : 0;
        Inner->Balance = 0;
        return Inner;
    }
    RtlpAvlPromote(Table, Heavy);
    if (Heavy->Balance == 0) {
        Node->Balance = Sign;
        Heavy->Balance = -Sign;
    } else {
        Node->Balance = 0;
        Heavy->Balance = 0;
    }
    return Heavy;
}

BOOLEAN RtlAvlInsertRange(PRTL_AVL_RANGE_TABLE Table, PRTL_AVL_RANGE_NODE Node)
{
    PRTL_AVL_NODE Parent = NULL, *Link = &Table->Root;
    PRTL_AVL_NODE Child, Links = &Node->Links;

    if (Node->StartingVpn > Node->EndingVpn)
        return FALSE;
    while (*Link != NULL) {
        PRTL_AVL_RANGE_NODE Range = RtlpAvlRange(*Link);

        Parent = *Link;
        if (Node->EndingVpn < Range->StartingVpn)
            Link = &Parent->LeftChild;
        else if (Node->StartingVpn > Range->EndingVpn)
            Link = &Parent->RightChild;
        else
            return FALSE;
    }
    Links->Parent = Parent;
    Links->LeftChild = Links->RightChild = NULL;
    Links->Balance = 0;
    *Link = Links;
    Table->NumberOfNodes++;

    for (Child = Links; Parent != NULL; Child = Parent, Parent = Parent->Parent) {
        Parent->Balance += Parent->LeftChild == Child ? -1 : 1;
        if (Parent->Balance == 0)
            break;
        if (Parent->Balance != 1 && Parent->Balance != -1) {
            RtlpAvlRebalance(Table, Parent);
            break;
        }
    }
    return TRUE;
}

/*
 * Parent's subtree on the left (FromLeft) or right side has just become one
 * level shorter: fixes balances and rotations up to where heights hold.
 */
static VOID RtlpAvlRetraceAfterRemoval(PRTL_AVL_RANGE_TABLE Table, PRTL_AVL_NODE Parent, BOOLEAN FromLeft)
{
    while (Parent != NULL) {
        Parent->Balance += FromLeft ? 1 : -1;
        if (Parent->Balance == 1 || Parent->Balance == -1)
            return;
        if (Parent->Balance != 0) {
            Parent = RtlpAvlRebalance(Table, Parent);
            if (Parent->Balance != 0)
                return;
        }
        if (Parent->Parent != NULL)
            FromLeft = Parent->Parent->LeftChild == Parent;
        Parent = Parent->Parent;
    }
}

VOID RtlAvlRemoveRange(PRTL_AVL_RANGE_TABLE Table, PRTL_AVL_RANGE_NODE Node)
{
    PRTL_AVL_NODE Links = &Node->Links, Parent = Links->Parent;
    PRTL_AVL_NODE Successor, RetraceFrom;
    BOOLEAN FromLeft;

    Table->NumberOfNodes--;
    if (Links->LeftChild == NULL || Links->RightChild == NULL) {
        PRTL_AVL_NODE Child = Links->LeftChild != NULL ? Links->LeftChild : Links->RightChild;

        if (Child != NULL)
            Child->Parent = Parent;
        FromLeft = Parent != NULL && Parent->LeftChild == Links;
        RtlpAvlReplaceChild(Table, Parent, Links, Child);
        RtlpAvlRetraceAfterRemoval(Table, Parent, FromLeft);
        return;
    }

    /* Two children: the successor (leftmost on the right) takes Node's place, links and balance. */
    for (Successor = Links->RightChild; Successor->LeftChild != NULL;)
        Successor = Successor->LeftChild;
    if (Successor->Parent == Links) {
        /* It keeps its right subtree; the side that shrank is the right side of Node's old place. */
        RetraceFrom = Successor;
        FromLeft = FALSE;
    } else {
        RetraceFrom = Successor->Parent;
        FromLeft = TRUE;
        RetraceFrom->LeftChild = Successor->RightChild;
        if (Successor->RightChild != NULL)
            Successor->RightChild->Parent = RetraceFrom;
        Successor->RightChild = Links->RightChild;
        Links->RightChild->Parent = Successor;
    }
    Successor->LeftChild = Links->LeftChild;
    Links->LeftChild->Parent = Successor;
    Successor->Parent = Parent;
    Successor->Balance = Links->Balance;
    RtlpAvlReplaceChild(Table, Parent, Links, Successor);
    RtlpAvlRetraceAfterRemoval(Table, RetraceFrom, FromLeft);
}

PRTL_AVL_RANGE_NODE RtlAvlFindRange(PRTL_AVL_RANGE_TABLE Table, ULONG_PTR Vpn)
{
    PRTL_AVL_NODE Links = Table->Root;

    while (Links != NULL) {
        PRTL_AVL_RANGE_NODE Range = RtlpAvlRange(Links);

        RtlpAvlCountCompare();
        if (Vpn < Range->StartingVpn)
            Links = Links->LeftChild;
        else if (Vpn > Range->EndingVpn)
            Links = Links->RightChild;
        else
            return Range;
    }
    return NULL;
}

/* The lowest range ending at or after Vpn, or NULL: the only one that can hold Vpn or follow it first. */
static PRTL_AVL_RANGE_NODE RtlpAvlFirstEndingAtOrAfter(PRTL_AVL_RANGE_TABLE Table, ULONG_PTR Vpn)
{
    PRTL_AVL_NODE Links = Table->Root;
    PRTL_AVL_RANGE_NODE Best = NULL;

    while (Links != NULL) {
        PRTL_AVL_RANGE_NODE Range = RtlpAvlRange(Links);

        if (Range->EndingVpn >= Vpn) {
            Best = Range;
            Links = Links->LeftChild;
        } else {
            Links = Links->RightChild;
        }
    }
    return Best;
}

PRTL_AVL_RANGE_NODE RtlAvlFindFirstOverlap(PRTL_AVL_RANGE_TABLE Table, ULONG_PTR StartingVpn, ULONG_PTR EndingVpn)
{
    PRTL_AVL_RANGE_NODE Range;

    if (StartingVpn > EndingVpn)
        return NULL;
    Range = RtlpAvlFirstEndingAtOrAfter(Table, StartingVpn);
    return Range != NULL && Range->StartingVpn <= EndingVpn ? Range : NULL;
}

/* Vpn rounded up to a multiple of Alignment; FALSE if that passes the top of the address space. */
static BOOLEAN RtlpAvlAlignUp(ULONG_PTR Vpn, ULONG_PTR Alignment, PULONG_PTR Aligned)
{
    ULONG_PTR Down = Vpn & ~(Alignment - 1);

    if (Down == Vpn) {
        *Aligned = Vpn;
        return TRUE;
    }
    if (Down > (ULONG_PTR)-1 - Alignment)
        return FALSE;
    *Aligned = Down + Alignment;
    return TRUE;
}

BOOLEAN RtlAvlFindEmptyRange(PRTL_AVL_RANGE_TABLE Table, ULONG_PTR NumberOfPages, ULONG_PTR Alignment,
                             ULONG_PTR LowestVpn, ULONG_PTR HighestVpn, PULONG_PTR StartingVpn)
{
    PRTL_AVL_RANGE_NODE Range;
    ULONG_PTR Candidate;

    if (NumberOfPages == 0 || Alignment == 0 || (Alignment & (Alignment - 1)) != 0)
        return FALSE;
    if (!RtlpAvlAlignUp(LowestVpn, Alignment, &Candidate))
        return FALSE;
    Range = RtlpAvlFirstEndingAtOrAfter(Table, Candidate);
    for (;;) {
        /* Written as differences so that runs touching the top of the address space do not wrap. */
        if (Candidate > HighestVpn || HighestVpn - Candidate < NumberOfPages - 1)
            return FALSE;
        /* Range is the first that ends at or after Candidate: it holds Candidate or bounds the gap above it. */
        if (Range == NULL || (Range->StartingVpn > Candidate && Range->StartingVpn - Candidate >= NumberOfPages)) {
            *StartingVpn = Candidate;
            return TRUE;
        }
        if (Range->EndingVpn == (ULONG_PTR)-1 || !RtlpAvlAlignUp(Range->EndingVpn + 1, Alignment, &Candidate))
            return FALSE;
        /* Alignment can carry the candidate past whole ranges: skip every one that ends below it. */
        do
            Range = RtlAvlNextRange(Range);
        while (Range != NULL && Range->EndingVpn < Candidate);
    }
}

/* The highest range starting at or before Vpn, or NULL: the one that can hold Vpn or precede it last. */
static PRTL_AVL_RANGE_NODE RtlpAvlLastStartingAtOrBefore(PRTL_AVL_RANGE_TABLE Table, ULONG_PTR Vpn)
{
    PRTL_AVL_NODE Links = Table->Root;
    PRTL_AVL_RANGE_NODE Best = NULL;

    while (Links != NULL) {
        PRTL_AVL_RANGE_NODE Range = RtlpAvlRange(Links);

        if (Range->StartingVpn <= Vpn) {
            Best = Range;
            Links = Links->RightChild;
        } else {
            Links = Links->LeftChild;
        }
    }
    return Best;
}

BOOLEAN RtlAvlFindEmptyRangeDown(PRTL_AVL_RANGE_TABLE Table, ULONG_PTR NumberOfPages, ULONG_PTR Alignment,
                                 ULONG_PTR LowestVpn, ULONG_PTR HighestVpn, PULONG_PTR StartingVpn)
{
    PRTL_AVL_RANGE_NODE Range;
    ULONG_PTR End = HighestVpn;

    if (NumberOfPages == 0 || Alignment == 0 || (Alignment & (Alignment - 1)) != 0 || HighestVpn < LowestVpn)
        return FALSE;
    Range = RtlpAvlLastStartingAtOrBefore(Table, End);
    for (;;) {
        ULONG_PTR Candidate;

        /* The highest aligned start whose run still ends at or below End. */
        if (End < NumberOfPages - 1)
            return FALSE;
        Candidate = (End - (NumberOfPages - 1)) & ~(Alignment - 1);
        if (Candidate < LowestVpn)
            return FALSE;
        /* Range is the last that starts at or before End: below Candidate it leaves the run free. */
        if (Range == NULL || Range->EndingVpn < Candidate) {
            *StartingVpn = Candidate;
            return TRUE;
        }
        if (Range->StartingVpn == 0)
            return FALSE;
        End = Range->StartingVpn - 1;
        do
            Range = RtlAvlPreviousRange(Range);
        while (Range != NULL && Range->StartingVpn > End);
    }
}

static PRTL_AVL_NODE RtlpAvlLeftmost(PRTL_AVL_NODE Links)
{
    while (Links != NULL && Links->LeftChild != NULL)
        Links = Links->LeftChild;
    return Links;
}

static PRTL_AVL_NODE RtlpAvlRightmost(PRTL_AVL_NODE Links)
{
    while (Links != NULL && Links->RightChild != NULL)
        Links = Links->RightChild;
    return Links;
}

PRTL_AVL_RANGE_NODE RtlAvlFirstRange(PRTL_AVL_RANGE_TABLE Table)
{
    return RtlpAvlRange(RtlpAvlLeftmost(Table->Root));
}

PRTL_AVL_RANGE_NODE RtlAvlLastRange(PRTL_AVL_RANGE_TABLE Table)
{
    return RtlpAvlRange(RtlpAvlRightmost(Table->Root));
}

PRTL_AVL_RANGE_NODE RtlAvlNextRange(PRTL_AVL_RANGE_NODE Node)
{
    PRTL_AVL_NODE Links = &Node->Links;

    if (Links->RightChild != NULL)
        return RtlpAvlRange(RtlpAvlLeftmost(Links->RightChild));
    /* Up until we arrive from a left child: that parent is the first node after this subtree. */
    while (Links->Parent != NULL && Links->Parent->RightChild == Links)
        Links = Links->Parent;
    return RtlpAvlRange(Links->Parent);
}

PRTL_AVL_RANGE_NODE RtlAvlPreviousRange(PRTL_AVL_RANGE_NODE Node)
{
    PRTL_AVL_NODE Links = &Node->Links;

    if (Links->LeftChild != NULL)
        return RtlpAvlRange(RtlpAvlRightmost(Links->LeftChild));
    while (Links->Parent != NULL && Links->Parent->LeftChild == Links)
        Links = Links->Parent;
    return RtlpAvlRange(Links->Parent);
}

static BOOLEAN RtlpAvlReport(PCSTR *Problem, PRTL_AVL_RANGE_NODE *BadNode, PCSTR What, PRTL_AVL_NODE Where)
{
    if (Problem != NULL)
        *Problem = What;
    if (BadNode != NULL)
        *BadNode = RtlpAvlRange(Where);
    return FALSE;
}

/*
 * A post-order walk without a stack of pointers: it descends only into a
 * child whose Parent points back, so climbing through Parent retraces the
 * way down exactly, even in a corrupted tree. The one thing it must carry
 * is the height of each left subtree on the path while the right one is
 * measured; 45 bytes hold that for the tallest tree a ULONG count allows.
 */
BOOLEAN RtlAvlValidateTable(PRTL_AVL_RANGE_TABLE Table, PCSTR *Problem, PRTL_AVL_RANGE_NODE *BadNode)
{
    enum { GoingDown, UpFromLeft, UpFromRight } Direction = GoingDown;
    UCHAR LeftHeight[RTLP_AVL_MAX_HEIGHT];
    PRTL_AVL_NODE Links = Table->Root, Child;
    PRTL_AVL_RANGE_NODE Previous = NULL;
    ULONG Depth = 0, Count = 0, ChildHeight = 0;

    if (Links != NULL && Links->Parent != NULL)
        return RtlpAvlReport(Problem, BadNode, "the root has a parent", Links);
    while (Links != NULL) {
        PRTL_AVL_RANGE_NODE Range = RtlpAvlRange(Links);

        if (Direction == GoingDown) {
            if (Depth == RTLP_AVL_MAX_HEIGHT)
                return RtlpAvlReport(Problem, BadNode, "deeper than any AVL tree of 2^32 nodes", Links);
            if (Count++ == Table->NumberOfNodes)
                return RtlpAvlReport(Problem, BadNode, "more nodes than NumberOfNodes", Links);
            if (Range->StartingVpn > Range->EndingVpn)
                return RtlpAvlReport(Problem, BadNode, "a range starts after it ends", Links);
            Child = Links->LeftChild;
            if (Child != NULL) {
                if (Child->Parent != Links)
                    return RtlpAvlReport(Problem, BadNode, "a left child's Parent does not point back", Child);
                Links = Child;
                Depth++;
                continue;
            }
            ChildHeight = 0;
            Direction = UpFromLeft;
        }
        if (Direction == UpFromLeft) {
            LeftHeight[Depth] = (UCHAR)ChildHeight;
            if (Previous != NULL && Previous->EndingVpn >= Range->StartingVpn)
                return RtlpAvlReport(Problem, BadNode, "a range is out of order or overlaps the one before it", Links);
            Previous = Range;
            Child = Links->RightChild;
            if (Child != NULL) {
                if (Child->Parent != Links)
                    return RtlpAvlReport(Problem, BadNode, "a right child's Parent does not point back", Child);
                Links = Child;
                Depth++;
                Direction = GoingDown;
                continue;
            }
            ChildHeight = 0;
        }
        /* NOLINTNEXTLINE(clang-analyzer-core.UndefinedBinaryOperatorResult): set when this level went right. */
        if ((LONG)ChildHeight - (LONG)LeftHeight[Depth] != Links->Balance)
            return RtlpAvlReport(Problem, BadNode, "a balance factor differs from its subtrees' heights", Links);
        if (Links->Balance < -1 || Links->Balance > 1)
            return RtlpAvlReport(Problem, BadNode, "a balance factor is outside -1..+1", Links);
        ChildHeight = 1 + (ChildHeight > LeftHeight[Depth] ? ChildHeight : LeftHeight[Depth]);
        if (Depth == 0)
            break;
        /* cppcheck-suppress nullPointerRedundantCheck ; below the root, Links was reached from its Parent */
        Direction = Links->Parent->LeftChild == Links ? UpFromLeft : UpFromRight;
        Links = Links->Parent;
        Depth--;
    }
    if (Count != Table->NumberOfNodes)
        return RtlpAvlReport(Problem, BadNode, "fewer nodes than NumberOfNodes", NULL);
    return TRUE;
}
