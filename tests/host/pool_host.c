/*
 * pool_host.c: what the executive pool needs from the kernel, on the host,
 * so kernel/ex builds into a normal program (make test-host, make
 * bench-host). Pages come from one mmap'd region per pool managed as
 * mm/allocpag.c manages its ranges (a run map of pages in use, a bitmap of
 * allocation ends); IRQL is a variable; a stop prints its code and aborts,
 * or, for a harness that expects stops (pool_host.h), is recorded and
 * jumps back into it.
 */
#include <ntddk.h>
#include <mm.h>
#include <rtl/bitmap.h>
#include <rtl/runmap.h>
#include "exp.h"
#include <vf.h>
#include "pool_host.h"
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#define HOST_POOL_PAGES 16384   /* 64 MB of address space per pool, touched only as used */
/*
 * Above 2 GB, where the kernel's pools are: the pool refuses to free "user" addresses. A 64-bit
 * host puts them above 4 GB; a 32-bit one (make fuzz) inside the top half its kernel gives it.
 */
#define HOST_POOL_BASE ((ULONG_PTR)(sizeof(ULONG_PTR) == 8 ? (ULONGLONG)1 << 32 : 0x90000000u))
#define HOST_POOL_SPACING ((ULONG_PTR)0x10000000)

jmp_buf *HostBugCheckJump;
HOST_BUGCHECK HostLastBugCheck;

/* Only a must-succeed stop reads it; weak, so the page lists (pfnlist.c) bring their own where they are built too. */
__attribute__((weak)) volatile PFN_NUMBER MmAvailablePages = 1u << 20;
PVOID MmPagedPoolStart, MmPagedPoolEnd, MmNonPagedPoolStart, MmNonPagedPoolEnd;
PVOID MmNonPagedPoolExpansionStart, MmNonPagedPoolExpansionEnd;
KIRQL KeHostIrql;
PKI_INTERRUPT_WINDOW_HOOK volatile KiInterruptWindowHook;   /* no interrupts here: never set */

typedef struct {
    PUCHAR Base;
    RTL_RUN_MAP InUse;
    RTL_BITMAP End;
    ULONG InUseBits[RTL_RUN_MAP_BUFFER_WORDS(HOST_POOL_PAGES)], EndBits[HOST_POOL_PAGES / 32];
    ULONG PagesInUse;
} HOST_RANGE;

static HOST_RANGE HostRanges[2];   /* MiNonPagedPoolPages, MiPagedPoolPages */

static VOID HostInitializeRanges(VOID)
{
    if (HostRanges[0].Base != NULL)
        return;
    for (ULONG i = 0; i < 2; i++) {
        HOST_RANGE *Range = &HostRanges[i];

        Range->Base = mmap((PVOID)(HOST_POOL_BASE + i * HOST_POOL_SPACING), (SIZE_T)HOST_POOL_PAGES * PAGE_SIZE,
                           PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (Range->Base == MAP_FAILED || (ULONG_PTR)Range->Base < MI_SYSTEM_RANGE_START)
            abort();
        RtlInitializeRunMap(&Range->InUse, Range->InUseBits, HOST_POOL_PAGES);
        RtlInitializeBitMap(&Range->End, Range->EndBits, HOST_POOL_PAGES);
    }
    MmPagedPoolStart = HostRanges[MiPagedPoolPages].Base;
    MmPagedPoolEnd = HostRanges[MiPagedPoolPages].Base + (SIZE_T)HOST_POOL_PAGES * PAGE_SIZE;
    MmNonPagedPoolStart = MmNonPagedPoolEnd = HostRanges[MiNonPagedPoolPages].Base;
    MmNonPagedPoolExpansionStart = HostRanges[MiNonPagedPoolPages].Base;
    MmNonPagedPoolExpansionEnd = HostRanges[MiNonPagedPoolPages].Base + (SIZE_T)HOST_POOL_PAGES * PAGE_SIZE;
}

static HOST_RANGE *HostRangeOf(PVOID Va, MI_POOL_PAGE_TYPE *Type)
{
    for (ULONG i = 0; i < 2; i++) {
        if ((PUCHAR)Va >= HostRanges[i].Base && (PUCHAR)Va < HostRanges[i].Base + (SIZE_T)HOST_POOL_PAGES * PAGE_SIZE) {
            if (Type != NULL)
                *Type = (MI_POOL_PAGE_TYPE)i;
            return &HostRanges[i];
        }
    }
    return NULL;
}

PVOID MiAllocatePoolPages(MI_POOL_PAGE_TYPE Type, SIZE_T NumberOfBytes)
{
    HOST_RANGE *Range;
    ULONG Count = (ULONG)BYTES_TO_PAGES(NumberOfBytes), First;

    HostInitializeRanges();
    Range = &HostRanges[Type];
    if (Count == 0)
        Count = 1;
    if (Count > HOST_POOL_PAGES)
        return NULL;
    First = RtlRunMapAllocate(&Range->InUse, Count, TRUE);
    if (First == RTL_BITMAP_NOT_FOUND)
        return NULL;
    RtlSetBits(&Range->End, First + Count - 1, 1);
    Range->PagesInUse += Count;
    return Range->Base + (SIZE_T)First * PAGE_SIZE;
}

ULONG MiQueryPoolPages(PVOID StartingAddress)
{
    HOST_RANGE *Range = HostRangeOf(StartingAddress, NULL);
    ULONG First, Last;

    if (Range == NULL || BYTE_OFFSET(StartingAddress) != 0)
        return 0;
    First = (ULONG)(((PUCHAR)StartingAddress - Range->Base) / PAGE_SIZE);
    if (!RtlCheckBit(&Range->InUse.Bits, First) ||
        (First != 0 && RtlCheckBit(&Range->InUse.Bits, First - 1) && !RtlCheckBit(&Range->End, First - 1)))
        return 0;
    Last = RtlFindNextSetBit(&Range->End, First);
    return Last == RTL_BITMAP_NOT_FOUND ? 0 : Last - First + 1;
}

ULONG MiFreePoolPages(PVOID StartingAddress)
{
    HOST_RANGE *Range = HostRangeOf(StartingAddress, NULL);
    ULONG Count = MiQueryPoolPages(StartingAddress), First;

    if (Count == 0)
        return 0;
    First = (ULONG)(((PUCHAR)StartingAddress - Range->Base) / PAGE_SIZE);
    /* Give the memory back as the kernel does, so a use after free is caught. */
    madvise(StartingAddress, (SIZE_T)Count * PAGE_SIZE, MADV_DONTNEED);
    RtlRunMapClear(&Range->InUse, First, Count);
    RtlClearBits(&Range->End, First + Count - 1, 1);
    Range->PagesInUse -= Count;
    return Count;
}

BOOLEAN MiIsPoolRange(PVOID VirtualAddress, MI_POOL_PAGE_TYPE *Type)
{
    return HostRangeOf(VirtualAddress, Type) != NULL;
}

BOOLEAN MiIsPoolAddress(PVOID VirtualAddress, MI_POOL_PAGE_TYPE *Type)
{
    HOST_RANGE *Range = HostRangeOf(VirtualAddress, Type);

    return Range != NULL && RtlCheckBit(&Range->InUse.Bits, (ULONG)(((PUCHAR)VirtualAddress - Range->Base) / PAGE_SIZE));
}

VOID MiQueryPoolPageCounts(MI_POOL_PAGE_TYPE Type, PULONG PagesInUse, PULONG PagesTotal, PULONG PagesResident)
{
    *PagesInUse = *PagesResident = HostRanges[Type].PagesInUse;
    *PagesTotal = HOST_POOL_PAGES;
}

VOID MiEnumeratePoolAllocations(MI_POOL_PAGE_TYPE Type, PMI_POOL_ALLOCATION_CALLBACK Callback, PVOID Context)
{
    HOST_RANGE *Range = &HostRanges[Type];
    ULONG First = RtlFindNextSetBit(&Range->InUse.Bits, 0);

    while (First != RTL_BITMAP_NOT_FOUND) {
        ULONG Last = RtlFindNextSetBit(&Range->End, First);

        Callback(Range->Base + (SIZE_T)First * PAGE_SIZE, Last - First + 1, Context);
        First = Last + 1 < HOST_POOL_PAGES ? RtlFindNextSetBit(&Range->InUse.Bits, Last + 1) : RTL_BITMAP_NOT_FOUND;
    }
}

KIRQL NTAPI KeGetCurrentIrql(VOID) { return KeHostIrql; }

VOID NTAPI KeRaiseIrql(KIRQL NewIrql, PKIRQL OldIrql)
{
    if (NewIrql < KeHostIrql)
        KeBugCheckEx(IRQL_NOT_GREATER_OR_EQUAL, KeHostIrql, NewIrql, 0, 9);
    *OldIrql = KeHostIrql;
    KeHostIrql = NewIrql;
}

VOID NTAPI KeLowerIrql(KIRQL NewIrql)
{
    if (NewIrql > KeHostIrql)
        KeBugCheckEx(IRQL_NOT_LESS_OR_EQUAL, KeHostIrql, NewIrql, 0, 9);
    KeHostIrql = NewIrql;
}

VOID NTAPI KeBugCheckEx(ULONG Code, ULONG_PTR P1, ULONG_PTR P2, ULONG_PTR P3, ULONG_PTR P4)
{
    if (HostBugCheckJump != NULL) {
        jmp_buf *Jump = HostBugCheckJump;

        HostLastBugCheck = (HOST_BUGCHECK){ Code, { P1, P2, P3, P4 } };
        HostBugCheckJump = NULL;
        longjmp(*Jump, 1);
    }
    fprintf(stderr, "*** STOP: 0x%08X (0x%llX,0x%llX,0x%llX,0x%llX)\n", Code, (unsigned long long)P1,
            (unsigned long long)P2, (unsigned long long)P3, (unsigned long long)P4);
    abort();
}

/* The host's stand-in for the kernel's list-corruption stop. */
VOID RtlFailListEntry(PLIST_ENTRY Entry)
{
    fprintf(stderr, "list entry %p is corrupt\n", (void *)Entry);
    abort();
}

VOID NTAPI ExRaiseStatus(NTSTATUS Status)
{
    fprintf(stderr, "ExRaiseStatus(0x%08X) on the host\n", (ULONG)Status);
    abort();
}

ULONG DbgPrint(PCSTR Format, ...)
{
    va_list Args;

    va_start(Args, Format);
    vprintf(Format, Args);
    va_end(Args);
    return 0;
}

VOID NTAPI RtlAssert(PVOID FailedAssertion, PVOID FileName, ULONG LineNumber, PCHAR Message)
{
    fprintf(stderr, "assertion failed: %s (%s:%u) %s\n", (PCSTR)FailedAssertion, (PCSTR)FileName,
            LineNumber, Message ? Message : "");
    abort();
}

/* No clock on the host: the lookaside scan runs only when a test calls it. */
VOID NTAPI KeInitializeDpc(PRKDPC Dpc, PKDEFERRED_ROUTINE DeferredRoutine, PVOID DeferredContext)
{
    Dpc->DeferredRoutine = DeferredRoutine;
    Dpc->DeferredContext = DeferredContext;
}

VOID NTAPI KeInitializeTimer(PKTIMER Timer) { Timer->Inserted = FALSE; }

BOOLEAN NTAPI KeSetTimerEx(PKTIMER Timer, LARGE_INTEGER DueTime, LONG Period, PKDPC Dpc)
{
    (void)DueTime;
    Timer->Period = Period;
    Timer->Dpc = Dpc;
    return FALSE;
}

/* No processes on the host, so no block is ever charged to one (kernel/ex/poolquota.c is not built). */
VOID ExpReturnPoolQuota(PPOOL_HEADER Entry)
{
    (void)Entry;
    abort();
}

/*
 * The verifier is off on the host (kernel/ex/vfpool.c and mm/ are not
 * built): its options stay zero, so the pool never takes these paths; they
 * are here to link, and stop if one is ever reached.
 */
VF_OPTIONS VfOptions;
volatile ULONG VfGeneration;

ULONG VfStartGeneration(VOID) { return ++VfGeneration; }
BOOLEAN VfIsVerifierStorage(PVOID Va) { (void)Va; return FALSE; }
BOOLEAN MmIsSpecialPoolAddress(PVOID P) { (void)P; return FALSE; }
BOOLEAN MmQuerySpecialPoolBlock(PVOID P, PSIZE_T NumberOfBytes, PULONG Tag, POOL_TYPE *PoolType)
{
    (void)P, (void)NumberOfBytes, (void)Tag, (void)PoolType;
    abort();
}
BOOLEAN VfInjectResourceFailure(VF_RESOURCE Resource, PVOID CallersAddress)
{
    (void)Resource, (void)CallersAddress;
    abort();
}
BOOLEAN ExpIsSpecialPoolRequest(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag)
{
    (void)PoolType, (void)NumberOfBytes, (void)Tag;
    abort();
}
PVOID ExpAllocateSpecialPool(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag, ULONG SpecialPoolType,
                             PVOID CallersAddress)
{
    (void)PoolType, (void)NumberOfBytes, (void)Tag, (void)SpecialPoolType, (void)CallersAddress;
    abort();
}
VOID ExpFreeSpecialPool(PVOID P, ULONG Tag, PVOID CallersAddress)
{
    (void)P, (void)Tag, (void)CallersAddress;
    abort();
}
VOID VfTrackPoolAllocation(PVOID P, ULONG Tag, SIZE_T NumberOfBytes, POOL_TYPE PoolType, PVOID CallersAddress)
{
    (void)P, (void)Tag, (void)NumberOfBytes, (void)PoolType, (void)CallersAddress;
    abort();
}
VOID VfUntrackPoolAllocation(PVOID P)
{
    (void)P;
    abort();
}
ULONG VfReportPoolAllocations(ULONG Generation, ULONG Tag)
{
    (void)Generation, (void)Tag;
    abort();
}
VOID VfCheckSpinLockAcquire(PKSPIN_LOCK SpinLock, BOOLEAN AtDpcLevel)
{
    (void)SpinLock, (void)AtDpcLevel;
    abort();
}
VOID VfCheckSpinLockRelease(PKSPIN_LOCK SpinLock, BOOLEAN AtDpcLevel, BOOLEAN Held)
{
    (void)SpinLock, (void)AtDpcLevel, (void)Held;
    abort();
}
VOID VfDeadlockAcquireResource(PVOID Resource, PVOID CallersAddress)
{
    (void)Resource, (void)CallersAddress;
    abort();
}
VOID VfDeadlockReleaseResource(PVOID Resource, PVOID CallersAddress)
{
    (void)Resource, (void)CallersAddress;
    abort();
}
