#!/usr/bin/env python3
"""stress.py: boots the stress kernel (tests/stress/stress.c) for each seed and reports.

Each seed is one boot: "stress stress.seed=S stress.ops=N stress.check=C"
with the verifier's options (the low-resources simulation's seed is S
too, unless the options name one), under TCG. A seed passes when the kernel says
"stress: done" and exits with the status for "every check passed" (33);
anything else (a broken invariant, a pattern that changed, a stop, a
time-out) fails it, and the kernel's own lines naming the seed, the
operation and the command that replays it are printed with the log's tail.
The exit status is non-zero when any seed failed.
"""
import argparse
import os
import subprocess
import sys
import time

EXIT_DONE = (0x10 << 1) | 1


def run_seed(args, seed):
    append = "stress stress.seed=%d stress.ops=%d stress.check=%d" % (seed, args.ops, args.check)
    if args.break_at is not None:
        append += " stress.break=%d" % args.break_at
    if args.verifier:
        verifier = args.verifier
        if "lowres" in verifier.split(",") and not any(item.startswith("seed=") for item in verifier.split(",")):
            verifier += ",seed=%d" % seed         # the stream of refusals follows the seed too
        append += " verifier=" + verifier
    command = [args.qemu, "-kernel", args.kernel, "-append", append, "-m", args.mem, "-accel", "tcg",
               "-display", "none", "-serial", "stdio", "-monitor", "none", "-no-reboot",
               "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
    started = time.monotonic()
    try:
        run = subprocess.run(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             timeout=args.timeout)
        output, status = run.stdout.decode("utf-8", "replace").replace("\r", ""), run.returncode
    except subprocess.TimeoutExpired as expired:
        output = (expired.stdout or b"").decode("utf-8", "replace").replace("\r", "")
        status = None
    log = os.path.join(args.log_dir, "stress-%d.log" % seed)
    with open(log, "w") as out:
        out.write("# " + " ".join(command) + "\n" + output)
    lines = output.splitlines()
    passed = status == EXIT_DONE and any(line.startswith("stress: done") for line in lines)
    seconds = time.monotonic() - started
    if passed:
        print("  PASS     seed %d: %d operations (%.1f s)" % (seed, args.ops, seconds), flush=True)
        return True
    reason = "timed out after %d s" % args.timeout if status is None else "QEMU exited with %d" % status
    print("  FAIL     seed %d: %s" % (seed, reason), flush=True)
    for line in [line for line in lines if line.startswith("stress: ")] or lines[-25:]:
        print("    " + line)
    print("    log: " + log)
    return False


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--qemu", default="qemu-system-i386")
    parser.add_argument("--kernel", required=True)
    parser.add_argument("--mem", default="128M")
    parser.add_argument("--seeds", default="1", help="comma-separated seeds, one boot each")
    parser.add_argument("--ops", type=int, default=20000)
    parser.add_argument("--check", type=int, default=500, help="operations between two runs of the walkers")
    parser.add_argument("--verifier", default="", help="the kernel verifier's options (verifier=...)")
    parser.add_argument("--timeout", type=int, default=600, help="seconds one seed may take")
    parser.add_argument("--log-dir", default="build/stress")
    parser.add_argument("--break-at", type=int, help="change a block's byte at this operation (the runner's own test)")
    args = parser.parse_args()
    os.makedirs(args.log_dir, exist_ok=True)
    print("ntmm stress: kernel %s, %s RAM, %d operations per seed, verifier %s" %
          (args.kernel, args.mem, args.ops, args.verifier or "off"), flush=True)
    failed = [seed for seed in map(int, args.seeds.split(",")) if not run_seed(args, seed)]
    print("%d seeds passed, %d failed" % (len(args.seeds.split(",")) - len(failed), len(failed)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
