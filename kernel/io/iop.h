/*
 * iop.h: the arithmetic of the I/O manager's MDL calls (kernel/io/iomdl.c), kept apart from
 * everything they allocate and stop with, so that it also runs on the host at the kernel's own
 * 32 bits (tests/fuzz/mdl_fuzz.c). Private to kernel/io and its tests.
 */
#ifndef NTMM_IOP_H
#define NTMM_IOP_H

#include <ntddk.h>
#include <mm.h>

/* NT refuses a buffer of 2 GB or more outright: no mapping could hold it. */
#define IOP_MAXIMUM_MDL_LENGTH 0x80000000u

/*
 * The pages an MDL for Length bytes at VirtualAddress describes, when IoAllocateMdl makes one:
 * 0 for an empty buffer, one of 2 GB or more, or one whose page frame numbers its Size (a
 * CSHORT read as unsigned) could not count.
 */
FORCEINLINE ULONG IopAllocateMdlPages(PVOID VirtualAddress, ULONG Length)
{
    ULONG Pages = ADDRESS_AND_SIZE_TO_SPAN_PAGES(VirtualAddress, Length);

    if (Length == 0 || Length >= IOP_MAXIMUM_MDL_LENGTH || Pages > MM_MAXIMUM_MDL_PAGES)
        return 0;
    return Pages;
}

/* How many page frame numbers an MDL has room for: its Size, read as the unsigned count NT reads it. */
FORCEINLINE ULONG IopMdlPfnCapacity(PMDL Mdl)
{
    USHORT Size = (USHORT)Mdl->Size;

    return Size < sizeof(MDL) ? 0 : (Size - sizeof(MDL)) / sizeof(PFN_NUMBER);
}

/*
 * Which of SourceMdl's pages a partial MDL of *Length bytes at VirtualAddress takes (*Length 0:
 * to the source's end, which is written back): *Offset, the range's distance from the start of
 * the source's buffer, *FirstPage, the first of the source's page frame numbers it takes, and
 * *Pages, how many. FALSE, with *Offset and *Length still set for the stop's parameters, when
 * the range is not inside the source or takes more than Capacity pages.
 */
FORCEINLINE BOOLEAN IopPartialMdlRange(PMDL SourceMdl, PVOID VirtualAddress, PULONG Length, ULONG Capacity,
                                       PULONG_PTR Offset, PULONG FirstPage, PULONG Pages)
{
    /* MmGetMdlVirtualAddress in integers: an MDL of page 0 has a NULL StartVa, no base for pointer sums. */
    *Offset = (ULONG_PTR)VirtualAddress - ((ULONG_PTR)SourceMdl->StartVa + SourceMdl->ByteOffset);
    if (*Length == 0 && *Offset <= SourceMdl->ByteCount)
        *Length = SourceMdl->ByteCount - (ULONG)*Offset;
    *Pages = ADDRESS_AND_SIZE_TO_SPAN_PAGES(VirtualAddress, *Length);
    /* Each test guards the next: the room left in the source is taken only once Offset is inside it. */
    if (*Offset > SourceMdl->ByteCount || *Length > SourceMdl->ByteCount - *Offset || *Pages > Capacity)
        return FALSE;
    *FirstPage = (ULONG)((SourceMdl->ByteOffset + *Offset) >> PAGE_SHIFT);
    return TRUE;
}

#endif
