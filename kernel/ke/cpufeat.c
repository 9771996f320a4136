/*
 * cpufeat.c: the processor's guards against ring 0 touching user pages.
 * SMEP (supervisor-mode execution prevention) stops the kernel running
 * user code, the classic way an exploit reaches ring 0; it is turned on
 * whenever CPUID offers it, and a violation is the stop NT gives for it.
 * SMAP (supervisor-mode access prevention) stops the kernel reading or
 * writing user pages outside a stac/clac window; it is turned on only with
 * the `smap` command-line switch, because NT's x86 kernel and the drivers
 * written for it touch user memory directly inside try blocks.
 */
#include <ke.h>

BOOLEAN KeSmepEnabled, KeSmapEnabled;
static ULONG KiExtendedFeatures;       /* CPUID leaf 7, subleaf 0, EBX */

VOID KiInitializeProcessorProtection(VOID)
{
    ULONG Regs[4];

    __cpuid(Regs, CPUID_LEAF_MAXIMUM);
    if (Regs[0] >= CPUID_LEAF_EXTENDED_FEATURES) {
        __cpuid(Regs, CPUID_LEAF_EXTENDED_FEATURES);
        KiExtendedFeatures = Regs[1];
    }
    if (KiExtendedFeatures & CPUID7_EBX_SMEP) {
        KiWriteCr4(KiReadCr4() | CR4_SMEP);
        KeSmepEnabled = TRUE;
    }
    if (KeCommandLineHasOption("smap", NULL))
        KiSetSmap(TRUE);
    DbgPrint("processor: SMEP %s, SMAP %s\n",
             KeSmepEnabled ? "on" : (KiExtendedFeatures & CPUID7_EBX_SMEP) ? "off" : "absent",
             KeSmapEnabled ? "on" : (KiExtendedFeatures & CPUID7_EBX_SMAP) ? "off (smap turns it on)" : "absent");
}

/* Turns SMAP on or off (boot, and tests); nothing happens on a processor without it. */
VOID KiSetSmap(BOOLEAN Enable)
{
    if (!(KiExtendedFeatures & CPUID7_EBX_SMAP))
        return;
    if (Enable) {
        KeSmapEnabled = TRUE;
        KiWriteCr4(KiReadCr4() | CR4_SMAP);
    } else {
        KiWriteCr4(KiReadCr4() & ~CR4_SMAP);
        KeSmapEnabled = FALSE;
    }
}
