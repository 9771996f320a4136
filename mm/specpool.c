/*
 * specpool.c: special pool, the verifier's pool that catches overruns,
 * underruns and use after free at the instruction that makes them.
 *
 * A window of system PTEs, reserved at boot, is cut into slots of two
 * pages: one mapped for an allocation, the other never mapped, a guard.
 * An allocation gets a slot and a page of its own. For overruns (NT's
 * "verify end") the block ends at the end of its page, against the guard
 * after it, and a header at the start of the page records its size, tag
 * and allocating caller; for underruns ("verify start") the guard comes
 * first, the block starts the page and the header ends it. The block is
 * aligned as pool blocks are (8 bytes, 64 for cache-aligned types), so up
 * to 7 bytes past its end still lie in the page: those, and the rest of
 * the page between block and header, are filled with a pattern that the
 * free checks. A freed slot has both its PTEs invalid and its page
 * returned, and goes to the back of a first-in first-out queue, so its
 * addresses stay out of reach until every other slot has been used since.
 *
 * What a touch of a slot's invalid page means (MiCheckSpecialPoolFault):
 *   the guard of an allocation   DRIVER_PAGE_FAULT_BEYOND_END_OF_ALLOCATION (0xD6)
 *   any page of a freed slot     DRIVER_PAGE_FAULT_IN_FREED_SPECIAL_POOL (0xD5)
 *   an allocation's page trimmed by forced IRQL checking: paged in again
 *   (at APC_LEVEL or below; above it, IRQL_NOT_LESS_OR_EQUAL)
 * each with the address, 0 for a read or 1 for a write, and the faulting
 * instruction, as NT documents; the tag and callers are printed first. A
 * free that finds the pattern or the header changed stops with
 * SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION (0xC1) and NT's subcode.
 *
 * Each slot's tag, size and callers are also kept outside the page, so a
 * report after the free can still name them. When no slot or no page is
 * left the caller falls back to normal pool, as NT's does.
 */
#include "mi.h"
#include <vf.h>
#include <string.h>

/* How many slots: one per MI_SPECIAL_POOL_RAM_SHARE pages of RAM, within these bounds. */
#define MI_SPECIAL_POOL_MINIMUM_SLOTS 64
#define MI_SPECIAL_POOL_MAXIMUM_SLOTS 4096
#define MI_SPECIAL_POOL_RAM_SHARE 8
#define MI_SPECIAL_POOL_SLOT_PTES 2
#define MI_SPECIAL_POOL_ALIGNMENT 8
#define MI_SPECIAL_POOL_CACHE_ALIGNMENT 64

/* SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION's fourth parameters (NT's). */
#define MI_SPECIAL_POOL_FREE_NOT_ALLOCATED 0x20
#define MI_SPECIAL_POOL_FREE_BAD_ADDRESS   0x21
#define MI_SPECIAL_POOL_CORRUPTED_NEARBY   0x23
#define MI_SPECIAL_POOL_CORRUPTED_AFTER    0x24
#define MI_SPECIAL_POOL_FREE_BAD_IRQL      0x31

/* The header in the page, beside the block. */
typedef struct _MI_SPECIAL_POOL_HEADER {
    ULONG NumberOfBytes;
    ULONG Tag;
    PVOID CallersAddress;
    ULONG Check;                  /* the block's address, scrambled: a header the block ran into no longer matches */
} MI_SPECIAL_POOL_HEADER, *PMI_SPECIAL_POOL_HEADER;
#define MI_SPECIAL_POOL_CHECK(Block) ((ULONG)(ULONG_PTR)(Block) ^ 0x5EC1A10Cu)
#define MI_SPECIAL_POOL_MAXIMUM_BYTES (PAGE_SIZE - sizeof(MI_SPECIAL_POOL_HEADER))

/* A slot as the window's table keeps it. */
typedef struct _MI_SPECIAL_POOL_SLOT {
    PVOID Block;                  /* the caller's address; kept after the free, for reports */
    PVOID CallersAddress;
    PVOID FreerAddress;           /* NULL while allocated */
    ULONG Tag;
    USHORT NumberOfBytes;
    UCHAR PoolType;               /* the base pool type */
    UCHAR Flags;
} MI_SPECIAL_POOL_SLOT, *PMI_SPECIAL_POOL_SLOT;
#define MI_SPECIAL_POOL_ALLOCATED 0x01
#define MI_SPECIAL_POOL_UNDERRUN  0x02      /* guard first, block at the page's start */

static PMMPTE MiSpecialPoolPtes;            /* the window's first PTE */
static PVOID MiSpecialPoolStart, MiSpecialPoolEnd;
static PMI_SPECIAL_POOL_SLOT MiSpecialPoolSlots;
static PULONG MiSpecialPoolQueue;           /* free slots, oldest free first: a ring of slot numbers */
static ULONG MiSpecialPoolSlotCount, MiSpecialPoolQueueHead, MiSpecialPoolQueueCount;
ULONG MmSpecialPoolInUse;

/* The byte that fills a slot's page around its block: odd, so never zero, and different from slot to slot. */
static UCHAR MiSpecialPoolPattern(ULONG Slot)
{
    return (UCHAR)((Slot * 0x9D + 0x5B) | 1);
}

/*
 * Reserves the window and its tables (mminit.c, once system PTEs exist).
 * Without room for them the machine simply has no special pool, and every
 * request falls back to normal pool.
 */
VOID MiInitializeSpecialPool(VOID)
{
    ULONG Slots = MmNumberOfPhysicalPages / MI_SPECIAL_POOL_RAM_SHARE;

    if (Slots < MI_SPECIAL_POOL_MINIMUM_SLOTS)
        Slots = MI_SPECIAL_POOL_MINIMUM_SLOTS;
    if (Slots > MI_SPECIAL_POOL_MAXIMUM_SLOTS)
        Slots = MI_SPECIAL_POOL_MAXIMUM_SLOTS;
    MiSpecialPoolSlots = VfAllocateStorage(Slots * sizeof(MI_SPECIAL_POOL_SLOT));
    MiSpecialPoolQueue = VfAllocateStorage(Slots * sizeof(ULONG));
    MiSpecialPoolPtes = MiReserveSystemPtes(Slots * MI_SPECIAL_POOL_SLOT_PTES);
    if (MiSpecialPoolSlots == NULL || MiSpecialPoolQueue == NULL || MiSpecialPoolPtes == NULL) {
        DbgPrint("special pool: no room for %u slots; allocations will come from normal pool\n", Slots);
        return;
    }
    for (ULONG i = 0; i < Slots; i++)
        MiSpecialPoolQueue[i] = i;
    MiSpecialPoolSlotCount = MiSpecialPoolQueueCount = Slots;
    MiSpecialPoolStart = MiPteToAddress(MiSpecialPoolPtes);
    MiSpecialPoolEnd = MiPteToAddress(MiSpecialPoolPtes + Slots * MI_SPECIAL_POOL_SLOT_PTES);
}

BOOLEAN MmIsSpecialPoolAddress(PVOID P)
{
    return (ULONG_PTR)P - (ULONG_PTR)MiSpecialPoolStart < (ULONG_PTR)MiSpecialPoolEnd - (ULONG_PTR)MiSpecialPoolStart;
}

static ULONG MiSpecialPoolSlotOf(PVOID P)
{
    return (ULONG)(((ULONG_PTR)P - (ULONG_PTR)MiSpecialPoolStart) / (MI_SPECIAL_POOL_SLOT_PTES * PAGE_SIZE));
}

/* The PTE of a slot's data page: the first of its two, or the second when the guard comes first. */
static PMMPTE MiSpecialPoolDataPte(ULONG Slot, UCHAR Flags)
{
    return MiSpecialPoolPtes + Slot * MI_SPECIAL_POOL_SLOT_PTES + ((Flags & MI_SPECIAL_POOL_UNDERRUN) ? 1 : 0);
}

/*
 * A block of NumberOfBytes (up to a page less its header) in a slot of its
 * own, for the pool (ExAllocatePoolWithTag when the verifier chose special
 * pool for the request). SpecialPoolType 0 guards the end, 1 the start.
 * NULL when no slot or page is left: the pool then serves the request.
 */
PVOID MmAllocateSpecialPool(SIZE_T NumberOfBytes, ULONG Tag, POOL_TYPE PoolType, ULONG SpecialPoolType,
                            PVOID CallersAddress)
{
    ULONG Alignment = (PoolType & CACHE_ALIGNED_POOL_TYPE_MASK) ? MI_SPECIAL_POOL_CACHE_ALIGNMENT
                                                                : MI_SPECIAL_POOL_ALIGNMENT;
    UCHAR Flags = MI_SPECIAL_POOL_ALLOCATED | (SpecialPoolType != 0 ? MI_SPECIAL_POOL_UNDERRUN : 0);
    ULONG BlockOffset, HeaderOffset, Slot;
    PFN_NUMBER PageFrameIndex;
    PMI_SPECIAL_POOL_HEADER Header;
    PMMPTE PointerPte;
    PUCHAR Page;
    KIRQL OldIrql;

    if (MiSpecialPoolSlotCount == 0 || NumberOfBytes > MI_SPECIAL_POOL_MAXIMUM_BYTES)
        return NULL;
    if (Flags & MI_SPECIAL_POOL_UNDERRUN) {
        BlockOffset = 0;
        HeaderOffset = PAGE_SIZE - sizeof(MI_SPECIAL_POOL_HEADER);
    } else {
        BlockOffset = PAGE_SIZE - ALIGN_UP_BY(NumberOfBytes != 0 ? NumberOfBytes : 1, Alignment);
        HeaderOffset = 0;
        if (BlockOffset < sizeof(MI_SPECIAL_POOL_HEADER))
            return NULL;
    }

    MiAcquirePfnLock(&OldIrql);
    PageFrameIndex = MiSpecialPoolQueueCount != 0 ? MiRemoveAnyPage() : MM_EMPTY_LIST;
    if (PageFrameIndex == MM_EMPTY_LIST) {
        MiReleasePfnLock(OldIrql);
        return NULL;
    }
    Slot = MiSpecialPoolQueue[MiSpecialPoolQueueHead];
    MiSpecialPoolQueueHead = (MiSpecialPoolQueueHead + 1) % MiSpecialPoolSlotCount;
    MiSpecialPoolQueueCount--;
    MmSpecialPoolInUse++;
    PointerPte = MiSpecialPoolDataPte(Slot, Flags);
    MiInitializePfn(PageFrameIndex, PointerPte, TRUE);
    MI_WRITE_VALID_PTE(PointerPte, MiMakeSystemPte(PageFrameIndex, MM_READWRITE));
    MiReleasePfnLock(OldIrql);

    Page = MiPteToAddress(PointerPte);
    memset(Page, MiSpecialPoolPattern(Slot), PAGE_SIZE);
    Header = (PMI_SPECIAL_POOL_HEADER)(Page + HeaderOffset);
    Header->NumberOfBytes = (ULONG)NumberOfBytes;
    Header->Tag = Tag;
    Header->CallersAddress = CallersAddress;
    Header->Check = MI_SPECIAL_POOL_CHECK(Page + BlockOffset);
    MiSpecialPoolSlots[Slot].Block = Page + BlockOffset;
    MiSpecialPoolSlots[Slot].CallersAddress = CallersAddress;
    MiSpecialPoolSlots[Slot].FreerAddress = NULL;
    MiSpecialPoolSlots[Slot].Tag = Tag;
    MiSpecialPoolSlots[Slot].NumberOfBytes = (USHORT)NumberOfBytes;
    MiSpecialPoolSlots[Slot].PoolType = (UCHAR)(PoolType & BASE_POOL_TYPE_MASK);
    MiSpecialPoolSlots[Slot].Flags = Flags;
    return Page + BlockOffset;
}

/* Prints what the verifier knows of the slot P lies in, before a stop. */
static VOID MiReportSpecialPoolSlot(ULONG Slot, PCSTR What)
{
    PMI_SPECIAL_POOL_SLOT Record = &MiSpecialPoolSlots[Slot];
    CHAR Tag[sizeof(ULONG) + 1];
    ULONG_PTR Offset;
    PCSTR Name;

    for (ULONG i = 0; i < sizeof(ULONG); i++) {
        CHAR Character = (CHAR)(Record->Tag >> (i * 8));
        Tag[i] = Character >= ' ' && Character <= '~' ? Character : '.';
    }
    Tag[sizeof(ULONG)] = '\0';
    Name = KiSymbolFromAddress((ULONG_PTR)Record->CallersAddress, &Offset);
    DbgPrint("special pool: %s: tag '%s', %u bytes at %p, allocated by %s+0x%X\n", What, Tag,
             Record->NumberOfBytes, Record->Block, Name != NULL ? Name : "?", Offset);
    if (Record->FreerAddress != NULL) {
        Name = KiSymbolFromAddress((ULONG_PTR)Record->FreerAddress, &Offset);
        DbgPrint("special pool: freed by %s+0x%X\n", Name != NULL ? Name : "?", Offset);
    }
}

static DECLSPEC_NORETURN VOID MiSpecialPoolCorrupted(ULONG Slot, PVOID P, ULONG_PTR P2, ULONG_PTR P3, ULONG Code)
{
    MiReportSpecialPoolSlot(Slot, "corrupted");
    KeBugCheckEx(SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION, (ULONG_PTR)P, P2, P3, Code);
}

/* The first byte of [Start, End) that is not the pattern, or NULL. */
static PUCHAR MiFindChangedByte(PUCHAR Start, PUCHAR End, UCHAR Pattern)
{
    for (PUCHAR Byte = Start; Byte < End; Byte++) {
        if (*Byte != Pattern)
            return Byte;
    }
    return NULL;
}

/*
 * Frees a special-pool block: checks the address, the IRQL, the header
 * and the pattern around the block (0xC1 with NT's subcode for each),
 * then gives the page back and sends the slot to the end of the queue
 * with both its PTEs invalid. CallersAddress is the freer, for reports.
 */
VOID MmFreeSpecialPool(PVOID P, PVOID CallersAddress)
{
    ULONG Slot = MiSpecialPoolSlotOf(P);
    PMI_SPECIAL_POOL_SLOT Record = &MiSpecialPoolSlots[Slot];
    KIRQL Irql = KeGetCurrentIrql(), OldIrql;
    PMI_SPECIAL_POOL_HEADER Header;
    PUCHAR Page, Block, Changed;
    UCHAR Pattern = MiSpecialPoolPattern(Slot);
    PFN_NUMBER PageFrameIndex;
    PMMPTE PointerPte;

    if (!(Record->Flags & MI_SPECIAL_POOL_ALLOCATED))
        MiSpecialPoolCorrupted(Slot, P, 0, 0, MI_SPECIAL_POOL_FREE_NOT_ALLOCATED);
    if (Irql > (Record->PoolType == PagedPool ? APC_LEVEL : DISPATCH_LEVEL))
        KeBugCheckEx(SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION, Irql, Record->PoolType, (ULONG_PTR)P,
                     MI_SPECIAL_POOL_FREE_BAD_IRQL);
    Block = Record->Block;
    if (P != Block)
        MiSpecialPoolCorrupted(Slot, P, Record->NumberOfBytes, (ULONG_PTR)PAGE_ALIGN(Block) + PAGE_SIZE - (ULONG_PTR)P,
                               MI_SPECIAL_POOL_FREE_BAD_ADDRESS);
    Page = PAGE_ALIGN(Block);
    if (Record->Flags & MI_SPECIAL_POOL_UNDERRUN) {
        Header = (PMI_SPECIAL_POOL_HEADER)(Page + PAGE_SIZE - sizeof(MI_SPECIAL_POOL_HEADER));
        Changed = MiFindChangedByte(Block + Record->NumberOfBytes, (PUCHAR)Header, Pattern);
    } else {
        Header = (PMI_SPECIAL_POOL_HEADER)Page;
        Changed = MiFindChangedByte((PUCHAR)(Header + 1), Block, Pattern);
    }
    if (Header->NumberOfBytes != Record->NumberOfBytes || Header->Tag != Record->Tag ||
        Header->CallersAddress != Record->CallersAddress || Header->Check != MI_SPECIAL_POOL_CHECK(Block))
        MiSpecialPoolCorrupted(Slot, P, (ULONG_PTR)Header, 0, MI_SPECIAL_POOL_CORRUPTED_NEARBY);
    if (Changed != NULL)
        MiSpecialPoolCorrupted(Slot, P, (ULONG_PTR)Changed, 0,
                               (Record->Flags & MI_SPECIAL_POOL_UNDERRUN) ? MI_SPECIAL_POOL_CORRUPTED_AFTER
                                                                          : MI_SPECIAL_POOL_CORRUPTED_NEARBY);
    if (!(Record->Flags & MI_SPECIAL_POOL_UNDERRUN)) {
        Changed = MiFindChangedByte(Block + Record->NumberOfBytes, Page + PAGE_SIZE, Pattern);
        if (Changed != NULL)
            MiSpecialPoolCorrupted(Slot, P, (ULONG_PTR)Changed, 0, MI_SPECIAL_POOL_CORRUPTED_AFTER);
    }

    PointerPte = MiSpecialPoolDataPte(Slot, Record->Flags);
    MiAcquirePfnLock(&OldIrql);
    PageFrameIndex = PFN_FROM_PTE(PointerPte);
    MI_ERASE_PTE(PointerPte);
    MiFlushTb(Page);
    MiDecrementShareCount(MI_PFN_ELEMENT(PageFrameIndex), PageFrameIndex);
    Record->Flags &= ~MI_SPECIAL_POOL_ALLOCATED;
    Record->FreerAddress = CallersAddress;
    MiSpecialPoolQueue[(MiSpecialPoolQueueHead + MiSpecialPoolQueueCount) % MiSpecialPoolSlotCount] = Slot;
    MiSpecialPoolQueueCount++;
    MmSpecialPoolInUse--;
    MiReleasePfnLock(OldIrql);
}

/* NT's question for addresses special pool might hold: is the block there nonpaged? */
BOOLEAN MmIsSpecialPoolAddressNonPaged(PVOID P)
{
    PMI_SPECIAL_POOL_SLOT Record = &MiSpecialPoolSlots[MiSpecialPoolSlotOf(P)];

    return MmIsSpecialPoolAddress(P) && (Record->Flags & MI_SPECIAL_POOL_ALLOCATED) && Record->PoolType == NonPagedPool;
}

/*
 * Is a special-pool block allocated at P? If so, the bytes asked for, its
 * tag and its base pool type.
 */
BOOLEAN MmQuerySpecialPoolBlock(PVOID P, PSIZE_T NumberOfBytes, PULONG Tag, POOL_TYPE *PoolType)
{
    PMI_SPECIAL_POOL_SLOT Record = &MiSpecialPoolSlots[MiSpecialPoolSlotOf(P)];

    if (!(Record->Flags & MI_SPECIAL_POOL_ALLOCATED) || Record->Block != P)
        return FALSE;
    *NumberOfBytes = Record->NumberOfBytes;
    *Tag = Record->Tag;
    *PoolType = (POOL_TYPE)Record->PoolType;
    return TRUE;
}

/*
 * A fault on an invalid PTE of the window (MmAccessFault, which has
 * stopped a touch of a trimmed page above APC_LEVEL already). Returns
 * STATUS_SUCCESS when it paged a trimmed allocation back in, or
 * STATUS_NOT_FOUND for a slot never used, which is no special pool's
 * business (the caller treats it as any unmapped address); otherwise
 * stops, as the opening comment lists. A probe in a try block gets an
 * access violation instead, the only protection NT documents for these.
 */
NTSTATUS MiCheckSpecialPoolFault(PVOID VirtualAddress, ULONG FaultStatus, PKTRAP_FRAME TrapFrame)
{
    ULONG Slot = MiSpecialPoolSlotOf(VirtualAddress);
    PMI_SPECIAL_POOL_SLOT Record = &MiSpecialPoolSlots[Slot];
    PMMPTE PointerPte = MiAddressToPte(VirtualAddress);
    BOOLEAN Allocated = (Record->Flags & MI_SPECIAL_POOL_ALLOCATED) != 0;
    ULONG_PTR Write = (FaultStatus & PF_WRITE) ? 1 : 0;
    KIRQL OldIrql;

    if (Allocated && PointerPte == MiSpecialPoolDataPte(Slot, Record->Flags) && MiIsTransitionPte(*PointerPte)) {
        ASSERT(KeGetCurrentIrql() <= APC_LEVEL);
        MiAcquirePfnLock(&OldIrql);
        MI_WRITE_VALID_PTE(PointerPte, MiMakeSystemPte(PointerPte->u.Trans.PageFrameNumber, MM_READWRITE));
        MiReleasePfnLock(OldIrql);
        return STATUS_SUCCESS;
    }
    if (KeInvalidAccessAllowed(TrapFrame))
        return STATUS_ACCESS_VIOLATION;
    if (Record->CallersAddress == NULL)
        return STATUS_NOT_FOUND;             /* no block was ever here: an address nobody mapped */
    if (!Allocated) {
        MiReportSpecialPoolSlot(Slot, "touched after its free");
        KeBugCheckWithTf(DRIVER_PAGE_FAULT_IN_FREED_SPECIAL_POOL, (ULONG_PTR)VirtualAddress, Write, TrapFrame->Eip,
                         0, TrapFrame);
    }
    MiReportSpecialPoolSlot(Slot, (Record->Flags & MI_SPECIAL_POOL_UNDERRUN) ? "touched before its start"
                                                                             : "touched past its end");
    KeBugCheckWithTf(DRIVER_PAGE_FAULT_BEYOND_END_OF_ALLOCATION, (ULONG_PTR)VirtualAddress, Write, TrapFrame->Eip, 0,
                     TrapFrame);
}

/*
 * Makes every allocated page of paged special pool not present (forced
 * IRQL checking, vftrim.c); the next touch pages it in again. Returns the
 * pages trimmed. Called with the PFN lock held.
 */
ULONG MiTrimSpecialPool(VOID)
{
    ULONG Trimmed = 0;

    MI_ASSERT_PFN_LOCK_HELD();
    for (ULONG Slot = 0; Slot < MiSpecialPoolSlotCount && MmSpecialPoolInUse != 0; Slot++) {
        PMI_SPECIAL_POOL_SLOT Record = &MiSpecialPoolSlots[Slot];
        PMMPTE PointerPte = MiSpecialPoolDataPte(Slot, Record->Flags);

        if ((Record->Flags & MI_SPECIAL_POOL_ALLOCATED) && Record->PoolType == PagedPool &&
            PointerPte->u.Hard.Valid) {
            MI_WRITE_INVALID_PTE(PointerPte, MiMakeTransitionPte(PFN_FROM_PTE(PointerPte), MM_READWRITE));
            MiFlushTb(MiPteToAddress(PointerPte));
            Trimmed++;
        }
    }
    return Trimmed;
}
