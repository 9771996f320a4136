/*
 * process_test.c: processes, their address spaces and handles: creating
 * and deleting one gives every page and pool byte back; two processes keep
 * different data at one address; attaching switches CR3 and nests as NT
 * allows; handles check type and access; copies between processes stop at
 * the first page that cannot be read.
 */
#define NTMM_WHITEBOX_TEST
#include "ktest.h"
#include "vftest.h"
#include <mm.h>
#include <ps.h>
#include <ex.h>
#include "mmtest.h"
#include "userprog.h"
#include <string.h>

#define SHARED_BASE ((PVOID)0x20000000)

static PEPROCESS CreateProcess(PCSTR Name)
{
    PEPROCESS Process = NULL;

    KT_ASSERT_EQ(PsCreateProcess(Name, 0, &Process), STATUS_SUCCESS);
    return Process;
}

static VOID DeleteProcess(PEPROCESS Process)
{
    PsTerminateProcess(Process, STATUS_SUCCESS);
    ObDereferenceObject(Process);
}

static HANDLE OpenProcess(PEPROCESS Process, ACCESS_MASK Access, ULONG Attributes)
{
    HANDLE Handle = NULL;

    KT_ASSERT_EQ(ObOpenObjectByPointer(Process, Attributes, NULL, Access, PsProcessObjectType, KernelMode, &Handle),
                 STATUS_SUCCESS);
    return Handle;
}

/* Reserves and commits Size bytes at Base in Process, through a handle as a driver would. */
static NTSTATUS AllocateIn(PEPROCESS Process, PVOID Base, SIZE_T Size)
{
    HANDLE Handle = OpenProcess(Process, PROCESS_ALL_ACCESS, 0);
    NTSTATUS Status = ZwAllocateVirtualMemory(Handle, &Base, 0, &Size, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);

    ZwClose(Handle);
    return Status;
}

KTEST(process, create_and_delete_gives_every_page_back)
{
    PFN_NUMBER Available = MmAvailablePages;
    SIZE_T Committed = MmTotalCommittedPages;
    ULONG Processes = PsActiveProcessCount;
    PEPROCESS Process = CreateProcess("pages");
    KAPC_STATE ApcState;

    SIZE_T Charge = Process->CommitCharge;            /* the PEB's page */
    ULONG Private = Process->NumberOfPrivatePages;

    KT_EXPECT_EQ(PsActiveProcessCount, Processes + 1);
    KT_EXPECT(Process->Pcb.DirectoryTableBase[0] != KiReadCr3());
    KT_ASSERT_EQ(AllocateIn(Process, SHARED_BASE, 64 * PAGE_SIZE), STATUS_SUCCESS);
    KT_EXPECT_EQ(Process->CommitCharge, Charge + 64);
    KeStackAttachProcess(&Process->Pcb, &ApcState);
    for (ULONG i = 0; i < 64; i++)
        ((PUCHAR)SHARED_BASE)[i * PAGE_SIZE] = (UCHAR)i;
    KeUnstackDetachProcess(&ApcState);
    KT_EXPECT_EQ(Process->NumberOfPrivatePages, Private + 64);
    KT_EXPECT(MmAvailablePages < Available - 64);

    KT_EXPECT_EQ(PsTerminateProcess(Process, STATUS_SUCCESS), STATUS_SUCCESS);
    KT_EXPECT_EQ(PsTerminateProcess(Process, STATUS_SUCCESS), STATUS_PROCESS_IS_TERMINATING);
    KT_EXPECT_EQ(Process->NumberOfPageTables, 0);
    KT_EXPECT_EQ(MmTotalCommittedPages, Committed);
    ObDereferenceObject(Process);
    KT_EXPECT_EQ(PsActiveProcessCount, Processes);
    KT_EXPECT_EQ(MmAvailablePages, Available);       /* user pages, page tables, directory, hyperspace */
}

KTEST(process, two_processes_keep_different_data_at_one_address)
{
    PEPROCESS A = CreateProcess("A"), B = CreateProcess("B");
    KAPC_STATE ApcState;

    KT_ASSERT_EQ(AllocateIn(A, SHARED_BASE, PAGE_SIZE), STATUS_SUCCESS);
    KT_ASSERT_EQ(AllocateIn(B, SHARED_BASE, PAGE_SIZE), STATUS_SUCCESS);
    KeStackAttachProcess(&A->Pcb, &ApcState);
    *(PULONG)SHARED_BASE = 'AAAA';
    KeUnstackDetachProcess(&ApcState);
    KeStackAttachProcess(&B->Pcb, &ApcState);
    KT_EXPECT_EQ(*(PULONG)SHARED_BASE, 0);          /* B's own page, still zero */
    *(PULONG)SHARED_BASE = 'BBBB';
    KeUnstackDetachProcess(&ApcState);
    KeStackAttachProcess(&A->Pcb, &ApcState);
    KT_EXPECT_EQ(*(PULONG)SHARED_BASE, 'AAAA');
    KeUnstackDetachProcess(&ApcState);
    KT_EXPECT_EQ(KtProbeRead(SHARED_BASE), STATUS_ACCESS_VIOLATION);  /* nothing there in the System process */
    DeleteProcess(A);
    DeleteProcess(B);
}

KTEST(process, stack_attach_nests_and_returns_to_each_address_space)
{
    PEPROCESS A = CreateProcess("A"), B = CreateProcess("B");
    PKTHREAD Thread = KeGetCurrentThread();
    KAPC_STATE First, Second, Self;
    ULONG_PTR Home = KiReadCr3();

    KeStackAttachProcess(&A->Pcb, &First);
    KT_EXPECT_EQ(KiReadCr3(), A->Pcb.DirectoryTableBase[0]);
    KT_EXPECT_EQ(PsGetCurrentProcess(), A);
    KT_EXPECT_EQ(Thread->ApcStateIndex, 1);
    KeStackAttachProcess(&B->Pcb, &Second);
    KT_EXPECT_EQ(KiReadCr3(), B->Pcb.DirectoryTableBase[0]);
    KeStackAttachProcess(&B->Pcb, &Self);                      /* already there: nothing changes */
    KT_EXPECT_EQ(KiReadCr3(), B->Pcb.DirectoryTableBase[0]);
    KeUnstackDetachProcess(&Self);
    KT_EXPECT_EQ(KiReadCr3(), B->Pcb.DirectoryTableBase[0]);
    KeUnstackDetachProcess(&Second);
    KT_EXPECT_EQ(KiReadCr3(), A->Pcb.DirectoryTableBase[0]);
    KT_EXPECT_EQ(PsGetCurrentProcess(), A);
    KeUnstackDetachProcess(&First);
    KT_EXPECT_EQ(KiReadCr3(), Home);
    KT_EXPECT_EQ(PsGetCurrentProcess(), PsInitialSystemProcess);
    KT_EXPECT_EQ(Thread->ApcStateIndex, 0);

    KeAttachProcess(&A->Pcb);
    KT_EXPECT_EQ(KiReadCr3(), A->Pcb.DirectoryTableBase[0]);
    KeStackAttachProcess(&B->Pcb, &Second);                    /* a stack attach on top of a plain one */
    KT_EXPECT_EQ(KiReadCr3(), B->Pcb.DirectoryTableBase[0]);
    KeUnstackDetachProcess(&Second);
    KT_EXPECT_EQ(KiReadCr3(), A->Pcb.DirectoryTableBase[0]);
    KeDetachProcess();
    KT_EXPECT_EQ(KiReadCr3(), Home);
    DeleteProcess(A);
    DeleteProcess(B);
}

KTEST_BUGCHECK(process, attaching_twice_with_ke_attach_process_stops, INVALID_PROCESS_ATTACH_ATTEMPT)
{
    PEPROCESS A = CreateProcess("A"), B = CreateProcess("B");

    KT_BUGCHECK_PARAMETER(1, (ULONG_PTR)B);
    KT_BUGCHECK_PARAMETER(2, (ULONG_PTR)A);
    KeAttachProcess(&A->Pcb);
    KeAttachProcess(&B->Pcb);
}

KTEST_BUGCHECK(process, attaching_at_dispatch_level_stops, INVALID_PROCESS_ATTACH_ATTEMPT)
{
    PEPROCESS A = CreateProcess("A");
    KAPC_STATE ApcState;
    KIRQL OldIrql;

    KT_BUGCHECK_PARAMETER(4, DISPATCH_LEVEL);
    KeRaiseIrql(DISPATCH_LEVEL, &OldIrql);
    KeStackAttachProcess(&A->Pcb, &ApcState);
}

KTEST(process, handles_check_type_and_access)
{
    PEPROCESS Process = CreateProcess("handles"), Referenced;
    HANDLE Handle = OpenProcess(Process, PROCESS_QUERY_INFORMATION, 0), Kernel;
    OBJECT_HANDLE_INFORMATION Information;
    LONG References = OBJECT_TO_OBJECT_HEADER(Process)->PointerCount;

    KT_EXPECT_EQ((ULONG_PTR)Handle % 4, 0);
    KT_EXPECT_EQ(OBJECT_TO_OBJECT_HEADER(Process)->HandleCount, 1);
    KT_ASSERT_EQ(ObReferenceObjectByHandle(Handle, PROCESS_QUERY_INFORMATION, *PsProcessType, UserMode,
                                           (PVOID *)&Referenced, &Information), STATUS_SUCCESS);
    KT_EXPECT_EQ(Referenced, Process);
    KT_EXPECT_EQ(Information.GrantedAccess, PROCESS_QUERY_INFORMATION);
    KT_EXPECT_EQ(OBJECT_TO_OBJECT_HEADER(Process)->PointerCount, References + 1);
    ObDereferenceObject(Referenced);
    KT_EXPECT_EQ(ObReferenceObjectByHandle(Handle, PROCESS_VM_WRITE, *PsProcessType, UserMode,
                                           (PVOID *)&Referenced, NULL), STATUS_ACCESS_DENIED);
    /* Kernel mode is trusted, as in NT. */
    KT_ASSERT_EQ(ObReferenceObjectByHandle(Handle, PROCESS_VM_WRITE, *PsProcessType, KernelMode,
                                           (PVOID *)&Referenced, NULL), STATUS_SUCCESS);
    ObDereferenceObject(Referenced);
    KT_EXPECT_EQ(ObReferenceObjectByHandle(Handle, 0, *PsThreadType, KernelMode, (PVOID *)&Referenced, NULL),
                 STATUS_OBJECT_TYPE_MISMATCH);
    KT_EXPECT_EQ(ObReferenceObjectByHandle((HANDLE)0x7FFC, 0, NULL, KernelMode, (PVOID *)&Referenced, NULL),
                 STATUS_INVALID_HANDLE);

    Kernel = OpenProcess(Process, PROCESS_ALL_ACCESS, OBJ_KERNEL_HANDLE);
    KT_EXPECT(((ULONG_PTR)Kernel & KERNEL_HANDLE_MASK) != 0);
    KT_EXPECT_EQ(ObReferenceObjectByHandle(Kernel, 0, *PsProcessType, UserMode, (PVOID *)&Referenced, NULL),
                 STATUS_INVALID_HANDLE);
    KT_EXPECT_EQ(ZwClose(Kernel), STATUS_SUCCESS);

    KT_EXPECT_EQ(ZwClose(Handle), STATUS_SUCCESS);
    KT_EXPECT_EQ(ZwClose(Handle), STATUS_INVALID_HANDLE);
    KT_EXPECT_EQ(OBJECT_TO_OBJECT_HEADER(Process)->HandleCount, 0);
    KT_EXPECT_EQ(OBJECT_TO_OBJECT_HEADER(Process)->PointerCount, References - 1);
    DeleteProcess(Process);
}

/* NT ignores a handle's two low bits (OBJ_HANDLE_TAGBITS): they are the caller's to use. */
KTEST(process, a_handle_with_tag_bits_names_the_same_object)
{
    PEPROCESS Process = CreateProcess("tagged"), Referenced;
    HANDLE Handle = OpenProcess(Process, PROCESS_ALL_ACCESS, 0);
    HANDLE Kernel = OpenProcess(Process, PROCESS_ALL_ACCESS, OBJ_KERNEL_HANDLE);

    for (ULONG_PTR Tag = 1; Tag <= OBJ_HANDLE_TAGBITS; Tag++) {
        KT_EXPECT_EQ(ObReferenceObjectByHandle((HANDLE)((ULONG_PTR)Handle | Tag), PROCESS_VM_READ, *PsProcessType,
                                               UserMode, (PVOID *)&Referenced, NULL), STATUS_SUCCESS);
        KT_EXPECT_EQ(Referenced, Process);
        if (Referenced != NULL)
            ObDereferenceObject(Referenced);
        KT_EXPECT_EQ(ObReferenceObjectByHandle((HANDLE)((ULONG_PTR)Kernel | Tag), 0, *PsProcessType, KernelMode,
                                               (PVOID *)&Referenced, NULL), STATUS_SUCCESS);
        if (Referenced != NULL)
            ObDereferenceObject(Referenced);
    }
    KT_EXPECT_EQ(ObReferenceObjectByHandle((HANDLE)OBJ_HANDLE_TAGBITS, 0, NULL, KernelMode, (PVOID *)&Referenced,
                                           NULL), STATUS_INVALID_HANDLE);
    KT_EXPECT_EQ(ZwClose((HANDLE)((ULONG_PTR)Handle | OBJ_HANDLE_TAGBITS)), STATUS_SUCCESS);
    KT_EXPECT_EQ(ZwClose(Handle), STATUS_INVALID_HANDLE);
    KT_EXPECT_EQ(ZwClose((HANDLE)((ULONG_PTR)Kernel | 1)), STATUS_SUCCESS);
    DeleteProcess(Process);
}

KTEST(process, the_current_process_pseudo_handle_follows_attach)
{
    PEPROCESS Process = CreateProcess("pseudo"), Referenced;
    KAPC_STATE ApcState;

    KT_ASSERT_EQ(ObReferenceObjectByHandle(NtCurrentProcess(), 0, *PsProcessType, KernelMode, (PVOID *)&Referenced,
                                           NULL), STATUS_SUCCESS);
    KT_EXPECT_EQ(Referenced, PsInitialSystemProcess);
    ObDereferenceObject(Referenced);
    KeStackAttachProcess(&Process->Pcb, &ApcState);
    KT_ASSERT_EQ(ObReferenceObjectByHandle(NtCurrentProcess(), 0, *PsProcessType, KernelMode, (PVOID *)&Referenced,
                                           NULL), STATUS_SUCCESS);
    KT_EXPECT_EQ(Referenced, Process);
    ObDereferenceObject(Referenced);
    KeUnstackDetachProcess(&ApcState);
    KT_EXPECT_EQ(ObReferenceObjectByHandle(NtCurrentProcess(), 0, *PsThreadType, KernelMode,
                                           (PVOID *)&Referenced, NULL), STATUS_OBJECT_TYPE_MISMATCH);
    DeleteProcess(Process);
}

KTEST(process, a_terminated_process_closes_its_handles)
{
    PEPROCESS Holder = CreateProcess("holder"), Held = CreateProcess("held");
    LONG References = OBJECT_TO_OBJECT_HEADER(Held)->PointerCount;
    KAPC_STATE ApcState;
    HANDLE Handle;

    /* A handle in Holder's own table, made while attached to it. */
    KeStackAttachProcess(&Holder->Pcb, &ApcState);
    Handle = OpenProcess(Held, PROCESS_ALL_ACCESS, 0);
    KeUnstackDetachProcess(&ApcState);
    KT_EXPECT(Handle != NULL);
    KT_EXPECT_EQ(ObGetProcessHandleCount(Holder), 1);
    KT_EXPECT_EQ(OBJECT_TO_OBJECT_HEADER(Held)->PointerCount, References + 1);
    DeleteProcess(Holder);
    KT_EXPECT_EQ(OBJECT_TO_OBJECT_HEADER(Held)->PointerCount, References);
    DeleteProcess(Held);
}

/* Past the first 16 slots the table doubles (32, 64, 128, 256); closed slots are used again, lowest first. */
KTEST(process, a_handle_table_grows_and_reuses_its_slots)
{
    PEPROCESS Process = CreateProcess("handles");
    LONG References = OBJECT_TO_OBJECT_HEADER(Process)->PointerCount;
    HANDLE Handles[200];
    KAPC_STATE ApcState;

    KeStackAttachProcess(&Process->Pcb, &ApcState);
    for (ULONG i = 0; i < RTL_NUMBER_OF(Handles); i++) {
        Handles[i] = OpenProcess(Process, PROCESS_ALL_ACCESS, 0);
        KT_EXPECT_EQ((ULONG_PTR)Handles[i], (i + 1) * 4);
    }
    KT_EXPECT_EQ(ObGetProcessHandleCount(Process), RTL_NUMBER_OF(Handles));
    for (ULONG i = 0; i < RTL_NUMBER_OF(Handles); i += 2)
        KT_EXPECT_EQ(ZwClose(Handles[i]), STATUS_SUCCESS);
    KT_EXPECT_EQ(ZwClose(Handles[0]), STATUS_INVALID_HANDLE);
    for (ULONG i = 0; i < RTL_NUMBER_OF(Handles); i += 2)
        KT_EXPECT_EQ(OpenProcess(Process, PROCESS_ALL_ACCESS, 0), Handles[i]);
    KeUnstackDetachProcess(&ApcState);
    KT_EXPECT_EQ(OBJECT_TO_OBJECT_HEADER(Process)->PointerCount, References + (LONG)RTL_NUMBER_OF(Handles));
    /* Its handles to itself are closed when it ends, which gives the references back. */
    KT_EXPECT_EQ(PsTerminateProcess(Process, STATUS_SUCCESS), STATUS_SUCCESS);
    KT_EXPECT_EQ(OBJECT_TO_OBJECT_HEADER(Process)->PointerCount, References);
    ObDereferenceObject(Process);
}

KTEST(process, lookup_by_id_finds_live_processes)
{
    PEPROCESS Process = CreateProcess("lookup"), Found = NULL;

    KT_EXPECT_EQ(PsGetProcessId(PsInitialSystemProcess), (HANDLE)4);
    KT_ASSERT_EQ(PsLookupProcessByProcessId(PsGetProcessId(Process), &Found), STATUS_SUCCESS);
    KT_EXPECT_EQ(Found, Process);
    ObDereferenceObject(Found);
    KT_EXPECT_EQ(PsLookupProcessByProcessId((HANDLE)0x7FFFFFF0, &Found), STATUS_INVALID_PARAMETER);
    DeleteProcess(Process);
}

KTEST_BUGCHECK(process, a_reference_dropped_twice_stops, REFERENCE_BY_POINTER)
{
    KT_SKIP_UNDER_VERIFIER(DRIVER_VERIFIER_SPECIAL_POOLING, "the freed object is unmapped: 0xD5 first");
    PEPROCESS Process = CreateProcess("twice");

    KT_BUGCHECK_PARAMETER(2, (ULONG_PTR)Process);
    ObDereferenceObject(Process);        /* the last reference: the process is deleted */
    ObDereferenceObject(Process);
}

KTEST(process, read_and_write_virtual_memory_cross_processes)
{
    PEPROCESS Process = CreateProcess("copy");
    HANDLE Handle = OpenProcess(Process, PROCESS_VM_READ | PROCESS_VM_WRITE, 0);
    UCHAR Out[PAGE_SIZE + 16], In[PAGE_SIZE + 16];
    PUCHAR Remote = (PUCHAR)SHARED_BASE + PAGE_SIZE - 8;
    SIZE_T Copied = 0;

    for (ULONG i = 0; i < sizeof(Out); i++)
        Out[i] = (UCHAR)(i * 7);
    KT_ASSERT_EQ(AllocateIn(Process, SHARED_BASE, 2 * PAGE_SIZE), STATUS_SUCCESS);
    /* Straddles the two committed pages. */
    KT_EXPECT_EQ(ZwWriteVirtualMemory(Handle, Remote, Out, 100, &Copied), STATUS_SUCCESS);
    KT_EXPECT_EQ(Copied, 100);
    KT_EXPECT_EQ(ZwReadVirtualMemory(Handle, Remote, In, 100, &Copied), STATUS_SUCCESS);
    KT_EXPECT(memcmp(In, Out, 100) == 0);
    /* The third page is not there: the copy ends exactly at the end of the second. */
    KT_EXPECT_EQ(ZwReadVirtualMemory(Handle, (PUCHAR)SHARED_BASE + PAGE_SIZE, In, PAGE_SIZE + 16, &Copied),
                 STATUS_PARTIAL_COPY);
    KT_EXPECT_EQ(Copied, PAGE_SIZE);
    KT_EXPECT_EQ(ZwReadVirtualMemory(Handle, (PVOID)0x00030000, In, 4, &Copied), STATUS_PARTIAL_COPY);
    KT_EXPECT_EQ(Copied, 0);
    KT_EXPECT_EQ(ZwReadVirtualMemory((HANDLE)0x1238, Remote, In, 4, &Copied), STATUS_INVALID_HANDLE);
    ZwClose(Handle);
    DeleteProcess(Process);
}

/* A copy stops at the first page either side cannot take: here a read-only page of the destination. */
KTEST(process, a_copy_stops_where_the_destination_turns_read_only)
{
    PEPROCESS Process = CreateProcess("copyto");
    HANDLE Handle = OpenProcess(Process, PROCESS_ALL_ACCESS, OBJ_KERNEL_HANDLE);
    PUCHAR Out = ExAllocatePoolWithTag(NonPagedPool, 2 * PAGE_SIZE, 'tuOK'), Remote = SHARED_BASE;
    PVOID Address = Remote + PAGE_SIZE;
    SIZE_T Size = PAGE_SIZE, Copied = 0;
    KAPC_STATE ApcState;
    ULONG Old;

    KT_ASSERT(Out != NULL);
    KT_ASSERT_EQ(AllocateIn(Process, SHARED_BASE, 3 * PAGE_SIZE), STATUS_SUCCESS);
    KT_ASSERT_EQ(ZwProtectVirtualMemory(Handle, &Address, &Size, PAGE_READONLY, &Old), STATUS_SUCCESS);
    memset(Out, 0x5A, 2 * PAGE_SIZE);
    KT_EXPECT_EQ(ZwWriteVirtualMemory(Handle, Remote + 100, Out, 2 * PAGE_SIZE, &Copied), STATUS_PARTIAL_COPY);
    KT_EXPECT_EQ(Copied, PAGE_SIZE - 100);
    KeStackAttachProcess(&Process->Pcb, &ApcState);
    KT_EXPECT_EQ(Remote[PAGE_SIZE - 1], 0x5A);
    KT_EXPECT_EQ(Remote[PAGE_SIZE], 0);
    KeUnstackDetachProcess(&ApcState);
    /* The source side: the last bytes below system space in the System process are not there. */
    KT_EXPECT_EQ(ZwWriteVirtualMemory(Handle, Remote + 2 * PAGE_SIZE, (PVOID)(MM_SYSTEM_RANGE_START - 8), 16, &Copied),
                 STATUS_PARTIAL_COPY);
    KT_EXPECT_EQ(Copied, 0);
    ExFreePoolWithTag(Out, 'tuOK');
    ZwClose(Handle);
    DeleteProcess(Process);
}

/* A new process's space as NtQueryVirtualMemory sees it: free up to the PEB, the PEB, and the reserved top. */
KTEST(process, query_sees_the_peb_and_the_top_of_user_space)
{
    PEPROCESS Process = CreateProcess("query");
    MEMORY_BASIC_INFORMATION Mbi;
    KAPC_STATE ApcState;

    KeStackAttachProcess(&Process->Pcb, &ApcState);
    KT_EXPECT_EQ(ZwQueryVirtualMemory(NtCurrentProcess(), (PUCHAR)Process->Peb + PAGE_SIZE - 1, MemoryBasicInformation,
                                      &Mbi, sizeof(Mbi), NULL), STATUS_SUCCESS);
    KT_EXPECT_EQ(Mbi.BaseAddress, (PVOID)Process->Peb);
    KT_EXPECT_EQ(Mbi.AllocationBase, (PVOID)Process->Peb);
    KT_EXPECT_EQ(Mbi.RegionSize, PAGE_SIZE);
    KT_EXPECT_EQ(Mbi.State, MEM_COMMIT);
    KT_EXPECT_EQ(Mbi.Protect, PAGE_READWRITE);
    KT_EXPECT_EQ(ZwQueryVirtualMemory(NtCurrentProcess(), (PVOID)MM_HIGHEST_USER_ADDRESS, MemoryBasicInformation,
                                      &Mbi, sizeof(Mbi), NULL), STATUS_SUCCESS);
    KT_EXPECT_EQ(Mbi.State, MEM_RESERVE);
    KT_EXPECT_EQ((ULONG_PTR)Mbi.BaseAddress + Mbi.RegionSize, MM_USER_PROBE_ADDRESS);
    KT_EXPECT_EQ(ZwQueryVirtualMemory(NtCurrentProcess(), NULL, MemoryBasicInformation, &Mbi, sizeof(Mbi), NULL),
                 STATUS_SUCCESS);
    KT_EXPECT_EQ(Mbi.State, MEM_FREE);
    KT_EXPECT_EQ(Mbi.RegionSize, (SIZE_T)Process->Peb);
    KeUnstackDetachProcess(&ApcState);
    DeleteProcess(Process);
}

/* A process that has exited keeps its object, not its address space: the VM services say so, as NT's do. */
KTEST(process, the_address_space_of_an_exited_process_is_terminating)
{
    PEPROCESS Process = CreateProcess("exited");
    HANDLE Handle = OpenProcess(Process, PROCESS_ALL_ACCESS, OBJ_KERNEL_HANDLE);
    MEMORY_BASIC_INFORMATION Information;
    PVOID Base = SHARED_BASE;
    SIZE_T Size = PAGE_SIZE, Copied = 1;
    ULONG Word = 0;

    KT_ASSERT_EQ(AllocateIn(Process, SHARED_BASE, PAGE_SIZE), STATUS_SUCCESS);
    KT_EXPECT_EQ(PsTerminateProcess(Process, STATUS_SUCCESS), STATUS_SUCCESS);
    KT_EXPECT_EQ(ZwQueryVirtualMemory(Handle, SHARED_BASE, MemoryBasicInformation, &Information, sizeof(Information),
                                      NULL), STATUS_PROCESS_IS_TERMINATING);
    KT_EXPECT_EQ(ZwReadVirtualMemory(Handle, SHARED_BASE, &Word, sizeof(Word), &Copied),
                 STATUS_PROCESS_IS_TERMINATING);
    KT_EXPECT_EQ(Copied, 0);
    KT_EXPECT_EQ(ZwWriteVirtualMemory(Handle, SHARED_BASE, &Word, sizeof(Word), &Copied),
                 STATUS_PROCESS_IS_TERMINATING);
    KT_EXPECT_EQ(ZwAllocateVirtualMemory(Handle, &Base, 0, &Size, MEM_RESERVE, PAGE_READWRITE),
                 STATUS_PROCESS_IS_TERMINATING);
    ZwClose(Handle);
    ObDereferenceObject(Process);
}

/* Physical pages a test holds so that none, or a chosen few, stay available. */
typedef struct {
    PPFN_NUMBER Pages;
    ULONG Count;
} KT_HELD_PAGES;

static VOID HoldEveryPage(KT_HELD_PAGES *Held)
{
    PFN_NUMBER Page;

    while ((Page = MmAllocatePhysicalPage(FALSE)) != MM_EMPTY_LIST)
        Held->Pages[Held->Count++] = Page;
}

static VOID GiveHeldPagesBack(KT_HELD_PAGES *Held, ULONG Count)
{
    while (Count-- != 0 && Held->Count != 0)
        MmFreePhysicalPage(Held->Pages[--Held->Count]);
}

#define KT_STARVED_STEPS 24

/*
 * The PEB, a TEB and the first words of a stack are written into pages not
 * yet resident: with 0..23 pages left, creating a process or a thread fails
 * with a status, and a thread that starts but cannot fault its pages in
 * ends its process with STATUS_NO_MEMORY. Nothing stops the system. (The
 * pages are taken once and handed out a few at a time, so that the case
 * costs the same on a machine of any size.)
 */
KTEST(process, creating_processes_and_threads_with_no_pages_left_fails_cleanly)
{
    KT_HELD_PAGES Held;
    PEPROCESS Loaded[KT_STARVED_STEPS];
    PVOID Entry = NULL;

    /* Set-up: the processes that run with no pages left. Starving them is the subject. */
    KtVerifierSuspendLowResources();
    Held.Pages = ExAllocatePoolWithTag(NonPagedPool, MmAvailablePages * sizeof(PFN_NUMBER), 'dleH');
    Held.Count = 0;
    KT_ASSERT(Held.Pages != NULL);
    for (ULONG i = 0; i < KT_STARVED_STEPS; i++) {
        Loaded[i] = CreateProcess("starved");
        KT_ASSERT_EQ(KtLoadUserProgram(Loaded[i], "hello", &Entry), STATUS_SUCCESS);
    }
    KtVerifierResumeLowResources();
    HoldEveryPage(&Held);
    for (ULONG Left = 0; Left < KT_STARVED_STEPS; Left++) {
        NTSTATUS Status, ExitStatus = 0;
        PEPROCESS Process;

        GiveHeldPagesBack(&Held, Left);
        Status = PsCreateProcess("starved", 0, &Process);
        if (NT_SUCCESS(Status))
            DeleteProcess(Process);
        HoldEveryPage(&Held);
        GiveHeldPagesBack(&Held, Left);
        Status = PsRunUserThread(Loaded[Left], Entry, (PVOID)1, &ExitStatus);
        KT_EXPECT(!NT_SUCCESS(Status) || ExitStatus == 2 || ExitStatus == STATUS_NO_MEMORY);
        HoldEveryPage(&Held);
    }
    GiveHeldPagesBack(&Held, Held.Count);
    for (ULONG i = 0; i < KT_STARVED_STEPS; i++)
        DeleteProcess(Loaded[i]);
    ExFreePoolWithTag(Held.Pages, 'dleH');
}

KTEST(process, every_process_sees_the_shared_user_data_page_read_only)
{
    PEPROCESS Process = CreateProcess("shared");
    volatile KUSER_SHARED_DATA *User = (volatile KUSER_SHARED_DATA *)MM_SHARED_USER_DATA_VA;
    ULONG Ticks = SharedUserData->TickCount.LowPart;
    LARGE_INTEGER Now;
    KAPC_STATE ApcState;

    KT_EXPECT_EQ(SharedUserData->NtMajorVersion, 5);
    KeStackAttachProcess(&Process->Pcb, &ApcState);
    KT_EXPECT_EQ(User->NtMajorVersion, SharedUserData->NtMajorVersion);
    KT_EXPECT_EQ(User->NumberOfPhysicalPages, MmNumberOfPhysicalPages);
    KT_EXPECT_EQ(MmGetPhysicalAddress((PVOID)User).QuadPart, MmGetPhysicalAddress(SharedUserData).QuadPart);
    KT_EXPECT_EQ(KtProbeWrite((PVOID)User), STATUS_ACCESS_VIOLATION);
    while (User->TickCount.LowPart == Ticks)
        ;                                                /* the clock keeps it current */
    KT_EXPECT_EQ(User->InterruptTime.LowPart, (ULONG)((ULONGLONG)User->TickCount.LowPart * KeQueryTimeIncrement()));
    KeQuerySystemTime(&Now);
    KT_EXPECT(User->SystemTime.High1Time == Now.HighPart && User->SystemTime.LowPart <= Now.LowPart);
    KeUnstackDetachProcess(&ApcState);
    DeleteProcess(Process);
}

KTEST(process, a_top_down_process_allocates_from_the_top)
{
    PEPROCESS Process;
    HANDLE Handle;
    PVOID Base = NULL;
    SIZE_T Size = PAGE_SIZE;

    KT_ASSERT_EQ(PsCreateProcess("topdown", PS_CREATE_TOP_DOWN, &Process), STATUS_SUCCESS);
    Handle = OpenProcess(Process, PROCESS_ALL_ACCESS, 0);
    KT_EXPECT_EQ(ZwAllocateVirtualMemory(Handle, &Base, 0, &Size, MEM_RESERVE, PAGE_READWRITE), STATUS_SUCCESS);
    KT_EXPECT_EQ(Base, (PVOID)(MM_SHARED_USER_DATA_VA - MM_ALLOCATION_GRANULARITY));
    ZwClose(Handle);
    DeleteProcess(Process);
}

/*
 * NT ends a process with its last thread, whatever way the thread ended,
 * and with that thread's status: its handles are closed (so one it holds
 * to itself no longer keeps it alive) and it runs no other thread.
 */
KTEST(process, a_process_ends_with_its_last_thread)
{
    PEPROCESS Process = CreateProcess("hello");
    LONG References = OBJECT_TO_OBJECT_HEADER(Process)->PointerCount;
    NTSTATUS ExitStatus = STATUS_PENDING;
    KAPC_STATE ApcState;
    PVOID Entry;

    KeStackAttachProcess(&Process->Pcb, &ApcState);
    OpenProcess(Process, PROCESS_ALL_ACCESS, 0);
    KeUnstackDetachProcess(&ApcState);
    KT_EXPECT_EQ(OBJECT_TO_OBJECT_HEADER(Process)->PointerCount, References + 1);
    KT_ASSERT_EQ(KtLoadUserProgram(Process, "hello", &Entry), STATUS_SUCCESS);
    KT_ASSERT_EQ(PsRunUserThread(Process, Entry, NULL, &ExitStatus), STATUS_SUCCESS);
    KT_EXPECT(Process->ProcessExiting);
    KT_EXPECT_EQ(Process->ExitStatus, ExitStatus);
    KT_EXPECT_EQ(ObGetProcessHandleCount(Process), 0);
    KT_EXPECT_EQ(OBJECT_TO_OBJECT_HEADER(Process)->PointerCount, References);
    KT_EXPECT_EQ(PsRunUserThread(Process, Entry, NULL, &ExitStatus), STATUS_PROCESS_IS_TERMINATING);
    ObDereferenceObject(Process);
}
