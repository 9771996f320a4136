/*
 * hw/i386.h: the i386 hardware layouts and constants ntmm relies on
 * (Intel SDM vol. 3). The constants are assembly-safe; the structures are
 * declared once, here, with their sizes asserted.
 */
#ifndef NTMM_HW_I386_H
#define NTMM_HW_I386_H

/* Control registers. */
#define CR0_PE 0x00000001 /* protected mode */
#define CR0_MP 0x00000002 /* monitor coprocessor: wait honours TS */
#define CR0_EM 0x00000004 /* no x87: every x87 instruction raises #NM */
#define CR0_TS 0x00000008 /* task switched: the next x87 use raises #NM */
#define CR0_NE 0x00000020 /* x87 errors raise #MF rather than IRQ 13 */
#define CR0_WP 0x00010000 /* ring 0 honours read-only PTEs */
#define CR0_AM 0x00040000 /* alignment checks in ring 3 */
#define CR0_PG 0x80000000 /* paging */

#define CR4_PSE 0x00000010 /* 4 MB pages in non-PAE mode */
#define CR4_PAE 0x00000020
#define CR4_PGE 0x00000080 /* global pages survive a CR3 reload */
#define CR4_OSFXSR 0x00000200 /* the OS saves SSE state: SSE instructions do not fault */
#define CR4_SMEP 0x00100000 /* ring 0 may not execute a user page */
#define CR4_SMAP 0x00200000 /* ring 0 may not touch a user page unless EFLAGS.AC is set */

/* CPUID leaves: 0 gives the highest leaf (and the vendor), 1 the signature and features. */
#define CPUID_LEAF_MAXIMUM  0
#define CPUID_LEAF_FEATURES 1
#define CPUID_LEAF_EXTENDED_FEATURES 7      /* subleaf 0: EBX */
#define CPUID7_EBX_SMEP 0x00000080
#define CPUID7_EBX_SMAP 0x00100000

/* CPUID leaf 1, EDX. */
#define CPUID_FEATURE_FPU  0x00000001
#define CPUID_FEATURE_PSE  0x00000008
#define CPUID_FEATURE_TSC  0x00000010
#define CPUID_FEATURE_MSR  0x00000020
#define CPUID_FEATURE_CX8  0x00000100 /* cmpxchg8b */
#define CPUID_FEATURE_APIC 0x00000200
#define CPUID_FEATURE_PGE  0x00002000
#define CPUID_FEATURE_CMOV 0x00008000 /* cmovcc (and fcmov/fcomi with an x87) */
#define CPUID_FEATURE_PAT  0x00010000
#define CPUID_FEATURE_CLFSH 0x00080000
#define CPUID_FEATURE_MMX  0x00800000
#define CPUID_FEATURE_SSE  0x02000000
#define CPUID_FEATURE_SSE2 0x04000000
/* CPUID leaf 1, ECX. */
#define CPUID_FEATURE2_SSE3   0x00000001
#define CPUID_FEATURE2_SSSE3  0x00000200
#define CPUID_FEATURE2_SSE41  0x00080000
#define CPUID_FEATURE2_SSE42  0x00100000
#define CPUID_FEATURE2_RDRAND 0x40000000
/* CPUID leaf 1, EBX bits 15-8: the CLFLUSH line size in 8-byte units. */
#define CPUID_CLFLUSH_LINE_SHIFT 8
#define CPUID_CLFLUSH_LINE_MASK 0xFF
#define CPUID_CLFLUSH_LINE_UNIT 8
/* The extended leaves: the highest one, and leaf 0x80000001's EDX. */
#define CPUID_EXTENDED_MAXIMUM  0x80000000
#define CPUID_EXTENDED_FEATURES 0x80000001
#define CPUID_EXT_FEATURE_RDTSCP 0x08000000
#define CPUID_EXT_FEATURE_3DNOW  0x80000000

/*
 * What ntmm's code cannot run without, beyond CPUID itself (boot/cpucheck.S
 * stops with UNSUPPORTED_PROCESSOR before any C runs): cmov, which GCC's
 * -march=i686 emits anywhere; cmpxchg8b, which SLISTs swap with; the TSC,
 * which boot and make bench read. That is a Pentium Pro or later. CR4,
 * invlpg and wbinvd come with any such processor; PSE, PGE, PAT and the
 * local APIC are used only when CPUID offers them.
 */
#define KI_REQUIRED_FEATURES (CPUID_FEATURE_TSC | CPUID_FEATURE_CX8 | CPUID_FEATURE_CMOV)

/* EFLAGS. */
#define EFLAGS_CF 0x00000001
#define EFLAGS_TF 0x00000100
#define EFLAGS_IF 0x00000200
#define EFLAGS_OF 0x00000800
#define EFLAGS_NT 0x00004000
#define EFLAGS_AC 0x00040000
#define EFLAGS_ID 0x00200000
#define EFLAGS_MUST_BE_SET 0x00000002 /* bit 1 always reads 1 */

/* Hardware page-table entry bits (non-PAE): the masks beside MMPTE's bitfields. */
#define PTE_VALID          0x001
#define PTE_WRITE          0x002
#define PTE_OWNER          0x004
#define PTE_WRITE_THROUGH  0x008
#define PTE_CACHE_DISABLE  0x010
#define PTE_ACCESSED       0x020
#define PTE_DIRTY          0x040
#define PTE_LARGE_PAGE     0x080 /* in a PDE: 4 MB page; in a PTE: the PAT bit */
#define PTE_GLOBAL         0x100
#define PTE_FRAME_MASK     0xFFFFF000

#ifndef PAGE_SIZE
#define PAGE_SIZE  0x1000
#define PAGE_SHIFT 12
#endif
#define PDE_SHIFT  22
#define PDE_MAPPED_SIZE 0x400000 /* one PDE maps 4 MB */

/* Page-fault error code. */
#define PF_PRESENT 0x1 /* the fault was a protection violation, not a missing page */
#define PF_WRITE   0x2
#define PF_USER    0x4
#define PF_RSVD    0x8
#define PF_FETCH   0x10

/* Model-specific registers. */
#define MSR_IA32_APIC_BASE 0x1B
#define MSR_IA32_PAT       0x277

/*
 * GDT selectors, at NT's offsets (KGDT_*). The double-fault TSS has its own
 * descriptor so the CPU can switch to a known-good stack through a task gate.
 */
#define KGDT_NULL     0x00
#define KGDT_R0_CODE  0x08
#define KGDT_R0_DATA  0x10
#define KGDT_R3_CODE  0x18
#define KGDT_R3_DATA  0x20
#define KGDT_TSS      0x28
#define KGDT_R0_PCR   0x30
#define KGDT_R3_TEB   0x38
#define KGDT_DF_TSS   0x50
#define KGDT_NMI_TSS  0x58
#define KGDT_NP_TEST  0x60 /* a not-present data segment, for the #NP/#SS tests */
#define KGDT_ENTRIES  13
#define RPL_MASK      3

/* Exception vectors. */
#define EXCEPTION_DIVIDE          0
#define EXCEPTION_DEBUG           1
#define EXCEPTION_NMI             2
#define EXCEPTION_BREAKPOINT      3
#define EXCEPTION_OVERFLOW        4
#define EXCEPTION_BOUND           5
#define EXCEPTION_INVALID_OPCODE  6
#define EXCEPTION_NPX_NOT_AVAILABLE 7
#define EXCEPTION_DOUBLE_FAULT    8
#define EXCEPTION_NPX_OVERRUN     9
#define EXCEPTION_INVALID_TSS     10
#define EXCEPTION_SEGMENT_NOT_PRESENT 11
#define EXCEPTION_STACK_FAULT     12
#define EXCEPTION_GP_FAULT        13
#define EXCEPTION_PAGE_FAULT      14
#define EXCEPTION_NPX_ERROR       16
#define EXCEPTION_ALIGNMENT_CHECK 17
#define EXCEPTION_MACHINE_CHECK   18
#define EXCEPTION_SIMD            19
#define EXCEPTION_VECTORS         32

/* NT's software-interrupt vectors, callable from ring 3. */
#define KI_DEBUG_SERVICE_VECTOR   0x2D /* DbgPrint from user mode: eax = service, ecx/edx = arguments */
#define KI_SYSTEM_SERVICE_VECTOR  0x2E /* system calls: eax = service number, edx = the arguments */
#define BREAKPOINT_PRINT          1    /* the debug service that prints ecx's string of edx bytes */

/* The 8259 PICs are remapped to NT's PRIMARY_VECTOR_BASE. */
#define PRIMARY_VECTOR_BASE 0x30
#define IDT_ENTRIES         256

#ifndef __ASSEMBLER__
#include <ntdef.h>

/* A segment descriptor (SDM 3.4.5). */
typedef struct _KGDTENTRY {
    USHORT LimitLow;
    USHORT BaseLow;
    UCHAR BaseMid;
    UCHAR Access;       /* P, DPL, S, type */
    UCHAR Granularity;  /* G, D/B, limit 19:16 */
    UCHAR BaseHi;
} KGDTENTRY, *PKGDTENTRY;
_Static_assert(sizeof(KGDTENTRY) == 8, "GDT entry");

/* An interrupt, trap or task gate (SDM 6.11). */
typedef struct _KIDTENTRY {
    USHORT Offset;
    USHORT Selector;
    USHORT Access;      /* P, DPL, type (0x8E interrupt, 0x8F trap, 0x85 task) */
    USHORT ExtendedOffset;
} KIDTENTRY, *PKIDTENTRY;
_Static_assert(sizeof(KIDTENTRY) == 8, "IDT entry");

#define GDT_ACCESS_PRESENT  0x80
#define GDT_ACCESS_CODE     0x9A /* present, ring 0, code, readable */
#define GDT_ACCESS_DATA     0x92 /* present, ring 0, data, writable */
#define GDT_ACCESS_TSS      0x89 /* present, ring 0, available 32-bit TSS */
#define GDT_ACCESS_DPL3     0x60
#define GDT_GRAN_4K_32      0xC0 /* 4 KB granularity, 32-bit */

#define IDT_ACCESS_INTERRUPT_GATE 0x8E00
#define IDT_ACCESS_TRAP_GATE      0x8F00
#define IDT_ACCESS_TASK_GATE      0x8500
#define IDT_ACCESS_DPL3           0x6000

#pragma pack(push, 2)
typedef struct _KDESCRIPTOR {
    USHORT Pad;
    USHORT Limit;
    ULONG Base;
} KDESCRIPTOR, *PKDESCRIPTOR;
#pragma pack(pop)
_Static_assert(sizeof(KDESCRIPTOR) == 8, "descriptor-table register image");

/* The 32-bit task-state segment (SDM 7.2.1), NT's KTSS without the I/O map. */
typedef struct _KTSS {
    USHORT Backlink, Reserved0;
    ULONG Esp0;
    USHORT Ss0, Reserved1;
    ULONG NotUsed1[4];
    ULONG CR3;
    ULONG Eip;
    ULONG EFlags;
    ULONG Eax, Ecx, Edx, Ebx, Esp, Ebp, Esi, Edi;
    USHORT Es, Reserved2;
    USHORT Cs, Reserved3;
    USHORT Ss, Reserved4;
    USHORT Ds, Reserved5;
    USHORT Fs, Reserved6;
    USHORT Gs, Reserved7;
    USHORT LDT, Reserved8;
    USHORT Flags;
    USHORT IoMapBase;
} KTSS, *PKTSS;
_Static_assert(sizeof(KTSS) == 104, "32-bit TSS");

/* The x87 state FNSAVE stores and FRSTOR loads in 32-bit protected mode (SDM 8.1.10), NT's FNSAVE_FORMAT. */
typedef struct _FNSAVE_FORMAT {
    ULONG ControlWord;
    ULONG StatusWord;
    ULONG TagWord;                    /* two bits a register; FPU_TAG_WORD_EMPTY: all eight empty */
    ULONG ErrorOffset;
    ULONG ErrorSelector;
    ULONG DataOffset;
    ULONG DataSelector;
    UCHAR RegisterArea[80];           /* R0-R7, 10 bytes each; MMX registers are their low 8 bytes */
} FNSAVE_FORMAT, *PFNSAVE_FORMAT;
_Static_assert(sizeof(FNSAVE_FORMAT) == 108, "FNSAVE's 32-bit protected-mode image");
#define FPU_TAG_WORD_EMPTY 0xFFFF

#endif /* __ASSEMBLER__ */
#endif
