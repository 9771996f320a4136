#!/usr/bin/env python3
"""readme_sample.py: the README's sample output, taken from real boots.

The README holds two samples between markers: "<!-- sample: boot -->" (a
normal boot up to the kd> prompt and a few commands typed at it) and
"<!-- sample: stop -->" (a stop, from the divide-by-zero bugcheck case).
`make readme-sample` boots the kernel and writes both into README.md;
`make readme-check` (CI) boots it the same way and fails when the README's
samples differ from what the kernel prints now. Numbers (addresses, counts,
the time) change with every build and clock and are not compared: any word
with a digit in it stands for itself; everything else must match.
"""
import argparse
import os
import re
import subprocess
import sys
import threading
import time

SESSION = ["!pte 80100000", "!poolused"]
STOP_CASE = "trap.divide_by_zero_outside_try_stops_with_0x1e"


def qemu_command(args, append):
    return [args.qemu, "-kernel", args.kernel, "-append", append, "-m", "128M", "-display", "none", "-no-reboot",
            "-serial", "stdio", "-monitor", "none", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]


def boot_sample(args):
    """A normal boot's banner, then SESSION typed at the prompt."""
    process = subprocess.Popen(qemu_command(args, ""), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, bufsize=0)
    output = bytearray()
    done = threading.Event()

    def read():
        while True:
            data = os.read(process.stdout.fileno(), 4096)
            if not data:
                break
            output.extend(data)
        done.set()
    threading.Thread(target=read, daemon=True).start()

    def wait_for_prompt(count):
        deadline = time.monotonic() + 60
        while output.count(b"kd> ") < count and time.monotonic() < deadline and not done.is_set():
            time.sleep(0.05)
    wait_for_prompt(1)
    for number, command in enumerate(SESSION, 2):
        process.stdin.write(command.encode() + b"\r")
        wait_for_prompt(number)
    process.stdin.write(b".reboot\r")
    process.wait(timeout=30)
    text = output.decode("latin-1").replace("\r", "")
    start = text.index("ntmm: NT-style")
    end = text.rindex("kd> .reboot")
    return text[start:end] + "kd>"


def stop_sample(args):
    text = subprocess.run(qemu_command(args, "ktest=" + STOP_CASE), capture_output=True, timeout=120).stdout
    lines = text.decode("latin-1").replace("\r", "").splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("*** STOP"))
    last = next(i for i in range(first, len(lines)) if lines[i].startswith("    #") or lines[i].startswith("  ok")
                or lines[i].startswith("  not ok"))
    return "\n".join(lines[first:last]).rstrip()


def indent(text):
    return "\n".join(("    " + line).rstrip() for line in text.splitlines())


def masked(text):
    return [re.sub(r"\b(?=\w*\d)\w+\b", "#", line).rstrip() for line in text.strip().splitlines()]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--qemu", default="qemu-system-i386")
    parser.add_argument("--kernel", required=True)
    parser.add_argument("--readme", default="README.md")
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args()
    samples = {"boot": indent(boot_sample(args)), "stop": indent(stop_sample(args))}
    with open(args.readme) as stream:
        readme = stream.read()
    failed = False
    for name, sample in samples.items():
        pattern = re.compile(r"(<!-- sample: %s -->\n\n)(.*?)(\n\n<!-- /sample -->)" % name, re.S)
        match = pattern.search(readme)
        if match is None:
            print("readme-sample: README.md has no '<!-- sample: %s -->' block" % name)
            return 1
        if args.check:
            old, new = masked(match.group(2)), masked(sample)
            if old != new:
                failed = True
                print("readme-check: the README's %s sample differs from a boot (make readme-sample rewrites it):"
                      % name)
                for index, (a, b) in enumerate(zip(old + [""] * len(new), new + [""] * len(old))):
                    if a != b:
                        print("  README: %s\n  boot:   %s" % (a, b))
                        break
            else:
                print("readme-check: the README's %s sample matches a boot" % name)
        else:
            readme = readme[:match.start(2)] + sample + readme[match.end(2):]
    if not args.check:
        with open(args.readme, "w") as stream:
            stream.write(readme)
        print("readme-sample: README.md's samples rewritten from real boots")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
