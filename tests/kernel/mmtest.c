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

HANDLE KtCreateSection(SIZE_T Size, ULONG Protect, ULONG Attributes)
{
    LARGE_INTEGER MaximumSize;
    HANDLE Handle = NULL;

    MaximumSize.QuadPart = Size;
    KT_ASSERT_EQ(ZwCreateSection(&Handle, SECTION_ALL_ACCESS, NULL, &MaximumSize, Protect, Attributes, NULL),
                 STATUS_SUCCESS);
    return Handle;
}

PVOID KtSectionObject(HANDLE Handle)
{
    PVOID Section = NULL;

    KT_ASSERT_EQ(ObReferenceObjectByHandle(Handle, 0, *MmSectionObjectType, KernelMode, &Section, NULL),
                 STATUS_SUCCESS);
    ObDereferenceObject(Section);
    return Section;
}

NTSTATUS KtMapView(HANDLE Section, HANDLE Process, PVOID *Base, ULONGLONG Offset, PSIZE_T Size, ULONG AllocationType,
                   ULONG Protect)
{
    LARGE_INTEGER SectionOffset;

    SectionOffset.QuadPart = (LONGLONG)Offset;
    return ZwMapViewOfSection(Section, Process, Base, 0, 0, &SectionOffset, Size, ViewShare, AllocationType, Protect);
}

PVOID KtMapWholeView(HANDLE Section, ULONG Protect)
{
    PVOID Base = NULL;
    SIZE_T Size = 0;

    KT_ASSERT_EQ(KtMapView(Section, NtCurrentProcess(), &Base, 0, &Size, 0, Protect), STATUS_SUCCESS);
    return Base;
}

MEMORY_BASIC_INFORMATION KtQueryRegion(PVOID Address)
{
    MEMORY_BASIC_INFORMATION Information;

    KT_EXPECT_EQ(ZwQueryVirtualMemory(NtCurrentProcess(), Address, MemoryBasicInformation, &Information,
                                      sizeof(Information), NULL),
                 STATUS_SUCCESS);
    return Information;
}
