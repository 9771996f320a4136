#!/usr/bin/env python3
"""mkdata.py DIR: the ramdisk's data files for the file and section suites (tests/kernel/file_test.c).

data.bin   three pages and 100 bytes; byte i is (i * 7 + i // 4096) & 0xFF, so every page differs
           and the last page ends part-way (the rest of that page must read as zero)
empty.bin  no bytes: a section on it is STATUS_MAPPED_FILE_SIZE_ZERO
"""
import os
import sys

PAGE = 4096
DATA_SIZE = 3 * PAGE + 100


def data_byte(i):
    return (i * 7 + i // PAGE) & 0xFF


def main():
    directory = sys.argv[1]
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, "data.bin"), "wb") as f:
        f.write(bytes(data_byte(i) for i in range(DATA_SIZE)))
    with open(os.path.join(directory, "empty.bin"), "wb"):
        pass


if __name__ == "__main__":
    main()
