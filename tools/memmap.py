#!/usr/bin/env python3
"""memmap.py: make memmap. Boots the kernel with kd.memmap, reads the record it
prints over COM1 (kernel/kd/mapcmd.c: KdDumpMemoryMapRecord) and draws it as an
SVG: on the left the 4 GB virtual address space, one band per region of the
layout with its range and use; on the right physical memory as a grid of page
frames coloured by list and owner. Writes a PNG beside it where rsvg-convert
(Debian's librsvg2-bin, which make deps installs) is there. Then checks its own
work: the SVG must parse and hold a band for every region of the record.
"""
import argparse
import math
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from xml.sax.saxutils import escape

COLOURS = {
    "z": "#d9f0d3", "f": "#a6dba0", "s": "#c2a5cf", "m": "#9970ab", "X": "#d73027", "I": "#4575b4",
    "D": "#fdae61", "N": "#f46d43", "P": "#fee090", "T": "#74add1", "U": "#abd9e9", "S": "#8c510a",
    "H": "#bf812d", "K": "#e0f3f8", "R": "#525252", "O": "#969696", ".": "#ffffff",
    "-": "#eeeeee", "u": "#abd9e9", "k": "#e0f3f8", "i": "#4575b4", "d": "#fdae61", "b": "#fdd49e",
    "n": "#f46d43", "e": "#fc8d59", "t": "#74add1", "r": "#4393c3", "h": "#bf812d", "p": "#fee090",
    "s_": "#8c510a", "a": "#969696",
}
VIRTUAL_COLOURS = dict(COLOURS, s="#8c510a")
GRID_COLUMNS, CELL = 128, 4
MAXIMUM_ROWS = 256


def read_record(args):
    command = [args.qemu, "-kernel", args.kernel, "-append", "kd.memmap", "-m", args.mem, "-display", "none",
               "-no-reboot", "-serial", "stdio", "-monitor", "none",
               "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
    output = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, timeout=300).stdout
    lines = output.decode("latin-1").replace("\r", "").splitlines()
    if "# memmap: done" not in lines:
        raise SystemExit("memmap: the kernel did not finish its record; last lines:\n" + "\n".join(lines[-20:]))
    regions, uses, pages = [], [], []
    for line in lines:
        fields = line.split("|")
        if fields[0] == "# memmap-region":
            regions.append((int(fields[1], 16), int(fields[2], 16), fields[3], fields[4]))
        elif fields[0] == "# memmap-use":
            uses.append((fields[1], fields[2]))
        elif fields[0] == "# memmap-pages":
            for run in fields[2].split(","):
                pages.append((run[0], int(run[1:])))
    return regions, uses, pages


def with_gaps(regions):
    """The layout with the unused stretches between regions made regions too."""
    result, cursor = [], 0
    for start, end, letter, name in sorted(regions):
        if start > cursor:
            result.append((cursor, start - 1, ".", "unused"))
        result.append((start, end, letter, name))
        cursor = end + 1
    if cursor <= 0xFFFFFFFF:
        result.append((cursor, 0xFFFFFFFF, ".", "unused"))
    return result


def svg(regions, uses, pages, title):
    out = []
    layout = with_gaps(regions)
    # Virtual: band heights grow with the log of the size, so 4 KB and 2 GB both show.
    heights = [14 + 6 * math.log2(max(1, (end - start + 1) >> 12)) for start, end, _, _ in layout]
    y, x0, width = 60, 20, 150
    out.append('<text x="%d" y="45" font-weight="bold">Virtual address space (4 GB)</text>' % x0)
    for (start, end, letter, name), height in zip(layout, heights):
        out.append('<g class="region" data-start="%08x" data-end="%08x"><title>%s</title>'
                   '<rect x="%d" y="%.1f" width="%d" height="%.1f" fill="%s" stroke="#333" stroke-width="0.5"/>'
                   '<text x="%d" y="%.1f" font-size="10">%08X-%08X %s</text></g>' % (
                       start, end, escape(name), x0, y, width, height, VIRTUAL_COLOURS.get(letter, "#dddddd"),
                       x0 + width + 6, y + height / 2 + 3, start, end, escape(name)))
        y += height
    virtual_bottom = y
    # Physical: one cell per page, or per group of pages (the most common use in it) on big machines.
    frames = [letter for letter, count in pages for _ in range(count)]
    per_cell = max(1, math.ceil(len(frames) / (GRID_COLUMNS * MAXIMUM_ROWS)))
    cells = []
    for first in range(0, len(frames), per_cell):
        group = frames[first:first + per_cell]
        cells.append(max(set(group), key=group.count))
    gx, gy = 560, 60
    out.append('<text x="%d" y="45" font-weight="bold">Physical memory: %d page frames, %d per cell, %d per row'
               '</text>' % (gx, len(frames), per_cell, per_cell * GRID_COLUMNS))
    for index, letter in enumerate(cells):
        row, column = divmod(index, GRID_COLUMNS)
        out.append('<rect x="%d" y="%d" width="%d" height="%d" fill="%s"/>' % (
            gx + column * CELL, gy + row * CELL, CELL, CELL, COLOURS.get(letter, "#000000")))
    legend_y = gy + (len(cells) // GRID_COLUMNS + 2) * CELL + 10
    counts = {letter: frames.count(letter) for letter, _ in uses + [(".", "not RAM")]}
    for index, (letter, name) in enumerate(uses + [(".", "not RAM")]):
        if not counts.get(letter):
            continue
        out.append('<g class="use" data-letter="%s"><rect x="%d" y="%d" width="10" height="10" fill="%s" stroke="#333"'
                   ' stroke-width="0.5"/><text x="%d" y="%d" font-size="11">%s: %d pages</text></g>' % (
                       escape(letter), gx, legend_y, COLOURS.get(letter, "#000000"), gx + 16, legend_y + 9,
                       escape(name), counts[letter]))
        legend_y += 15
    height = max(virtual_bottom, legend_y) + 20
    return ('<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif">\n'
            '<rect width="100%%" height="100%%" fill="white"/>\n<text x="20" y="22" font-size="15">%s</text>\n%s\n'
            '</svg>\n' % (gx + GRID_COLUMNS * CELL + 20, height, escape(title), "\n".join(out)))


def check(path, regions):
    """The SVG must parse and hold one band for every region of the layout."""
    tree = ElementTree.parse(path)
    bands = {(g.get("data-start"), g.get("data-end")) for g in tree.iter("{http://www.w3.org/2000/svg}g")
             if g.get("class") == "region"}
    missing = [name for start, end, _, name in regions if ("%08x" % start, "%08x" % end) not in bands]
    if missing:
        raise SystemExit("memmap: the SVG has no band for: " + ", ".join(missing))
    print("memmap: %s parses and shows all %d regions of the layout" % (path, len(regions)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--qemu", default="qemu-system-i386")
    parser.add_argument("--kernel", required=True)
    parser.add_argument("--mem", default="128M")
    parser.add_argument("--out", default="build/memmap.svg")
    args = parser.parse_args()
    regions, uses, pages = read_record(args)
    with open(args.out, "w") as out:
        out.write(svg(regions, uses, pages, "ntmm memory map, %s RAM, after boot" % args.mem))
    check(args.out, regions)
    if shutil.which("rsvg-convert"):
        png = os.path.splitext(args.out)[0] + ".png"
        subprocess.run(["rsvg-convert", "-o", png, args.out], check=True)
        print("memmap: %s" % png)
    else:
        print("memmap: no rsvg-convert (make deps installs librsvg2-bin): SVG only")
    return 0


if __name__ == "__main__":
    sys.exit(main())
