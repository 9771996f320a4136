/*
 * proccmd.c: the kd commands about processes and address spaces: !process
 * (the active process list), !vad (a process's VAD tree, as WinDbg lists
 * it) and !address (what an address is: a region of user space with its
 * state, protection and VAD, or a region of system space with its PTE).
 *
 * User addresses belong to a process: a user address of another process is
 * looked at attached to it (KeStackAttachProcess), which cannot be done
 * after a stop; the VAD tree is read without attaching (VADs live in
 * nonpaged pool).
 */
#include "kdp.h"
#include <kprintf.h>
#include <string.h>

PEPROCESS KdpFindProcess(PCSTR Argument)
{
    ULONG Value;

    if (!KdpParseNumber(Argument, &Value))
        return NULL;
    for (PLIST_ENTRY Entry = PsActiveProcessHead.Flink; Entry != &PsActiveProcessHead; Entry = Entry->Flink) {
        PEPROCESS Process = CONTAINING_RECORD(Entry, EPROCESS, ActiveProcessLinks);

        if ((ULONG_PTR)Process->UniqueProcessId == Value || (ULONG_PTR)Process == Value)
            return Process;
    }
    DbgPrint("No process has id or address %x (!process lists them)\n", Value);
    return NULL;
}

static VOID KdpShowProcess(PEPROCESS Process, BOOLEAN Detail)
{
    DbgPrint("PROCESS %08x  Cid: %04x    Peb: %08x  ParentCid: 0000\n", (ULONG_PTR)Process,
             (ULONG_PTR)Process->UniqueProcessId, (ULONG_PTR)Process->Peb);
    DbgPrint("    DirBase: %08x  ObjectTable: %08x  HandleCount: %4u.\n", Process->Pcb.DirectoryTableBase[0],
             (ULONG_PTR)Process->ObjectTable, Process->ObjectTable != NULL ? Process->ObjectTable->HandleCount : 0);
    DbgPrint("    Image: %s%s\n", Process->ImageFileName, Process->ProcessExiting ? " (exiting)" : "");
    if (!Detail)
        return;
    DbgPrint("    VadRoot %08x Vads %u  VirtualSize %u Kb (peak %u Kb)\n", (ULONG_PTR)Process->VadRoot.Root,
             Process->VadRoot.NumberOfNodes, Process->VirtualSize / 1024, Process->PeakVirtualSize / 1024);
    DbgPrint("    CommitCharge %u pages  PrivatePages %u  PageTables %u  LockedPages %u\n", Process->CommitCharge,
             Process->NumberOfPrivatePages, Process->NumberOfPageTables, Process->NumberOfLockedPages);
    DbgPrint("    WorkingSetSize %u pages (peak %u)  PageFaultCount %u\n", Process->Vm.WorkingSetSize,
             Process->Vm.PeakWorkingSetSize, Process->Vm.PageFaultCount);
}

/* "!process": every process in brief; "!process P": one (by id or EPROCESS address) in full. */
static VOID KdpCommandProcess(ULONG Argc, PCSTR Argv[])
{
    if (Argc == 1) {
        PEPROCESS Process = KdpFindProcess(Argv[0]);

        if (Process != NULL)
            KdpShowProcess(Process, TRUE);
        return;
    }
    DbgPrint("**** NT ACTIVE PROCESS DUMP ****\n");
    for (PLIST_ENTRY Entry = PsActiveProcessHead.Flink; Entry != &PsActiveProcessHead; Entry = Entry->Flink) {
        KdpShowProcess(CONTAINING_RECORD(Entry, EPROCESS, ActiveProcessLinks), FALSE);
        DbgPrint("\n");
    }
}

/* --- !vad --------------------------------------------------------------------------------- */

static PCSTR KdpVadType(PMMVAD Vad)
{
    if (Vad->u.VadFlags.PhysicalMapping)
        return "Physical";
    if (Vad->u.VadFlags.ImageMap)
        return "Image";
    return Vad->u.VadFlags.PrivateMemory ? "Private" : "Mapped";
}

static ULONG KdpVadLevel(PMMVAD Vad)
{
    ULONG Level = 0;

    for (PRTL_AVL_NODE Node = Vad->Node.Links.Parent; Node != NULL && Level < 64; Node = Node->Parent)
        Level++;
    return Level;
}

static VOID KdpCommandVad(ULONG Argc, PCSTR Argv[])
{
    PEPROCESS Process = Argc == 1 ? KdpFindProcess(Argv[0]) : PsGetCurrentProcessEx();
    ULONG Count = 0, Levels = 0, Deepest = 0;

    if (Process == NULL)
        return;
    DbgPrint("VAD      Level     Start       End Commit\n");
    for (PRTL_AVL_RANGE_NODE Node = RtlAvlFirstRange(&Process->VadRoot); Node != NULL && Count < MAXUSHORT;
         Node = RtlAvlNextRange(Node)) {
        PMMVAD Vad = CONTAINING_RECORD(Node, MMVAD, Node);
        ULONG Level = KdpVadLevel(Vad);

        DbgPrint("%08x %5u %9x %9x %6u %-9s %s%s%s\n", (ULONG_PTR)Vad, Level, Node->StartingVpn, Node->EndingVpn,
                 Vad->u.VadFlags.CommitCharge, KdpVadType(Vad), KdpProtectionName(Vad->u.VadFlags.Protection),
                 Vad->u.VadFlags.MemCommit ? " MemCommit" : "", Vad->u.VadFlags.NoChange ? " NoChange" : "");
        Count++;
        Levels += Level;
        Deepest = Level > Deepest ? Level : Deepest;
    }
    DbgPrint("\nTotal VADs: %u, average level: %u, maximum depth: %u (process %04x, %s)\n", Count,
             Count != 0 ? Levels / Count : 0, Deepest, (ULONG_PTR)Process->UniqueProcessId, Process->ImageFileName);
}

/* --- !address ------------------------------------------------------------------------------ */

static VOID KdpShowFlagWord(PCSTR Label, ULONG Value, PCSTR Name)
{
    DbgPrint("%-24s%08x          %s\n", Label, Value, Name);
}

static PCSTR KdpPageProtectName(ULONG Protect)
{
    static const struct { ULONG Value; PCSTR Name; } Names[] = {
        { PAGE_NOACCESS, "PAGE_NOACCESS" }, { PAGE_READONLY, "PAGE_READONLY" }, { PAGE_READWRITE, "PAGE_READWRITE" },
        { PAGE_WRITECOPY, "PAGE_WRITECOPY" }, { PAGE_EXECUTE, "PAGE_EXECUTE" }, { PAGE_EXECUTE_READ, "PAGE_EXECUTE_READ" },
        { PAGE_EXECUTE_READWRITE, "PAGE_EXECUTE_READWRITE" }, { PAGE_EXECUTE_WRITECOPY, "PAGE_EXECUTE_WRITECOPY" },
    };

    for (ULONG i = 0; i < RTL_NUMBER_OF(Names); i++) {
        if ((Protect & ~(PAGE_GUARD | PAGE_NOCACHE | PAGE_WRITECOMBINE)) == Names[i].Value)
            return (Protect & PAGE_GUARD) ? "(guard page)" : Names[i].Name;
    }
    return Protect == 0 ? "" : "?";
}

static VOID KdpShowUserAddress(PEPROCESS Process, ULONG_PTR Address)
{
    MEMORY_BASIC_INFORMATION Information;
    KAPC_STATE ApcState;
    NTSTATUS Status;
    PMMVAD Vad = NULL;

    if (KeGetCurrentIrql() > APC_LEVEL) {
        DbgPrint("User addresses are looked at attached to their process, which cannot be done at IRQL %u\n",
                 KeGetCurrentIrql());
        return;
    }
    {
    PRTL_AVL_RANGE_NODE Node = RtlAvlFindRange(&Process->VadRoot, Address >> PAGE_SHIFT);

    if (Node != NULL)
        Vad = CONTAINING_RECORD(Node, MMVAD, Node);
    }
    KeStackAttachProcess(&Process->Pcb, &ApcState);
    Status = ZwQueryVirtualMemory(NtCurrentProcess(), (PVOID)Address, MemoryBasicInformation, &Information,
                                  sizeof(Information), NULL);
    KeUnstackDetachProcess(&ApcState);
    if (!NT_SUCCESS(Status)) {
        DbgPrint("%08x: NtQueryVirtualMemory says %08x (outside user space)\n", Address, Status);
        return;
    }
    DbgPrint("Usage:                  %s\n", Vad == NULL ? "Free" : Vad->u.VadFlags.PhysicalMapping ? "VAD (Physical)"
                                                                : Vad->u.VadFlags.PrivateMemory  ? "VAD (Private)"
                                                                                                 : "VAD (Mapped)");
    DbgPrint("Process:                %08x (%04x, %s)\n", (ULONG_PTR)Process, (ULONG_PTR)Process->UniqueProcessId,
             Process->ImageFileName);
    DbgPrint("Base Address:           %08x\n", (ULONG_PTR)Information.BaseAddress);
    DbgPrint("End Address:            %08x\n", (ULONG_PTR)Information.BaseAddress + Information.RegionSize);
    DbgPrint("Region Size:            %08x\n", Information.RegionSize);
    KdpShowFlagWord("State:", Information.State,
                    Information.State == MEM_COMMIT ? "MEM_COMMIT" : Information.State == MEM_RESERVE ? "MEM_RESERVE"
                                                                                                      : "MEM_FREE");
    KdpShowFlagWord("Protect:", Information.Protect, KdpPageProtectName(Information.Protect));
    if (Information.State == MEM_FREE)
        return;
    KdpShowFlagWord("Type:", Information.Type, Information.Type == MEM_PRIVATE ? "MEM_PRIVATE" : "MEM_MAPPED");
    DbgPrint("Allocation Base:        %08x\n", (ULONG_PTR)Information.AllocationBase);
    KdpShowFlagWord("Allocation Protect:", Information.AllocationProtect,
                    KdpPageProtectName(Information.AllocationProtect));
    if (Vad != NULL)
        DbgPrint("VAD:                    %08x (start %x, end %x, commit %u)\n", (ULONG_PTR)Vad, Vad->Node.StartingVpn,
                 Vad->Node.EndingVpn, Vad->u.VadFlags.CommitCharge);
}

static VOID KdpShowSystemAddress(ULONG_PTR Address)
{
    PMMPTE PointerPde = MiAddressToPde(Address);
    MI_POOL_PAGE_TYPE PoolType;
    KD_REGION Region;
    MMPTE Pde = { { 0 } }, Pte = { { 0 } };

    KdpFindRegion(Address, &Region);
    DbgPrint("Usage:                  %s\n", Region.Name);
    DbgPrint("Region:                 %08x-%08x (%u KB)\n", Region.Start, Region.End, (Region.End - Region.Start) / 1024 + 1);
    MmIsAddressValid((PVOID)Address);
    KdpReadMemory((ULONG_PTR)PointerPde, &Pde, sizeof(Pde));
    if (Pde.u.Hard.Valid && Pde.u.Hard.LargePage) {
        DbgPrint("State:                  MEM_COMMIT (a 4 MB page, pfn %x)\n",
                 Pde.u.Hard.PageFrameNumber + (ULONG)MiAddressToPteOffset(Address));
    } else if (!Pde.u.Hard.Valid) {
        DbgPrint("State:                  MEM_FREE (no page table)\n");
    } else {
        KdpReadMemory((ULONG_PTR)MiAddressToPte(Address), &Pte, sizeof(Pte));
        if (Pte.u.Hard.Valid)
            DbgPrint("State:                  MEM_COMMIT (resident, pfn %x)\n", Pte.u.Hard.PageFrameNumber);
        else if (Pte.u.Long != 0)
            DbgPrint("State:                  MEM_COMMIT (not resident: PTE %08x)\n", Pte.u.Long);
        else
            DbgPrint("State:                  MEM_FREE (zero PTE)\n");
    }
    if (MiIsPoolRange((PVOID)Address, &PoolType))
        DbgPrint("Pool page:              %s (!pool %x lists its blocks)\n",
                 MiIsPoolAddress((PVOID)Address, NULL) ? "allocated" : "free", Address);
    if (MiIsSystemPteAddress((PVOID)Address))
        DbgPrint("System PTE:             %s\n",
                 MiAreSystemPtesReserved(MiAddressToPte(Address), 1) ? "reserved" : "free");
}

/* "!address VA [process]": user addresses in the current process unless another is named. */
static VOID KdpCommandAddress(ULONG Argc, PCSTR Argv[])
{
    PEPROCESS Process = PsGetCurrentProcessEx();
    ULONG Address;

    if (!KdpParseNumber(Argv[0], &Address))
        return;
    if (Argc == 2 && (Process = KdpFindProcess(Argv[1])) == NULL)
        return;
    if (Address < MI_SYSTEM_RANGE_START && Address >= MI_LOWEST_USER_ADDRESS && Address <= MI_HIGHEST_USER_ADDRESS)
        KdpShowUserAddress(Process, Address);
    else
        KdpShowSystemAddress(Address);
}

const KD_COMMAND KdpProcessCommands[] = {
    { "!process", "[process]", "every process, or one (id or EPROCESS address) in full", KdpCommandProcess, 0, 1 },
    { "!vad", "[process]", "a process's VADs (the current one's by default)", KdpCommandVad, 0, 1 },
    { "!address", "VA [process]", "what VA is: its region, state, protection and VAD", KdpCommandAddress, 1, 2 },
    KD_LAST_COMMAND,
};
