#!/usr/bin/env python3
"""bench.py: boots the kernel's benchmarks under QEMU TCG with -icount shift=0 and reports.

With -icount shift=0 the guest TSC advances once per guest instruction, so the
kernel's rdtsc differences are instruction counts that repeat exactly. The
kernel prints "# bench|row|gross|net|reference|reference net|note" lines,
"# bench-target|what|figure|bound" and "# bench-fact|name|text" lines; this
prints them as tables, with each row's net figure over its reference's, and
writes build/bench/results.md (make bench-update copies it to the tracked
bench/results.md) with the date, the QEMU version and the command. It
fails only when the benchmark kernel does not finish; no figure makes it
fail.
"""
import argparse
import datetime
import os
import subprocess
import sys


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--qemu", default="qemu-system-i386")
    parser.add_argument("--kernel", required=True)
    parser.add_argument("--mem", default="128M")
    parser.add_argument("--out", default="build/bench/results.md")
    parser.add_argument("--log", default="build/bench.log")
    args = parser.parse_args()

    command = [args.qemu, "-kernel", args.kernel, "-append", "bench", "-m", args.mem, "-accel", "tcg",
               "-icount", "shift=0", "-display", "none", "-serial", "stdio", "-monitor", "none",
               "-no-reboot", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
    try:
        run = subprocess.run(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, timeout=600)
    except subprocess.TimeoutExpired:
        print("bench: the benchmark kernel did not finish in 10 minutes")
        return 1
    output = run.stdout.decode("utf-8", "replace").replace("\r", "")
    os.makedirs(os.path.dirname(args.log) or ".", exist_ok=True)
    with open(args.log, "w") as log:
        log.write(output)
    lines = output.splitlines()
    if "# bench: done" not in lines:
        print("bench: the benchmark kernel stopped early (QEMU exit %d); last lines:" % run.returncode)
        print("\n".join(lines[-25:]))
        return 1

    rows, facts, missing, targets = [], [], [], []
    for line in lines:
        if line.startswith("# bench|"):
            rows.append(line.split("|")[1:])
        elif line.startswith("# bench-target|"):
            targets.append(line.split("|")[1:])
        elif line.startswith("# bench-fact|"):
            facts.append(line.split("|")[1:])
        elif line.startswith("# bench-missing|"):
            missing.append(line.split("|")[1:])

    version = subprocess.run([args.qemu, "--version"], stdout=subprocess.PIPE).stdout.decode().splitlines()[0]
    out = ["# make bench: guest instructions per operation", "",
           "%s, %s, `-icount shift=0` (one TSC tick per guest instruction), %s RAM." % (
               datetime.date.today().isoformat(), version, args.mem),
           "Command: `%s`" % " ".join(command), "",
           "The emulator's count is deterministic: each row is one round's count per operation (the facts "
           "say how many rounds ran; a note gives their range where they differed). *Gross* is as counted; *net* takes off the harness "
           "(the call and loop around each operation, the first row), or for rows timed in ring 3 the program's "
           "own loop. The ratio is net over the reference's net. Host nanoseconds, which vary, are in "
           "results-host.md.",
           "", "| operation | gross | net | reference | reference net | net ratio |",
           "|---|--:|--:|---|--:|--:|"]
    for name, gross, net, reference, reference_net, note in rows:
        ratio = "%.2f" % (float(net) / float(reference_net)) if float(reference_net) else "–"
        out.append("| %s%s | %s | %s | %s | %s | %s |" % (name, " (%s)" % note if note else "", gross, net,
                                                          reference, reference_net, ratio))
    if targets:
        out += ["", "## Targets (issue 12)", "", "| target | figure | bound | |", "|---|--:|--:|---|"]
        out += ["| %s | %s | %s | %s |" % (what, figure, bound, "met" if float(figure) <= float(bound) else "not met")
                for what, figure, bound in targets]
    out += ["", "## Facts", "", "| measure | value |", "|---|---|"]
    out += ["| %s | %s |" % (name, text) for name, text in facts]
    if missing:
        out += ["", "Not measured yet:"] + ["- %s: %s" % (name, why) for name, why in missing]
    text = "\n".join(out) + "\n"
    print(text)
    os.makedirs(os.path.dirname(args.out) or ".", exist_ok=True)
    with open(args.out, "w") as results:
        results.write(text)
    print("bench: written to %s" % args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
