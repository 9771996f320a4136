# tools/lint/lint.mk: make lint, cppcheck and clang-tidy over the kernel's C sources (kernel/, mm/,
# lib/, and through them include/), with the configuration kept in the repo: .clang-tidy for
# clang-tidy's checks, cppcheck.cfg for what cppcheck cannot read from the headers, and
# seh-model.h for the _SEH2 statements, which neither tool can follow (included by the Makefile).
#
#   make lint          both tools, every finding an error; make -j2 lint runs clang-tidy in parallel
#
# A false positive is silenced where it stands, with its reason on the same comment:
# /* cppcheck-suppress ID ; reason */ or /* NOLINT(check): reason */ (NOLINTNEXTLINE above it).

LINT_SOURCES := $(wildcard kernel/*/*.c mm/*.c lib/*.c lib/rtl/*.c)
LINT_DIR     := $(BUILD)/lint
# As the kernel is built: i386, freestanding, and each folder's own view of the headers (mm/ sees
# mm/mi.h, kernel/kd its kdp.h, kernel/ and mm/ see EPROCESS); cppcheck reads kernel/ as one group.
# The analysers read _SEH2 through seh-model.h.
LINT_DEFINES  = $(if $(filter mm/%,$1),-DNTMM_MM_INTERNAL) $(if $(filter kernel/kd/% kernel/,$1),-DNTMM_KD_INTERNAL) \
                $(if $(filter kernel/% mm/%,$1),-DNTMM_KERNEL_INTERNAL)
LINT_MODEL    = $(if $(filter kernel/% mm/%,$1),tools/lint/seh-model.h)
LINT_CFLAGS  := --target=i686-elf -m32 -march=i686 -std=gnu11 -ffreestanding -mgeneral-regs-only \
                -Wno-multichar -Iinclude -Ilib/include
# warning and portability: bugs, not taste. unix32: i386's type sizes. CTU checks run across the
# files of one call, so each folder group is one call.
CPPCHECK_FLAGS := --enable=warning,portability --platform=unix32 --std=c11 -D__i386__ -Iinclude -Ilib/include \
                  --library=tools/lint/cppcheck.cfg --inline-suppr --error-exitcode=1 -q
LINT_CONFIG  := .clang-tidy tools/lint/cppcheck.cfg tools/lint/seh-model.h tools/lint/lint.mk
LINT_HEADERS  = $(wildcard include/*.h include/*/*.h lib/include/*.h mm/*.h kernel/*/*.h)

.PHONY: lint lint-cppcheck lint-tidy

lint: lint-cppcheck lint-tidy
	@echo "lint: cppcheck and clang-tidy found nothing in $(words $(LINT_SOURCES)) files"

# Three groups, as the folders see the headers differently; each stamp is redone when a file changes.
LINT_GROUPS := mm kernel lib
lint-cppcheck: $(LINT_GROUPS:%=$(LINT_DIR)/cppcheck-%.ok)

$(LINT_DIR)/cppcheck-%.ok: $(LINT_SOURCES) $(LINT_HEADERS) $(LINT_CONFIG) | $(DEPS_FIRST)
	@mkdir -p $(dir $@)
	@echo "  CPPCHECK $*/"
	$(Q)cppcheck $(CPPCHECK_FLAGS) $(call LINT_DEFINES,$*/) $(addprefix --include=,$(call LINT_MODEL,$*/)) \
	    $(filter $*/%,$(LINT_SOURCES))
	@touch $@

lint-tidy: $(LINT_SOURCES:%.c=$(LINT_DIR)/tidy/%.ok)

$(LINT_DIR)/tidy/%.ok: %.c $(LINT_HEADERS) $(LINT_CONFIG) | $(DEPS_FIRST)
	@mkdir -p $(dir $@)
	@echo "  TIDY     $<"
	$(Q)clang-tidy --quiet $< -- $(LINT_CFLAGS) $(call LINT_DEFINES,$<) $(addprefix -include ,$(call LINT_MODEL,$<))
	@touch $@

ifneq ($(filter lint lint-cppcheck lint-tidy,$(MAKECMDGOALS)),)
GOAL_PACKAGES += cppcheck clang-tidy
GOAL_TOOLS    += cppcheck clang-tidy
endif
