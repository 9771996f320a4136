/*
 * rtl/avl.h: an intrusive AVL tree of disjoint page ranges, the shape of NT's
 * VAD tree (MMADDRESS_NODE), with no allocation of its own (lib/rtl/avl.c).
 *
 * The caller embeds an RTL_AVL_RANGE_NODE in its own structure (an MMVAD),
 * fills StartingVpn and EndingVpn, and owns the memory: removing a node only
 * unlinks it. Ranges are inclusive page numbers and never overlap, so one
 * order sorts them by start and by end alike. Nothing here locks; callers
 * serialize (a process's VAD tree under its address-space lock).
 */
#ifndef NTMM_RTL_AVL_H
#define NTMM_RTL_AVL_H

#include <ntdef.h>

typedef struct _RTL_AVL_NODE {
    struct _RTL_AVL_NODE *Parent;       /* NULL at the root */
    struct _RTL_AVL_NODE *LeftChild;
    struct _RTL_AVL_NODE *RightChild;
    LONG Balance;                       /* height(right) - height(left): -1, 0 or +1 */
} RTL_AVL_NODE, *PRTL_AVL_NODE;

typedef struct _RTL_AVL_RANGE_NODE {
    RTL_AVL_NODE Links;
    ULONG_PTR StartingVpn;
    ULONG_PTR EndingVpn;                /* inclusive: a one-page range has EndingVpn == StartingVpn */
} RTL_AVL_RANGE_NODE, *PRTL_AVL_RANGE_NODE;

typedef struct _RTL_AVL_RANGE_TABLE {
    PRTL_AVL_NODE Root;
    ULONG NumberOfNodes;
} RTL_AVL_RANGE_TABLE, *PRTL_AVL_RANGE_TABLE;

VOID RtlAvlInitializeTable(PRTL_AVL_RANGE_TABLE Table);

/*
 * Links Node in by its StartingVpn..EndingVpn. Returns FALSE, changing
 * nothing, when the range is empty (StartingVpn > EndingVpn) or overlaps a
 * range already in the table.
 */
BOOLEAN RtlAvlInsertRange(PRTL_AVL_RANGE_TABLE Table, PRTL_AVL_RANGE_NODE Node);

/* Unlinks Node, which must be in Table; its memory stays the caller's. */
VOID RtlAvlRemoveRange(PRTL_AVL_RANGE_TABLE Table, PRTL_AVL_RANGE_NODE Node);

/* The range containing Vpn, or NULL. */
PRTL_AVL_RANGE_NODE RtlAvlFindRange(PRTL_AVL_RANGE_TABLE Table, ULONG_PTR Vpn);

/* The lowest range sharing a page with StartingVpn..EndingVpn, or NULL (also for an empty query). */
PRTL_AVL_RANGE_NODE RtlAvlFindFirstOverlap(PRTL_AVL_RANGE_TABLE Table, ULONG_PTR StartingVpn, ULONG_PTR EndingVpn);

/*
 * The lowest free run of NumberOfPages pages that starts on a multiple of
 * Alignment (a power of two, in pages; 1 for none) and lies within
 * LowestVpn..HighestVpn: TRUE with its first page in *StartingVpn, FALSE
 * when there is none or NumberOfPages is 0. Bottom-up first fit, as NT's
 * MiFindEmptyAddressRange: it costs O(log n) plus one step per range
 * between LowestVpn and the answer (the nodes carry no gap sizes that
 * would let it skip them).
 */
BOOLEAN RtlAvlFindEmptyRange(PRTL_AVL_RANGE_TABLE Table, ULONG_PTR NumberOfPages, ULONG_PTR Alignment,
                             ULONG_PTR LowestVpn, ULONG_PTR HighestVpn, PULONG_PTR StartingVpn);

/*
 * The same search top-down, as NT's MiFindEmptyAddressRangeDown: the
 * highest free run of NumberOfPages pages starting on a multiple of
 * Alignment within LowestVpn..HighestVpn. O(log n) plus one step per range
 * between HighestVpn and the answer.
 */
BOOLEAN RtlAvlFindEmptyRangeDown(PRTL_AVL_RANGE_TABLE Table, ULONG_PTR NumberOfPages, ULONG_PTR Alignment,
                                 ULONG_PTR LowestVpn, ULONG_PTR HighestVpn, PULONG_PTR StartingVpn);

/* In-order walking, each step O(1) amortized and O(log n) at worst; NULL past either end. */
PRTL_AVL_RANGE_NODE RtlAvlFirstRange(PRTL_AVL_RANGE_TABLE Table);
PRTL_AVL_RANGE_NODE RtlAvlLastRange(PRTL_AVL_RANGE_TABLE Table);
PRTL_AVL_RANGE_NODE RtlAvlNextRange(PRTL_AVL_RANGE_NODE Node);
PRTL_AVL_RANGE_NODE RtlAvlPreviousRange(PRTL_AVL_RANGE_NODE Node);

/*
 * Checks the whole table: parent links, ranges in order and disjoint,
 * every balance factor equal to the difference of its subtrees' heights
 * and within -1..+1, and NumberOfNodes. On the first problem returns FALSE
 * with a sentence in *Problem and the node where it was seen in *BadNode
 * (NULL when the table as a whole is wrong); both are optional. It ends on
 * any corrupted tree whose pointers still lead to readable nodes: it
 * follows a child only after the child's Parent points back, and stops at
 * the deepest an AVL tree of 2^32 nodes can be. O(n) time, 45 bytes of
 * stack.
 */
BOOLEAN RtlAvlValidateTable(PRTL_AVL_RANGE_TABLE Table, PCSTR *Problem, PRTL_AVL_RANGE_NODE *BadNode);

/*
 * The benchmark build (bench/host) defines RTL_AVL_COUNT_COMPARES to count
 * the ranges RtlAvlFindRange examines; the kernel and the tests do not.
 */
#ifdef RTL_AVL_COUNT_COMPARES
extern ULONGLONG RtlAvlCompareCount;
#endif

#endif
