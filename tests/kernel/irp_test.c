/* irp_test.c: IRPs as drivers allocate them: the DDK layout, the stack locations, MDLs hung on them, the stop for a second free. */
#include "ktest.h"

#define TAG 'tprI'

KTEST(irp, allocate_lays_out_the_packet_as_the_ddk_does)
{
    PIRP Irp = IoAllocateIrp(3, FALSE);

    KT_ASSERT(Irp != NULL);
    KT_EXPECT_EQ(Irp->Type, IO_TYPE_IRP);
    KT_EXPECT_EQ(Irp->Size, sizeof(IRP) + 3 * sizeof(IO_STACK_LOCATION));
    KT_EXPECT_EQ(Irp->Size, IoSizeOfIrp(3));
    KT_EXPECT_EQ(Irp->StackCount, 3);
    KT_EXPECT_EQ(Irp->CurrentLocation, 4);
    KT_EXPECT(Irp->MdlAddress == NULL);
    KT_EXPECT(IsListEmpty(&Irp->ThreadListEntry));
    /* The current location is one past the last; the next one down is the top of the stack. */
    KT_EXPECT((PUCHAR)IoGetCurrentIrpStackLocation(Irp) == (PUCHAR)Irp + IoSizeOfIrp(3));
    KT_EXPECT((PUCHAR)IoGetNextIrpStackLocation(Irp) == (PUCHAR)Irp + IoSizeOfIrp(2));
    KT_EXPECT_EQ(ExQueryPoolBlockSize(Irp, NULL) >= IoSizeOfIrp(3), TRUE);
    IoFreeIrp(Irp);
}

/* No stack locations is a packet NT allocates too (the current location one past none); a negative count is not. */
KTEST(irp, stack_sizes_at_the_edges)
{
    PIRP Irp = IoAllocateIrp(0, FALSE);

    KT_ASSERT(Irp != NULL);
    KT_EXPECT_EQ(Irp->Size, sizeof(IRP));
    KT_EXPECT_EQ(Irp->StackCount, 0);
    KT_EXPECT_EQ(Irp->CurrentLocation, 1);
    KT_EXPECT((PUCHAR)IoGetCurrentIrpStackLocation(Irp) == (PUCHAR)Irp + sizeof(IRP));
    IoFreeIrp(Irp);
    /* The largest a CCHAR holds: CurrentLocation, a CHAR too, reads -128 as on NT. */
    Irp = IoAllocateIrp(127, FALSE);
    KT_ASSERT(Irp != NULL);
    KT_EXPECT_EQ(Irp->Size, IoSizeOfIrp(127));
    KT_EXPECT_EQ(Irp->StackCount, 127);
    IoFreeIrp(Irp);
    KT_EXPECT(IoAllocateIrp((CCHAR)-1, FALSE) == NULL);
}

/* The DDK's helpers that move through the stack locations as a driver passes a packet down. */
static NTSTATUS NTAPI SampleCompletion(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    UNREFERENCED_PARAMETER(Irp);
    UNREFERENCED_PARAMETER(Context);
    return STATUS_SUCCESS;
}

KTEST(irp, stack_location_helpers_move_copy_and_mark)
{
    PIRP Irp = IoAllocateIrp(3, FALSE);
    PIO_STACK_LOCATION Top, Current, Next;

    KT_ASSERT(Irp != NULL);
    Top = IoGetNextIrpStackLocation(Irp);
    Top->MajorFunction = IRP_MJ_READ;
    Top->Parameters.Others.Argument1 = (PVOID)0x1234;
    IoSetNextIrpStackLocation(Irp);                       /* as IoCallDriver does: the top is current */
    KT_EXPECT_EQ(Irp->CurrentLocation, 3);
    Current = IoGetCurrentIrpStackLocation(Irp);
    KT_EXPECT(Current == Top);
    IoMarkIrpPending(Irp);
    KT_EXPECT_EQ(Current->Control & SL_PENDING_RETURNED, SL_PENDING_RETURNED);

    IoCopyCurrentIrpStackLocationToNext(Irp);
    Next = IoGetNextIrpStackLocation(Irp);
    KT_EXPECT_EQ(Next->MajorFunction, IRP_MJ_READ);
    KT_EXPECT(Next->Parameters.Others.Argument1 == (PVOID)0x1234);
    KT_EXPECT_EQ(Next->Control, 0);                       /* not the pending mark */
    KT_EXPECT(Next->CompletionRoutine == NULL);
    IoSetCompletionRoutine(Irp, SampleCompletion, Irp, TRUE, FALSE, TRUE);
    KT_EXPECT(Next->CompletionRoutine == SampleCompletion && Next->Context == Irp);
    KT_EXPECT_EQ(Next->Control, SL_INVOKE_ON_SUCCESS | SL_INVOKE_ON_CANCEL);

    IoSkipCurrentIrpStackLocation(Irp);                   /* the next driver gets this location as it is */
    KT_EXPECT_EQ(Irp->CurrentLocation, 4);
    KT_EXPECT(IoGetNextIrpStackLocation(Irp) == Top);
    IoFreeIrp(Irp);
}

KTEST(irp, initialize_formats_a_packet_the_caller_owns)
{
    USHORT Size = IoSizeOfIrp(1);
    PIRP Irp = ExAllocatePoolWithTag(NonPagedPool, Size, TAG);

    KT_ASSERT(Irp != NULL);
    RtlFillMemory(Irp, Size, 0xCC);
    IoInitializeIrp(Irp, Size, 1);
    KT_EXPECT_EQ(Irp->Type, IO_TYPE_IRP);
    KT_EXPECT_EQ(Irp->Size, Size);
    KT_EXPECT_EQ(Irp->CurrentLocation, 2);
    KT_EXPECT(Irp->MdlAddress == NULL);
    KT_EXPECT_EQ(Irp->Flags, 0);
    KT_EXPECT_EQ(Irp->AllocationFlags, 0);
    KT_EXPECT_EQ(RtlCompareMemoryUlong(IoGetNextIrpStackLocation(Irp), sizeof(IO_STACK_LOCATION), 0),
                 sizeof(IO_STACK_LOCATION));
    ExFreePoolWithTag(Irp, TAG);
}

/* IoAllocateMdl hangs MDLs on the IRP; IoFreeIrp leaves them, and the caller frees each, as NT requires. */
KTEST(irp, mdls_on_an_irp_are_the_callers_to_free)
{
    PIRP Irp = IoAllocateIrp(1, FALSE);
    PVOID Buffer = ExAllocatePoolWithTag(NonPagedPool, 2 * PAGE_SIZE, TAG);
    PMDL First, Second, Mdl;

    KT_ASSERT(Irp != NULL && Buffer != NULL);
    First = IoAllocateMdl(Buffer, PAGE_SIZE, FALSE, FALSE, Irp);
    Second = IoAllocateMdl((PUCHAR)Buffer + PAGE_SIZE, PAGE_SIZE, TRUE, FALSE, Irp);
    KT_ASSERT(First != NULL && Second != NULL);
    KT_EXPECT(Irp->MdlAddress == First);
    KT_EXPECT(First->Next == Second);
    Mdl = Irp->MdlAddress;
    Irp->MdlAddress = NULL;
    IoFreeIrp(Irp);
    while (Mdl != NULL) {
        PMDL Next = Mdl->Next;

        IoFreeMdl(Mdl);
        Mdl = Next;
    }
    ExFreePoolWithTag(Buffer, TAG);
}

KTEST_BUGCHECK(irp, freeing_a_packet_that_is_not_an_irp_stops, MULTIPLE_IRP_COMPLETE_REQUESTS)
{
    USHORT Size = IoSizeOfIrp(1);
    PIRP Irp = ExAllocatePoolWithTag(NonPagedPool, Size, TAG);

    KT_ASSERT(Irp != NULL);
    IoInitializeIrp(Irp, Size, 1);
    Irp->Type = 0;
    KT_BUGCHECK_PARAMETER(1, Irp);
    IoFreeIrp(Irp);
}
