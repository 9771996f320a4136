/*
 * vadcheck.c: MmCheckProcessAddressSpace, the walker that proves a
 * process's address space consistent: the VAD tree is a valid AVL tree of
 * disjoint ranges inside user space; VirtualSize is the sum of the VADs and
 * CommitCharge the sum of their charges, each VAD's charge being exactly
 * the pages committed in it (in a view, its copy-on-write pages and private
 * copies); every user page table's UsedPageTableEntries
 * count is the number of its PTEs that are not zero, no page table exists
 * without one, and NumberOfPageTables counts them; every valid private PTE
 * maps a page in use whose PFN points back at that PTE, and every valid PTE
 * of a view maps its prototype PTE's page or a private copy. Share counts
 * across processes are MmCheckSections' (sectcheck.c). It runs attached
 * to the process, so the self-map shows its tables. The test runner calls it
 * for every process after every suite.
 */
#include "mi.h"

static ULONG MiVadCheckErrors;

static VOID MiVadCheckFailed(BOOLEAN Verbose, PEPROCESS Process, PCSTR What, ULONG_PTR Where, ULONG_PTR Value)
{
    if (Verbose && MiVadCheckErrors < 10)
        DbgPrint("    # address space check, process %s (%p): %s (at %X, value %X)\n", Process->ImageFileName,
                 Process, What, Where, Value);
    MiVadCheckErrors++;
}

/* Checks the PTEs of one VAD; returns its committed pages. */
static SIZE_T MiCheckVadPages(PEPROCESS Process, PMMVAD Vad, BOOLEAN Verbose)
{
    SIZE_T Committed = 0;

    for (ULONG_PTR Va = (ULONG_PTR)MI_VAD_START(Vad); Va < (ULONG_PTR)MI_VAD_END(Vad); Va += PAGE_SIZE) {
        PMMPTE PointerPte = MiAddressToPte(Va);
        BOOLEAN PageCommitted;

        if (!MiIsPageTablePresent((PVOID)Va)) {
            ULONG_PTR TableEnd = Va | (PDE_MAPPED_SIZE - 1);
            ULONG_PTR Last = TableEnd < (ULONG_PTR)MI_VAD_END(Vad) ? TableEnd : (ULONG_PTR)MI_VAD_END(Vad);

            if (Vad->u.VadFlags.MemCommit)
                Committed += (Last - Va + 1) >> PAGE_SHIFT;
            Va = Last & ~(ULONG_PTR)(PAGE_SIZE - 1);
            continue;
        }
        MiQueryPageProtection(Vad, (PVOID)Va, &PageCommitted);
        Committed += PageCommitted;
        if (PointerPte->u.Hard.Valid && !Vad->u.VadFlags.PhysicalMapping) {
            PFN_NUMBER PageFrameIndex = PFN_FROM_PTE(PointerPte);
            PMMPFN Pfn1 = MI_PFN_ELEMENT(PageFrameIndex);

            if (!MiIsPhysicalPage(PageFrameIndex) || Pfn1->u3.e2.e1.PageLocation != ActiveAndValid ||
                Pfn1->PteAddress != PointerPte)
                MiVadCheckFailed(Verbose, Process, "a valid PTE maps a page that does not point back", Va,
                                 PointerPte->u.Long);
        }
    }
    return Committed;
}

/*
 * Checks the PTEs of a view: each lies in its segment; a valid one maps
 * either the shared page of its prototype PTE or a private copy that points
 * back at it; nothing else is written in a view. Returns the commitment the
 * view must hold: a page for each copy-on-write page, and one for each
 * private copy of a page that was not copy-on-write (a relocated image page).
 */
static SIZE_T MiCheckViewPages(PEPROCESS Process, PMMVAD Vad, BOOLEAN Verbose)
{
    PSEGMENT Segment = Vad->ControlArea->Segment;
    SIZE_T Charge = 0;

    if (Vad->FirstPrototypePte < Segment->ThePtes ||
        Vad->LastContiguousPte >= Segment->ThePtes + Segment->TotalNumberOfPtes ||
        (ULONG_PTR)(Vad->LastContiguousPte - Vad->FirstPrototypePte) + 1 != MI_VAD_PAGES(Vad)) {
        MiVadCheckFailed(Verbose, Process, "a view's prototype PTEs are not its segment's",
                         (ULONG_PTR)MI_VAD_START(Vad), (ULONG_PTR)Vad->FirstPrototypePte);
        return Vad->u.VadFlags.CommitCharge;
    }
    for (ULONG_PTR Va = (ULONG_PTR)MI_VAD_START(Vad); Va < (ULONG_PTR)MI_VAD_END(Vad); Va += PAGE_SIZE) {
        PMMPTE ProtoPte = MiGetProtoPteAddress(Vad, (PVOID)Va), PointerPte = MiAddressToPte(Va);
        BOOLEAN CopyOnWrite = MI_IS_COPY_ON_WRITE(MiViewPageProtection(Vad, ProtoPte));
        MMPTE Pte;
        PMMPFN Pfn1;

        Pte.u.Long = MiIsPageTablePresent((PVOID)Va) ? PointerPte->u.Long : 0;
        Charge += CopyOnWrite;
        if (Pte.u.Long == 0)
            continue;
        if (!Pte.u.Hard.Valid || !MiIsPhysicalPage(PFN_FROM_PTE(&Pte))) {
            MiVadCheckFailed(Verbose, Process, "a view's PTE is neither zero nor a valid PTE for RAM", Va, Pte.u.Long);
            continue;
        }
        Pfn1 = MI_PFN_ELEMENT(PFN_FROM_PTE(&Pte));
        if (Pfn1->u3.e2.e1.PrototypePte) {
            if (Pfn1->PteAddress != ProtoPte || !ProtoPte->u.Hard.Valid || PFN_FROM_PTE(ProtoPte) != PFN_FROM_PTE(&Pte))
                MiVadCheckFailed(Verbose, Process, "a view's PTE maps another page than its prototype PTE", Va,
                                 Pte.u.Long);
        } else {
            Charge += !CopyOnWrite;
            if (Pfn1->u3.e2.e1.PageLocation != ActiveAndValid || Pfn1->PteAddress != PointerPte)
                MiVadCheckFailed(Verbose, Process, "a private copy in a view does not point back at its PTE", Va,
                                 Pte.u.Long);
        }
    }
    return Charge;
}

/* Counts the PTEs that are not zero in each user page table, against the process's counts. */
static VOID MiCheckPageTables(PEPROCESS Process, BOOLEAN Verbose)
{
    ULONG Tables = 0;

    for (ULONG Table = 0; Table < MI_USER_PAGE_TABLES; Table++) {
        PMMPTE PointerPde = (PMMPTE)PDE_BASE + Table;
        ULONG InUse = 0;

        if (!PointerPde->u.Hard.Valid) {
            if (Process->UsedPageTableEntries[Table] != 0)
                MiVadCheckFailed(Verbose, Process, "PTEs counted in a page table that does not exist",
                                 Table << PDE_SHIFT, Process->UsedPageTableEntries[Table]);
            continue;
        }
        Tables++;
        for (ULONG i = 0; i < PTE_PER_PAGE; i++)
            InUse += MiPdeToPte(PointerPde)[i].u.Long != 0;
        if (InUse != Process->UsedPageTableEntries[Table])
            MiVadCheckFailed(Verbose, Process, "a page table's count of PTEs in use is wrong", Table << PDE_SHIFT,
                             Process->UsedPageTableEntries[Table]);
        if (InUse == 0)
            MiVadCheckFailed(Verbose, Process, "an empty page table was not freed", Table << PDE_SHIFT, 0);
    }
    if (Tables != Process->NumberOfPageTables)
        MiVadCheckFailed(Verbose, Process, "NumberOfPageTables differs from the page tables present", Tables,
                         Process->NumberOfPageTables);
}

BOOLEAN MmCheckProcessAddressSpace(PEPROCESS Process, BOOLEAN Verbose)
{
    SIZE_T VirtualSize = 0, CommitCharge = 0;
    PRTL_AVL_RANGE_NODE BadNode;
    KAPC_STATE ApcState;
    PCSTR Problem;

    MiVadCheckErrors = 0;
    if (!Process->AddressSpaceInitialized || Process->UsedPageTableEntries == NULL)
        return TRUE;
    if (!RtlAvlValidateTable(&Process->VadRoot, &Problem, &BadNode)) {
        MiVadCheckFailed(Verbose, Process, Problem, BadNode != NULL ? BadNode->StartingVpn << PAGE_SHIFT : 0, 0);
        return FALSE;
    }
    KeStackAttachProcess(&Process->Pcb, &ApcState);
    MmLockAddressSpace(Process);
    for (PRTL_AVL_RANGE_NODE Node = RtlAvlFirstRange(&Process->VadRoot); Node != NULL;
         Node = RtlAvlNextRange(Node)) {
        PMMVAD Vad = CONTAINING_RECORD(Node, MMVAD, Node);
        SIZE_T Committed;

        if ((ULONG_PTR)MI_VAD_END(Vad) > MI_HIGHEST_USER_ADDRESS || (ULONG_PTR)MI_VAD_START(Vad) < MI_LOWEST_USER_ADDRESS)
            MiVadCheckFailed(Verbose, Process, "a VAD lies outside user space", (ULONG_PTR)MI_VAD_START(Vad),
                             Node->EndingVpn);
        VirtualSize += MI_VAD_PAGES(Vad) << PAGE_SHIFT;
        CommitCharge += Vad->u.VadFlags.CommitCharge;
        Committed = MI_IS_VIEW(Vad) ? MiCheckViewPages(Process, Vad, Verbose) : MiCheckVadPages(Process, Vad, Verbose);
        if (!Vad->u.VadFlags.PhysicalMapping && Committed != Vad->u.VadFlags.CommitCharge)
            MiVadCheckFailed(Verbose, Process, "a VAD's commit charge differs from its committed pages",
                             (ULONG_PTR)MI_VAD_START(Vad), Vad->u.VadFlags.CommitCharge);
    }
    MiCheckPageTables(Process, Verbose);
    if (VirtualSize != Process->VirtualSize)
        MiVadCheckFailed(Verbose, Process, "VirtualSize differs from the VADs' sizes", VirtualSize,
                         Process->VirtualSize);
    if (CommitCharge != Process->CommitCharge)
        MiVadCheckFailed(Verbose, Process, "CommitCharge differs from the VADs' charges", CommitCharge,
                         Process->CommitCharge);
    MmUnlockAddressSpace(Process);
    KeUnstackDetachProcess(&ApcState);
    return MiVadCheckErrors == 0;
}
