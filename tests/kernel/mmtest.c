/* mmtest.c: helpers the memory manager's test suites share. */
#include "ktest.h"
#include "mmtest.h"

static NTSTATUS KtProbe(PVOID Address, BOOLEAN Write)
{
    volatile NTSTATUS Status = STATUS_SUCCESS;

    _SEH2_TRY {
        if (Write)
            KiProbeWrite(Address);
        else
            KiProbeRead(Address);
    } _SEH2_EXCEPT(EXCEPTION_EXECUTE_HANDLER) {
        Status = _SEH2_GetExceptionCode();
    } _SEH2_END;
    return Status;
}

NTSTATUS KtProbeRead(PVOID Address)
{
    return KtProbe(Address, FALSE);
}

NTSTATUS KtProbeWrite(PVOID Address)
{
    return KtProbe(Address, TRUE);
}

PHYSICAL_ADDRESS KtPhysical(ULONGLONG Address)
{
    PHYSICAL_ADDRESS Result;

    Result.QuadPart = (LONGLONG)Address;
    return Result;
}

VOID KtFillPhysicalPage(PFN_NUMBER PageFrameIndex, ULONG Pattern)
{
    KIRQL OldIrql;
    PULONG Page = MiMapPageInHyperSpace(PageFrameIndex, &OldIrql);

    for (ULONG i = 0; i < PAGE_SIZE / sizeof(ULONG); i++)
        Page[i] = Pattern;
    MiUnmapPageInHyperSpace(Page, OldIrql);
}

BOOLEAN KtPhysicalPageHolds(PFN_NUMBER PageFrameIndex, ULONG Pattern)
{
    KIRQL OldIrql;
    PULONG Page = MiMapPageInHyperSpace(PageFrameIndex, &OldIrql);
    BOOLEAN Same = TRUE;

    for (ULONG i = 0; i < PAGE_SIZE / sizeof(ULONG) && Same; i++)
        Same = Page[i] == Pattern;
    MiUnmapPageInHyperSpace(Page, OldIrql);
    return Same;
}

PFN_NUMBER KtHoldPages(BOOLEAN Zeroed, PFN_NUMBER Leave)
{
    PFN_NUMBER Held = MM_EMPTY_LIST;

    while ((Zeroed ? MmZeroedPageListHead.Total : MmAvailablePages) > Leave) {
        PFN_NUMBER Page = MmAllocatePhysicalPage(Zeroed);

        if (Page == MM_EMPTY_LIST)
            break;
        MmPfnDatabase[Page].u1.Flink = Held;
        Held = Page;
    }
    return Held;
}

VOID KtReleaseHeldPages(PFN_NUMBER Held)
{
    while (Held != MM_EMPTY_LIST) {
        PFN_NUMBER Next = MmPfnDatabase[Held].u1.Flink;

        MmPfnDatabase[Held].u1.Flink = 0;
        MmFreePhysicalPage(Held);
        Held = Next;
    }
}
