/* cpu_test.c: the GDT, IDT, TSS and control registers as the CPU really holds them. */
#include "ktest.h"
#include <ke.h>
#include <mmlayout.h>

extern KTSS KiTss, KiDoubleFaultTss;
extern UCHAR KiDoubleFaultStackTop[];
VOID KiTrap08Task(VOID);

static ULONG SegmentBase(const KGDTENTRY *Entry)
{
    return Entry->BaseLow | (Entry->BaseMid << 16) | ((ULONG)Entry->BaseHi << 24);
}

KTEST(cpu, gdtr_and_idtr_point_at_the_kernel_tables)
{
    KDESCRIPTOR Gdtr = { 0 }, Idtr = { 0 };

    __asm__ volatile("sgdt %0" : "=m"(Gdtr.Limit));
    __asm__ volatile("sidt %0" : "=m"(Idtr.Limit));
    KT_EXPECT_EQ(Gdtr.Base, (ULONG)KiGdt);
    KT_EXPECT_EQ(Gdtr.Limit, sizeof(KiGdt) - 1);
    KT_EXPECT_EQ(Idtr.Base, (ULONG)KiIdt);
    KT_EXPECT_EQ(Idtr.Limit, IDT_ENTRIES * sizeof(KIDTENTRY) - 1);
}

KTEST(cpu, segment_registers_hold_nt_selectors)
{
    USHORT Cs, Ds, Ss, Fs, Tr;

    __asm__ volatile("mov %%cs, %0; mov %%ds, %1; mov %%ss, %2; mov %%fs, %3; str %4"
                     : "=r"(Cs), "=r"(Ds), "=r"(Ss), "=r"(Fs), "=r"(Tr));
    KT_EXPECT_EQ(Cs, KGDT_R0_CODE);
    KT_EXPECT_EQ(Ds, KGDT_R0_DATA);
    KT_EXPECT_EQ(Ss, KGDT_R0_DATA);
    KT_EXPECT_EQ(Fs, KGDT_R0_PCR);
    KT_EXPECT_EQ(Tr, KGDT_TSS);
}

KTEST(cpu, code_and_data_descriptors_are_flat)
{
    static const USHORT Selectors[] = { KGDT_R0_CODE, KGDT_R0_DATA, KGDT_R3_CODE, KGDT_R3_DATA };
    ULONG Limit;

    for (ULONG i = 0; i < RTL_NUMBER_OF(Selectors); i++) {
        PKGDTENTRY Entry = &KiGdt[Selectors[i] / sizeof(KGDTENTRY)];

        KT_EXPECT_EQ(SegmentBase(Entry), 0);
        __asm__ volatile("lsl %1, %0" : "=r"(Limit) : "r"((ULONG)(Selectors[i] | (i >= 2 ? 3 : 0))));
        KT_EXPECT_EQ(Limit, 0xFFFFFFFF);
        KT_EXPECT_EQ((Entry->Access >> 5) & 3, i >= 2 ? 3 : 0);
    }
}

KTEST(cpu, fs_reaches_the_pcr)
{
    PKPCR SelfPcr;

    __asm__ volatile("movl %%fs:%c1, %0" : "=r"(SelfPcr) : "i"(offsetof(KPCR, SelfPcr)));
    KT_EXPECT_EQ(SelfPcr, &KiPcr);
    KT_EXPECT_EQ(SegmentBase(&KiGdt[KGDT_R0_PCR / 8]), (ULONG)&KiPcr);
}

KTEST(cpu, tss_descriptors_describe_both_tasks)
{
    KT_EXPECT_EQ(SegmentBase(&KiGdt[KGDT_TSS / 8]), (ULONG)&KiTss);
    /* The loaded TSS is marked busy (type 0xB); the double-fault one is available (0x9). */
    KT_EXPECT_EQ(KiGdt[KGDT_TSS / 8].Access & 0x0F, 0x0B);
    KT_EXPECT_EQ(SegmentBase(&KiGdt[KGDT_DF_TSS / 8]), (ULONG)&KiDoubleFaultTss);
    KT_EXPECT_EQ(KiGdt[KGDT_DF_TSS / 8].Access & 0x0F, 0x09);
    KT_EXPECT_EQ(KiTss.Ss0, KGDT_R0_DATA);
    KT_EXPECT_EQ(KiDoubleFaultTss.Eip, (ULONG)KiTrap08Task);
    KT_EXPECT_EQ(KiDoubleFaultTss.Esp, (ULONG)KiDoubleFaultStackTop);
    KT_EXPECT_EQ(KiDoubleFaultTss.CR3, KiReadCr3());
}

KTEST(cpu, idt_routes_exceptions_and_interrupts)
{
    for (ULONG Vector = 0; Vector < EXCEPTION_VECTORS; Vector++) {
        if (Vector == EXCEPTION_DOUBLE_FAULT)
            continue;
        KT_EXPECT_EQ(KiIdt[Vector].Selector, KGDT_R0_CODE);
        KT_EXPECT_EQ(KiIdt[Vector].Access & 0x9F00, IDT_ACCESS_INTERRUPT_GATE);
    }
    KT_EXPECT_EQ(KiIdt[EXCEPTION_DOUBLE_FAULT].Access, IDT_ACCESS_TASK_GATE);
    KT_EXPECT_EQ(KiIdt[EXCEPTION_DOUBLE_FAULT].Selector, KGDT_DF_TSS);
    KT_EXPECT_EQ(KiIdt[EXCEPTION_BREAKPOINT].Access & IDT_ACCESS_DPL3, IDT_ACCESS_DPL3);
    KT_EXPECT_EQ(KiIdt[EXCEPTION_GP_FAULT].Access & IDT_ACCESS_DPL3, 0);
    for (ULONG Vector = PRIMARY_VECTOR_BASE; Vector < PRIMARY_VECTOR_BASE + 16; Vector++)
        KT_EXPECT_EQ(KiIdt[Vector].Access, IDT_ACCESS_INTERRUPT_GATE);
}

KTEST(cpu, paging_is_on_with_write_protect_and_the_features_cpuid_offers)
{
    ULONG Cr0 = KiReadCr0(), Cr4 = KiReadCr4();
    ULONG Regs[4];

    __cpuid(Regs, CPUID_LEAF_FEATURES);
    KT_EXPECT_EQ(Regs[3], KeFeatureBits);
    /* boot/cpucheck.S let this processor through, so it has all the kernel needs. */
    KT_EXPECT_EQ(KeFeatureBits & KI_REQUIRED_FEATURES, KI_REQUIRED_FEATURES);
    KT_EXPECT(Cr0 & CR0_PG);
    KT_EXPECT(Cr0 & CR0_WP);
    KT_EXPECT(Cr0 & CR0_PE);
    KT_EXPECT_EQ((Cr4 & CR4_PSE) != 0, (KeFeatureBits & CPUID_FEATURE_PSE) != 0);
    KT_EXPECT_EQ((Cr4 & CR4_PGE) != 0, (KeFeatureBits & CPUID_FEATURE_PGE) != 0);
}

KTEST(cpu, processor_features_are_what_cpuid_and_cr4_allow)
{
    ULONG Regs[4];

    __cpuid(Regs, 1);
    KT_EXPECT_EQ(ExIsProcessorFeaturePresent(PF_RDTSC_INSTRUCTION_AVAILABLE), (Regs[3] & CPUID_FEATURE_TSC) != 0);
    KT_EXPECT_EQ(ExIsProcessorFeaturePresent(PF_COMPARE_EXCHANGE_DOUBLE), (Regs[3] & CPUID_FEATURE_CX8) != 0);
    KT_EXPECT_EQ(ExIsProcessorFeaturePresent(PF_MMX_INSTRUCTIONS_AVAILABLE), (Regs[3] & CPUID_FEATURE_MMX) != 0);
    KT_EXPECT_EQ(ExIsProcessorFeaturePresent(PF_FLOATING_POINT_EMULATED), (Regs[3] & CPUID_FEATURE_FPU) == 0);
    /* ntmm saves no SSE state and leaves CR4.OSFXSR off, so SSE is not usable whatever CPUID says. */
    KT_EXPECT_EQ(KiReadCr4() & CR4_OSFXSR, 0);
    KT_EXPECT(!ExIsProcessorFeaturePresent(PF_XMMI_INSTRUCTIONS_AVAILABLE));
    KT_EXPECT(!ExIsProcessorFeaturePresent(PF_XMMI64_INSTRUCTIONS_AVAILABLE));
    KT_EXPECT(!ExIsProcessorFeaturePresent(PF_PAE_ENABLED));
    KT_EXPECT(!ExIsProcessorFeaturePresent(PF_NX_ENABLED));
    /* The answer is the shared page's byte, which user mode reads too. */
    KT_EXPECT_EQ(SharedUserData->ProcessorFeatures[PF_RDTSC_INSTRUCTION_AVAILABLE],
                 ExIsProcessorFeaturePresent(PF_RDTSC_INSTRUCTION_AVAILABLE));
    KT_EXPECT(!ExIsProcessorFeaturePresent(PROCESSOR_FEATURE_MAX));
    KT_EXPECT(!ExIsProcessorFeaturePresent(MAXULONG));
}
