/*
 * ddk_sample.c: driver code written the way a DDK sample is: only
 * <ntddk.h>, SAL annotations, the DDK's macros and types. Each routine
 * exercises one area of the header and returns STATUS_SUCCESS or the
 * failure it found; ddk_test.c runs them as test cases. If this file stops
 * compiling warning-free, ntddk.h has drifted from the DDK.
 */
#include <ntddk.h>

#define SAMPLE_TAG 'pmaS'

/* The DDK's fixed-width types on x86, checked where a driver relies on them. */
C_ASSERT(sizeof(ULONG) == 4);
C_ASSERT(sizeof(LONG_PTR) == sizeof(PVOID) && sizeof(INT_PTR) == sizeof(PVOID) && sizeof(UINT_PTR) == sizeof(PVOID));
C_ASSERT(sizeof(PFN_NUMBER) == sizeof(ULONG));
C_ASSERT(sizeof(WCHAR) == 2);
C_ASSERT(MAXUSHORT == 0xFFFF && MAXULONG == 0xFFFFFFFF && MAXLONG == 0x7FFFFFFF && MINLONG == -MAXLONG - 1);

/* Reports a failed expectation through DbgPrintEx at error level, as samples do. */
#define SAMPLE_CHECK(Expression)                                                                   \
    do {                                                                                           \
        if (!(Expression)) {                                                                       \
            DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_ERROR_LEVEL, "    # ddk_sample: %s failed\n", #Expression); \
            KdPrint(("    # ddk_sample: at line %d\n", __LINE__));                                  \
            return STATUS_UNSUCCESSFUL;                                                            \
        }                                                                                          \
    } while (0)

static CONST UNICODE_STRING SampleName = RTL_CONSTANT_STRING(L"\\Device\\Sample");
static CONST ANSI_STRING SampleAnsiName = RTL_CONSTANT_STRING("Sample");

_IRQL_requires_max_(PASSIVE_LEVEL)
NTSTATUS SampleTypesAndStrings(VOID)
{
    INT Signed = -1;
    UINT Unsigned = (UINT)Signed;
    LONG_PTR Difference = (LONG_PTR)-8;
    UINT_PTR Address = (UINT_PTR)&Signed;

    PAGED_CODE();
    SAMPLE_CHECK(Unsigned == MAXULONG);
    SAMPLE_CHECK((INT_PTR)Difference < 0);
    SAMPLE_CHECK(Address != 0);
    SAMPLE_CHECK(SampleName.Length == 14 * sizeof(WCHAR));
    SAMPLE_CHECK(SampleName.MaximumLength == SampleName.Length + sizeof(WCHAR));
    SAMPLE_CHECK(SampleName.Buffer[1] == L'D');
    SAMPLE_CHECK(SampleAnsiName.Length == 6 && SampleAnsiName.Buffer[5] == 'e');
    /* Informational: filtered out, as NT filters it by default. */
    KdPrintEx((DPFLTR_IHVDRIVER_ID, DPFLTR_INFO_LEVEL, "ddk_sample: %wZ is %u bytes\n", &SampleName, SampleName.Length));
    return STATUS_SUCCESS;
}

_IRQL_requires_max_(DISPATCH_LEVEL)
NTSTATUS SampleMemoryAndInterlocked(VOID)
{
    UCHAR Source[16], Destination[16];
    ULONG Words[4];
    LONG volatile Count = 0;
    LONG64 volatile Wide = 0;
    PVOID volatile Slot = NULL;

    RtlFillMemory(Source, sizeof(Source), 0x5A);
    RtlCopyMemory(Destination, Source, sizeof(Source));
    RtlMoveMemory(Destination + 1, Destination, sizeof(Destination) - 1);
    SAMPLE_CHECK(RtlEqualMemory(Source, Destination, sizeof(Source)));
    RtlZeroMemory(Destination, 4);
    SAMPLE_CHECK(RtlCompareMemory(Source, Destination, sizeof(Source)) == 0);
    RtlSecureZeroMemory(Source, sizeof(Source));
    RtlFillMemoryUlong(Words, sizeof(Words), 0xFEEDF00D);
    SAMPLE_CHECK(RtlCompareMemoryUlong(Words, sizeof(Words), 0xFEEDF00D) == sizeof(Words));
    RtlPrefetchMemoryNonTemporal(Words, sizeof(Words));

    SAMPLE_CHECK(InterlockedIncrement(&Count) == 1 && InterlockedDecrement(&Count) == 0);
    SAMPLE_CHECK(InterlockedIncrementAcquire(&Count) == 1 && InterlockedDecrementRelease(&Count) == 0);
    SAMPLE_CHECK(InterlockedExchange(&Count, 5) == 0 && InterlockedExchangeAdd(&Count, 2) == 5);
    SAMPLE_CHECK(InterlockedCompareExchange(&Count, 1, 0) == 7);            /* fails: 7 is there */
    SAMPLE_CHECK(InterlockedCompareExchangeAcquire(&Count, 1, 7) == 7 && Count == 1);
    SAMPLE_CHECK(InterlockedCompareExchangeRelease(&Count, 2, 1) == 1);
    SAMPLE_CHECK(InterlockedAnd(&Count, 0) == 2 && InterlockedOr(&Count, 6) == 0 && InterlockedXor(&Count, 2) == 6);
    SAMPLE_CHECK(InterlockedCompareExchange64(&Wide, 1LL << 40, 0) == 0 && Wide == 1LL << 40);
    SAMPLE_CHECK(InterlockedCompareExchangePointer(&Slot, (PVOID)&Count, NULL) == NULL);
    SAMPLE_CHECK(InterlockedExchangePointer(&Slot, NULL) == (PVOID)&Count);
    KeMemoryBarrier();
    return STATUS_SUCCESS;
}

_IRQL_requires_max_(DISPATCH_LEVEL)
NTSTATUS SampleInterlockedLists(VOID)
{
    KSPIN_LOCK Lock;
    LIST_ENTRY Head, Entry;
    SINGLE_LIST_ENTRY Stack, Item;
    SLIST_HEADER SList;
    SLIST_ENTRY SItem;
    ULONG Total = 0;
    LONG Counter = 0;
    LARGE_INTEGER Large, Increment;

    KeInitializeSpinLock(&Lock);
    InitializeListHead(&Head);
    SAMPLE_CHECK(ExInterlockedInsertHeadList(&Head, &Entry, &Lock) == NULL);
    SAMPLE_CHECK(ExInterlockedRemoveHeadList(&Head, &Lock) == &Entry);
    SAMPLE_CHECK(ExInterlockedInsertTailList(&Head, &Entry, &Lock) == NULL);
    SAMPLE_CHECK(ExInterlockedRemoveHeadList(&Head, &Lock) == &Entry);
    SAMPLE_CHECK(ExInterlockedRemoveHeadList(&Head, &Lock) == NULL);
    Stack.Next = NULL;
    SAMPLE_CHECK(ExInterlockedPushEntryList(&Stack, &Item, &Lock) == NULL);
    SAMPLE_CHECK(ExInterlockedPopEntryList(&Stack, &Lock) == &Item);

    ExInitializeSListHead(&SList);
    SAMPLE_CHECK(ExInterlockedPushEntrySList(&SList, &SItem, &Lock) == NULL);
    SAMPLE_CHECK(ExQueryDepthSList(&SList) == 1);
    SAMPLE_CHECK(ExInterlockedPopEntrySList(&SList, &Lock) == &SItem);
    SAMPLE_CHECK(InterlockedPushEntrySList(&SList, &SItem) == NULL);
    SAMPLE_CHECK(InterlockedPopEntrySList(&SList) == &SItem);
    SAMPLE_CHECK(InterlockedPushEntrySList(&SList, &SItem) == NULL);
    SAMPLE_CHECK(InterlockedFlushSList(&SList) == &SItem && ExInterlockedFlushSList(&SList) == NULL);

    SAMPLE_CHECK(ExInterlockedAddUlong(&Total, 3, &Lock) == 0 && Total == 3);
    Large.QuadPart = 0;
    Increment.QuadPart = 7;
    SAMPLE_CHECK(ExInterlockedAddLargeInteger(&Large, Increment, &Lock).QuadPart == 0);
    ExInterlockedAddLargeStatistic(&Large, 1);
    SAMPLE_CHECK(Large.QuadPart == 8);
    SAMPLE_CHECK(Exfi386InterlockedIncrementLong(&Counter) == ResultPositive);
    SAMPLE_CHECK(Exfi386InterlockedDecrementLong(&Counter) == ResultZero);
    SAMPLE_CHECK(Exi386InterlockedDecrementLong(&Counter) == ResultNegative);
    SAMPLE_CHECK(Exi386InterlockedIncrementLong(&Counter) == ResultZero);
    SAMPLE_CHECK(Exfi386InterlockedExchangeUlong((PULONG)&Counter, 4) == 0);
    SAMPLE_CHECK(Exi386InterlockedExchangeUlong((PULONG)&Counter, 0) == 4);
    return STATUS_SUCCESS;
}

/* Maps an MDL of fresh pages through a reserved mapping and the old MmGetSystemAddressForMdl. */
_IRQL_requires_max_(APC_LEVEL)
NTSTATUS SampleMdlsAndMappings(VOID)
{
    PHYSICAL_ADDRESS Low, High, Skip;
    PMDL Mdl, Created;
    PPFN_NUMBER Pages;
    PVOID Reservation, Mapped;
    PIRP Irp;

    PAGED_CODE();
    Low.QuadPart = 0;
    High.QuadPart = MAXULONG;
    Skip.QuadPart = 0;
    Reservation = MmAllocateMappingAddress(2 * PAGE_SIZE, SAMPLE_TAG);
    SAMPLE_CHECK(Reservation != NULL);
    Mdl = MmAllocatePagesForMdl(Low, High, Skip, 2 * PAGE_SIZE);
    SAMPLE_CHECK(Mdl != NULL);
    Pages = MmGetMdlPfnArray(Mdl);
    SAMPLE_CHECK(Pages[0] != Pages[1]);

    Mapped = MmMapLockedPagesWithReservedMapping(Reservation, SAMPLE_TAG, Mdl, MmCached);
    SAMPLE_CHECK(Mapped == Reservation);
    *(volatile ULONG *)Mapped = 0x600DF00D;
    KeFlushIoBuffers(Mdl, FALSE, TRUE);
    MmUnmapReservedMapping(Mapped, SAMPLE_TAG, Mdl);
    MmFreeMappingAddress(Reservation, SAMPLE_TAG);

    Mapped = MmGetSystemAddressForMdl(Mdl);
    SAMPLE_CHECK(Mapped != NULL && *(volatile ULONG *)Mapped == 0x600DF00D);
    SAMPLE_CHECK(MmIsNonPagedSystemAddressValid(Mapped));
    MmUnmapLockedPages(Mapped, Mdl);
    MmFreePagesFromMdl(Mdl);
    ExFreePool(Mdl);

    Created = MmCreateMdl(NULL, (PVOID)&SampleName, sizeof(SampleName));
    SAMPLE_CHECK(Created != NULL && MmGetMdlByteCount(Created) == sizeof(SampleName));
    ExFreePool(Created);

    Irp = IoAllocateIrp(2, FALSE);
    SAMPLE_CHECK(Irp != NULL && Irp->Type == IO_TYPE_IRP && Irp->StackCount == 2 && Irp->CurrentLocation == 3);
    SAMPLE_CHECK(Irp->Size == IoSizeOfIrp(2));
    SAMPLE_CHECK(IoGetNextIrpStackLocation(Irp) == IoGetCurrentIrpStackLocation(Irp) - 1);
    IoFreeIrp(Irp);
    return STATUS_SUCCESS;
}

_IRQL_requires_max_(APC_LEVEL)
NTSTATUS SampleSystemInformation(VOID)
{
    PPHYSICAL_MEMORY_RANGE Ranges;
    PHYSICAL_ADDRESS Physical, Highest, Boundary;
    PVOID Contiguous, Quota;
    BOOLEAN Charged = TRUE;
    PUCHAR Block;

    PAGED_CODE();
    SAMPLE_CHECK(MmHighestUserAddress == (PVOID)0x7FFEFFFF);
    SAMPLE_CHECK(MM_SYSTEM_RANGE_START == (PVOID)0x80000000);
    SAMPLE_CHECK(MM_USER_PROBE_ADDRESS == 0x7FFF0000 && MmUserProbeAddress == MM_USER_PROBE_ADDRESS);
    SAMPLE_CHECK((ULONG_PTR)MM_HIGHEST_USER_ADDRESS < MmUserProbeAddress);
    SAMPLE_CHECK(MmQuerySystemSize() <= MmLargeSystem);
    SAMPLE_CHECK(!MmIsThisAnNtAsSystem());
    SAMPLE_CHECK(ExIsProcessorFeaturePresent(PF_COMPARE_EXCHANGE_DOUBLE));
    SAMPLE_CHECK(!ExIsProcessorFeaturePresent(PF_NX_ENABLED));
    SAMPLE_CHECK(!ExIsProcessorFeaturePresent(PROCESSOR_FEATURE_MAX));

    Ranges = MmGetPhysicalMemoryRanges();
    SAMPLE_CHECK(Ranges != NULL && Ranges[0].NumberOfBytes.QuadPart != 0);
    ExFreePool(Ranges);

    Block = ExAllocatePoolWithTag(NonPagedPool, 32, SAMPLE_TAG);
    SAMPLE_CHECK(Block != NULL);
    Physical = MmGetPhysicalAddress(Block + 4);
    SAMPLE_CHECK(MmGetVirtualForPhysical(Physical) == Block + 4);
    ExFreePoolWithTag(Block, SAMPLE_TAG);

    Highest.QuadPart = MAXULONG;
    Physical.QuadPart = 0;
    Boundary.QuadPart = 0;
    Contiguous = MmAllocateContiguousMemorySpecifyCache(PAGE_SIZE, Physical, Highest, Boundary, MmCached);
    SAMPLE_CHECK(Contiguous != NULL);
    MmFreeContiguousMemorySpecifyCache(Contiguous, PAGE_SIZE, MmCached);

    /* The System process is never charged quota. */
    Quota = ExAllocatePoolWithQuotaTag(PagedPool | POOL_QUOTA_FAIL_INSTEAD_OF_RAISE, 64, SAMPLE_TAG);
    SAMPLE_CHECK(Quota != NULL);
    ExQueryPoolBlockSize(Quota, &Charged);
    SAMPLE_CHECK(!Charged);
    ExFreePoolWithTag(Quota, SAMPLE_TAG);
    Quota = ExAllocatePoolWithQuota(NonPagedPool, 8);
    SAMPLE_CHECK(Quota != NULL);
    ExFreePool(Quota);
    return STATUS_SUCCESS;
}

/* Copies a caller's buffer the way a system service does: probe in a try block, then touch. */
_Must_inspect_result_
_IRQL_requires_max_(APC_LEVEL)
NTSTATUS SampleCaptureUserBuffer(_In_reads_bytes_(Length) PVOID UserBuffer, _In_ SIZE_T Length,
                                 _Out_writes_bytes_(Length) PVOID Capture)
{
    /*
     * volatile only for GCC's -Wclobbered: ntmm's try blocks are setjmp-based,
     * and GCC cannot tell that Status changes only after the jump back.
     */
    volatile NTSTATUS Status = STATUS_SUCCESS;

    PAGED_CODE();
    _SEH2_TRY {
        ProbeForRead(UserBuffer, Length, sizeof(UCHAR));
        RtlCopyMemory(Capture, UserBuffer, Length);
    } _SEH2_EXCEPT(EXCEPTION_EXECUTE_HANDLER) {
        Status = _SEH2_GetExceptionCode();
    } _SEH2_END;
    return Status;
}

/* Checks that a caller's output buffer of ULONGs can be written, as a service does before its work. */
_IRQL_requires_max_(APC_LEVEL)
NTSTATUS SampleProbeUserOutput(_In_ PVOID UserBuffer, _In_ SIZE_T Length)
{
    volatile NTSTATUS Status = STATUS_SUCCESS;    /* see SampleCaptureUserBuffer */

    _SEH2_TRY {
        ProbeForWrite(UserBuffer, Length, sizeof(ULONG));
    } _SEH2_EXCEPT(EXCEPTION_EXECUTE_HANDLER) {
        Status = _SEH2_GetExceptionCode();
    } _SEH2_END;
    return Status;
}

_IRQL_requires_max_(APC_LEVEL)
NTSTATUS SampleProbes(VOID)
{
    UCHAR Capture[4];

    SAMPLE_CHECK(SampleCaptureUserBuffer((PVOID)(ULONG_PTR)(MM_USER_PROBE_ADDRESS - 2), sizeof(Capture), Capture) ==
                 STATUS_ACCESS_VIOLATION);
    SAMPLE_CHECK(SampleCaptureUserBuffer(NULL, 0, Capture) == STATUS_SUCCESS);
    SAMPLE_CHECK(SampleProbeUserOutput((PVOID)0x10001, sizeof(ULONG)) == STATUS_DATATYPE_MISALIGNMENT);
    return STATUS_SUCCESS;
}

/* A device's registers and ports; here a pool buffer stands in for the registers and COM1's scratch byte for a port. */
_When_(Irql > DISPATCH_LEVEL, _IRQL_requires_max_(HIGH_LEVEL))
NTSTATUS SampleTimeAndHardware(_In_ KIRQL Irql)
{
    LARGE_INTEGER Frequency, Before, After, SystemTime, Ticks;
    ULONGLONG InterruptTime;
    PUCHAR Scratch = (PUCHAR)(ULONG_PTR)0x3FF;
    UCHAR Saved, Bytes[2] = { 0x12, 0x34 }, Read[2];
    ULONG Registers[2] = { 0, 0 }, Values[2] = { 1, 2 };
    USHORT Word;
    KIRQL OldIrql;

    KeRaiseIrql(Irql, &OldIrql);
    Before = KeQueryPerformanceCounter(&Frequency);
    KeStallExecutionProcessor(100);
    After = KeQueryPerformanceCounter(NULL);
    KeLowerIrql(OldIrql);
    SAMPLE_CHECK(Frequency.QuadPart != 0 && After.QuadPart - Before.QuadPart >= Frequency.QuadPart / 10000);

    KeQuerySystemTime(&SystemTime);
    InterruptTime = KeQueryInterruptTime();
    KeQueryTickCount(&Ticks);
    SAMPLE_CHECK(SystemTime.QuadPart > (LONGLONG)InterruptTime);
    SAMPLE_CHECK((ULONGLONG)Ticks.QuadPart * KeQueryTimeIncrement() <= InterruptTime + KeQueryTimeIncrement());
    SAMPLE_CHECK(KeGetCurrentProcessorNumber() < (ULONG)KeNumberProcessors);

    WRITE_REGISTER_ULONG(&Registers[0], 0xABCD1234);
    SAMPLE_CHECK(READ_REGISTER_ULONG(&Registers[0]) == 0xABCD1234);
    WRITE_REGISTER_USHORT((PUSHORT)&Registers[1], 0x55AA);
    Word = READ_REGISTER_USHORT((PUSHORT)&Registers[1]);
    SAMPLE_CHECK(Word == 0x55AA);
    WRITE_REGISTER_UCHAR((PUCHAR)&Registers[1], 0x11);
    SAMPLE_CHECK(READ_REGISTER_UCHAR((PUCHAR)&Registers[1]) == 0x11);
    WRITE_REGISTER_BUFFER_ULONG(Registers, Values, 2);
    READ_REGISTER_BUFFER_ULONG(Registers, Values, 2);
    WRITE_REGISTER_BUFFER_USHORT((PUSHORT)Registers, (PUSHORT)Values, 2);
    READ_REGISTER_BUFFER_USHORT((PUSHORT)Registers, (PUSHORT)Values, 2);
    WRITE_REGISTER_BUFFER_UCHAR((PUCHAR)Registers, Bytes, 2);
    READ_REGISTER_BUFFER_UCHAR((PUCHAR)Registers, Read, 2);
    SAMPLE_CHECK(Read[0] == 0x12 && Read[1] == 0x34);

    Saved = READ_PORT_UCHAR(Scratch);
    WRITE_PORT_BUFFER_UCHAR(Scratch, Bytes, 2);
    READ_PORT_BUFFER_UCHAR(Scratch, Read, 2);
    SAMPLE_CHECK(Read[0] == 0x34 && Read[1] == 0x34);
    WRITE_PORT_UCHAR(Scratch, Saved);
    return STATUS_SUCCESS;
}

/* Named so a reader finds the word-and-dword port calls a driver links against. */
typedef USHORT (NTAPI *PREAD_PORT_USHORT)(PUSHORT);
typedef ULONG (NTAPI *PREAD_PORT_ULONG)(PULONG);
typedef VOID (NTAPI *PWRITE_PORT_USHORT)(PUSHORT, USHORT);
typedef VOID (NTAPI *PWRITE_PORT_ULONG)(PULONG, ULONG);
typedef VOID (NTAPI *PPORT_BUFFER_USHORT)(PUSHORT, PUSHORT, ULONG);
typedef VOID (NTAPI *PPORT_BUFFER_ULONG)(PULONG, PULONG, ULONG);

NTSTATUS SamplePortEntryPoints(VOID)
{
    PREAD_PORT_USHORT ReadWord = READ_PORT_USHORT;
    PREAD_PORT_ULONG ReadLong = READ_PORT_ULONG;
    PWRITE_PORT_USHORT WriteWord = WRITE_PORT_USHORT;
    PWRITE_PORT_ULONG WriteLong = WRITE_PORT_ULONG;
    PPORT_BUFFER_USHORT Words[2] = { READ_PORT_BUFFER_USHORT, WRITE_PORT_BUFFER_USHORT };
    PPORT_BUFFER_ULONG Longs[2] = { READ_PORT_BUFFER_ULONG, WRITE_PORT_BUFFER_ULONG };

    SAMPLE_CHECK(ReadWord != NULL && ReadLong != NULL && WriteWord != NULL && WriteLong != NULL);
    SAMPLE_CHECK(Words[0] != Words[1] && Longs[0] != Longs[1]);
    return STATUS_SUCCESS;
}

/*
 * The shape of a small driver's everyday code: a queue of requests under a
 * spin lock, a DPC and a completion routine declared with the DDK's role
 * types, strings from literals, pool from ExAllocatePool2, a buffer locked
 * and mapped through an MDL inside a try block, an IRP passed down.
 */
typedef struct _SAMPLE_REQUEST {
    LIST_ENTRY Link;
    ULONG Sequence;
} SAMPLE_REQUEST, *PSAMPLE_REQUEST;

typedef struct _SAMPLE_EXTENSION {
    KSPIN_LOCK QueueLock;
    LIST_ENTRY Queue;
    KDPC Dpc;
    LONG DpcRuns;
    UNICODE_STRING Name;
} SAMPLE_EXTENSION, *PSAMPLE_EXTENSION;

KDEFERRED_ROUTINE SampleDpcRoutine;
IO_COMPLETION_ROUTINE SampleCompletionRoutine;

_Use_decl_annotations_
VOID NTAPI SampleDpcRoutine(PKDPC Dpc, PVOID DeferredContext, PVOID SystemArgument1, PVOID SystemArgument2)
{
    PSAMPLE_EXTENSION Extension = DeferredContext;

    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(SystemArgument1);
    UNREFERENCED_PARAMETER(SystemArgument2);
    InterlockedIncrement(&Extension->DpcRuns);
}

_Use_decl_annotations_
NTSTATUS NTAPI SampleCompletionRoutine(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    UNREFERENCED_PARAMETER(Context);
    if (Irp->PendingReturned)
        IoMarkIrpPending(Irp);
    return STATUS_CONTINUE_COMPLETION;
}

/* Locks Length bytes at Buffer for writing and maps them; NULL, with the MDL freed, when that fails. */
_IRQL_requires_max_(APC_LEVEL)
static PVOID SampleLockAndMap(_In_ PVOID Buffer, _In_ ULONG Length, _Outptr_result_maybenull_ PMDL *MdlOut)
{
    PMDL Mdl = IoAllocateMdl(Buffer, Length, FALSE, FALSE, NULL);
    volatile NTSTATUS Status = STATUS_SUCCESS;    /* see SampleCaptureUserBuffer */
    PVOID Mapped;

    *MdlOut = NULL;
    if (Mdl == NULL)
        return NULL;
    _SEH2_TRY {
        MmProbeAndLockPages(Mdl, KernelMode, IoWriteAccess);
    } _SEH2_EXCEPT(EXCEPTION_EXECUTE_HANDLER) {
        Status = _SEH2_GetExceptionCode();
    } _SEH2_END;
    if (!NT_SUCCESS(Status)) {
        IoFreeMdl(Mdl);
        return NULL;
    }
    Mapped = MmGetSystemAddressForMdlSafe(Mdl, NormalPagePriority | MdlMappingNoExecute);
    if (Mapped == NULL) {
        MmUnlockPages(Mdl);
        IoFreeMdl(Mdl);
        return NULL;
    }
    *MdlOut = Mdl;
    return Mapped;
}

_IRQL_requires_max_(PASSIVE_LEVEL)
NTSTATUS SampleDriverIdioms(VOID)
{
    PSAMPLE_EXTENSION Extension;
    PSAMPLE_REQUEST Request;
    PLIST_ENTRY Entry;
    KIRQL OldIrql;
    PUCHAR Buffer, Mapped;
    PMDL Mdl;
    PIRP Irp;
    PIO_STACK_LOCATION Stack;

    PAGED_CODE();
    Extension = ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(*Extension), SAMPLE_TAG);
    if (Extension == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    SAMPLE_CHECK(Extension->DpcRuns == 0);                      /* ExAllocatePool2 zeroes */
    RtlInitUnicodeString(&Extension->Name, L"\\Device\\Sample");
    SAMPLE_CHECK(Extension->Name.Length == SampleName.Length &&
                 RtlEqualMemory(Extension->Name.Buffer, SampleName.Buffer, SampleName.Length));
    KeInitializeSpinLock(&Extension->QueueLock);
    InitializeListHead(&Extension->Queue);
    KeInitializeDpc(&Extension->Dpc, SampleDpcRoutine, Extension);

    for (ULONG i = 0; i < 3; i++) {
        Request = ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(*Request), SAMPLE_TAG);
        SAMPLE_CHECK(Request != NULL);
        Request->Sequence = i;
        KeAcquireSpinLock(&Extension->QueueLock, &OldIrql);
        InsertTailList(&Extension->Queue, &Request->Link);
        KeReleaseSpinLock(&Extension->QueueLock, OldIrql);
    }
    KeInsertQueueDpc(&Extension->Dpc, NULL, NULL);              /* below DISPATCH_LEVEL: runs at once */
    SAMPLE_CHECK(Extension->DpcRuns == 1);
    for (ULONG i = 0; i < 3; i++) {
        KeAcquireSpinLock(&Extension->QueueLock, &OldIrql);
        Entry = RemoveHeadList(&Extension->Queue);
        KeReleaseSpinLock(&Extension->QueueLock, OldIrql);
        Request = CONTAINING_RECORD(Entry, SAMPLE_REQUEST, Link);
        SAMPLE_CHECK(Request->Sequence == i);
        ExFreePoolWithTag(Request, SAMPLE_TAG);
    }
    SAMPLE_CHECK(IsListEmpty(&Extension->Queue));

    Buffer = ExAllocatePoolZero(NonPagedPoolNx, 2 * PAGE_SIZE, SAMPLE_TAG);
    SAMPLE_CHECK(Buffer != NULL);
    Mapped = SampleLockAndMap(Buffer + 16, PAGE_SIZE, &Mdl);
    SAMPLE_CHECK(Mapped != NULL && Mdl != NULL);
    Mapped[0] = 0x5A;
    SAMPLE_CHECK(Buffer[16] == 0x5A);
    MmUnlockPages(Mdl);
    IoFreeMdl(Mdl);
    ExFreePoolWithTag(Buffer, SAMPLE_TAG);

    /* Passing a request down: the next location filled in, a completion routine to see it come back. */
    Irp = IoAllocateIrp(2, FALSE);
    SAMPLE_CHECK(Irp != NULL);
    Stack = IoGetNextIrpStackLocation(Irp);
    Stack->MajorFunction = IRP_MJ_DEVICE_CONTROL;
    IoSetCompletionRoutine(Irp, SampleCompletionRoutine, Extension, TRUE, TRUE, TRUE);
    IoSetNextIrpStackLocation(Irp);
    SAMPLE_CHECK(IoGetCurrentIrpStackLocation(Irp)->CompletionRoutine == SampleCompletionRoutine);
    IoCopyCurrentIrpStackLocationToNext(Irp);
    SAMPLE_CHECK(IoGetNextIrpStackLocation(Irp)->MajorFunction == IRP_MJ_DEVICE_CONTROL);
    IoFreeIrp(Irp);

    ExFreePoolWithTag(Extension, SAMPLE_TAG);
    return STATUS_SUCCESS;
}
