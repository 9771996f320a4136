/*
 * user_test.c: code in ring 3. A well-behaved program uses the system
 * services and its TEB, PEB and shared data page; programs that misbehave
 * on purpose end with their exception's status (or get an error from the
 * service they abused) while the kernel, the PFN database and the other
 * processes stay intact, which the suite's invariants then prove.
 */
#include "ktest.h"
#include "userprog.h"
#include "../user/misbehave.h"
#include <mm.h>
#include <fs.h>


#define MISBEHAVE(What) KtRunUserProgram("misbehave", (PVOID)(What))

KTEST(user, a_program_runs_in_ring_3_and_uses_the_services)
{
    ULONG Calls = KeServiceDescriptorTable.Count[0];
    PFN_NUMBER Available;

    KT_EXPECT_EQ(KtRunUserProgram("hello", (PVOID)41), 42);       /* the first run may make a system page table */
    Available = MmAvailablePages;
    KT_EXPECT_EQ(KtRunUserProgram("hello", (PVOID)1), 2);
    KT_EXPECT(KeServiceDescriptorTable.Count[0] > Calls);        /* NtAllocateVirtualMemory came through int 0x2E */
    KT_EXPECT_EQ(MmAvailablePages, Available);                    /* process, thread, stacks: all given back */
}

KTEST(user, faults_end_the_process_with_their_status)
{
    KT_EXPECT_EQ(MISBEHAVE(ReadKernelMemory), STATUS_ACCESS_VIOLATION);
    KT_EXPECT_EQ(MISBEHAVE(WriteReadOnlyData), STATUS_ACCESS_VIOLATION);
    KT_EXPECT_EQ(MISBEHAVE(ReadFreeMemory), STATUS_ACCESS_VIOLATION);
    KT_EXPECT_EQ(MISBEHAVE(DivideByZero), STATUS_INTEGER_DIVIDE_BY_ZERO);
    KT_EXPECT_EQ(MISBEHAVE(PrivilegedInstruction), STATUS_PRIVILEGED_INSTRUCTION);
    KT_EXPECT_EQ(MISBEHAVE(Breakpoint), STATUS_BREAKPOINT);
    KT_EXPECT_EQ(MISBEHAVE(TouchGuardPage), STATUS_GUARD_PAGE_VIOLATION);
}

KTEST(user, bad_arguments_to_services_are_statuses_not_crashes)
{
    KT_EXPECT_EQ(MISBEHAVE(KernelPointerToService), STATUS_ACCESS_VIOLATION);
    KT_EXPECT_EQ(MISBEHAVE(KernelArgumentsToService), STATUS_ACCESS_VIOLATION);
    KT_EXPECT_EQ(MISBEHAVE(UnknownService), STATUS_INVALID_SYSTEM_SERVICE);
}

KTEST(user, the_stack_grows_through_its_guard_page_until_it_overflows)
{
    ULONG Expected = 0;

    for (ULONG Depth = 0; Depth <= 100; Depth++)
        Expected += (UCHAR)Depth;
    KT_EXPECT_EQ(MISBEHAVE(GrowTheStack), Expected);
    KT_EXPECT_EQ(MISBEHAVE(OverflowTheStack), STATUS_STACK_OVERFLOW);
}

KTEST(user, a_program_can_end_its_own_process)
{
    KT_EXPECT_EQ(MISBEHAVE(TerminateOwnProcess), 0x1234);
}

KTEST(user, a_program_uses_sections_through_the_services)
{
    KT_EXPECT_EQ(KtRunUserProgram("sections", (PVOID)7), 8);
}

KTEST(user, a_program_reads_and_maps_a_ramdisk_file)
{
    if (FsGetFileCount() == 0)
        KT_SKIP("no ramdisk: boot with tests/run.py --initrd, or the ISO");
    KT_EXPECT_EQ(KtRunUserProgram("files", (PVOID)9), 10);
}
