/*
 * process.c: process and thread objects: the System process and the boot
 * thread, creating and ending processes, and the calls that name the
 * current ones.
 *
 * A process is an object of type Process; creating one makes its address
 * space and its handle table. Ending it (PsTerminateProcess, or
 * NtTerminateProcess from its own user-mode code) closes its handles and
 * frees its user address space at once; the page directory and the object
 * go when the last reference does. The System process comes first: it owns
 * the boot page directory and the kernel handle table, and the boot thread,
 * which runs all kernel code and the tests, is its thread.
 */
#include <ps.h>
#include <mm.h>
#include <string.h>

#define PS_PROCESS_TAG 'corP'     /* "Proc" */
#define PS_THREAD_TAG  'erhT'     /* "Thre" */
#define PS_SYSTEM_PROCESS_ID 4    /* NT's, too */
#define PS_ID_STEP 4              /* ids are spaced as handles are */

PEPROCESS PsInitialSystemProcess;
LIST_ENTRY PsActiveProcessHead;
ULONG PsActiveProcessCount;
POBJECT_TYPE PsProcessObjectType, PsThreadObjectType;
POBJECT_TYPE *PsProcessType = &PsProcessObjectType;
POBJECT_TYPE *PsThreadType = &PsThreadObjectType;

static ULONG_PTR PspNextId = PS_SYSTEM_PROCESS_ID + PS_ID_STEP;

/* Process and thread ids share one sequence, as NT's client-id table does. */
HANDLE PsAllocateId(VOID)
{
    HANDLE Id = (HANDLE)PspNextId;

    PspNextId += PS_ID_STEP;
    return Id;
}

/* The end of a process: its handles closed and its user address space freed. */
static VOID PspExitProcess(PEPROCESS Process, NTSTATUS ExitStatus)
{
    Process->ExitStatus = ExitStatus;
    Process->ProcessExiting = 1;
    ObKillProcess(Process);
    MmCleanProcessAddressSpace(Process);
}

static VOID NTAPI PspDeleteProcess(PVOID Object)
{
    PEPROCESS Process = Object;

    if (!Process->ProcessExiting)
        PspExitProcess(Process, STATUS_SUCCESS);
    if (Process->ActiveProcessLinks.Flink != NULL) {
        RemoveEntryList(&Process->ActiveProcessLinks);
        PsActiveProcessCount--;
    }
    MmDeleteProcessAddressSpace(Process);
}

static VOID NTAPI PspDeleteThread(PVOID Object)
{
    PETHREAD Thread = Object;

    if (Thread->Tcb.ThreadListEntry.Flink != NULL)
        RemoveEntryList(&Thread->Tcb.ThreadListEntry);
}

/* An empty process object with an id, a name and a handle table, linked into the active list. */
static NTSTATUS PspAllocateProcess(PCSTR ImageFileName, HANDLE ProcessId, PEPROCESS *NewProcess)
{
    PEPROCESS Process;
    NTSTATUS Status;

    Status = ObCreateObject(KernelMode, PsProcessObjectType, NULL, KernelMode, NULL, sizeof(EPROCESS), 0, 0,
                            (PVOID *)&Process);
    if (!NT_SUCCESS(Status))
        return Status;
    Process->UniqueProcessId = ProcessId;
    strlcpy(Process->ImageFileName, ImageFileName, sizeof(Process->ImageFileName));
    for (ULONG i = 0; i < PsQuotaTypes; i++)
        Process->QuotaLimit[i] = (SIZE_T)-1;
    InsertTailList(&PsActiveProcessHead, &Process->ActiveProcessLinks);
    PsActiveProcessCount++;
    Process->ObjectTable = ObCreateHandleTable();
    if (Process->ObjectTable == NULL) {
        ObDereferenceObject(Process);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    *NewProcess = Process;
    return STATUS_SUCCESS;
}

NTSTATUS PsCreateProcess(PCSTR ImageFileName, ULONG Flags, PEPROCESS *NewProcess)
{
    PEPROCESS Process;
    NTSTATUS Status;

    Status = PspAllocateProcess(ImageFileName, PsAllocateId(), &Process);
    if (!NT_SUCCESS(Status))
        return Status;
    Process->VmTopDown = (Flags & PS_CREATE_TOP_DOWN) != 0;
    Status = MmCreateProcessAddressSpace(Process);
    if (NT_SUCCESS(Status))
        Status = MmInitializeProcessAddressSpace(Process);
    if (NT_SUCCESS(Status))
        Status = MmCreatePeb(Process, &Process->Peb);
    if (!NT_SUCCESS(Status)) {
        ObDereferenceObject(Process);
        return Status;
    }
    *NewProcess = Process;
    return STATUS_SUCCESS;
}

NTSTATUS PsTerminateProcess(PEPROCESS Process, NTSTATUS ExitStatus)
{
    if (Process == PsInitialSystemProcess)
        return STATUS_ACCESS_DENIED;
    if (Process->ProcessExiting)
        return STATUS_PROCESS_IS_TERMINATING;
    PspExitProcess(Process, ExitStatus);
    return STATUS_SUCCESS;
}

NTSTATUS PsLookupProcessByProcessId(HANDLE ProcessId, PEPROCESS *Process)
{
    for (PLIST_ENTRY Entry = PsActiveProcessHead.Flink; Entry != &PsActiveProcessHead; Entry = Entry->Flink) {
        PEPROCESS Candidate = CONTAINING_RECORD(Entry, EPROCESS, ActiveProcessLinks);

        if (Candidate->UniqueProcessId == ProcessId) {
            ObReferenceObject(Candidate);
            *Process = Candidate;
            return STATUS_SUCCESS;
        }
    }
    return STATUS_INVALID_PARAMETER;
}

PEPROCESS NTAPI IoGetCurrentProcess(VOID)
{
    return PsGetCurrentProcessEx();
}

PETHREAD NTAPI PsGetCurrentThread(VOID)
{
    return (PETHREAD)KeGetCurrentThread();
}

HANDLE NTAPI PsGetProcessId(PEPROCESS Process)
{
    return Process->UniqueProcessId;
}

HANDLE NTAPI PsGetCurrentProcessId(VOID)
{
    return PsGetCurrentProcessEx()->UniqueProcessId;
}

static NTSTATUS PspCreateObjectTypes(VOID)
{
    OBJECT_TYPE_INITIALIZER Initializer = { 0 };
    NTSTATUS Status;

    Initializer.PoolType = NonPagedPool;
    Initializer.PoolTag = PS_PROCESS_TAG;
    Initializer.ValidAccessMask = PROCESS_ALL_ACCESS;
    Initializer.GenericMapping.GenericRead = STANDARD_RIGHTS_READ | PROCESS_VM_READ | PROCESS_QUERY_INFORMATION;
    Initializer.GenericMapping.GenericWrite = STANDARD_RIGHTS_WRITE | PROCESS_CREATE_THREAD | PROCESS_VM_OPERATION |
                                              PROCESS_VM_WRITE | PROCESS_DUP_HANDLE | PROCESS_TERMINATE |
                                              PROCESS_CREATE_PROCESS | PROCESS_SET_QUOTA | PROCESS_SET_INFORMATION;
    Initializer.GenericMapping.GenericExecute = STANDARD_RIGHTS_EXECUTE | SYNCHRONIZE;
    Initializer.GenericMapping.GenericAll = PROCESS_ALL_ACCESS;
    Initializer.DeleteProcedure = PspDeleteProcess;
    Status = ObCreateObjectType("Process", &Initializer, &PsProcessObjectType);
    if (!NT_SUCCESS(Status))
        return Status;
    Initializer.PoolTag = PS_THREAD_TAG;
    Initializer.ValidAccessMask = STANDARD_RIGHTS_REQUIRED | SYNCHRONIZE | 0x3FF;
    Initializer.GenericMapping.GenericRead = STANDARD_RIGHTS_READ;
    Initializer.GenericMapping.GenericWrite = STANDARD_RIGHTS_WRITE;
    Initializer.GenericMapping.GenericAll = Initializer.ValidAccessMask;
    Initializer.DeleteProcedure = PspDeleteThread;
    return ObCreateObjectType("Thread", &Initializer, &PsThreadObjectType);
}

/*
 * The System process and the boot thread, made from what boot left: the
 * boot page directory and the boot stack. From here on every piece of
 * kernel code runs in a thread of a process.
 */
VOID PsInitSystem(VOID)
{
    PEPROCESS Process;
    PETHREAD Thread;

    InitializeListHead(&PsActiveProcessHead);
    if (!NT_SUCCESS(PspCreateObjectTypes()) ||
        !NT_SUCCESS(PspAllocateProcess("System", (HANDLE)PS_SYSTEM_PROCESS_ID, &Process)) ||
        !NT_SUCCESS(ObCreateObject(KernelMode, PsThreadObjectType, NULL, KernelMode, NULL, sizeof(ETHREAD), 0, 0,
                                   (PVOID *)&Thread)))
        KeBugCheckEx(PROCESS1_INITIALIZATION_FAILED, 0, 0, 0, 0);
    PsInitialSystemProcess = Process;
    ObpKernelHandleTable = Process->ObjectTable;
    MmInitializeSystemProcessAddressSpace(Process);
    KeInitializeThread(&Thread->Tcb, &Process->Pcb, KiBootStackTop, KiBootStackLimit);
    Thread->Cid.UniqueProcess = Process->UniqueProcessId;
    Thread->Cid.UniqueThread = PsAllocateId();
    KiPcr.CurrentThread = &Thread->Tcb;
    if (!NT_SUCCESS(MmInitializeProcessAddressSpace(Process)))
        KeBugCheckEx(PROCESS1_INITIALIZATION_FAILED, 1, 0, 0, 0);
}
