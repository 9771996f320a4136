#!/usr/bin/env python3
"""bochs-test.py: the self-test boots of tests/run.py on Bochs instead of QEMU (make test EMU=bochs).

QEMU's TCG is lenient where hardware is not: it drops global TLB entries on
every CR3 write, and it takes any access to the local APIC. Bochs keeps
global entries across a CR3 write, as a processor does, and says when an
access breaks a device's rules. This runs tests/run.py unchanged except for
its Boot, which here boots Bochs from a GRUB ISO (Bochs has no multiboot
loader) made for the boot's command line; the runner's KTAP parsing, resume
after a crash, bugcheck cases and cross-checks are run.py's own.

How a Bochs boot ends and what it exits with, without isa-debug-exit: Bochs
logs every write to an unmapped port, so the kernel's write to 0xF4 is read
back from its log and becomes the exit status QEMU would have given
((value << 1) | 1); the kernel then halts with interrupts off, which Bochs
also logs ("HLT instruction with IF=0"), and that ends the boot. A triple
fault is a Bochs panic, which ends Bochs: exit status 0, as QEMU's under
-no-reboot. A Bochs complaint that means the kernel broke a hardware rule
(COMPLAINTS) makes the boot count as unfinished, which the runner reports
as a failure ending with the complaint.

Bochs's one display library in Debian's build that needs no window is
"term", and it needs a terminal: each Bochs gets a pseudo-terminal of its
own, in a session of its own, drained and thrown away.
"""
import argparse
import os
import pty
import re
import shutil
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))
import run  # noqa: E402  (tests/run.py: the runner this file only changes the emulator of)

PORT_EXIT = re.compile(r"unmapped: 8-bit write to 00f4 = ([0-9a-f]+)")
HALTED = "HLT instruction with IF=0"
# Bochs log lines that mean the kernel did what hardware does not allow; each fails its boot.
COMPLAINTS = [
    re.compile(r"misaligned APIC access"),
]
SERIAL_CONTROL = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")

BOCHS_CONFIG = """\
megs: {megs}
cpu: count=1, ips=50000000, reset_on_triple_fault=0{cpu}
romimage: file=/usr/share/bochs/BIOS-bochs-latest
vgaromimage: file=/usr/share/vgabios/vgabios.bin
ata0-master: type=cdrom, path={iso}, status=inserted
boot: cdrom
com1: enabled=1, mode=file, dev={serial}
clock: sync=none, time0=local
display_library: term
log: {log}
debug: action=ignore, unmapped=report
info: action=report
error: action=report
panic: action=fatal
"""

# GRUB on COM1 with no menu, booting the kernel with the boot's command line (as boot/grub.cfg.in).
GRUB_CONFIG = """\
serial --unit=0 --speed=115200 --word=8 --parity=no --stop=1
terminal_input serial
terminal_output serial
set default=0
set timeout=0
menuentry "ntmm self-test" {{
    multiboot /boot/kernel.elf {append}
{modules}    boot
}}
"""

options = argparse.Namespace(bochs="bochs", cpu="", grub_mkrescue="grub-mkrescue")


def megabytes(size):
    """QEMU's -m syntax (128M, 1G, 512) in Bochs's megabytes."""
    match = re.fullmatch(r"(\d+)([MG]?)", size.upper())
    if not match:
        raise SystemExit("bochs-test: cannot read the memory size '%s'" % size)
    return int(match.group(1)) * (1024 if match.group(2) == "G" else 1)


class BochsBoot:
    """One Bochs run, with run.Boot's interface: its serial lines and how it ended."""

    def __init__(self, args, append, log_path, iso=False, mem=None, ramdisk=True, **unused):
        self.lines, self.exit_code, self.timed_out, self.log_path = [], None, False, log_path
        self.append, self.complaints = append, []
        work = os.path.abspath(os.path.splitext(log_path)[0] + ".bochs")
        shutil.rmtree(work, ignore_errors=True)
        os.makedirs(work)
        image = args.iso if iso else self._make_iso(args, append, work, ramdisk)
        serial, bochs_log = os.path.join(work, "serial.txt"), os.path.join(work, "bochs.log")
        config = os.path.join(work, "bochsrc")
        with open(config, "w") as out:
            out.write(BOCHS_CONFIG.format(megs=megabytes(mem or args.mem), iso=os.path.abspath(image),
                                          serial=serial, log=bochs_log,
                                          cpu=", model=" + options.cpu if options.cpu else ""))
        # Without a debugger command Bochs's built-in debugger stops at its prompt: "c" runs.
        commands = os.path.join(work, "commands")
        with open(commands, "w") as out:
            out.write("c\n")
        command = [options.bochs, "-q", "-f", config, "-rc", commands]

        start = time.monotonic()
        self._run(command, bochs_log, args.timeout)
        self.seconds = time.monotonic() - start

        if not iso:
            # Only the configuration and the logs are kept: an ISO per boot would fill the disk.
            shutil.rmtree(os.path.join(work, "iso"), ignore_errors=True)
            os.remove(image)
        text = ""
        if os.path.exists(serial):
            with open(serial, "rb") as raw:
                text = raw.read().decode("utf-8", "replace")
        self.lines = [SERIAL_CONTROL.sub("", line).replace("\r", "") for line in text.split("\n")]
        while self.lines and not self.lines[-1]:
            self.lines.pop()
        # A complaint fails the boot in the runner's own terms: one that did not finish, ending with it.
        self.lines += ["# bochs: " + complaint for complaint in self.complaints]
        self.done = "# ktest: done" in self.lines and not self.complaints
        with open(log_path, "w", encoding="utf-8", errors="replace") as log:
            log.write("# " + " ".join(command) + "  (" + ("the test ISO" if iso else append) + ")\n")
            for line in self.lines:
                log.write(line + "\n")
        self.stops = [m.group(1) for m in map(run.STOP_LINE.match, self.lines) if m]

    @staticmethod
    def _make_iso(args, append, work, ramdisk):
        root = os.path.join(work, "iso")
        os.makedirs(os.path.join(root, "boot", "grub"))
        shutil.copyfile(args.kernel, os.path.join(root, "boot", "kernel.elf"))
        # The ramdisk's files as multiboot modules, each named by its file name as QEMU's -initrd names them.
        modules = ""
        if ramdisk and args.initrd:
            os.makedirs(os.path.join(root, "boot", "ramdisk"))
            for path in args.initrd.split(","):
                name = os.path.basename(path)
                shutil.copyfile(path, os.path.join(root, "boot", "ramdisk", name))
                modules += "    module /boot/ramdisk/%s %s\n" % (name, name)
        with open(os.path.join(root, "boot", "grub", "grub.cfg"), "w") as out:
            out.write(GRUB_CONFIG.format(append=append, modules=modules))
        image = os.path.join(work, "boot.iso")
        made = subprocess.run([options.grub_mkrescue, "-o", image, root], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT)
        if made.returncode != 0:
            raise SystemExit("bochs-test: grub-mkrescue failed:\n" + made.stdout.decode("utf-8", "replace"))
        return image

    def _run(self, command, bochs_log, timeout):
        master, slave = pty.openpty()
        process = subprocess.Popen(command, stdin=slave, stdout=slave, stderr=slave, start_new_session=True,
                                   cwd=os.path.dirname(bochs_log))
        os.close(slave)
        drain = threading.Thread(target=self._drain, args=(master,), daemon=True)
        drain.start()
        deadline, seen, exit_value = time.monotonic() + timeout, 0, None
        try:
            while True:
                halted = False
                if os.path.exists(bochs_log):
                    with open(bochs_log, "rb") as log:
                        log.seek(seen)
                        chunk = log.read()
                    # Only whole lines: a line still being written is read again next time.
                    whole = chunk[:chunk.rfind(b"\n") + 1]
                    seen += len(whole)
                    for line in whole.decode("utf-8", "replace").splitlines():
                        match = PORT_EXIT.search(line)
                        if match:
                            exit_value = int(match.group(1), 16)
                        if any(pattern.search(line) for pattern in COMPLAINTS):
                            self.complaints.append(line.split("]", 1)[-1].strip())
                        halted = halted or HALTED in line
                if halted or process.poll() is not None:
                    break
                if time.monotonic() > deadline:
                    self.timed_out = True
                    break
                time.sleep(0.1)
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            drain.join(timeout=5)
        # A boot that stopped without writing its status ended as QEMU's triple fault does: 0.
        if not self.timed_out:
            self.exit_code = (exit_value << 1) | 1 if exit_value is not None else 0

    @staticmethod
    def _drain(master):
        """Reads the term display's screen updates, which no one looks at, so Bochs never blocks on them."""
        try:
            while os.read(master, 65536):
                pass
        except OSError:
            pass
        finally:
            os.close(master)

    def ending(self):
        if self.complaints:
            return "Bochs: " + self.complaints[0]
        if self.timed_out:
            return "timed out"
        if self.exit_code == 0:
            return "Bochs stopped without the kernel's exit status (a triple fault is a Bochs panic)"
        if self.exit_code == run.EXIT_BUGCHECK and self.stops:
            return "the system stopped with 0x%s" % self.stops[0]
        if self.exit_code not in (run.EXIT_TESTS_DONE, run.EXIT_TESTS_FAILED, run.EXIT_BUGCHECK,
                                  run.EXIT_EXPECTED_STOP):
            return "the kernel wrote exit status %d" % self.exit_code
        return "the kernel stopped before finishing"

    def tail(self, count=25):
        return self.lines[-count:]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], add_help=False)
    parser.add_argument("--bochs", default="bochs")
    parser.add_argument("--bochs-cpu", default="", help="a Bochs CPU model (cpu: model=...); its default if empty")
    parser.add_argument("--grub-mkrescue", default="grub-mkrescue")
    known, rest = parser.parse_known_args()
    options.bochs, options.cpu, options.grub_mkrescue = known.bochs, known.bochs_cpu, known.grub_mkrescue
    run.Boot = BochsBoot
    # run.py names its accelerator in the first line it prints; here that is Bochs.
    sys.argv = [sys.argv[0], "--accel", "bochs"] + rest
    return run.main()


if __name__ == "__main__":
    sys.exit(main())
