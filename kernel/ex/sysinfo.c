/* sysinfo.c: ExIsProcessorFeaturePresent, answered from what kernel/ke/cpu.c published at boot. */
#include <ntddk.h>

BOOLEAN NTAPI ExIsProcessorFeaturePresent(ULONG ProcessorFeature)
{
    if (ProcessorFeature >= PROCESSOR_FEATURE_MAX)
        return FALSE;
    return SharedUserData->ProcessorFeatures[ProcessorFeature];
}
