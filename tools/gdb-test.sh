#!/bin/sh
# gdb-test.sh QEMU KERNEL BUILD: proves the debugging set-up works. Boots the
# kernel halted under QEMU's gdbstub, runs GDB in batch mode with
# tools/gdbinit, stops at a known function, reads a known variable and a
# control register, walks the stack, and fails if any of that does not work.
set -u
qemu=$1
kernel=$2
build=$3
out=$build/gdb-test.out
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

"$qemu" -kernel "$kernel" -append "gdb-test" -m 64M -display none -no-reboot \
    -serial "file:$build/gdb-test-serial.log" -gdb "tcp:127.0.0.1:$port" -S &
qemu_pid=$!
trap 'kill $qemu_pid 2>/dev/null' EXIT

NTMM_GDB_PORT=$port timeout 60 gdb -q -batch -nx -x tools/gdbinit \
    -ex 'break ExInitializePool' -ex 'continue' \
    -ex 'print NtBuildNumber' \
    -ex 'print/x $cr0' \
    -ex 'print KeLoaderBlock.CommandLine' \
    -ex 'backtrace' \
    -ex 'pte &KeLoaderBlock' \
    -ex 'pte 0' \
    -ex 'pfn 0' \
    -ex 'break IoInitSystem' -ex 'continue' \
    -ex 'poolused' \
    "$kernel" > "$out" 2>&1

status=0
check() {
    if grep -q -- "$1" "$out"; then
        echo "  ok   $2"
    else
        echo "  FAIL $2 (expected '$1' in $out)"
        status=1
    fi
}
echo "gdb-test: GDB against QEMU's gdbstub on port $port"
check 'Breakpoint 2, ExInitializePool' 'stopped at ExInitializePool'
check '= 2600' 'read NtBuildNumber'
check '= 0x8001....' 'read CR0 with paging and write protect on'
check 'gdb-test' 'read KeLoaderBlock.CommandLine'
check 'KiSystemStartup' 'walked the stack to KiSystemStartup'
check 'PTE at C02.*valid, frame' 'pte decoded the PTE of a kernel variable'
check 'PDE at C0300000: zero' 'pte saw the identity mapping gone'
check 'location Active, reference count 1' 'pfn read page 0 (reserved, in use)'
check '^ [A-Za-z. ]\{4\} *[0-9]' 'poolused listed the tags in use once processes exist'
if grep -q 'Python Exception' "$out"; then echo "  FAIL a command raised a Python exception"; status=1; fi
[ $status = 0 ] || { echo "--- GDB output ---"; cat "$out"; }
exit $status
