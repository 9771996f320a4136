#!/usr/bin/env python3
"""session.py: scripted kd> sessions over the serial port (make kd-test).

Boots the kernel with no ktest= (so it ends at the kd> prompt), with COM1 on
this script's pipes and QEMU's monitor on a QMP socket, then types commands
as a person would and checks each answer against an independent view of the
same objects: the ELF file's bytes and symbols, the KSEG0 rule for the
image's frames, the boot log's counts, and the commands' answers about one
another (the PTE !pte names is the one !pfn reports, every page !memusage
counts adds up to the RAM the boot kept). Then it feeds a list of bad lines
(empty, too long, bad numbers, invalid addresses, control characters) and
checks each answer and that the prompt comes back; types on the PS/2
keyboard through QEMU's sendkey and reads the VGA text screen's memory;
and ends with .crash, !analyze and .reboot. Exits non-zero on any failure.
"""
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PROMPT = "kd> "
failures = []


def check(condition, what, detail=""):
    print("  %-4s %s" % ("ok" if condition else "FAIL", what), flush=True)
    if not condition:
        failures.append(what)
        if detail:
            print("       " + detail.replace("\n", "\n       "))


class Kernel:
    """One QEMU boot with COM1 on pipes and the monitor on QMP."""

    def __init__(self, qemu, kernel, build):
        self.qmp_path = os.path.join(build, "kd-session.qmp")
        if os.path.exists(self.qmp_path):
            os.remove(self.qmp_path)
        self.log = open(os.path.join(build, "kd-session.log"), "w")
        self.process = subprocess.Popen(
            [qemu, "-kernel", kernel, "-append", "", "-m", "128M", "-display", "none", "-no-reboot",
             "-serial", "stdio", "-qmp", "unix:%s,server=on,wait=off" % self.qmp_path],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, bufsize=0)
        self.output, self.lock = "", threading.Lock()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        while True:
            data = self.process.stdout.read1(4096) if hasattr(self.process.stdout, "read1") else \
                self.process.stdout.read(1)
            if not data:
                return
            text = data.decode("latin-1").replace("\r", "")
            self.log.write(text)
            self.log.flush()
            with self.lock:
                self.output += text

    def wait_for(self, pattern, since, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                text = self.output[since:]
            if pattern in text:
                return text
            if self.process.poll() is not None:
                break
            time.sleep(0.02)
        return None

    def send(self, data):
        self.process.stdin.write(data if isinstance(data, bytes) else data.encode("latin-1"))
        self.process.stdin.flush()

    def command(self, line, terminator=b"\r", timeout=30):
        """Types a line and returns what came back before the next prompt (the echo removed)."""
        with self.lock:
            start = len(self.output)
        self.send((line.encode("latin-1") if isinstance(line, str) else line) + terminator)
        text = self.wait_for("\n" + PROMPT, start, timeout)
        if text is None:
            with self.lock:
                return None if self.process.poll() is not None else self.output[start:]
        body = text[:text.rindex("\n" + PROMPT) + 1]
        first_newline = body.find("\n")
        return body[first_newline + 1:] if first_newline >= 0 else ""

    def qmp(self, command, **arguments):
        with socket.socket(socket.AF_UNIX) as sock:
            sock.connect(self.qmp_path)
            stream = sock.makefile("rw")
            json.loads(stream.readline())
            for request in ({"execute": "qmp_capabilities"}, {"execute": command, "arguments": arguments}):
                stream.write(json.dumps(request) + "\n")
                stream.flush()
                while True:
                    reply = json.loads(stream.readline())
                    if "return" in reply or "error" in reply:
                        break
            return reply

    def close(self):
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self.log.close()


def symbol(kernel, name):
    """A symbol's address from the ELF file, and the bytes there from the file itself."""
    nm = subprocess.run(["i686-linux-gnu-nm", kernel], capture_output=True, text=True).stdout
    address = int(re.search(r"^([0-9a-f]{8}) \w %s$" % name, nm, re.M).group(1), 16)
    readelf = subprocess.run(["i686-linux-gnu-readelf", "-lW", kernel], capture_output=True, text=True).stdout
    with open(kernel, "rb") as elf:
        for match in re.finditer(r"LOAD\s+0x([0-9a-f]+) 0x([0-9a-f]+) 0x[0-9a-f]+ 0x([0-9a-f]+)", readelf):
            offset, vaddr, size = (int(g, 16) for g in match.groups())
            if vaddr <= address < vaddr + size:
                elf.seek(offset + address - vaddr)
                return address, elf.read(16)
    raise SystemExit("session: %s is in no loaded segment" % name)


def number_after(label, text):
    match = re.search(re.escape(label) + r"\s+([0-9a-fA-F]+)", text or "")
    return int(match.group(1), 16) if match else None


def decimal_after(label, text):
    match = re.search(re.escape(label) + r"\s+(\d+)", text or "")
    return int(match.group(1)) if match else None


def check_commands(kd, kernel, banner):
    print("commands, against the ELF file, the boot log and one another:")
    help_text = kd.command("help")
    for name in ("db", "dd", "dq", "!pte", "!pfn", "!sysptes", "!vm", "!memusage", "!memmap", "!pool",
                 "!poolused", "!poolfind", "!process", "!vad", "!address", ".crash", "!analyze", ".reboot"):
        check(help_text is not None and re.search(r"^  %s " % re.escape(name), help_text, re.M) is not None,
              "help lists %s" % name)

    address, data = symbol(kernel, "NtBuildNumber")
    dump = kd.command("dd %x L1" % address)
    check(dump == "%08x  %08x\n" % (address, int.from_bytes(data[:4], "little")),
          "dd NtBuildNumber shows the ELF file's bytes", repr(dump))
    dump = kd.command("db %x 10" % address)
    check(dump is not None and dump.startswith("%08x  %s-%s" % (address, " ".join("%02x" % b for b in data[:8]),
                                                                 " ".join("%02x" % b for b in data[8:]))),
          "db shows the same sixteen bytes", repr(dump))

    pte = kd.command("!pte %x" % address)
    frame = (address - 0x80000000) >> 12
    check(pte is not None and re.search(r"pfn %-9x -G-DA--KREV" % frame, pte) is not None,
          "!pte of read-only data: frame by the KSEG0 rule, global, read-only", pte or "")
    pte_address = number_after("PTE at", pte)
    pfn = kd.command("!pfn %x" % frame)
    check(pte_address is not None and number_after("pteaddress", pfn) == pte_address,
          "!pfn names the PTE !pte showed", pfn or "")
    check(pfn is not None and "Active" in pfn, "!pfn: the image's page is active")
    again = kd.command("!pte %x" % pte_address)
    check(again is not None and "VA %08x" % (address & ~0xFFF) in again,
          "!pte of the PTE's address reads it as a PTE", again or "")

    vm = kd.command("!vm")
    ram = decimal_after("Physical Memory:", vm)
    kept = re.search(r"RAM kept: \d+ runs, (\d+) pages", banner)
    check(kept is not None and ram == int(kept.group(1)), "!vm's physical memory is what the boot kept")
    zeroed, free, available = (decimal_after(label, vm) for label in ("Zeroed list:", "Free list:", "Available Pages:"))
    check(None not in (zeroed, free, available) and zeroed + free == available, "!vm: zeroed + free = available")
    usage = kd.command("!memusage")
    counts = [int(m.group(1)) for m in re.finditer(r"^\s*(\d+)\s+\d+  \S ", usage or "", re.M)]
    check(sum(counts) == ram, "!memusage counts every page of RAM once (%d of %s)" % (sum(counts), ram), usage or "")

    process = kd.command("!process")
    dirbase = number_after("DirBase:", process)
    check(process is not None and "Cid: 0004" in process and "Image: System" in process, "!process lists System")
    selfmap = kd.command("!pte c0300c00")
    check(dirbase is not None and selfmap is not None and re.search(r"pfn %-9x" % (dirbase >> 12), selfmap) is not None,
          "the self-map PDE maps System's DirBase", selfmap or "")
    vad = kd.command("!vad 4")
    check(vad is not None and "7ffe0     7ffef" in vad and "Physical" in vad,
          "!vad: System has the shared user data page's VAD", vad or "")

    used = kd.command("!poolused")
    boot_row = re.search(r"^ Proc Nonp\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)$", banner, re.M)
    used_row = re.search(r"^ Proc\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)", used or "", re.M)
    check(boot_row is not None and used_row is not None and
          [int(g) for g in boot_row.groups()] == [int(g, 16) for g in used_row.groups()],
          "!poolused's Proc row is the boot summary's, in hex", used or "")
    found = kd.command("!poolfind Proc")
    block = re.search(r"^ ([0-9a-f]{8}) size:\s+([0-9a-f]+)", found or "", re.M)
    check(block is not None and "1 blocks found" in found, "!poolfind finds the System process's block", found or "")
    if block:
        pool = kd.command("!pool %x" % (int(block.group(1), 16) + 8))
        check(pool is not None and re.search(r"^\*%s size:\s+%s .*\(Allocated\)\s+\*Proc$" % block.groups(), pool, re.M)
              is not None, "!pool stars the block !poolfind found", pool or "")
    sysptes = kd.command("!sysptes")
    check(decimal_after("total free:", sysptes) == decimal_after("Free System PTEs:", vm),
          "!sysptes and !vm agree on free system PTEs", sysptes or "")
    address_text = kd.command("!address e1000000")
    check(address_text is not None and "Usage:                  paged pool" in address_text,
          "!address names the paged pool", address_text or "")
    memmap = kd.command("!memmap")
    check(memmap is not None and memmap.split("\nPhysical pages")[0] in banner and "I" in memmap,
          "!memmap's layout is the banner's, and it maps the image", memmap or "")


def check_line_editing(kd):
    print("line editing:")
    check("not valid" in (kd.command(b"dx\x7fd 0") or ""), "backspace (DEL) erases: 'dx<DEL>d 0' runs dd 0")
    check("not valid" in (kd.command(b"dx\x08d 0") or ""), "backspace (BS) erases too")
    check("Physical Memory" in (kd.command(b"garbage\x15!vm") or ""), "Ctrl-U erases the whole line")
    check(kd.command(b"!vm\x03", terminator=b"") == "", "Ctrl-C abandons the line; nothing runs")
    check("Physical Memory" in (kd.command(b"\x1b[A") or ""), "up-arrow recalls the last line run")
    check("Physical Memory" in (kd.command(b"!vm", terminator=b"\r\n") or "") and
          (kd.command(b"") or "") == "", "CR LF is one Enter, not two")


BAD_LINES = [
    (b"", ""),
    (b"     ", ""),
    (b"x" * 300, "kd: the line is too long (128 characters at most); nothing was run\n"),
    (b"!pte zz", "Syntax error at 'zz': not a hex number\n"),
    (b"!pte 0x", "Syntax error at '0x': not a hex number\n"),
    (b"!pfn 0n12a", "Syntax error at '0n12a': not a decimal number\n"),
    (b"!pte 123456789", "Numeric overflow at '123456789': numbers are 32 bits\n"),
    (b"db 0", "00000000  ?? memory at 00000000 is not valid: no PTE maps a page there\n"),
    (b"dq fffffff8", "fffffff8  ?? memory at fffffff8 is not valid: no PTE maps a page there\n"),
    (b"dd 80000000 L1001", "Count 1001 is out of range: 1 to 400\n"),
    (b"!pfn ffffffff", None),
    (b"!pool 0", "00000000 is not in a pool range (!address says what it is)\n"),
    (b"!pool e8fff000", None),
    (b"!pte 0 ffffffff", "Range 00000000-ffffffff is out of order or spans more than 400 pages\n"),
    (b"!vad 9999", "No process has id or address 9999 (!process lists them)\n"),
    (b"!address 0", None),
    (b"!address ffffffff", None),
    (b"!nosuch", "kd: unknown command '!nosuch' (help lists them)\n"),
    (b"db", "Usage: db VA [L count]\n"),
    (b"!poolfind", "Usage: !poolfind Tag\n"),
    (b"!poolused z", "Usage: !poolused [b|a|t]  (sort by bytes, allocations outstanding, or tag)\n"),
    (b"1 2 3 4 5 6 7 8 9", "kd: too many words (8 at most)\n"),
    (b"\x01\x02\x04\x05\x07\x0b\x0c\x0e\x1a", ""),
    (b"\x1b[Z\x1bOA\x1b[1;5C\x1b", ""),
    (b"\x1b[1;5", ""),
    (b"\x1b[99999999999999999999Z", ""),
    (b"\xff\xfe\x80\x9b", ""),
    (b"\x00\x00", ""),
]


def check_bad_lines(kd):
    print("bad lines: each refused with its message, the prompt back:")
    for line, expected in BAD_LINES:
        answer = kd.command(line)
        if expected is None:
            good = answer is not None and answer.strip() != ""
        else:
            good = answer == expected
        check(good, "%r -> %r" % (line[:40], expected if expected is not None else "an answer"), repr(answer))
    check("Physical Memory" in (kd.command("!vm") or ""), "the shell still answers after every bad line")


def screen_text(kd, build):
    path = os.path.abspath(os.path.join(build, "kd-screen.bin"))
    kd.qmp("pmemsave", val=0xB8000, size=80 * 25 * 2, filename=path)
    with open(path, "rb") as screen:
        cells = screen.read()
    return "\n".join(bytes(cells[row * 160:(row + 1) * 160:2]).decode("latin-1").rstrip() for row in range(25))


def check_keyboard_and_screen(kd, build):
    print("the PS/2 keyboard and the VGA screen:")
    with kd.lock:
        start = len(kd.output)
    for key in ["h", "e", "l", "p", "ret"]:
        kd.qmp("send-key", keys=[{"type": "qcode", "data": key}])
    text = kd.wait_for("\n" + PROMPT, start, 20)
    check(text is not None and "help" in text and "!poolfind" in text, "keys typed on the keyboard run help",
          repr((text or "")[:200]))
    kd.command("!vm")
    screen = screen_text(kd, build)
    lines = screen.splitlines()
    check(lines[-1].startswith(PROMPT.strip()) and any(line.startswith("Free System PTEs:") for line in lines),
          "the screen shows what COM1 showed, ending at the prompt", screen)


def check_stop(kd):
    print("a stop, explained, and a reboot:")
    crash = kd.command(".crash")
    check(crash is not None and "*** STOP: 0x000000E2 (0x00000000,0x00000000,0x00000000,0x00000000)" in crash
          and "MANUALLY_INITIATED_CRASH" in crash, ".crash stops with MANUALLY_INITIATED_CRASH", crash or "")
    analyze = kd.command("!analyze")
    check(analyze is not None and "BUGCHECK_CODE:  e2 (MANUALLY_INITIATED_CRASH)" in analyze and
          "stopped on purpose" in analyze, "!analyze explains the stop in a sentence", analyze or "")
    check("cannot be done at IRQL" in (kd.command("!poolused") or ""), "after a stop, the pool commands refuse")
    check("already stopped" in (kd.command(".crash") or ""), "a second .crash is refused")
    check(kd.command("dd %x L1" % 0x80100000) is not None, "memory can still be read after a stop")
    kd.send(".reboot\r")
    try:
        kd.process.wait(timeout=20)
        exited = True
    except subprocess.TimeoutExpired:
        exited = False
    check(exited, ".reboot leaves QEMU (-no-reboot)")


def main():
    qemu, kernel, build = sys.argv[1:4]
    kd = Kernel(qemu, kernel, build)
    try:
        banner = kd.wait_for("\n" + PROMPT, 0, 60)
        print("kd-test: a normal boot, COM1 on pipes (log: %s/kd-session.log)" % build)
        check(banner is not None and all(part in banner for part in ("Address space:", "Physical memory:", "Pool:")),
              "the boot ends in the banner and the kd> prompt")
        if banner is None:
            return 1
        check_commands(kd, kernel, banner)
        check_line_editing(kd)
        check_bad_lines(kd)
        check_keyboard_and_screen(kd, build)
        check_stop(kd)
    finally:
        kd.close()
    print("\nkd-test: %s" % ("%d checks failed" % len(failures) if failures else "every check passed"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
