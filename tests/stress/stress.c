/*
 * stress.c: the stress kernel (make stress SEED=n OPS=n): a seeded stream
 * of operations that mixes everything the memory manager hands out.
 *
 * Each operation is drawn from the seed's stream: pool blocks of every
 * type and size (each filled with a pattern, checked when it is freed),
 * lookaside entries, MDLs over fresh buffers locked, mapped, checked
 * through the mapping and let go, reserved mappings filled from them and
 * emptied, MmMapIoSpace views of pool pages, contiguous memory, and the
 * private memory of a few processes (reserved, committed, written,
 * protected, freed, and now and then the whole process ended and made
 * again). What the system refuses (the verifier's low-resources
 * simulation makes it refuse often) is simply not done. Every CHECK
 * operations, and at the end, the walkers run (the PFN database, both
 * pools, system PTEs, the pool page maps, every address space) and every
 * live pattern is read back; at the end everything is given back and the
 * pool tags, pages and PTEs the run used must be back where they were.
 *
 * A broken invariant, a pattern that changed, or a stop prints the seed
 * and the operation's number, and the command that replays the stream up
 * to it. The kernel command line: stress stress.seed=N stress.ops=N
 * [stress.check=N], with verifier=... as for any boot. stress.break=N
 * changes a byte of a live block at operation N, as a bug would: the
 * runner's own test uses it to prove that a failure is reported as it
 * should be.
 */
#define NTMM_WHITEBOX_TEST
#include <ntddk.h>
#include <ke.h>
#include <mm.h>
#include <ex.h>
#include <ps.h>
#include <vf.h>

#define ST_BLOCKS 256
#define ST_LOOKASIDE_ENTRIES 64
#define ST_MDLS 16
#define ST_RESERVATIONS 2
#define ST_RESERVED_PAGES 4
#define ST_CONTIGUOUS 8
#define ST_PROCESSES 3
#define ST_REGIONS 16
#define ST_MAXIMUM_MDL_PAGES 3
#define ST_MAXIMUM_REGION_PAGES 16
#define ST_USER_BASE 0x10000000     /* where the regions go: below the loader's and the stack's */
#define ST_SMALL_BYTES 256            /* most blocks: the lookaside-sized ones */
#define ST_MEDIUM_BYTES 600
#define ST_DEFAULT_OPS 20000
#define ST_DEFAULT_CHECK 500

#define ST_TAG 'rtSK'                /* "KStr": pool blocks */
#define ST_LOOKASIDE_TAG 'LtSK'      /* "KStL" */
#define ST_BUFFER_TAG 'BtSK'         /* "KStB": MDL buffers */

typedef struct _ST_BLOCK {
    PUCHAR Va;
    SIZE_T Size;
    POOL_TYPE Type;
    UCHAR Pattern;
} ST_BLOCK;

typedef struct _ST_LOOKASIDE_ENTRY {
    PUCHAR Va;
    ULONG List;
    UCHAR Pattern;
} ST_LOOKASIDE_ENTRY;

typedef struct _ST_MDL {
    PMDL Mdl;
    PUCHAR Buffer;
    ULONG Bytes;
    POOL_TYPE Type;
    UCHAR Pattern;
    PUCHAR View;                  /* a system mapping, or NULL */
    ULONG Reservation;            /* mapped into this reservation + 1, or 0 */
} ST_MDL;

typedef struct _ST_RESERVATION {
    PVOID Address;
    ULONG Mdl;                    /* the MDL mapped into it + 1, or 0 */
} ST_RESERVATION;

typedef struct _ST_REGION {
    PUCHAR Base;
    SIZE_T Size;
    ULONG Protect;
    UCHAR Pattern;
} ST_REGION;

typedef struct _ST_PROCESS {
    PEPROCESS Process;
    ST_REGION Regions[ST_REGIONS];
} ST_PROCESS;

/* The run: its stream, where it is, and everything it holds. */
static ULONG StSeed, StState, StOp, StOps;
static ST_BLOCK StBlocks[ST_BLOCKS];
static NPAGED_LOOKASIDE_LIST StNPagedList;
static PAGED_LOOKASIDE_LIST StPagedList;
static const SIZE_T StLookasideSizes[2] = { 96, 200 };
static ST_LOOKASIDE_ENTRY StEntries[ST_LOOKASIDE_ENTRIES];
static ST_MDL StMdls[ST_MDLS];
static ST_RESERVATION StReservations[ST_RESERVATIONS];
static PVOID StContiguous[ST_CONTIGUOUS];
static SIZE_T StContiguousBytes[ST_CONTIGUOUS];
static UCHAR StContiguousPatterns[ST_CONTIGUOUS];
static ST_PROCESS StProcesses[ST_PROCESSES];
static ULONG StDone[16], StRefused;

static ULONG StRandom(VOID)
{
    StState ^= StState << 13;
    StState ^= StState >> 17;
    StState ^= StState << 5;
    return StState;
}

static ULONG StBelow(ULONG Bound)
{
    return StRandom() % Bound;
}

/* Says what broke, where in the stream, and how to replay it. */
static BOOLEAN StFail(PCSTR What)
{
    DbgPrint("stress: FAILED at operation %u of seed %u: %s\n", StOp, StSeed, What);
    DbgPrint("stress: replay: make stress SEED=%u OPS=%u\n", StSeed, StOp + 1);
    return FALSE;
}

static BOOLEAN StBugCheckHook(ULONG BugCheckCode, const ULONG_PTR Parameters[4])
{
    UNREFERENCED_PARAMETER(Parameters);
    DbgPrint("stress: stopped with 0x%08X at operation %u of seed %u\n", BugCheckCode, StOp, StSeed);
    DbgPrint("stress: replay: make stress SEED=%u OPS=%u\n", StSeed, StOp + 1);
    return FALSE;
}

static VOID StFill(PUCHAR Va, SIZE_T Size, UCHAR Pattern)
{
    for (SIZE_T i = 0; i < Size; i++)
        Va[i] = (UCHAR)(Pattern + i);
}

static BOOLEAN StHolds(const UCHAR *Va, SIZE_T Size, UCHAR Pattern)
{
    for (SIZE_T i = 0; i < Size; i++) {
        if (Va[i] != (UCHAR)(Pattern + i))
            return FALSE;
    }
    return TRUE;
}

/* --- Pool and lookaside lists -------------------------------------------------------- */

static const POOL_TYPE StPoolTypes[] = { NonPagedPool, PagedPool, NonPagedPoolCacheAligned, PagedPoolCacheAligned };

static BOOLEAN StAllocatePool(VOID)
{
    ST_BLOCK *Block = &StBlocks[StBelow(ST_BLOCKS)];
    ULONG Roll = StBelow(8);

    if (Block->Va != NULL)
        return TRUE;
    Block->Size = Roll == 0 ? StBelow(3 * PAGE_SIZE) : Roll < 3 ? StBelow(ST_MEDIUM_BYTES) : StBelow(ST_SMALL_BYTES);
    Block->Type = StPoolTypes[StBelow(RTL_NUMBER_OF(StPoolTypes))];
    Block->Pattern = (UCHAR)StRandom();
    Block->Va = ExAllocatePoolWithTag(Block->Type, Block->Size, ST_TAG);
    if (Block->Va == NULL) {
        StRefused++;
        return TRUE;
    }
    StFill(Block->Va, Block->Size, Block->Pattern);
    return TRUE;
}

static BOOLEAN StFreeBlock(ST_BLOCK *Block)
{
    if (Block->Va == NULL)
        return TRUE;
    if (!StHolds(Block->Va, Block->Size, Block->Pattern))
        return StFail("a pool block's bytes changed");
    ExFreePoolWithTag(Block->Va, ST_TAG);
    Block->Va = NULL;
    return TRUE;
}

static BOOLEAN StFreePool(VOID)
{
    return StFreeBlock(&StBlocks[StBelow(ST_BLOCKS)]);
}

static BOOLEAN StLookasideAllocate(VOID)
{
    ST_LOOKASIDE_ENTRY *Entry = &StEntries[StBelow(ST_LOOKASIDE_ENTRIES)];

    if (Entry->Va != NULL)
        return TRUE;
    Entry->List = StBelow(2);
    Entry->Pattern = (UCHAR)StRandom();
    Entry->Va = Entry->List == 0 ? ExAllocateFromNPagedLookasideList(&StNPagedList)
                                 : ExAllocateFromPagedLookasideList(&StPagedList);
    if (Entry->Va == NULL) {
        StRefused++;
        return TRUE;
    }
    StFill(Entry->Va, StLookasideSizes[Entry->List], Entry->Pattern);
    return TRUE;
}

static BOOLEAN StLookasideFree(VOID)
{
    ST_LOOKASIDE_ENTRY *Entry = &StEntries[StBelow(ST_LOOKASIDE_ENTRIES)];

    if (Entry->Va == NULL)
        return TRUE;
    if (!StHolds(Entry->Va, StLookasideSizes[Entry->List], Entry->Pattern))
        return StFail("a lookaside entry's bytes changed");
    if (Entry->List == 0)
        ExFreeToNPagedLookasideList(&StNPagedList, Entry->Va);
    else
        ExFreeToPagedLookasideList(&StPagedList, Entry->Va);
    Entry->Va = NULL;
    return TRUE;
}

/* --- MDLs, reserved mappings, I/O space views, contiguous memory ---------------------- */

/* A fresh buffer of 1-3 pages, described by an MDL and locked. */
static BOOLEAN StLockMdl(VOID)
{
    ST_MDL *Entry = &StMdls[StBelow(ST_MDLS)];
    volatile NTSTATUS Status = STATUS_SUCCESS;

    if (Entry->Mdl != NULL)
        return TRUE;
    Entry->Bytes = 1 + StBelow(ST_MAXIMUM_MDL_PAGES * PAGE_SIZE);
    Entry->Type = StBelow(2) ? PagedPool : NonPagedPool;
    Entry->Pattern = (UCHAR)StRandom();
    Entry->Buffer = ExAllocatePoolWithTag(Entry->Type, Entry->Bytes, ST_BUFFER_TAG);
    if (Entry->Buffer == NULL) {
        StRefused++;
        return TRUE;
    }
    StFill(Entry->Buffer, Entry->Bytes, Entry->Pattern);
    Entry->Mdl = IoAllocateMdl(Entry->Buffer, Entry->Bytes, FALSE, FALSE, NULL);
    if (Entry->Mdl != NULL) {
        _SEH2_TRY {
            MmProbeAndLockPages(Entry->Mdl, KernelMode, IoWriteAccess);
        } _SEH2_EXCEPT(EXCEPTION_EXECUTE_HANDLER) {
            Status = _SEH2_GetExceptionCode();
        } _SEH2_END;
        if (NT_SUCCESS(Status))
            return TRUE;
        IoFreeMdl(Entry->Mdl);
        Entry->Mdl = NULL;
    }
    StRefused++;
    ExFreePoolWithTag(Entry->Buffer, ST_BUFFER_TAG);
    return TRUE;
}

static ST_MDL *StLockedMdl(VOID)
{
    ST_MDL *Entry = &StMdls[StBelow(ST_MDLS)];

    return Entry->Mdl != NULL ? Entry : NULL;
}

/* Maps a locked MDL into system PTEs and reads its buffer through the mapping. */
static BOOLEAN StMapMdl(VOID)
{
    ST_MDL *Entry = StLockedMdl();

    if (Entry == NULL || Entry->View != NULL || Entry->Reservation != 0)
        return TRUE;
    Entry->View = MmMapLockedPagesSpecifyCache(Entry->Mdl, KernelMode, MmCached, NULL, FALSE, NormalPagePriority);
    if (Entry->View == NULL) {
        StRefused++;
        return TRUE;
    }
    if (!StHolds(Entry->View, Entry->Bytes, Entry->Pattern))
        return StFail("an MDL's mapping shows other bytes than its buffer");
    return TRUE;
}

static BOOLEAN StUnmapMdl(VOID)
{
    ST_MDL *Entry = StLockedMdl();

    if (Entry == NULL || Entry->View == NULL)
        return TRUE;
    MmUnmapLockedPages(Entry->View, Entry->Mdl);
    Entry->View = NULL;
    return TRUE;
}

/* Maps a locked MDL into a free reservation (or empties one), reading the buffer through it. */
static BOOLEAN StReservedMapping(VOID)
{
    ST_RESERVATION *Reservation = &StReservations[StBelow(ST_RESERVATIONS)];
    ULONG Index = (ULONG)(Reservation - StReservations);
    ST_MDL *Entry;
    PUCHAR View;

    if (Reservation->Address == NULL)
        return TRUE;
    if (Reservation->Mdl != 0) {
        Entry = &StMdls[Reservation->Mdl - 1];
        MmUnmapReservedMapping(Reservation->Address, ST_TAG, Entry->Mdl);
        Entry->Reservation = 0;
        Reservation->Mdl = 0;
        return TRUE;
    }
    Entry = StLockedMdl();
    if (Entry == NULL || Entry->View != NULL || Entry->Reservation != 0)
        return TRUE;
    View = MmMapLockedPagesWithReservedMapping(Reservation->Address, ST_TAG, Entry->Mdl, MmCached);
    if (View == NULL) {
        StRefused++;
        return TRUE;
    }
    Entry->Reservation = Index + 1;
    Reservation->Mdl = (ULONG)(Entry - StMdls) + 1;
    if (!StHolds(View, Entry->Bytes, Entry->Pattern))
        return StFail("a reserved mapping shows other bytes than its buffer");
    return TRUE;
}

/* Unmaps (wherever it is mapped), unlocks and frees an MDL and its buffer. */
static BOOLEAN StReleaseMdl(ST_MDL *Entry)
{
    if (Entry == NULL)
        return TRUE;
    if (Entry->Reservation != 0) {
        MmUnmapReservedMapping(StReservations[Entry->Reservation - 1].Address, ST_TAG, Entry->Mdl);
        StReservations[Entry->Reservation - 1].Mdl = 0;
        Entry->Reservation = 0;
    }
    if (Entry->View != NULL) {
        MmUnmapLockedPages(Entry->View, Entry->Mdl);
        Entry->View = NULL;
    }
    MmUnlockPages(Entry->Mdl);
    IoFreeMdl(Entry->Mdl);
    Entry->Mdl = NULL;
    if (!StHolds(Entry->Buffer, Entry->Bytes, Entry->Pattern))
        return StFail("an MDL's buffer changed while it was locked");
    ExFreePoolWithTag(Entry->Buffer, ST_BUFFER_TAG);
    return TRUE;
}

/* A view of a nonpaged pool block's first page through MmMapIoSpace, as a driver maps RAM it found. */
static BOOLEAN StMapIoSpace(VOID)
{
    ST_BLOCK *Block = &StBlocks[StBelow(ST_BLOCKS)];
    PHYSICAL_ADDRESS Physical;
    PUCHAR View;
    SIZE_T Bytes;

    if (Block->Va == NULL || (Block->Type & BASE_POOL_TYPE_MASK) != NonPagedPool || Block->Size == 0)
        return TRUE;
    Bytes = Block->Size < PAGE_SIZE - BYTE_OFFSET(Block->Va) ? Block->Size : PAGE_SIZE - BYTE_OFFSET(Block->Va);
    Physical = MmGetPhysicalAddress(Block->Va);
    View = MmMapIoSpace(Physical, Bytes, MmCached);
    if (View == NULL) {
        StRefused++;
        return TRUE;
    }
    if (!StHolds(View, Bytes, Block->Pattern))
        return StFail("an I/O space view of a pool block shows other bytes");
    MmUnmapIoSpace(View, Bytes);
    return TRUE;
}

static BOOLEAN StContiguousMemory(VOID)
{
    ULONG Slot = StBelow(ST_CONTIGUOUS);
    PHYSICAL_ADDRESS Low, High, Boundary;

    if (StContiguous[Slot] != NULL) {
        if (!StHolds(StContiguous[Slot], StContiguousBytes[Slot], StContiguousPatterns[Slot]))
            return StFail("contiguous memory's bytes changed");
        MmFreeContiguousMemory(StContiguous[Slot]);
        StContiguous[Slot] = NULL;
        return TRUE;
    }
    Low.QuadPart = 0;
    High.QuadPart = StBelow(2) ? 0xFFFFFFFF : 0xFFFFFF;     /* anywhere, or below 16 MB (ISA DMA) */
    Boundary.QuadPart = StBelow(2) ? 0 : 0x10000;
    StContiguousBytes[Slot] = 1 + StBelow(4 * PAGE_SIZE);
    StContiguousPatterns[Slot] = (UCHAR)StRandom();
    StContiguous[Slot] = MmAllocateContiguousMemorySpecifyCache(StContiguousBytes[Slot], Low, High, Boundary, MmCached);
    if (StContiguous[Slot] == NULL) {
        StRefused++;
        return TRUE;
    }
    StFill(StContiguous[Slot], StContiguousBytes[Slot], StContiguousPatterns[Slot]);
    return TRUE;
}

/* --- Private memory of several processes ------------------------------------------------ */

/* Writes or checks a region's pattern, from inside a try block (the process's memory, touched by the kernel). */
static BOOLEAN StTouchRegion(ST_REGION *Region, BOOLEAN Write)
{
    volatile BOOLEAN Holds = TRUE;

    _SEH2_TRY {
        if (Write)
            StFill(Region->Base, Region->Size, Region->Pattern);
        else
            Holds = StHolds(Region->Base, Region->Size, Region->Pattern);
    } _SEH2_EXCEPT(EXCEPTION_EXECUTE_HANDLER) {
        Holds = FALSE;
    } _SEH2_END;
    return Holds;
}

static ST_PROCESS *StProcess(VOID)
{
    ST_PROCESS *Process = &StProcesses[StBelow(ST_PROCESSES)];

    return Process->Process != NULL ? Process : NULL;
}

/* One virtual-memory operation on one region of one process, attached to it. */
static BOOLEAN StVirtualMemory(ULONG What)
{
    ST_PROCESS *Process = StProcess();
    ST_REGION *Region;
    KAPC_STATE ApcState;
    BOOLEAN Ok = TRUE;

    if (Process == NULL)
        return TRUE;
    Region = &Process->Regions[StBelow(ST_REGIONS)];
    KeStackAttachProcess(&Process->Process->Pcb, &ApcState);
    if (What == 0 && Region->Base == NULL) {
        PVOID Base = (PVOID)(ST_USER_BASE + (ULONG_PTR)(Region - Process->Regions) * ST_MAXIMUM_REGION_PAGES * PAGE_SIZE);
        SIZE_T Size = (1 + StBelow(ST_MAXIMUM_REGION_PAGES)) * PAGE_SIZE;

        if (NT_SUCCESS(ZwAllocateVirtualMemory(NtCurrentProcess(), &Base, 0, &Size, MEM_RESERVE | MEM_COMMIT,
                                               PAGE_READWRITE))) {
            Region->Base = Base;
            Region->Size = Size;
            Region->Protect = PAGE_READWRITE;
            Region->Pattern = (UCHAR)StRandom();
            if (!StTouchRegion(Region, TRUE)) {
                /* A page that could not be faulted in (no memory): the pattern is not there to check. */
                Region->Protect = PAGE_NOACCESS;
                StRefused++;
            }
        } else {
            StRefused++;
        }
    } else if (What == 1 && Region->Base != NULL && Region->Protect != PAGE_NOACCESS) {
        if (!StTouchRegion(Region, FALSE))
            Ok = StFail("a process's committed memory lost its bytes");
    } else if (What == 2 && Region->Base != NULL && Region->Protect != PAGE_NOACCESS) {
        static const ULONG Protections[] = { PAGE_READONLY, PAGE_READWRITE, PAGE_NOACCESS };
        PVOID Base = Region->Base;
        SIZE_T Size = Region->Size;
        ULONG NewProtect = Protections[StBelow(RTL_NUMBER_OF(Protections))], OldProtect;

        if (NT_SUCCESS(ZwProtectVirtualMemory(NtCurrentProcess(), &Base, &Size, NewProtect, &OldProtect)))
            Region->Protect = NewProtect;
        else
            StRefused++;
    } else if (What == 3 && Region->Base != NULL) {
        PVOID Base = Region->Base;
        SIZE_T Size = 0;

        if (!NT_SUCCESS(ZwFreeVirtualMemory(NtCurrentProcess(), &Base, &Size, MEM_RELEASE)))
            Ok = StFail("releasing a region a process had reserved failed");
        Region->Base = NULL;
    }
    KeUnstackDetachProcess(&ApcState);
    return Ok;
}

/* Ends a process (its whole address space goes at once) and makes another in its place. */
static BOOLEAN StRecycleProcess(VOID)
{
    ST_PROCESS *Process = &StProcesses[StBelow(ST_PROCESSES)];

    if (Process->Process != NULL) {
        PsTerminateProcess(Process->Process, STATUS_SUCCESS);
        ObDereferenceObject(Process->Process);
        RtlZeroMemory(Process, sizeof(*Process));
    }
    if (!NT_SUCCESS(PsCreateProcess("stress", StBelow(2) ? PS_CREATE_TOP_DOWN : 0, &Process->Process))) {
        Process->Process = NULL;
        StRefused++;
    }
    return TRUE;
}

/* --- The run ---------------------------------------------------------------------------- */

/* Every walker, then every pattern still held. */
static BOOLEAN StCheckInvariants(VOID)
{
    if (!MiCheckPfnDatabase(TRUE))
        return StFail("the PFN database is inconsistent");
    if (!ExCheckPool(TRUE))
        return StFail("the pool walker found a bad block");
    if (!MiCheckSystemPtes() || !MiCheckPoolPages())
        return StFail("the system PTE or pool page maps disagree with their counts");
    for (ULONG i = 0; i < ST_PROCESSES; i++) {
        if (StProcesses[i].Process != NULL && !MmCheckProcessAddressSpace(StProcesses[i].Process, TRUE))
            return StFail("a process's address space is inconsistent");
    }
    for (ULONG i = 0; i < ST_BLOCKS; i++) {
        if (StBlocks[i].Va != NULL && !StHolds(StBlocks[i].Va, StBlocks[i].Size, StBlocks[i].Pattern))
            return StFail("a pool block's bytes changed");
    }
    for (ULONG i = 0; i < ST_PROCESSES; i++) {
        for (ULONG j = 0; StProcesses[i].Process != NULL && j < ST_REGIONS; j++) {
            ST_REGION *Region = &StProcesses[i].Regions[j];
            KAPC_STATE ApcState;
            BOOLEAN Holds;

            if (Region->Base == NULL || Region->Protect == PAGE_NOACCESS)
                continue;
            KeStackAttachProcess(&StProcesses[i].Process->Pcb, &ApcState);
            Holds = StTouchRegion(Region, FALSE);
            KeUnstackDetachProcess(&ApcState);
            if (!Holds)
                return StFail("a process's committed memory lost its bytes");
        }
    }
    return TRUE;
}

typedef BOOLEAN (*ST_OPERATION)(VOID);

static BOOLEAN StAllocateVirtual(VOID) { return StVirtualMemory(0); }
static BOOLEAN StCheckVirtual(VOID) { return StVirtualMemory(1); }
static BOOLEAN StProtectVirtual(VOID) { return StVirtualMemory(2); }
static BOOLEAN StFreeVirtual(VOID) { return StVirtualMemory(3); }
static BOOLEAN StReleaseAnyMdl(VOID) { return StReleaseMdl(StLockedMdl()); }

/* The operations, their names, and how often each is drawn (out of the weights' sum). */
static const struct {
    ST_OPERATION Operation;
    PCSTR Name;
    ULONG Weight;
} StOperations[] = {
    { StAllocatePool, "pool allocate", 20 }, { StFreePool, "pool free", 16 },
    { StLookasideAllocate, "lookaside allocate", 6 }, { StLookasideFree, "lookaside free", 5 },
    { StLockMdl, "MDL lock", 4 }, { StMapMdl, "MDL map", 4 }, { StUnmapMdl, "MDL unmap", 3 },
    { StReleaseAnyMdl, "MDL release", 3 }, { StReservedMapping, "reserved mapping", 4 },
    { StMapIoSpace, "I/O space view", 3 }, { StContiguousMemory, "contiguous memory", 3 },
    { StAllocateVirtual, "VM allocate", 6 }, { StCheckVirtual, "VM check", 4 }, { StProtectVirtual, "VM protect", 3 },
    { StFreeVirtual, "VM free", 4 }, { StRecycleProcess, "process recycle", 1 },
};

/* Gives everything back; FALSE when something held was found changed on the way. */
static BOOLEAN StReleaseEverything(VOID)
{
    BOOLEAN Ok = TRUE;

    for (ULONG i = 0; i < ST_MDLS; i++) {
        if (StMdls[i].Mdl != NULL)
            Ok = StReleaseMdl(&StMdls[i]) && Ok;
    }
    for (ULONG i = 0; i < ST_RESERVATIONS; i++) {
        if (StReservations[i].Address != NULL)
            MmFreeMappingAddress(StReservations[i].Address, ST_TAG);
        StReservations[i].Address = NULL;
    }
    for (ULONG i = 0; i < ST_BLOCKS; i++)
        Ok = StFreeBlock(&StBlocks[i]) && Ok;
    for (ULONG i = 0; i < ST_LOOKASIDE_ENTRIES; i++) {
        if (StEntries[i].Va != NULL) {
            if (StEntries[i].List == 0)
                ExFreeToNPagedLookasideList(&StNPagedList, StEntries[i].Va);
            else
                ExFreeToPagedLookasideList(&StPagedList, StEntries[i].Va);
            StEntries[i].Va = NULL;
        }
    }
    ExDeleteNPagedLookasideList(&StNPagedList);
    ExDeletePagedLookasideList(&StPagedList);
    for (ULONG i = 0; i < ST_CONTIGUOUS; i++) {
        if (StContiguous[i] != NULL)
            MmFreeContiguousMemory(StContiguous[i]);
        StContiguous[i] = NULL;
    }
    for (ULONG i = 0; i < ST_PROCESSES; i++) {
        if (StProcesses[i].Process != NULL) {
            PsTerminateProcess(StProcesses[i].Process, STATUS_SUCCESS);
            ObDereferenceObject(StProcesses[i].Process);
        }
        RtlZeroMemory(&StProcesses[i], sizeof(StProcesses[i]));
    }
    return Ok;
}

static ULONG StOption(PCSTR Name, ULONG Default)
{
    PCSTR Value;
    ULONG Number = 0;

    if (!KeCommandLineHasOption(Name, &Value) || *Value < '0' || *Value > '9')
        return Default;
    while (*Value >= '0' && *Value <= '9')
        Number = Number * 10 + (ULONG)(*Value++ - '0');
    return Number;
}

/* stress.break: one byte of the first live block that has one changes behind the pool's back. */
static VOID StBreakABlock(VOID)
{
    for (ULONG i = 0; i < ST_BLOCKS; i++) {
        if (StBlocks[i].Va != NULL && StBlocks[i].Size != 0) {
            StBlocks[i].Va[StBlocks[i].Size / 2] ^= 0xFF;
            DbgPrint("stress: operation %u changes a byte of the block at %p on purpose (stress.break)\n", StOp,
                     StBlocks[i].Va);
            return;
        }
    }
}

/* Runs the stream the command line names; TRUE when nothing broke. */
BOOLEAN KtRunStress(VOID)
{
    ULONG Check = StOption("stress.check", ST_DEFAULT_CHECK), TotalWeight = 0;
    ULONG Break = StOption("stress.break", MAXULONG);
    ULONG FreePtes, Processes = PsActiveProcessCount;
    EX_POOL_TAG_INFORMATION Tag;
    PFN_NUMBER Available;
    BOOLEAN Ok = TRUE;

    StSeed = StOption("stress.seed", 1);
    StOps = StOption("stress.ops", ST_DEFAULT_OPS);
    StState = StSeed * 2654435761u + 1;
    KiBugCheckHook = StBugCheckHook;
    DbgPrint("stress: seed %u, %u operations, the walkers every %u\n", StSeed, StOps, Check);
    ExTrimPool();
    Available = MmAvailablePages;
    FreePtes = MmTotalFreeSystemPtes;
    for (ULONG i = 0; i < RTL_NUMBER_OF(StOperations); i++)
        TotalWeight += StOperations[i].Weight;

    /* What stays for the whole run: the lookaside lists, the reservations, the processes. */
    VfSuspendLowResources();
    ExInitializeNPagedLookasideList(&StNPagedList, NULL, NULL, 0, StLookasideSizes[0], ST_LOOKASIDE_TAG, 0);
    ExInitializePagedLookasideList(&StPagedList, NULL, NULL, 0, StLookasideSizes[1], ST_LOOKASIDE_TAG, 0);
    for (ULONG i = 0; i < ST_RESERVATIONS; i++)
        StReservations[i].Address = MmAllocateMappingAddress((ST_MAXIMUM_MDL_PAGES + 1) * PAGE_SIZE, ST_TAG);
    VfResumeLowResources();
    for (ULONG i = 0; i < ST_PROCESSES; i++)
        StRecycleProcess();

    for (StOp = 0; StOp < StOps && Ok; StOp++) {
        ULONG Draw = StBelow(TotalWeight), Which = 0;

        while (Draw >= StOperations[Which].Weight)
            Draw -= StOperations[Which++].Weight;
        StDone[Which]++;
        if (StOp == Break)
            StBreakABlock();
        Ok = StOperations[Which].Operation();
        if (Ok && Check != 0 && (StOp + 1) % Check == 0)
            Ok = StCheckInvariants();
    }
    if (Ok)
        Ok = StCheckInvariants();
    StOp = StOps;
    Ok = StReleaseEverything() && Ok;
    if (Ok)
        Ok = StCheckInvariants();
    ExTrimPool();
    ExQueryPoolTag(ST_TAG, &Tag);
    if (Ok && Tag.NonPagedBytes + Tag.PagedBytes != 0)
        Ok = StFail("the run's pool blocks were not all given back");
    ExQueryPoolTag(ST_BUFFER_TAG, &Tag);
    if (Ok && Tag.NonPagedBytes + Tag.PagedBytes != 0)
        Ok = StFail("the run's MDL buffers were not all given back");
    if (Ok && (MmTotalFreeSystemPtes != FreePtes || PsActiveProcessCount != Processes))
        Ok = StFail("system PTEs or processes were not all given back");
    for (ULONG i = 0; i < RTL_NUMBER_OF(StOperations); i++)
        DbgPrint("stress: %6u %s\n", StDone[i], StOperations[i].Name);
    DbgPrint("stress: %u requests refused (the verifier failed %u on purpose); available pages %u -> %u\n", StRefused,
             VfStatistics.AllocationsFailedDeliberately, (ULONG)Available, (ULONG)MmAvailablePages);
    VfDumpStatistics();
    if (Ok)
        DbgPrint("stress: done: %u operations of seed %u\n", StOps, StSeed);
    return Ok;
}
