/*
 * mm.h: the memory manager's interface to the rest of the kernel (not to
 * drivers, who use ntddk.h): the PTE and PFN formats, the self-map
 * arithmetic, and the Mm entry points the kernel calls.
 */
#ifndef NTMM_MM_H
#define NTMM_MM_H

#include <ke.h>
#include <mmlayout.h>
#include <rtl/avl.h>

typedef LONG SPFN_NUMBER;

/* --- PTEs: one 32-bit word, viewed through the format its state calls for ---------- */

/* A valid PTE as the MMU reads it. CopyOnWrite and Prototype are ignored by hardware. */
typedef struct _MMPTE_HARDWARE {
    ULONG Valid : 1;
    ULONG Write : 1;
    ULONG Owner : 1;          /* 1: user mode may access */
    ULONG WriteThrough : 1;
    ULONG CacheDisable : 1;
    ULONG Accessed : 1;
    ULONG Dirty : 1;
    ULONG LargePage : 1;      /* PDE: a 4 MB page; PTE: the PAT bit */
    ULONG Global : 1;
    ULONG CopyOnWrite : 1;
    ULONG Prototype : 1;
    ULONG Reserved : 1;
    ULONG PageFrameNumber : 20;
} MMPTE_HARDWARE;

/* An invalid PTE the memory manager understands: demand-zero, or (later) in a paging file. */
typedef struct _MMPTE_SOFTWARE {
    ULONG Valid : 1;
    ULONG PageFileLow : 4;
    ULONG Protection : 5;     /* MM_READONLY ... MM_NOACCESS */
    ULONG Prototype : 1;
    ULONG Transition : 1;
    ULONG PageFileHigh : 20;
} MMPTE_SOFTWARE;

/* An invalid PTE whose page is still in memory, on the standby or modified list. */
typedef struct _MMPTE_TRANSITION {
    ULONG Valid : 1;
    ULONG Write : 1;
    ULONG Owner : 1;
    ULONG WriteThrough : 1;
    ULONG CacheDisable : 1;
    ULONG Protection : 5;
    ULONG Prototype : 1;
    ULONG Transition : 1;
    ULONG PageFrameNumber : 20;
} MMPTE_TRANSITION;

/*
 * An invalid PTE that points at a section's prototype PTE: (ProtoAddressHigh
 * << 9) + (ProtoAddressLow << 2) bytes into paged pool, where segments live
 * (mi.h's MiPteToProto). System views use it; a view in user space finds its
 * prototype PTEs through its VAD instead.
 */
typedef struct _MMPTE_PROTOTYPE {
    ULONG Valid : 1;
    ULONG ProtoAddressLow : 7;
    ULONG ReadOnly : 1;
    ULONG WhichPool : 1;
    ULONG Prototype : 1;
    ULONG ProtoAddressHigh : 21;
} MMPTE_PROTOTYPE;

/*
 * A prototype PTE whose page is still in the file: a fault reads it in
 * through the subsection that holds the PTE. NT x86 encodes the subsection's
 * address in the 24 address bits; ntmm's nonpaged pool spans more than the
 * 128 MB those bits reach in 8-byte steps, so the bits stay zero and the
 * subsection is found from the control area (mi.h's MiLocateSubsection).
 */
typedef struct _MMPTE_SUBSECTION {
    ULONG Valid : 1;
    ULONG SubsectionAddressLow : 4;
    ULONG Protection : 5;
    ULONG Prototype : 1;
    ULONG SubsectionAddressHigh : 20;
    ULONG WhichPool : 1;
} MMPTE_SUBSECTION;

typedef struct _MMPTE {
    union {
        ULONG Long;
        MMPTE_HARDWARE Hard;
        MMPTE_SOFTWARE Soft;
        MMPTE_TRANSITION Trans;
        MMPTE_PROTOTYPE Proto;
        MMPTE_SUBSECTION Subsect;
    } u;
} MMPTE, *PMMPTE;
_Static_assert(sizeof(MMPTE) == 4, "an x86 non-PAE PTE is one word");

/* Page protections, NT's 5-bit MM_* encoding kept in software PTEs and VADs. */
#define MM_ZERO_ACCESS        0
#define MM_READONLY           1
#define MM_EXECUTE            2
#define MM_EXECUTE_READ       3
#define MM_READWRITE          4
#define MM_WRITECOPY          5
#define MM_EXECUTE_READWRITE  6
#define MM_EXECUTE_WRITECOPY  7
#define MM_NOCACHE            0x08
#define MM_GUARD_PAGE         0x10
#define MM_WRITECOMBINE       0x18  /* with a protection other than zero */
#define MM_NOACCESS           0x18  /* with MM_ZERO_ACCESS */
#define MM_DECOMMIT           0x10  /* MM_GUARD_PAGE with MM_ZERO_ACCESS: a decommitted page */
#define MM_PROTECTION_WRITE_MASK 4

/* The self-map (DESIGN.md): page tables at PTE_BASE, the directory at PDE_BASE. */
#define MiAddressToPte(va) ((PMMPTE)(((((ULONG_PTR)(va)) >> PAGE_SHIFT) << 2) + PTE_BASE))
#define MiAddressToPde(va) ((PMMPTE)(((((ULONG_PTR)(va)) >> PDE_SHIFT) << 2) + PDE_BASE))
#define MiPteToAddress(pte) ((PVOID)(((ULONG_PTR)(pte) - PTE_BASE) << 10))
#define MiPdeToAddress(pde) ((PVOID)(((ULONG_PTR)(pde) - PDE_BASE) << 20))
#define MiPdeToPte(pde)     ((PMMPTE)MiPteToAddress(pde))
#define MiAddressToPteOffset(va) ((((ULONG_PTR)(va)) >> PAGE_SHIFT) & 0x3FF)
#define MiAddressToPdeOffset(va) (((ULONG_PTR)(va)) >> PDE_SHIFT)
#define PTE_PER_PAGE 1024

/*
 * Is the 4 KB page under VirtualAddress present in the current directory?
 * For code that must not fault to find out (the pool's fast free path); a
 * page table missing only from this directory reads as absent.
 */
FORCEINLINE BOOLEAN MiIsSmallPagePresent(PVOID VirtualAddress)
{
    return MiAddressToPde(VirtualAddress)->u.Hard.Valid && MiAddressToPte(VirtualAddress)->u.Hard.Valid;
}

#define PFN_FROM_PTE(pte) ((PFN_NUMBER)(pte)->u.Hard.PageFrameNumber)
#define PFN_TO_PHYSICAL(pfn) ((ULONGLONG)(pfn) << PAGE_SHIFT)
#define PHYSICAL_TO_PFN(pa) ((PFN_NUMBER)((ULONGLONG)(pa) >> PAGE_SHIFT))
/*
 * A caller's PHYSICAL_ADDRESS as a page number: a PFN_NUMBER holds 32 of
 * the 52 bits an address's page number may have, so one past them (or a
 * negative one) becomes MAXULONG, above all RAM, rather than wrap to a low
 * page.
 */
#define PHYSICAL_TO_PFN_CLIPPED(pa) \
    ((ULONGLONG)(pa) >> PAGE_SHIFT > MAXULONG ? (PFN_NUMBER)MAXULONG : PHYSICAL_TO_PFN(pa))

/* --- The PFN database --------------------------------------------------------- */

/* Where a physical page is: NT's MMLISTS. */
typedef enum _MMLISTS {
    ZeroedPageList = 0,
    FreePageList = 1,
    StandbyPageList = 2,
    ModifiedPageList = 3,
    ModifiedNoWritePageList = 4,
    BadPageList = 5,
    ActiveAndValid = 6,
    TransitionPage = 7
} MMLISTS;

/*
 * How a page is cached, kept in its PFN (2 bits, NT's MI_PFN_CACHE_ATTRIBUTE):
 * every mapping of one physical page must use the same memory type (Intel
 * SDM 11.12.4). MiNotMapped: allocated for an MDL, no type chosen yet.
 */
#define MiNonCached     0
#define MiCached        1
#define MiWriteCombined 2
#define MiNotMapped     3

typedef struct _MMPFNENTRY {
    USHORT PageLocation : 3;       /* MMLISTS */
    USHORT WriteInProgress : 1;
    USHORT Modified : 1;
    USHORT ReadInProgress : 1;
    USHORT CacheAttribute : 2;
    USHORT PageColor : 4;
    USHORT ParityError : 1;
    USHORT PrototypePte : 1;
    USHORT InPageError : 1;
    USHORT NonPagedPool : 1;       /* the page backs nonpaged pool */
} MMPFNENTRY;

/*
 * One entry per physical page. On a list, u1/u2 are the forward and backward
 * links (page frame numbers); in use, u2 is the share count (how many PTEs
 * map the page) and u3 the reference count (the share count's one reference
 * plus one per lock). PteAddress is the PTE that maps the page, PteFrame the
 * page holding that PTE, OriginalPte what to put back when the page goes.
 */
typedef struct _MMPFN {
    union {
        PFN_NUMBER Flink;
        ULONG WsIndex;
        PVOID Owner;               /* nonpaged pool: the first page of an allocation */
    } u1;
    PMMPTE PteAddress;
    union {
        PFN_NUMBER Blink;
        ULONG ShareCount;
    } u2;
    union {
        struct {
            USHORT ReferenceCount;
            MMPFNENTRY e1;
        } e2;
        ULONG Long;
    } u3;
    MMPTE OriginalPte;
    union {
        PFN_NUMBER PteFrame;
        ULONG Long;
    } u4;
} MMPFN, *PMMPFN;
#ifdef __i386__
_Static_assert(sizeof(MMPFN) == 24, "NT x86's MMPFN is 24 bytes");
#endif

typedef struct _MMPFNLIST {
    PFN_NUMBER Total;
    MMLISTS ListName;
    PFN_NUMBER Flink;
    PFN_NUMBER Blink;
} MMPFNLIST, *PMMPFNLIST;

#define MM_EMPTY_LIST ((PFN_NUMBER)0xFFFFFFFF)

/* The RAM the loader reported, as runs of page frames (NT's PHYSICAL_MEMORY_DESCRIPTOR). */
#define MI_MAXIMUM_MEMORY_RUNS 16
typedef struct _PHYSICAL_MEMORY_RUN {
    PFN_NUMBER BasePage;
    PFN_NUMBER PageCount;
} PHYSICAL_MEMORY_RUN, *PPHYSICAL_MEMORY_RUN;

typedef struct _PHYSICAL_MEMORY_DESCRIPTOR {
    ULONG NumberOfRuns;
    PFN_NUMBER NumberOfPages;
    PHYSICAL_MEMORY_RUN Run[MI_MAXIMUM_MEMORY_RUNS];
} PHYSICAL_MEMORY_DESCRIPTOR, *PPHYSICAL_MEMORY_DESCRIPTOR;

extern PMMPFN MmPfnDatabase;
extern PFN_NUMBER MmHighestPhysicalPage;
extern PFN_NUMBER MmLowestPhysicalPage;
extern PFN_NUMBER MmNumberOfPhysicalPages;
extern volatile PFN_NUMBER MmAvailablePages;
/*
 * Available pages held back for paged pool: its pages are committed when
 * allocated and arrive on first touch, which must then find a page (NT
 * would wait for one; a kernel without a paging file or a scheduler
 * cannot). Only that first touch takes them; every other taker sees
 * MmAvailablePages less these (MiUsablePages).
 */
extern PFN_NUMBER MmPromisedPages;
extern MMPFNLIST MmZeroedPageListHead, MmFreePageListHead, MmBadPageListHead;
extern PHYSICAL_MEMORY_DESCRIPTOR MmPhysicalMemoryBlock;

#define MI_PFN_ELEMENT(pfn) (&MmPfnDatabase[pfn])
BOOLEAN MiIsPhysicalPage(PFN_NUMBER PageFrameIndex);

/* Pool ranges, fixed at MmInitSystem (DESIGN.md). */
extern PVOID MmNonPagedPoolStart, MmNonPagedPoolEnd;   /* initial nonpaged pool */
extern PVOID MmNonPagedPoolExpansionStart, MmNonPagedPoolExpansionEnd;
extern PVOID MmPagedPoolStart, MmPagedPoolEnd;

/* Counters for tests, the benchmark and the boot summary. */
typedef struct _MM_STATISTICS {
    ULONG TbFlushSingle;          /* invlpg */
    ULONG TbFlushEntire;          /* CR3 reload (with CR4.PGE toggled for global pages) */
    ULONG DemandZeroFaults;
    ULONG SystemPdeSyncs;         /* faults fixed by copying a system PDE into a directory */
    ULONG PageTablesCreated;
    ULONG PagesZeroed;
} MM_STATISTICS;
extern MM_STATISTICS MmStatistics;

/* --- Virtual address descriptors ----------------------------------------------- */

/* NT x86's VAD flags, one word. */
typedef struct _MMVAD_FLAGS {
    ULONG CommitCharge : 19;        /* pages of commitment this VAD holds */
    ULONG PhysicalMapping : 1;      /* maps pages it does not own (an MDL, the shared data page) */
    ULONG ImageMap : 1;
    ULONG UserPhysicalPages : 1;
    ULONG NoChange : 1;             /* protection and extent are fixed */
    ULONG WriteWatch : 1;
    ULONG Protection : 5;           /* MM_*: what the range was reserved with */
    ULONG LargePages : 1;
    ULONG MemCommit : 1;            /* committed as a whole when reserved (MEM_RESERVE | MEM_COMMIT) */
    ULONG PrivateMemory : 1;
} MMVAD_FLAGS;
_Static_assert(sizeof(MMVAD_FLAGS) == 4, "NT x86's MMVAD_FLAGS is one word");

/*
 * One reserved range of a process's user space, in its VAD tree. The node
 * holds the range as inclusive page numbers (StartingVpn, EndingVpn); the
 * prototype-PTE fields describe a mapped view of a section (later).
 */
typedef struct _MMVAD {
    RTL_AVL_RANGE_NODE Node;
    union {
        ULONG LongFlags;
        MMVAD_FLAGS VadFlags;
    } u;
    struct _CONTROL_AREA *ControlArea;
    PMMPTE FirstPrototypePte;
    PMMPTE LastContiguousPte;
    PMDL Mdl;                       /* a PhysicalMapping VAD made by MmMapLockedPagesSpecifyCache(UserMode) */
} MMVAD, *PMMVAD;

#define MI_VAD_START(Vad) ((PVOID)((Vad)->Node.StartingVpn << PAGE_SHIFT))
#define MI_VAD_END(Vad) ((PVOID)(((Vad)->Node.EndingVpn << PAGE_SHIFT) | (PAGE_SIZE - 1)))
#define MI_VAD_PAGES(Vad) ((Vad)->Node.EndingVpn - (Vad)->Node.StartingVpn + 1)

/* --- Entry points ------------------------------------------------------------- */

VOID MmInitSystem(VOID);
VOID MmDumpSystemState(VOID);
ULONG MmZeroIdlePages(VOID);
BOOLEAN MiCheckPfnDatabase(BOOLEAN Verbose);

/*
 * Called by the page-fault trap with the error code and CR2. Returns
 * STATUS_SUCCESS when the fault was resolved and the instruction can run
 * again, or the status to raise (STATUS_ACCESS_VIOLATION) to the faulting
 * code's try block; stops the system itself where NT does.
 */
NTSTATUS MmAccessFault(ULONG FaultStatus, PVOID VirtualAddress, KPROCESSOR_MODE PreviousMode,
                       PKTRAP_FRAME TrapFrame);

/*
 * Hyperspace: map one physical page for a moment at a per-address-space
 * address. Returns at DISPATCH_LEVEL with the previous IRQL in *OldIrql;
 * mappings nest and must be undone in reverse order.
 */
PVOID MiMapPageInHyperSpace(PFN_NUMBER PageFrameIndex, PKIRQL OldIrql);
VOID MiUnmapPageInHyperSpace(PVOID VirtualAddress, KIRQL OldIrql);
VOID MiZeroPhysicalPage(PFN_NUMBER PageFrameIndex);

/*
 * Whole pages for the executive pools (mm/allocpag.c). MiAllocatePoolPages
 * returns page-aligned memory (nonpaged: resident; paged: demand-zero) or
 * NULL; MiFreePoolPages takes the first address back and returns the pages
 * freed, 0 if no allocation starts there.
 */
typedef enum _MI_POOL_PAGE_TYPE {
    MiNonPagedPoolPages,
    MiPagedPoolPages
} MI_POOL_PAGE_TYPE;

/*
 * What each 4 MB region of the address space holds for the pool's free
 * path, which must know before it reads the header in front of an address
 * that the page is there: one table look (MmPoolRegion[Va >> PDE_SHIFT])
 * instead of a search of the ranges. Resident: pool whose pages are mapped
 * for good (the initial nonpaged pool, where it fills the region); check
 * PTE: pool whose pages come and go (expansion, paged pool, the rest of
 * the initial pool's last region), present when its PDE and PTE are.
 */
#define MM_POOL_REGION_NONE 0
#define MM_POOL_REGION_RESIDENT 1
#define MM_POOL_REGION_CHECK_PTE 2
extern UCHAR MmPoolRegion[PTE_PER_PAGE];

PVOID MiAllocatePoolPages(MI_POOL_PAGE_TYPE Type, SIZE_T NumberOfBytes);
ULONG MiFreePoolPages(PVOID StartingAddress);
ULONG MiQueryPoolPages(PVOID StartingAddress);
BOOLEAN MiIsPoolAddress(PVOID VirtualAddress, MI_POOL_PAGE_TYPE *Type);
BOOLEAN MiIsPoolRange(PVOID VirtualAddress, MI_POOL_PAGE_TYPE *Type);
VOID MiQueryPoolPageCounts(MI_POOL_PAGE_TYPE Type, PULONG PagesInUse, PULONG PagesTotal,
                           PULONG PagesResident);
ULONG MiPoolPageMetadataBytes(VOID);
BOOLEAN MiCheckPoolPages(VOID);
typedef VOID (*PMI_POOL_ALLOCATION_CALLBACK)(PVOID StartingAddress, ULONG Pages, PVOID Context);
VOID MiEnumeratePoolAllocations(MI_POOL_PAGE_TYPE Type, PMI_POOL_ALLOCATION_CALLBACK Callback,
                                PVOID Context);

/* System PTEs (mm/syspte.c): consecutive invalid PTEs in the system PTE range, with page tables. */
PMMPTE MiReserveSystemPtes(ULONG NumberOfPtes);
VOID MiReleaseSystemPtes(PMMPTE StartingPte, ULONG NumberOfPtes);
BOOLEAN MiIsSystemPteAddress(PVOID VirtualAddress);
BOOLEAN MiAreSystemPtesReserved(PMMPTE StartingPte, ULONG NumberOfPtes);
BOOLEAN MiCheckSystemPtes(VOID);
extern ULONG MmTotalFreeSystemPtes, MmNumberOfSystemPtes;

/*
 * Special pool (mm/specpool.c): the verifier's pool of one page per block
 * with a guard page beside it. MmAllocateSpecialPool returns NULL when it
 * has no room (the pool then serves the request); SpecialPoolType 0 puts
 * the guard after the block, 1 before it.
 */
VOID MiInitializeSpecialPool(VOID);
PVOID MmAllocateSpecialPool(SIZE_T NumberOfBytes, ULONG Tag, POOL_TYPE PoolType, ULONG SpecialPoolType,
                            PVOID CallersAddress);
VOID MmFreeSpecialPool(PVOID P, PVOID CallersAddress);
BOOLEAN MmIsSpecialPoolAddress(PVOID P);
BOOLEAN MmIsSpecialPoolAddressNonPaged(PVOID P);
BOOLEAN MmQuerySpecialPoolBlock(PVOID P, PSIZE_T NumberOfBytes, PULONG Tag, POOL_TYPE *PoolType);
extern ULONG MmSpecialPoolInUse;

/* Kernel stacks (mm/kstack.c): pages in system PTEs with an absent guard page below. */
PVOID MmCreateKernelStack(ULONG Pages);
VOID MmDeleteKernelStack(PVOID StackBase, ULONG Pages);
VOID MmMakeSystemRangeAddressable(PEPROCESS Process, PVOID StartingAddress, PVOID EndingAddress);

/*
 * Process address spaces (procsup.c): a new directory with the system half
 * and an empty user half; tearing the user half down (every VAD, page and
 * user page table); freeing the directory when the process object goes.
 */
NTSTATUS MmCreateProcessAddressSpace(PEPROCESS Process);
NTSTATUS MmInitializeProcessAddressSpace(PEPROCESS Process);
VOID MmInitializeSystemProcessAddressSpace(PEPROCESS Process);
VOID MmCleanProcessAddressSpace(PEPROCESS Process);
VOID MmDeleteProcessAddressSpace(PEPROCESS Process);
BOOLEAN MmCheckProcessAddressSpace(PEPROCESS Process, BOOLEAN Verbose);

/*
 * The PEB and TEBs (procsup.c): committed pages at the top of user space,
 * made in the current process (attached), as NT's MmCreatePeb and MmCreateTeb.
 */
struct _PEB;
struct _TEB;
NTSTATUS MmCreatePeb(PEPROCESS Process, struct _PEB **Peb);
NTSTATUS MmCreateTeb(PEPROCESS Process, struct _TEB **Teb);
VOID MmDeleteTeb(PEPROCESS Process, struct _TEB *Teb);

/* The virtual memory services are in ntsvc.h (allocvm.c, freevm.c, protvm.c, queryvm.c, readwrt.c). */
#include <ntsvc.h>

/*
 * Commitment (commit.c): pages promised to processes (their private memory
 * and copy-on-write views) and to sections (MmSharedCommit: SEC_COMMIT
 * sections and what is committed in SEC_RESERVE ones), against a limit from RAM.
 */
extern volatile SIZE_T MmTotalCommittedPages;
extern SIZE_T MmSharedCommit;
extern SIZE_T MmTotalCommitLimit;
extern SIZE_T MmPeakCommitment;
extern SIZE_T MmPagedPoolCommit;           /* paged pool's pages, charged when allocated */

/*
 * Sections (mm/section.c, mapview.c, creasect.c): NT's internal entry
 * points, which the Nt/Zw services and kernel components call. A section
 * object is a PVOID to its callers, as in NT; MmSectionObjectType is its type.
 */
struct _FILE_OBJECT;
NTSTATUS MmCreateSection(PVOID *SectionObject, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                         PLARGE_INTEGER MaximumSize, ULONG SectionPageProtection, ULONG AllocationAttributes,
                         HANDLE FileHandle, struct _FILE_OBJECT *FileObject);
NTSTATUS MmMapViewOfSection(PVOID SectionToMap, PEPROCESS Process, PVOID *CapturedBase, ULONG_PTR ZeroBits,
                            SIZE_T CommitSize, PLARGE_INTEGER SectionOffset, PSIZE_T CapturedViewSize,
                            SECTION_INHERIT InheritDisposition, ULONG AllocationType, ULONG Protect);
NTSTATUS MmUnmapViewOfSection(PEPROCESS Process, PVOID BaseAddress);
VOID MmInitializeSections(VOID);
BOOLEAN MmCheckSections(BOOLEAN Verbose);

/*
 * The most pages one MDL can describe: its Size, a CSHORT that NT reads as
 * unsigned, must hold the header and every page frame number (16,376 pages).
 */
#define MM_MAXIMUM_MDL_PAGES ((MAXUSHORT - sizeof(MDL)) / sizeof(PFN_NUMBER))

/* MmSizeOfMdl's answer, for those that need it at compile time or on the host (tests/fuzz). */
#define MM_SIZE_OF_MDL(Base, Length) \
    (sizeof(MDL) + (SIZE_T)ADDRESS_AND_SIZE_TO_SPAN_PAGES((Base), (Length)) * sizeof(PFN_NUMBER))

/* Pages MmProbeAndLockPages holds locked now (mdlsup.c, NT's MmSystemLockPagesCount). */
extern volatile ULONG MmSystemLockPagesCount;

/* Page frames for other subsystems (pool, MDLs). Each returns MM_EMPTY_LIST when none is left. */
PFN_NUMBER MmAllocatePhysicalPage(BOOLEAN Zeroed);
VOID MmFreePhysicalPage(PFN_NUMBER PageFrameIndex);

#endif
