"""check.py: make gdb-test's checks, run inside GDB (gdb -x tools/gdbinit -x tests/gdb/check.py).

The kernel boots the kd suite (ktest=kd). At KtDebuggerCheckpoint the case
kd.state_for_the_debugger_to_read has built a known state (a nonpaged block
with a known tag, a paged allocation whose second page is demand-zero, a
small paged block) and printed kd's answer to each command between
"# kd-gdb COMMAND" and "# kd-gdb-end" on COM1; each GDB command must print
exactly the same. Then bad input must get a usage line, never a traceback;
and at the page fault kd.fault_for_the_debugger_to_unwind provokes, `bt`
must go through the trap frame to the case, and `trap` must print the frame.
"""
import os
import re

import gdb

failures = []
GDB_NAMES = {"!vm": "memusage"}


def check(condition, what, detail=""):
    print("  %-4s %s" % ("ok" if condition else "FAIL", what))
    if not condition:
        failures.append(what)
        if detail:
            print("       " + detail.rstrip().replace("\n", "\n       "))


def run(command):
    try:
        return gdb.execute(command, to_string=True)
    except gdb.error as error:
        return "gdb error: %s" % error


def kd_blocks(path):
    text = open(path, encoding="latin-1").read().replace("\r", "")
    return re.findall(r"^# kd-gdb ([^\n]*)\n(.*?)^# kd-gdb-end$", text, re.M | re.S)


def main():
    run("break KtDebuggerCheckpoint")
    run("continue")
    frame = gdb.selected_frame().name()
    check(frame == "KtDebuggerCheckpoint", "stopped at KtDebuggerCheckpoint (in %s)" % frame)
    blocks = kd_blocks(os.environ["NTMM_SERIAL_LOG"])
    check(len(blocks) >= 10, "the kernel printed kd's view of %d commands" % len(blocks))
    print("each command prints what kd printed for the same objects:")
    for command, expected in blocks:
        name, _, arguments = command.partition(" ")
        gdb_command = (GDB_NAMES.get(name) or name.lstrip("!")) + (" " + arguments if arguments else "")
        answer = run(gdb_command)
        same = [l.rstrip() for l in answer.splitlines()] == [l.rstrip() for l in expected.splitlines()]
        check(same, "%-18s = kd's %s" % (gdb_command, command),
              "" if same else "kd printed:\n%s\nGDB printed:\n%s" % (expected, answer))

    print("bad input: one usage line, never a traceback:")
    for command in ("pte", "pte zz", "pfn", "pfn 1 2", "pool", "poolused q", "trap", "ksym", "vad 99999",
                    "process nosuchsymbol", "address", "pfn ffffffff", "trap 0"):
        answer = run(command)
        lines = answer.strip().splitlines()
        check(len(lines) == 1 and "Traceback" not in answer and "Python Exception" not in answer,
              "%-20s -> %s" % (command, lines[0] if lines else "(nothing)"), answer)

    print("a backtrace through a page fault:")
    run("delete")
    run("break MmAccessFault if (unsigned long)VirtualAddress == KdDebuggerData.SystemPteEnd - 0xFFF")
    run("continue")
    backtrace = run("bt")
    names = re.findall(r"^#\d+\s+(?:0x[0-9a-f]+ in )?(\w+)", backtrace, re.M)
    check(("KiProbeRead" in names or "KiProbeStart" in names) and "KtCase_kd__fault_for_the_debugger_to_unwind" in names and
          names[-1] == "KiBootHighHalf" and "KiSystemStartup" in names,
          "bt goes from MmAccessFault through the trap frame to the case and KiSystemStartup", backtrace)
    run("frame function MmAccessFault")   # KiTrap0E's own TrapFrame may be optimized out
    trap = run("trap TrapFrame")
    eip = re.search(r"EIP=([0-9A-F]{8})", trap)
    pc = re.search(r"0x([0-9a-f]+) in KiProbe", backtrace)
    check(eip is not None and pc is not None and int(eip.group(1), 16) == int(pc.group(1), 16) and
          re.search(r"#0  %s KiProbe\w+\+0x" % eip.group(1), trap) and "KiSystemStartup+0x" in trap and
          "Trap 0E, error code" in trap, "trap prints the KTRAP_FRAME bt went through, and the stack from it", trap)
    print("\ngdb-test: %s" % ("%d checks failed" % len(failures) if failures else "every check passed"))


try:
    main()
except Exception as error:  # any Python exception fails the test
    failures.append("Python exception: %r" % error)
    print("  FAIL Python exception: %r" % error)
gdb.execute("kill")
gdb.execute("quit %d" % (1 if failures else 0))
