"""ntmm.py: NT-style GDB commands for the ntmm kernel (loaded by tools/gdbinit).

  stop        the bugcheck code, its name and parameters (after a break in KeBugCheckEx)
  ksym ADDR   the kernel function containing ADDR
  pte ADDR    the PDE and PTE that map ADDR (read through the self-map)
  pfn FRAME   a page frame's PFN database entry
  poolused    pool use by tag, largest first
"""
import gdb


def _u32(expression):
    """An expression's value, or a gdb.Value's, as an unsigned 32-bit integer."""
    value = gdb.parse_and_eval(expression) if isinstance(expression, str) else expression
    return int(value) & 0xFFFFFFFF


class StopCommand(gdb.Command):
    """Show the stop code and parameters of the bugcheck in progress."""

    def __init__(self):
        super().__init__("stop", gdb.COMMAND_USER)

    def invoke(self, argument, from_tty):
        data = [_u32("KiBugCheckData[%d]" % i) for i in range(5)]
        if data[0] == 0:
            frame = gdb.selected_frame()
            if frame.name() in ("KeBugCheckEx", "KeBugCheckWithTf"):
                data = [_u32("BugCheckCode")] + [_u32("P%d" % i) for i in range(1, 5)]
        if data[0] == 0:
            print("no bugcheck in progress")
            return
        name = gdb.parse_and_eval("KeBugCheckName(%d)" % data[0]).string()
        print("*** STOP: 0x%08X (0x%08X,0x%08X,0x%08X,0x%08X)\n%s" % (tuple(data) + (name,)))


class KsymCommand(gdb.Command):
    """ksym ADDRESS: the kernel function containing ADDRESS."""

    def __init__(self):
        super().__init__("ksym", gdb.COMMAND_USER)

    def invoke(self, argument, from_tty):
        address = _u32(argument)
        print(gdb.execute("info symbol 0x%x" % address, to_string=True).strip())


StopCommand()
KsymCommand()


PTE_BASE, PDE_BASE = 0xC0000000, 0xC0300000
LOCATIONS = ["Zeroed", "Free", "Standby", "Modified", "ModifiedNoWrite", "Bad", "Active", "Transition"]


def _read_u32(address):
    data = gdb.selected_inferior().read_memory(address, 4)
    return int.from_bytes(bytes(data), "little")


def _decode_pte(value, large_allowed):
    if not value & 1:
        if value == 0:
            return "zero (nothing mapped)"
        return "invalid %08X (software: protection %d%s)" % (
            value, (value >> 5) & 0x1F, ", transition" if value & 0x800 else "")
    flags = [name for bit, name in ((1, "W"), (2, "U"), (3, "PWT"), (4, "PCD"), (5, "A"), (6, "D"),
                                    (7, "PS" if large_allowed else "PAT"), (8, "G")) if value >> bit & 1]
    return "valid, frame %05X %s" % (value >> 12, " ".join(flags))


class PteCommand(gdb.Command):
    """pte ADDRESS: the PDE and PTE that map ADDRESS, read through the self-map, as !pte shows them."""

    def __init__(self):
        super().__init__("pte", gdb.COMMAND_USER)

    def invoke(self, argument, from_tty):
        va = _u32(argument)
        pde_address = PDE_BASE + (va >> 22) * 4
        pde = _read_u32(pde_address)
        print("VA %08X" % va)
        print("PDE at %08X: %s" % (pde_address, _decode_pte(pde, True)))
        if not pde & 1:
            return
        if pde & 0x80:
            print("4 MB page: physical %08X" % ((pde & 0xFFC00000) + (va & 0x3FFFFF)))
            return
        pte_address = PTE_BASE + (va >> 12) * 4
        pte = _read_u32(pte_address)
        print("PTE at %08X: %s" % (pte_address, _decode_pte(pte, False)))
        if pte & 1:
            print("physical %08X" % ((pte & 0xFFFFF000) + (va & 0xFFF)))


class PfnCommand(gdb.Command):
    """pfn FRAME: the PFN database entry of a page frame, as !pfn shows it."""

    def __init__(self):
        super().__init__("pfn", gdb.COMMAND_USER)

    def invoke(self, argument, from_tty):
        frame = _u32(argument)
        entry = gdb.parse_and_eval("MmPfnDatabase[%d]" % frame)
        location = int(entry["u3"]["e2"]["e1"]["PageLocation"])
        print("PFN %05X at %s" % (frame, entry.address))
        print("  location %s, reference count %d, %s %d" % (
            LOCATIONS[location], int(entry["u3"]["e2"]["ReferenceCount"]),
            "share count" if location == 6 else "blink", int(entry["u2"]["ShareCount"])))
        print("  %s %08X, PTE address %08X, PTE frame %05X, original PTE %08X" % (
            "owner" if location == 6 else "flink", _u32(entry["u1"]["Flink"]), _u32(entry["PteAddress"]),
            _u32(entry["u4"]["PteFrame"]), _u32(entry["OriginalPte"]["u"]["Long"])))


class PoolUsedCommand(gdb.Command):
    """poolused: pool use by tag, largest first, as !poolused shows it."""

    def __init__(self):
        super().__init__("poolused", gdb.COMMAND_USER)

    def invoke(self, argument, from_tty):
        index = gdb.parse_and_eval("ExpTrackIndex")
        slots = 1 << (32 - int(gdb.parse_and_eval("ExpTrackIndexShift")))
        records = [index[i].dereference() for i in range(slots) if int(index[i]) != 0]
        records.append(gdb.parse_and_eval("ExpPoolTrackOverflow"))
        rows = []
        for entry in records:
            key = int(entry["Key"])
            counts = entry["Counts"]
            if int(counts[0]["Allocs"]) + int(counts[1]["Allocs"]):
                tag = "".join(chr(key >> s & 0xFF) if 32 <= (key >> s & 0xFF) < 127 else "." for s in (0, 8, 16, 24))
                rows.append((int(counts[0]["Bytes"]) + int(counts[1]["Bytes"]), tag, counts))
        print(" Tag   NP allocs  NP frees  NP bytes   P allocs   P frees   P bytes")
        for _, tag, counts in sorted(rows, key=lambda row: -row[0]):
            print(" %s %9d %9d %9d %9d %9d %9d" % (tag, int(counts[0]["Allocs"]), int(counts[0]["Frees"]),
                                                   int(counts[0]["Bytes"]), int(counts[1]["Allocs"]),
                                                   int(counts[1]["Frees"]), int(counts[1]["Bytes"])))


PteCommand()
PfnCommand()
PoolUsedCommand()
