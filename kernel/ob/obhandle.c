/*
 * obhandle.c: handles. Each process has a table of slots; a handle is a
 * slot number (NT's numbering: slot i is handle (i + 1) * 4) and holds one
 * reference to its object with the access it was granted. Kernel handles
 * live in the System process's table and carry KERNEL_HANDLE_MASK, so they
 * mean the same thing whatever process is current and user mode cannot use
 * them. The low two bits of a handle are the caller's tag bits, ignored as
 * NT ignores them. NtCurrentProcess() and NtCurrentThread() are
 * pseudo-handles that name the current ones without a table.
 *
 * Tables grow by doubling in paged pool: handles are made and closed only
 * at PASSIVE_LEVEL.
 */
#include <ps.h>
#include <string.h>

#define OB_INITIAL_HANDLES 16
#define OB_HANDLE_TO_INDEX(Handle) (((ULONG_PTR)(Handle) & ~(KERNEL_HANDLE_MASK | OBJ_HANDLE_TAGBITS)) / 4 - 1)
#define OB_INDEX_TO_HANDLE(Index) ((HANDLE)(((ULONG_PTR)(Index) + 1) * 4))

PHANDLE_TABLE ObpKernelHandleTable;

/* A table with room for its first handles, as NT makes the first level of a table at once. */
PHANDLE_TABLE ObCreateHandleTable(VOID)
{
    PHANDLE_TABLE Table = ExAllocatePoolWithTag(PagedPool, sizeof(*Table), OB_HANDLE_TAG);

    if (Table == NULL)
        return NULL;
    memset(Table, 0, sizeof(*Table));
    Table->Entries = ExAllocatePoolWithTag(PagedPool, OB_INITIAL_HANDLES * sizeof(HANDLE_TABLE_ENTRY), OB_HANDLE_TAG);
    if (Table->Entries == NULL) {
        ExFreePoolWithTag(Table, OB_HANDLE_TAG);
        return NULL;
    }
    memset(Table->Entries, 0, OB_INITIAL_HANDLES * sizeof(HANDLE_TABLE_ENTRY));
    Table->Capacity = OB_INITIAL_HANDLES;
    return Table;
}

static BOOLEAN ObpIsKernelHandle(HANDLE Handle)
{
    return ((ULONG_PTR)Handle & KERNEL_HANDLE_MASK) != 0 && Handle != NtCurrentProcess() &&
           Handle != NtCurrentThread();
}

/* The table a handle is looked up in, or NULL when there is none to look in. */
static PHANDLE_TABLE ObpHandleTableFor(HANDLE Handle, KPROCESSOR_MODE AccessMode)
{
    if (ObpIsKernelHandle(Handle))
        return AccessMode == KernelMode ? ObpKernelHandleTable : NULL;
    return PsGetCurrentProcessEx()->ObjectTable;
}

/* The slot Handle names, or NULL for a handle that names nothing. */
static PHANDLE_TABLE_ENTRY ObpLookupHandle(PHANDLE_TABLE Table, HANDLE Handle)
{
    ULONG_PTR Index;

    if (Table == NULL || ((ULONG_PTR)Handle & ~(KERNEL_HANDLE_MASK | OBJ_HANDLE_TAGBITS)) == 0)
        return NULL;
    Index = OB_HANDLE_TO_INDEX(Handle);
    if (Index >= Table->Capacity || Table->Entries[Index].Object == NULL)
        return NULL;
    return &Table->Entries[Index];
}

/* A free slot, growing the table when it is full; NULL when no memory is left. */
static PHANDLE_TABLE_ENTRY ObpAllocateHandleEntry(PHANDLE_TABLE Table, PULONG Index)
{
    ULONG Slot;

    for (Slot = Table->FirstFreeHint; Slot < Table->Capacity && Table->Entries[Slot].Object != NULL; Slot++)
        ;
    if (Slot == Table->Capacity) {
        ULONG Capacity = Table->Capacity * 2;
        PHANDLE_TABLE_ENTRY Entries;

        if (Capacity > (KERNEL_HANDLE_MASK >> 2) - 1)
            return NULL;
        Entries = ExAllocatePoolWithTag(PagedPool, Capacity * sizeof(HANDLE_TABLE_ENTRY), OB_HANDLE_TAG);
        if (Entries == NULL)
            return NULL;
        memset(Entries, 0, Capacity * sizeof(HANDLE_TABLE_ENTRY));
        memcpy(Entries, Table->Entries, Table->Capacity * sizeof(HANDLE_TABLE_ENTRY));
        ExFreePoolWithTag(Table->Entries, OB_HANDLE_TAG);
        Table->Entries = Entries;
        Table->Capacity = Capacity;
    }
    Table->FirstFreeHint = Slot + 1;
    *Index = Slot;
    return &Table->Entries[Slot];
}

/* Generic rights become the type's specific ones; MAXIMUM_ALLOWED is everything the type has. */
static ACCESS_MASK ObpMapAccess(POBJECT_TYPE Type, ACCESS_MASK Access)
{
    PGENERIC_MAPPING Mapping = &Type->TypeInfo.GenericMapping;

    if (Access & MAXIMUM_ALLOWED)
        Access |= Type->TypeInfo.ValidAccessMask;
    if (Access & GENERIC_READ)
        Access |= Mapping->GenericRead;
    if (Access & GENERIC_WRITE)
        Access |= Mapping->GenericWrite;
    if (Access & GENERIC_EXECUTE)
        Access |= Mapping->GenericExecute;
    if (Access & GENERIC_ALL)
        Access |= Mapping->GenericAll;
    return Access & Type->TypeInfo.ValidAccessMask;
}

/*
 * Makes a handle to Object granting DesiredAccess; the handle takes over one
 * reference the caller already holds. A kernel handle when HandleAttributes
 * ask for one: the attribute belongs to each handle, not to the object.
 */
static NTSTATUS ObpCreateHandle(PVOID Object, ULONG HandleAttributes, ACCESS_MASK DesiredAccess, PHANDLE Handle)
{
    POBJECT_HEADER Header = OBJECT_TO_OBJECT_HEADER(Object);
    BOOLEAN Kernel = (HandleAttributes & OBJ_KERNEL_HANDLE) != 0;
    PHANDLE_TABLE Table = Kernel ? ObpKernelHandleTable : PsGetCurrentProcessEx()->ObjectTable;
    PHANDLE_TABLE_ENTRY Entry;
    ULONG Index;

    if (KeGetCurrentIrql() > APC_LEVEL)
        KeBugCheckEx(IRQL_NOT_LESS_OR_EQUAL, (ULONG_PTR)Object, KeGetCurrentIrql(), 0,
                     (ULONG_PTR)__builtin_return_address(0));
    if (Table == NULL)
        return STATUS_PROCESS_IS_TERMINATING;
    Entry = ObpAllocateHandleEntry(Table, &Index);
    if (Entry == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    Entry->Object = Header;
    Entry->GrantedAccess = ObpMapAccess(Header->Type, DesiredAccess);
    Table->HandleCount++;
    Header->HandleCount++;
    Header->Type->TotalNumberOfHandles++;
    *Handle = (HANDLE)((ULONG_PTR)OB_INDEX_TO_HANDLE(Index) | (Kernel ? KERNEL_HANDLE_MASK : 0));
    return STATUS_SUCCESS;
}

/*
 * Gives a new object its first handle, a kernel handle when the object was
 * created with OBJ_KERNEL_HANDLE. The reference ObCreateObject
 * returned passes to the handle; with NewObject the caller also gets the
 * object back with 1 + ObjectPointerBias more references. On failure the
 * object is dereferenced (so deleted), as NT does.
 */
NTSTATUS ObInsertObject(PVOID Object, PACCESS_STATE PassedAccessState, ACCESS_MASK DesiredAccess,
                        ULONG ObjectPointerBias, PVOID *NewObject, PHANDLE Handle)
{
    NTSTATUS Status;

    UNREFERENCED_PARAMETER(PassedAccessState);
    if (NewObject != NULL) {
        for (ULONG i = 0; i <= ObjectPointerBias; i++)
            ObReferenceObject(Object);
    }
    Status = ObpCreateHandle(Object,
                             (OBJECT_TO_OBJECT_HEADER(Object)->Flags & OB_FLAG_KERNEL_OBJECT) ? OBJ_KERNEL_HANDLE : 0,
                             DesiredAccess, Handle);
    if (!NT_SUCCESS(Status)) {
        if (NewObject != NULL) {
            for (ULONG i = 0; i <= ObjectPointerBias; i++)
                ObDereferenceObject(Object);
        }
        ObDereferenceObject(Object);
        return Status;
    }
    if (NewObject != NULL)
        *NewObject = Object;
    return STATUS_SUCCESS;
}

NTSTATUS NTAPI ObOpenObjectByPointer(PVOID Object, ULONG HandleAttributes, PACCESS_STATE PassedAccessState,
                                     ACCESS_MASK DesiredAccess, POBJECT_TYPE ObjectType,
                                     KPROCESSOR_MODE AccessMode, PHANDLE Handle)
{
    NTSTATUS Status;

    UNREFERENCED_PARAMETER(PassedAccessState);
    if (AccessMode == UserMode)
        HandleAttributes &= ~OBJ_KERNEL_HANDLE;
    Status = ObReferenceObjectByPointer(Object, DesiredAccess, ObjectType, AccessMode);
    if (!NT_SUCCESS(Status))
        return Status;
    Status = ObpCreateHandle(Object, HandleAttributes, DesiredAccess, Handle);
    if (!NT_SUCCESS(Status))
        ObDereferenceObject(Object);
    return Status;
}

/*
 * The object Handle names, referenced once more. User mode must have been
 * granted DesiredAccess by the handle (kernel mode is trusted, as in NT),
 * may not use kernel handles, and a type, when given, must match.
 */
NTSTATUS NTAPI ObReferenceObjectByHandle(HANDLE Handle, ACCESS_MASK DesiredAccess, POBJECT_TYPE ObjectType,
                                         KPROCESSOR_MODE AccessMode, PVOID *Object,
                                         POBJECT_HANDLE_INFORMATION HandleInformation)
{
    PHANDLE_TABLE_ENTRY Entry;
    PVOID Body;

    *Object = NULL;
    if (Handle == NtCurrentProcess() || Handle == NtCurrentThread()) {
        POBJECT_TYPE Type = Handle == NtCurrentProcess() ? PsProcessObjectType : PsThreadObjectType;

        if (ObjectType != NULL && ObjectType != Type)
            return STATUS_OBJECT_TYPE_MISMATCH;
        Body = Handle == NtCurrentProcess() ? (PVOID)PsGetCurrentProcessEx() : (PVOID)KeGetCurrentThread();
        ObReferenceObject(Body);
        if (HandleInformation != NULL) {
            HandleInformation->HandleAttributes = 0;
            HandleInformation->GrantedAccess = Type->TypeInfo.ValidAccessMask;
        }
        *Object = Body;
        return STATUS_SUCCESS;
    }
    Entry = ObpLookupHandle(ObpHandleTableFor(Handle, AccessMode), Handle);
    if (Entry == NULL)
        return STATUS_INVALID_HANDLE;
    if (ObjectType != NULL && Entry->Object->Type != ObjectType)
        return STATUS_OBJECT_TYPE_MISMATCH;
    if (AccessMode == UserMode && (ObpMapAccess(Entry->Object->Type, DesiredAccess) & ~Entry->GrantedAccess) != 0)
        return STATUS_ACCESS_DENIED;
    Body = OBJECT_HEADER_TO_OBJECT(Entry->Object);
    ObReferenceObject(Body);
    if (HandleInformation != NULL) {
        HandleInformation->HandleAttributes = 0;
        HandleInformation->GrantedAccess = Entry->GrantedAccess;
    }
    *Object = Body;
    return STATUS_SUCCESS;
}

/* Empties a slot and drops the handle's reference (which may delete the object). */
static VOID ObpCloseEntry(PHANDLE_TABLE Table, PHANDLE_TABLE_ENTRY Entry)
{
    POBJECT_HEADER Header = Entry->Object;
    ULONG Index = (ULONG)(Entry - Table->Entries);

    Entry->Object = NULL;
    Entry->GrantedAccess = 0;
    Table->HandleCount--;
    if (Index < Table->FirstFreeHint)
        Table->FirstFreeHint = Index;
    Header->HandleCount--;
    Header->Type->TotalNumberOfHandles--;
    ObDereferenceObject(OBJECT_HEADER_TO_OBJECT(Header));
}

NTSTATUS NTAPI NtClose(HANDLE Handle)
{
    KPROCESSOR_MODE PreviousMode = ExGetPreviousMode();
    PHANDLE_TABLE Table = ObpHandleTableFor(Handle, PreviousMode);
    PHANDLE_TABLE_ENTRY Entry = ObpLookupHandle(Table, Handle);

    if (Entry == NULL)
        return STATUS_INVALID_HANDLE;
    ObpCloseEntry(Table, Entry);
    return STATUS_SUCCESS;
}

NTSTATUS NTAPI ZwClose(HANDLE Handle)
{
    KPROCESSOR_MODE PreviousMode = KiEnterKernelService();
    NTSTATUS Status = NtClose(Handle);

    KiLeaveKernelService(PreviousMode);
    return Status;
}

/* Closes every handle a process has and frees its table: the process is going away. */
VOID ObKillProcess(PEPROCESS Process)
{
    PHANDLE_TABLE Table = Process->ObjectTable;

    if (Table == NULL)
        return;
    Process->ObjectTable = NULL;
    for (ULONG i = 0; i < Table->Capacity; i++) {
        if (Table->Entries[i].Object != NULL)
            ObpCloseEntry(Table, &Table->Entries[i]);
    }
    ExFreePoolWithTag(Table->Entries, OB_HANDLE_TAG);
    ExFreePoolWithTag(Table, OB_HANDLE_TAG);
}

ULONG ObGetProcessHandleCount(PEPROCESS Process)
{
    return Process->ObjectTable != NULL ? Process->ObjectTable->HandleCount : 0;
}
