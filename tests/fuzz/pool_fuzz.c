/*
 * pool_fuzz.c: libFuzzer target for the executive pool (kernel/ex, over tests/host/pool_host.c's
 * page source): any sequence of allocations and frees, at any IRQL a caller could be at, of sizes
 * at the edges of the pool's three paths (lookaside sizes, small blocks, whole pages), of every
 * pool type, under a few tags. A reference model of the caller's side holds every live block: a
 * block must never overlap another, must be aligned as its type promises, and keeps its bytes (a
 * pattern of its slot) until freed. Bad callers are made on purpose and must stop as NT stops
 * them, with BAD_POOL_CALLER and the first parameter NT's rules give in NT's order of checks:
 * the address first (a user address 0x40, one outside the pools 0x42, one no allocation returned
 * 0x44 nonpaged or 0x50 paged), then the IRQL (0x08 allocating, 0x09 freeing), then a block
 * already free (0x07) or another tag (0x0A); a request without a tag 0x9B. A stop leaves the pool
 * as it was: the block stays live, and everything is freed at the end of each input. After every
 * step each tag's counts (ExQueryPoolTag) have moved, since the input began, by exactly its live
 * blocks in each pool: a stopped call counts nothing.
 */
#include "fuzz.h"
#include <ex.h>
#include "exp.h"
#include "../host/pool_host.h"
#include <string.h>

#define SLOTS 48
#define TAGS 4
#define MAXIMUM_BYTES (5 * PAGE_SIZE + 1)

typedef struct _BLOCK {
    PUCHAR Body;                /* NULL: the slot is free */
    SIZE_T Bytes;
    ULONG Tag;
    BOOLEAN Paged, CacheAligned;
} BLOCK;

static BLOCK Blocks[SLOTS];
static EX_POOL_TAG_INFORMATION TagsAtStart[TAGS];
static const ULONG Tags[TAGS] = { 'zfP1', 'zfP2', 'zfP3', 'zfP4' | PROTECTED_POOL };

/* The pool types a caller may pass, and whether NT serves each (session pool from the system pools here). */
static const struct {
    POOL_TYPE Type;
    BOOLEAN Valid;
} Types[] = {
    { NonPagedPool, TRUE },
    { PagedPool, TRUE },
    { NonPagedPoolCacheAligned, TRUE },
    { PagedPoolCacheAligned, TRUE },
    { NonPagedPoolNx, TRUE },
    { NonPagedPoolNxCacheAligned, TRUE },
    { NonPagedPoolSession, TRUE },
    { PagedPoolSession, TRUE },
    { DontUseThisType, FALSE },
    { DontUseThisTypeSession, FALSE },
    { (POOL_TYPE)(PagedPool | POOL_NX_ALLOCATION), FALSE },
    { (POOL_TYPE)(NonPagedPoolCacheAlignedMustSucceed + 1), FALSE },
};

static const KIRQL Irqls[] = { PASSIVE_LEVEL, APC_LEVEL, DISPATCH_LEVEL, DISPATCH_LEVEL + 1 };

static UCHAR Pattern(ULONG Slot, SIZE_T i)
{
    return (UCHAR)(Slot * 0x9D + i * 7 + (i >> 8));
}

/* Sizes at every edge the pool has (either side), or anything up to a few pages. */
static SIZE_T Size(FUZZ_INPUT *Input)
{
    static const SIZE_T Edges[] = { 0, 1, POOL_SMALLEST_BLOCK, POOL_SMALL_MAXIMUM_BYTES,
                                    POOL_BUDDY_MAX, PAGE_SIZE, 2 * PAGE_SIZE, 4 * PAGE_SIZE };
    UCHAR Kind = FuzzByte(Input);

    if (Kind < 0xC0)
        return FuzzBelow(Input, Kind < 0x80 ? POOL_SMALL_MAXIMUM_BYTES + 16 : MAXIMUM_BYTES);
    return Edges[Kind % RTL_NUMBER_OF(Edges)] + (Kind & 8 ? -(SIZE_T)((Kind >> 4) & 1) : ((Kind >> 4) & 1));
}

/* Does [Start, End) touch a live block, header included? */
static BOOLEAN Overlaps(ULONG_PTR Start, ULONG_PTR End)
{
    for (ULONG i = 0; i < SLOTS; i++) {
        ULONG_PTR Body = (ULONG_PTR)Blocks[i].Body;
        ULONG_PTR First = Body - (BYTE_OFFSET(Body) != 0 ? sizeof(POOL_HEADER) : 0);
        ULONG_PTR Last = Body + (Blocks[i].Bytes != 0 ? Blocks[i].Bytes : 1);

        if (Blocks[i].Body != NULL && Start < Last && First < End)
            return TRUE;
    }
    return FALSE;
}

/* Each tag's allocations less frees, and bytes, moved by its live blocks' since the input began. */
static VOID CheckTags(VOID)
{
    for (ULONG t = 0; t < TAGS; t++) {
        EX_POOL_TAG_INFORMATION Info;
        ULONG Live[2] = { 0, 0 };
        SIZE_T Bytes[2] = { 0, 0 };

        ExQueryPoolTag(Tags[t], &Info);
        for (ULONG i = 0; i < SLOTS; i++) {
            if (Blocks[i].Body != NULL && ((Blocks[i].Tag ^ Tags[t]) & EXP_TAG_MASK) == 0) {
                Live[Blocks[i].Paged]++;
                Bytes[Blocks[i].Paged] += ExpTrackedBytes(Blocks[i].Body);
            }
        }
        FUZZ_CHECK((Info.NonPagedAllocs - Info.NonPagedFrees) -
                   (TagsAtStart[t].NonPagedAllocs - TagsAtStart[t].NonPagedFrees) == Live[0]);
        FUZZ_CHECK((Info.PagedAllocs - Info.PagedFrees) - (TagsAtStart[t].PagedAllocs - TagsAtStart[t].PagedFrees) ==
                   Live[1]);
        FUZZ_CHECK(Info.NonPagedBytes - TagsAtStart[t].NonPagedBytes == Bytes[0]);
        FUZZ_CHECK(Info.PagedBytes - TagsAtStart[t].PagedBytes == Bytes[1]);
    }
}

static VOID CheckBytes(ULONG Slot)
{
    for (SIZE_T i = 0; i < Blocks[Slot].Bytes; i++)
        FUZZ_CHECK(Blocks[Slot].Body[i] == Pattern(Slot, i));
}

/* The first parameter of a free of an address no allocation returned, by the pool range it is in. */
static ULONG_PTR NotAllocated(PVOID P)
{
    MI_POOL_PAGE_TYPE Type;

    if ((ULONG_PTR)P < MI_SYSTEM_RANGE_START)
        return BAD_POOL_USER_ADDRESS;
    if (!MiIsPoolRange(P, &Type))
        return BAD_POOL_NEVER_IN_POOL;
    return Type == MiPagedPoolPages ? BAD_POOL_PAGED_NOT_ALLOCATED : BAD_POOL_NONPAGED_NOT_ALLOCATED;
}

/* The call is made with the harness armed; a stop comes back as TRUE with HostLastBugCheck set. */
#define STOPPED(Call)                                 \
    ({                                                \
        jmp_buf Jump;                                 \
        BOOLEAN Stopped = TRUE;                       \
        if (setjmp(Jump) == 0) {                      \
            HostBugCheckJump = &Jump;                 \
            Call;                                     \
            HostBugCheckJump = NULL;                  \
            Stopped = FALSE;                          \
        }                                             \
        Stopped;                                      \
    })

/* A stop was expected: BAD_POOL_CALLER with First; the IRQL goes back to what the caller had. */
static VOID ExpectStop(BOOLEAN Stopped, ULONG_PTR First, KIRQL Irql)
{
    if (!Stopped || HostLastBugCheck.Code != BAD_POOL_CALLER || HostLastBugCheck.Parameter[0] != First)
        fprintf(stderr, "expected BAD_POOL_CALLER (0x%lX), got %s 0x%X (0x%lX)\n", (unsigned long)First,
                Stopped ? "stop" : "no stop", HostLastBugCheck.Code, (unsigned long)HostLastBugCheck.Parameter[0]);
    FUZZ_CHECK(Stopped && HostLastBugCheck.Code == BAD_POOL_CALLER && HostLastBugCheck.Parameter[0] == First);
    FUZZ_CHECK(KeHostIrql == Irql);
}

static VOID Allocate(FUZZ_INPUT *Input, ULONG Slot, KIRQL Irql)
{
    ULONG TypeIndex = FuzzBelow(Input, RTL_NUMBER_OF(Types));
    POOL_TYPE Type = Types[TypeIndex].Type;
    SIZE_T Bytes = Size(Input);
    UCHAR TagIndex = FuzzByte(Input);
    ULONG Tag = TagIndex == 0xFF ? 0 : Tags[TagIndex % TAGS];
    BOOLEAN Paged = (Type & BASE_POOL_TYPE_MASK) != 0;
    ULONG_PTR Alignment;
    PUCHAR Body = NULL;
    BOOLEAN Stopped;

    KeHostIrql = Irql;
    Stopped = STOPPED(Body = ExAllocatePoolWithTag(Type, Bytes, Tag));
    if (Irql > (Paged ? APC_LEVEL : DISPATCH_LEVEL)) {
        ExpectStop(Stopped, BAD_POOL_ALLOCATE_IRQL, Irql);
        FUZZ_CHECK(HostLastBugCheck.Parameter[1] == Irql && HostLastBugCheck.Parameter[2] == (ULONG_PTR)Type &&
                   HostLastBugCheck.Parameter[3] == Bytes);
        return;
    }
    if (Tag == 0) {
        ExpectStop(Stopped, BAD_POOL_ZERO_TAG, Irql);
        FUZZ_CHECK(HostLastBugCheck.Parameter[1] == (ULONG_PTR)Type && HostLastBugCheck.Parameter[2] == Bytes);
        return;
    }
    FUZZ_CHECK(!Stopped);
    /* An unknown type, or more than any pool holds (0 less 1 wraps to the top of 32 bits), fails. */
    if (!Types[TypeIndex].Valid || Bytes > MAXIMUM_BYTES) {
        FUZZ_CHECK(Body == NULL);
        return;
    }
    FUZZ_CHECK(Body != NULL);
    Alignment = Bytes > POOL_BUDDY_MAX ? PAGE_SIZE : (Type & CACHE_ALIGNED_POOL_TYPE_MASK) ? POOL_CACHE_ALIGNMENT
                                                                                             : POOL_SMALLEST_BLOCK;
    FUZZ_CHECK((ULONG_PTR)Body % Alignment == 0);
    FUZZ_CHECK((ULONG_PTR)Body >= MI_SYSTEM_RANGE_START);
    FUZZ_CHECK(ExQueryPoolBlockSize(Body, NULL) >= Bytes);
    FUZZ_CHECK(!Overlaps((ULONG_PTR)Body - (BYTE_OFFSET(Body) != 0 ? sizeof(POOL_HEADER) : 0),
                         (ULONG_PTR)Body + (Bytes != 0 ? Bytes : 1)));
    Blocks[Slot] = (BLOCK){ Body, Bytes, Tag, Paged, (Type & CACHE_ALIGNED_POOL_TYPE_MASK) != 0 };
    for (SIZE_T i = 0; i < Bytes; i++)
        Body[i] = Pattern(Slot, i);
}

/* Frees a live block, or tries a bad free of it: another tag, an IRQL too high, or a pointer inside it. */
static PVOID Free(FUZZ_INPUT *Input, ULONG Slot, KIRQL Irql)
{
    BLOCK *Block = &Blocks[Slot];
    UCHAR How = FuzzByte(Input);
    ULONG Tag = How & 1 ? 0 : Block->Tag;
    PUCHAR P = Block->Body;
    BOOLEAN Stopped;

    CheckBytes(Slot);
    if ((How & 0x0E) == 2)
        Tag = Tags[(How >> 4) % TAGS];
    if ((How & 0x0E) == 4)
        P += 1 + (How >> 5) % (POOL_SMALLEST_BLOCK - 1);    /* never 8-aligned: inside, a header is the caller's bytes */
    KeHostIrql = Irql;
    Stopped = STOPPED(How & 0x40 ? ExFreePool(P) : ExFreePoolWithTag(P, Tag));
    if (P != Block->Body) {
        ExpectStop(Stopped, NotAllocated(P), Irql);
        FUZZ_CHECK(HostLastBugCheck.Parameter[1] == (ULONG_PTR)P);
        return NULL;
    }
    if (Irql > (Block->Paged ? APC_LEVEL : DISPATCH_LEVEL)) {
        ExpectStop(Stopped, BAD_POOL_FREE_IRQL, Irql);
        FUZZ_CHECK(HostLastBugCheck.Parameter[1] == Irql && HostLastBugCheck.Parameter[2] == Block->Paged &&
                   HostLastBugCheck.Parameter[3] == (ULONG_PTR)P);
        return NULL;
    }
    if (!(How & 0x40) && Tag != 0 && ((Tag ^ Block->Tag) & EXP_TAG_MASK) != 0) {
        ExpectStop(Stopped, BAD_POOL_WRONG_TAG, Irql);
        FUZZ_CHECK(HostLastBugCheck.Parameter[1] == (ULONG_PTR)P);
        FUZZ_CHECK(((HostLastBugCheck.Parameter[2] ^ Block->Tag) & EXP_TAG_MASK) == 0);
        FUZZ_CHECK(HostLastBugCheck.Parameter[3] == Tag);
        return NULL;
    }
    FUZZ_CHECK(!Stopped);
    Block->Body = NULL;
    return P;
}

/*
 * Frees the block freed last again, before any allocation could reuse it: a small block whose
 * page the pool still holds has a header that says free (0x07); a big block, or a small one whose
 * page went back, is an address no allocation returned.
 */
static VOID FreeAgain(PVOID P, BOOLEAN Paged, KIRQL Irql)
{
    BOOLEAN Stopped;
    ULONG_PTR First;

    KeHostIrql = Irql;
    Stopped = STOPPED(ExFreePool(P));
    if (BYTE_OFFSET(P) == 0 || !MiIsPoolAddress(P, NULL))
        First = NotAllocated(P);
    else if (Irql > (Paged ? APC_LEVEL : DISPATCH_LEVEL))
        First = BAD_POOL_FREE_IRQL;
    else
        First = BAD_POOL_ALREADY_FREE;
    ExpectStop(Stopped, First, Irql);
}

/* Frees of addresses that were never pool: user space, and system space outside both pools. */
static VOID FreeForeign(FUZZ_INPUT *Input, KIRQL Irql)
{
    UCHAR Kind = FuzzByte(Input);
    ULONG_PTR P = (ULONG_PTR)FuzzBelow(Input, 0x10000) << (Kind & 1 ? 3 : 0);
    BOOLEAN Stopped;

    P += Kind & 2 ? MI_SYSTEM_RANGE_START : 0;
    KeHostIrql = Irql;
    Stopped = STOPPED(ExFreePoolWithTag((PVOID)P, Tags[0]));
    ExpectStop(Stopped, NotAllocated((PVOID)P), Irql);
}

int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size)
{
    static BOOLEAN Initialized;
    FUZZ_INPUT Input = { Data, Size };
    PVOID LastFreed = NULL;
    BOOLEAN LastPaged = FALSE;

    if (!Initialized) {
        ExInitializePool();
        Initialized = TRUE;
    }
    for (ULONG t = 0; t < TAGS; t++)
        ExQueryPoolTag(Tags[t], &TagsAtStart[t]);
    while (!FuzzDone(&Input)) {
        UCHAR Operation = FuzzByte(&Input);
        ULONG Slot = FuzzBelow(&Input, SLOTS);
        /* Mostly where drivers call from; now and then above what the pool allows. */
        KIRQL Irql = Irqls[Operation & 0x80 ? (Operation >> 5) & 3 : 0];

        switch (Operation & 3) {
        case 0:
        case 1:
            if (Blocks[Slot].Body == NULL) {
                Allocate(&Input, Slot, Irql);
                LastFreed = NULL;
                break;
            }
            /* fall through */
        case 2:
            if (Blocks[Slot].Body != NULL) {
                BOOLEAN Paged = Blocks[Slot].Paged;
                PVOID Freed = Free(&Input, Slot, Irql);

                if (Freed != NULL) {
                    LastFreed = Freed;
                    LastPaged = Paged;
                }
            }
            break;
        default:
            if (Operation & 4)
                FreeForeign(&Input, Irql);
            else if (LastFreed != NULL && !Overlaps((ULONG_PTR)LastFreed - sizeof(POOL_HEADER), (ULONG_PTR)LastFreed + 1))
                FreeAgain(LastFreed, LastPaged, Irql);
            break;
        }
        KeHostIrql = PASSIVE_LEVEL;
        CheckTags();
    }
    for (ULONG Slot = 0; Slot < SLOTS; Slot++) {
        if (Blocks[Slot].Body != NULL) {
            CheckBytes(Slot);
            ExFreePoolWithTag(Blocks[Slot].Body, Blocks[Slot].Tag);
            Blocks[Slot].Body = NULL;
        }
    }
    CheckTags();
    FUZZ_CHECK(ExCheckPool(FALSE));
    return 0;
}
