#!/usr/bin/env python3
"""run.py: boots the ntmm test kernel in QEMU, reads KTAP from COM1, and reports.

One boot runs every selected normal case (ktest=FILTER ktest.normal). The
kernel lists all cases first ("# ktest-case" and "# ktest-bugcheck" lines),
so a boot that dies is resumed after the case that killed it (ktest.after=),
and that case counts as failed with the last lines of its log. Every
KTEST_BUGCHECK case then gets a boot of its own and passes only when the
kernel stops with the expected code and says "ok". With --iso, the GRUB
ISO's self-test entry is booted too, so the real loader stays tested, and
with --too-small a machine below the minimum must stop with
INSTALL_MORE_MEMORY.

With --iso, the GRUB ISO's self-test entry is booted too, so the real
loader stays tested; with --too-small a machine below the minimum must
stop with INSTALL_MORE_MEMORY; with --modules a machine given that many
loader modules must keep them all reserved; with --unsupported-cpu each
CPU model named must stop with UNSUPPORTED_PROCESSOR before any C runs.
--qemu-args adds QEMU options (machine, CPU) to every boot; --initrd gives
the boots that run cases the ramdisk's files as multiboot modules; --verifier
adds the kernel verifier's options (verifier=...) to every boot's command line
but the GRUB ISO's, whose command line is its grub.cfg's.

The runner believes nothing it cannot cross-check. A boot counts only with
the isa-debug-exit status the kernel writes (a triple fault under -no-reboot
exits QEMU with 0) and a "# ktest: done" line, and that status must agree
with the KTAP: 33 only when every case passed, 37 when one failed, 39 only
when a bugcheck case stopped as it expected. The kernel's own verdict on
each suite must agree with the case lines the runner read, and a case name
reported twice in one boot is a failure (two cases sharing a name), and so
is an item of the filter that selects no case the kernel listed.

Results go to LOG_DIR/results.ktap (KTAP version 1, one subtest per suite;
each boot's log is a file named from the KTAP, not copied into it). The last
line printed is "N passed, N failed" (", N skipped", and the invariant
checks that failed, when any); the exit status is non-zero when anything
failed.
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

EXIT_TESTS_DONE = (0x10 << 1) | 1      # every selected case passed
EXIT_BUGCHECK = (0x11 << 1) | 1        # the system stopped, and nothing expected it
EXIT_TESTS_FAILED = (0x12 << 1) | 1    # the cases ran, and at least one failed
EXIT_EXPECTED_STOP = (0x13 << 1) | 1   # a KTEST_BUGCHECK case stopped as it should

CASE_LINE = re.compile(r"^  (ok|not ok) (\d+) (\S+)(?: # (SKIP)?\s*(.*))?$")
SUITE_LINE = re.compile(r"^(ok|not ok) (\d+) (\S+)")
SUBTEST_LINE = re.compile(r"^  # Subtest: (\S+)")
STOP_LINE = re.compile(r"^\*\*\* STOP: 0x([0-9A-F]{8})")
COMMAND_LINE = re.compile(r'^loader: .*, command line "(.*)"$')
PARAMETER_LINE = re.compile(r"^    # (parameter \d is 0x[0-9A-F]+, expected 0x[0-9A-F]+)")
LISTED_CASE_LINE = re.compile(r"^# ktest-case (\S+)")
INVARIANTS = "invariants"

print_lock = threading.Lock()


def say(text):
    with print_lock:
        print(text, flush=True)


class Result:
    """One line of the final report: a case, a suite's invariant check, or a check of the runner's own."""

    def __init__(self, suite, name, status, diagnostics=(), reason="", log=None):
        self.suite, self.name, self.status = suite, name, status  # status: pass, fail, skip
        self.diagnostics, self.reason, self.log = list(diagnostics), reason, log

    @property
    def is_invariant_check(self):
        return self.name == INVARIANTS


class Boot:
    """One QEMU run: its log lines and how it ended.

    While it runs, a case that has been running for --progress seconds (30)
    gets a line on the console, and another each time as long again, so a
    hung case is named long before --timeout (KTEST_TIMEOUT) kills the boot.
    The running case is the first one the boot listed that has no result yet,
    or `running` (a bugcheck case's boot lists none).
    """

    def __init__(self, args, append, log_path, iso=False, mem=None, running=None, ramdisk=True):
        self.lines, self.exit_code, self.timed_out, self.log_path = [], None, False, log_path
        if append is not None and getattr(args, "verifier", ""):
            append += " verifier=" + args.verifier
        self.append = append
        self.timeout = args.timeout
        self._listed, self._reported, self._suite, self._running = [], set(), None, running
        self._last_result = time.monotonic()
        machine = ["-m", mem or args.mem, "-accel", args.accel, "-display", "none", "-no-reboot",
                   "-serial", "stdio", "-monitor", "none",
                   "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"] + shlex.split(args.qemu_args)
        if iso:
            command = [args.qemu, "-cdrom", args.iso] + machine
        else:
            command = [args.qemu, "-kernel", args.kernel, "-append", append] + machine
            if ramdisk and args.initrd:
                command += ["-initrd", args.initrd]
        start = time.monotonic()
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT)
        timer = threading.Timer(args.timeout, self._kill, (process,))
        timer.start()
        finished = threading.Event()
        watcher = threading.Thread(target=self._watch, args=(finished, getattr(args, "progress", 30)), daemon=True)
        watcher.start()
        with open(log_path, "w", encoding="utf-8", errors="replace") as log:
            log.write("# " + " ".join(command) + "\n")
            for raw in process.stdout:
                line = raw.decode("utf-8", "replace").rstrip("\r\n")
                line = line.replace("\r", "")
                self.lines.append(line)
                self._follow(line)
                log.write(line + "\n")
        self.exit_code = process.wait()
        finished.set()
        timer.cancel()
        self.seconds = time.monotonic() - start
        self.done = "# ktest: done" in self.lines
        self.stops = [m.group(1) for m in map(STOP_LINE.match, self.lines) if m]

    def _kill(self, process):
        self.timed_out = True
        process.kill()

    def _follow(self, line):
        """Keeps track of the case running now, from the boot's list and its results so far."""
        match = LISTED_CASE_LINE.match(line)
        if match:
            self._listed.append(match.group(1))
            return
        match = SUBTEST_LINE.match(line)
        if match:
            self._suite = match.group(1)
            return
        match = CASE_LINE.match(line)
        if match and self._suite:
            self._reported.add(self._suite + "." + match.group(3))
            self._last_result = time.monotonic()

    def running(self):
        waiting = [name for name in self._listed if name not in self._reported]
        return waiting[0] if waiting else self._running or "the boot"

    def _watch(self, finished, every):
        """Says which case is still running every `every` seconds without a result."""
        shown = (None, 0)
        while not finished.wait(1):
            quiet = time.monotonic() - self._last_result
            case = self.running()
            if shown[0] != case:
                shown = (case, 0)
            if every > 0 and quiet >= every * (shown[1] + 1):
                shown = (case, shown[1] + 1)
                say("  ...      %s still running after %d s (the boot is stopped at %d s: KTEST_TIMEOUT)" %
                    (case, quiet, self.timeout))

    def ending(self):
        if self.timed_out:
            return "timed out after %d s (KTEST_TIMEOUT)" % self.timeout
        if self.exit_code == 0:
            return "QEMU exited with 0 (a triple fault resets the machine)"
        if self.exit_code == EXIT_BUGCHECK and self.stops:
            return "the system stopped with 0x%s" % self.stops[0]
        if self.exit_code not in (EXIT_TESTS_DONE, EXIT_TESTS_FAILED, EXIT_BUGCHECK, EXIT_EXPECTED_STOP):
            return "QEMU exited with %d" % self.exit_code
        return "the kernel stopped before finishing"

    def tail(self, count=25):
        return self.lines[-count:]


class Ktap:
    """What one boot's KTAP says: case lines in order, and the kernel's verdict on each suite."""

    def __init__(self, lines):
        self.cases, self.suites, suite, pending = [], [], None, []
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
                    pending.append("SKIP " + (match.group(5) or ""))
                self.cases.append((suite, match.group(3), status, pending))
                pending = []
                continue
            match = SUITE_LINE.match(line)
            if match and suite:
                self.suites.append((match.group(3), match.group(1) == "ok"))
                continue
            if line.startswith("    #"):
                pending.append(line[len("    # "):])
            elif line.startswith("*** STOP"):
                pending.append(line)

    def any_failed(self):
        return any(status == "fail" for _, _, status, _ in self.cases) or \
            any(not ok for _, ok in self.suites)


def listed(lines, kind):
    """The '# ktest-case' or '# ktest-bugcheck' lines of a boot's preamble."""
    found = []
    for line in lines:
        if line.startswith("# ktest-" + kind + " "):
            words = line.split()
            found.append((words[2], words[3] if len(words) > 3 else None))
    return found


def unmatched_filter_items(filter_text, names):
    """The filter's items that name no listed case: misspelt, or cut off with the kernel's command line."""
    return [item for item in filter_text.split(",")
            if item != "all" and not any(name == item or name.startswith(item + ".") for name in names)]


def cross_check(boot, ktap, label):
    """Failures where the boot contradicts itself: command line, duplicate names, suite verdicts, exit code."""
    problems, seen = [], set()
    # The kernel keeps 255 characters of its command line, the loader's path for it included: a
    # longer one loses its end (ktest.after=, ktest.normal, filter items) without a word.
    echoed = [m.group(1) for m in map(COMMAND_LINE.match, boot.lines) if m]
    if getattr(boot, "append", None) and echoed and not echoed[0].endswith(boot.append):
        problems.append("the kernel read its command line cut short: \"%s\"" % echoed[0])
    for suite, name, _, _ in ktap.cases:
        if name == INVARIANTS:
            continue
        if (suite, name) in seen:
            problems.append("%s.%s is reported twice: two cases share the name" % (suite, name))
        seen.add((suite, name))
    for suite, ok in ktap.suites:
        statuses = [status for s, _, status, _ in ktap.cases if s == suite]
        if ok and "fail" in statuses:
            problems.append("the kernel says suite %s passed, but one of its cases failed" % suite)
        if not ok and "fail" not in statuses:
            problems.append("the kernel says suite %s failed, but no case line says so" % suite)
    plans = [int(m.group(1)) for m in map(re.compile(r"^1\.\.(\d+)$").match, boot.lines) if m]
    if boot.done and plans and plans[0] != len(ktap.suites):
        problems.append("the plan names %d suites but %d reported" % (plans[0], len(ktap.suites)))
    if boot.done and boot.exit_code == EXIT_TESTS_DONE and ktap.any_failed():
        problems.append("the kernel exited with 'all passed' (33) but its KTAP has a failure")
    if boot.done and boot.exit_code == EXIT_TESTS_FAILED and not ktap.any_failed():
        problems.append("the kernel exited with 'failed' (37) but its KTAP has no failure")
    return [Result("runner", label, "fail", [], problem, boot.log_path) for problem in problems]


def run_normal_cases(args, results):
    """Boots until every listed normal case has a result; returns the bugcheck cases listed."""
    done, after, boot_number, expected, bugcheck_cases = {}, None, 0, None, []

    while True:
        append = "ktest=" + args.filter + " ktest.normal" + (" ktest.after=" + after if after else "")
        boot_number += 1
        log = os.path.join(args.log_dir, "boot-%d.log" % boot_number)
        boot = Boot(args, append, log)
        ktap = Ktap(boot.lines)
        if expected is None:
            expected = [name for name, _ in listed(boot.lines, "case")]
            bugcheck_cases = listed(boot.lines, "bugcheck")
            if not expected and not bugcheck_cases and boot.done:
                results.append(Result("runner", "filter", "fail", boot.tail(5),
                                      "the filter '%s' matches no case (make test-list lists them)"
                                      % args.filter, log))
                return []
            # Each item must select something, or a misspelt one (or one the kernel's
            # 255-character command line cut) would pass by running nothing.
            if boot.done:
                for item in unmatched_filter_items(args.filter, expected + [name for name, _ in bugcheck_cases]):
                    results.append(Result("runner", "filter", "fail", [],
                                          "the filter item '%s' matches no case the kernel listed (misspelt, "
                                          "or cut off a command line longer than the kernel reads)" % item, log))
        results.extend(cross_check(boot, ktap, "boot-%d" % boot_number))
        last = None
        for suite, name, status, diagnostics in ktap.cases:
            key = suite + "." + name
            if name == INVARIANTS:
                key = "%s.%s#%d" % (suite, INVARIANTS, boot_number)
            elif key in done:
                continue  # reported twice: cross_check has failed the boot for it
            done[key] = Result(suite, name, status, diagnostics, log=log)
            if name != INVARIANTS:
                last = key
        if boot.done and boot.exit_code in (EXIT_TESTS_DONE, EXIT_TESTS_FAILED):
            break
        # The boot died. Blame the case the kernel's bugcheck hook reported, or else
        # the first listed case without a result, and go on after it. A stop the hook
        # saw outside any case (between cases, in a suite's invariant check) is no
        # case's: the boot fails on its own and the next one starts after the last
        # case reported, so the case after it still runs.
        missing = [key for key in expected if key not in done]
        if any(line.startswith("# ktest: crashed in") for line in boot.lines) and last:
            victim = last
            done[victim].diagnostics += boot.tail()
            done[victim].reason = boot.ending()
        elif "# ktest: stopped outside a test case" in boot.lines and last:
            results.append(Result("runner", "boot-%d" % boot_number, "fail", boot.tail(),
                                  "%s outside any case, after %s" % (boot.ending(), last), log))
            say("  CRASH    after %s: %s" % (last, boot.ending()))
            after = last
            if last == expected[-1] or boot_number > len(expected) + 1:
                break
            continue
        elif missing:
            victim = missing[0]
            suite, _, name = victim.partition(".")
            done[victim] = Result(suite, name, "fail", boot.tail(), boot.ending(), log)
        else:
            results.append(Result("runner", "boot-%d" % boot_number, "fail", boot.tail(),
                                  boot.ending(), log))
            break
        say("  CRASH    %s: %s" % (victim, done[victim].reason or boot.ending()))
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
    return bugcheck_cases


def run_bugcheck_case(args, case, code):
    suite, _, name = case.partition(".")
    log = os.path.join(args.log_dir, "bugcheck-%s.log" % case)
    boot = Boot(args, "ktest=" + case, log, running=case)
    verdicts = [status for s, n, status, _ in Ktap(boot.lines).cases if n == name]
    expected_code = "%08X" % int(code, 16)
    if (boot.done and boot.exit_code == EXIT_EXPECTED_STOP and verdicts == ["pass"]
            and boot.stops[:1] == [expected_code]):
        return Result(suite, name, "pass", log=log)
    # A stop case may skip where the machine lacks what it needs (SMEP, a large page): no stop, all passed.
    if boot.done and boot.exit_code == EXIT_TESTS_DONE and verdicts == ["skip"] and not boot.stops:
        return Result(suite, name, "skip", log=log)
    if boot.done and boot.stops:
        reason = "stopped with 0x%s, expected 0x%s" % (boot.stops[0], expected_code)
        if boot.stops[0] == expected_code:
            parameters = [m.group(1) for m in map(PARAMETER_LINE.match, boot.lines) if m]
            reason = "stopped with 0x%s as expected, but %s" % (
                expected_code, "; ".join(parameters) if parameters else "the case did not report a pass")
    elif boot.done:
        reason = "returned without stopping; expected a stop with %s" % expected_code
    else:
        reason = boot.ending()
    diagnostics = [d for s, n, _, ds in Ktap(boot.lines).cases if n == name for d in ds]
    return Result(suite, name, "fail", diagnostics + boot.tail(), reason, log)


def run_too_small_machine(args):
    """A machine with too little RAM must say so with INSTALL_MORE_MEMORY, not crash."""
    log = os.path.join(args.log_dir, "too-small-machine.log")
    boot = Boot(args, "ktest=boot ktest.normal", log, mem=args.too_small, ramdisk=False)
    name = "too_small_machine_stops_with_0x7d"
    if boot.exit_code == EXIT_BUGCHECK and boot.stops == ["0000007D"]:
        return Result("boot", name, "pass", log=log)
    return Result("boot", name, "fail", boot.tail(),
                  "with %s: %s" % (args.too_small, "stopped with " + boot.stops[0]
                                   if boot.stops else boot.ending()), log)


def run_unsupported_cpu(args, cpu):
    """A processor without what ntmm needs stops in boot/cpucheck.S, before any C, with 0x5D."""
    machine = argparse.Namespace(**vars(args))
    machine.qemu_args = args.qemu_args + " -cpu " + shlex.quote(cpu)   # the last -cpu wins
    log = os.path.join(args.log_dir, "unsupported-cpu-%s.log" % cpu)
    boot = Boot(machine, "ktest=boot ktest.normal", log, ramdisk=False)
    name = "cpu_%s_stops_with_0x5d" % re.sub(r"\W", "_", cpu)
    # The stop comes before KiSystemStartup: no banner, no KTAP, only the STOP line and its name.
    if (boot.exit_code == EXIT_BUGCHECK and boot.stops == ["0000005D"] and "UNSUPPORTED_PROCESSOR" in boot.lines
            and not any(line.startswith("KTAP") or line.startswith("ntmm:") for line in boot.lines)):
        return Result("boot", name, "pass", log=log)
    return Result("boot", name, "fail", boot.tail(),
                  "with -cpu %s: %s" % (cpu, "stopped with " + boot.stops[0] if boot.stops else boot.ending()), log)


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
    log = os.path.join(args.log_dir, "modules-machine.log")
    boot = Boot(machine, "ktest=boot ktest.normal", log, ramdisk=False)
    ktap = Ktap(boot.lines)
    verdicts = {n: status for _, n, status, _ in ktap.cases}
    problems = cross_check(boot, ktap, "modules-machine")
    name = "%d_loader_modules_are_reserved" % args.modules
    if (boot.done and boot.exit_code == EXIT_TESTS_DONE and not problems and
            verdicts.get("every_loader_module_is_reserved_and_intact") == "pass" and
            "fail" not in verdicts.values()):
        return Result("boot", name, "pass", log=log)
    failed = [n for n, status in verdicts.items() if status == "fail"]
    return Result("boot", name, "fail", boot.tail(),
                  boot.ending() if not boot.done else "not passed: " + " ".join(failed) if failed
                  else problems[0].reason if problems else "the module case did not pass", log)


def run_iso(args):
    log = os.path.join(args.log_dir, "grub-iso.log")
    boot = Boot(args, None, log, iso=True)
    ktap = Ktap(boot.lines)
    failed = [n for _, n, status, _ in ktap.cases if status == "fail"]
    problems = cross_check(boot, ktap, "grub-iso")
    if boot.done and boot.exit_code == EXIT_TESTS_DONE and not failed and not problems and ktap.cases:
        return Result("grub", "iso_self_test_boot", "pass", log=log)
    reason = boot.ending() if not boot.done else (
        "failed: " + " ".join(failed) if failed else
        problems[0].reason if problems else "no case ran")
    return Result("grub", "iso_self_test_boot", "fail", boot.tail(), reason, log)


def write_ktap(results, path):
    """results.ktap: valid KTAP version 1 whatever happened; logs are named, not inlined."""
    suites = {}
    for result in results:
        suites.setdefault(result.suite, []).append(result)
    with open(path, "w") as out:
        out.write("KTAP version 1\n1..%d\n" % len(suites))
        for number, (suite, cases) in enumerate(sorted(suites.items()), 1):
            out.write("  KTAP version 1\n  # Subtest: %s\n  1..%d\n" % (suite, len(cases)))
            for index, case in enumerate(cases, 1):
                if case.status == "fail":
                    if case.reason:
                        out.write("    # %s\n" % case.reason)
                    for diagnostic in case.diagnostics:
                        out.write("    # %s\n" % diagnostic.replace("\t", " ").rstrip())
                    if case.log:
                        out.write("    # log: %s\n" % case.log)
                directive = " # SKIP" if case.status == "skip" else ""
                out.write("  %s %d %s%s\n" % ("not ok" if case.status == "fail" else "ok",
                                              index, case.name, directive))
            ok = all(case.status != "fail" for case in cases)
            out.write("%s %d %s\n" % ("ok" if ok else "not ok", number, suite))


def print_suites(results):
    """One console line per suite, FAIL when any of its cases failed in any boot."""
    suites = {}
    for result in results:
        suites.setdefault(result.suite, []).append(result)
    for suite, cases in sorted(suites.items()):
        failed = [c for c in cases if c.status == "fail"]
        skipped = sum(c.status == "skip" for c in cases)
        note = " (%d skipped)" % skipped if skipped else ""
        if failed:
            note = " (%s)" % ", ".join(c.name for c in failed)
        say("  %-8s %s%s" % ("FAIL" if failed else "PASS", suite, note))


def list_cases(args):
    boot = Boot(args, "ktest=" + args.filter + " ktest.list", os.path.join(args.log_dir, "list.log"))
    cases = listed(boot.lines, "case")
    bugchecks = listed(boot.lines, "bugcheck")
    for name, _ in cases:
        print(name)
    for name, code in bugchecks:
        print("%s (stops with %s)" % (name, code))
    if not cases and not bugchecks:
        print("the filter '%s' matches no case" % args.filter, file=sys.stderr)
        return 1
    unmatched = unmatched_filter_items(args.filter, [name for name, _ in cases + bugchecks])
    for item in unmatched:
        print("the filter item '%s' matches no case" % item, file=sys.stderr)
    return 1 if unmatched else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--qemu", default="qemu-system-i386")
    parser.add_argument("--qemu-args", default="", help="extra QEMU arguments (machine, CPU)")
    parser.add_argument("--kernel", required=True)
    parser.add_argument("--iso")
    parser.add_argument("--mem", default="128M")
    parser.add_argument("--accel", default="tcg")
    parser.add_argument("--filter", default="all")
    parser.add_argument("--verifier", default="", help="the kernel verifier's options for every boot (verifier=...)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--timeout", type=float, default=float(os.environ.get("KTEST_TIMEOUT") or 300),
                        help="seconds one boot may take before it is stopped and its running case fails "
                             "(KTEST_TIMEOUT, 300)")
    parser.add_argument("--progress", type=float, default=30,
                        help="seconds a case may run before the console says it is still running (30)")
    parser.add_argument("--log-dir", default="build/test")
    parser.add_argument("--too-small", help="RAM size that must stop with INSTALL_MORE_MEMORY (0x7D)")
    parser.add_argument("--list", action="store_true", help="print the selected cases' names")
    parser.add_argument("--modules", type=int, default=0, help="also boot with this many loader modules")
    parser.add_argument("--initrd", default="",
                        help="the ramdisk's files, comma-separated: loaded as modules by every case's boot")
    parser.add_argument("--unsupported-cpu", default="",
                        help="QEMU CPU models (comma-separated) that must stop with UNSUPPORTED_PROCESSOR (0x5D)")
    args = parser.parse_args()
    os.makedirs(args.log_dir, exist_ok=True)
    for old in os.listdir(args.log_dir):
        if old.endswith(".log") or old in ("results.ktap", "results.summary"):
            os.remove(os.path.join(args.log_dir, old))
    if args.list:
        return list_cases(args)

    started = time.monotonic()
    say("ntmm self-tests: kernel %s, %s RAM, %s, filter '%s'%s%s" %
        (args.kernel, args.mem, args.accel, args.filter,
         ", QEMU " + args.qemu_args if args.qemu_args else "",
         ", verifier " + args.verifier if args.verifier else ""))
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
        print_suites(results)
        if bugcheck_cases:
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
        if result.log:
            say("    log: " + result.log)
    cases = [r for r in results if not r.is_invariant_check]
    checks = [r for r in results if r.is_invariant_check]
    passed = sum(r.status == "pass" for r in cases)
    skipped = sum(r.status == "skip" for r in cases)
    broken = sum(r.status == "fail" for r in checks)
    say("\nlogs: %s/ (merged KTAP: results.ktap), %.1f s" % (args.log_dir, time.monotonic() - started))
    if checks:
        say("invariants held after %d of %d suites" % (len(checks) - broken, len(checks)))
    summary = "%d passed, %d failed%s%s" % (
        passed, sum(r.status == "fail" for r in cases),
        ", %d skipped" % skipped if skipped else "",
        ", %d invariant check%s failed" % (broken, "" if broken == 1 else "s") if broken else "")
    with open(os.path.join(args.log_dir, "results.summary"), "w") as out:
        out.write(summary + "\n")    # make ktap-check compares Linux's parser's counts with it
    say(summary)
    return 1 if failed or not cases else 0


if __name__ == "__main__":
    sys.exit(main())
