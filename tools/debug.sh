#!/bin/sh
# debug.sh QEMU KERNEL BUILD APPEND [QEMU options...]: make debug. Starts QEMU halted
# with its gdbstub on a free port (GDBPORT= chooses one), in a session of its own so
# that Ctrl-C in GDB reaches GDB alone, which stops the kernel, rather than killing
# QEMU; then GDB with tools/gdbinit on the same port. The kernel's COM1 goes to a log
# this names (follow it with tail -f in a second terminal).
set -eu
qemu=$1
kernel=$2
build=$3
append=$4
shift 4
serial=$build/debug-serial.log
if [ -n "${GDBPORT:-}" ]; then
    port=$GDBPORT
    if ! python3 -c 'import socket, sys; s = socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1])))' "$port" 2>/dev/null; then
        echo "debug: port $port (GDBPORT) is taken: another QEMU or program listens there" >&2
        exit 1
    fi
else
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
fi
: > "$serial"
pidfile=$build/debug-qemu.pid
rm -f "$pidfile"
# QEMU writes its own pid: the qemu-system-i386 on PATH may be a wrapper script.
setsid "$qemu" "$@" -kernel "$kernel" -append "$append" -serial "file:$serial" -gdb "tcp:127.0.0.1:$port" \
    -pidfile "$pidfile" -S &
trap 'kill $(cat "$pidfile" 2>/dev/null) 2>/dev/null || true' EXIT INT TERM
while [ ! -s "$pidfile" ]; do sleep 0.1; done
echo "debug: QEMU (pid $(cat "$pidfile")) waits for GDB on port $port; the kernel's COM1 goes to $serial"
echo "debug: in another terminal: tail -f $serial   Ctrl-C in GDB stops the kernel; quit ends QEMU too."
NTMM_GDB_PORT=$port gdb -q -x tools/gdbinit "$kernel"
