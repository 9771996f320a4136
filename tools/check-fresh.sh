#!/bin/sh
# check-fresh.sh: the README's two commands in a minimal Debian root, as a newcomer runs them.
#
#   tools/check-fresh.sh [REPO]          (make check-fresh [FRESH_REPO=...]; needs root)
#
# REPO (default: the repository this script is in) is cloned at its committed HEAD into a copy of
# a pristine root: debootstrap --variant=minbase with git, make and ca-certificates, nothing else.
# Two copies, because whichever command a newcomer types first meets the machine without the
# packages: in one `make test` must end with "N passed, 0 failed" and `make run` must then print
# the kernel's banner; in the other `make -j2 run` comes first and must print the banner too.
#
# The pristine root is built once and kept in FRESH_CACHE (default /var/tmp/ntmm-fresh-root-SUITE);
# packages are never installed into it, since their absence is what this checks. Downloaded .debs
# are kept beside it (FRESH_CACHE.debs) so a cached run costs the install, not the download.
# Mounts live in a private mount namespace and are undone on any exit; a scratch directory is
# deleted only when nothing is mounted under it.
#
# FRESH_SUITE (default: this machine's codename), FRESH_MIRROR (default: the Debian mirror in
# /etc/apt/sources.list.d), FRESH_RUN_TIMEOUT (seconds `make run` may take to reach the banner).
set -eu

BANNER='ntmm: NT-style memory manager kernel'
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export PATH

say() { echo "check-fresh: $*"; }
die() { echo "check-fresh: $*" >&2; exit 1; }

# True when anything is mounted at or below $1: rm -rf there would reach into the mounted tree
# (a bind of /dev would lose the host's device nodes).
mounted_under() {
    awk -v dir="$1" '{ if ($5 == dir || index($5, dir "/") == 1) found = 1 } END { exit !found }' \
        /proc/self/mountinfo
}

remove_tree() {
    [ -e "$1" ] || return 0
    if mounted_under "$1"; then
        die "refusing to delete $1: something is still mounted under it (see /proc/self/mountinfo)"
    fi
    rm -rf --one-file-system "$1"
}

# --- inside the private mount namespace: mount, chroot, run one command, unmount ---

if [ "${1:-}" = --in-namespace ]; then
    root=$2 debs=$3 log=$4 timeout_s=$5 command=$6 stop_at=$7
    # shellcheck disable=SC2317 # run by the trap
    undo() {
        # Every process the command left in the root goes first, or the unmounts would be busy.
        for proc in /proc/[0-9]*; do
            [ "$(readlink "$proc/root" 2>/dev/null)" = "$root" ] && kill -KILL "${proc#/proc/}" 2>/dev/null
        done
        for dir in "$root/var/cache/apt/archives" "$root/dev" "$root/proc"; do
            if mounted_under "$dir"; then umount -R "$dir" 2>/dev/null || umount -R -l "$dir"; fi
        done
    }
    trap undo EXIT
    trap 'exit 1' HUP INT TERM
    mount -t proc proc "$root/proc"
    # Recursive, for /dev/pts (apt and dpkg log through a pty); slave, so nothing goes back.
    mount --rbind /dev "$root/dev"
    mount --make-rslave "$root/dev"
    mount --bind "$debs" "$root/var/cache/apt/archives"
    # What a newcomer has: root's home, a plain PATH, no terminal, and the repository cloned.
    set -- chroot "$root" /usr/bin/env -i HOME=/root TERM=dumb LANG=C.UTF-8 \
        PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        timeout -k 10 "$timeout_s" sh -c "cd /root/ntmm && $command"
    : > "$log"
    "$@" < /dev/null >> "$log" 2>&1 &
    pid=$!
    # Polled, so a signal is acted on within a second; and `make run` boots a kernel that never
    # exits, so with stop_at it ends once that line is out and passes if it came.
    while kill -0 $pid 2>/dev/null; do
        [ -n "$stop_at" ] && grep -q "$stop_at" "$log" && { sleep 1; kill -TERM $pid; break; }
        sleep 1
    done
    status=0
    wait $pid 2>/dev/null || status=$?
    [ -z "$stop_at" ] || { grep -q "$stop_at" "$log"; exit; }
    exit $status
fi

# --- outside: the pristine root, the copies, the verdict ---

[ "$(id -u)" = 0 ] || die "needs root (debootstrap, mount, chroot)"
self=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
here=$(dirname "$(dirname "$self")")
repo=$(cd "${1:-$here}" && pwd)
rev=$(git -C "$repo" rev-parse --verify HEAD) || die "$repo is not a git repository"
if [ -n "$(git -C "$repo" status --porcelain --untracked-files=no)" ]; then
    say "note: $repo has uncommitted changes; this checks the committed $rev"
fi

suite=${FRESH_SUITE:-$(. /etc/os-release && echo "${VERSION_CODENAME:-}")}
[ -n "$suite" ] || die "cannot tell this machine's Debian suite: set FRESH_SUITE"

# The first URI of a deb822 stanza (or a one-line entry) that serves $suite itself.
find_mirror() {
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -r "$f" ] || continue
        awk -v suite="$suite" '
            function flush() { if (uri != "" && hit && !done) { print uri; done = 1 } uri = ""; hit = 0 }
            /^[ \t]*$/ { flush(); next }
            /^Types:/ { deb = 0; for (i = 2; i <= NF; i++) if ($i == "deb") deb = 1 }
            /^URIs:/ { uri = $2 }
            /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == suite) hit = 1 }
            /^Enabled:[ \t]*no/ { hit = 0; uri = "" }
            END { flush() }' "$f"
    done
    cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
        sed -e 's/\[[^]]*\]//' | awk -v suite="$suite" '$1 == "deb" && $3 == suite { print $2 }'
}
mirror=${FRESH_MIRROR:-$(find_mirror | head -n 1)}
mirror=${mirror:-http://deb.debian.org/debian}

cache=${FRESH_CACHE:-/var/tmp/ntmm-fresh-root-$suite}
debs=$cache.debs
run_timeout=${FRESH_RUN_TIMEOUT:-900}
marker=.ntmm-pristine

if ! command -v debootstrap > /dev/null 2>&1; then
    say "installing debootstrap"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap
fi

# One builder at a time: a second run waits here rather than debootstrap into the same place.
exec 9> "$cache.lock"
flock 9
if [ ! -e "$cache/$marker" ]; then
    say "building the pristine $suite root from $mirror into $cache (once)"
    remove_tree "$cache.tmp"
    started=$(date +%s)
    if ! debootstrap --variant=minbase --include=git,make,ca-certificates \
            "$suite" "$cache.tmp" "$mirror" > "$cache.log" 2>&1; then
        tail -n 20 "$cache.log" >&2
        die "debootstrap failed (log: $cache.log)"
    fi
    echo "debootstrap --variant=minbase --include=git,make,ca-certificates $suite $mirror" > "$cache.tmp/$marker"
    remove_tree "$cache"
    mv "$cache.tmp" "$cache"
    say "pristine root built in $(($(date +%s) - started)) s"
fi
flock -u 9
# Anything from `make deps` in the pristine root would hide the very failure this looks for.
for tool in i686-linux-gnu-gcc qemu-system-i386 grub-mkrescue python3; do
    [ ! -e "$cache/usr/bin/$tool" ] || die "$cache is not pristine (it has $tool): delete it and rerun"
done
mkdir -p "$debs/partial"

scratch=$(mktemp -d /var/tmp/ntmm-fresh-run.XXXXXX)
inner=
# A signal first ends the run in the namespace (which unmounts), then the scratch goes.
stop_inner() {
    [ -z "$inner" ] || { kill -TERM "$inner" 2>/dev/null; wait "$inner" 2>/dev/null; }
}
trap 'remove_tree "$scratch"' EXIT
trap 'stop_inner; exit 1' HUP INT TERM

failed=0
# fresh_root NAME: a copy of the pristine root with the repository cloned into /root/ntmm.
fresh_root() {
    cp -a "$cache" "$scratch/$1"
    git clone -q --no-checkout "$repo" "$scratch/$1/root/ntmm"
    git -C "$scratch/$1/root/ntmm" -c advice.detachedHead=false checkout -q "$rev"
}
# in_root NAME COMMAND [STOP_AT]: COMMAND in the copy NAME as root, its output in
# $scratch/NAME-N.log; with STOP_AT, COMMAND is stopped once that line is out and passes if it came.
step=0
in_root() {
    step=$((step + 1))
    log=$scratch/$1-$step.log
    say "[$1] $2"
    started=$(date +%s)
    unshare --mount --propagation private sh "$self" --in-namespace \
        "$scratch/$1" "$debs" "$log" "$run_timeout" "$2" "${3:-}" &
    inner=$!
    status=0
    wait "$inner" || status=$?
    inner=
    say "[$1] $2: exit $status after $(($(date +%s) - started)) s"
    return $status
}
show_log() { sed -e 's/^/  | /' "$log"; }
fail() { say "FAILED: $*"; show_log; failed=1; }

say "checking $repo at $(git -C "$repo" log -1 --format='%h %s' "$rev")"

# One: `make test` first, then `make run`.
fresh_root test-first
if in_root test-first "make test"; then
    tail -n 1 "$log"
    tail -n 1 "$log" | grep -Eq '^[0-9]+ passed, 0 failed' ||
        fail "make test did not end with 'N passed, 0 failed'"
else
    fail "make test failed on a fresh machine"
fi
if [ $failed = 0 ]; then
    if in_root test-first "make run" "$BANNER"; then
        say "make run reached: $(grep -m 1 "$BANNER" "$log")"
    else
        fail "make run did not reach the banner '$BANNER'"
    fi
fi
remove_tree "$scratch/test-first"

# Two: `make run` first, the README's order, in parallel so deps must finish before any tool runs.
fresh_root run-first
if in_root run-first "make -j2 run" "$BANNER"; then
    say "make -j2 run reached: $(grep -m 1 "$BANNER" "$log")"
else
    fail "make -j2 run on a fresh machine did not reach the banner '$BANNER'"
fi

if [ $failed != 0 ]; then
    say "the README's commands fail on a fresh $suite machine"
    exit 1
fi
say "the README's commands work on a fresh $suite machine"
