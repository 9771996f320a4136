/*
 * verifier.c: the kernel verifier's options, read from the command line at
 * boot (verifier=...), its counters, and MmIsVerifierEnabled. What each
 * option does lives in its own file (vf.h lists them).
 *
 * The command line's value is a comma list: words that turn options on
 * (special, lowres, irql, pooltrack, locks) and settings (seed=N, rate=M,
 * special.tag=Tag, special.size=N, special.underrun). A tag is given as
 * poolmon shows it, first character first, padded with spaces as NT pads
 * short tags. A word or setting the verifier does not know stops the boot:
 * a misspelt option would otherwise verify nothing and look like a pass.
 */
#include "mi.h"
#include <vf.h>
#include <string.h>

VF_OPTIONS VfOptions;
VF_STATISTICS VfStatistics;
volatile ULONG VfGeneration;
BOOLEAN VfStarted;

/* The verifier's tables: few, and each grows by replacement, so a short list finds them. */
#define VF_STORAGE_BLOCKS 16
static PVOID VfStorage[VF_STORAGE_BLOCKS];

typedef struct _VF_OPTION_WORD {
    PCSTR Word;
    ULONG Flag;
} VF_OPTION_WORD;

static const VF_OPTION_WORD VfOptionWords[] = {
    { "special", DRIVER_VERIFIER_SPECIAL_POOLING },
    { "irql", DRIVER_VERIFIER_FORCE_IRQL_CHECKING },
    { "lowres", DRIVER_VERIFIER_INJECT_ALLOCATION_FAILURES },
    { "pooltrack", DRIVER_VERIFIER_TRACK_POOL_ALLOCATIONS },
    { "locks", DRIVER_VERIFIER_DEADLOCK_DETECTION },
};

/* A decimal number of Length characters; FALSE if it is not one or does not fit a ULONG. */
static BOOLEAN VfParseNumber(PCSTR Text, ULONG Length, PULONG Value)
{
    ULONG Number = 0;

    if (Length == 0)
        return FALSE;
    for (ULONG i = 0; i < Length; i++) {
        if (Text[i] < '0' || Text[i] > '9' || Number > (MAXULONG - (ULONG)(Text[i] - '0')) / 10)
            return FALSE;
        Number = Number * 10 + (ULONG)(Text[i] - '0');
    }
    *Value = Number;
    return TRUE;
}

/* One item of the list, Length characters at Item. */
static BOOLEAN VfParseItem(PCSTR Item, ULONG Length, PVF_OPTIONS Options)
{
    static const CHAR Tag[] = "special.tag=", Size[] = "special.size=", Seed[] = "seed=", Rate[] = "rate=";
    ULONG Value;

    for (ULONG i = 0; i < RTL_NUMBER_OF(VfOptionWords); i++) {
        if (Length == strlen(VfOptionWords[i].Word) && strncmp(Item, VfOptionWords[i].Word, Length) == 0) {
            Options->Level |= VfOptionWords[i].Flag;
            return TRUE;
        }
    }
    if (Length == sizeof("special.underrun") - 1 && strncmp(Item, "special.underrun", Length) == 0) {
        Options->SpecialPoolUnderruns = TRUE;
        return TRUE;
    }
    if (Length > sizeof(Tag) - 1 && Length <= sizeof(Tag) - 1 + sizeof(ULONG) &&
        strncmp(Item, Tag, sizeof(Tag) - 1) == 0) {
        Options->SpecialPoolTag = 0;
        for (ULONG i = 0; i < sizeof(ULONG); i++) {
            UCHAR Character = i < Length - (sizeof(Tag) - 1) ? (UCHAR)Item[sizeof(Tag) - 1 + i] : ' ';
            Options->SpecialPoolTag |= (ULONG)Character << (i * 8);
        }
        return TRUE;
    }
    if (Length > sizeof(Size) - 1 && strncmp(Item, Size, sizeof(Size) - 1) == 0 &&
        VfParseNumber(Item + sizeof(Size) - 1, Length - (sizeof(Size) - 1), &Value) && Value != 0) {
        Options->SpecialPoolSize = Value;
        return TRUE;
    }
    if (Length > sizeof(Seed) - 1 && strncmp(Item, Seed, sizeof(Seed) - 1) == 0)
        return VfParseNumber(Item + sizeof(Seed) - 1, Length - (sizeof(Seed) - 1), &Options->Seed);
    if (Length > sizeof(Rate) - 1 && strncmp(Item, Rate, sizeof(Rate) - 1) == 0)
        return VfParseNumber(Item + sizeof(Rate) - 1, Length - (sizeof(Rate) - 1), &Options->Rate) &&
               Options->Rate <= VF_FAILURE_RATE_UNIT;
    return FALSE;
}

/*
 * Reads a verifier= value (up to the end of the word) into Options, which
 * start at the defaults; FALSE at the first item it cannot read.
 */
BOOLEAN VfParseOptions(PCSTR Text, PVF_OPTIONS Options)
{
    PCSTR Item = Text;

    memset(Options, 0, sizeof(*Options));
    Options->Rate = VF_DEFAULT_FAILURE_RATE;
    while (*Item != '\0' && *Item != ' ') {
        ULONG Length = 0;

        while (Item[Length] != '\0' && Item[Length] != ' ' && Item[Length] != ',')
            Length++;
        if (!VfParseItem(Item, Length, Options))
            return FALSE;
        Item += Length;
        if (*Item == ',')
            Item++;
    }
    return TRUE;
}

VOID VfInitialize(VOID)
{
    PCSTR Text;

    if (!KeCommandLineHasOption("verifier", &Text))
        return;
    if (!VfParseOptions(Text, &VfOptions))
        KeBugCheckEx(MEMORY_MANAGEMENT, MI_BUGCHECK_VERIFIER_OPTION, (ULONG_PTR)Text, 0, 0);
    DbgPrint("verifier: flags %X (%s%s%s%s%s), seed %u, rate %u/%u\n", VfOptions.Level,
             VfIsEnabled(DRIVER_VERIFIER_SPECIAL_POOLING) ? "special pool " : "",
             VfIsEnabled(DRIVER_VERIFIER_FORCE_IRQL_CHECKING) ? "forced IRQL checking " : "",
             VfIsEnabled(DRIVER_VERIFIER_INJECT_ALLOCATION_FAILURES) ? "low resources " : "",
             VfIsEnabled(DRIVER_VERIFIER_TRACK_POOL_ALLOCATIONS) ? "pool tracking " : "",
             VfIsEnabled(DRIVER_VERIFIER_DEADLOCK_DETECTION) ? "deadlock detection" : "", VfOptions.Seed,
             VfOptions.Rate, VF_FAILURE_RATE_UNIT);
}

VOID VfStart(VOID)
{
    VfStarted = TRUE;
}

/* What the verifier did this boot, for the end of a test run. */
VOID VfDumpStatistics(VOID)
{
    if (VfOptions.Level == 0)
        return;
    DbgPrint("# verifier: %u raises trimmed %u paged-pool pages; %u of %u requests failed on purpose; "
             "%u special-pool allocations, %u served by normal pool\n",
             VfStatistics.RaiseIrqls, VfStatistics.Trims, VfStatistics.AllocationsFailedDeliberately,
             VfStatistics.AllocationsAttempted, VfStatistics.AllocationsSucceededSpecialPool,
             VfStatistics.SpecialPoolFallbacks);
}

/* Opens a new generation and returns it: what a later report lists as made since. */
ULONG VfStartGeneration(VOID)
{
    return ++VfGeneration;
}

/*
 * Zeroed nonpaged pages for a verifier table, recorded so the pool's walker
 * leaves them alone; NULL when no page or record is left (the table then
 * stays as it is, and says so).
 */
PVOID VfAllocateStorage(SIZE_T NumberOfBytes)
{
    PVOID Storage = NULL;
    KIRQL OldIrql;

    OldIrql = VfLockTables();
    for (ULONG i = 0; i < VF_STORAGE_BLOCKS; i++) {
        if (VfStorage[i] == NULL) {
            Storage = MiAllocatePoolPages(MiNonPagedPoolPages, NumberOfBytes);
            VfStorage[i] = Storage;
            break;
        }
    }
    VfUnlockTables(OldIrql);
    if (Storage != NULL)
        memset(Storage, 0, NumberOfBytes);
    return Storage;
}

VOID VfFreeStorage(PVOID Storage)
{
    KIRQL OldIrql;

    OldIrql = VfLockTables();
    for (ULONG i = 0; i < VF_STORAGE_BLOCKS; i++) {
        if (VfStorage[i] == Storage) {
            VfStorage[i] = NULL;
            MiFreePoolPages(Storage);
            break;
        }
    }
    VfUnlockTables(OldIrql);
}

BOOLEAN VfIsVerifierStorage(PVOID Va)
{
    for (ULONG i = 0; i < VF_STORAGE_BLOCKS; i++) {
        if (VfStorage[i] != NULL && Va == VfStorage[i])
            return TRUE;
    }
    return FALSE;
}

/* The Index-th record of the blocks: block k holds FirstBlockRecords << k of them. */
static PVOID VfRecordAt(PVF_RECORD_POOL Pool, ULONG Index)
{
    ULONG Block = 0, First = 0;

    while (Index - First >= Pool->FirstBlockRecords << Block) {
        First += Pool->FirstBlockRecords << Block;
        Block++;
    }
    return (PUCHAR)Pool->Blocks[Block] + (SIZE_T)(Index - First) * Pool->RecordSize;
}

/* A zeroed record, or NULL (counted as lost) when no storage is left for one. */
PVOID VfAllocateRecord(PVF_RECORD_POOL Pool)
{
    PSINGLE_LIST_ENTRY Entry = Pool->FreeList;
    ULONG Capacity = Pool->BlockCount == 0 ? 0 : (Pool->FirstBlockRecords << Pool->BlockCount) - Pool->FirstBlockRecords;

    ASSERT(KeGetCurrentIrql() >= DISPATCH_LEVEL);
    if (Entry != NULL) {
        Pool->FreeList = Entry->Next;
    } else {
        if (Pool->Handed == Capacity) {
            PVOID Block = NULL;

            if (Pool->BlockCount < VF_RECORD_BLOCKS)
                Block = VfAllocateStorage(Pool->RecordSize * (Pool->FirstBlockRecords << Pool->BlockCount));
            if (Block == NULL) {
                Pool->Lost++;
                return NULL;
            }
            Pool->Blocks[Pool->BlockCount++] = Block;
        }
        Entry = VfRecordAt(Pool, Pool->Handed++);
    }
    memset(Entry, 0, Pool->RecordSize);
    Pool->InUse++;
    return Entry;
}

VOID VfFreeRecord(PVF_RECORD_POOL Pool, PVOID Record)
{
    PSINGLE_LIST_ENTRY Entry = Record;

    Entry->Next = Pool->FreeList;
    Pool->FreeList = Entry;
    Pool->InUse--;
}

PVOID VfInsertRecord(PVF_RECORD_TABLE Table, ULONG_PTR Start, ULONG_PTR End)
{
    PRTL_AVL_RANGE_NODE Record = VfAllocateRecord(&Table->Pool), Stale;

    if (Record == NULL)
        return NULL;
    while ((Stale = RtlAvlFindFirstOverlap(&Table->Tree, Start, End)) != NULL) {
        RtlAvlRemoveRange(&Table->Tree, Stale);
        VfFreeRecord(&Table->Pool, Stale);
    }
    Record->StartingVpn = Start;
    Record->EndingVpn = End;
    RtlAvlInsertRange(&Table->Tree, Record);
    return Record;
}

BOOLEAN VfRemoveRecord(PVF_RECORD_TABLE Table, ULONG_PTR Start, PVOID Copy)
{
    PRTL_AVL_RANGE_NODE Record;
    KIRQL OldIrql = VfLockTables();

    Record = RtlAvlFindRange(&Table->Tree, Start);
    if (Record != NULL && Record->StartingVpn == Start) {
        memcpy(Copy, Record, Table->Pool.RecordSize);
        RtlAvlRemoveRange(&Table->Tree, Record);
        VfFreeRecord(&Table->Pool, Record);
    } else {
        Record = NULL;
    }
    VfUnlockTables(OldIrql);
    return Record != NULL;
}

/* The DDK's question: is the verifier on, and with which options (NT reports it per driver; here for all). */
NTSTATUS NTAPI MmIsVerifierEnabled(PULONG VerifierFlags)
{
    *VerifierFlags = VfOptions.Level;
    return VfOptions.Level != 0 ? STATUS_SUCCESS : STATUS_NOT_SUPPORTED;
}
