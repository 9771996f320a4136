/*
 * poolcmd.c: the kd commands about the pools, shaped as WinDbg's: !pool
 * (the page holding an address, every block with its size, tag and state,
 * the one holding the address starred), !poolused (the tag table) and
 * !poolfind (every block with a tag). The walks are the executive's
 * (kernel/ex/pooldbg.c); they hold the pool, which a stop cannot do, so
 * these commands refuse after a stop.
 */
#include "kdp.h"
#include <kprintf.h>
#include <ex.h>
#include <string.h>

#define KD_POOLUSED_ROWS 513        /* every tracker row and the overflow */

VOID KdpFormatTag(ULONG Tag, PCHAR Text)
{
    for (ULONG i = 0; i < 4; i++) {
        CHAR c = (CHAR)(Tag >> (i * 8));
        Text[i] = (c >= ' ' && c <= '~') ? c : '.';
    }
    Text[4] = '\0';
}

static BOOLEAN KdpPoolReachable(VOID)
{
    if (KeGetCurrentIrql() <= DISPATCH_LEVEL)
        return TRUE;
    DbgPrint("The pool commands hold the pool, which cannot be done at IRQL %u (after a stop)\n",
             KeGetCurrentIrql());
    return FALSE;
}

static PCSTR KdpBlockStateName(UCHAR State)
{
    static const PCSTR Names[] = { "(Allocated)", "(Free)", "(Lookaside)", "(Free frag)", "(Corrupt!)" };

    return State < RTL_NUMBER_OF(Names) ? Names[State] : "(?)";
}

/*
 * One block, as WinDbg's !pool and !poolfind list it: a star on the block
 * that holds the address asked about (and on its tag); free blocks show no tag.
 */
static VOID KdpPrintBlock(const EX_POOL_BLOCK *Block, BOOLEAN Holds)
{
    CHAR Tag[5];

    KdpFormatTag(Block->Tag, Tag);
    DbgPrint("%c%08x size: %4x previous size: %4x  %s", Holds ? '*' : ' ', (ULONG_PTR)Block->Address, Block->Size,
             Block->PreviousSize, KdpBlockStateName(Block->State));
    if (Block->State == ExPoolBlockAllocated || Holds)
        DbgPrint("%*s%c%s", 13 - (int)strlen(KdpBlockStateName(Block->State)), "", Holds ? '*' : ' ', Tag);
    DbgPrint("\n");
}

static VOID KdpShowBlock(const EX_POOL_BLOCK *Block, PVOID Context)
{
    ULONG_PTR Address = *(PULONG_PTR)Context;

    KdpPrintBlock(Block, Address - (ULONG_PTR)Block->Address < Block->Size);
}

static VOID KdpCommandPool(ULONG Argc, PCSTR Argv[])
{
    EX_POOL_PAGE_KIND Kind = ExPoolPageSmallBlocks;
    POOL_TYPE PoolType = NonPagedPool;
    MI_POOL_PAGE_TYPE Range;
    ULONG Address;
    NTSTATUS Status;

    UNREFERENCED_PARAMETER(Argc);
    if (!KdpParseNumber(Argv[0], &Address) || !KdpPoolReachable())
        return;
    if (!MiIsPoolRange((PVOID)Address, &Range)) {
        DbgPrint("%08x is not in a pool range (!address says what it is)\n", Address);
        return;
    }
    DbgPrint("Pool page %08x region is %s pool\n", Address, Range == MiPagedPoolPages ? "Paged" : "Nonpaged");
    Status = ExDescribePoolPage((PVOID)Address, &PoolType, &Kind, KdpShowBlock, &(ULONG_PTR){ Address });
    if (Status == STATUS_NOT_FOUND)
        DbgPrint("%08x is in a pool page no allocation holds (free)\n", (ULONG_PTR)PAGE_ALIGN(Address));
    else if (Status == STATUS_IN_PAGE_ERROR)
        DbgPrint("%08x: the page is not resident (demand-zero, never touched)\n", (ULONG_PTR)PAGE_ALIGN(Address));
    else if (Kind == ExPoolPageBig)
        DbgPrint("%08x is in a large page allocation (whole pages, no header)\n", Address);
    else if (Kind == ExPoolPageSpare)
        DbgPrint("%08x is in the pool's spare page (free, kept back to save page churn)\n", Address);
    else if (Kind == ExPoolPageBigPageTable)
        DbgPrint("%08x is in the big-page table's own storage\n", Address);
}

/* --- !poolused ---------------------------------------------------------------------------- */

static EX_POOL_TAG_INFORMATION KdpTagRows[KD_POOLUSED_ROWS];

/* Sorting keys: bytes in both pools (largest first), allocations outstanding, or the tag's text. */
static LONG KdpCompareRows(const EX_POOL_TAG_INFORMATION *a, const EX_POOL_TAG_INFORMATION *b, CHAR Key)
{
    if (Key == 'a') {
        ULONG Left = a->NonPagedAllocs - a->NonPagedFrees + a->PagedAllocs - a->PagedFrees;
        ULONG Right = b->NonPagedAllocs - b->NonPagedFrees + b->PagedAllocs - b->PagedFrees;
        return Left == Right ? 0 : Left > Right ? -1 : 1;
    }
    if (Key == 't') {
        CHAR Left[5], Right[5];

        KdpFormatTag(a->Tag, Left);
        KdpFormatTag(b->Tag, Right);
        return strcmp(Left, Right);
    }
    return a->NonPagedBytes + a->PagedBytes == b->NonPagedBytes + b->PagedBytes ? 0
           : a->NonPagedBytes + a->PagedBytes > b->NonPagedBytes + b->PagedBytes ? -1 : 1;
}

static VOID KdpCommandPoolused(ULONG Argc, PCSTR Argv[])
{
    CHAR Key = Argc == 0 ? 'b' : Argv[0][0];
    ULONG Count;

    if (Argc == 1 && (Argv[0][1] != '\0' || (Key != 'b' && Key != 'a' && Key != 't'))) {
        DbgPrint("Usage: !poolused [b|a|t]  (sort by bytes, allocations outstanding, or tag)\n");
        return;
    }
    if (!KdpPoolReachable())
        return;
    Count = ExQueryPoolTags(KdpTagRows, RTL_NUMBER_OF(KdpTagRows));
    for (ULONG i = 1; i < Count; i++) {
        EX_POOL_TAG_INFORMATION Row = KdpTagRows[i];
        ULONG j = i;

        while (j > 0 && KdpCompareRows(&KdpTagRows[j - 1], &Row, Key) > 0) {
            KdpTagRows[j] = KdpTagRows[j - 1];
            j--;
        }
        KdpTagRows[j] = Row;
    }
    DbgPrint(" Sorting by %s\n", Key == 'a' ? "Allocations" : Key == 't' ? "Tag" : "Bytes");
    DbgPrint("               NonPaged                            Paged\n");
    DbgPrint(" Tag     Allocs    Frees   Diff     Used    Allocs    Frees   Diff     Used\n");
    for (ULONG i = 0; i < Count; i++) {
        PEX_POOL_TAG_INFORMATION Row = &KdpTagRows[i];
        CHAR Tag[5];

        KdpFormatTag(Row->Tag, Tag);
        DbgPrint(" %s %9x %8x %6x %8x %9x %8x %6x %8x\n", Tag, Row->NonPagedAllocs, Row->NonPagedFrees,
                 Row->NonPagedAllocs - Row->NonPagedFrees, (ULONG)Row->NonPagedBytes, Row->PagedAllocs,
                 Row->PagedFrees, Row->PagedAllocs - Row->PagedFrees, (ULONG)Row->PagedBytes);
    }
}

/* --- !poolfind ---------------------------------------------------------------------------- */

typedef struct _KD_POOL_FIND {
    ULONG Tag;
    ULONG Found;
} KD_POOL_FIND;

static VOID KdpFindBlock(const EX_POOL_BLOCK *Block, PVOID Context)
{
    KD_POOL_FIND *Find = Context;

    if (Block->State != ExPoolBlockAllocated || (Block->Tag & ~PROTECTED_POOL) != Find->Tag)
        return;
    KdpPrintBlock(Block, FALSE);
    Find->Found++;
}

/* "!poolfind Tag": the tag as its four characters (shorter ones padded with spaces, as NT tags are). */
static VOID KdpCommandPoolfind(ULONG Argc, PCSTR Argv[])
{
    static const POOL_TYPE Types[] = { NonPagedPool, PagedPool };
    KD_POOL_FIND Find = { 0, 0 };
    ULONG Length = strlen(Argv[0]);

    UNREFERENCED_PARAMETER(Argc);
    if (Length > 4) {
        DbgPrint("Usage: !poolfind Tag  (a tag is 1 to 4 characters, as !poolused prints it)\n");
        return;
    }
    for (ULONG i = 0; i < 4; i++)
        Find.Tag |= (ULONG)(UCHAR)(i < Length ? Argv[0][i] : ' ') << (i * 8);
    if (!KdpPoolReachable())
        return;
    for (ULONG i = 0; i < RTL_NUMBER_OF(Types); i++) {
        DbgPrint("Searching %s pool for Tag: %s\n", Types[i] == PagedPool ? "Paged" : "NonPaged", Argv[0]);
        ExWalkPoolBlocks(Types[i], KdpFindBlock, &Find);
    }
    DbgPrint("%u blocks found\n", Find.Found);
}

const KD_COMMAND KdpPoolCommands[] = {
    { "!pool", "VA", "the pool page holding VA: every block, its size, tag and state", KdpCommandPool, 1, 1 },
    { "!poolused", "[b|a|t]", "pool use by tag, sorted by bytes, allocations or tag", KdpCommandPoolused, 0, 1 },
    { "!poolfind", "Tag", "every allocated block with the tag", KdpCommandPoolfind, 1, 1 },
    KD_LAST_COMMAND,
};
