/*
 * alias_test.c: one process's page seen from another, the classic driver
 * tricks: MmGetPhysicalAddress in process A and MmMapIoSpace in process B;
 * and an MDL locked in A (MmProbeAndLockPages on a user buffer) mapped into
 * B's user space (MmMapLockedPagesSpecifyCache(UserMode)) and read there by
 * a ring-3 program. When A exits first, the locked page stays A's data
 * until the MDL lets go: no use after free, and the walkers agree.
 */
#define NTMM_WHITEBOX_TEST
#include "ktest.h"
#include <mm.h>
#include <ps.h>
#include "mmtest.h"
#include "vftest.h"
#include "userprog.h"

#define PAGE_IN_A ((PULONG)0x20000000)
#define PATTERN 0x5A5AC0DE
#define KT_ALIAS_TAG 'silA'      /* "Alis" */

typedef struct {
    PEPROCESS A, B;
    KAPC_STATE ApcState;
} KT_TWO_PROCESSES;

/* A with a committed page holding PATTERN at PAGE_IN_A, and an empty B. */
static VOID MakeTwoProcesses(KT_TWO_PROCESSES *Two)
{
    PVOID Base = PAGE_IN_A;
    SIZE_T Size = PAGE_SIZE;

    /* Set-up: the cases are about what one process sees of the other's page. */
    KtVerifierSuspendLowResources();
    KT_ASSERT_EQ(PsCreateProcess("A", 0, &Two->A), STATUS_SUCCESS);
    KT_ASSERT_EQ(PsCreateProcess("B", 0, &Two->B), STATUS_SUCCESS);
    KeStackAttachProcess(&Two->A->Pcb, &Two->ApcState);
    KT_ASSERT_EQ(ZwAllocateVirtualMemory(NtCurrentProcess(), &Base, 0, &Size, MEM_RESERVE | MEM_COMMIT,
                                         PAGE_READWRITE), STATUS_SUCCESS);
    PAGE_IN_A[0] = PATTERN;
    KeUnstackDetachProcess(&Two->ApcState);
    KtVerifierResumeLowResources();
}

static VOID EndProcess(PEPROCESS Process)
{
    PsTerminateProcess(Process, STATUS_SUCCESS);
    ObDereferenceObject(Process);
}

KTEST(alias, a_physical_address_from_a_mapped_in_b)
{
    KT_TWO_PROCESSES Two;
    PHYSICAL_ADDRESS Physical;
    PULONG View;

    MakeTwoProcesses(&Two);
    KeStackAttachProcess(&Two.A->Pcb, &Two.ApcState);
    Physical = MmGetPhysicalAddress(PAGE_IN_A);
    KeUnstackDetachProcess(&Two.ApcState);
    KT_ASSERT(Physical.QuadPart != 0);

    KeStackAttachProcess(&Two.B->Pcb, &Two.ApcState);
    KT_EXPECT_EQ(KtProbeRead(PAGE_IN_A), STATUS_ACCESS_VIOLATION);      /* nothing at that address in B */
    View = MmMapIoSpace(Physical, sizeof(ULONG) * 2, MmCached);       /* the page's own type: cached */
    KT_ASSERT(View != NULL);
    KT_EXPECT_EQ(View[0], PATTERN);
    View[1] = ~PATTERN;
    MmUnmapIoSpace(View, sizeof(ULONG) * 2);
    KT_EXPECT(MmMapIoSpace(Physical, PAGE_SIZE, MmNonCached) == NULL);   /* no uncached alias of cached RAM */
    KeUnstackDetachProcess(&Two.ApcState);

    KeStackAttachProcess(&Two.A->Pcb, &Two.ApcState);
    KT_EXPECT_EQ(PAGE_IN_A[1], ~PATTERN);
    KeUnstackDetachProcess(&Two.ApcState);
    EndProcess(Two.A);
    EndProcess(Two.B);
}

KTEST(alias, an_mdl_from_a_mapped_into_b_is_read_by_ring_3_code_in_b)
{
    PFN_NUMBER Available = MmAvailablePages;
    KT_TWO_PROCESSES Two;
    NTSTATUS ExitStatus = 0;
    PULONG UserView, SystemView;
    PVOID Entry;
    PMDL Mdl;

    MakeTwoProcesses(&Two);
    KT_ASSERT_EQ(KtLoadUserProgram(Two.B, "peek", &Entry), STATUS_SUCCESS);
    KeStackAttachProcess(&Two.A->Pcb, &Two.ApcState);
    Mdl = IoAllocateMdl(PAGE_IN_A, PAGE_SIZE, FALSE, FALSE, NULL);
    KT_ASSERT(Mdl != NULL);
    MmProbeAndLockPages(Mdl, UserMode, IoWriteAccess);
    KT_EXPECT_EQ(Mdl->Process, Two.A);
    KT_EXPECT_EQ(Two.A->NumberOfLockedPages, 1);
    KeUnstackDetachProcess(&Two.ApcState);

    KeStackAttachProcess(&Two.B->Pcb, &Two.ApcState);
    UserView = MmMapLockedPagesSpecifyCache(Mdl, UserMode, MmCached, NULL, FALSE, NormalPagePriority);
    KT_ASSERT(UserView != NULL);
    KT_EXPECT((PVOID)UserView < MM_SYSTEM_RANGE_START);
    KT_EXPECT_EQ((ULONG_PTR)UserView % MM_ALLOCATION_GRANULARITY, 0);
    KeUnstackDetachProcess(&Two.ApcState);
    KT_ASSERT_EQ(PsRunUserThread(Two.B, Entry, UserView, &ExitStatus), STATUS_SUCCESS);
    KT_EXPECT_EQ((ULONG)ExitStatus, PATTERN);                         /* ring-3 code in B read A's page */
    /* B ended with its only thread, and its view of the MDL went with its address space. */
    KT_EXPECT(Two.B->ProcessExiting);
    KT_EXPECT_EQ(Two.B->ExitStatus, (NTSTATUS)PATTERN);

    /* A goes too: its page stays, locked, with A's data and B's reply, until the MDL lets go. */
    KT_EXPECT_EQ(PsTerminateProcess(Two.A, STATUS_SUCCESS), STATUS_SUCCESS);
    KT_EXPECT(MiCheckPfnDatabase(TRUE));
    SystemView = MmGetSystemAddressForMdlSafe(Mdl, NormalPagePriority);
    KT_ASSERT(SystemView != NULL);
    KT_EXPECT_EQ(SystemView[0], PATTERN);
    KT_EXPECT_EQ(SystemView[1], ~PATTERN);
    MmUnmapLockedPages(SystemView, Mdl);
    MmUnlockPages(Mdl);
    IoFreeMdl(Mdl);
    KT_EXPECT_EQ(Two.A->NumberOfLockedPages, 0);
    ObDereferenceObject(Two.A);
    EndProcess(Two.B);
    KT_EXPECT(MiCheckPfnDatabase(TRUE));
    KT_EXPECT(MmAvailablePages + 1 >= Available);    /* a system page table for the kernel stack may stay */
}

KTEST(alias, probing_user_buffers_checks_mode_and_protection)
{
    PVOID Base = NULL, Address;
    SIZE_T Size = 2 * PAGE_SIZE;
    volatile NTSTATUS Status;
    ULONG Old;
    PMDL Mdl;

    KT_ASSERT_EQ(ZwAllocateVirtualMemory(NtCurrentProcess(), &Base, 0, &Size, MEM_RESERVE | MEM_COMMIT,
                                         PAGE_READWRITE), STATUS_SUCCESS);
    Address = (PUCHAR)Base + PAGE_SIZE;
    Size = PAGE_SIZE;
    KT_ASSERT_EQ(ZwProtectVirtualMemory(NtCurrentProcess(), &Address, &Size, PAGE_READONLY, &Old), STATUS_SUCCESS);

    /* UserMode may not name a kernel address. */
    Mdl = IoAllocateMdl((PVOID)MmNonPagedPoolStart, 16, FALSE, FALSE, NULL);
    Status = STATUS_SUCCESS;
    _SEH2_TRY {
        MmProbeAndLockPages(Mdl, UserMode, IoReadAccess);
    } _SEH2_EXCEPT(EXCEPTION_EXECUTE_HANDLER) {
        Status = _SEH2_GetExceptionCode();
    } _SEH2_END;
    KT_EXPECT_EQ(Status, STATUS_ACCESS_VIOLATION);
    IoFreeMdl(Mdl);

    /* A read-only page cannot be locked for writing; it can for reading, and is charged to the process. */
    Mdl = IoAllocateMdl(Base, 2 * PAGE_SIZE, FALSE, FALSE, NULL);
    Status = STATUS_SUCCESS;
    _SEH2_TRY {
        MmProbeAndLockPages(Mdl, UserMode, IoWriteAccess);
    } _SEH2_EXCEPT(EXCEPTION_EXECUTE_HANDLER) {
        Status = _SEH2_GetExceptionCode();
    } _SEH2_END;
    KT_EXPECT_EQ(Status, STATUS_ACCESS_VIOLATION);
    KT_EXPECT_EQ(PsInitialSystemProcess->NumberOfLockedPages, 0);
    MmProbeAndLockPages(Mdl, UserMode, IoReadAccess);
    KT_EXPECT_EQ(PsInitialSystemProcess->NumberOfLockedPages, 2);
    MmUnlockPages(Mdl);
    KT_EXPECT_EQ(PsInitialSystemProcess->NumberOfLockedPages, 0);
    IoFreeMdl(Mdl);

    /* A no-access page raises from the probe itself. */
    Address = Base;
    KT_ASSERT_EQ(ZwProtectVirtualMemory(NtCurrentProcess(), &Address, &Size, PAGE_NOACCESS, &Old), STATUS_SUCCESS);
    Mdl = IoAllocateMdl(Base, 16, FALSE, FALSE, NULL);
    Status = STATUS_SUCCESS;
    _SEH2_TRY {
        MmProbeAndLockPages(Mdl, UserMode, IoReadAccess);
    } _SEH2_EXCEPT(EXCEPTION_EXECUTE_HANDLER) {
        Status = _SEH2_GetExceptionCode();
    } _SEH2_END;
    KT_EXPECT_EQ(Status, STATUS_ACCESS_VIOLATION);
    IoFreeMdl(Mdl);
    Size = 0;
    KT_EXPECT_EQ(ZwFreeVirtualMemory(NtCurrentProcess(), &Base, &Size, MEM_RELEASE), STATUS_SUCCESS);
}

KTEST(alias, a_nonpaged_buffer_mapped_into_user_space_and_back)
{
    PULONG Buffer = ExAllocatePoolWithTag(NonPagedPool, PAGE_SIZE, KT_ALIAS_TAG);
    PVOID Requested = (PVOID)0x30000000;
    PULONG UserView;
    PMDL Mdl;

    KT_ASSERT(Buffer != NULL);
    Buffer[5] = 0x12345678;
    Mdl = IoAllocateMdl(Buffer, PAGE_SIZE, FALSE, FALSE, NULL);
    MmBuildMdlForNonPagedPool(Mdl);
    UserView = MmMapLockedPagesSpecifyCache(Mdl, UserMode, MmCached, Requested, FALSE, NormalPagePriority);
    KT_EXPECT_EQ(UserView, Requested);
    KT_EXPECT_EQ(UserView[5], 0x12345678);
    UserView[6] = 0xABCDEF01;
    KT_EXPECT_EQ(Buffer[6], 0xABCDEF01);
    /* The VAD is the MDL's: NtFreeVirtualMemory cannot take it away. */
    {
        PVOID Base = UserView;
        SIZE_T Size = 0;

        KT_EXPECT_EQ(ZwFreeVirtualMemory(NtCurrentProcess(), &Base, &Size, MEM_RELEASE), STATUS_UNABLE_TO_FREE_VM);
    }
    MmUnmapLockedPages(UserView, Mdl);
    KT_EXPECT_EQ(KtProbeRead(UserView), STATUS_ACCESS_VIOLATION);
    KT_EXPECT_EQ(Buffer[5], 0x12345678);                              /* the pool page was not freed */
    IoFreeMdl(Mdl);
    ExFreePoolWithTag(Buffer, KT_ALIAS_TAG);
}

/* Releasing locked user pages leaves them to the MDL, data and all; unlocking frees them. */
KTEST(alias, locked_user_pages_outlive_their_release_until_unlocked)
{
    PVOID Base = NULL;
    SIZE_T Size = 2 * PAGE_SIZE;
    PFN_NUMBER Available;
    PULONG Words;
    PMDL Mdl;

    KT_ASSERT_EQ(ZwAllocateVirtualMemory(NtCurrentProcess(), &Base, 0, &Size, MEM_RESERVE | MEM_COMMIT,
                                         PAGE_READWRITE), STATUS_SUCCESS);
    Words = Base;
    Words[0] = 0x11;
    Words[PAGE_SIZE / sizeof(ULONG)] = 0x22;
    Mdl = IoAllocateMdl(Base, 2 * PAGE_SIZE, FALSE, FALSE, NULL);
    KT_ASSERT(Mdl != NULL);
    MmProbeAndLockPages(Mdl, UserMode, IoWriteAccess);
    Words = MmMapLockedPagesSpecifyCache(Mdl, KernelMode, MmCached, NULL, FALSE, NormalPagePriority);
    KT_ASSERT(Words != NULL);
    Size = 0;
    KT_EXPECT_EQ(ZwFreeVirtualMemory(NtCurrentProcess(), &Base, &Size, MEM_RELEASE), STATUS_SUCCESS);
    KT_EXPECT(MiCheckPfnDatabase(TRUE));
    KT_EXPECT(MmCheckProcessAddressSpace(PsInitialSystemProcess, TRUE));
    KT_EXPECT_EQ(Words[0], 0x11);
    KT_EXPECT_EQ(Words[PAGE_SIZE / sizeof(ULONG)], 0x22);
    Available = MmAvailablePages;
    MmUnlockPages(Mdl);
    KT_EXPECT_EQ(MmAvailablePages, Available + 2);
    IoFreeMdl(Mdl);
    KT_EXPECT(MiCheckPfnDatabase(TRUE));
}

KTEST_BUGCHECK(alias, deleting_a_process_with_locked_pages_stops, PROCESS_HAS_LOCKED_PAGES)
{
    KT_TWO_PROCESSES Two;
    PMDL Mdl;

    MakeTwoProcesses(&Two);
    KT_BUGCHECK_PARAMETER(1, 0);
    KT_BUGCHECK_PARAMETER(2, (ULONG_PTR)Two.A);
    KT_BUGCHECK_PARAMETER(3, 1);
    KeStackAttachProcess(&Two.A->Pcb, &Two.ApcState);
    Mdl = IoAllocateMdl(PAGE_IN_A, PAGE_SIZE, FALSE, FALSE, NULL);
    MmProbeAndLockPages(Mdl, UserMode, IoReadAccess);
    KeUnstackDetachProcess(&Two.ApcState);
    EndProcess(Two.A);
}

KTEST_BUGCHECK(alias, unmapping_a_user_address_nobody_mapped_stops, DRIVER_UNMAPPING_INVALID_VIEW)
{
    PULONG Buffer = ExAllocatePoolWithTag(NonPagedPool, PAGE_SIZE, KT_ALIAS_TAG);
    PMDL Mdl = IoAllocateMdl(Buffer, PAGE_SIZE, FALSE, FALSE, NULL);

    KT_BUGCHECK_PARAMETER(1, 0x30000000);
    MmBuildMdlForNonPagedPool(Mdl);
    MmUnmapLockedPages((PVOID)0x30000000, Mdl);
}

/* The status MmMapLockedPagesSpecifyCache(UserMode) raised for a view at Requested; a view made is unmapped again. */
static NTSTATUS MapIntoUserSpaceAt(PMDL Mdl, PVOID Requested)
{
    volatile NTSTATUS Status = STATUS_SUCCESS;
    PVOID volatile View = NULL;

    _SEH2_TRY {
        View = MmMapLockedPagesSpecifyCache(Mdl, UserMode, MmCached, Requested, FALSE, NormalPagePriority);
    } _SEH2_EXCEPT(EXCEPTION_EXECUTE_HANDLER) {
        Status = _SEH2_GetExceptionCode();
    } _SEH2_END;
    if (NT_SUCCESS(Status)) {
        KT_EXPECT_EQ(View, Requested);
        MmUnmapLockedPages(View, Mdl);
    }
    return Status;
}

/* NT's checks on a requested user address: page-aligned, inside the VAD range, the whole view too, and free. */
KTEST(alias, a_user_view_only_goes_where_user_space_has_room)
{
    PVOID Buffer = ExAllocatePoolWithTag(NonPagedPool, 2 * PAGE_SIZE, KT_ALIAS_TAG);
    PVOID Reserved = (PVOID)0x30000000;
    SIZE_T Size = MM_ALLOCATION_GRANULARITY;
    PMDL Mdl;

    KT_ASSERT(Buffer != NULL && BYTE_OFFSET(Buffer) == 0);
    Mdl = IoAllocateMdl(Buffer, 2 * PAGE_SIZE, FALSE, FALSE, NULL);
    MmBuildMdlForNonPagedPool(Mdl);
    KT_EXPECT_EQ(MapIntoUserSpaceAt(Mdl, (PVOID)MM_SYSTEM_RANGE_START), STATUS_INVALID_ADDRESS);
    KT_EXPECT_EQ(MapIntoUserSpaceAt(Mdl, (PVOID)MM_USER_PROBE_ADDRESS), STATUS_INVALID_ADDRESS);
    KT_EXPECT_EQ(MapIntoUserSpaceAt(Mdl, (PVOID)MM_SHARED_USER_DATA_VA), STATUS_INVALID_ADDRESS);
    KT_EXPECT_EQ(MapIntoUserSpaceAt(Mdl, (PVOID)(MM_HIGHEST_VAD_ADDRESS + 1 - PAGE_SIZE)), STATUS_INVALID_ADDRESS);
    KT_EXPECT_EQ(MapIntoUserSpaceAt(Mdl, (PVOID)(ULONG_PTR)-PAGE_SIZE), STATUS_INVALID_ADDRESS);
    KT_EXPECT_EQ(MapIntoUserSpaceAt(Mdl, (PVOID)0x30000800), STATUS_INVALID_ADDRESS);
    KT_EXPECT_EQ(MapIntoUserSpaceAt(Mdl, (PVOID)PAGE_SIZE), STATUS_INVALID_ADDRESS);
    KT_EXPECT_EQ(MapIntoUserSpaceAt(Mdl, (PVOID)(MM_HIGHEST_VAD_ADDRESS + 1 - 2 * PAGE_SIZE)), STATUS_SUCCESS);
    KT_ASSERT_EQ(ZwAllocateVirtualMemory(NtCurrentProcess(), &Reserved, 0, &Size, MEM_RESERVE, PAGE_READWRITE),
                 STATUS_SUCCESS);
    KT_EXPECT_EQ(MapIntoUserSpaceAt(Mdl, (PUCHAR)Reserved + MM_ALLOCATION_GRANULARITY - PAGE_SIZE),
                 STATUS_CONFLICTING_ADDRESSES);
    Size = 0;
    KT_EXPECT_EQ(ZwFreeVirtualMemory(NtCurrentProcess(), &Reserved, &Size, MEM_RELEASE), STATUS_SUCCESS);
    KT_EXPECT(MmCheckProcessAddressSpace(PsInitialSystemProcess, TRUE));
    KT_EXPECT_EQ(Mdl->MdlFlags & MDL_MAPPED_TO_SYSTEM_VA, 0);   /* user views make no system mapping */
    IoFreeMdl(Mdl);
    ExFreePoolWithTag(Buffer, KT_ALIAS_TAG);
}

/* A view across a 4 MB boundary needs two page tables; unmapping it frees both. */
KTEST(alias, unmapping_a_user_view_frees_every_page_table_it_needed)
{
    PVOID Buffer = ExAllocatePoolWithTag(NonPagedPool, 2 * PAGE_SIZE, KT_ALIAS_TAG);
    PVOID Requested = (PVOID)(0x30400000 - PAGE_SIZE), View;
    ULONG Tables = PsInitialSystemProcess->NumberOfPageTables;
    PMDL Mdl;

    KT_ASSERT(Buffer != NULL);
    Mdl = IoAllocateMdl(Buffer, 2 * PAGE_SIZE, FALSE, FALSE, NULL);
    MmBuildMdlForNonPagedPool(Mdl);
    View = MmMapLockedPagesSpecifyCache(Mdl, UserMode, MmCached, Requested, FALSE, NormalPagePriority);
    KT_EXPECT_EQ(View, Requested);
    KT_EXPECT_EQ(PsInitialSystemProcess->NumberOfPageTables, Tables + 2);
    MmUnmapLockedPages(View, Mdl);
    KT_EXPECT_EQ(PsInitialSystemProcess->NumberOfPageTables, Tables);
    KT_EXPECT(MmCheckProcessAddressSpace(PsInitialSystemProcess, TRUE));
    IoFreeMdl(Mdl);
    ExFreePoolWithTag(Buffer, KT_ALIAS_TAG);
}
