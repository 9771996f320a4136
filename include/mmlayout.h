/*
 * mmlayout.h: the system address-space layout of DESIGN.md (x86, non-PAE,
 * 2 GB user / 2 GB system). Assembly-safe: boot/ builds the first page
 * directory from these numbers and mm/ manages the same ranges afterwards.
 */
#ifndef NTMM_MMLAYOUT_H
#define NTMM_MMLAYOUT_H

/*
 * The bounds of user space. The DDK's MM_HIGHEST_USER_ADDRESS family names
 * exported variables (ntddk.h), which drivers read; the kernel uses these
 * constants, NT's MI_ spelling of the same numbers (its amd64 mi.h has
 * MI_HIGHEST_USER_ADDRESS and MI_SYSTEM_RANGE_START).
 */
#define MI_LOWEST_USER_ADDRESS   0x00010000
#define MI_HIGHEST_USER_ADDRESS  0x7FFEFFFF
#define MI_USER_PROBE_ADDRESS    0x7FFF0000
#define MI_SYSTEM_RANGE_START    0x80000000
/* The highest address a VAD may cover: the 64 KB below MI_USER_PROBE_ADDRESS hold the shared data page. */
#define MM_HIGHEST_VAD_ADDRESS   0x7FFDFFFF
#define MM_SHARED_USER_DATA_VA   0x7FFE0000 /* KUSER_SHARED_DATA as user mode sees it, read-only */
#define MM_ALLOCATION_GRANULARITY 0x10000   /* user reservations start on 64 KB boundaries */

/* KSEG0: physical P is mapped at KSEG0_BASE + P for the image and boot structures. */
#define KSEG0_BASE               0x80000000
#define KERNEL_PHYSICAL_BASE     0x00100000
#define KERNEL_VIRTUAL_BASE      (KSEG0_BASE + KERNEL_PHYSICAL_BASE)

/* The self-map: PDE 0x300 points at the page directory itself. */
#define PTE_BASE                 0xC0000000
#define PTE_TOP                  0xC03FFFFF
#define PDE_BASE                 0xC0300000
#define PDE_SELFMAP_INDEX        0x300

/* System view space (MmMapViewInSystemSpace): 16 MB, NT x86's size, in 64 KB slots. */
#define MM_SYSTEM_VIEW_START     0xA0000000
#define MM_SYSTEM_VIEW_END       0xA0FFFFFF

#define HYPER_SPACE              0xC0400000
#define HYPER_SPACE_END          0xC07FFFFF

#define MM_PAGED_POOL_START      0xE1000000
#define MM_PAGED_POOL_END        0xECFFFFFF
#define MM_SYSTEM_PTE_START      0xED000000
#define MM_SYSTEM_PTE_END        0xFEFFFFFF
#define MM_HAL_VA_START          0xFFC00000
#define KI_USER_SHARED_DATA 0xFFDF0000   /* KUSER_SHARED_DATA in system space (also in ntddk.h) */

/* How much of low physical memory boot/ maps (at 0 and at KSEG0) before mm/ takes over. */
#define BOOT_MAPPED_SIZE         0x01000000

#endif
