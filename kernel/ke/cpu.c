/*
 * cpu.c: what the processor offers, published once at boot in
 * KUSER_SHARED_DATA.ProcessorFeatures, where ExIsProcessorFeaturePresent
 * and user mode read it. A feature counts only when code can use it here:
 * the SSE family needs CR4.OSFXSR (ntmm saves no SSE state, so it leaves
 * that off and reports none), PAE and NX are off in a non-PAE kernel.
 */
#include <ke.h>

extern ULONG RtlpPrefetchNonTemporalGranularity;   /* lib/rtl/movemem.c */

#define KI_DEFAULT_CACHE_LINE 32   /* the P6's line, for a processor whose CPUID does not give one */

CCHAR KeNumberProcessors = 1;

static ULONG KiMaximumExtendedLeaf(VOID)
{
    ULONG Regs[4];

    __cpuid(Regs, CPUID_EXTENDED_MAXIMUM);
    return Regs[0];
}

VOID KiSetProcessorFeatures(VOID)
{
    PBOOLEAN Features = SharedUserData->ProcessorFeatures;
    BOOLEAN SseEnabled = (KiReadCr4() & CR4_OSFXSR) != 0;
    ULONG Leaf1[4], Extended[4] = { 0 };
    ULONG Edx, Ecx;

    __cpuid(Leaf1, 1);
    Ecx = Leaf1[2];
    Edx = Leaf1[3];
    if (KiMaximumExtendedLeaf() >= CPUID_EXTENDED_FEATURES)
        __cpuid(Extended, CPUID_EXTENDED_FEATURES);

    Features[PF_FLOATING_POINT_EMULATED] = (Edx & CPUID_FEATURE_FPU) == 0;
    Features[PF_COMPARE_EXCHANGE_DOUBLE] = (Edx & CPUID_FEATURE_CX8) != 0;
    Features[PF_MMX_INSTRUCTIONS_AVAILABLE] = (Edx & CPUID_FEATURE_MMX) != 0;
    Features[PF_RDTSC_INSTRUCTION_AVAILABLE] = (Edx & CPUID_FEATURE_TSC) != 0;
    Features[PF_3DNOW_INSTRUCTIONS_AVAILABLE] = (Extended[3] & CPUID_EXT_FEATURE_3DNOW) != 0;
    Features[PF_RDTSCP_INSTRUCTION_AVAILABLE] = (Extended[3] & CPUID_EXT_FEATURE_RDTSCP) != 0;
    Features[PF_RDRAND_INSTRUCTION_AVAILABLE] = (Ecx & CPUID_FEATURE2_RDRAND) != 0;
    Features[PF_XMMI_INSTRUCTIONS_AVAILABLE] = SseEnabled && (Edx & CPUID_FEATURE_SSE) != 0;
    Features[PF_XMMI64_INSTRUCTIONS_AVAILABLE] = SseEnabled && (Edx & CPUID_FEATURE_SSE2) != 0;
    Features[PF_SSE3_INSTRUCTIONS_AVAILABLE] = SseEnabled && (Ecx & CPUID_FEATURE2_SSE3) != 0;
    Features[PF_SSSE3_INSTRUCTIONS_AVAILABLE] = SseEnabled && (Ecx & CPUID_FEATURE2_SSSE3) != 0;
    Features[PF_SSE4_1_INSTRUCTIONS_AVAILABLE] = SseEnabled && (Ecx & CPUID_FEATURE2_SSE41) != 0;
    Features[PF_SSE4_2_INSTRUCTIONS_AVAILABLE] = SseEnabled && (Ecx & CPUID_FEATURE2_SSE42) != 0;
    Features[PF_PAE_ENABLED] = (KiReadCr4() & CR4_PAE) != 0;

    /* prefetchnta is an SSE instruction that needs no SSE state: it works whatever CR4 says. */
    if (Edx & CPUID_FEATURE_SSE) {
        ULONG Line = (Edx & CPUID_FEATURE_CLFSH)
                         ? ((Leaf1[1] >> CPUID_CLFLUSH_LINE_SHIFT) & CPUID_CLFLUSH_LINE_MASK) * CPUID_CLFLUSH_LINE_UNIT
                         : 0;

        RtlpPrefetchNonTemporalGranularity = Line != 0 ? Line : KI_DEFAULT_CACHE_LINE;
    }
}
