/*
 * ob.h: the object manager's interface to the rest of the kernel (drivers
 * use ntddk.h's ObReferenceObject family): object types, the header in
 * front of every object, and handle tables.
 *
 * An object lives as long as references to it: PointerCount counts every
 * reference, handles included, HandleCount the handles alone. The last
 * dereference calls the type's delete routine and frees the memory.
 */
#ifndef NTMM_OB_H
#define NTMM_OB_H

#include <ntddk.h>

typedef VOID (NTAPI *OB_DELETE_METHOD)(PVOID Object);

/* What ObCreateObjectType needs to know about a kind of object. */
typedef struct _OBJECT_TYPE_INITIALIZER {
    POOL_TYPE PoolType;               /* where the objects (header and body) live */
    ULONG PoolTag;
    ACCESS_MASK ValidAccessMask;
    GENERIC_MAPPING GenericMapping;
    OB_DELETE_METHOD DeleteProcedure; /* undoes the body when the last reference goes */
} OBJECT_TYPE_INITIALIZER, *POBJECT_TYPE_INITIALIZER;

typedef struct _OBJECT_TYPE {
    PCSTR Name;
    OBJECT_TYPE_INITIALIZER TypeInfo;
    ULONG TotalNumberOfObjects;
    ULONG TotalNumberOfHandles;
} OBJECT_TYPE;

/*
 * In front of every object's body. Type is cleared when the object is
 * deleted, so a reference dropped after the last one finds a header no type
 * owns and stops (REFERENCE_BY_POINTER) rather than freeing the memory twice.
 */
typedef struct _OBJECT_HEADER {
    LONG PointerCount;
    LONG HandleCount;
    POBJECT_TYPE Type;
    ULONG Flags;                      /* OB_FLAG_* */
    LONGLONG Body;                    /* the object starts here, 8-byte aligned */
} OBJECT_HEADER, *POBJECT_HEADER;

#define OB_FLAG_KERNEL_OBJECT 0x01    /* created with OBJ_KERNEL_HANDLE: its first handle (ObInsertObject) is a kernel one */
#define OBJECT_TO_OBJECT_HEADER(Object) CONTAINING_RECORD((Object), OBJECT_HEADER, Body)
#define OBJECT_HEADER_TO_OBJECT(Header) ((PVOID)&(Header)->Body)

/*
 * A process's handles: slot i holds handle (i + 1) * 4, NT's numbering. A
 * kernel handle (OBJ_KERNEL_HANDLE) is a slot of the System process's table
 * with KERNEL_HANDLE_MASK set, so user mode can never name it.
 */
typedef struct _HANDLE_TABLE_ENTRY {
    POBJECT_HEADER Object;            /* NULL: the slot is free */
    ACCESS_MASK GrantedAccess;
} HANDLE_TABLE_ENTRY, *PHANDLE_TABLE_ENTRY;

typedef struct _HANDLE_TABLE {
    PHANDLE_TABLE_ENTRY Entries;
    ULONG Capacity;                   /* slots in Entries */
    ULONG HandleCount;                /* slots in use */
    ULONG FirstFreeHint;              /* no slot below it is free */
} HANDLE_TABLE, *PHANDLE_TABLE;

#define KERNEL_HANDLE_MASK ((ULONG_PTR)0x80000000)
#define OBJ_HANDLE_TAGBITS 0x00000003  /* NT's ntdef.h: the low two bits of a handle are the caller's, ignored */
#define OB_HANDLE_TAG 'btbO'

NTSTATUS ObCreateObjectType(PCSTR TypeName, POBJECT_TYPE_INITIALIZER Initializer, POBJECT_TYPE *ObjectType);
NTSTATUS ObCreateObject(KPROCESSOR_MODE ProbeMode, POBJECT_TYPE ObjectType, POBJECT_ATTRIBUTES ObjectAttributes,
                        KPROCESSOR_MODE OwnershipMode, PVOID ParseContext, ULONG ObjectBodySize,
                        ULONG PagedPoolCharge, ULONG NonPagedPoolCharge, PVOID *Object);
NTSTATUS ObInsertObject(PVOID Object, PACCESS_STATE PassedAccessState, ACCESS_MASK DesiredAccess,
                        ULONG ObjectPointerBias, PVOID *NewObject, PHANDLE Handle);
POBJECT_TYPE ObGetObjectType(PVOID Object);

/* Handle tables (obhandle.c); the table of a process is created and destroyed with it. */
PHANDLE_TABLE ObCreateHandleTable(VOID);
VOID ObKillProcess(PEPROCESS Process);
ULONG ObGetProcessHandleCount(PEPROCESS Process);
extern PHANDLE_TABLE ObpKernelHandleTable;

#endif
