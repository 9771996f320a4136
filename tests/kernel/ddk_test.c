/* ddk_test.c: runs the DDK-style routines of ddk_sample.c as test cases. */
#include "ktest.h"

NTSTATUS SampleTypesAndStrings(VOID);
NTSTATUS SampleMemoryAndInterlocked(VOID);
NTSTATUS SampleInterlockedLists(VOID);
NTSTATUS SampleMdlsAndMappings(VOID);
NTSTATUS SampleSystemInformation(VOID);
NTSTATUS SampleProbes(VOID);
NTSTATUS SampleTimeAndHardware(KIRQL Irql);
NTSTATUS SamplePortEntryPoints(VOID);
NTSTATUS SampleDriverIdioms(VOID);

KTEST(ddk, types_and_strings) { KT_EXPECT_EQ(SampleTypesAndStrings(), STATUS_SUCCESS); }
KTEST(ddk, memory_and_interlocked) { KT_EXPECT_EQ(SampleMemoryAndInterlocked(), STATUS_SUCCESS); }
KTEST(ddk, interlocked_lists) { KT_EXPECT_EQ(SampleInterlockedLists(), STATUS_SUCCESS); }
KTEST(ddk, mdls_and_mappings) { KT_EXPECT_EQ(SampleMdlsAndMappings(), STATUS_SUCCESS); }
KTEST(ddk, system_information) { KT_EXPECT_EQ(SampleSystemInformation(), STATUS_SUCCESS); }
KTEST(ddk, probes) { KT_EXPECT_EQ(SampleProbes(), STATUS_SUCCESS); }
KTEST(ddk, port_entry_points) { KT_EXPECT_EQ(SamplePortEntryPoints(), STATUS_SUCCESS); }
KTEST(ddk, driver_idioms) { KT_EXPECT_EQ(SampleDriverIdioms(), STATUS_SUCCESS); }

KTEST(ddk, time_and_hardware_at_passive_and_high_level)
{
    KT_EXPECT_EQ(SampleTimeAndHardware(PASSIVE_LEVEL), STATUS_SUCCESS);
    KT_EXPECT_EQ(SampleTimeAndHardware(HIGH_LEVEL), STATUS_SUCCESS);
}

/* PAGED_CODE is the checked build's assertion: above APC_LEVEL it stops. */
KTEST_BUGCHECK(ddk, paged_code_above_apc_level_stops, KMODE_EXCEPTION_NOT_HANDLED)
{
    KIRQL OldIrql;

    KT_BUGCHECK_PARAMETER(1, STATUS_ASSERTION_FAILURE);
    KeRaiseIrql(DISPATCH_LEVEL, &OldIrql);
    (VOID)SampleTypesAndStrings();
}
