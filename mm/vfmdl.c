/*
 * vfmdl.c: locked-page tracking, the part of the verifier's pool tracking
 * that follows MDLs (NT's MmTrackLockedPages, on with pool tracking).
 * Every MmProbeAndLockPages records the MDL, its pages and the caller that
 * locked them, and MmUnlockPages forgets it; the test runner lists the
 * MDLs a suite locked and left locked, with their callers, and fails the
 * suite. The records are an AVL tree keyed by the MDL's address, kept at
 * DISPATCH_LEVEL.
 *
 * Unlocking an MDL that is still mapped into a process's user space
 * (MmMapLockedPagesSpecifyCache(UserMode); the view's VAD names the MDL)
 * would free pages ring 3 can still reach. Under pool tracking it stops
 * with DRIVER_VERIFIER_DETECTED_VIOLATION: Microsoft's table gives no
 * subcode for exactly this, and ntmm uses 0xB8, its code for an MDL whose
 * pages are still mapped when it is let go (the MDL, its flags, and the
 * user address still mapping it).
 */
#include "mi.h"
#include <vf.h>

#define VF_MDL_FIRST_RECORDS 64
#define VF_MDL_STILL_MAPPED 0xB8

typedef struct _VF_LOCKED_MDL {
    RTL_AVL_RANGE_NODE Node;      /* the MDL's address, alone */
    PVOID CallersAddress;
    PEPROCESS Process;            /* whose user pages, or NULL */
    ULONG Pages;
    ULONG Generation;
} VF_LOCKED_MDL, *PVF_LOCKED_MDL;

static VF_RECORD_TABLE VfLockedMdls = VF_RECORD_TABLE_INITIALIZER(VF_LOCKED_MDL, VF_MDL_FIRST_RECORDS);

/* MmProbeAndLockPages locked Pages pages into Mdl for CallersAddress. */
VOID VfTrackLockedPages(PMDL Mdl, ULONG Pages, PVOID CallersAddress)
{
    KIRQL OldIrql = VfLockTables();
    PVF_LOCKED_MDL Record = VfInsertRecord(&VfLockedMdls, (ULONG_PTR)Mdl, (ULONG_PTR)Mdl);

    if (Record != NULL) {
        Record->CallersAddress = CallersAddress;
        Record->Process = Mdl->Process;
        Record->Pages = Pages;
        Record->Generation = VfGeneration;
    }
    VfUnlockTables(OldIrql);
}

VOID VfUntrackLockedPages(PMDL Mdl)
{
    VF_LOCKED_MDL Record;

    VfRemoveRecord(&VfLockedMdls, (ULONG_PTR)Mdl, &Record);
}

/* Prints each MDL locked since Generation and not unlocked, with the caller that locked it; returns how many. */
ULONG VfReportLockedPages(ULONG Generation)
{
    ULONG Count = 0;
    KIRQL OldIrql;

    OldIrql = VfLockTables();
    for (PRTL_AVL_RANGE_NODE Node = RtlAvlFirstRange(&VfLockedMdls.Tree); Node != NULL; Node = RtlAvlNextRange(Node)) {
        PVF_LOCKED_MDL Record = CONTAINING_RECORD(Node, VF_LOCKED_MDL, Node);
        ULONG_PTR Offset;
        PCSTR Name;

        if (Record->Generation < Generation)
            continue;
        Name = KiSymbolFromAddress((ULONG_PTR)Record->CallersAddress, &Offset);
        DbgPrint("    # locked pages: MDL %p holds %u pages locked%s, locked by %s+0x%X\n", (PVOID)Node->StartingVpn,
                 Record->Pages, Record->Process != NULL ? " in a process" : "", Name != NULL ? Name : "?", Offset);
        Count++;
    }
    if (VfLockedMdls.Pool.Lost != 0)
        DbgPrint("    # locked-page tracking: %u MDLs went unrecorded (no room for their records)\n",
                 VfLockedMdls.Pool.Lost);
    VfUnlockTables(OldIrql);
    return Count;
}

/*
 * MmUnlockPages' check under pool tracking: no process may still have the
 * MDL mapped into its user space. Every process's views of MDLs are
 * looked at (few processes, fewer views: a verifier's price).
 */
VOID VfCheckMdlUnmapped(PMDL Mdl)
{
    for (PLIST_ENTRY Entry = PsActiveProcessHead.Flink; Entry != &PsActiveProcessHead; Entry = Entry->Flink) {
        PEPROCESS Process = CONTAINING_RECORD(Entry, EPROCESS, ActiveProcessLinks);

        for (PRTL_AVL_RANGE_NODE Node = RtlAvlFirstRange(&Process->VadRoot); Node != NULL; Node = RtlAvlNextRange(Node)) {
            PMMVAD Vad = CONTAINING_RECORD(Node, MMVAD, Node);

            if (Vad->u.VadFlags.PhysicalMapping && Vad->Mdl == Mdl)
                KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, VF_MDL_STILL_MAPPED, (ULONG_PTR)Mdl, Mdl->MdlFlags,
                             (ULONG_PTR)MI_VAD_START(Vad) + Mdl->ByteOffset);
        }
    }
}
