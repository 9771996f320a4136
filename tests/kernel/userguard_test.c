/*
 * userguard_test.c: the processor's guards against ring 0 using user pages.
 * SMEP (on whenever the CPU has it: QEMU's -cpu max does, the default CPU
 * does not) stops the kernel running a user page with NT's stop. SMAP is
 * opt-in; turned on for a case, it refuses a direct touch of user memory
 * while the probe and copy helpers, and a whole ring-3 program's system
 * services, still work through their stac/clac windows.
 */
#define NTMM_WHITEBOX_TEST
#include "ktest.h"
#include <ke.h>
#include <ps.h>
#include <fs.h>
#include "userprog.h"

typedef VOID (*KT_USER_CODE)(VOID);

/* A resident user page holding a ret, harmless were ring 0 allowed to run it; the stop will name its address. */
static KT_USER_CODE KtUserReturn(VOID)
{
    PVOID Base = NULL;
    SIZE_T Size = PAGE_SIZE;

    if (!KeSmepEnabled)
        KT_SKIP("this CPU has no SMEP (boot with QEMU_ARGS='-cpu max')");
    KT_ASSERT_EQ(ZwAllocateVirtualMemory(NtCurrentProcess(), &Base, 0, &Size, MEM_RESERVE | MEM_COMMIT,
                                         PAGE_EXECUTE_READWRITE), STATUS_SUCCESS);
    *(PUCHAR)Base = 0xC3;
    KT_BUGCHECK_PARAMETER(1, (ULONG_PTR)Base);
    return (KT_USER_CODE)Base;
}

KTEST_BUGCHECK(smep, the_kernel_running_a_user_page_stops_with_0xfc, ATTEMPTED_EXECUTE_OF_NOEXECUTE_MEMORY)
{
    KtUserReturn()();
}

/* SMEP is checked before the IRQL: ring 0 at DISPATCH_LEVEL running a resident user page stops with 0xFC, not 0xA. */
KTEST_BUGCHECK(smep, a_user_page_run_at_dispatch_level_stops_with_0xfc, ATTEMPTED_EXECUTE_OF_NOEXECUTE_MEMORY)
{
    KT_USER_CODE UserCode = KtUserReturn();
    KIRQL OldIrql;

    KeRaiseIrql(DISPATCH_LEVEL, &OldIrql);
    UserCode();
}

KTEST(smap, a_direct_touch_faults_while_the_helpers_work)
{
    PEPROCESS Process;
    volatile NTSTATUS Status = STATUS_SUCCESS;
    NTSTATUS ExitStatus = 0;
    PVOID Base = NULL, Entry;
    SIZE_T Size = PAGE_SIZE;

    KiSetSmap(TRUE);
    if (!KeSmapEnabled)
        KT_SKIP("this CPU has no SMAP (boot with QEMU_ARGS='-cpu max')");
    KT_ASSERT_EQ(ZwAllocateVirtualMemory(NtCurrentProcess(), &Base, 0, &Size, MEM_RESERVE | MEM_COMMIT,
                                         PAGE_READWRITE), STATUS_SUCCESS);
    _SEH2_TRY {
        ProbeForWrite(Base, sizeof(ULONG), sizeof(ULONG));     /* a helper: the page faults in, writable */
        *(volatile ULONG *)Base = 1;                           /* a direct touch: SMAP refuses it */
    } _SEH2_EXCEPT(EXCEPTION_EXECUTE_HANDLER) {
        Status = _SEH2_GetExceptionCode();
    } _SEH2_END;
    KT_EXPECT_EQ(Status, STATUS_ACCESS_VIOLATION);
    KT_EXPECT_EQ(KiReadEFlags() & EFLAGS_AC, 0);               /* no window left open behind the exception */
    Size = 0;
    KT_EXPECT_EQ(ZwFreeVirtualMemory(NtCurrentProcess(), &Base, &Size, MEM_RELEASE), STATUS_SUCCESS);

    /* A ring-3 program's services capture and return through the helpers alone. */
    KT_ASSERT_EQ(PsCreateProcess("smap", 0, &Process), STATUS_SUCCESS);
    KT_ASSERT_EQ(KtLoadUserProgram(Process, "hello", &Entry), STATUS_SUCCESS);
    KT_EXPECT_EQ(PsRunUserThread(Process, Entry, (PVOID)7, &ExitStatus), STATUS_SUCCESS);
    KT_EXPECT_EQ(ExitStatus, 8);
    PsTerminateProcess(Process, STATUS_SUCCESS);
    ObDereferenceObject(Process);
    KiSetSmap(FALSE);
}

/*
 * The section and file services read and write a ring-3 caller's memory
 * (sizes, offsets, names, handles, answers, file data) through stac/clac
 * windows too: with SMAP on, a program that uses them sees what it sees
 * without, rather than access violations for its own good pointers.
 */
KTEST(smap, the_section_and_file_services_work_for_a_program)
{
    KiSetSmap(TRUE);
    if (!KeSmapEnabled)
        KT_SKIP("this CPU has no SMAP (boot with QEMU_ARGS='-cpu max')");
    KT_EXPECT_EQ(KtRunUserProgram("sections", (PVOID)7), 8);
    if (FsGetFileCount() != 0)
        KT_EXPECT_EQ(KtRunUserProgram("files", (PVOID)9), 10);
    KiSetSmap(FALSE);
}
