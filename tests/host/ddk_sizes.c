/*
 * ddk_sizes.c: ntddk.h built by the host compiler for 32-bit x86 (-m32,
 * compile only) with -Werror, checking the sizes and offsets of the DDK's
 * types against the DDK's own x86 values. The host tests run on x86-64,
 * where pointer-sized fields make these numbers meaningless, so this file
 * is compiled as 32-bit code and never linked (make test-host).
 */
#include <ntddk.h>

C_ASSERT(sizeof(CHAR) == 1 && sizeof(SHORT) == 2 && sizeof(LONG) == 4 && sizeof(LONGLONG) == 8);
C_ASSERT(sizeof(WCHAR) == 2 && sizeof(BOOLEAN) == 1 && sizeof(KIRQL) == 1 && sizeof(CCHAR) == 1);
C_ASSERT(sizeof(ULONG_PTR) == 4 && sizeof(SIZE_T) == 4 && sizeof(PVOID) == 4 && sizeof(HANDLE) == 4);
C_ASSERT(sizeof(PFN_NUMBER) == 4 && sizeof(KSPIN_LOCK) == 4 && sizeof(NTSTATUS) == 4);

C_ASSERT(sizeof(LARGE_INTEGER) == 8 && sizeof(ULARGE_INTEGER) == 8 && sizeof(PHYSICAL_ADDRESS) == 8);
C_ASSERT(sizeof(LIST_ENTRY) == 8 && sizeof(SINGLE_LIST_ENTRY) == 4);
C_ASSERT(sizeof(SLIST_ENTRY) == 4 && sizeof(SLIST_HEADER) == 8);
C_ASSERT(sizeof(UNICODE_STRING) == 8 && sizeof(ANSI_STRING) == 8);
C_ASSERT(FIELD_OFFSET(UNICODE_STRING, Buffer) == 4);
C_ASSERT(sizeof(OBJECT_ATTRIBUTES) == 24 && sizeof(GENERIC_MAPPING) == 16);
C_ASSERT(sizeof(EXCEPTION_RECORD) == 0x50);
C_ASSERT(sizeof(KAPC_STATE) == 0x18);
C_ASSERT(sizeof(KDPC) == 0x20);
C_ASSERT(sizeof(KSYSTEM_TIME) == 12 && FIELD_OFFSET(KUSER_SHARED_DATA, SystemTime) == 0x14);
C_ASSERT(FIELD_OFFSET(KUSER_SHARED_DATA, ProcessorFeatures) == 0x274);
C_ASSERT(sizeof(TIME_FIELDS) == 16);

C_ASSERT(sizeof(MDL) == 0x1C && FIELD_OFFSET(MDL, MappedSystemVa) == 0x0C && FIELD_OFFSET(MDL, ByteOffset) == 0x18);
C_ASSERT(sizeof(MEMORY_BASIC_INFORMATION) == 0x1C);
C_ASSERT(sizeof(PHYSICAL_MEMORY_RANGE) == 16);
C_ASSERT(sizeof(GENERAL_LOOKASIDE) == 0x80);
C_ASSERT(sizeof(PCI_COMMON_CONFIG) == 64);

C_ASSERT(sizeof(IO_STATUS_BLOCK) == 8);
C_ASSERT(sizeof(KDEVICE_QUEUE_ENTRY) == 0x10);
C_ASSERT(sizeof(KAPC) == 0x30);
C_ASSERT(sizeof(IRP) == 0x70);
C_ASSERT(FIELD_OFFSET(IRP, MdlAddress) == 0x04 && FIELD_OFFSET(IRP, IoStatus) == 0x18);
C_ASSERT(FIELD_OFFSET(IRP, StackCount) == 0x22 && FIELD_OFFSET(IRP, CurrentLocation) == 0x23);
C_ASSERT(FIELD_OFFSET(IRP, UserBuffer) == 0x3C && FIELD_OFFSET(IRP, Tail) == 0x40);
C_ASSERT(FIELD_OFFSET(IRP, Tail.Overlay.Thread) == 0x50);
C_ASSERT(FIELD_OFFSET(IRP, Tail.Overlay.CurrentStackLocation) == 0x60);
C_ASSERT(sizeof(IO_STACK_LOCATION) == 0x24 && FIELD_OFFSET(IO_STACK_LOCATION, DeviceObject) == 0x14);
C_ASSERT(IoSizeOfIrp(1) == 0x94);
C_ASSERT(FIELD_OFFSET(IO_STACK_LOCATION, CompletionRoutine) == 0x1C && FIELD_OFFSET(IO_STACK_LOCATION, Context) == 0x20);
C_ASSERT(IRP_MJ_DEVICE_CONTROL == 0x0E && IRP_MJ_PNP == 0x1B && SL_INVOKE_ON_SUCCESS == 0x40);
C_ASSERT(sizeof(POOL_FLAGS) == 8 && POOL_FLAG_NON_PAGED == 0x40 && POOL_FLAG_PAGED == 0x100);
C_ASSERT(MdlMappingNoWrite == 0x80000000 && MdlMappingNoExecute == 0x40000000);

C_ASSERT(sizeof(INTERLOCKED_RESULT) == 4 && ResultZero == 0 && ResultNegative == 1 && ResultPositive == 2);
C_ASSERT(PF_COMPARE_EXCHANGE_DOUBLE == 2 && PF_RDTSC_INSTRUCTION_AVAILABLE == 8 && PF_NX_ENABLED == 12);
C_ASSERT(PROCESSOR_FEATURE_MAX == 64);
C_ASSERT(sizeof(L"ab") == 3 * sizeof(WCHAR));
