/*
 * irp.c: I/O request packets as far as drivers build them by hand:
 * IoAllocateIrp, IoInitializeIrp, IoFreeIrp. A packet is the IRP and its
 * stack locations in one nonpaged block; the current location starts one
 * past the last, so the first IoCallDriver-style step down lands on the
 * top one. A packet that is not an IRP (freed already, or never one)
 * stops with MULTIPLE_IRP_COMPLETE_REQUESTS when freed, as in NT.
 */
#include <ntddk.h>
#include <ke.h>

#define IOP_IRP_TAG ' prI'

VOID NTAPI IoInitializeIrp(PIRP Irp, USHORT PacketSize, CCHAR StackSize)
{
    RtlZeroMemory(Irp, PacketSize);
    Irp->Type = IO_TYPE_IRP;
    Irp->Size = PacketSize;
    Irp->StackCount = StackSize;
    Irp->CurrentLocation = (CHAR)(StackSize + 1);
    Irp->ApcEnvironment = (CCHAR)KeGetCurrentThread()->ApcStateIndex;
    InitializeListHead(&Irp->ThreadListEntry);
    Irp->Tail.Overlay.CurrentStackLocation =
        (PIO_STACK_LOCATION)((PUCHAR)Irp + sizeof(IRP) + StackSize * sizeof(IO_STACK_LOCATION));
}

/* StackSize 0 is a packet with no stack locations, as NT allocates one; a negative size is none at all. */
PIRP NTAPI IoAllocateIrp(CCHAR StackSize, BOOLEAN ChargeQuota)
{
    USHORT PacketSize = IoSizeOfIrp((UCHAR)StackSize);
    PIRP Irp;

    if (StackSize < 0)
        return NULL;
    if (ChargeQuota)
        Irp = ExAllocatePoolWithQuotaTag(NonPagedPool | POOL_QUOTA_FAIL_INSTEAD_OF_RAISE, PacketSize, IOP_IRP_TAG);
    else
        Irp = ExAllocatePoolWithTag(NonPagedPool, PacketSize, IOP_IRP_TAG);
    if (Irp == NULL)
        return NULL;
    IoInitializeIrp(Irp, PacketSize, StackSize);
    if (ChargeQuota)
        Irp->AllocationFlags |= IRP_QUOTA_CHARGED;
    return Irp;
}

VOID NTAPI IoFreeIrp(PIRP Irp)
{
    if (Irp->Type != IO_TYPE_IRP)
        KeBugCheckEx(MULTIPLE_IRP_COMPLETE_REQUESTS, (ULONG_PTR)Irp, (ULONG_PTR)Irp->Type, 0, 0);
    ASSERT(IsListEmpty(&Irp->ThreadListEntry));
    Irp->Type = 0;
    ExFreePoolWithTag(Irp, IOP_IRP_TAG);
}
