#!/bin/sh
# gdb-test.sh QEMU KERNEL BUILD: make gdb-test. Boots the kd suite halted under
# QEMU's gdbstub (a port of its own), and runs GDB in batch mode with
# tools/gdbinit and tests/gdb/check.py, which compares each NT-style command's
# whole output with what the kernel's kd shell printed over COM1 for the same
# objects, feeds the commands bad input, and takes bt through a page fault.
# Fails on any difference and on any Python exception.
set -u
qemu=$1
kernel=$2
build=$3
serial=$build/gdb-test-serial.log
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

pidfile=$build/gdb-test-qemu.pid
rm -f "$pidfile"
setsid "$qemu" -kernel "$kernel" -append "ktest=kd" -m 64M -display none -no-reboot \
    -serial "file:$serial" -gdb "tcp:127.0.0.1:$port" -pidfile "$pidfile" -S &
trap 'kill $(cat "$pidfile" 2>/dev/null) 2>/dev/null' EXIT
while [ ! -s "$pidfile" ]; do sleep 0.1; done

echo "gdb-test: GDB against QEMU's gdbstub on port $port (kernel output: $serial)"
NTMM_GDB_PORT=$port NTMM_SERIAL_LOG=$serial timeout 120 gdb -q -batch -nx -x tools/gdbinit -x tests/gdb/check.py \
    "$kernel" 2>&1 | grep -v '^\[Inferior\|^Breakpoint [0-9]* at\|^$' | tee "$build/gdb-test.out"
status=$(tail -n 1 "$build/gdb-test.out" | grep -c 'every check passed')
[ "$status" = 1 ]
