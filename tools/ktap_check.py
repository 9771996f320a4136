#!/usr/bin/env python3
"""ktap_check.py: has Linux's own KTAP parser read a results.ktap and count what the runner counted.

make ktap-check (and make test-runner) run it on the merged results.ktap
tests/run.py writes. The parser is kunit_parser.py from Linux's
tools/testing/kunit, taken at run time from Debian's linux-source package
(apt-get download, no installation, no root) and unpacked under
build/kunit/; it is not kept in this repository. The check fails when the
parser reports an error, or when its count of passed, failed and skipped
cases (the suites' "invariants" lines left out, as the runner counts them)
differs from the runner's summary line, which run.py writes beside the KTAP
(results.summary).
"""
import glob
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CACHE = os.path.join(ROOT, "build", "kunit")


def kunit_directory():
    """tools/testing/kunit of the linux-source package, unpacked under build/kunit on first use."""
    found = glob.glob(os.path.join(CACHE, "linux-source-*", "tools", "testing", "kunit", "kunit_parser.py"))
    if found:
        return os.path.dirname(found[0])
    os.makedirs(CACHE, exist_ok=True)
    depends = subprocess.run(["apt-cache", "depends", "linux-source"], capture_output=True, text=True).stdout
    match = re.search(r"Depends: (linux-source-[\d.]+)", depends)
    if not match and os.geteuid() == 0:
        # A fresh machine may never have read the package lists.
        subprocess.run(["apt-get", "update", "-qq"], check=False)
        depends = subprocess.run(["apt-cache", "depends", "linux-source"], capture_output=True, text=True).stdout
        match = re.search(r"Depends: (linux-source-[\d.]+)", depends)
    if not match:
        raise SystemExit("ktap-check: apt-cache knows no linux-source package (run apt-get update)")
    package = match.group(1)
    debs = glob.glob(os.path.join(CACHE, package + "_*.deb"))
    if not debs:
        print("ktap-check: downloading %s (Linux's kunit_parser.py is in it)" % package, flush=True)
        subprocess.run(["apt-get", "download", "-q", package], cwd=CACHE, check=True,
                       stdout=subprocess.DEVNULL)
        debs = glob.glob(os.path.join(CACHE, package + "_*.deb"))
    tarball = "./usr/src/%s.tar.xz" % package
    fsys = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", debs[0]], stdout=subprocess.PIPE)
    inner = subprocess.Popen(["tar", "-xO", tarball], stdin=fsys.stdout, stdout=subprocess.PIPE)
    subprocess.run(["tar", "-xJ", "-C", CACHE, "%s/tools/testing/kunit" % package], stdin=inner.stdout, check=True)
    inner.wait()
    fsys.wait()
    return kunit_directory()


def leaves(test):
    if not test.subtests:
        yield test
    for subtest in test.subtests:
        yield from leaves(subtest)


def main():
    ktap = sys.argv[1] if len(sys.argv) > 1 else "build/test/results.ktap"
    summary_path = os.path.join(os.path.dirname(ktap), "results.summary")
    sys.path.insert(0, kunit_directory())
    import kunit_parser  # noqa: E402 (Linux's, from the package above)

    with open(ktap) as stream:
        lines = stream.read().splitlines()
    sys.stdout.flush()
    test = kunit_parser.parse_run_tests(lines)
    counts = {"pass": 0, "fail": 0, "skip": 0}
    status = kunit_parser.TestStatus
    for leaf in leaves(test):
        if leaf.name == "invariants" or leaf is test:
            continue
        counts["skip" if leaf.status == status.SKIPPED else "pass" if leaf.status == status.SUCCESS else "fail"] += 1
    parsed = "%d passed, %d failed%s" % (counts["pass"], counts["fail"],
                                          ", %d skipped" % counts["skip"] if counts["skip"] else "")
    with open(summary_path) as stream:
        runner = stream.read().strip()
    runner_counts = re.match(r"(\d+ passed, \d+ failed(?:, \d+ skipped)?)", runner)
    errors = test.counts.errors
    print("ktap-check: kunit_parser read %s: %s, %d parse errors; the runner said: %s" % (ktap, parsed, errors, runner))
    if errors or runner_counts is None or runner_counts.group(1) != parsed:
        print("ktap-check: FAIL")
        return 1
    print("ktap-check: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
