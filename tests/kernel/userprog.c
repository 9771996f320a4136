/*
 * userprog.c: the test side of user mode: finds a program built from
 * tests/user/ in the kernel image, loads its ELF segments into a process
 * through ZwAllocateVirtualMemory and ZwProtectVirtualMemory (as a loader
 * in user mode would), and runs it with PsRunUserThread. The image is
 * checked as untrusted input: a segment outside the file or outside user
 * space is refused.
 */
#define NTMM_WHITEBOX_TEST
#include "ktest.h"
#include "userprog.h"
#include <ps.h>
#include <mmlayout.h>
#include <string.h>

typedef struct {
    UCHAR Ident[16];
    USHORT Type, Machine;
    ULONG Version, Entry, PhOffset, ShOffset, Flags;
    USHORT HeaderSize, PhEntrySize, PhCount, ShEntrySize, ShCount, ShStringIndex;
} ELF32_HEADER;

typedef struct {
    ULONG Type, Offset, VirtualAddress, PhysicalAddress, FileSize, MemorySize, Flags, Align;
} ELF32_PROGRAM_HEADER;

#define ELF_PT_LOAD 1
#define ELF_PF_X 1
#define ELF_PF_W 2
#define ELF_ET_EXEC 2
#define ELF_EM_386 3

typedef struct {
    PCSTR Name;
    const UCHAR *Start, *End;
} KT_USER_IMAGE;

extern const KT_USER_IMAGE KtUserImages[];     /* build/user/images.S */

static const ELF32_HEADER *KtFindImage(PCSTR Name, SIZE_T *Size)
{
    for (const KT_USER_IMAGE *Image = KtUserImages; Image->Name != NULL; Image++) {
        if (strcmp(Image->Name, Name) == 0) {
            *Size = Image->End - Image->Start;
            return (const ELF32_HEADER *)Image->Start;
        }
    }
    return NULL;
}

static ULONG KtSegmentProtection(ULONG Flags)
{
    if (Flags & ELF_PF_W)
        return (Flags & ELF_PF_X) ? PAGE_EXECUTE_READWRITE : PAGE_READWRITE;
    return (Flags & ELF_PF_X) ? PAGE_EXECUTE_READ : PAGE_READONLY;
}

/* Reserves the image's whole extent (one VAD, as an image has), then commits, fills and protects each segment. */
static NTSTATUS KtMapSegments(const ELF32_HEADER *Header, SIZE_T Size)
{
    const ELF32_PROGRAM_HEADER *Segments = (const ELF32_PROGRAM_HEADER *)((const UCHAR *)Header + Header->PhOffset);
    ULONG_PTR Low = MAXULONG, High = 0;
    PVOID Base;
    SIZE_T Length;
    NTSTATUS Status;
    ULONG Old;

    for (ULONG i = 0; i < Header->PhCount; i++) {
        const ELF32_PROGRAM_HEADER *Segment = &Segments[i];

        if (Segment->Type != ELF_PT_LOAD || Segment->MemorySize == 0)
            continue;
        if (Segment->FileSize > Segment->MemorySize || Segment->Offset > Size || Size - Segment->Offset < Segment->FileSize ||
            Segment->VirtualAddress < (ULONG_PTR)MM_LOWEST_USER_ADDRESS ||
            MM_HIGHEST_VAD_ADDRESS - Segment->VirtualAddress < Segment->MemorySize)
            return STATUS_INVALID_IMAGE_FORMAT;
        Low = Segment->VirtualAddress < Low ? Segment->VirtualAddress : Low;
        High = Segment->VirtualAddress + Segment->MemorySize > High ? Segment->VirtualAddress + Segment->MemorySize : High;
    }
    if (High == 0)
        return STATUS_INVALID_IMAGE_FORMAT;
    Base = (PVOID)Low;
    Length = High - Low;
    Status = ZwAllocateVirtualMemory(NtCurrentProcess(), &Base, 0, &Length, MEM_RESERVE, PAGE_EXECUTE_READWRITE);
    for (ULONG i = 0; NT_SUCCESS(Status) && i < Header->PhCount; i++) {
        const ELF32_PROGRAM_HEADER *Segment = &Segments[i];

        if (Segment->Type != ELF_PT_LOAD || Segment->MemorySize == 0)
            continue;
        Base = (PVOID)Segment->VirtualAddress;
        Length = Segment->MemorySize;
        Status = ZwAllocateVirtualMemory(NtCurrentProcess(), &Base, 0, &Length, MEM_COMMIT, PAGE_READWRITE);
        if (!NT_SUCCESS(Status))
            break;
        KiAllowUserAccess();
        memcpy((PVOID)Segment->VirtualAddress, (const UCHAR *)Header + Segment->Offset, Segment->FileSize);
        KiForbidUserAccess();
        Status = ZwProtectVirtualMemory(NtCurrentProcess(), &Base, &Length, KtSegmentProtection(Segment->Flags), &Old);
    }
    return Status;
}

NTSTATUS KtLoadUserProgram(PEPROCESS Process, PCSTR Name, PVOID *Entry)
{
    SIZE_T Size;
    const ELF32_HEADER *Header = KtFindImage(Name, &Size);
    KAPC_STATE ApcState;
    NTSTATUS Status;

    if (Header == NULL)
        return STATUS_NOT_FOUND;
    if (Size < sizeof(*Header) || memcmp(Header->Ident, "\x7F" "ELF", 4) != 0 || Header->Type != ELF_ET_EXEC ||
        Header->Machine != ELF_EM_386 || Header->PhEntrySize != sizeof(ELF32_PROGRAM_HEADER) ||
        Header->PhOffset > Size || (Size - Header->PhOffset) / sizeof(ELF32_PROGRAM_HEADER) < Header->PhCount)
        return STATUS_INVALID_IMAGE_FORMAT;
    KeStackAttachProcess((PRKPROCESS)Process, &ApcState);
    Status = KtMapSegments(Header, Size);
    KeUnstackDetachProcess(&ApcState);
    *Entry = (PVOID)Header->Entry;
    return Status;
}

NTSTATUS KtRunUserProgram(PCSTR Name, PVOID Argument)
{
    NTSTATUS Status, ExitStatus = STATUS_UNSUCCESSFUL;
    PEPROCESS Process;
    PVOID Entry;

    Status = PsCreateProcess(Name, 0, &Process);
    if (!NT_SUCCESS(Status))
        return Status;
    Status = KtLoadUserProgram(Process, Name, &Entry);
    if (NT_SUCCESS(Status))
        Status = PsRunUserThread(Process, Entry, Argument, &ExitStatus);
    PsTerminateProcess(Process, ExitStatus);
    ObDereferenceObject(Process);
    return NT_SUCCESS(Status) ? ExitStatus : Status;
}
