# tests/fuzz/fuzz.mk: make fuzz, libFuzzer targets for the hardware-free code, each against a
# reference model (included by the Makefile; uses its BUILD, Q, DEPS_FIRST and GOAL_* lists).
#
#   make fuzz                 every target for FUZZ_TIME seconds (60), starting from its seed corpus
#   make fuzz FUZZ=avl        one target (avl bitmap physmem mdl printf string pool runmap vmargs image)
#   make fuzz-coverage        replays each target's corpus under llvm-cov; prints line and branch
#                             coverage of the code it tests (build/fuzz/coverage.txt)
#
# Targets are built with clang for i386 (-m32), so the kernel's 32-bit sizes are what they test,
# under AddressSanitizer and UndefinedBehaviorSanitizer. Each runs in build/fuzz/corpus/TARGET, a
# working copy grown from tests/fuzz/corpus/TARGET; a finding is saved as build/fuzz/TARGET-crash-*
# and ends make fuzz with an error. Every finding becomes a regression test (in tests/host/, or in
# tests/kernel/ where only i386 shows it) and an input in the target's corpus.

FUZZ_CC      ?= clang
LLVM_PROFDATA ?= llvm-profdata
LLVM_COV     ?= llvm-cov
FUZZ_TIME    ?= 60
FUZZ_TARGETS := avl bitmap physmem mdl printf string pool runmap vmargs image
FUZZ         ?= $(FUZZ_TARGETS)
FUZZ_DIR     := $(BUILD)/fuzz

# What each target tests: its own file, then the code under test (that code's coverage is reported).
FUZZ_CODE_avl     := lib/rtl/avl.c
FUZZ_CODE_bitmap  := lib/rtl/bitmap.c
FUZZ_CODE_physmem := mm/physmem.c
FUZZ_CODE_mdl     := kernel/io/iop.h
FUZZ_CODE_printf  := lib/printf.c
FUZZ_CODE_string  := lib/string.c
# The pool builds as make test-host builds it, over tests/host/pool_host.c's pages (a run map),
# with kernel/ex's private header on the path (FUZZ_CFLAGS_TARGET: a target's own flags).
FUZZ_CODE_pool    := $(filter kernel/%,$(HOST_POOL))
FUZZ_BUILD_pool   := $(HOST_POOL) lib/rtl/runmap.c lib/rtl/bitmap.c
FUZZ_CFLAGS_pool  := -Ikernel/ex
FUZZ_CODE_runmap  := lib/rtl/runmap.c
FUZZ_BUILD_runmap := lib/rtl/runmap.c lib/rtl/bitmap.c
FUZZ_CODE_vmargs  := mm/vmargs.c mm/protect.c
FUZZ_CODE_image   := mm/imagehdr.c
# lib/string.c's functions have the C library's names: the target builds them renamed.
FUZZ_BUILD_string := tests/fuzz/string_under_test.c
FUZZ_SOURCES       = tests/fuzz/$1_fuzz.c $(or $(FUZZ_BUILD_$1),$(filter %.c,$(FUZZ_CODE_$1)))

# -DNTMM_MM_INTERNAL: mm/physmem.c includes mm/mi.h like every file in mm/.
FUZZ_CFLAGS := -m32 -std=gnu11 -O1 -g -fno-omit-frame-pointer -Wall -Wextra -Werror -Wno-multichar \
               -DKTEST_HOST -DNTMM_MM_INTERNAL -Iinclude -Ilib/include -Ikernel/io
FUZZ_SANITIZE := -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_PROFILE  := -fsanitize=fuzzer -fprofile-instr-generate -fcoverage-mapping
FUZZ_HEADERS   = tests/fuzz/fuzz.h $(wildcard tests/host/*.h include/*.h include/*/*.h lib/include/*.h mm/*.h kernel/io/*.h kernel/ex/*.h) \
                 lib/string.c

.PHONY: fuzz fuzz-build fuzz-coverage $(FUZZ_TARGETS:%=fuzz-%)

# Per target: the fuzzing build, the coverage build, a run of FUZZ_TIME seconds from its working
# corpus seeded by the repo's (-timeout: an input taking a second is a hang), and its coverage.
define FUZZ_TARGET_RULES
$(FUZZ_DIR)/$1_fuzz: $(call FUZZ_SOURCES,$1) $(FUZZ_HEADERS) | $(DEPS_FIRST)
	@mkdir -p $(FUZZ_DIR)
	@echo "  FUZZCC  $$@"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_CFLAGS_$1) $(FUZZ_SANITIZE) -o $$@ $(call FUZZ_SOURCES,$1)

$(FUZZ_DIR)/$1_cov: $(call FUZZ_SOURCES,$1) $(FUZZ_HEADERS) | $(DEPS_FIRST)
	@mkdir -p $(FUZZ_DIR)
	@echo "  FUZZCOV $$@"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_CFLAGS_$1) $(FUZZ_PROFILE) -o $$@ $(call FUZZ_SOURCES,$1)

fuzz-$1: $(FUZZ_DIR)/$1_fuzz
	@mkdir -p $(FUZZ_DIR)/corpus/$1
	@echo "  FUZZ    $1 for $(FUZZ_TIME) s"
	$(Q)$$< -max_total_time=$(FUZZ_TIME) -timeout=1 -rss_limit_mb=1024 -print_final_stats=1 \
	    -artifact_prefix=$(FUZZ_DIR)/$1- $(FUZZ_DIR)/corpus/$1 tests/fuzz/corpus/$1 \
	    > $(FUZZ_DIR)/$1.log 2>&1 || { tail -n 40 $(FUZZ_DIR)/$1.log; exit 1; }
	@grep -E '^stat::(number_of_executed_units|new_units_added)' $(FUZZ_DIR)/$1.log | tr '\n' ' '; echo

$(FUZZ_DIR)/$1-coverage.txt: $(FUZZ_DIR)/$1_cov FORCE
	@mkdir -p $(FUZZ_DIR)/corpus/$1
	$(Q)LLVM_PROFILE_FILE=$(FUZZ_DIR)/$1.profraw $$< -runs=0 $(FUZZ_DIR)/corpus/$1 tests/fuzz/corpus/$1 \
	    > $(FUZZ_DIR)/$1-cov.log 2>&1 || { tail -n 20 $(FUZZ_DIR)/$1-cov.log; exit 1; }
	$(Q)$(LLVM_PROFDATA) merge -sparse -o $(FUZZ_DIR)/$1.profdata $(FUZZ_DIR)/$1.profraw
	$(Q){ echo "== $1: $(FUZZ_CODE_$1)"; \
	  $(LLVM_COV) report $$< -instr-profile=$(FUZZ_DIR)/$1.profdata $(FUZZ_CODE_$1); } > $$@
endef
$(foreach target,$(FUZZ_TARGETS),$(eval $(call FUZZ_TARGET_RULES,$(target))))

fuzz-build: $(FUZZ:%=$(FUZZ_DIR)/%_fuzz)

fuzz: $(FUZZ:%=fuzz-%)

fuzz-coverage: $(FUZZ:%=$(FUZZ_DIR)/%-coverage.txt)
	@cat $^ | tee $(FUZZ_DIR)/coverage.txt

.PHONY: FORCE
FORCE:

# clang's libFuzzer and sanitizer runtimes, i386 libstdc++ for libFuzzer to link against, the i386
# C and C++ runtimes to run the targets, and llvm-cov.
ifneq ($(filter fuzz fuzz-build fuzz-coverage $(FUZZ_TARGETS:%=fuzz-%),$(MAKECMDGOALS)),)
GOAL_PACKAGES += clang libclang-rt-dev llvm libstdc++-12-dev-i386-cross libc6-i386 lib32stdc++6 lib32gcc-s1
GOAL_TOOLS    += $(FUZZ_CC) $(LLVM_PROFDATA) $(LLVM_COV)
GOAL_FILES    += /usr/lib/gcc-cross/i686-linux-gnu/*/libstdc++.so /lib/ld-linux.so.2 /usr/lib32/libstdc++.so.6 \
                 $(shell $(FUZZ_CC) --print-runtime-dir 2>/dev/null || echo /missing)/libclang_rt.fuzzer-i386.a
endif
