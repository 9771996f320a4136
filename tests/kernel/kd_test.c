/*
 * kd_test.c: the kd shell's commands, run inside the kernel
 * (KdExecuteCommand) with their output captured, and checked against what
 * the kernel itself says about the same objects: the PTE the self-map
 * reads, the frame MmGetPhysicalAddress gives, the block the pool handed
 * out, the VAD and region ZwQueryVirtualMemory describes. Bad arguments
 * must be refused with a message, never a fault.
 */
#define NTMM_WHITEBOX_TEST
#include "ktest.h"
#include "vftest.h"
#include <mm.h>
#include <ex.h>
#include <ps.h>
#include <kd.h>
#include <kprintf.h>
#include <string.h>

#define KD_TEST_TAG 'stdK'          /* "Kdts" */
#define KD_TEST_FIND_TAG 'ftdK'     /* "Kdtf" */
#define KD_TEST_OUTPUT 16384

static CHAR KtOutput[KD_TEST_OUTPUT];
static ULONG KtOutputLength;

static VOID KtRecordOutput(PCSTR Text, ULONG Length)
{
    if (Length > sizeof(KtOutput) - 1 - KtOutputLength)
        Length = sizeof(KtOutput) - 1 - KtOutputLength;
    memcpy(KtOutput + KtOutputLength, Text, Length);
    KtOutputLength += Length;
    KtOutput[KtOutputLength] = '\0';
}

/* Runs a command line and returns what it printed. */
static PCSTR KtRun(PCSTR Format, ...)
{
    CHAR Line[160];
    va_list Args;

    va_start(Args, Format);
    kvsnprintf(Line, sizeof(Line), Format, Args);
    va_end(Args);
    KtOutputLength = 0;
    KtOutput[0] = '\0';
    KiDebugPrintHook = KtRecordOutput;
    KdExecuteCommand(Line);
    KiDebugPrintHook = NULL;
    return KtOutput;
}

static BOOLEAN KtContains(PCSTR Output, PCSTR Format, ...)
{
    CHAR Expected[160];
    va_list Args;
    ULONG Length;

    va_start(Args, Format);
    kvsnprintf(Expected, sizeof(Expected), Format, Args);
    va_end(Args);
    Length = strlen(Expected);
    for (PCSTR Cursor = Output; *Cursor != '\0'; Cursor++) {
        if (strncmp(Cursor, Expected, Length) == 0)
            return TRUE;
    }
    KtLog("'%s' is not in the output:", Expected);
    for (PCSTR Line = Output; *Line != '\0';) {
        PCSTR End = strchr(Line, '\n');
        ULONG LineLength = End != NULL ? (ULONG)(End - Line) : strlen(Line);

        KtLog("  %.*s", (int)LineLength, Line);
        Line += LineLength + (End != NULL);
    }
    return FALSE;
}

static ULONG KtKnownVariable = 0x1234;

KTEST(kd, pte_of_a_kernel_variable_shows_its_pde_pte_and_frame)
{
    ULONG_PTR Va = (ULONG_PTR)&KtKnownVariable;
    PCSTR Output = KtRun("!pte %x", Va);

    KT_EXPECT(KtContains(Output, "VA %08x", Va));
    KT_EXPECT(KtContains(Output, "PDE at %08X            PTE at %08X", (ULONG)MiAddressToPde(Va), (ULONG)MiAddressToPte(Va)));
    KT_EXPECT(KtContains(Output, "contains %08X", MiAddressToPte(Va)->u.Long));
    KT_EXPECT(KtContains(Output, "pfn %-9x -G-DA--KWEV", (ULONG)(MmGetPhysicalAddress((PVOID)Va).QuadPart >> PAGE_SHIFT)));
}

KTEST(kd, pte_of_a_pte_address_shows_the_address_it_maps)
{
    ULONG_PTR Va = (ULONG_PTR)&KtKnownVariable;

    KT_EXPECT(KtContains(KtRun("!pte %x", (ULONG)MiAddressToPte(Va)), "VA %08x", ALIGN_DOWN_BY(Va, PAGE_SIZE)));
}

/* Paged pool pages arrive on first touch: until then their PTEs are demand-zero. */
KTEST(kd, pte_of_an_untouched_paged_pool_page_is_demand_zero_read_write)
{
    PUCHAR Block = ExAllocatePoolWithTag(PagedPool, 2 * PAGE_SIZE, KD_TEST_TAG);
    PCSTR Output;

    KT_ASSERT(Block != NULL);
    Output = KtRun("!pte %x", (ULONG_PTR)Block + PAGE_SIZE);
    KT_EXPECT(KtContains(Output, "contains %08X", MiAddressToPte(Block + PAGE_SIZE)->u.Long));
    KT_EXPECT(KtContains(Output, " DemandZero"));
    KT_EXPECT(KtContains(Output, " Protect: 4 - READWRITE"));
    KT_EXPECT(KtContains(KtRun("db %x", (ULONG_PTR)Block + PAGE_SIZE), "is not valid"));
    KT_EXPECT(!MiAddressToPte(Block + PAGE_SIZE)->u.Hard.Valid);   /* looking did not page it in */
    ExFreePoolWithTag(Block, KD_TEST_TAG);
}

KTEST(kd, pte_range_prints_one_line_a_page)
{
    ULONG_PTR Va = ALIGN_DOWN_BY((ULONG_PTR)&KtKnownVariable, PAGE_SIZE);
    PCSTR Output = KtRun("!pte %x %x", Va, Va + 2 * PAGE_SIZE);

    for (ULONG i = 0; i < 3; i++)
        KT_EXPECT(KtContains(Output, "%08x  PTE at %08X contains %08X", Va + i * PAGE_SIZE,
                             (ULONG)MiAddressToPte(Va + i * PAGE_SIZE), MiAddressToPte(Va + i * PAGE_SIZE)->u.Long));
}

KTEST(kd, pfn_shows_the_pte_that_maps_the_page)
{
    ULONG_PTR Va = (ULONG_PTR)&KtKnownVariable;
    PFN_NUMBER Page = (PFN_NUMBER)(MmGetPhysicalAddress((PVOID)Va).QuadPart >> PAGE_SHIFT);
    PCSTR Output = KtRun("!pfn %x", Page);

    KT_EXPECT(KtContains(Output, "PFN %08X at address %08X", Page, (ULONG)MI_PFN_ELEMENT(Page)));
    KT_EXPECT(KtContains(Output, "pteaddress %08X", (ULONG)MiAddressToPte(Va)));
    KT_EXPECT(KtContains(Output, "reference count %04X", MI_PFN_ELEMENT(Page)->u3.e2.ReferenceCount));
    KT_EXPECT(KtContains(Output, "Active"));
}

KTEST(kd, dumps_show_memory_and_refuse_what_is_not_mapped)
{
    KT_SKIP_UNDER_SPECIAL_POOL();
    ULONG_PTR Va = (ULONG_PTR)&KtKnownVariable;

    KT_EXPECT(KtContains(KtRun("dd %x L1", Va), "%08x  %08x", Va, KtKnownVariable));
    KT_EXPECT(KtContains(KtRun("db %x 2", Va), "%08x  %02x %02x", Va, KtKnownVariable & 0xFF, KtKnownVariable >> 8));
    KT_EXPECT(KtContains(KtRun("dq %x 1", Va), "`%08x", KtKnownVariable));
    KT_EXPECT(KtContains(KtRun("db 0"), "memory at 00000000 is not valid"));
    KT_EXPECT(KtContains(KtRun("dd %x", MM_SYSTEM_PTE_START), "is not valid"));
    KT_EXPECT(KtContains(KtRun("dd fffffffc 10"), "fffffffc"));     /* stops at the top, no wrap */
}

KTEST(kd, pool_lists_the_page_and_stars_the_block_holding_the_address)
{
    KT_SKIP_UNDER_SPECIAL_POOL();
    PUCHAR Block = ExAllocatePoolWithTag(NonPagedPool, 100, KD_TEST_TAG);
    PCSTR Output;

    KT_ASSERT(Block != NULL);
    Output = KtRun("!pool %x", (ULONG_PTR)Block + 10);
    KT_EXPECT(KtContains(Output, "Pool page %08x region is Nonpaged pool", (ULONG_PTR)Block + 10));
    KT_EXPECT(KtContains(Output, "*%08x size:   70 previous size:", (ULONG_PTR)Block - 8));
    KT_EXPECT(KtContains(Output, "(Allocated)  *Kdts"));
    ExFreePoolWithTag(Block, KD_TEST_TAG);
    KT_EXPECT(KtContains(KtRun("!pool 0"), "is not in a pool range"));
}

KTEST(kd, pool_of_a_big_allocation_names_it)
{
    PUCHAR Block = ExAllocatePoolWithTag(NonPagedPool, 3 * PAGE_SIZE, KD_TEST_TAG);
    PCSTR Output;

    KT_ASSERT(Block != NULL);
    Output = KtRun("!pool %x", (ULONG_PTR)Block + PAGE_SIZE + 8);
    KT_EXPECT(KtContains(Output, "*%08x size: 3000 previous size:    0  (Allocated)  *Kdts", (ULONG_PTR)Block));
    KT_EXPECT(KtContains(Output, "large page allocation"));
    ExFreePoolWithTag(Block, KD_TEST_TAG);
}

KTEST(kd, poolfind_and_poolused_agree_with_the_tracker)
{
    PVOID Blocks[3];
    EX_POOL_TAG_INFORMATION Information;
    PCSTR Output;

    /* A debugger walks only pages that are there; forced IRQL checking trims paged pool's away. */
    KT_SKIP_UNDER_VERIFIER(DRIVER_VERIFIER_FORCE_IRQL_CHECKING, "the paged block's page is trimmed, as if paged out");
    KT_SKIP_UNDER_SPECIAL_POOL();
    for (ULONG i = 0; i < RTL_NUMBER_OF(Blocks); i++) {
        Blocks[i] = ExAllocatePoolWithTag(i == 2 ? PagedPool : NonPagedPool, 40 + i * 300, KD_TEST_FIND_TAG);
        KT_ASSERT(Blocks[i] != NULL);
    }
    Output = KtRun("!poolfind Kdtf");
    for (ULONG i = 0; i < RTL_NUMBER_OF(Blocks); i++)
        KT_EXPECT(KtContains(Output, "%08x size:", (ULONG_PTR)Blocks[i] - 8));
    KT_EXPECT(KtContains(Output, "3 blocks found"));
    KT_ASSERT(ExQueryPoolTag(KD_TEST_FIND_TAG, &Information));
    KT_EXPECT(KtContains(KtRun("!poolused t"), " Kdtf %9x %8x %6x %8x %9x %8x %6x %8x", Information.NonPagedAllocs,
                         Information.NonPagedFrees, Information.NonPagedAllocs - Information.NonPagedFrees,
                         (ULONG)Information.NonPagedBytes, Information.PagedAllocs, Information.PagedFrees,
                         Information.PagedAllocs - Information.PagedFrees, (ULONG)Information.PagedBytes));
    for (ULONG i = 0; i < RTL_NUMBER_OF(Blocks); i++)
        ExFreePoolWithTag(Blocks[i], KD_TEST_FIND_TAG);
}

KTEST(kd, vad_and_address_describe_a_reserved_and_committed_range)
{
    PVOID Base = NULL;
    SIZE_T Size = 0x10000, One = PAGE_SIZE;
    PEPROCESS Process = PsGetCurrentProcessEx();
    MEMORY_BASIC_INFORMATION Information;
    PCSTR Output;

    KT_ASSERT_EQ(ZwAllocateVirtualMemory(NtCurrentProcess(), &Base, 0, &Size, MEM_RESERVE, PAGE_READWRITE),
                 STATUS_SUCCESS);
    KT_ASSERT_EQ(ZwAllocateVirtualMemory(NtCurrentProcess(), &Base, 0, &One, MEM_COMMIT, PAGE_READWRITE),
                 STATUS_SUCCESS);
    Output = KtRun("!vad");
    KT_EXPECT(KtContains(Output, "%9x %9x %6u Private   READWRITE", (ULONG_PTR)Base >> PAGE_SHIFT,
                         ((ULONG_PTR)Base + Size - 1) >> PAGE_SHIFT, 1));
    KT_EXPECT(KtContains(Output, "Total VADs: %u", Process->VadRoot.NumberOfNodes));
    KT_ASSERT_EQ(ZwQueryVirtualMemory(NtCurrentProcess(), Base, MemoryBasicInformation, &Information,
                                      sizeof(Information), NULL), STATUS_SUCCESS);
    Output = KtRun("!address %x %x", (ULONG_PTR)Base + 8, (ULONG_PTR)Process->UniqueProcessId);
    KT_EXPECT(KtContains(Output, "Usage:                  VAD (Private)"));
    KT_EXPECT(KtContains(Output, "Base Address:           %08x", (ULONG_PTR)Information.BaseAddress));
    KT_EXPECT(KtContains(Output, "Region Size:            %08x", Information.RegionSize));
    KT_EXPECT(KtContains(Output, "State:                  %08x          MEM_COMMIT", MEM_COMMIT));
    KT_EXPECT(KtContains(Output, "Protect:                %08x          PAGE_READWRITE", PAGE_READWRITE));
    Output = KtRun("!address %x", (ULONG_PTR)Base + PAGE_SIZE);
    KT_EXPECT(KtContains(Output, "MEM_RESERVE"));
    KT_EXPECT_EQ(ZwFreeVirtualMemory(NtCurrentProcess(), &Base, &(SIZE_T){ 0 }, MEM_RELEASE), STATUS_SUCCESS);
    KT_EXPECT(KtContains(KtRun("!address %x", (ULONG_PTR)Base), "MEM_FREE"));
}

KTEST(kd, process_lists_every_active_process)
{
    PEPROCESS Process = NULL;
    PCSTR Output;

    KT_ASSERT_EQ(PsCreateProcess("kdtest", 0, &Process), STATUS_SUCCESS);
    Output = KtRun("!process");
    KT_EXPECT(KtContains(Output, "Cid: 0004"));
    KT_EXPECT(KtContains(Output, "Image: System"));
    KT_EXPECT(KtContains(Output, "PROCESS %08x  Cid: %04x", (ULONG_PTR)Process, (ULONG_PTR)Process->UniqueProcessId));
    KT_EXPECT(KtContains(Output, "DirBase: %08x", Process->Pcb.DirectoryTableBase[0]));
    KT_EXPECT(KtContains(KtRun("!process %x", (ULONG_PTR)Process->UniqueProcessId), "Image: kdtest"));
    KT_EXPECT(KtContains(KtRun("!vad %x", (ULONG_PTR)Process), "(process %04x, kdtest)",
                         (ULONG_PTR)Process->UniqueProcessId));
    PsTerminateProcess(Process, STATUS_SUCCESS);
    ObDereferenceObject(Process);
}

KTEST(kd, memusage_counts_every_page_of_ram)
{
    PCSTR Output = KtRun("!memusage");

    KT_EXPECT(KtContains(Output, "Physical Memory:   %8u", MmNumberOfPhysicalPages));
    KT_EXPECT(KtContains(Output, "  Free list:       %8u", MmFreePageListHead.Total));
    KT_EXPECT(KtContains(Output, "Free System PTEs:  %8u", MmTotalFreeSystemPtes));
    KT_EXPECT(KtContains(Output, "I kernel image"));
    KT_EXPECT(KtContains(Output, "D PFN database"));
}

KTEST(kd, bad_arguments_are_refused_with_a_message)
{
    KT_EXPECT(KtContains(KtRun("!pte xyz"), "Syntax error at 'xyz': not a hex number"));
    KT_EXPECT(KtContains(KtRun("!pfn 123456789"), "Numeric overflow at '123456789'"));
    KT_EXPECT(KtContains(KtRun("!pfn fffff"), "Page fffff is not RAM"));
    KT_EXPECT(KtContains(KtRun("!pte"), "Usage: !pte VA [END]"));
    KT_EXPECT(KtContains(KtRun("db 0 0"), "Count 0 is out of range"));
    KT_EXPECT(KtContains(KtRun("!pte 2000 1000"), "out of order"));
    KT_EXPECT(KtContains(KtRun("!nosuch"), "kd: unknown command '!nosuch'"));
    KT_EXPECT(KtContains(KtRun("a b c d e f g h i"), "too many words"));
    KT_EXPECT(KtContains(KtRun("!process 12345"), "No process has id or address 12345"));
    KT_EXPECT(KtContains(KtRun("!poolfind toolong"), "Usage: !poolfind"));
    KT_EXPECT(KtContains(KtRun("!analyze"), "No stop has happened"));
}

/*
 * make gdb-test breaks here, once the case below has built a known state
 * and printed kd's view of it between "# kd-gdb COMMAND" and
 * "# kd-gdb-end" lines; GDB's commands must print the same (tests/gdb).
 */
__attribute__((noinline)) VOID KtDebuggerCheckpoint(VOID)
{
    __asm__ volatile("" ::: "memory");
}

static VOID KtShowForDebugger(PCSTR Format, ...)
{
    CHAR Line[80];
    va_list Args;

    va_start(Args, Format);
    kvsnprintf(Line, sizeof(Line), Format, Args);
    va_end(Args);
    DbgPrint("# kd-gdb %s\n", Line);
    KdExecuteCommand(Line);
    DbgPrint("# kd-gdb-end\n");
}

KTEST(kd, state_for_the_debugger_to_read)
{
    PUCHAR Block = ExAllocatePoolWithTag(NonPagedPool, 100, KD_TEST_TAG);
    PUCHAR Paged = ExAllocatePoolWithTag(PagedPool, 2 * PAGE_SIZE, KD_TEST_TAG);
    PUCHAR Small = ExAllocatePoolWithTag(PagedPool, 40, KD_TEST_FIND_TAG);

    KT_ASSERT(Block != NULL && Paged != NULL && Small != NULL);
    KtShowForDebugger("!pte %x", (ULONG_PTR)Block);
    KtShowForDebugger("!pte %x", (ULONG_PTR)Paged + PAGE_SIZE);
    KtShowForDebugger("!pte %x", (ULONG)MiAddressToPte(&KtKnownVariable));
    KtShowForDebugger("!pte %x %x", (ULONG_PTR)Paged, (ULONG_PTR)Paged + PAGE_SIZE);
    KtShowForDebugger("!pfn %x", (ULONG)(MmGetPhysicalAddress(&KtKnownVariable).QuadPart >> PAGE_SHIFT));
    KtShowForDebugger("!pfn %x", (ULONG)(MmGetPhysicalAddress(Block).QuadPart >> PAGE_SHIFT));
    KtShowForDebugger("!pool %x", (ULONG_PTR)Block + 8);
    KtShowForDebugger("!pool %x", (ULONG_PTR)Small);
    KtShowForDebugger("!pool %x", (ULONG_PTR)Paged + 16);
    KtShowForDebugger("!poolused");
    KtShowForDebugger("!poolused t");
    KtShowForDebugger("!process");
    KtShowForDebugger("!process 4");
    KtShowForDebugger("!vad");
    KtShowForDebugger("!sysptes");
    KtShowForDebugger("!vm");
    KtDebuggerCheckpoint();
    ExFreePoolWithTag(Small, KD_TEST_FIND_TAG);
    ExFreePoolWithTag(Paged, KD_TEST_TAG);
    ExFreePoolWithTag(Block, KD_TEST_TAG);
}

/* make gdb-test stops in MmAccessFault for this probe: bt must go through the trap frame to this case. */
KTEST(kd, fault_for_the_debugger_to_unwind)
{
    volatile NTSTATUS Status = STATUS_SUCCESS;

    _SEH2_TRY {
        KiProbeRead((PVOID)(MM_SYSTEM_PTE_END - 0xFFF));
    } _SEH2_EXCEPT(EXCEPTION_EXECUTE_HANDLER) {
        Status = _SEH2_GetExceptionCode();
    } _SEH2_END;
    KT_EXPECT_EQ(Status, STATUS_ACCESS_VIOLATION);
}
