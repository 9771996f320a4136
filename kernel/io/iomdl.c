/*
 * iomdl.c: the I/O manager's MDL calls. As in NT, an MDL for up to
 * IOP_FIXED_SIZE_MDL_PFNS pages comes from a lookaside list of fixed-size
 * MDLs (MDL_ALLOCATED_FIXED_SIZE) and a larger one from nonpaged pool; an
 * MDL given an IRP becomes the IRP's MdlAddress, or is chained after it
 * when it describes a secondary buffer.
 */
#include <ntddk.h>
#include <io.h>
#include <mm.h>
#include "iop.h"
#include <vf.h>

#define IOP_FIXED_SIZE_MDL_PFNS 0x17
#define IOP_MDL_TAG ' ldM'
#define IOP_FIXED_MDL_SIZE (sizeof(MDL) + IOP_FIXED_SIZE_MDL_PFNS * sizeof(ULONG))

NPAGED_LOOKASIDE_LIST IopMdlLookasideList;

VOID IoInitSystem(VOID)
{
    ExInitializeNPagedLookasideList(&IopMdlLookasideList, NULL, NULL, 0, IOP_FIXED_MDL_SIZE, IOP_MDL_TAG, 0);
    IopCreateFileObjectType();
}

PMDL NTAPI IoAllocateMdl(PVOID VirtualAddress, ULONG Length, BOOLEAN SecondaryBuffer, BOOLEAN ChargeQuota,
                         PIRP Irp)
{
    ULONG Pages = IopAllocateMdlPages(VirtualAddress, Length);
    CSHORT Fixed = 0;
    PMDL Mdl;

    UNREFERENCED_PARAMETER(ChargeQuota);    /* no process quotas yet */
    if (Pages == 0 || VF_INJECT_FAILURE(VfResourceMdl, __builtin_return_address(0)))
        return NULL;
    if (Pages <= IOP_FIXED_SIZE_MDL_PFNS) {
        Mdl = ExAllocateFromNPagedLookasideList(&IopMdlLookasideList);
        Fixed = MDL_ALLOCATED_FIXED_SIZE;
    } else {
        Mdl = ExAllocatePoolWithTag(NonPagedPool, MmSizeOfMdl(VirtualAddress, Length), IOP_MDL_TAG);
    }
    if (Mdl == NULL)
        return NULL;
    MmInitializeMdl(Mdl, VirtualAddress, Length);
    Mdl->MdlFlags |= Fixed;
    Mdl->Process = NULL;
    Mdl->MappedSystemVa = NULL;

    if (Irp != NULL) {
        if (!SecondaryBuffer || Irp->MdlAddress == NULL) {
            Irp->MdlAddress = Mdl;
        } else {
            PMDL Last = Irp->MdlAddress;
            while (Last->Next != NULL)
                Last = Last->Next;
            Last->Next = Mdl;
        }
    }
    return Mdl;
}

/*
 * Frees an MDL. Its pages must be unlocked and a full MDL unmapped first;
 * a partial MDL that was mapped is unmapped here (MmPrepareMdlForReuse).
 */
VOID NTAPI IoFreeMdl(PMDL Mdl)
{
    if ((Mdl->MdlFlags & MDL_PAGES_LOCKED) && !(Mdl->MdlFlags & MDL_PARTIAL))
        KeBugCheckEx(DRIVER_LEFT_LOCKED_PAGES_IN_PROCESS, (ULONG_PTR)__builtin_return_address(0), 0,
                     (ULONG_PTR)Mdl, ADDRESS_AND_SIZE_TO_SPAN_PAGES(MmGetMdlVirtualAddress(Mdl), Mdl->ByteCount));
    MmPrepareMdlForReuse(Mdl);
    if (Mdl->MdlFlags & MDL_ALLOCATED_FIXED_SIZE)
        ExFreeToNPagedLookasideList(&IopMdlLookasideList, Mdl);
    else
        ExFreePoolWithTag(Mdl, IOP_MDL_TAG);
}

/*
 * Makes TargetMdl describe Length bytes at VirtualAddress, a part of what
 * SourceMdl describes (Length 0: to the source's end): the page frames are
 * copied and, when the source is mapped, the target shares that mapping
 * (MDL_PARENT_MAPPED_SYSTEM_VA: the source alone may unmap it). A range
 * outside the source, or more pages than the target has room for, stops
 * with TARGET_MDL_TOO_SMALL before anything is written.
 */
VOID NTAPI IoBuildPartialMdl(PMDL SourceMdl, PMDL TargetMdl, PVOID VirtualAddress, ULONG Length)
{
    ULONG_PTR Offset;
    ULONG FirstPage, Pages;
    PULONG Source = MmGetMdlPfnArray(SourceMdl), Target = MmGetMdlPfnArray(TargetMdl);

    if (!IopPartialMdlRange(SourceMdl, VirtualAddress, &Length, IopMdlPfnCapacity(TargetMdl), &Offset, &FirstPage,
                            &Pages))
        KeBugCheckEx(TARGET_MDL_TOO_SMALL, (ULONG_PTR)SourceMdl, (ULONG_PTR)TargetMdl, Offset, Length);
    TargetMdl->MdlFlags &= (MDL_ALLOCATED_FIXED_SIZE | MDL_ALLOCATED_MUST_SUCCEED);
    TargetMdl->MdlFlags |= MDL_PARTIAL |
        (SourceMdl->MdlFlags & (MDL_SOURCE_IS_NONPAGED_POOL | MDL_MAPPED_TO_SYSTEM_VA | MDL_IO_PAGE_READ |
                                MDL_IO_SPACE | MDL_WRITE_OPERATION));
    TargetMdl->Process = SourceMdl->Process;
    TargetMdl->StartVa = PAGE_ALIGN(VirtualAddress);
    TargetMdl->ByteOffset = BYTE_OFFSET(VirtualAddress);
    TargetMdl->ByteCount = Length;
    if (SourceMdl->MdlFlags & (MDL_MAPPED_TO_SYSTEM_VA | MDL_SOURCE_IS_NONPAGED_POOL)) {
        TargetMdl->MappedSystemVa = (PUCHAR)SourceMdl->MappedSystemVa + Offset;
        if (SourceMdl->MdlFlags & MDL_MAPPED_TO_SYSTEM_VA)
            TargetMdl->MdlFlags |= MDL_PARENT_MAPPED_SYSTEM_VA;
    }
    for (ULONG i = 0; i < Pages; i++)
        Target[i] = Source[FirstPage + i];
}
