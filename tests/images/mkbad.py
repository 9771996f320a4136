#!/usr/bin/env python3
"""mkbad.py GOOD.exe DIR: malformed variants of a good PE32 image, for image_test.c.

Each variant changes one thing the memory manager must check before it trusts
the image (mm/creasect.c), and is named after it:

bad-truncated.exe   the file ends inside the section table
bad-pastend.exe     the last section's raw data runs past the end of the file
bad-overlap.exe     the second section starts inside the first
bad-align.exe       SectionAlignment is not a power of two
bad-filealign.exe   FileAlignment is below the 512 bytes of a sector
bad-signature.exe   the NT headers do not start with "PE\\0\\0"
bad-lfanew.exe      e_lfanew points past the end of the file
bad-machine.exe     the image is for x64, not i386
bad-sizeofimage.exe SizeOfImage ends before the last section does
bad-entry.exe       the entry point lies outside the image
bad-relocdir.exe    the base relocation directory lies outside the image
bad-reloctype.exe   a base relocation of a type i386 has no use for (fine at the
                    image's base; mapping it elsewhere must fail)
"""
import os
import struct
import sys

DOS_LFANEW = 0x3C
FILE_HEADER = 4                 # after the "PE\0\0" signature
OPTIONAL_HEADER = FILE_HEADER + 20
SECTION_HEADER_SIZE = 40
BASERELOC = 5


class Image:
    def __init__(self, data):
        self.data = bytearray(data)
        self.nt = struct.unpack_from("<I", self.data, DOS_LFANEW)[0]
        self.sections = self.u16(self.nt + FILE_HEADER + 2)
        optional_size = self.u16(self.nt + FILE_HEADER + 16)
        self.section_table = self.nt + OPTIONAL_HEADER + optional_size

    def u16(self, offset):
        return struct.unpack_from("<H", self.data, offset)[0]

    def u32(self, offset):
        return struct.unpack_from("<I", self.data, offset)[0]

    def set16(self, offset, value):
        struct.pack_into("<H", self.data, offset, value)

    def set32(self, offset, value):
        struct.pack_into("<I", self.data, offset, value)

    def optional(self, offset):
        return self.nt + OPTIONAL_HEADER + offset

    def section(self, index, offset):
        return self.section_table + index * SECTION_HEADER_SIZE + offset

    def directory(self, index):
        return self.optional(96 + 8 * index)


def variants(good):
    def make(edit):
        image = Image(good)
        result = edit(image)
        return bytes(result if result is not None else image.data)

    # Optional header offsets (PE32): AddressOfEntryPoint 16, SectionAlignment 32,
    # FileAlignment 36, SizeOfImage 56. Section header: VirtualAddress 12,
    # SizeOfRawData 16, PointerToRawData 20.
    def truncated(image):
        return image.data[:image.section_table + SECTION_HEADER_SIZE // 2]

    def past_end(image):
        last = image.sections - 1
        image.set32(image.section(last, 16), image.u32(image.section(last, 16)) + 0x10000)

    def overlap(image):
        image.set32(image.section(1, 12), image.u32(image.section(0, 12)) + 0x10)

    def reloc_type(image):
        rva, size = image.u32(image.directory(BASERELOC)), image.u32(image.directory(BASERELOC) + 4)
        for index in range(image.sections):
            start = image.u32(image.section(index, 12))
            if start <= rva < start + image.u32(image.section(index, 16)):
                entry = image.u32(image.section(index, 20)) + (rva - start) + 8
                image.set16(entry, (9 << 12) | (image.u16(entry) & 0xFFF))
                return
        raise SystemExit("mkbad.py: the good image has no base relocations")

    return {
        "bad-truncated.exe": make(truncated),
        "bad-pastend.exe": make(past_end),
        "bad-overlap.exe": make(overlap),
        "bad-align.exe": make(lambda image: image.set32(image.optional(32), 0x1800)),
        "bad-filealign.exe": make(lambda image: image.set32(image.optional(36), 0x100)),
        "bad-signature.exe": make(lambda image: image.set32(image.nt, 0x00005850)),
        "bad-lfanew.exe": make(lambda image: image.set32(DOS_LFANEW, len(image.data) + 0x100)),
        "bad-machine.exe": make(lambda image: image.set16(image.nt + FILE_HEADER, 0x8664)),
        "bad-sizeofimage.exe": make(lambda image: image.set32(image.optional(56), 0x2000)),
        "bad-entry.exe": make(lambda image: image.set32(image.optional(16), 0x7FFF0000)),
        "bad-relocdir.exe": make(lambda image: image.set32(image.directory(BASERELOC), 0x7FFF0000)),
        "bad-reloctype.exe": make(reloc_type),
    }


def main():
    good, directory = sys.argv[1], sys.argv[2]
    with open(good, "rb") as f:
        data = f.read()
    os.makedirs(directory, exist_ok=True)
    for name, contents in variants(data).items():
        with open(os.path.join(directory, name), "wb") as f:
            f.write(contents)


if __name__ == "__main__":
    main()
