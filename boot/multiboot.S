/*
 * multiboot.S: the multiboot header and the 32-bit entry.
 *
 * The loader jumps to KiBootEntry at its physical address with paging off.
 * This code builds the first page directory in the image's bss: low physical
 * memory (BOOT_MAPPED_SIZE) mapped twice, at 0 (so the next instruction after
 * paging is turned on still exists) and at KSEG0_BASE (where the kernel is
 * linked), and PDE 0x300 pointing at the directory itself, the self-map that
 * makes every page table visible at PTE_BASE. First it checks that the
 * processor has what the kernel needs (cpucheck.S); then it turns on PSE
 * and PGE when the CPU has them, paging with CR0.WP, jumps to the high half, and calls
 * KiSystemStartup(magic, multiboot info). C removes the identity half once
 * it has copied what the loader left in low memory.
 */
#include <hw/i386.h>
#include <hw/multiboot.h>
#include <mmlayout.h>

#define V2P(x) ((x) - KSEG0_BASE)
#define BOOT_PAGE_TABLES (BOOT_MAPPED_SIZE / PDE_MAPPED_SIZE)
#define MULTIBOOT_FLAGS (MULTIBOOT_PAGE_ALIGN | MULTIBOOT_MEMORY_INFO)
#define KERNEL_STACK_SIZE (3 * PAGE_SIZE)

    .section .multiboot, "a"
    .align 4
    .long MULTIBOOT_HEADER_MAGIC
    .long MULTIBOOT_FLAGS
    .long -(MULTIBOOT_HEADER_MAGIC + MULTIBOOT_FLAGS)

    .text
    .globl KiBootEntry
KiBootEntry:
    cli
    cld
    movl %eax, %esi                     /* loader magic */
    movl %ebx, %edi                     /* multiboot info, physical */
    movl $V2P(KiBootStackTop), %esp     /* the boot stack, at its physical address until paging is on */
    call KiBootCheckProcessor           /* returns only on a processor ntmm can run on (cpucheck.S) */
    rdtsc                               /* for make bench: instructions from here on */
    movl %eax, V2P(KiBootTsc)
    movl %edx, V2P(KiBootTsc) + 4

    /* Page tables: entry i maps physical page i, present and writable. */
    movl $V2P(KiBootPageTables), %ebx
    xorl %ecx, %ecx
1:  movl %ecx, %eax
    shll $PAGE_SHIFT, %eax
    orl $(PTE_VALID | PTE_WRITE), %eax
    movl %eax, (%ebx, %ecx, 4)
    incl %ecx
    cmpl $(BOOT_PAGE_TABLES * 1024), %ecx
    jb 1b

    /* Directory: the same tables at PDE 0 (identity) and at KSEG0, then the self-map. */
    movl $V2P(KiBootPageDirectory), %edx
    xorl %ecx, %ecx
2:  movl %ecx, %eax
    shll $PAGE_SHIFT, %eax
    addl $(V2P(KiBootPageTables) + PTE_VALID + PTE_WRITE), %eax   /* page-aligned: + is | */
    movl %eax, (%edx, %ecx, 4)
    movl %eax, ((KSEG0_BASE >> PDE_SHIFT) * 4)(%edx, %ecx, 4)
    incl %ecx
    cmpl $BOOT_PAGE_TABLES, %ecx
    jb 2b
    movl %edx, %eax
    orl $(PTE_VALID | PTE_WRITE), %eax
    movl %eax, (PDE_SELFMAP_INDEX * 4)(%edx)

    /* CR4: 4 MB pages and global pages when CPUID offers them. */
    movl $CPUID_LEAF_FEATURES, %eax
    cpuid
    movl %edx, V2P(KeFeatureBits)
    xorl %eax, %eax
    testl $CPUID_FEATURE_PSE, %edx
    jz 3f
    orl $CR4_PSE, %eax
3:  testl $CPUID_FEATURE_PGE, %edx
    jz 4f
    orl $CR4_PGE, %eax
4:  movl %eax, %cr4

    movl $V2P(KiBootPageDirectory), %eax
    movl %eax, %cr3
    movl %cr0, %eax
    orl $(CR0_PG | CR0_WP | CR0_NE), %eax
    movl %eax, %cr0

    /* Paging is on and this page is still identity-mapped: jump to the high half. */
    movl $KiBootHighHalf, %eax
    jmp *%eax

KiBootHighHalf:
    movl $KiBootStackTop, %esp
    xorl %ebp, %ebp                     /* ends the stack trace */
    pushl %edi
    pushl %esi
    call KiSystemStartup
5:  cli
    hlt
    jmp 5b

/*
 * Boot-time memory, page-aligned in the image's bss (the loader zeroes it):
 * the directory and tables, then the boot stack with an unmapped guard page
 * below it (mm/ removes its mapping), then the double-fault task's stack.
 */
    .section .bss.boot, "aw", @nobits
    .align PAGE_SIZE
    .globl KiBootPageDirectory, KiBootPageTables
    .globl KiBootStackGuard, KiBootStackLimit, KiBootStackTop
    .globl KiDoubleFaultStackLimit, KiDoubleFaultStackTop
KiBootPageDirectory:
    .skip PAGE_SIZE
KiBootPageTables:
    .skip PAGE_SIZE * BOOT_PAGE_TABLES
KiBootStackGuard:
    .skip PAGE_SIZE
KiBootStackLimit:
    .skip KERNEL_STACK_SIZE
KiBootStackTop:
KiDoubleFaultStackLimit:
    .skip 2 * PAGE_SIZE
KiDoubleFaultStackTop:
    .section .note.GNU-stack, "", @progbits
