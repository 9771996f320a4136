/*
 * procsup.c: a process's address space from birth to death.
 *
 * Creating one makes a page directory whose system half is the master's
 * (sysptab.c) with a hyperspace page table of its own, and the per-table
 * PTE counts of its user half; the shared user data page is then mapped
 * read-only at MM_SHARED_USER_DATA_VA under a VAD of its own, as in every
 * process. Exit (MmCleanProcessAddressSpace) deletes every VAD with its
 * pages and page tables, attached to the process so that its self-map is
 * the one in CR3; the directory goes with the process object
 * (MmDeleteProcessAddressSpace). The System process's address space is the
 * boot directory, made once.
 */
#include "mi.h"
#include <hal.h>
#include <ps.h>
#include <string.h>

/* KUSER_SHARED_DATA's numbers: Windows XP's version, and ms per tick in 2^-24 units. */
#define MI_NT_MAJOR_VERSION 5
#define MI_NT_MINOR_VERSION 1
#define MI_TICK_COUNT_MULTIPLIER ((KE_TIME_INCREMENT / 10000) << 24)
#define MI_VER_PLATFORM_WIN32_NT 2

static PFN_NUMBER MiSharedUserDataFrame;

/* The shared user data page, in system space for the kernel to write. */
VOID MiInitializeSharedUserData(VOID)
{
    PMMPTE PointerPte = MiAddressToPte(KI_USER_SHARED_DATA);
    KIRQL OldIrql;

    if (!NT_SUCCESS(MiEnsureSystemPageTable((PVOID)KI_USER_SHARED_DATA)))
        KeBugCheckEx(MEMORY_MANAGEMENT, MI_BUGCHECK_NO_PAGE_TABLE, KI_USER_SHARED_DATA, 0, 0);
    MiAcquirePfnLock(&OldIrql);
    MiSharedUserDataFrame = MiRemoveZeroPage();
    if (MiSharedUserDataFrame == MM_EMPTY_LIST)
        KeBugCheckEx(MEMORY_MANAGEMENT, MI_BUGCHECK_BOOT_ALLOCATION, 1, 0, 0);
    MiInitializePfn(MiSharedUserDataFrame, PointerPte, TRUE);
    MI_WRITE_VALID_PTE(PointerPte, MiMakeSystemPte(MiSharedUserDataFrame, MM_READWRITE));
    MiReleasePfnLock(OldIrql);
    SharedUserData->TickCountMultiplier = MI_TICK_COUNT_MULTIPLIER;
    SharedUserData->NtMajorVersion = MI_NT_MAJOR_VERSION;
    SharedUserData->NtMinorVersion = MI_NT_MINOR_VERSION;
    SharedUserData->NumberOfPhysicalPages = MmNumberOfPhysicalPages;
}

/*
 * Maps the shared user data page into the current process (Process):
 * read-only at MM_SHARED_USER_DATA_VA, under a VAD that reserves the whole
 * 64 KB below MI_USER_PROBE_ADDRESS and can be neither changed nor freed.
 * The page is the system's, not the process's (PhysicalMapping).
 */
static NTSTATUS MiMapSharedUserData(PEPROCESS Process)
{
    PVOID Base = (PVOID)MM_SHARED_USER_DATA_VA;
    PMMVAD Vad = MiAllocateVad(Base, (PUCHAR)Base + MM_ALLOCATION_GRANULARITY - 1, MM_READONLY);
    NTSTATUS Status;

    if (Vad == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    Vad->u.VadFlags.PrivateMemory = 1;
    Vad->u.VadFlags.PhysicalMapping = 1;
    Vad->u.VadFlags.NoChange = 1;
    MiInsertVad(Process, Vad);
    Status = MiMakeUserPageTable(Process, Base);
    if (!NT_SUCCESS(Status))
        return Status;
    MiWriteUserPte(Process, MiAddressToPte(Base), MiMakeUserPte(MiSharedUserDataFrame, MM_READONLY));
    Process->Vm.WorkingSetSize++;
    return STATUS_SUCCESS;
}

static NTSTATUS MiInitializeUserHalf(PEPROCESS Process)
{
    Process->UsedPageTableEntries = ExAllocatePoolWithTag(NonPagedPool, MI_USER_PAGE_TABLES * sizeof(USHORT),
                                                          MI_PAGE_TABLE_COUNT_TAG);
    if (Process->UsedPageTableEntries == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    memset(Process->UsedPageTableEntries, 0, MI_USER_PAGE_TABLES * sizeof(USHORT));
    RtlAvlInitializeTable(&Process->VadRoot);
    return STATUS_SUCCESS;
}

/*
 * A new process's address space. On failure what was made stays recorded
 * in the process, and MmCleanProcessAddressSpace and
 * MmDeleteProcessAddressSpace (which the process object's deletion calls)
 * undo it.
 */
NTSTATUS MmCreateProcessAddressSpace(PEPROCESS Process)
{
    PFN_NUMBER DirectoryFrame, HyperSpaceFrame;
    NTSTATUS Status;

    Status = MiInitializeUserHalf(Process);
    if (!NT_SUCCESS(Status))
        return Status;
    DirectoryFrame = MiCreateAddressSpace(&HyperSpaceFrame);
    if (DirectoryFrame == MM_EMPTY_LIST)
        return STATUS_INSUFFICIENT_RESOURCES;
    KeInitializeProcess(&Process->Pcb, (ULONG_PTR)PFN_TO_PHYSICAL(DirectoryFrame),
                        (ULONG_PTR)PFN_TO_PHYSICAL(HyperSpaceFrame));
    Process->AddressSpaceInitialized = 1;
    return STATUS_SUCCESS;
}

/* The System process runs on the boot directory; its user half starts empty, as any process's. */
VOID MmInitializeSystemProcessAddressSpace(PEPROCESS Process)
{
    PMMPTE HyperSpacePde = &MmSystemPagePtes[MiAddressToPdeOffset(HYPER_SPACE)];

    if (!NT_SUCCESS(MiInitializeUserHalf(Process)))
        KeBugCheckEx(MEMORY_MANAGEMENT, MI_BUGCHECK_BOOT_ALLOCATION, MI_USER_PAGE_TABLES, 0, 0);
    KeInitializeProcess(&Process->Pcb, KiReadCr3(), (ULONG_PTR)PFN_TO_PHYSICAL(PFN_FROM_PTE(HyperSpacePde)));
    Process->AddressSpaceInitialized = 1;
}

/* What every process's user space starts with, made from inside it: the shared user data page. */
NTSTATUS MmInitializeProcessAddressSpace(PEPROCESS Process)
{
    KAPC_STATE ApcState;
    NTSTATUS Status;

    KeStackAttachProcess(&Process->Pcb, &ApcState);
    MmLockAddressSpace(Process);
    Status = MiMapSharedUserData(Process);
    MmUnlockAddressSpace(Process);
    KeUnstackDetachProcess(&ApcState);
    return Status;
}

/*
 * One committed read-write page at the highest free page below
 * MM_HIGHEST_VAD_ADDRESS, in the current process (NT's MiCreatePebOrTeb):
 * the PEB first, each TEB below the one before.
 */
static NTSTATUS MiCreatePebOrTeb(PEPROCESS Process, PVOID *Base)
{
    NTSTATUS Status;
    PMMVAD Vad;

    MmLockAddressSpace(Process);
    Status = MiFindEmptyAddressRange(Process, PAGE_SIZE, PAGE_SIZE, (PVOID)MM_HIGHEST_VAD_ADDRESS, TRUE, Base);
    if (NT_SUCCESS(Status) && !MiChargeCommitment(&Process->CommitCharge, 1))
        Status = STATUS_COMMITMENT_LIMIT;
    if (NT_SUCCESS(Status)) {
        Vad = MiAllocateVad(*Base, (PUCHAR)*Base + PAGE_SIZE - 1, MM_READWRITE);
        if (Vad == NULL) {
            MiReturnCommitment(&Process->CommitCharge, 1);
            Status = STATUS_INSUFFICIENT_RESOURCES;
        } else {
            Vad->u.VadFlags.PrivateMemory = 1;
            Vad->u.VadFlags.MemCommit = 1;
            Vad->u.VadFlags.CommitCharge = 1;
            MiInsertVad(Process, Vad);
        }
    }
    MmUnlockAddressSpace(Process);
    return Status;
}

/*
 * The PEB page is committed, not resident: filling it takes a page, which
 * may have run out, so it is filled inside a try block and a failure is the
 * call's status (the page goes with the process).
 */
NTSTATUS MmCreatePeb(PEPROCESS Process, PPEB *Peb)
{
    volatile NTSTATUS Status = MmCreateTeb(Process, (PTEB *)Peb);
    KAPC_STATE ApcState;
    PPEB Block = *Peb;

    if (!NT_SUCCESS(Status))
        return Status;
    KeStackAttachProcess(&Process->Pcb, &ApcState);
    _SEH2_TRY {
        KiAllowUserAccess();
        Block->NumberOfProcessors = 1;
        Block->OSMajorVersion = MI_NT_MAJOR_VERSION;
        Block->OSMinorVersion = MI_NT_MINOR_VERSION;
        Block->OSBuildNumber = (USHORT)NtBuildNumber;
        Block->OSPlatformId = MI_VER_PLATFORM_WIN32_NT;
        KiForbidUserAccess();
    } _SEH2_EXCEPT(EXCEPTION_EXECUTE_HANDLER) {
        Status = _SEH2_GetExceptionCode();
    } _SEH2_END;
    KeUnstackDetachProcess(&ApcState);
    return Status;
}

/* The PEB and a TEB are the same kind of page; the first made is the PEB. */
NTSTATUS MmCreateTeb(PEPROCESS Process, PTEB *Teb)
{
    KAPC_STATE ApcState;
    NTSTATUS Status;

    KeStackAttachProcess(&Process->Pcb, &ApcState);
    Status = MiCreatePebOrTeb(Process, (PVOID *)Teb);
    KeUnstackDetachProcess(&ApcState);
    return Status;
}

VOID MmDeleteTeb(PEPROCESS Process, PTEB Teb)
{
    KAPC_STATE ApcState;
    PMMVAD Vad;

    KeStackAttachProcess(&Process->Pcb, &ApcState);
    MmLockAddressSpace(Process);
    Vad = MiLocateAddress(Process, Teb);
    if (Vad != NULL && MI_VAD_START(Vad) == (PVOID)Teb) {
        MiDeleteVad(Process, Vad);
        MiDeleteEmptyPageTables(Process, Teb, Teb);
    }
    MmUnlockAddressSpace(Process);
    KeUnstackDetachProcess(&ApcState);
}

/* Deletes every VAD of the process with its pages and user page tables (process exit). */
VOID MmCleanProcessAddressSpace(PEPROCESS Process)
{
    PRTL_AVL_RANGE_NODE Node;
    KAPC_STATE ApcState;

    if (!Process->AddressSpaceInitialized)
        return;
    KeStackAttachProcess(&Process->Pcb, &ApcState);
    MmLockAddressSpace(Process);
    while ((Node = RtlAvlFirstRange(&Process->VadRoot)) != NULL)
        MiDeleteVad(Process, CONTAINING_RECORD(Node, MMVAD, Node));
    MiDeleteEmptyPageTables(Process, (PVOID)0, (PVOID)(MI_SYSTEM_RANGE_START - 1));
    MmUnlockAddressSpace(Process);
    KeUnstackDetachProcess(&ApcState);
}

/* Frees what MmCreateProcessAddressSpace made; the user half must be empty (MmCleanProcessAddressSpace). */
VOID MmDeleteProcessAddressSpace(PEPROCESS Process)
{
    /* Locks on its pages would outlive the process that MmUnlockPages will charge them back to. */
    if (Process->NumberOfLockedPages != 0)
        KeBugCheckEx(PROCESS_HAS_LOCKED_PAGES, 0, (ULONG_PTR)Process, Process->NumberOfLockedPages, 0);
    if (Process->AddressSpaceInitialized) {
        ASSERT(Process->NumberOfPageTables == 0 && Process->VadRoot.NumberOfNodes == 0);
        MiDeleteAddressSpace(PHYSICAL_TO_PFN(Process->Pcb.DirectoryTableBase[0]));
        Process->AddressSpaceInitialized = 0;
    }
    if (Process->UsedPageTableEntries != NULL) {
        ExFreePoolWithTag(Process->UsedPageTableEntries, MI_PAGE_TABLE_COUNT_TAG);
        Process->UsedPageTableEntries = NULL;
    }
}
