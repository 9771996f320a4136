/*
 * relocate.c: an image view that could not have its preferred base: its
 * base relocations applied to it (what NT's user-mode loader does after
 * NtMapViewOfSection returns STATUS_IMAGE_NOT_AT_BASE, done here by the
 * memory manager as the issue asks).
 *
 * The relocation directory is read through the view itself, as a loader
 * reads it: its pages come from the file like any other, and the headers
 * that locate it were checked when the section was made (creasect.c) and
 * are checked again here, since the view is what is read now. Each fixup
 * adds the distance from the preferred base to every absolute address the
 * linker left; the page it lands in first becomes this view's private copy
 * (MiMakeViewPagePrivate), written through hyperspace, so the section's
 * shared pages, and every view at the preferred base, keep the file's bytes
 * and a code page keeps its protection. A fixup may straddle two pages.
 * Anything malformed is STATUS_INVALID_IMAGE_FORMAT, and the caller
 * unmaps the view.
 */
#include "mi.h"
#include <ntimage.h>
#include <string.h>

/* Where the base relocations' data directory lies in the NT headers. */
#define MI_RELOCATION_DIRECTORY_OFFSET \
    FIELD_OFFSET(IMAGE_NT_HEADERS32, OptionalHeader.DataDirectory[IMAGE_DIRECTORY_ENTRY_BASERELOC])

/*
 * Reads Length bytes of the view at VirtualAddress: user pages, so through
 * a stac/clac window (SMAP). A page the view cannot give raises, for the
 * try block in MiRelocateImageView.
 */
static VOID MiReadViewBytes(PVOID Buffer, ULONG_PTR VirtualAddress, ULONG Length)
{
    KiAllowUserAccess();
    memcpy(Buffer, (PVOID)VirtualAddress, Length);
    KiForbidUserAccess();
}

/* Writes Length bytes at VirtualAddress, a view's address, into its private copies of the pages. */
static NTSTATUS MiWriteViewBytes(PEPROCESS Process, PMMVAD Vad, ULONG_PTR VirtualAddress, const UCHAR *Bytes,
                                 ULONG Length)
{
    while (Length != 0) {
        ULONG Chunk = PAGE_SIZE - BYTE_OFFSET(VirtualAddress);
        PFN_NUMBER PageFrameIndex;
        NTSTATUS Status;
        KIRQL OldIrql;
        PUCHAR Page;

        if (Chunk > Length)
            Chunk = Length;
        Status = MiMakeViewPagePrivate(Process, Vad, (PVOID)VirtualAddress, &PageFrameIndex);
        if (!NT_SUCCESS(Status))
            return Status;
        Page = MiMapPageInHyperSpace(PageFrameIndex, &OldIrql);
        memcpy(Page + BYTE_OFFSET(VirtualAddress), Bytes, Chunk);
        MiUnmapPageInHyperSpace(Page, OldIrql);
        VirtualAddress += Chunk;
        Bytes += Chunk;
        Length -= Chunk;
    }
    return STATUS_SUCCESS;
}

/* One fixup at Rva of Base's image of ImageSize bytes: the bytes it changes, moved by Delta. */
static NTSTATUS MiApplyFixup(PEPROCESS Process, PMMVAD Vad, ULONG_PTR Base, ULONG ImageSize, ULONG Rva, ULONG Type,
                             ULONG_PTR Delta)
{
    ULONG Length;
    union {
        ULONG Long;
        USHORT Short;
        UCHAR Bytes[sizeof(ULONG)];
    } Value;

    switch (Type) {
    case IMAGE_REL_BASED_ABSOLUTE:
        return STATUS_SUCCESS;
    case IMAGE_REL_BASED_HIGHLOW:
        Length = sizeof(ULONG);
        break;
    case IMAGE_REL_BASED_HIGH:
    case IMAGE_REL_BASED_LOW:
        Length = sizeof(USHORT);
        break;
    default:
        return STATUS_INVALID_IMAGE_FORMAT;
    }
    if (Rva > ImageSize - Length)
        return STATUS_INVALID_IMAGE_FORMAT;
    Value.Long = 0;
    MiReadViewBytes(Value.Bytes, Base + Rva, Length);
    if (Type == IMAGE_REL_BASED_HIGHLOW)
        Value.Long += Delta;
    else if (Type == IMAGE_REL_BASED_HIGH)
        Value.Short = (USHORT)((((ULONG)Value.Short << 16) + Delta) >> 16);
    else
        Value.Short = (USHORT)(Value.Short + Delta);
    return MiWriteViewBytes(Process, Vad, Base + Rva, Value.Bytes, Length);
}

/* Walks the relocation blocks at DirectoryRva (Size bytes, inside the image) and applies each fixup. */
static NTSTATUS MiApplyRelocations(PEPROCESS Process, PMMVAD Vad, ULONG_PTR Base, ULONG ImageSize,
                                   ULONG DirectoryRva, ULONG DirectorySize, ULONG_PTR Delta)
{
    ULONG Offset = 0;

    while (DirectorySize - Offset >= sizeof(IMAGE_BASE_RELOCATION)) {
        ULONG_PTR Entries = Base + DirectoryRva + Offset + sizeof(IMAGE_BASE_RELOCATION);
        IMAGE_BASE_RELOCATION Block;
        NTSTATUS Status;

        MiReadViewBytes(&Block, Base + DirectoryRva + Offset, sizeof(Block));
        if (Block.SizeOfBlock < sizeof(Block) || Block.SizeOfBlock > DirectorySize - Offset ||
            (Block.SizeOfBlock & 1) != 0 || Block.VirtualAddress >= ImageSize)
            return STATUS_INVALID_IMAGE_FORMAT;
        for (ULONG i = 0; i < (Block.SizeOfBlock - sizeof(Block)) / sizeof(USHORT); i++) {
            USHORT Entry;

            MiReadViewBytes(&Entry, Entries + i * sizeof(USHORT), sizeof(Entry));

            if (Block.VirtualAddress > ImageSize - IMAGE_REL_BASED_OFFSET(Entry))
                return STATUS_INVALID_IMAGE_FORMAT;
            Status = MiApplyFixup(Process, Vad, Base, ImageSize, Block.VirtualAddress + IMAGE_REL_BASED_OFFSET(Entry),
                                  IMAGE_REL_BASED_TYPE(Entry), Delta);
            if (!NT_SUCCESS(Status))
                return Status;
        }
        Offset += Block.SizeOfBlock;
    }
    return STATUS_SUCCESS;
}

/*
 * Relocates the image view Vad of the current process (attached, under its
 * address-space lock) by Delta, the view's base less the image's preferred
 * one. Reading the view may fault (its pages come from the file); a fault
 * the view cannot satisfy is a malformed image.
 */
NTSTATUS MiRelocateImageView(PEPROCESS Process, PMMVAD Vad, ULONG_PTR Delta)
{
    ULONG_PTR Base = (ULONG_PTR)MI_VAD_START(Vad);
    ULONG ImageSize = MI_VAD_PAGES(Vad) << PAGE_SHIFT;
    volatile NTSTATUS Status = STATUS_SUCCESS;

    _SEH2_TRY {
        IMAGE_DATA_DIRECTORY Directory;
        ULONG Lfanew;

        MiReadViewBytes(&Lfanew, Base + FIELD_OFFSET(IMAGE_DOS_HEADER, e_lfanew), sizeof(Lfanew));
        if (Lfanew > ImageSize - sizeof(IMAGE_NT_HEADERS32)) {
            Status = STATUS_INVALID_IMAGE_FORMAT;
        } else {
            MiReadViewBytes(&Directory, Base + Lfanew + MI_RELOCATION_DIRECTORY_OFFSET, sizeof(Directory));
            if (Directory.VirtualAddress > ImageSize || Directory.Size > ImageSize - Directory.VirtualAddress)
                Status = STATUS_INVALID_IMAGE_FORMAT;
            else
                Status = MiApplyRelocations(Process, Vad, Base, ImageSize, Directory.VirtualAddress, Directory.Size,
                                            Delta);
        }
    } _SEH2_EXCEPT(EXCEPTION_EXECUTE_HANDLER) {
        Status = STATUS_INVALID_IMAGE_FORMAT;
    } _SEH2_END;
    return Status;
}
