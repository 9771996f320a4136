#!/usr/bin/env python3
"""run.py: boots the ntmm test kernel in QEMU, reads KTAP from COM1, and reports.

One boot runs every selected normal case (ktest=FILTER). The kernel lists
all cases first ("# ktest-case" and "# ktest-bugcheck" lines), so a boot that
dies is resumed after the case that killed it (ktest.after=), and that case
counts as failed with the last lines of its log. Every KTEST_BUGCHECK case
then gets a boot of its own and passes only when the kernel stops with the
expected code and says "ok". A boot counts as complete only with the
isa-debug-exit status the kernel writes (a triple fault under -no-reboot
exits QEMU with 0) and a "# ktest: done" line. With --iso, the GRUB ISO's
self-test entry is booted too, so the real loader stays tested; with
--too-small a machine below the minimum must stop with INSTALL_MORE_MEMORY;
with --modules a machine given that many loader modules must keep them all
reserved; with --unsupported-cpu each CPU model named must stop with
UNSUPPORTED_PROCESSOR before any C runs. --qemu-args adds QEMU options
(machine, CPU) to every boot.

The last line printed is "N passed, N failed" (", N skipped" when any);
the exit status is non-zero when anything failed.
"""
import argparse
import concurrent.futures
import os
import re
import shlex
import subprocess
import sys
import threading
import time

EXIT_TESTS_DONE = (0x10 << 1) | 1
EXIT_BUGCHECK = (0x11 << 1) | 1

CASE_LINE = re.compile(r"^  (ok|not ok) (\d+) (\S+)(?: # (SKIP)?\s*(.*))?$")
SUITE_LINE = re.compile(r"^(ok|not ok) (\d+) (\S+)")
SUBTEST_LINE = re.compile(r"^  # Subtest: (\S+)")
STOP_LINE = re.compile(r"^\*\*\* STOP: 0x([0-9A-F]{8})")

print_lock = threading.Lock()


def say(text):
    with print_lock:
        print(text, flush=True)


class Result:
    def __init__(self, suite, name, status, diagnostics=(), reason=""):
        self.suite, self.name, self.status = suite, name, status  # status: pass, fail, skip
        self.diagnostics, self.reason = list(diagnostics), reason


class Boot:
    """One QEMU run: its log lines and how it ended."""

    def __init__(self, args, append, log_path, iso=False, on_line=None):
        self.lines, self.exit_code, self.timed_out = [], None, False
        machine = ["-m", args.mem, "-accel", args.accel, "-display", "none", "-no-reboot",
                   "-serial", "stdio", "-monitor", "none",
                   "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"] + shlex.split(args.qemu_args)
        if iso:
            command = [args.qemu, "-cdrom", args.iso] + machine
        else:
            command = [args.qemu, "-kernel", args.kernel, "-append", append] + machine
        start = time.monotonic()
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT)
        timer = threading.Timer(args.timeout, self._kill, (process,))
        timer.start()
        with open(log_path, "w", encoding="utf-8", errors="replace") as log:
            log.write("# " + " ".join(command) + "\n")
            for raw in process.stdout:
                line = raw.decode("utf-8", "replace").rstrip("\r\n")
                line = line.replace("\r", "")
                self.lines.append(line)
                log.write(line + "\n")
                if on_line:
                    on_line(line)
        self.exit_code = process.wait()
        timer.cancel()
        self.seconds = time.monotonic() - start
        self.complete = (not self.timed_out and "# ktest: done" in self.lines and
                         self.exit_code in (EXIT_TESTS_DONE, EXIT_BUGCHECK))

    def _kill(self, process):
        self.timed_out = True
        process.kill()

    def ending(self):
        if self.timed_out:
            return "timed out"
        if self.exit_code == 0:
            return "QEMU exited with 0 (a triple fault resets the machine)"
        if self.exit_code not in (EXIT_TESTS_DONE, EXIT_BUGCHECK):
            return "QEMU exited with %d" % self.exit_code
        return "the kernel stopped before finishing"

    def tail(self, count=25):
        return self.lines[-count:]


def parse_cases(lines):
    """Yields (suite, name, status, diagnostics) for each case line, in order."""
    suite, pending = None, []
    for line in lines:
        match = SUBTEST_LINE.match(line)
        if match:
            suite, pending = match.group(1), []
            continue
        match = CASE_LINE.match(line)
        if match and suite:
            status = "pass" if match.group(1) == "ok" else "fail"
            if match.group(4) == "SKIP":
                status = "skip"
                pending.append("# SKIP " + (match.group(5) or ""))
            yield suite, match.group(3), status, pending
            pending = []
        elif line.startswith("    #") or line.startswith("*** STOP"):
            pending.append(line.strip())


def listed(lines, kind):
    """The '# ktest-case' or '# ktest-bugcheck' lines of a boot's preamble."""
    found = []
    for line in lines:
        if line.startswith("# ktest-" + kind + " "):
            words = line.split()
            found.append((words[2], words[3] if len(words) > 3 else None))
    return found


def run_normal_cases(args, results):
    """Boots until every listed normal case has a result; returns the bugcheck cases listed."""
    done, after, boot_number, bugcheck_cases, suites_seen = {}, None, 0, None, set()
    expected = None

    def on_line(line):
        match = SUITE_LINE.match(line)
        if match and match.group(3) not in suites_seen:
            suites_seen.add(match.group(3))
            say("  %-8s %s" % ("PASS" if match.group(1) == "ok" else "FAIL", match.group(3)))

    while True:
        append = "ktest=" + args.filter + (" ktest.after=" + after if after else "")
        boot_number += 1
        boot = Boot(args, append, os.path.join(args.log_dir, "boot-%d.log" % boot_number),
                    on_line=on_line)
        if expected is None:
            expected = [name for name, _ in listed(boot.lines, "case")]
            bugcheck_cases = listed(boot.lines, "bugcheck")
        last = None
        for suite, name, status, diagnostics in parse_cases(boot.lines):
            key = suite + "." + name
            if name == "invariants":
                key = suite + ".invariants#%d" % boot_number
            done[key] = Result(suite, name, status, diagnostics)
            if name != "invariants":
                last = key
        if boot.complete and boot.exit_code == EXIT_TESTS_DONE:
            break
        # The boot died. Blame the first listed case without a result (or the last one
        # reported, when the kernel's bugcheck hook already reported it) and go on after it.
        missing = [key for key in expected if key not in done]
        if any(line.startswith("# ktest: crashed in") for line in boot.lines) and last:
            victim = last
            done[victim].diagnostics += boot.tail()
        elif missing:
            victim = missing[0]
            suite, _, name = victim.partition(".")
            done[victim] = Result(suite, name, "fail", boot.tail(), boot.ending())
            say("  CRASH    %s: %s" % (victim, boot.ending()))
        else:
            results.append(Result("boot", "normal-cases", "fail", boot.tail(), boot.ending()))
            break
        if expected and victim == expected[-1]:
            break
        after = victim
        if boot_number > len(expected) + 1:
            break
    for key in expected:
        if key not in done:
            suite, _, name = key.partition(".")
            done[key] = Result(suite, name, "fail", [], "never ran")
    results.extend(done.values())
    return bugcheck_cases or []


def run_bugcheck_case(args, case, code):
    suite, _, name = case.partition(".")
    log = os.path.join(args.log_dir, "bugcheck-%s.log" % case)
    boot = Boot(args, "ktest=" + case, log)
    stops = [m.group(1) for m in map(STOP_LINE.match, boot.lines) if m]
    verdicts = [status for s, n, status, _ in parse_cases(boot.lines) if n == name]
    expected_code = "%08X" % int(code, 16)
    if (boot.complete and boot.exit_code == EXIT_BUGCHECK and verdicts == ["pass"]
            and stops[:1] == [expected_code]):
        return Result(suite, name, "pass")
    reason = boot.ending() if not boot.complete else (
        "stopped with %s, expected %s" % (stops[0] if stops else "nothing", expected_code))
    return Result(suite, name, "fail", boot.tail(), reason)


def run_too_small_machine(args):
    """A machine with too little RAM must say so with INSTALL_MORE_MEMORY, not crash."""
    small = argparse.Namespace(**vars(args))
    small.mem = args.too_small
    boot = Boot(small, "ktest=boot", os.path.join(args.log_dir, "too-small-machine.log"))
    stops = [m.group(1) for m in map(STOP_LINE.match, boot.lines) if m]
    name = "too_small_machine_stops_with_0x7d"
    if boot.exit_code == EXIT_BUGCHECK and stops == ["0000007D"]:
        return Result("boot", name, "pass")
    return Result("boot", name, "fail", boot.tail(),
                  "with %s: %s" % (args.too_small, "stopped with " + stops[0] if stops else boot.ending()))


def run_unsupported_cpu(args, cpu):
    """A processor without what ntmm needs stops in boot/cpucheck.S, before any C, with 0x5D."""
    machine = argparse.Namespace(**vars(args))
    machine.qemu_args = args.qemu_args + " -cpu " + shlex.quote(cpu)   # the last -cpu wins
    boot = Boot(machine, "ktest=boot", os.path.join(args.log_dir, "unsupported-cpu-%s.log" % cpu))
    stops = [m.group(1) for m in map(STOP_LINE.match, boot.lines) if m]
    name = "cpu_%s_stops_with_0x5d" % re.sub(r"\W", "_", cpu)
    # The stop comes before KiSystemStartup: no banner, no KTAP, only the STOP line and its name.
    if (boot.exit_code == EXIT_BUGCHECK and stops == ["0000005D"] and "UNSUPPORTED_PROCESSOR" in boot.lines
            and not any(line.startswith("KTAP") or line.startswith("ntmm:") for line in boot.lines)):
        return Result("boot", name, "pass")
    return Result("boot", name, "fail", boot.tail(),
                  "with -cpu %s: %s" % (cpu, "stopped with " + stops[0] if stops else boot.ending()))


def run_modules_machine(args):
    """Every loader module must stay reserved: a boot with --modules of them, marked for boot_test.c."""
    paths = []
    for number in range(1, args.modules + 1):
        path = os.path.join(args.log_dir, "module-%d.bin" % number)
        with open(path, "w") as module:
            # "ntmm module I of N" first; sizes from under a page to several pages.
            module.write("ntmm module %d of %d\n" % (number, args.modules) + "." * (number * 1500))
        paths.append(path)
    machine = argparse.Namespace(**vars(args))
    machine.qemu_args = args.qemu_args + " -initrd " + shlex.quote(",".join(paths))
    boot = Boot(machine, "ktest=boot", os.path.join(args.log_dir, "modules-machine.log"))
    verdicts = {n: status for _, n, status, _ in parse_cases(boot.lines)}
    name = "%d_loader_modules_are_reserved" % args.modules
    if (boot.complete and boot.exit_code == EXIT_TESTS_DONE and
            verdicts.get("every_loader_module_is_reserved_and_intact") == "pass" and
            "fail" not in verdicts.values()):
        return Result("boot", name, "pass")
    failed = [n for n, status in verdicts.items() if status != "pass"]
    return Result("boot", name, "fail", boot.tail(),
                  boot.ending() if not boot.complete else "not passed: " + " ".join(failed))


def run_iso(args):
    boot = Boot(args, None, os.path.join(args.log_dir, "grub-iso.log"), iso=True)
    failed = [n for _, n, status, _ in parse_cases(boot.lines) if status == "fail"]
    if boot.complete and boot.exit_code == EXIT_TESTS_DONE and not failed:
        return Result("grub", "iso_self_test_boot", "pass")
    return Result("grub", "iso_self_test_boot", "fail", boot.tail(),
                  boot.ending() if not boot.complete else "failed: " + " ".join(failed))


def write_ktap(results, path):
    suites = {}
    for result in results:
        suites.setdefault(result.suite, []).append(result)
    with open(path, "w") as out:
        out.write("KTAP version 1\n1..%d\n" % len(suites))
        for number, (suite, cases) in enumerate(sorted(suites.items()), 1):
            out.write("  KTAP version 1\n  # Subtest: %s\n  1..%d\n" % (suite, len(cases)))
            for index, case in enumerate(cases, 1):
                for diagnostic in case.diagnostics:
                    out.write("    # %s\n" % diagnostic.lstrip("# "))
                directive = " # SKIP" if case.status == "skip" else ""
                out.write("  %s %d %s%s\n" % ("not ok" if case.status == "fail" else "ok",
                                              index, case.name, directive))
            ok = all(case.status != "fail" for case in cases)
            out.write("%s %d %s\n" % ("ok" if ok else "not ok", number, suite))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--qemu", default="qemu-system-i386")
    parser.add_argument("--kernel", required=True)
    parser.add_argument("--iso")
    parser.add_argument("--mem", default="128M")
    parser.add_argument("--accel", default="tcg")
    parser.add_argument("--qemu-args", default="", help="more QEMU options for every boot, e.g. '-machine q35 -cpu max'")
    parser.add_argument("--filter", default="all")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--timeout", type=float, default=float(os.environ.get("KTEST_TIMEOUT", 300)))
    parser.add_argument("--log-dir", default="build/test")
    parser.add_argument("--too-small", help="RAM size that must stop with INSTALL_MORE_MEMORY (0x7D)")
    parser.add_argument("--modules", type=int, default=0, help="also boot with this many loader modules")
    parser.add_argument("--unsupported-cpu", default="",
                        help="QEMU CPU models (comma-separated) that must stop with UNSUPPORTED_PROCESSOR (0x5D)")
    args = parser.parse_args()
    os.makedirs(args.log_dir, exist_ok=True)
    for old in os.listdir(args.log_dir):
        if old.endswith(".log"):
            os.remove(os.path.join(args.log_dir, old))

    started = time.monotonic()
    say("ntmm self-tests: kernel %s, %s RAM, %s%s, filter '%s'" %
        (args.kernel, args.mem, args.accel, " " + args.qemu_args if args.qemu_args else "", args.filter))
    results = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        # Whole-machine checks, one boot each beside the suites: what each shows, and its future.
        machines = []
        if args.filter == "all":
            if args.iso:
                machines.append(("GRUB ISO self-test boot", pool.submit(run_iso, args)))
            if args.too_small:
                machines.append(("a %s machine stops with INSTALL_MORE_MEMORY" % args.too_small,
                                 pool.submit(run_too_small_machine, args)))
            if args.modules:
                machines.append(("a machine with %d loader modules keeps them all" % args.modules,
                                 pool.submit(run_modules_machine, args)))
            for cpu in filter(None, args.unsupported_cpu.split(",")):
                machines.append(("-cpu %s stops with UNSUPPORTED_PROCESSOR" % cpu,
                                 pool.submit(run_unsupported_cpu, args, cpu)))
        bugcheck_cases = run_normal_cases(args, results)
        say("  running %d bugcheck cases, one boot each" % len(bugcheck_cases))
        futures = [pool.submit(run_bugcheck_case, args, case, code) for case, code in bugcheck_cases]
        for future in futures:
            result = future.result()
            results.append(result)
            if result.status == "fail":
                say("  FAIL     %s.%s: %s" % (result.suite, result.name, result.reason))
        for description, future in machines:
            result = future.result()
            results.append(result)
            say("  %-8s %s%s" % ("PASS" if result.status == "pass" else "FAIL", description,
                                 "" if result.status == "pass" else ": " + result.reason))

    write_ktap(results, os.path.join(args.log_dir, "results.ktap"))
    failed = [r for r in results if r.status == "fail"]
    for result in failed:
        say("\nnot ok %s.%s%s" % (result.suite, result.name,
                                   " (%s)" % result.reason if result.reason else ""))
        for line in result.diagnostics[-25:]:
            say("    " + line)
    passed = sum(r.status == "pass" for r in results)
    skipped = sum(r.status == "skip" for r in results)
    say("\nlogs: %s/ (merged KTAP: results.ktap), %.1f s" % (args.log_dir, time.monotonic() - started))
    say("%d passed, %d failed%s" % (passed, len(failed), ", %d skipped" % skipped if skipped else ""))
    return 1 if failed or not results else 0


if __name__ == "__main__":
    sys.exit(main())
