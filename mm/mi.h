/*
 * mi.h: the memory manager's private header: how PTEs are written and TLB
 * entries flushed, the PFN lock and list operations, page tables for system
 * space, and the page-level allocator under the pools. Only mm/ includes it
 * (and white-box tests that define NTMM_MM_WHITEBOX_TEST).
 */
#ifndef NTMM_MI_H
#define NTMM_MI_H

#if !defined(NTMM_MM_INTERNAL) && !defined(NTMM_MM_WHITEBOX_TEST)
#error "mm/mi.h is private to mm/"
#endif

#include <mm.h>
#include <ps.h>
#include <rtl/bitmap.h>

/*
 * MEMORY_MANAGEMENT (0x1A) first parameters for ntmm's own consistency
 * stops (NT's values are undocumented internals; these sit outside them).
 */
#define MI_BUGCHECK_HYPERSPACE_OVERFLOW 0x6001 /* slot, page frame */
#define MI_BUGCHECK_HYPERSPACE_ORDER    0x6002 /* address, depth: unmapped out of order */
#define MI_BUGCHECK_NO_PAGE_TABLE       0x6003 /* address: no page for a system page table */
#define MI_BUGCHECK_BOOT_ALLOCATION     0x6004 /* pages wanted: boot ran out of memory */
#define MI_BUGCHECK_COMMITMENT_UNDERFLOW 0x6005 /* pages, system total, account: more returned than charged */
#define MI_BUGCHECK_ADDRESS_SPACE_LOCK  0x6006 /* process, owner: the address-space lock taken twice or not held */
#define MI_BUGCHECK_PAGE_TABLE_COUNT    0x6007 /* process, address, count: a user page table's PTE count went wrong */
#define MI_BUGCHECK_VAD_CONFLICT        0x6008 /* process, VAD, first page: inserted over another VAD */
#define MI_BUGCHECK_SEGMENT_STILL_MAPPED 0x6009 /* control area, prototype PTE, its contents: deleted while mapped */
#define MI_BUGCHECK_VERIFIER_OPTION     0x600A /* the command line's verifier= text: an item it does not know */

/* --- PTE contents ----------------------------------------------------------- */

/* MM_* protection to the hardware bits of a valid PTE (Write, CacheDisable, WriteThrough, PAT). */
extern const ULONG MmProtectToPteMask[32];
extern ULONG MmPteGlobal;                   /* PTE_GLOBAL when the CPU has PGE, else 0 */

/* A valid kernel PTE for PageFrameIndex with Protection; global, since system space is shared. */
FORCEINLINE MMPTE MiMakeSystemPte(PFN_NUMBER PageFrameIndex, ULONG Protection)
{
    MMPTE TempPte;

    TempPte.u.Long = (PageFrameIndex << PAGE_SHIFT) | MmProtectToPteMask[Protection & 0x1F] |
                     PTE_VALID | PTE_ACCESSED | PTE_DIRTY | MmPteGlobal;
    return TempPte;
}

/* An invalid PTE that the fault handler turns into a zeroed page with Protection. */
FORCEINLINE MMPTE MiMakeDemandZeroPte(ULONG Protection)
{
    MMPTE TempPte;

    TempPte.u.Long = 0;
    TempPte.u.Soft.Protection = Protection;
    return TempPte;
}

FORCEINLINE BOOLEAN MiIsDemandZeroPte(MMPTE Pte)
{
    return !Pte.u.Soft.Valid && !Pte.u.Soft.Prototype && !Pte.u.Soft.Transition &&
           Pte.u.Soft.PageFileHigh == 0 && Pte.u.Soft.PageFileLow == 0 &&
           Pte.u.Soft.Protection != MM_ZERO_ACCESS && Pte.u.Soft.Protection != MM_DECOMMIT;
}

/* A valid user PTE: the Owner bit, no Global (user space differs per process). */
FORCEINLINE MMPTE MiMakeUserPte(PFN_NUMBER PageFrameIndex, ULONG Protection)
{
    MMPTE TempPte;

    TempPte.u.Long = (PageFrameIndex << PAGE_SHIFT) | MmProtectToPteMask[Protection & 0x1F] |
                     PTE_VALID | PTE_OWNER | PTE_ACCESSED;
    if (TempPte.u.Hard.Write)
        TempPte.u.Hard.Dirty = 1;
    return TempPte;
}

/*
 * A resident page taken out of reach (made PAGE_GUARD or PAGE_NOACCESS): its
 * PTE keeps the frame with Transition set, so the next touch finds the page
 * without a copy. (NT would also move the page to the standby or modified
 * list; ntmm has neither yet, so the page stays ActiveAndValid.)
 */
FORCEINLINE MMPTE MiMakeTransitionPte(PFN_NUMBER PageFrameIndex, ULONG Protection)
{
    MMPTE TempPte;

    TempPte.u.Long = PageFrameIndex << PAGE_SHIFT;
    TempPte.u.Trans.Transition = 1;
    TempPte.u.Trans.Protection = Protection;
    return TempPte;
}

FORCEINLINE BOOLEAN MiIsTransitionPte(MMPTE Pte)
{
    return !Pte.u.Hard.Valid && !Pte.u.Soft.Prototype && Pte.u.Soft.Transition;
}

/* --- Protections (protect.c) ------------------------------------------------------ */

#define MM_INVALID_PROTECTION 0xFFFFFFFF
#define MI_IS_NOACCESS(Protection) (((Protection) & 7) == MM_ZERO_ACCESS)
#define MI_IS_GUARD(Protection) (((Protection) & MM_NOACCESS) == MM_GUARD_PAGE && !MI_IS_NOACCESS(Protection))
#define MI_IS_WRITABLE(Protection) (((Protection) & MM_PROTECTION_WRITE_MASK) != 0)
#define MI_IS_COPY_ON_WRITE(Protection) (((Protection) & MM_WRITECOPY) == MM_WRITECOPY)
/* A copy-on-write protection once the copy is made: read-write, executable if it was (NT's macro). */
#define MI_MAKE_PROTECT_NOT_WRITE_COPY(Protection) \
    (MI_IS_COPY_ON_WRITE(Protection) ? (Protection) ^ (MM_WRITECOPY ^ MM_READWRITE) : (Protection))
ULONG MiMakeProtectionMask(ULONG Protect);
ULONG MiProtectionToPageProtect(ULONG ProtectionMask);

/*
 * Live PTEs change only through these, each asserting the transition it
 * makes. Taking a valid PTE away must be followed by MiFlushTb.
 */
FORCEINLINE VOID MI_WRITE_VALID_PTE(PMMPTE PointerPte, MMPTE TempPte)
{
    ASSERT(!PointerPte->u.Hard.Valid);
    ASSERT(TempPte.u.Hard.Valid);
    *(volatile ULONG *)&PointerPte->u.Long = TempPte.u.Long;
}

FORCEINLINE VOID MI_UPDATE_VALID_PTE(PMMPTE PointerPte, MMPTE TempPte)
{
    ASSERT(PointerPte->u.Hard.Valid && TempPte.u.Hard.Valid);
    ASSERT(PointerPte->u.Hard.PageFrameNumber == TempPte.u.Hard.PageFrameNumber);
    *(volatile ULONG *)&PointerPte->u.Long = TempPte.u.Long;
}

/* A valid PTE given another page (a private copy replacing a shared one); the caller flushes. */
FORCEINLINE VOID MI_WRITE_VALID_PTE_NEW_PAGE(PMMPTE PointerPte, MMPTE TempPte)
{
    ASSERT(PointerPte->u.Hard.Valid && TempPte.u.Hard.Valid);
    ASSERT(PointerPte->u.Hard.PageFrameNumber != TempPte.u.Hard.PageFrameNumber);
    *(volatile ULONG *)&PointerPte->u.Long = TempPte.u.Long;
}

FORCEINLINE VOID MI_WRITE_INVALID_PTE(PMMPTE PointerPte, MMPTE InvalidPte)
{
    ASSERT(!InvalidPte.u.Hard.Valid);
    *(volatile ULONG *)&PointerPte->u.Long = InvalidPte.u.Long;
}

FORCEINLINE VOID MI_ERASE_PTE(PMMPTE PointerPte)
{
    *(volatile ULONG *)&PointerPte->u.Long = 0;
}

/* --- TLB ---------------------------------------------------------------------- */

FORCEINLINE VOID MiFlushTb(PVOID VirtualAddress)
{
    __invlpg(VirtualAddress);
    MmStatistics.TbFlushSingle++;
}

VOID MiFlushEntireTb(BOOLEAN IncludeGlobal);

/* --- The PFN lock and lists (pfnlist.c) ---------------------------------------- */

/*
 * The PFN lock: a spin lock, taken inline because every page operation
 * takes it. Taking it twice stops the system, as KeAcquireSpinLock does.
 */
extern KSPIN_LOCK MmPfnLock;

FORCEINLINE VOID MiAcquirePfnLock(PKIRQL OldIrql)
{
    *OldIrql = KiRaiseIrqlToDispatch();
    if (MmPfnLock != 0)
        KeBugCheckEx(SPIN_LOCK_ALREADY_OWNED, (ULONG_PTR)&MmPfnLock, 0, 0, 0);
    MmPfnLock = 1;
}

FORCEINLINE VOID MiReleasePfnLock(KIRQL OldIrql)
{
    MmPfnLock = 0;
    KiLowerIrqlFromDispatch(OldIrql);
}

#define MI_ASSERT_PFN_LOCK_HELD() ASSERT(MmPfnLock != 0)

/* Available pages any taker but a promised first touch may have (mm.h, MmPromisedPages). */
FORCEINLINE PFN_NUMBER MiUsablePages(VOID)
{
    return MmAvailablePages > MmPromisedPages ? MmAvailablePages - MmPromisedPages : 0;
}

VOID MiInsertPageInList(PMMPFNLIST ListHead, PFN_NUMBER PageFrameIndex);
VOID MiUnlinkFreeOrZeroedPage(PFN_NUMBER PageFrameIndex);
PFN_NUMBER MiRemoveAnyPage(VOID);
PFN_NUMBER MiRemoveZeroPage(VOID);

/* PFN_LIST_CORRUPT's first parameters, as NT documents them. */
#define PFN_CORRUPT_LIST_ENTRY 0x02      /* PFN_LIST_CORRUPT: entry being removed, highest page, reference count */
#define PFN_CORRUPT_UNLOCKED_TOO_MUCH 0x07 /* page, share count, 0 */
#define PFN_CORRUPT_PAGE_STATE 0x99      /* page, page state, reference count */

/*
 * Takes the first page of an available list. The same unlink as
 * MiUnlinkFreeOrZeroedPage, specialised for the head (no backward
 * neighbour) and inline, because every page fault and allocation comes
 * through here; the check that the next page points back stays.
 */
FORCEINLINE PFN_NUMBER MiRemoveHeadPage(PMMPFNLIST ListHead)
{
    PFN_NUMBER PageFrameIndex = ListHead->Flink, Next;
    PMMPFN Pfn1;

    MI_ASSERT_PFN_LOCK_HELD();
    if (PageFrameIndex == MM_EMPTY_LIST)
        return MM_EMPTY_LIST;
    Pfn1 = MI_PFN_ELEMENT(PageFrameIndex);
    Next = Pfn1->u1.Flink;
    if (Pfn1->u2.Blink != MM_EMPTY_LIST || Pfn1->u3.e2.e1.PageLocation != ListHead->ListName ||
        (Next == MM_EMPTY_LIST ? ListHead->Blink : MI_PFN_ELEMENT(Next)->u2.Blink) != PageFrameIndex) {
        KeBugCheckEx(PFN_LIST_CORRUPT, PFN_CORRUPT_LIST_ENTRY, PageFrameIndex,
                     MmHighestPhysicalPage, Pfn1->u3.e2.ReferenceCount);
    }
    ListHead->Flink = Next;
    if (Next == MM_EMPTY_LIST)
        ListHead->Blink = MM_EMPTY_LIST;
    else
        MI_PFN_ELEMENT(Next)->u2.Blink = MM_EMPTY_LIST;
    ListHead->Total--;
    MmAvailablePages--;
    Pfn1->u1.Flink = 0;
    Pfn1->u2.ShareCount = 0;
    Pfn1->u3.e2.e1.PageLocation = ActiveAndValid;
    return PageFrameIndex;
}

/*
 * A page for someone who needs zeroes: from the zeroed list, or else a
 * free page, with *MustZero set, for the caller to zero where it can do it
 * cheapest (the demand-zero fault zeroes it through the address it maps).
 */
FORCEINLINE PFN_NUMBER MiRemovePageForZeroing(PBOOLEAN MustZero)
{
    PFN_NUMBER PageFrameIndex = MiRemoveHeadPage(&MmZeroedPageListHead);

    *MustZero = FALSE;
    if (PageFrameIndex == MM_EMPTY_LIST) {
        PageFrameIndex = MiRemoveHeadPage(&MmFreePageListHead);
        *MustZero = PageFrameIndex != MM_EMPTY_LIST;
    }
    return PageFrameIndex;
}

/* Zeroes the page mapped at Va (page-aligned, writable): rep stosd, what every page the kernel zeroes gets. */
FORCEINLINE VOID MiZeroPage(PVOID Va)
{
    ULONG Count = PAGE_SIZE / sizeof(ULONG);

    __asm__ volatile("rep stosl" : "+D"(Va), "+c"(Count) : "a"(0) : "memory");
}
ULONG MiZeroFreePages(ULONG MaximumPages);
VOID MiInsertPageInFreeList(PFN_NUMBER PageFrameIndex);
VOID MiMarkPageBad(PFN_NUMBER PageFrameIndex);
VOID MiDecrementShareCount(PMMPFN Pfn1, PFN_NUMBER PageFrameIndex);

/*
 * Makes a page just taken off a list the page mapped by PointerPte: one
 * share, one reference, and where to find its PTE (the page table page
 * holding PointerPte is PteFrame).
 */
FORCEINLINE VOID MiInitializePfn(PFN_NUMBER PageFrameIndex, PMMPTE PointerPte, BOOLEAN Modified)
{
    PMMPFN Pfn1 = MI_PFN_ELEMENT(PageFrameIndex);

    ASSERT(Pfn1->u3.e2.e1.PageLocation == ActiveAndValid && Pfn1->u3.e2.ReferenceCount == 0);
    Pfn1->PteAddress = PointerPte;
    Pfn1->OriginalPte = *PointerPte;
    Pfn1->u2.ShareCount = 1;
    Pfn1->u3.e2.ReferenceCount = 1;
    Pfn1->u3.e2.e1.Modified = Modified;
    Pfn1->u3.e2.e1.CacheAttribute = MiCached;
    Pfn1->u4.PteFrame = PFN_FROM_PTE(MiAddressToPte(PointerPte));
}

VOID MiDecrementReferenceCount(PMMPFN Pfn1, PFN_NUMBER PageFrameIndex);

/*
 * Makes a page just taken off a list the page a section's prototype PTE
 * holds: one reference (the segment's, for as long as the page is
 * resident) and no share yet (each PTE that maps it adds one). NT's PFN of
 * a prototype page points at the prototype PTE, in the paged-pool page
 * PteFrame, and OriginalPte keeps what the prototype PTE held before.
 */
FORCEINLINE VOID MiInitializeProtoPfn(PFN_NUMBER PageFrameIndex, PMMPTE ProtoPte)
{
    PMMPFN Pfn1 = MI_PFN_ELEMENT(PageFrameIndex);

    MiInitializePfn(PageFrameIndex, ProtoPte, FALSE);
    Pfn1->u2.ShareCount = 0;
    Pfn1->u3.e2.e1.PrototypePte = 1;
}

/* A page whose PTE is gone while locks keep it (the low bit of PteAddress, never set in a real PTE address). */
#define MI_SET_PFN_DELETED(Pfn) ((Pfn)->PteAddress = (PMMPTE)((ULONG_PTR)(Pfn)->PteAddress | 1))
#define MI_IS_PFN_DELETED(Pfn) (((ULONG_PTR)(Pfn)->PteAddress & 1) != 0)

/*
 * A page's reference count is 16 bits: past this many references NT
 * refuses further locks (STATUS_WORKING_SET_QUOTA) so the count can never
 * wrap and free a page that is still locked.
 */
#define MI_LOCKED_PAGE_REFERENCE_LIMIT (MAXUSHORT / 2)

/* --- Page tables for system space (syspte.c's neighbour, sysptab.c) ------------- */

/*
 * The system directory (the boot directory, reachable at its image address
 * in every address space) holds the master copy of every system PDE.
 */
#define MmSystemPagePtes ((PMMPTE)KiBootPageDirectory)
extern PFN_NUMBER MmSystemPageDirectory;

NTSTATUS MiEnsureSystemPageTable(PVOID VirtualAddress);
BOOLEAN MiSyncSystemPde(PVOID VirtualAddress);
PFN_NUMBER MiCreateAddressSpace(PPFN_NUMBER HyperSpaceFrame);
VOID MiDeleteAddressSpace(PFN_NUMBER DirectoryFrame);

/* --- Page faults (pagfault.c) -------------------------------------------------- */

BOOLEAN MiIsPageableRange(PVOID VirtualAddress, SIZE_T Length);

/* specpool.c: a fault on special pool's window, and forced IRQL checking's trim of its paged pages. */
NTSTATUS MiCheckSpecialPoolFault(PVOID VirtualAddress, ULONG FaultStatus, PKTRAP_FRAME TrapFrame);
ULONG MiTrimSpecialPool(VOID);

/* --- Hyperspace (hypermap.c) --------------------------------------------------- */

#define MI_HYPERSPACE_SLOTS 8
VOID MiInitializeHyperSpace(PFN_NUMBER DirectoryFrame, PFN_NUMBER HyperSpaceTableFrame);

/* --- User address spaces ---------------------------------------------------------- */

#define MI_USER_PAGE_TABLES (MI_SYSTEM_RANGE_START >> PDE_SHIFT)   /* 512 PDEs cover user space */
#define MI_VAD_TAG ' daV'                 /* "Vad " in memory, NT's tag */
#define MI_PAGE_TABLE_COUNT_TAG 'tPmM'    /* "MmPt" */

/*
 * The address-space lock (NT's AddressCreationLock): held while a VAD tree
 * or a process's PTEs change. It raises to APC_LEVEL, as NT's guarded
 * mutex, and records its owner so that taking it twice stops instead of
 * deadlocking a preemptive kernel later.
 */
VOID MmLockAddressSpace(PEPROCESS Process);
VOID MmUnlockAddressSpace(PEPROCESS Process);

/* vadnode.c: the VAD tree. */
PMMVAD MiLocateAddress(PEPROCESS Process, PVOID VirtualAddress);
BOOLEAN MiCheckForConflictingVadExistence(PEPROCESS Process, PVOID StartingAddress, PVOID EndingAddress);
NTSTATUS MiFindEmptyAddressRange(PEPROCESS Process, SIZE_T SizeOfRange, ULONG_PTR Alignment,
                                 PVOID HighestAddress, BOOLEAN TopDown, PVOID *Base);
PMMVAD MiAllocateVad(PVOID StartingAddress, PVOID EndingAddress, ULONG Protection);
VOID MiInsertVad(PEPROCESS Process, PMMVAD Vad);
VOID MiRemoveVad(PEPROCESS Process, PMMVAD Vad);
VOID MiFreeVad(PMMVAD Vad);

/* userpte.c: page tables for user space, and PTE writes that keep their counts. */
NTSTATUS MiMakeUserPageTable(PEPROCESS Process, PVOID VirtualAddress);
NTSTATUS MiMakePageTablesForRange(PEPROCESS Process, PVOID StartingAddress, PVOID EndingAddress);
VOID MiWriteUserPte(PEPROCESS Process, PMMPTE PointerPte, MMPTE NewPte);
VOID MiWorkingSetGrew(PEPROCESS Process);
VOID MiDeleteUserPte(PEPROCESS Process, PMMVAD Vad, PMMPTE PointerPte);
VOID MiDeleteEmptyPageTables(PEPROCESS Process, PVOID StartingAddress, PVOID EndingAddress);
BOOLEAN MiIsPageTablePresent(PVOID VirtualAddress);
ULONG MiQueryPageProtection(PMMVAD Vad, PVOID VirtualAddress, PBOOLEAN Committed);

/* userfault.c: faults on user addresses, resolved from the current process's VADs. */
NTSTATUS MiResolveUserFault(ULONG FaultStatus, PVOID VirtualAddress, PKTRAP_FRAME TrapFrame);

/* commit.c */
BOOLEAN MiChargeCommitment(PSIZE_T Account, SIZE_T Pages);
VOID MiReturnCommitment(PSIZE_T Account, SIZE_T Pages);
VOID MiInitializeCommitLimit(VOID);

/* freevm.c: frees the pages of StartingAddress..EndingAddress (inside Vad) and their PTEs. */
SIZE_T MiDeleteVirtualAddresses(PEPROCESS Process, PMMVAD Vad, PVOID StartingAddress, PVOID EndingAddress,
                                BOOLEAN Decommit);
VOID MiDeleteVad(PEPROCESS Process, PMMVAD Vad);

/*
 * imagehdr.c: a PE image's headers (the first Bytes of the file, in *Found on success) and its
 * section table, checked before creasect.c builds its segment; pure. The table may be
 * unaligned: MiReadImageSection copies one entry out.
 */
struct _IMAGE_NT_HEADERS32;
NTSTATUS MiVerifyImageHeader(const UCHAR *Header, ULONG Bytes, ULONGLONG FileSize, struct _IMAGE_NT_HEADERS32 **Found);
NTSTATUS MiVerifyImageSections(struct _IMAGE_NT_HEADERS32 *NtHeaders, ULONGLONG FileSize);
struct _IMAGE_SECTION_HEADER;
VOID MiReadImageSection(struct _IMAGE_NT_HEADERS32 *NtHeaders, ULONG Index, struct _IMAGE_SECTION_HEADER *Section);

/* vmargs.c: NtAllocateVirtualMemory's argument checks, pure; the status of the first that fails. */
NTSTATUS MiCheckAllocateArguments(ULONG AllocationType, ULONG_PTR ZeroBits, ULONG Protect, PULONG Protection);
NTSTATUS MiCheckAllocateRange(PVOID Base, SIZE_T Size, ULONG_PTR ZeroBits, PULONG_PTR HighestAddress);

/* allocvm.c: a service's base and size arguments, in and out, and its probes as statuses. */
NTSTATUS MiProbeForWrite(PVOID Address, SIZE_T Length, ULONG Alignment);
NTSTATUS MiCaptureAddressAndSize(KPROCESSOR_MODE PreviousMode, PVOID *BaseAddress, PSIZE_T RegionSize,
                                 PVOID *CapturedBase, PSIZE_T CapturedSize);
VOID MiReturnAddressAndSize(PVOID *BaseAddress, PSIZE_T RegionSize, PVOID StartingAddress, PVOID EndingAddress);

/* protvm.c: gives a committed page NewProtection, whatever state its PTE is in. */
VOID MiSetPageProtection(PEPROCESS Process, PMMVAD Vad, PVOID VirtualAddress, ULONG NewProtection);

/* --- Sections (section.c, creasect.c, mapview.c, relocate.c, protofault.c, sysview.c, sectcheck.c) --- */

/*
 * A section is three layers, as in NT. The SECTION is the object a handle
 * names. Its SEGMENT holds one prototype PTE per page of what the section
 * describes (ThePtes): the state of that page for every view at once. The
 * CONTROL_AREA counts who uses the segment (section objects, views,
 * resident pages) and is followed in the same block by its SUBSECTIONs,
 * each a run of prototype PTEs with one protection and, for a file, the
 * sectors its pages are read from. Every file object opened on one file
 * shares one control area per kind (data, image) through the file's
 * SECTION_OBJECT_POINTERS.
 *
 * A prototype PTE is one of: zero (a SEC_RESERVE page not committed);
 * demand-zero with a protection (committed, never touched); subsection
 * format (its page is still in the file); valid (the page is resident and
 * mapped by ShareCount PTEs); transition (resident, mapped by none: ntmm
 * has no standby list to put it on, so the page stays in use, held by the
 * segment, until the segment goes).
 */
#define MI_SECTION_TAG      'tceS'   /* "Sect": section objects */
#define MI_SEGMENT_TAG      'tSmM'   /* "MmSt": segments and their prototype PTEs, NT's tag */
#define MI_CONTROL_AREA_TAG 'aCmM'   /* "MmCa": control areas and their subsections, NT's tag */
#define MI_SECTOR_SIZE      512      /* a subsection counts file bytes in sectors */
#define MI_SECTOR_SHIFT     9

/* What a control area describes and what is happening to it (NT's MMSECTION_FLAGS; unused bits spare). */
typedef struct _MMSECTION_FLAGS {
    ULONG BeingDeleted : 1;
    ULONG BeingCreated : 1;
    ULONG Image : 1;                 /* SEC_IMAGE: a subsection per PE section */
    ULONG Based : 1;
    ULONG File : 1;                  /* backed by a file rather than the paging file */
    ULONG NoCache : 1;
    ULONG Reserve : 1;               /* SEC_RESERVE: pages committed later, for every view at once */
    ULONG Commit : 1;                /* SEC_COMMIT */
    ULONG Spare : 24;
} MMSECTION_FLAGS;

/* One subsection's pages (NT's MMSUBSECTION_FLAGS). */
typedef struct _MMSUBSECTION_FLAGS {
    ULONG ReadOnly : 1;
    ULONG ReadWrite : 1;
    ULONG SubsectionStatic : 1;
    ULONG GlobalMemory : 1;
    ULONG Protection : 5;            /* MM_* of its pages */
    ULONG LargePages : 1;
    ULONG StartingSector4132 : 10;
    ULONG SectorEndOffset : 12;      /* file bytes in the sector after the full ones */
} MMSUBSECTION_FLAGS;

struct _CONTROL_AREA;

/*
 * A run of prototype PTEs and the file bytes behind them: page i of the run
 * is read from byte (StartingSector << 9) + i * PAGE_SIZE, and the file's
 * data for the run ends NumberOfFullSectors sectors and SectorEndOffset
 * bytes after StartingSector; the rest of its pages is zero.
 */
typedef struct _SUBSECTION {
    struct _CONTROL_AREA *ControlArea;
    union {
        ULONG LongFlags;
        MMSUBSECTION_FLAGS SubsectionFlags;
    } u;
    ULONG StartingSector;
    ULONG NumberOfFullSectors;
    PMMPTE SubsectionBase;
    ULONG UnusedPtes;
    ULONG PtesInSubsection;
    struct _SUBSECTION *NextSubsection;
} SUBSECTION, *PSUBSECTION;

typedef struct _SEGMENT {
    struct _CONTROL_AREA *ControlArea;
    ULONG TotalNumberOfPtes;
    ULONG NonExtendedPtes;
    ULONGLONG SizeOfSegment;         /* bytes its PTEs describe: the section rounded to pages, or the image */
    MMPTE SegmentPteTemplate;        /* a committed page's prototype PTE before its first touch */
    SIZE_T NumberOfCommittedPages;   /* pagefile-backed: committed prototype PTEs, charged to MmSharedCommit */
    SIZE_T ImageCommitment;          /* images: copy-on-write pages, charged to each view's process */
    PVOID BasedAddress;              /* images: the preferred base */
    PSECTION_IMAGE_INFORMATION ImageInformation;  /* images: what the headers said (after ThePtes) */
    PMMPTE PrototypePte;             /* ThePtes */
    MMPTE ThePtes[];
} SEGMENT, *PSEGMENT;

typedef struct _CONTROL_AREA {
    PSEGMENT Segment;
    LIST_ENTRY ControlAreaLinks;     /* ntmm's list of every control area, for MmCheckSections */
    ULONG NumberOfSectionReferences; /* section objects */
    ULONG NumberOfPfnReferences;     /* resident pages its prototype PTEs hold */
    ULONG NumberOfMappedViews;       /* views in user and system space */
    ULONG NumberOfSystemCacheViews;  /* of them, views in system space */
    ULONG NumberOfUserReferences;    /* section objects and views in user space */
    union {
        ULONG LongFlags;
        MMSECTION_FLAGS Flags;
    } u;
    struct _FILE_OBJECT *FilePointer; /* referenced while the control area lives; NULL: pagefile-backed */
} CONTROL_AREA, *PCONTROL_AREA;

/* The control area's first subsection follows it in the same pool block, as in NT. */
#define MI_FIRST_SUBSECTION(ControlArea) ((PSUBSECTION)((PCONTROL_AREA)(ControlArea) + 1))

/* The body of a section object. */
typedef struct _SECTION {
    PSEGMENT Segment;
    LARGE_INTEGER SizeOfSection;     /* bytes a view may reach */
    union {
        ULONG LongFlags;
        MMSECTION_FLAGS Flags;
    } u;
    ULONG InitialPageProtection;     /* MM_*: what views may ask for at most */
} SECTION, *PSECTION;

extern POBJECT_TYPE MiSectionObjectType;
extern LIST_ENTRY MiControlAreaList;

/*
 * A PTE in prototype format names its prototype PTE by its offset from the
 * start of system space (NT x86's MiPteToProto): every segment lives in
 * nonpaged pool, which lies below the system views (mmlayout.h).
 */
#define MI_PROTO_BASE ((ULONG_PTR)KSEG0_BASE)
_Static_assert(MM_SYSTEM_VIEW_START - KSEG0_BASE <= (1u << 30), "a prototype PTE's offset fits in 28 bits");

FORCEINLINE MMPTE MiMakePrototypeFormatPte(PMMPTE ProtoPte)
{
    ULONG_PTR Offset = (ULONG_PTR)ProtoPte - MI_PROTO_BASE;
    MMPTE TempPte;

    TempPte.u.Long = 0;
    TempPte.u.Proto.Prototype = 1;
    TempPte.u.Proto.ProtoAddressLow = (Offset >> 2) & 0x7F;
    TempPte.u.Proto.ProtoAddressHigh = Offset >> 9;
    return TempPte;
}

#define MiPteToProto(Pte) \
    ((PMMPTE)(MI_PROTO_BASE + ((ULONG_PTR)(Pte).u.Proto.ProtoAddressHigh << 9) + \
              ((ULONG_PTR)(Pte).u.Proto.ProtoAddressLow << 2)))

/* A prototype PTE whose page must be read from the file, with the protection its pages get. */
FORCEINLINE MMPTE MiMakeSubsectionPte(ULONG Protection)
{
    MMPTE TempPte;

    TempPte.u.Long = 0;
    TempPte.u.Subsect.Prototype = 1;
    TempPte.u.Subsect.Protection = Protection;
    return TempPte;
}

FORCEINLINE BOOLEAN MiIsSubsectionPte(MMPTE Pte)
{
    return !Pte.u.Hard.Valid && Pte.u.Subsect.Prototype;
}

/* A valid prototype PTE: the resident page of a section; no MMU reads it, faults and walkers do. */
FORCEINLINE MMPTE MiMakeValidPrototypePte(PFN_NUMBER PageFrameIndex, ULONG Protection)
{
    MMPTE TempPte;

    TempPte.u.Long = (PageFrameIndex << PAGE_SHIFT) | MmProtectToPteMask[Protection & 0x1F] | PTE_VALID | PTE_ACCESSED;
    return TempPte;
}

/* A VAD that maps a view of a section, and the prototype PTE behind one of its pages. */
#define MI_IS_VIEW(Vad) ((Vad)->ControlArea != NULL)

FORCEINLINE PMMPTE MiGetProtoPteAddress(PMMVAD Vad, PVOID VirtualAddress)
{
    return Vad->FirstPrototypePte + (((ULONG_PTR)VirtualAddress >> PAGE_SHIFT) - Vad->Node.StartingVpn);
}

/* section.c */
BOOLEAN MiIsProtectionCompatible(ULONG SectionProtection, ULONG NewProtect);
VOID MiCheckControlArea(PCONTROL_AREA ControlArea);
PCONTROL_AREA MiAllocateControlArea(ULONG Subsections, ULONG SegmentPtes, ULONG SegmentExtraBytes);
VOID MiFreeControlArea(PCONTROL_AREA ControlArea);
PSUBSECTION MiLocateSubsection(PCONTROL_AREA ControlArea, PMMPTE ProtoPte);
NTSTATUS MiCommitSectionPages(PMMVAD Vad, PVOID StartingAddress, PVOID EndingAddress);

/* creasect.c: the segments of files, as data or as executable images. */
NTSTATUS MiCreateDataFileMap(PFILE_OBJECT File, ULONGLONG FileSize, PCONTROL_AREA *ControlArea);
NTSTATUS MiCreateImageFileMap(PFILE_OBJECT File, ULONGLONG FileSize, PCONTROL_AREA *ControlArea);

/* mapview.c: views in a process's user space. */
NTSTATUS MiChooseViewRange(PEPROCESS Process, PVOID *Base, SIZE_T Size, ULONG_PTR ZeroBits, ULONG AllocationType);
NTSTATUS MiInsertMappedView(PEPROCESS Process, PCONTROL_AREA ControlArea, PVOID Base, SIZE_T Pages, ULONG FirstPte,
                            ULONG Protection, SIZE_T CommitCharge, ULONG AllocationType, PMMVAD *NewVad);
VOID MiRemoveMappedView(PEPROCESS Process, PMMVAD Vad);

/* relocate.c: an image view away from its base. */
NTSTATUS MiRelocateImageView(PEPROCESS Process, PMMVAD Vad, ULONG_PTR Delta);

/* protofault.c: faults through prototype PTEs. */
ULONG MiProtoPteProtection(PMMPTE ProtoPte);
ULONG MiViewPageProtection(PMMVAD Vad, PMMPTE ProtoPte);
NTSTATUS MiMakeProtoPageResident(PCONTROL_AREA ControlArea, PMMPTE ProtoPte, PPFN_NUMBER PageFrameIndex);
NTSTATUS MiResolveProtoPteFault(PEPROCESS Process, PMMVAD Vad, PVOID VirtualAddress, PMMPTE PointerPte,
                                ULONG FaultStatus);
ULONG MiQueryViewPageProtection(PMMVAD Vad, PVOID VirtualAddress, PBOOLEAN Committed);
NTSTATUS MiCopyOnWrite(PEPROCESS Process, PMMVAD Vad, PVOID VirtualAddress, PMMPTE PointerPte);
NTSTATUS MiMakeViewPagePrivate(PEPROCESS Process, PMMVAD Vad, PVOID VirtualAddress, PPFN_NUMBER PageFrameIndex);

/* sysview.c: views in system space. */
BOOLEAN MiIsSystemViewAddress(PVOID VirtualAddress);
NTSTATUS MiResolveSystemViewFault(PVOID VirtualAddress, PMMPTE PointerPte, ULONG FaultStatus);
typedef VOID (*PMI_SYSTEM_VIEW_CALLBACK)(PVOID Base, ULONG Pages, PCONTROL_AREA ControlArea, PVOID Context);
VOID MiEnumerateSystemViews(PMI_SYSTEM_VIEW_CALLBACK Callback, PVOID Context);

/* --- Boot-time allocation (mminit.c), and the loader's map as runs of RAM (physmem.c) --- */

PFN_NUMBER MiBuildPhysicalMemoryDescriptor(const LOADER_MEMORY_RANGE *Ranges, ULONG RangeCount,
                                           PPHYSICAL_MEMORY_DESCRIPTOR Descriptor);

PFN_NUMBER MxGetNextPage(VOID);

/* --- The page allocator under the pools (allocpag.c; its interface is in mm.h) --- */

VOID MiInitializePoolPages(ULONG InitialPages, PULONG Bitmaps);
ULONG MiPoolPageBitmapBytes(ULONG InitialPages, ULONG ExpansionPages, ULONG PagedPages);

/* --- Memory types (iosup.c owns the PAT) ------------------------------------------ */

/*
 * Every mapping of a RAM page uses the type its PFN records (MiCached ...
 * MiNotMapped, mm.h). A page under a large page is cached for good (NT's
 * MI_PAGE_FRAME_INDEX_MUST_BE_CACHED); a free page is cached, since
 * whoever takes it next maps it so.
 */
BOOLEAN MiMustFrameBeCached(PFN_NUMBER PageFrameIndex);
#define MI_PAGE_FRAME_INDEX_MUST_BE_CACHED(PageFrameIndex) MiMustFrameBeCached(PageFrameIndex)
ULONG MiFrameCacheAttribute(PFN_NUMBER PageFrameIndex);
ULONG MiCacheTypeToAttribute(MEMORY_CACHING_TYPE CacheType);
ULONG MiCacheAttributeToProtection(ULONG CacheAttribute);

/* The memory type a user page's protection asks for: its PAGE_NOCACHE or PAGE_WRITECOMBINE bits. */
FORCEINLINE ULONG MiProtectionToCacheAttribute(ULONG Protection)
{
    switch (Protection & MM_NOACCESS) {
    case MM_NOCACHE:
        return MiNonCached;
    case MM_WRITECOMBINE:
        return MiWriteCombined;
    default:
        return MiCached;
    }
}

/*
 * Before RAM that was last reached cached is mapped with another type, its
 * lines must leave the caches (NT's MI_PREPARE_FOR_NONCACHED).
 */
FORCEINLINE VOID MiPrepareForNonCached(ULONG CacheAttribute)
{
    if (CacheAttribute != MiCached)
        __wbinvd();
}

/* Mapping an MDL's pages into system PTEs (mdlsup.c), for MDL mappings and reserved mappings. */
BOOLEAN MiCheckMdlMapping(PMDL Mdl, MEMORY_CACHING_TYPE CacheType, BOOLEAN MustSucceed, PULONG CacheAttribute);
VOID MiMapMdlPages(PMDL Mdl, PMMPTE PointerPte, ULONG CacheAttribute, BOOLEAN ReadOnly, PVOID MappedSystemVa);

/*
 * SYSTEM_PTE_MISUSE first parameters for reserved mappings (mapaddr.c), as
 * NT documents them: 0x100 a reservation of no bytes; 0x101-0x103 freeing
 * one not owned (tag), empty, or still mapped; 0x104, 0x105, 0x107 mapping
 * into one not owned, invalid, or not empty; 0x108-0x10C unmapping one not
 * owned, empty, with more pages than it holds, pages not mapped, or not all
 * of what is mapped.
 */
#define MI_PTE_MISUSE_ZERO_MAPPINGS     0x100
#define MI_PTE_MISUSE_FREE_NOT_OWNED    0x101
#define MI_PTE_MISUSE_FREE_EMPTY        0x102
#define MI_PTE_MISUSE_FREE_STILL_MAPPED 0x103
#define MI_PTE_MISUSE_MAP_NOT_OWNED     0x104
#define MI_PTE_MISUSE_MAP_INVALID       0x105
#define MI_PTE_MISUSE_MAP_NOT_EMPTY     0x107
#define MI_PTE_MISUSE_UNMAP_NOT_OWNED   0x108
#define MI_PTE_MISUSE_UNMAP_EMPTY       0x109
#define MI_PTE_MISUSE_UNMAP_TOO_MANY    0x10A
#define MI_PTE_MISUSE_UNMAP_NOT_MAPPED  0x10B
#define MI_PTE_MISUSE_UNMAP_PARTIAL     0x10C

/* --- Start-up of the rest (syspte.c, iosup.c, procsup.c, commit.c) ---------------- */

VOID MiInitializeSharedUserData(VOID);

VOID MiInitializeSystemPtes(VOID);
VOID MiInitializePat(VOID);
extern BOOLEAN MmWriteCombiningAvailable;
extern PMMPTE MmSystemPtesStart, MmSystemPtesEnd;

#endif
