# bench/host.mk: make bench-host, the executive pool against glibc malloc, mimalloc, jemalloc and
# tcmalloc on the host, then the VAD tree's find against tsearch/tfind and bsearch (included by the
# main Makefile; uses its HOST_POOL, HOSTCC and BUILD).
#
#   make bench-host        instructions (callgrind) and nanoseconds per alloc+free pair, page-fault
#                          reference; prints a markdown table and writes build/bench-host/results-host.md
#                          (make bench-update copies it to the tracked bench/results-host.md);
#                          then compares and nanoseconds per VAD find, appended to the same file
#   make bench-host-deps   installs the peers and valgrind when one is missing (as root)

BENCH_HOST_DIR     := $(BUILD)/bench-host
BENCH_HOST_BIN     := $(BENCH_HOST_DIR)/bench_pool
BENCH_HOST_SOURCES := bench/host/bench_pool.c bench/host/bench_util.c $(HOST_POOL) lib/rtl/bitmap.c lib/rtl/runmap.c
# A second program, so the pool's report stays as it was and the AVL counter stays out of it.
BENCH_VAD_BIN      := $(BENCH_HOST_DIR)/bench_vad
BENCH_VAD_SOURCES  := bench/host/bench_vad.c bench/host/bench_util.c lib/rtl/avl.c
BENCH_HOST_RESULTS := $(BENCH_HOST_DIR)/results-host.md
# The pool as it would run, not as the tests check it: -O2 and no sanitizers. No -Werror: a
# warning kernel/ex only gives at -O2 on the host should not stop a measurement.
BENCH_HOST_CFLAGS  := -std=gnu11 -O2 -g -mcx16 -Wall -Wextra -Wno-multichar -DKTEST_HOST \
                      -Iinclude -Ilib/include -Ikernel/ex
# gcc and libc6-dev for HOSTCC: on a fresh machine nothing else brings them.
BENCH_HOST_PACKAGES := libmimalloc-dev libjemalloc-dev libgoogle-perftools-dev valgrind gcc libc6-dev
# jemalloc's initial-exec TLS only fits a dlopen'd library when ld.so keeps static TLS spare.
BENCH_HOST_ENV     := GLIBC_TUNABLES=$${GLIBC_TUNABLES:+$$GLIBC_TUNABLES:}glibc.rtld.optional_static_tls=65536

.PHONY: bench-host bench-host-deps

$(BENCH_HOST_BIN): $(BENCH_HOST_SOURCES) $(wildcard bench/host/*.h kernel/ex/*.h include/*.h include/*/*.h lib/include/*.h lib/include/*/*.h) | bench-host-deps
	@mkdir -p $(dir $@)
	$(HOSTCC) $(BENCH_HOST_CFLAGS) -o $@ $(BENCH_HOST_SOURCES) -ldl

# -DRTL_AVL_COUNT_COMPARES: lib/rtl/avl.c counts the ranges each find examines (only in this build).
$(BENCH_VAD_BIN): $(BENCH_VAD_SOURCES) $(wildcard include/*.h include/*/*.h) | bench-host-deps
	@mkdir -p $(dir $@)
	$(HOSTCC) $(BENCH_HOST_CFLAGS) -DRTL_AVL_COUNT_COMPARES -o $@ $(BENCH_VAD_SOURCES)

bench-host: bench-host-deps $(BENCH_HOST_BIN) $(BENCH_VAD_BIN)
	$(BENCH_HOST_ENV) $(BENCH_HOST_BIN) --out $(BENCH_HOST_RESULTS) --work $(BENCH_HOST_DIR) --command 'make bench-host'
	$(BENCH_VAD_BIN) --append $(BENCH_HOST_RESULTS)

bench-host-deps:
	@missing=""; \
	for pkg in $(BENCH_HOST_PACKAGES); do \
	    dpkg-query -W -f '$${Status}' $$pkg 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$pkg"; \
	done; \
	command -v valgrind >/dev/null 2>&1 || case "$$missing" in *valgrind*) ;; *) missing="$$missing valgrind";; esac; \
	if [ -n "$$missing" ]; then \
	    echo "bench-host-deps: installing$$missing"; \
	    if [ "$$(id -u)" != 0 ]; then echo "bench-host-deps: run as root (or install them yourself)"; exit 1; fi; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi
