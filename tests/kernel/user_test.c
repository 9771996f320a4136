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
#include "../user/timing.h"
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

/* The TEB is user memory: a thread that freed its own still ends cleanly, and its stack goes with the process. */
KTEST(user, a_thread_that_freed_its_teb_still_ends)
{
    KT_EXPECT_EQ(MISBEHAVE(FreeOwnTebThenEndThread), 0x600D);
}

/* Growing the stack writes the TEB's StackLimit; a TEB the program made read-only is its problem, not the kernel's. */
KTEST(user, a_read_only_teb_stops_the_stack_growing_not_the_system)
{
    KT_EXPECT_EQ(MISBEHAVE(ReadOnlyTebThenGrowStack), STATUS_GUARD_PAGE_VIOLATION);
}

/* NT's dispatcher copies a service's arguments from wherever edx points below MM_USER_PROBE_ADDRESS, aligned or not. */
KTEST(user, a_service_takes_its_arguments_from_an_unaligned_stack)
{
    KT_EXPECT_EQ(MISBEHAVE(MisalignedServiceArguments), STATUS_INVALID_HANDLE);
}

/* A one-byte privileged instruction on the last byte of the last readable page is still decoded as one. */
KTEST(user, a_privileged_instruction_at_the_end_of_a_page_is_still_privileged)
{
    KT_EXPECT_EQ(MISBEHAVE(PrivilegedInstructionAtPageEnd), STATUS_PRIVILEGED_INSTRUCTION);
}

/*
 * When the stack grows onto a page the program had committed and written
 * itself, the page becomes the guard with its data kept, and is not
 * charged twice (NT commits it PAGE_READWRITE | PAGE_GUARD over what is there).
 */
KTEST(user, the_stack_grows_onto_a_page_already_committed_without_losing_it)
{
    KT_EXPECT_EQ(MISBEHAVE(CommitBelowTheGuardThenGrow), 0x600D);
}

/* Arguments on a free page or against MM_USER_PROBE_ADDRESS, a kernel address in every pointer argument. */
KTEST(user, every_bad_pointer_a_service_is_given_is_an_access_violation)
{
    KT_EXPECT_EQ(MISBEHAVE(ServiceArgumentsOnAFreePage), STATUS_ACCESS_VIOLATION);
    KT_EXPECT_EQ(MISBEHAVE(ServiceArgumentsAtTheProbeLimit), STATUS_ACCESS_VIOLATION);
    KT_EXPECT_EQ(MISBEHAVE(KernelPointersToEveryService), 0);
}

/* A service's own write into the stack's guard page grows the stack, as a push would. */
KTEST(user, a_service_writing_into_the_stack_guard_grows_the_stack)
{
    KT_EXPECT_EQ(MISBEHAVE(ServiceWritesIntoTheStackGuard), 0x600D);
}

/*
 * NT gives each thread x87 and MMX registers of its own, starting empty
 * with control word 0x27F: nothing one process leaves there is seen by the
 * next (ReadFpuResidue: the status word, clear, over the tag word, all empty).
 */
KTEST(user, a_thread_starts_with_clean_x87_and_mmx_registers)
{
    KT_EXPECT_EQ(MISBEHAVE(LeaveFpuSecret), 0);
    KT_EXPECT_EQ(MISBEHAVE(ReadFpuResidue), FPU_TAG_WORD_EMPTY);
    KT_EXPECT_EQ(MISBEHAVE(LeaveMmxSecret), 0);
    KT_EXPECT_EQ(MISBEHAVE(ReadMmxResidue), 0);
    KT_EXPECT_EQ(MISBEHAVE(ReadFpuControlWord), KI_INITIAL_FPU_CONTROL_WORD);
}

/* A TEB made a guard page or no-access: the growth reads it, fails, and the program gets the guard violation. */
KTEST(user, a_guarded_or_no_access_teb_stops_the_stack_growing_not_the_system)
{
    KT_EXPECT_EQ(MISBEHAVE(GuardedTebThenGrowStack), STATUS_GUARD_PAGE_VIOLATION);
    KT_EXPECT_EQ(MISBEHAVE(NoAccessTebThenGrowStack), STATUS_GUARD_PAGE_VIOLATION);
}

/*
 * make bench's ring-3 program runs each loop and returns a count. Only
 * make bench's -icount makes the counts instructions; here the TSC runs
 * in real time, where a clock tick can make any loop the longer, so only
 * that every loop ran is checked.
 */
KTEST(user, the_timing_program_runs_every_loop)
{
    ULONG FirstTouch = KtRunUserProgram("timing", TIMING_ARGUMENT(TimeFirstTouch, 8));
    ULONG MappedTouch = KtRunUserProgram("timing", TIMING_ARGUMENT(TimeMappedTouch, 8));
    ULONG Service = KtRunUserProgram("timing", TIMING_ARGUMENT(TimeNullService, 8));
    ULONG LocalCall = KtRunUserProgram("timing", TIMING_ARGUMENT(TimeLocalCall, 8));

    KT_EXPECT_NE(FirstTouch, TIMING_FAILED);
    KT_EXPECT_NE(MappedTouch, TIMING_FAILED);
    KT_EXPECT_NE(Service, TIMING_FAILED);
    KT_EXPECT_NE(LocalCall, TIMING_FAILED);
    KT_EXPECT_EQ(KtRunUserProgram("timing", TIMING_ARGUMENT(0, 1)), TIMING_FAILED);
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
