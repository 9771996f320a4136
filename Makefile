# ntmm: an NT-style memory manager kernel for 32-bit x86. README.md explains every target.
#
#   make run          boot the GRUB ISO in QEMU on this terminal
#   make test         build, boot and run every self-test suite (KTEST=, MEM=, ACCEL=)
#   make CC=clang     build with clang as a second opinion (into build/clang)
#   make test EMU=bochs  the same boots on Bochs (tools/bochs-test.py)
#   make lint         cppcheck and clang-tidy over the kernel's sources (tools/lint)
#   make fuzz         libFuzzer targets for the hardware-free code (tests/fuzz)

CROSS    ?= i686-linux-gnu-
ifeq ($(origin CC),default)
CC       := $(CROSS)gcc
endif
LD       := $(CROSS)ld
# The PE32 test images (tests/images) are built with Debian's i686 MinGW cross compiler.
PE_CC    := i686-w64-mingw32-gcc
NM       := $(CROSS)nm
HOSTCC   ?= gcc
QEMU     ?= qemu-system-i386
PYTHON   ?= python3

MEM      ?= 128M
ACCEL    ?= tcg
# The emulator make test boots: qemu, or bochs (tools/bochs-test.py, which keeps global TLB
# entries across a CR3 write as hardware does, and complains of device accesses hardware refuses).
EMU      ?= qemu
KTEST    ?= all
# Seconds one test boot may run before the runner stops it and fails the case running then; a case
# quiet for 30 s gets a progress line on the console first.
KTEST_TIMEOUT ?= 300
# More QEMU options for every test boot: the machine and CPU of the CI boot matrix.
QEMU_ARGS ?=
# The kernel verifier's options for every test boot (verifier=... on its command line), e.g.
# VERIFIER=special,irql,pooltrack,locks or VERIFIER=lowres,seed=1,rate=100.
VERIFIER ?=
JOBS     ?= $(shell nproc 2>/dev/null || echo 2)

ifneq ($(findstring clang,$(CC)),)
BUILD    := build/clang
# clang is a cross compiler by itself; it still links with the GNU cross ld.
TARGET_FLAGS := --target=i686-elf
else
BUILD    := build
TARGET_FLAGS :=
endif

CFLAGS := $(TARGET_FLAGS) -m32 -march=i686 -std=gnu11 -O2 -g \
          -ffreestanding -nostdlib \
          -fno-pie -fno-pic \
          -fno-stack-protector \
          -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer \
          -fno-asynchronous-unwind-tables \
          -fno-strict-aliasing \
          -mgeneral-regs-only \
          -fshort-wchar \
          -Wall -Wextra -Werror -Wno-multichar \
          -Iinclude -Ilib/include -Itests/kernel \
          -MMD -MP
# -fno-pie/-fno-pic: Debian's cross GCC makes PIE by default; a kernel has no GOT.
# -fno-stack-protector: there is no __stack_chk_fail to call.
# -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer: KeBugCheckEx and GDB
#   walk the EBP chain, leaf functions included (a trap can stop in any of them).
# -fno-strict-aliasing: MMPTE and pool headers are read through several views.
# -mgeneral-regs-only: no x87/SSE state is saved on traps, so none may be used.
# -fshort-wchar: L"..." is UTF-16 (WCHAR), as NT drivers write UNICODE_STRING literals.
# -Wno-multichar: pool tags are written as NT writes them, 'looP'.
ASFLAGS := $(TARGET_FLAGS) -m32 -D__ASSEMBLER__ -Iinclude -MMD -MP
LDFLAGS := -m elf_i386 -nostdlib -static -T linker.ld --no-warn-rwx-segments
# Recursive (=), so the link recipes ask the compiler: on a fresh machine it exists only after
# make deps, which runs long after this file is read.
LIBGCC   = $(shell $(CROSS)gcc -print-libgcc-file-name)

# The test kernel's cases: tests/kernel/, plus tests/runner/cases for the runner's own test.
KTEST_DIRS ?= tests/kernel
SOURCES := $(wildcard boot/*.S kernel/*/*.S kernel/*/*.c mm/*.c lib/*.c lib/rtl/*.c bench/kernel/*.c tests/stress/*.c) \
           $(foreach dir,$(KTEST_DIRS),$(wildcard $(dir)/*.c))
OBJECTS := $(patsubst %,$(BUILD)/obj/%.o,$(basename $(SOURCES)))
# Ring-3 test programs (tests/user/*.c, each with tests/user/lib): linked for
# user space at 0x00400000 and embedded in the kernel image (user/images.o).
USER_PROGRAMS := $(sort $(basename $(notdir $(wildcard tests/user/*.c))))
USER_LIB := $(patsubst tests/user/lib/%,$(BUILD)/user/lib/%.o,$(basename $(wildcard tests/user/lib/*.c tests/user/lib/*.S)))
USER_IMAGES := $(BUILD)/user/images.o
OBJECTS += $(USER_IMAGES)
# A file added or removed changes this list, and the list relinks the kernel
# (a deleted test file's case must not keep running from a stale image).
SOURCE_LIST := $(BUILD)/sources.list
$(shell mkdir -p $(BUILD) && echo '$(SOURCES) $(USER_PROGRAMS)' | cmp -s - $(SOURCE_LIST) || \
        echo '$(SOURCES) $(USER_PROGRAMS)' > $(SOURCE_LIST))
# The ramdisk: files every test boot (and the ISOs) loads as multiboot modules, which kernel/fs
# serves read-only as \Device\Ramdisk\<file name>. tests/images/ makes them.
RAMDISK := $(BUILD)/ramdisk
RAMDISK_DATA := $(RAMDISK)/data.bin $(RAMDISK)/empty.bin
RAMDISK_IMAGES := $(RAMDISK)/reloc.exe $(RAMDISK)/fixed.exe
RAMDISK_BAD := $(patsubst %,$(RAMDISK)/bad-%.exe,truncated pastend overlap align filealign signature lfanew machine \
                 sizeofimage entry relocdir reloctype)
RAMDISK_FILES := $(RAMDISK_DATA) $(RAMDISK_IMAGES) $(RAMDISK_BAD)
comma := ,
empty :=
space := $(empty) $(empty)
RAMDISK_INITRD := $(subst $(space),$(comma),$(strip $(RAMDISK_FILES)))
KERNEL  := $(BUILD)/kernel.elf
ISO     := $(BUILD)/ntmm.iso
TESTISO := $(BUILD)/ntmm-test.iso

.PHONY: all iso run test test-list test-runner test-host debug gdb-test kd-test ktap-check memmap readme-sample readme-check deps clean stress \
        bench bench-update
.DELETE_ON_ERROR:

all: $(KERNEL)

# --- the kernel: two link passes, the second with the symbol table of the first ---

# V=1 shows the commands.
Q := $(if $(V),,@)

$(BUILD)/obj/%.o: %.c | check-tools
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/obj/%.o: %.S | check-tools
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  AS      $<")
	$(Q)$(CC) $(ASFLAGS) -c $< -o $@

$(BUILD)/ksyms-empty.c:
	@mkdir -p $(dir $@)
	$(Q)printf 'const struct { unsigned int a; const char *n; } KiSymbolTable[1];\nconst unsigned int KiSymbolCount = 0;\n' > $@

$(BUILD)/%.o: $(BUILD)/%.c | check-tools
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/kernel-pass1.elf: $(OBJECTS) $(BUILD)/ksyms-empty.o linker.ld $(SOURCE_LIST)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(LD) $(LDFLAGS) -o $@ $(OBJECTS) $(BUILD)/ksyms-empty.o $(LIBGCC)

$(BUILD)/ksyms.c: $(BUILD)/kernel-pass1.elf tools/mksyms.sh
	$(Q)sh tools/mksyms.sh $(NM) $< > $@

# The symbol table lands in .rodata, after .text: the text must not move between passes.
$(KERNEL): $(BUILD)/kernel-pass1.elf $(BUILD)/ksyms.o
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(LD) $(LDFLAGS) -o $@ $(OBJECTS) $(BUILD)/ksyms.o $(LIBGCC)
	@$(NM) -n $(BUILD)/kernel-pass1.elf | grep ' [tT] ' > $(BUILD)/text-pass1.txt
	@$(NM) -n $@ | grep ' [tT] ' > $(BUILD)/text-pass2.txt
	@cmp -s $(BUILD)/text-pass1.txt $(BUILD)/text-pass2.txt || \
	    { echo "error: .text moved between link passes; the symbol table would lie"; exit 1; }

# --- ring-3 test programs ---

USER_CFLAGS = $(filter-out -Itests/kernel,$(CFLAGS)) -Itests/user/lib

$(BUILD)/user/lib/%.o: tests/user/lib/%.c | check-tools
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(USER_CFLAGS) -c $< -o $@

$(BUILD)/user/lib/%.o: tests/user/lib/%.S | check-tools
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  AS      $<")
	$(Q)$(CC) $(ASFLAGS) -c $< -o $@

$(BUILD)/user/%.o: tests/user/%.c | check-tools
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(USER_CFLAGS) -c $< -o $@

# Kept, not deleted as intermediates: make's "rm" line would follow make test's summary line.
.SECONDARY: $(USER_PROGRAMS:%=$(BUILD)/user/%.o) $(USER_LIB)
$(BUILD)/user/%.elf: $(BUILD)/user/%.o $(USER_LIB) tests/user/user.ld
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(LD) -m elf_i386 -nostdlib -static -T tests/user/user.ld -o $@ $< $(USER_LIB) $(LIBGCC)

# Each program's ELF file as bytes in .rodata, and KtUserImages, a table of them by name.
$(BUILD)/user/images.S: $(SOURCE_LIST)
	@mkdir -p $(dir $@)
	$(Q){ echo '    .section .rodata'; \
	  for p in $(USER_PROGRAMS); do \
	    printf '    .balign 16\nKtImage_%s:\n    .incbin "$(BUILD)/user/%s.elf"\nKtImage_%s_End:\nKtName_%s:\n    .asciz "%s"\n' $$p $$p $$p $$p $$p; \
	  done; \
	  echo '    .balign 4'; echo '    .globl KtUserImages'; echo 'KtUserImages:'; \
	  for p in $(USER_PROGRAMS); do printf '    .long KtName_%s, KtImage_%s, KtImage_%s_End\n' $$p $$p $$p; done; \
	  echo '    .long 0, 0, 0'; echo '    .section .note.GNU-stack, "", @progbits'; } > $@

# The programs' objects are made by pattern rules only, which makes them intermediate files that
# make deletes when it exits, printing an "rm" line after the test summary (and rebuilding them
# next time): keep them.
.SECONDARY: $(USER_LIB) $(USER_PROGRAMS:%=$(BUILD)/user/%.o)

$(USER_IMAGES): $(BUILD)/user/images.S $(USER_PROGRAMS:%=$(BUILD)/user/%.elf)
	@$(if $(Q),echo "  AS      $<")
	$(Q)$(CC) $(ASFLAGS) -c $< -o $@

# --- the ramdisk's files ---

# The scripts need python3, which make deps may still be installing: they wait for check-tools too.
$(RAMDISK)/.data-stamp: tests/images/mkdata.py | check-tools
	@mkdir -p $(dir $@)
	$(Q)$(PYTHON) tests/images/mkdata.py $(RAMDISK)
	@touch $@

$(RAMDISK_DATA): $(RAMDISK)/.data-stamp

# The PE32 test program (tests/images/image.c) with tests/user/lib, built by MinGW: reloc.exe keeps
# its base relocations, fixed.exe has none (IMAGE_FILE_RELOCS_STRIPPED); tests/images/mkbad.py
# makes the malformed variants from reloc.exe.
PE_CFLAGS := -m32 -march=i686 -std=gnu11 -O2 -ffreestanding -nostdlib -fno-stack-protector \
             -fno-asynchronous-unwind-tables -mno-stack-arg-probe -mno-ms-bitfields -mgeneral-regs-only \
             -Wall -Wextra -Werror -Wno-multichar -Iinclude -Itests/user/lib -Itests/images -MMD -MP
# -mno-stack-arg-probe: there is no __chkstk to call; -mno-ms-bitfields: the kernel's bitfield layout.
PE_LDFLAGS := -nostdlib -s -Wl,--entry=_start
PE_OBJECTS := $(BUILD)/pe/image.o $(BUILD)/pe/syscall.o $(BUILD)/pe/userlib.o

$(BUILD)/pe/image.o: tests/images/image.c | check-tools
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  PE-CC   $<")
	$(Q)$(PE_CC) $(PE_CFLAGS) -c $< -o $@

$(BUILD)/pe/userlib.o: tests/user/lib/userlib.c | check-tools
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  PE-CC   $<")
	$(Q)$(PE_CC) $(PE_CFLAGS) -c $< -o $@

$(BUILD)/pe/syscall.o: tests/user/lib/syscall.S | check-tools
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  PE-AS   $<")
	$(Q)$(PE_CC) -D__ASSEMBLER__ -Iinclude -MMD -MP -c $< -o $@

$(RAMDISK)/reloc.exe: $(PE_OBJECTS)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  PE-LD   $@")
	$(Q)$(PE_CC) $(PE_LDFLAGS) -Wl,--image-base=0x10000000 -Wl,--dynamicbase -o $@ $(PE_OBJECTS)

$(RAMDISK)/fixed.exe: $(PE_OBJECTS)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  PE-LD   $@")
	$(Q)$(PE_CC) $(PE_LDFLAGS) -Wl,--image-base=0x11000000 -Wl,--disable-dynamicbase -Wl,--disable-reloc-section \
	    -o $@ $(PE_OBJECTS)

$(RAMDISK)/.bad-stamp: $(RAMDISK)/reloc.exe tests/images/mkbad.py | check-tools
	$(Q)$(PYTHON) tests/images/mkbad.py $< $(RAMDISK)
	@touch $@

$(RAMDISK_BAD): $(RAMDISK)/.bad-stamp

-include $(PE_OBJECTS:.o=.d)

# mm/mi.h refuses to be included anywhere but mm/, kernel/kd/kdp.h anywhere but kernel/kd/.
$(BUILD)/obj/mm/%.o: CFLAGS += -DNTMM_MM_INTERNAL
$(BUILD)/obj/kernel/kd/%.o: CFLAGS += -DNTMM_KD_INTERNAL
# The kernel's own sources see EPROCESS and ETHREAD behind the DDK's opaque
# PEPROCESS and PETHREAD (include/ntddk.h); tests/ see the DDK's view.
$(BUILD)/obj/kernel/%.o $(BUILD)/obj/mm/%.o $(BUILD)/obj/bench/%.o: CFLAGS += -DNTMM_KERNEL_INTERNAL

-include $(OBJECTS:.o=.d)

# --- ISOs: the menu has a normal boot and a self-test boot ---
# The ISOs carry the kernel without its debug information (GDB reads build/kernel.elf): GRUB reads
# the whole file into memory, and a 6 MB machine ran out of it once the image with DWARF passed 1.8 MB.

# Each entry loads the ramdisk's files as modules, one line each at the placeholder's indent; GRUB 2
# gives a module only the words after its path, so the file's name follows the path (include/fs.h).
GRUB_MODULES := $(foreach file,$(RAMDISK_FILES),\1module /boot/ramdisk/$(notdir $(file)) $(notdir $(file)))

$(BUILD)/iso-%/boot/grub/grub.cfg: boot/grub.cfg.in $(SOURCE_LIST) Makefile
	@mkdir -p $(dir $@)
	sed -e 's/@DEFAULT@/$(if $(filter test,$*),1,0)/' \
	    -e 's/@TIMEOUT@/$(if $(filter test,$*),0,2)/' \
	    -e 's|^\( *\)@MODULES@|$(subst $(space)\1,\n\1,$(GRUB_MODULES))|' $< > $@

$(ISO): $(KERNEL) $(BUILD)/iso-run/boot/grub/grub.cfg $(RAMDISK_FILES)
	$(CROSS)objcopy --strip-debug $(KERNEL) $(BUILD)/iso-run/boot/kernel.elf
	mkdir -p $(BUILD)/iso-run/boot/ramdisk && cp $(RAMDISK_FILES) $(BUILD)/iso-run/boot/ramdisk/
	grub-mkrescue -o $@ $(BUILD)/iso-run 2> $(BUILD)/grub-mkrescue.log || \
	    { cat $(BUILD)/grub-mkrescue.log; exit 1; }

$(TESTISO): $(KERNEL) $(BUILD)/iso-test/boot/grub/grub.cfg $(RAMDISK_FILES)
	$(CROSS)objcopy --strip-debug $(KERNEL) $(BUILD)/iso-test/boot/kernel.elf
	mkdir -p $(BUILD)/iso-test/boot/ramdisk && cp $(RAMDISK_FILES) $(BUILD)/iso-test/boot/ramdisk/
	grub-mkrescue -o $@ $(BUILD)/iso-test 2> $(BUILD)/grub-mkrescue.log || \
	    { cat $(BUILD)/grub-mkrescue.log; exit 1; }

iso: $(ISO)

# --- running ---

QEMU_MACHINE := -m $(MEM) -accel $(ACCEL) -display none -no-reboot $(QEMU_ARGS) \
                -device isa-debug-exit,iobase=0xf4,iosize=0x04

# RUN_DISPLAY=gtk (or sdl) opens a QEMU window too: the kernel mirrors its console to the screen and
# takes the keyboard there as well as on this terminal.
RUN_DISPLAY ?= none
run: deps $(ISO)
	@echo "Booting $(ISO) in QEMU. Quit with Ctrl-A then X; Ctrl-A C switches to the QEMU monitor."
	$(QEMU) $(QEMU_MACHINE) -display $(RUN_DISPLAY) -cdrom $(ISO) -serial mon:stdio

RUNNER := $(PYTHON) tests/run.py --qemu $(QEMU) --qemu-args '$(QEMU_ARGS)' --kernel $(KERNEL) \
          --mem $(MEM) --accel $(ACCEL) --filter '$(KTEST)' --verifier '$(VERIFIER)' --jobs $(JOBS) \
          --log-dir $(BUILD)/test --timeout $(KTEST_TIMEOUT) --initrd '$(RAMDISK_INITRD)'
# On Bochs the machines that only QEMU's options make (too small, with modules, old CPUs) are left out.
BOCHS_RUNNER := $(PYTHON) tools/bochs-test.py --kernel $(KERNEL) --mem $(MEM) --filter '$(KTEST)' \
                --verifier '$(VERIFIER)' --jobs $(JOBS) --log-dir $(BUILD)/test-bochs --initrd '$(RAMDISK_INITRD)'

test: deps $(KERNEL) $(TESTISO) $(RAMDISK_FILES)
ifeq ($(EMU),bochs)
	$(BOCHS_RUNNER) --iso $(TESTISO)
else
	$(RUNNER) --iso $(TESTISO) --too-small 3M --modules 10 --unsupported-cpu 486,pentium
endif

# make test-list: the name of every case the filter selects (KTEST=pool lists the pool suite).
test-list: deps $(KERNEL)
	@$(RUNNER) --list

# make memmap: the kernel's record of its address space and of every physical page, drawn as
# $(BUILD)/memmap.svg (and .png with rsvg-convert); the SVG is checked to parse and show every region.
memmap: deps $(KERNEL)
	$(PYTHON) tools/memmap.py --qemu $(QEMU) --kernel $(KERNEL) --mem $(MEM) --out $(BUILD)/memmap.svg

# make readme-sample: the README's sample boot and stop rewritten from real boots;
# make readme-check: fails when they no longer match (numbers aside).
readme-sample: deps $(KERNEL) $(RAMDISK_FILES)
	$(PYTHON) tools/readme_sample.py --qemu $(QEMU) --kernel $(KERNEL) --initrd '$(RAMDISK_INITRD)'

readme-check: deps $(KERNEL) $(RAMDISK_FILES)
	$(PYTHON) tools/readme_sample.py --qemu $(QEMU) --kernel $(KERNEL) --initrd '$(RAMDISK_INITRD)' --check

# make ktap-check: Linux's kunit_parser.py (from Debian's linux-source package, fetched into
# build/kunit at first use) must parse the last make test's results.ktap and count what it counted.
ktap-check:
	$(PYTHON) tools/ktap_check.py $(BUILD)/test/results.ktap

# make test-runner: the runner's own test (tests/runner/check.py): cases that fail,
# crash, leak and misbehave on purpose must be reported as failures, with the
# right counts and exit status, and two cases with one name must not link.
test-runner: deps
	$(PYTHON) tests/runner/check.py

# make stress: the stress kernel (tests/stress/stress.c), one boot per seed (SEED=1 or SEED=1,2,3),
# OPS operations each, the walkers every STRESS_CHECK, the verifier on (STRESS_VERIFIER; SEED is
# the low-resources simulation's seed too). A failure names the seed, the operation and the replay.
SEED ?= 1
OPS ?= 20000
STRESS_CHECK ?= 500
STRESS_VERIFIER ?= special,irql,pooltrack,locks,lowres,rate=200
stress: deps $(KERNEL)
	$(PYTHON) tools/stress.py --qemu $(QEMU) --kernel $(KERNEL) --mem $(MEM) --seeds '$(SEED)' --ops $(OPS) \
	    --check $(STRESS_CHECK) --verifier '$(STRESS_VERIFIER)' --log-dir $(BUILD)/stress

# make bench: instructions per operation in the guest, under -icount shift=0, into build/bench/;
# make bench-update runs both benchmarks and copies their results over the tracked bench/*.md.
bench: deps $(KERNEL)
	$(PYTHON) tools/bench.py --qemu $(QEMU) --kernel $(KERNEL) --mem $(MEM) --out $(BUILD)/bench/results.md

bench-update: bench bench-host
	cp $(BUILD)/bench/results.md bench/results.md
	cp $(BENCH_HOST_RESULTS) bench/results-host.md

# make debug: QEMU halted in a session of its own (Ctrl-C in GDB stops the kernel), its gdbstub on a
# free port (GDBPORT= picks one), GDB with tools/gdbinit on the same port; COM1 to $(BUILD)/debug-serial.log.
DEBUG_APPEND ?= $(if $(filter-out all,$(KTEST)),ktest=$(KTEST),) $(if $(VERIFIER),verifier=$(VERIFIER),)
debug: deps $(KERNEL) $(RAMDISK_FILES)
	sh tools/debug.sh $(QEMU) $(KERNEL) $(BUILD) '$(DEBUG_APPEND)' $(QEMU_MACHINE) -initrd '$(RAMDISK_INITRD)'

# make kd-test: scripted kd> sessions over COM1 (tests/kd/session.py): each command's answer against
# the ELF file, the boot log and the other commands, a list of bad lines, the keyboard and the screen.
kd-test: deps $(KERNEL)
	$(PYTHON) tests/kd/session.py $(QEMU) $(KERNEL) $(BUILD)

gdb-test: deps $(KERNEL)
	sh tools/gdb-test.sh $(QEMU) $(KERNEL) $(BUILD)

# --- host-built tests (lib/ and other hardware-free code, under ASan and UBSan) ---

HOST_CFLAGS := -std=gnu11 -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
               -fno-sanitize-recover=all -Wall -Wextra -Werror -Wno-multichar -DKTEST_HOST \
               -Iinclude -Ilib/include -Itests/kernel
HOST_TESTS  := $(wildcard tests/host/*_test.c)
# The executive pool builds unchanged for the host over tests/host/pool_host.c (not its debugger
# view, pooldbg.c, which reads page tables, nor the verifier's vfpool.c, which pool_host.c stands
# in for with the verifier off). interlck.c and poolquota.c need spin locks and processes the host
# has no stand-in for; pool2.c raises, which the host cannot.
HOST_POOL   := $(filter-out kernel/ex/slist.c kernel/ex/probe.c kernel/ex/interlck.c kernel/ex/poolquota.c \
                            kernel/ex/pooldbg.c kernel/ex/pool2.c kernel/ex/vfpool.c,$(wildcard kernel/ex/*.c)) \
               tests/host/pool_host.c
# PCI configuration access builds over the ports tests/host/pci_test.c simulates.
HOST_HAL    := kernel/hal/bus.c kernel/ke/spinlock.c
HOST_SOURCES := tests/kernel/ktest.c tests/host/main.c lib/printf.c lib/rtl/bitmap.c lib/rtl/runmap.c lib/rtl/avl.c $(HOST_POOL) \
                $(HOST_HAL) tests/host/pfn_host.c
HOST_CFLAGS += -mcx16 -Ikernel/ex
# The memory-map sanitiser, the protection conversions, NtAllocateVirtualMemory's argument
# checks and a PE image's header checks are pure: they and their kernel suites build for the
# host as they are. Like every file in mm/, they may include mm/mi.h (their own objects, with
# mm/'s flag).
HOST_MM     := mm/physmem.c mm/protect.c mm/vmargs.c mm/imagehdr.c mm/pfnlist.c
HOST_TESTS  += tests/kernel/physmem_test.c tests/kernel/vmargs_test.c tests/kernel/imagehdr_test.c
# make test-host HOSTCC=clang: the same under clang's sanitizers, which check more (a sum on a
# NULL pointer, for one), in a folder of its own.
HOST_DIR    := $(BUILD)/host$(if $(findstring clang,$(HOSTCC)),-clang)

$(HOST_DIR)/mm/%.o: mm/%.c $(wildcard mm/*.h include/*.h include/*/*.h)
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOST_CFLAGS) -DNTMM_MM_INTERNAL -c $< -o $@

$(HOST_DIR)/ktest-host: $(HOST_TESTS) $(HOST_SOURCES) $(HOST_MM:%.c=$(HOST_DIR)/%.o) \
                        $(wildcard tests/kernel/*.h lib/include/*.h include/*.h include/*/*.h kernel/ex/*.h \
                                   kernel/io/*.h)
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOST_CFLAGS) -o $@ $(HOST_TESTS) $(HOST_SOURCES) $(HOST_MM:%.c=$(HOST_DIR)/%.o)

# ntddk.h as 32-bit x86 code, compile only: its types' sizes checked against the DDK's (tests/host/ddk_sizes.c).
DDK_SIZES_FLAGS := -m32 -ffreestanding -fsyntax-only -std=gnu11 -Wall -Wextra -Werror -Wno-multichar -fshort-wchar \
                   -Iinclude -Ilib/include

test-host: $(HOST_DIR)/ktest-host
	$(HOSTCC) $(DDK_SIZES_FLAGS) tests/host/ddk_sizes.c
	$<

# --- set-up ---

# Debian packages for every tool above; installed only when one is missing. The host compiler
# (make test-host) and clang (when CC names it) count too. Recursive (=): the lists of what single
# goals need are added further down.
DEB_PACKAGES  = qemu-system-x86 grub-pc-bin grub-common xorriso mtools \
                gcc-i686-linux-gnu binutils-i686-linux-gnu gcc-mingw-w64-i686 gdb python3 gcc libc6-dev librsvg2-bin \
                $(if $(findstring clang,$(CC) $(HOSTCC)),clang) $(GOAL_PACKAGES)
NEEDED_TOOLS  = $(sort $(QEMU) grub-mkrescue xorriso mformat $(CROSS)gcc $(CROSS)ld $(PE_CC) gdb $(PYTHON) rsvg-convert \
                $(HOSTCC) $(firstword $(CC)) $(GOAL_TOOLS))
# What some goals need besides (GOAL_PACKAGES, GOAL_TOOLS, and GOAL_FILES that must exist) is added
# by the files that make them (tools/lint/lint.mk, tests/fuzz/fuzz.mk) and here for EMU=bochs, so a plain make test
# installs none of it.
ifeq ($(EMU),bochs)
GOAL_PACKAGES += bochs bochsbios vgabios bochs-term
GOAL_TOOLS    += bochs
GOAL_FILES    += /usr/share/bochs/BIOS-bochs-latest /usr/share/vgabios/vgabios.bin \
                 /usr/lib/*/bochs/plugins/libbx_term_gui.so
endif

# A goal that runs deps must see it finish before anything compiles, -j or not: every compile
# waits for check-tools, and check-tools then waits for deps.
DEPS_FIRST := $(if $(filter deps run test bench debug gdb-test kd-test memmap readme-sample readme-check lint% fuzz%,$(MAKECMDGOALS)),deps)

deps:
	@missing=""; \
	for tool in $(NEEDED_TOOLS); do command -v $$tool >/dev/null 2>&1 || missing="$$missing $$tool"; done; \
	[ -d /usr/lib/grub/i386-pc ] || missing="$$missing grub-pc-bin"; \
	for file in $(GOAL_FILES); do [ -e $$file ] || missing="$$missing $$file"; done; \
	if [ -n "$$missing" ]; then \
	    echo "deps: missing$$missing; installing $(DEB_PACKAGES)"; \
	    if [ "$$(id -u)" != 0 ]; then echo "deps: run as root (or install them yourself)"; exit 1; fi; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(DEB_PACKAGES); \
	fi

# Building needs only the compiler, the linker and the cross GCC's libgcc; say how to get them
# rather than fail obscurely.
check-tools: | $(DEPS_FIRST)
	@for tool in $(sort $(firstword $(CC)) $(LD) $(CROSS)gcc $(PE_CC)); do \
	    command -v $$tool >/dev/null 2>&1 || \
	    { echo "$$tool is missing: run 'make deps$(if $(findstring clang,$(CC)), CC=$(CC))' (as root) first"; exit 1; }; \
	done

# make check-fresh: the README's two commands in a fresh minimal Debian root, on the committed
# HEAD of FRESH_REPO (tools/check-fresh.sh; as root, a few minutes).
FRESH_REPO ?= $(CURDIR)
check-fresh:
	sh tools/check-fresh.sh '$(FRESH_REPO)'

.PHONY: check-tools check-fresh
include bench/host.mk
include tools/lint/lint.mk
include tests/fuzz/fuzz.mk

clean:
	rm -rf build
