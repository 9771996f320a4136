"""ntmm.py: NT-style GDB commands for the ntmm kernel (loaded by tools/gdbinit).

Each prints what the kernel's kd> command of the same name prints for the
same objects (kernel/kd), reading the kernel through its debug information:
structure layouts, variables and constants come from the ELF file, never from
addresses written here. Numbers are hex as WinDbg prints them, pool tags text.
Bad input gets a one-line usage message, never a Python traceback.

  stop            the bugcheck code, its name and parameters
  ksym ADDR       the kernel function containing ADDR
  pte VA [END]    the PDE and PTE of VA (an address in the page tables is read as a PTE address)
  pfn PAGE        a physical page's PFN database entry
  pool VA         the pool page holding VA, every block, the one holding VA starred
  poolused [b|a|t] pool use by tag
  sysptes         system PTE use and fragmentation
  memusage        physical memory by list, commitment, system PTEs
  process [P]     every process, or one (id or EPROCESS address) in full
  vad [P]         a process's VADs
  address VA      what a system address is (region, PTE, pool); a user address's VAD
  trap ADDR       a KTRAP_FRAME's registers and the stack from it
A frame unwinder also takes `bt` through every trap frame (KiTrapCommon), so a
backtrace from a page-fault handler reaches the code that faulted.
"""
import gdb
import gdb.unwinder

PAGE_SHIFT, PAGE_SIZE = 12, 4096


class UsageError(Exception):
    pass


def _value(expression):
    try:
        return int(gdb.parse_and_eval(expression)) & 0xFFFFFFFF
    except gdb.error as error:
        raise UsageError(str(error))


def _number(text):
    """WinDbg reads numbers as hex: 80100000, 0x80100000, 8010`0000; 0n10 is decimal; else a GDB expression."""
    text = text.strip()
    try:
        if text.lower().startswith("0n"):
            return int(text[2:], 10)
        return int(text.replace("`", ""), 16) & 0xFFFFFFFF
    except ValueError:
        return _value(text)


def _read(address, length):
    try:
        return bytes(gdb.selected_inferior().read_memory(address, length))
    except gdb.MemoryError:
        return None


def _u32(address):
    data = _read(address, 4)
    return None if data is None else int.from_bytes(data, "little")


def _tag(value):
    return "".join(chr(value >> s & 0xFF) if 32 <= (value >> s & 0xFF) < 127 else "." for s in (0, 8, 16, 24))


def _symbol_value(name):
    return int(gdb.parse_and_eval(name)) & 0xFFFFFFFF


class NtmmCommand(gdb.Command):
    """A command with a usage line; anything wrong with its input is that line, not a traceback."""

    usage = ""
    minimum, maximum = 0, 0

    def __init__(self, name):
        self.name = name
        super().__init__(name, gdb.COMMAND_USER)

    def invoke(self, argument, from_tty):
        words = gdb.string_to_argv(argument)
        try:
            if not self.minimum <= len(words) <= self.maximum:
                raise UsageError("")
            self.run(words)
        except UsageError as error:
            print("Usage: %s %s%s" % (self.name, self.usage, (" (%s)" % error) if str(error) else ""))
        except gdb.MemoryError as error:
            print("%s: memory not readable: %s" % (self.name, error))
        except gdb.error as error:
            print("%s: %s" % (self.name, error))


# --- stop, ksym -------------------------------------------------------------------------

class StopCommand(NtmmCommand):
    """stop: the stop code and parameters of the bugcheck in progress."""

    usage = ""

    def run(self, words):
        data = [_value("KiBugCheckData[%d]" % i) for i in range(5)]
        if data[0] == 0:
            frame = gdb.selected_frame()
            if frame.name() in ("KeBugCheckEx", "KeBugCheckWithTf"):
                data = [_value("BugCheckCode")] + [_value("P%d" % i) for i in range(1, 5)]
        if data[0] == 0:
            print("no bugcheck in progress")
            return
        name = gdb.parse_and_eval("KeBugCheckName(%d)" % data[0]).string()
        print("*** STOP: 0x%08X (0x%08X,0x%08X,0x%08X,0x%08X)\n%s" % (tuple(data) + (name,)))


class KsymCommand(NtmmCommand):
    """ksym ADDRESS: the kernel function containing ADDRESS."""

    usage, minimum, maximum = "ADDRESS", 1, 1

    def run(self, words):
        print(gdb.execute("info symbol 0x%x" % _number(words[0]), to_string=True).strip())


# --- pte ----------------------------------------------------------------------------------

def _layout(field):
    """A constant of the address-space layout, from the kernel's KdDebuggerData (kernel/kd/kddata.c)."""
    return _value("KdDebuggerData.%s" % field)


PROTECTION_NAMES = ["NO_ACCESS", "READONLY", "EXECUTE", "EXECUTE_READ", "READWRITE", "WRITECOPY",
                    "EXECUTE_READWRITE", "EXECUTE_WRITECOPY"]


def _protection_name(protection):
    if protection == 0x10:
        return "DECOMMITTED"
    if protection == 0x18:
        return "NO_ACCESS"
    suffix = " WRITECOMBINE" if protection & 0x18 == 0x18 else " GUARD" if protection & 0x10 else \
        " NOCACHE" if protection & 0x08 else ""
    return PROTECTION_NAMES[protection & 7] + suffix


def _flags(value, is_pde):
    return "%s%s%s%s%s%s%s%s%sEV" % (
        "C" if value >> 9 & 1 else "-", "G" if value >> 8 & 1 else "-",
        ("L" if is_pde else "P") if value >> 7 & 1 else "-", "D" if value >> 6 & 1 else "-",
        "A" if value >> 5 & 1 else "-", "N" if value >> 4 & 1 else "-", "T" if value >> 3 & 1 else "-",
        "U" if value >> 2 & 1 else "K", "W" if value >> 1 & 1 else "R")


def _describe_pte(value, is_pde):
    """The lines kd's KdpDescribePte gives for one PDE or PTE."""
    lines = ["contains %08X" % value]
    if value & 1:
        lines.append("pfn %-9x %s" % (value >> 12, _flags(value, is_pde)))
        return lines
    lines.append("not valid")
    if value == 0:
        return lines
    if value >> 10 & 1:
        lines.append(" Proto: %08X" % (((value >> 11) << 11) | (((value >> 1) & 0x7F) << 2)))
        return lines
    protection = value >> 5 & 0x1F
    if value >> 11 & 1:
        lines.append(" Transition: %x" % (value >> 12))
    elif value >> 12 == 0:
        lines.append(" DemandZero")
    else:
        lines.append(" PageFile: %2x Offset: %x" % (value >> 1 & 0xF, value >> 12))
    lines.append(" Protect: %x - %s" % (protection, _protection_name(protection)))
    return lines


def _pte_address(va):
    return _layout("PteBase") + (va >> 12) * 4


def _pde_address(va):
    return _layout("PdeBase") + (va >> 22) * 4


class PteCommand(NtmmCommand):
    """pte VA [END]: the PDE and PTE of VA, as kd's !pte shows them."""

    usage, minimum, maximum = "VA [END]", 1, 2

    def run(self, words):
        va = _number(words[0])
        if len(words) == 2:
            end = _number(words[1])
            if end < va or (end - va) // PAGE_SIZE >= 0x400:
                print("Range %08x-%08x is out of order or spans more than %x pages" % (va, end, 0x400))
                return
            for page in range(va & ~0xFFF, end + 1, PAGE_SIZE):
                self.line(page)
            return
        if _layout("PteBase") <= va <= _layout("PteTop"):
            va = ((va & ~3) - _layout("PteBase")) << 10 & 0xFFFFFFFF
        pde_address, pte_address = _pde_address(va), _pte_address(va)
        pde = _u32(pde_address) or 0
        print("                    VA %08x" % va)
        print("PDE at %08X            PTE at %08X" % (pde_address, pte_address))
        left, right = _describe_pte(pde, True), []
        if pde & 1 and pde & 0x80:
            right = ["contains %08X" % 0, "LARGE PAGE pfn %x" % ((pde >> 12) + ((va >> 12) & 0x3FF))]
        elif pde & 1:
            pte = _u32(pte_address)
            if pte is not None:
                right = _describe_pte(pte, False)
        for i in range(max(len(left), len(right))):
            print("%-27s%s" % (left[i] if i < len(left) else "", right[i] if i < len(right) else ""))

    def line(self, va):
        pde = _u32(_pde_address(va)) or 0
        if not pde & 1:
            print("%08x  PDE %08X not valid" % (va, pde))
            return
        if pde & 0x80:
            print("%08x  PDE %08X LARGE PAGE pfn %x" % (va, pde, (pde >> 12) + ((va >> 12) & 0x3FF)))
            return
        lines = _describe_pte(_u32(_pte_address(va)) or 0, False)
        print("%08x  PTE at %08X %s" % (va, _pte_address(va), lines[0]) +
              "".join(" " + (l[1:] if l.startswith(" ") else l) for l in lines[1:]))


# --- pfn ----------------------------------------------------------------------------------

LOCATIONS = ["Zeroed", "Free", "Standby", "Modified", "ModNoWrt", "Bad", "Active", "Trans"]
CACHE_NAMES = ["NonCached", "Cached", "WriteComb", "NotMapped"]


def _is_physical_page(page):
    block = gdb.parse_and_eval("MmPhysicalMemoryBlock")
    for i in range(int(block["NumberOfRuns"])):
        run = block["Run"][i]
        if int(run["BasePage"]) <= page < int(run["BasePage"]) + int(run["PageCount"]):
            return True
    return False


class PfnCommand(NtmmCommand):
    """pfn PAGE: a physical page's PFN database entry, as kd's !pfn shows it."""

    usage, minimum, maximum = "PAGE", 1, 1

    def run(self, words):
        page = _number(words[0])
        highest = _value("MmHighestPhysicalPage")
        if page > highest or not _is_physical_page(page):
            print("Page %x is not RAM the PFN database describes (pages %x-%x, with holes)" % (
                page, _value("MmLowestPhysicalPage"), highest))
            return
        entry = gdb.parse_and_eval("MmPfnDatabase[%d]" % page)
        e1 = entry["u3"]["e2"]["e1"]
        flag = {name: int(e1[name]) for name in ("PageLocation", "CacheAttribute", "PageColor", "Modified",
                                                 "ReadInProgress", "WriteInProgress", "NonPagedPool",
                                                 "PrototypePte", "ParityError", "InPageError")}
        pte_address = int(entry["PteAddress"].cast(gdb.lookup_type("unsigned long"))) & 0xFFFFFFFF
        print("    PFN %08X at address %08X" % (page, int(entry.address) & 0xFFFFFFFF))
        print("    flink       %08X  blink / share count %08X  pteaddress %08X" % (
            int(entry["u1"]["Flink"]) & 0xFFFFFFFF, int(entry["u2"]["Blink"]) & 0xFFFFFFFF, pte_address))
        print("    reference count %04X    %-9s color %x" % (int(entry["u3"]["e2"]["ReferenceCount"]),
                                                           CACHE_NAMES[flag["CacheAttribute"]], flag["PageColor"]))
        print("    restore pte %08X  containing page %06X  %s %s%s%s" % (
            int(entry["OriginalPte"]["u"]["Long"]) & 0xFFFFFFFF, int(entry["u4"]["PteFrame"]) & 0xFFFFFFFF,
            LOCATIONS[flag["PageLocation"]], "M" if flag["Modified"] else " ",
            "R" if flag["ReadInProgress"] else " ", "W" if flag["WriteInProgress"] else " "))
        extra = "".join(text for condition, text in (
            (flag["Modified"], " Modified"), (flag["NonPagedPool"], " NonPagedPool"),
            (flag["PrototypePte"], " PrototypePte"), (flag["ParityError"], " ParityError"),
            (flag["InPageError"], " InPageError"), (pte_address & 1, " Deleted"),
            (flag["PageLocation"] == 6 and pte_address == 0, " Reserved")) if condition)
        if extra:
            print("   " + extra)


# --- pool ---------------------------------------------------------------------------------

BLOCK_STATES = ["(Allocated)", "(Free)", "(Lookaside)", "(Free frag)", "(Corrupt!)"]


def _print_block(address, size, previous, state, tag, holds):
    text = "%s%08x size: %4x previous size: %4x  %s" % ("*" if holds else " ", address, size, previous,
                                                         BLOCK_STATES[state])
    if state == 0 or holds:
        text += " " * (13 - len(BLOCK_STATES[state])) + ("*" if holds else " ") + _tag(tag)
    print(text)


def _pool_range(va):
    """('Nonpaged'|'Paged', range variable) for the pool range VA is in, or None."""
    for name, kind in (("MiInitialNonPagedPool", "Nonpaged"), ("MiNonPagedPoolExpansion", "Nonpaged"),
                       ("MiPagedPool", "Paged")):
        pool_range = gdb.parse_and_eval(name)
        base, pages = int(pool_range["Base"]) & 0xFFFFFFFF, int(pool_range["Pages"])
        if base <= va < base + pages * PAGE_SIZE:
            return kind, pool_range, (va - base) >> PAGE_SHIFT
    return None


def _bit(bitmap, index):
    """Bit index of an RTL_BITMAP, or of an RTL_RUN_MAP's bitmap (lib/rtl/runmap.c)."""
    if any(field.name == "Bits" for field in bitmap.type.strip_typedefs().fields()):
        bitmap = bitmap["Bits"]
    word = _u32(int(bitmap["Buffer"]) + (index // 32) * 4)
    return word is not None and word >> (index % 32) & 1


def _big_page(start):
    table, size = gdb.parse_and_eval("ExpBigPageTable"), _value("ExpBigPageTableSize")
    for i in range(size):
        entry = table[i]
        if int(entry["Va"]) & 0xFFFFFFFF == start:
            return int(entry["Key"]) & 0x7FFFFFFF, int(entry["NumberOfPages"])
    return None


def _allocation_start(pool_range, index):
    """The first page of the allocation holding page INDEX of a range (the pages before it end no allocation)."""
    while index > 0 and _bit(pool_range["InUse"], index - 1) and not _bit(pool_range["EndOfAllocation"], index - 1):
        index -= 1
    return index


class PoolCommand(NtmmCommand):
    """pool VA: the pool page holding VA, as kd's !pool shows it."""

    usage, minimum, maximum = "VA", 1, 1

    def run(self, words):
        va = _number(words[0])
        found = _pool_range(va)
        if found is None:
            print("%08x is not in a pool range (!address says what it is)" % va)
            return
        kind, pool_range, index = found
        print("Pool page %08x region is %s pool" % (va, kind))
        if not _bit(pool_range["InUse"], index):
            print("%08x is in a pool page no allocation holds (free)" % (va & ~0xFFF))
            return
        base = int(pool_range["Base"]) & 0xFFFFFFFF
        start = base + _allocation_start(pool_range, index) * PAGE_SIZE
        big = _big_page(start)
        descriptor = gdb.parse_and_eval("Exp%sPoolDescriptor" % ("Paged" if kind == "Paged" else "NonPaged"))
        page = va & ~0xFFF
        table, size = _value("ExpBigPageTable"), _value("ExpBigPageTableSize")
        entry_size = int(gdb.lookup_type("POOL_TRACKER_BIG_PAGES").sizeof)
        if big is not None:
            _print_block(start, big[1] * PAGE_SIZE, 0, 0, big[0], va - start < big[1] * PAGE_SIZE)
            print("%08x is in a large page allocation (whole pages, no header)" % va)
        elif table <= page < table + size * entry_size:
            print("%08x is in the big-page table's own storage" % va)
        elif page == int(descriptor["SparePage"]) & 0xFFFFFFFF:
            print("%08x is in the pool's spare page (free, kept back to save page churn)" % va)
        else:
            data = _read(page, PAGE_SIZE)
            if data is None:
                print("%08x: the page is not resident (demand-zero, never touched)" % page)
                return
            self.blocks(page, data, va)

    def blocks(self, page, data, va):
        minimum = (8 + 8 + 7) // 8
        units, previous = 0, 0
        while units < 512:
            word, tag = int.from_bytes(data[units * 8:units * 8 + 4], "little"), \
                int.from_bytes(data[units * 8 + 4:units * 8 + 8], "little")
            prev_size, index, size, pool_type = word & 0x1FF, word >> 9 & 0x7F, word >> 16 & 0x1FF, word >> 25
            address = page + units * 8
            state = 0 if pool_type else 2 if index & 0x40 else 3 if size < minimum else 1
            holds = address <= va < address + size * 8
            if size == 0 or units + size > 512 or prev_size != previous:
                _print_block(address, size * 8, prev_size * 8, 4, tag, holds)
                return
            _print_block(address, size * 8, prev_size * 8, state, tag, holds)
            previous, units = size, units + size


class PoolUsedCommand(NtmmCommand):
    """poolused [b|a|t]: pool use by tag, as kd's !poolused shows it."""

    usage, minimum, maximum = "[b|a|t]", 0, 1

    def run(self, words):
        key = words[0] if words else "b"
        if key not in ("b", "a", "t"):
            raise UsageError("sort by bytes, allocations outstanding, or tag")
        rows = []
        free_key = 0x80000000   # POOL_TRACKER_FREE_KEY: the protected bit, never a tag's
        # The tracker's index (kernel/ex/pooltag.c): a slot per record, empty slots 0; then the overflow record.
        index = gdb.parse_and_eval("ExpTrackIndex")
        slots = 1 << (32 - int(gdb.parse_and_eval("ExpTrackIndexShift")))
        records = [index[i].dereference() for i in range(slots) if int(index[i]) != 0]
        records.append(gdb.parse_and_eval("ExpPoolTrackOverflow"))
        for entry in records:
            tag = int(entry["Key"]) & 0xFFFFFFFF
            counts = entry["Counts"]
            fields = [int(counts[t][f]) & 0xFFFFFFFF for t in (0, 1) for f in ("Allocs", "Frees", "Bytes")]
            if tag == free_key or fields[0] + fields[3] == 0:
                continue
            rows.append((tag, fields))
        if key == "t":
            rows.sort(key=lambda row: _tag(row[0]))
        elif key == "a":
            rows.sort(key=lambda row: -((row[1][0] - row[1][1] + row[1][3] - row[1][4]) & 0xFFFFFFFF))
        else:
            rows.sort(key=lambda row: -((row[1][2] + row[1][5]) & 0xFFFFFFFF))
        print(" Sorting by %s" % {"a": "Allocations", "t": "Tag", "b": "Bytes"}[key])
        print("               NonPaged                            Paged")
        print(" Tag     Allocs    Frees   Diff     Used    Allocs    Frees   Diff     Used")
        for tag, f in rows:
            print(" %s %9x %8x %6x %8x %9x %8x %6x %8x" % (_tag(tag), f[0], f[1], (f[0] - f[1]) & 0xFFFFFFFF, f[2],
                                                         f[3], f[4], (f[3] - f[4]) & 0xFFFFFFFF, f[5]))


# --- sysptes, memusage ---------------------------------------------------------------------

class SysptesCommand(NtmmCommand):
    """sysptes: system PTE use and fragmentation, as kd's !sysptes shows it."""

    def run(self, words):
        total, free = _value("MmNumberOfSystemPtes"), _value("MmTotalFreeSystemPtes")
        start = _value("MmSystemPtesStart")
        bitmap = gdb.parse_and_eval("MiSystemPteMap")["Bits"]   # the run map's bitmap (mm/syspte.c)
        data = _read(int(bitmap["Buffer"]) & 0xFFFFFFFF, (total + 7) // 8)
        print("System PTE Information")
        print("  Total System Ptes %d" % total)
        print("     starting PTE: %08x" % start)
        print("     ending PTE:   %08x" % _value("MmSystemPtesEnd"))
        print("     mapping %08x-%08x" % (_layout("SystemPteStart"), _layout("SystemPteEnd")))
        runs = {True: [0, 0], False: [0, 0]}
        run, reserved_run = 0, False
        for i in range(total + 1):
            reserved = i < total and bool(data[i // 8] >> (i % 8) & 1)
            if i != 0 and (i == total or reserved != reserved_run):
                runs[reserved_run][0] += 1
                runs[reserved_run][1] = max(runs[reserved_run][1], run)
                run = 0
            reserved_run = reserved
            run += 1
        print("\n  in use: %d PTEs in %d runs, largest %d" % (total - free, runs[True][0], runs[True][1]))
        print("  free blocks: %d   total free: %d    largest free block: %d" % (runs[False][0], free, runs[False][1]))


class MemusageCommand(NtmmCommand):
    """memusage: physical memory by list, commitment and system PTEs, as kd's !vm shows them."""

    def run(self, words):
        ram, available = _value("MmNumberOfPhysicalPages"), _value("MmAvailablePages")
        zeroed, free = _value("MmZeroedPageListHead.Total"), _value("MmFreePageListHead.Total")
        bad = _value("MmBadPageListHead.Total")
        committed, free_ptes = _value("MmTotalCommittedPages"), _value("MmTotalFreeSystemPtes")
        for label, value, extra in (
                ("Physical Memory:", ram, ""), ("Available Pages:", available, ""), ("  Zeroed list:", zeroed, ""),
                ("  Free list:", free, ""), ("Bad list:", bad, ""), ("Active pages:", ram - available - bad, ""),
                ("Committed pages:", committed, "  limit %d, peak %d" % (_value("MmTotalCommitLimit"),
                                                                         _value("MmPeakCommitment"))),
                ("Free System PTEs:", free_ptes, "  of %d" % _value("MmNumberOfSystemPtes"))):
            print("%-18s %8d (%9d Kb)%s" % (label, value, value * 4, extra))


# --- processes, VADs, addresses ---------------------------------------------------------------

def _processes():
    head = gdb.parse_and_eval("&PsActiveProcessHead")
    eprocess = gdb.lookup_type("EPROCESS")
    offset = int(gdb.parse_and_eval("(unsigned long)&((EPROCESS *)0)->ActiveProcessLinks"))
    entry = head["Flink"]
    while int(entry) != int(head):
        yield gdb.Value(int(entry) - offset).cast(eprocess.pointer()).dereference()
        entry = entry["Flink"]


def _find_process(text):
    value = _number(text)
    for process in _processes():
        if int(process["UniqueProcessId"]) & 0xFFFFFFFF == value or int(process.address) & 0xFFFFFFFF == value:
            return process
    print("No process has id or address %x (process lists them)" % value)
    return None


def _show_process(process, detail):
    table = process["ObjectTable"]
    print("PROCESS %08x  Cid: %04x    Peb: %08x  ParentCid: 0000" % (
        int(process.address) & 0xFFFFFFFF, int(process["UniqueProcessId"]) & 0xFFFFFFFF, int(process["Peb"]) & 0xFFFFFFFF))
    print("    DirBase: %08x  ObjectTable: %08x  HandleCount: %4d." % (
        int(process["Pcb"]["DirectoryTableBase"][0]) & 0xFFFFFFFF, int(table) & 0xFFFFFFFF,
        int(table["HandleCount"]) if int(table) else 0))
    print("    Image: %s%s" % (process["ImageFileName"].string(), " (exiting)" if int(process["ProcessExiting"]) else ""))
    if not detail:
        return
    print("    VadRoot %08x Vads %d  VirtualSize %d Kb (peak %d Kb)" % (
        int(process["VadRoot"]["Root"]) & 0xFFFFFFFF, int(process["VadRoot"]["NumberOfNodes"]),
        int(process["VirtualSize"]) // 1024, int(process["PeakVirtualSize"]) // 1024))
    print("    CommitCharge %d pages  PrivatePages %d  PageTables %d  LockedPages %d" % (
        int(process["CommitCharge"]), int(process["NumberOfPrivatePages"]), int(process["NumberOfPageTables"]),
        int(process["NumberOfLockedPages"])))
    print("    WorkingSetSize %d pages (peak %d)  PageFaultCount %d" % (
        int(process["Vm"]["WorkingSetSize"]), int(process["Vm"]["PeakWorkingSetSize"]),
        int(process["Vm"]["PageFaultCount"])))


class ProcessCommand(NtmmCommand):
    """process [P]: every process, or one by id or EPROCESS address, as kd's !process shows them."""

    usage, minimum, maximum = "[process]", 0, 1

    def run(self, words):
        if words:
            process = _find_process(words[0])
            if process is not None:
                _show_process(process, True)
            return
        print("**** NT ACTIVE PROCESS DUMP ****")
        for process in _processes():
            _show_process(process, False)
            print()


def _vads(process):
    """The VAD tree in order (an in-order walk of RTL_AVL_RANGE_NODEs)."""
    vad_type = gdb.lookup_type("MMVAD").pointer()
    node = process["VadRoot"]["Root"]
    result = []

    def walk(node, level):
        if int(node) == 0 or level > 64:
            return
        walk(node["LeftChild"], level + 1)
        result.append((node.cast(vad_type).dereference(), level))
        walk(node["RightChild"], level + 1)
    walk(node, 0)
    return result


class VadCommand(NtmmCommand):
    """vad [P]: a process's VADs, as kd's !vad shows them."""

    usage, minimum, maximum = "[process]", 0, 1

    def run(self, words):
        if words:
            process = _find_process(words[0])
        else:
            thread = gdb.parse_and_eval("KiPcr.CurrentThread")
            process = thread["ApcState"]["Process"].cast(gdb.lookup_type("EPROCESS").pointer()).dereference()
        if process is None:
            return
        print("VAD      Level     Start       End Commit")
        vads = _vads(process)
        for vad, level in vads:
            flags = vad["u"]["VadFlags"]
            kind = "Physical" if int(flags["PhysicalMapping"]) else "Image" if int(flags["ImageMap"]) else \
                "Private" if int(flags["PrivateMemory"]) else "Mapped"
            print("%08x %5d %9x %9x %6d %-9s %s%s%s" % (
                int(vad.address) & 0xFFFFFFFF, level, int(vad["Node"]["StartingVpn"]), int(vad["Node"]["EndingVpn"]),
                int(flags["CommitCharge"]), kind, _protection_name(int(flags["Protection"])),
                " MemCommit" if int(flags["MemCommit"]) else "", " NoChange" if int(flags["NoChange"]) else ""))
        count = len(vads)
        print("\nTotal VADs: %d, average level: %d, maximum depth: %d (process %04x, %s)" % (
            count, sum(level for _, level in vads) // count if count else 0, max([l for _, l in vads] or [0]),
            int(process["UniqueProcessId"]) & 0xFFFFFFFF, process["ImageFileName"].string()))


class AddressCommand(NtmmCommand):
    """address VA: a system address's region and PTE, or the VAD holding a user address."""

    usage, minimum, maximum = "VA", 1, 1

    def run(self, words):
        va = _number(words[0])
        if _layout("LowestUserAddress") <= va <= _layout("HighestUserAddress"):
            thread = gdb.parse_and_eval("KiPcr.CurrentThread")
            process = thread["ApcState"]["Process"].cast(gdb.lookup_type("EPROCESS").pointer()).dereference()
            for vad, _ in _vads(process):
                if int(vad["Node"]["StartingVpn"]) <= va >> 12 <= int(vad["Node"]["EndingVpn"]):
                    print("VAD:                    %08x (start %x, end %x, commit %d)" % (
                        int(vad.address) & 0xFFFFFFFF, int(vad["Node"]["StartingVpn"]), int(vad["Node"]["EndingVpn"]),
                        int(vad["u"]["VadFlags"]["CommitCharge"])))
                    break
            else:
                print("Usage:                  Free")
        pde = _u32(_pde_address(va)) or 0
        if pde & 1 and pde & 0x80:
            print("State:                  MEM_COMMIT (a 4 MB page, pfn %x)" % ((pde >> 12) + ((va >> 12) & 0x3FF)))
        elif not pde & 1:
            print("State:                  MEM_FREE (no page table)")
        else:
            pte = _u32(_pte_address(va)) or 0
            print("State:                  " + ("MEM_COMMIT (resident, pfn %x)" % (pte >> 12) if pte & 1 else
                                                "MEM_COMMIT (not resident: PTE %08x)" % pte if pte else
                                                "MEM_FREE (zero PTE)"))


# --- trap frames ----------------------------------------------------------------------------

def _symbolize(address):
    try:
        block = gdb.block_for_pc(address)
    except RuntimeError:
        block = None
    name, start = None, None
    while block is not None and block.function is None:
        block = block.superblock
    if block is not None and block.function is not None:
        name, start = block.function.name, block.start
    else:
        text = gdb.execute("info symbol 0x%x" % address, to_string=True)
        if " in section " in text and "No symbol" not in text:
            parts = text.split(" in section ")[0].split(" + ")
            name = parts[0]
            start = address - (int(parts[1]) if len(parts) > 1 else 0)
    return "%08X %s+0x%X" % (address, name, address - start) if name else "%08X" % address


TRAP_FIELDS = ["SegGs", "SegFs", "SegEs", "SegDs", "Edi", "Esi", "Ebp", "PushedEsp", "Ebx", "Edx", "Ecx", "Eax",
               "TrapNumber", "ErrCode", "Eip", "SegCs", "EFlags", "HardwareEsp", "HardwareSegSs"]


def _trap_frame(address):
    data = _read(address, 4 * len(TRAP_FIELDS))
    if data is None:
        return None
    return {name: int.from_bytes(data[i * 4:i * 4 + 4], "little") for i, name in enumerate(TRAP_FIELDS)}


def _trap_esp(address, frame):
    return frame["HardwareEsp"] if frame["SegCs"] & 3 else address + TRAP_FIELDS.index("HardwareEsp") * 4


class TrapCommand(NtmmCommand):
    """trap ADDR: a KTRAP_FRAME's registers and the stack from it, as a stop prints them (WinDbg's .trap)."""

    usage, minimum, maximum = "ADDRESS-OF-KTRAP_FRAME", 1, 1

    def run(self, words):
        address = _number(words[0])
        frame = _trap_frame(address)
        if frame is None:
            print("trap: no KTRAP_FRAME can be read at %08x" % address)
            return
        print("EAX=%08X EBX=%08X ECX=%08X EDX=%08X" % (frame["Eax"], frame["Ebx"], frame["Ecx"], frame["Edx"]))
        print("ESI=%08X EDI=%08X EBP=%08X ESP=%08X" % (frame["Esi"], frame["Edi"], frame["Ebp"],
                                                       _trap_esp(address, frame)))
        print("EIP=%08X EFL=%08X CS=%04X DS=%04X ES=%04X FS=%04X GS=%04X" % (
            frame["Eip"], frame["EFlags"], frame["SegCs"] & 0xFFFF, frame["SegDs"] & 0xFFFF, frame["SegEs"] & 0xFFFF,
            frame["SegFs"] & 0xFFFF, frame["SegGs"] & 0xFFFF))
        print("Trap %02X, error code %08X" % (frame["TrapNumber"], frame["ErrCode"]))
        print("Stack trace:")
        eip, ebp = frame["Eip"], frame["Ebp"]
        for depth in range(32):
            print("  #%-2d %s" % (depth, _symbolize(eip)))
            if ebp == 0:
                break
            words = _read(ebp, 8)
            if words is None:
                break
            next_ebp, eip = int.from_bytes(words[:4], "little"), int.from_bytes(words[4:], "little")
            if eip == 0 or next_ebp <= ebp:
                if eip != 0:
                    print("  #%-2d %s" % (depth + 1, _symbolize(eip)))
                break
            ebp = next_ebp


class FrameId:
    """What create_unwind_info wants: the frame's stack pointer and code address."""

    def __init__(self, sp, pc):
        self.sp, self.pc = sp, pc


class TrapFrameUnwinder(gdb.unwinder.Unwinder):
    """Unwinds KiTrapCommon's frame (or the page fault stub's, the same) through the KTRAP_FRAME it built."""

    def __init__(self):
        super().__init__("ntmm-trap-frame")

    def __call__(self, pending_frame):
        pc = int(pending_frame.read_register("eip")) & 0xFFFFFFFF
        try:
            name = gdb.execute("info symbol 0x%x" % pc, to_string=True).split()[0]
        except gdb.error:
            return None
        if name not in ("KiTrapCommon", "KiTrapStub14", "KiTrapReturn"):
            return None
        # TRAP_CALL pushed the frame's Eip and Ebp just above the KTRAP_FRAME and pointed EBP at them.
        address = (int(pending_frame.read_register("ebp")) & 0xFFFFFFFF) + 8
        frame = _trap_frame(address)
        if frame is None:
            return None
        sp = pending_frame.read_register("esp")
        info = pending_frame.create_unwind_info(FrameId(sp, pending_frame.read_register("eip")))
        int_type = gdb.lookup_type("unsigned int")
        for register, value in (("eip", frame["Eip"]), ("ebp", frame["Ebp"]), ("esp", _trap_esp(address, frame)),
                                ("eax", frame["Eax"]), ("ebx", frame["Ebx"]), ("ecx", frame["Ecx"]),
                                ("edx", frame["Edx"]), ("esi", frame["Esi"]), ("edi", frame["Edi"]),
                                ("eflags", frame["EFlags"])):
            info.add_saved_register(register, gdb.Value(value).cast(int_type))
        return info


for command, name in ((StopCommand, "stop"), (KsymCommand, "ksym"), (PteCommand, "pte"), (PfnCommand, "pfn"),
                      (PoolCommand, "pool"), (PoolUsedCommand, "poolused"), (SysptesCommand, "sysptes"),
                      (MemusageCommand, "memusage"), (ProcessCommand, "process"), (VadCommand, "vad"),
                      (AddressCommand, "address"), (TrapCommand, "trap")):
    command(name)
gdb.unwinder.register_unwinder(None, TrapFrameUnwinder(), replace=True)
