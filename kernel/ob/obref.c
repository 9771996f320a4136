/*
 * obref.c: object types, creating objects, and their reference counts.
 *
 * Every object is an OBJECT_HEADER and a body, in one pool block of its
 * type's pool. ObCreateObject returns the body with one reference; each
 * ObReferenceObject adds one, each ObDereferenceObject takes one, and the
 * last one runs the type's delete routine and frees the block. A reference
 * taken from a header whose type is not one ObCreateObjectType made (a
 * freed object, or no object at all) is the stop NT gives for it,
 * REFERENCE_BY_POINTER, never a second free.
 */
#include <ps.h>
#include <string.h>

/* REFERENCE_BY_POINTER's third parameter: which count went wrong. */
#define OB_BUGCHECK_POINTER_COUNT 1
#define OB_BUGCHECK_HANDLE_COUNT  2

#define OB_MAXIMUM_TYPES 16
static OBJECT_TYPE ObpObjectTypes[OB_MAXIMUM_TYPES];
static ULONG ObpObjectTypeCount;

NTSTATUS ObCreateObjectType(PCSTR TypeName, POBJECT_TYPE_INITIALIZER Initializer, POBJECT_TYPE *ObjectType)
{
    POBJECT_TYPE Type;

    if (ObpObjectTypeCount == OB_MAXIMUM_TYPES)
        return STATUS_INSUFFICIENT_RESOURCES;
    Type = &ObpObjectTypes[ObpObjectTypeCount++];
    Type->Name = TypeName;
    Type->TypeInfo = *Initializer;
    *ObjectType = Type;
    return STATUS_SUCCESS;
}

static BOOLEAN ObpIsObjectType(POBJECT_TYPE Type)
{
    return Type >= ObpObjectTypes && Type < ObpObjectTypes + ObpObjectTypeCount;
}

/* The header of a live object, or the stop for a pointer that is not one. */
static POBJECT_HEADER ObpLiveHeader(PVOID Object)
{
    POBJECT_HEADER Header = OBJECT_TO_OBJECT_HEADER(Object);

    if (Object == NULL || !ObpIsObjectType(Header->Type) || Header->PointerCount <= 0)
        KeBugCheckEx(REFERENCE_BY_POINTER, Object != NULL ? (ULONG_PTR)Header->Type : 0, (ULONG_PTR)Object,
                     OB_BUGCHECK_POINTER_COUNT, Object != NULL ? (ULONG_PTR)Header->PointerCount : 0);
    return Header;
}

POBJECT_TYPE ObGetObjectType(PVOID Object)
{
    return ObpLiveHeader(Object)->Type;
}

/*
 * Makes an object of ObjectType with ObjectBodySize bytes of zeroed body
 * and one reference. The attributes' OBJ_KERNEL_HANDLE sends its handles to
 * the kernel table. (NT's full prototype; the probe mode, ownership mode,
 * parse context and charges are accepted and not used: there is no object
 * namespace and no quota on objects.)
 */
NTSTATUS ObCreateObject(KPROCESSOR_MODE ProbeMode, POBJECT_TYPE ObjectType, POBJECT_ATTRIBUTES ObjectAttributes,
                        KPROCESSOR_MODE OwnershipMode, PVOID ParseContext, ULONG ObjectBodySize,
                        ULONG PagedPoolCharge, ULONG NonPagedPoolCharge, PVOID *Object)
{
    POBJECT_HEADER Header;

    UNREFERENCED_PARAMETER(ProbeMode);
    UNREFERENCED_PARAMETER(OwnershipMode);
    UNREFERENCED_PARAMETER(ParseContext);
    UNREFERENCED_PARAMETER(PagedPoolCharge);
    UNREFERENCED_PARAMETER(NonPagedPoolCharge);
    if (ObjectBodySize > MAXULONG - FIELD_OFFSET(OBJECT_HEADER, Body))
        return STATUS_INVALID_PARAMETER;
    Header = ExAllocatePoolWithTag(ObjectType->TypeInfo.PoolType, FIELD_OFFSET(OBJECT_HEADER, Body) + ObjectBodySize,
                                   ObjectType->TypeInfo.PoolTag);
    if (Header == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    Header->PointerCount = 1;
    Header->HandleCount = 0;
    Header->Type = ObjectType;
    Header->Flags = 0;
    if (ObjectAttributes != NULL && (ObjectAttributes->Attributes & OBJ_KERNEL_HANDLE))
        Header->Flags |= OB_FLAG_KERNEL_OBJECT;
    memset(OBJECT_HEADER_TO_OBJECT(Header), 0, ObjectBodySize);
    ObjectType->TotalNumberOfObjects++;
    *Object = OBJECT_HEADER_TO_OBJECT(Header);
    return STATUS_SUCCESS;
}

LONG_PTR FASTCALL ObfReferenceObject(PVOID Object)
{
    return ++ObpLiveHeader(Object)->PointerCount;
}

/*
 * Drops one reference; the last one deletes the object. Deleting runs the
 * type's delete routine, which may free pageable memory and switch address
 * spaces, so it must happen at or below APC_LEVEL: NT defers a deletion
 * from higher IRQL to a worker thread, ntmm (which has none) stops instead.
 */
LONG_PTR FASTCALL ObfDereferenceObject(PVOID Object)
{
    POBJECT_HEADER Header = ObpLiveHeader(Object);
    POBJECT_TYPE Type = Header->Type;
    LONG Count = --Header->PointerCount;

    if (Count != 0)
        return Count;
    if (Header->HandleCount != 0)
        KeBugCheckEx(REFERENCE_BY_POINTER, (ULONG_PTR)Type, (ULONG_PTR)Object, OB_BUGCHECK_HANDLE_COUNT,
                     Header->HandleCount);
    if (KeGetCurrentIrql() > APC_LEVEL)
        KeBugCheckEx(IRQL_NOT_LESS_OR_EQUAL, (ULONG_PTR)Object, KeGetCurrentIrql(), 0,
                     (ULONG_PTR)__builtin_return_address(0));
    if (Type->TypeInfo.DeleteProcedure != NULL)
        Type->TypeInfo.DeleteProcedure(Object);
    Type->TotalNumberOfObjects--;
    Header->Type = NULL;
    ExFreePoolWithTag(Header, Type->TypeInfo.PoolTag);
    return 0;
}

NTSTATUS NTAPI ObReferenceObjectByPointer(PVOID Object, ACCESS_MASK DesiredAccess, POBJECT_TYPE ObjectType,
                                          KPROCESSOR_MODE AccessMode)
{
    POBJECT_HEADER Header = ObpLiveHeader(Object);

    UNREFERENCED_PARAMETER(DesiredAccess);
    UNREFERENCED_PARAMETER(AccessMode);
    if (ObjectType != NULL && Header->Type != ObjectType)
        return STATUS_OBJECT_TYPE_MISMATCH;
    Header->PointerCount++;
    return STATUS_SUCCESS;
}
