#!/usr/bin/env python3
"""check.py: tests the test runner (tests/run.py) and the kernel's reporting.

A green `make test` proves only as much as the runner's honesty. This script
shows that every way a case can go wrong ends as a failure: it builds a test
kernel with tests/runner/cases (cases that fail, crash, skip, leak, leave a
try frame or IRQL behind, and stop wrongly on purpose), runs the runner over
them and checks each verdict, the counts and the exit status; checks that
the verifier's leak, locked-page and lock-order reports fail their suites
and name the callers; checks the
kernel's exit code with the serial line disconnected; checks that two cases
with one name do not link; and feeds the runner's KTAP cross-checks boot
logs that contradict themselves. Run by `make test-runner`.
"""
import os
import re
import subprocess
import sys
import types

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests"))
import run  # noqa: E402  (the runner under test)

BUILD = "build/runner-test"
KERNEL = BUILD + "/kernel.elf"
QEMU = os.environ.get("QEMU", "qemu-system-i386")
failures = []


def ktap_check(what):
    """Linux's kunit_parser must read the runner's results.ktap and count what the runner counted."""
    result = subprocess.run([sys.executable, "tools/ktap_check.py", BUILD + "/test/results.ktap"], cwd=ROOT,
                            capture_output=True, text=True)
    lines = [line for line in result.stdout.splitlines() if line.startswith("ktap-check:")]
    check(result.returncode == 0 and "ktap-check: ok" in lines,
          "kunit_parser.py parses the KTAP %s and counts what the runner counted: %s" %
          (what, lines[-2] if len(lines) > 1 else result.stdout[-300:] + result.stderr[-300:]))


def check(condition, what):
    print("  %-4s %s" % ("ok" if condition else "FAIL", what), flush=True)
    if not condition:
        failures.append(what)


def make(*arguments):
    return subprocess.run(["make", "-s"] + list(arguments), cwd=ROOT, capture_output=True, text=True)


def runner(*arguments, qemu=QEMU):
    command = [sys.executable, "tests/run.py", "--qemu", qemu, "--kernel", KERNEL,
               "--log-dir", BUILD + "/test", "--timeout", "60"] + list(arguments)
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    return result.returncode, result.stdout + result.stderr


def qemu_exit_code(append):
    """The kernel's exit status with no serial line at all: the status alone must tell."""
    command = [QEMU, "-kernel", KERNEL, "-append", append, "-m", "128M", "-display", "none",
               "-no-reboot", "-serial", "none", "-monitor", "none",
               "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
    return subprocess.run(command, cwd=ROOT, capture_output=True, timeout=120).returncode


def ktap_verdicts(path):
    """{suite.case: 'ok' | 'not ok' | 'skip'} from a merged results.ktap."""
    verdicts, suite = {}, None
    with open(path) as ktap:
        for line in ktap:
            line = line.rstrip("\n")
            if line.startswith("  # Subtest: "):
                suite = line.split()[-1]
            match = run.CASE_LINE.match(line)
            if match and suite:
                key = suite + "." + match.group(3)
                verdicts[key] = "skip" if match.group(4) == "SKIP" else match.group(1)
    return verdicts


def fake_boot(lines, exit_code, append=None):
    return types.SimpleNamespace(lines=lines, exit_code=exit_code, done="# ktest: done" in lines,
                                 log_path="fake.log", append=append)


def ktap_of(suite_line, case_line, plan=1):
    return ["KTAP version 1", "1..%d" % plan, "  KTAP version 1", "  # Subtest: s", "  1..1",
            "  " + case_line, suite_line, "# ktest: done"]


def check_cross_checks():
    print("the runner's cross-checks, on boot logs that contradict themselves:")
    duplicate = ["KTAP version 1", "1..1", "  KTAP version 1", "  # Subtest: dup", "  1..2",
                 "  not ok 1 same_name", "  ok 2 same_name", "not ok 1 dup", "# ktest: done"]
    for lines, exit_code, phrase, what in [
            (duplicate, run.EXIT_TESTS_FAILED, "reported twice",
             "a case name reported twice fails the run"),
            (ktap_of("not ok 1 s", "ok 1 a"), run.EXIT_TESTS_FAILED, "no case line says so",
             "a suite the kernel calls 'not ok' fails even when every case line is ok"),
            (ktap_of("ok 1 s", "not ok 1 a"), run.EXIT_TESTS_FAILED, "one of its cases failed",
             "a suite the kernel calls 'ok' with a failing case is a contradiction"),
            (ktap_of("not ok 1 s", "not ok 1 a"), run.EXIT_TESTS_DONE, "'all passed' (33)",
             "exit status 33 with a failure in the KTAP is a contradiction"),
            (ktap_of("ok 1 s", "ok 1 a"), run.EXIT_TESTS_FAILED, "'failed' (37)",
             "exit status 37 with no failure in the KTAP is a contradiction"),
            (ktap_of("ok 1 s", "ok 1 a", plan=2), run.EXIT_TESTS_DONE, "plan names 2 suites",
             "a suite missing from the plan fails")]:
        problems = run.cross_check(fake_boot(lines, exit_code), run.Ktap(lines), "b")
        check(any(phrase in p.reason for p in problems), what)
    passing = ktap_of("ok 1 s", "ok 1 a")
    check(not run.cross_check(fake_boot(passing, run.EXIT_TESTS_DONE), run.Ktap(passing), "b"),
          "a consistent passing boot raises nothing")
    append = "ktest=s ktest.normal ktest.after=s.a"
    for echoed, phrase, what in [
            ("build/kernel.elf " + append, None, "a command line read whole raises nothing"),
            ("build/kernel.elf " + append[:-6], "cut short", "a command line the kernel cut is a failure")]:
        lines = ['loader: qemu, command line "%s"' % echoed] + passing
        problems = run.cross_check(fake_boot(lines, run.EXIT_TESTS_DONE, append), run.Ktap(lines), "b")
        check(any(phrase in p.reason for p in problems) if phrase else not problems, what)


class ScriptedBoot:
    """A Boot that replays a script: one list of lines and an exit code per boot, in order."""
    script, appends = [], []

    def __init__(self, args, append, log_path, iso=False, mem=None):
        lines, self.exit_code = ScriptedBoot.script.pop(0)
        ScriptedBoot.appends.append(append)
        self.lines, self.timed_out, self.log_path = lines, False, log_path
        self.done = "# ktest: done" in lines
        self.stops = [m.group(1) for m in map(run.STOP_LINE.match, lines) if m]

    ending, tail = run.Boot.ending, run.Boot.tail


def check_stop_outside_a_case():
    print("a stop between cases (in a suite's invariant check) in the runner's normal-case boots:")
    listing = ["# ktest-case s.a", "# ktest-case s.b", "# ktest-case t.c"]
    first = listing + ["KTAP version 1", "1..2", "  KTAP version 1", "  # Subtest: s", "  1..3",
                       "  ok 1 a", "  ok 2 b", "*** STOP: 0x0000001A (0x00000000,0x00000000,0x00000000,0x00000000)",
                       "# ktest: stopped outside a test case"]
    resumed = ["# ktest-case t.c", "KTAP version 1", "1..1", "  KTAP version 1", "  # Subtest: t", "  1..2",
               "  ok 1 c", "  ok 2 invariants", "ok 1 t", "# ktest: done"]
    ScriptedBoot.script, ScriptedBoot.appends = [(first, run.EXIT_BUGCHECK), (resumed, run.EXIT_TESTS_DONE)], []
    args = types.SimpleNamespace(filter="s,t", log_dir=os.path.join(ROOT, BUILD, "test"))
    real_boot, run.Boot = run.Boot, ScriptedBoot
    results = []
    try:
        run.run_normal_cases(args, results)
    finally:
        run.Boot = real_boot
    verdicts = {(r.suite, r.name): r.status for r in results}
    check(verdicts.get(("t", "c")) == "pass", "the first case after the stop is run, not blamed (%s)"
          % verdicts.get(("t", "c")))
    check(len(ScriptedBoot.appends) == 2 and ScriptedBoot.appends[1].endswith("ktest.after=s.b"),
          "the next boot resumes after the last case reported (%s)" % ScriptedBoot.appends[-1:])
    check(any(r.status == "fail" and "0x0000001A" in r.reason and (r.suite, r.name) != ("t", "c") for r in results),
          "the stop is a failure of its own: %s" % [(r.suite, r.name, r.reason) for r in results if r.status == "fail"])


def check_outcomes():
    print("cases that misbehave on purpose (tests/runner/cases):")
    status, output = runner("--filter", "runnertest,runnerleak,runnerstop", "--jobs", "2")
    last = output.strip().splitlines()[-1] if output.strip() else ""
    check(status == 1, "the runner exits non-zero (it exited %d)" % status)
    check(last == "5 passed, 12 failed, 3 skipped",
          "the counts are exact: '%s'" % last)
    verdicts = ktap_verdicts(os.path.join(ROOT, BUILD, "test", "results.ktap"))
    expected = {
        "runnertest.passes": "ok",
        "runnertest.expect_fails": "not ok",
        "runnertest.assert_fails": "not ok",
        "runnertest.skips": "skip",
        "runnertest.crashes": "not ok",
        "runnertest.passes_after_a_crash": "ok",
        "runnertest.returns_from_inside_a_try": "not ok",
        "runnertest.leaves_irql_raised": "not ok",
        "runnertest.skips_on_a_called_stack": "skip",
        "runnertest.runs_on_its_own_stack_after_a_skip_on_a_called_one": "ok",
        "runnertest.invariants": "ok",
        "runnerleak.leaks_pool": "not ok",
        "runnerleak.keeps_a_system_pte": "not ok",
        "runnerleak.passes_after_a_leak": "ok",
        "runnerleak.invariants": "ok",
        "runnerstop.stops_as_expected": "ok",
        "runnerstop.stops_with_another_code": "not ok",
        "runnerstop.stops_with_another_parameter": "not ok",
        "runnerstop.returns_without_stopping": "not ok",
        "runnerstop.skips_where_the_machine_cannot": "skip",
        "runnerstop.fails_a_check_then_stops_as_expected": "not ok",
        "runnerstop.fails_a_check_then_skips": "not ok",
    }
    for key, verdict in expected.items():
        check(verdicts.get(key) == verdict, "results.ktap: %s is %s (it is %s)" % (key, verdict, verdicts.get(key)))
    for suite in ("runnertest", "runnerleak", "runnerstop"):
        check(any(line.startswith("  FAIL     " + suite) for line in output.splitlines()),
              "the console says FAIL for suite %s" % suite)
    check("returned with a try frame still registered" in output, "the try frame left behind is named")
    check("left IRQL at 2" in output, "the IRQL left raised is named")
    check("tag 'Leak'" in output, "the leak names its tag")
    ktap_check("of crashes, failed stops, leaks and skips")
    check("keeps_a_system_pte kept 1 system PTEs" in output, "the system PTE kept is blamed on its case")
    check("runnerstop.stops_with_another_parameter: stopped with 0x000000E2 as expected, but "
          "parameter 2 is 0x00000008, expected 0x00000007" in output,
          "a stop with the wrong parameter says which parameter differed")

    status, output = runner("--filter", "runnerhang", "--timeout", "12", "--progress", "3")
    verdicts = ktap_verdicts(os.path.join(ROOT, BUILD, "test", "results.ktap"))
    check(status == 1 and output.strip().endswith("1 passed, 1 failed"),
          "a hung case fails and the boot goes on after it: '%s'" % output.strip().splitlines()[-1])
    check("runnerhang.hangs still running after 3 s" in output, "a hung case gets a progress line")
    check("timed out after 12 s (KTEST_TIMEOUT)" in output, "the time-out is named")
    check(verdicts.get("runnerhang.hangs") == "not ok" and verdicts.get("runnerhang.passes_after_a_hang") == "ok",
          "results.ktap: the hung case failed, the next one passed")
    ktap_check("of a time-out")
    status, output = runner("--filter", "runnerstop.stops_as_expected")
    check(status == 0 and output.strip().endswith("1 passed, 0 failed"),
          "a filter naming one bugcheck case runs just it: 1 passed, 0 failed")
    status, output = runner("--filter", "poool")
    check(status != 0 and "matches no case" in output, "a filter that matches nothing is an error")
    status, output = runner("--filter", "runnertest.passes,runnertest.pases")
    check(status != 0 and "'runnertest.pases' matches no case" in output,
          "a filter with one item that matches nothing is an error, though another matches")
    # Longer than the kernel's command line: the items it cut must not pass by running nothing.
    names = ["printf.integers", "printf.sixty_four_bit", "printf.width_padding_and_flags",
             "printf.strings_chars_and_pointers", "printf.truncates_and_returns_the_full_length",
             "printf.dbgprint_sends_at_most_512_bytes_and_ends_a_cut_message_with_its_newline",
             "runnertest.passes", "runnertest.passes_after_a_crash"]
    status, output = runner("--filter", ",".join(names))
    check(status != 0 and "'runnertest.passes_after_a_crash' matches no case" in output,
          "a filter cut off the kernel's command line is an error, not a shorter pass")
    status, output = runner("--filter", "runnerstop,runnerstoop", "--list")
    check(status != 0 and "'runnerstoop' matches no case" in output, "--list says which item matches nothing")
    status, output = runner("--filter", "runnerstop", "--list")
    check(status == 0 and "runnerstop.stops_as_expected (stops with 0x000000E2)" in output,
          "--list names the selected cases")


def check_verifier_reports():
    print("the verifier's reports fail their suites (tests/runner/cases/verifier.c, verifier=pooltrack,locks):")
    status, output = runner("--filter", "runnerpooltrack,runnerlocked,runnerlockorder",
                            "--verifier", "pooltrack,locks", "--jobs", "2")
    last = output.strip().splitlines()[-1] if output.strip() else ""
    check(status == 1, "the runner exits non-zero (it exited %d)" % status)
    check(last == "1 passed, 3 failed", "the counts are exact: '%s'" % last)
    verdicts = ktap_verdicts(os.path.join(ROOT, BUILD, "test", "results.ktap"))
    for case, verdict in (("runnerpooltrack.leaks_a_block", "not ok"), ("runnerlocked.leaves_pages_locked", "not ok"),
                          ("runnerlockorder.takes_a_then_b", "ok"),
                          ("runnerlockorder.takes_b_then_a_twice", "not ok")):
        check(verdicts.get(case) == verdict, "results.ktap: %s is %s (it is %s)" % (case, verdict, verdicts.get(case)))
    check(re.search(r"pool leak: tag 'Vlk1', 72 bytes of nonpaged pool at [0-9A-F]{8}, "
                    r"allocated by KtCase_runnerpooltrack__leaks_a_block\+0x", output) is not None,
          "the leak names its tag, size and allocating caller")
    check(re.search(r"locked pages: MDL [0-9A-F]{8} holds 1 pages locked, "
                    r"locked by KtCase_runnerlocked__leaves_pages_locked\+0x", output) is not None,
          "the locked pages name their MDL and the caller that locked them")
    with open(os.path.join(ROOT, BUILD, "test", "boot-1.log")) as log:
        reported = [line for line in log if "lock order:" in line and "invariants" not in line]
    check(len(reported) == 2, "the inversion is reported once when it is made and once by the check after its case, "
          "not again for the second inverted order (%d lines)" % len(reported))
    case = "specpool.writing_past_the_end_stops_with_0xd6"
    status, output_stop = runner("--filter", case)
    with open(os.path.join(ROOT, BUILD, "test", "bugcheck-%s.log" % case)) as log:
        text = log.read()
    check(status == 0 and re.search(r"special pool: touched past its end: tag 'KkSp', 32 bytes at [0-9A-F]{8}, "
                                    r"allocated by KtSpecialBlock\+0x", text) is not None and
          "At " in text and "KtCase_specpool__writing_past_the_end_stops_with_0xd6" in text,
          "a special-pool stop names the tag and the allocating caller, and stops at the faulting instruction")
    orders = [line for line in output.splitlines() if "lock order:" in line]
    check(bool(orders) and "KtCase_runnerlockorder__takes_b_then_a_twice" in orders[0] and
          "KtCase_runnerlockorder__takes_a_then_b" in orders[0],
          "the report names both orders' callers: %s" % (orders[:1],))


def check_stress():
    print("the stress kernel reports a broken block with its seed and operation (stress.break):")
    command = [sys.executable, "tools/stress.py", "--qemu", QEMU, "--kernel", KERNEL, "--seeds", "5", "--ops", "3000",
               "--check", "100", "--break-at", "1000", "--log-dir", BUILD + "/stress"]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    output = result.stdout + result.stderr
    failed = re.search(r"stress: FAILED at operation (\d+) of seed 5: a pool block's bytes changed", output)
    check(result.returncode != 0 and "FAIL     seed 5" in output, "the seed fails and the exit status says so")
    check(failed is not None and 1000 <= int(failed.group(1)) < 1100,
          "the failure names the seed and an operation at most one walk after the damage: %s" %
          (failed.group(0) if failed else output[-300:]))
    check(failed is not None and ("make stress SEED=5 OPS=%d" % (int(failed.group(1)) + 1)) in output,
          "the failure prints the command that replays it")
    result = subprocess.run(command[:-6] + ["--log-dir", BUILD + "/stress"], cwd=ROOT, capture_output=True, text=True)
    check(result.returncode == 0 and "1 seeds passed, 0 failed" in result.stdout,
          "the same seed without the damage passes")


def check_exit_codes():
    print("the kernel's exit status, with the serial line disconnected:")
    for append, expected, what in [
            ("ktest=runnertest.passes ktest.normal", run.EXIT_TESTS_DONE, "all passed"),
            ("ktest=runnertest.expect_fails ktest.normal", run.EXIT_TESTS_FAILED, "a case failed"),
            ("ktest=poool ktest.normal", run.EXIT_TESTS_FAILED, "nothing matched"),
            ("ktest=runnerstop.stops_as_expected", run.EXIT_EXPECTED_STOP, "the expected stop"),
            ("ktest=runnerstop.stops_with_another_code", run.EXIT_BUGCHECK, "another stop"),
            ("ktest=runnerstop.returns_without_stopping", run.EXIT_TESTS_FAILED, "no stop"),
            ("ktest=runnerstop.skips_where_the_machine_cannot", run.EXIT_TESTS_DONE, "a stop case that skips"),
            ("ktest=runnerstop.fails_a_check_then_stops_as_expected", run.EXIT_BUGCHECK,
             "the expected stop after a failed check"),
            ("ktest=runnerstop.fails_a_check_then_skips", run.EXIT_TESTS_FAILED, "a skip after a failed check")]:
        code = qemu_exit_code(append)
        check(code == expected, "%s: %d (expected %d)" % (what, code, expected))


def check_stale_results():
    print("a runner that dies leaves no stale verdict:")
    path = os.path.join(ROOT, BUILD, "test", "results.ktap")
    with open(path, "w") as stale:
        stale.write("KTAP version 1\n1..1\nok 1 stale\n")
    status, output = runner("--filter", "runnertest.passes", qemu="/nonexistent/qemu-system-i386")
    check(status != 0, "the runner fails when QEMU is missing")
    check(not os.path.exists(path), "results.ktap from the previous run is gone")


def check_duplicate_names():
    print("two cases with one name:")
    result = make("BUILD=build/runner-dup", "KTEST_DIRS=tests/kernel tests/runner/dup", "all")
    check(result.returncode != 0, "the kernel does not link")
    check("multiple definition of `KtRecord_runnerdup__same_name'" in result.stderr + result.stdout,
          "the error names the case")


def main():
    check_cross_checks()
    check_stop_outside_a_case()
    built = make("BUILD=" + BUILD, "KTEST_DIRS=tests/kernel tests/runner/cases", "all")
    if built.returncode != 0:
        print(built.stdout + built.stderr)
        return 1
    check_outcomes()
    check_verifier_reports()
    check_stress()
    check_exit_codes()
    check_stale_results()
    check_duplicate_names()
    print("\ntest-runner: %s" % ("%d checks failed" % len(failures) if failures else "every check passed"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
