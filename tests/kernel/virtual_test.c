/*
 * virtual_test.c: ZwAllocateVirtualMemory, ZwFreeVirtualMemory,
 * ZwProtectVirtualMemory and ZwQueryVirtualMemory on the System process's
 * own user space, as NT's kernel-mode tests use them: reserving, committing
 * and touching, every documented status for bad arguments, commitment and
 * page tables given back, and MEMORY_BASIC_INFORMATION field by field.
 */
#include "ktest.h"
#include <mm.h>
#include "mmtest.h"

#define VM_SIZE(Pages) ((SIZE_T)(Pages) * PAGE_SIZE)

static NTSTATUS Allocate(PVOID *Base, SIZE_T Size, ULONG Type, ULONG Protect)
{
    return ZwAllocateVirtualMemory(NtCurrentProcess(), Base, 0, &Size, Type, Protect);
}

static NTSTATUS Release(PVOID Base)
{
    SIZE_T Size = 0;

    return ZwFreeVirtualMemory(NtCurrentProcess(), &Base, &Size, MEM_RELEASE);
}

static MEMORY_BASIC_INFORMATION Query(PVOID Address)
{
    MEMORY_BASIC_INFORMATION Information;
    SIZE_T Length = 0;
    NTSTATUS Status = ZwQueryVirtualMemory(NtCurrentProcess(), Address, MemoryBasicInformation, &Information,
                                           sizeof(Information), &Length);

    KT_EXPECT_EQ(Status, STATUS_SUCCESS);
    KT_EXPECT_EQ(Length, sizeof(Information));
    return Information;
}

/* Checks every field of one region NtQueryVirtualMemory reports. */
#define EXPECT_REGION(Address, Base, AllocBase, AllocProtect, Size, State_, Protect_, Type_)  \
    do {                                                                                     \
        MEMORY_BASIC_INFORMATION Mbi = Query((PVOID)(Address));                             \
        KT_EXPECT_EQ((ULONG_PTR)Mbi.BaseAddress, (ULONG_PTR)(Base));                        \
        KT_EXPECT_EQ((ULONG_PTR)Mbi.AllocationBase, (ULONG_PTR)(AllocBase));                \
        KT_EXPECT_EQ(Mbi.AllocationProtect, (AllocProtect));                                \
        KT_EXPECT_EQ(Mbi.RegionSize, (SIZE_T)(Size));                                       \
        KT_EXPECT_EQ(Mbi.State, (State_));                                                  \
        KT_EXPECT_EQ(Mbi.Protect, (Protect_));                                              \
        KT_EXPECT_EQ(Mbi.Type, (Type_));                                                    \
    } while (0)

KTEST(virtual, reserve_commit_touch_release_gives_everything_back)
{
    PFN_NUMBER Available = MmAvailablePages;
    SIZE_T Committed = MmTotalCommittedPages;
    PVOID Base = NULL, Page;
    PULONG Words;

    KT_ASSERT_EQ(Allocate(&Base, VM_SIZE(3), MEM_RESERVE, PAGE_READWRITE), STATUS_SUCCESS);
    KT_EXPECT_EQ((ULONG_PTR)Base % MM_ALLOCATION_GRANULARITY, 0);
    KT_EXPECT_EQ(MmTotalCommittedPages, Committed);
    KT_EXPECT_EQ(KtProbeRead(Base), STATUS_ACCESS_VIOLATION);        /* reserved, not committed */

    Page = (PUCHAR)Base + PAGE_SIZE;
    KT_ASSERT_EQ(Allocate(&Page, 1, MEM_COMMIT, PAGE_READWRITE), STATUS_SUCCESS);
    KT_EXPECT_EQ(Page, (PUCHAR)Base + PAGE_SIZE);
    KT_EXPECT_EQ(MmTotalCommittedPages, Committed + 1);
    Words = Page;
    KT_EXPECT_EQ(Words[0] | Words[PAGE_SIZE / 4 - 1], 0);             /* a demand-zero page */
    Words[7] = 0x12345678;
    KT_EXPECT_EQ(Words[7], 0x12345678);
    KT_EXPECT(MmGetPhysicalAddress(Page).QuadPart != 0);
    KT_EXPECT_EQ(KtProbeRead((PUCHAR)Base + 2 * PAGE_SIZE), STATUS_ACCESS_VIOLATION);

    KT_ASSERT_EQ(Release(Base), STATUS_SUCCESS);
    KT_EXPECT_EQ(MmTotalCommittedPages, Committed);
    KT_EXPECT_EQ(KtProbeRead(Page), STATUS_ACCESS_VIOLATION);         /* the TLB entry went with the PTE */
    KT_EXPECT_EQ(MmAvailablePages, Available);                         /* page and page table both back */
}

KTEST(virtual, reserve_rounds_the_base_down_to_64k_and_the_end_up_to_a_page)
{
    PVOID Base = (PVOID)0x10012345, Commit;
    SIZE_T Size = 0x10;

    KT_ASSERT_EQ(ZwAllocateVirtualMemory(NtCurrentProcess(), &Base, 0, &Size, MEM_RESERVE, PAGE_READWRITE),
                 STATUS_SUCCESS);
    KT_EXPECT_EQ(Base, (PVOID)0x10010000);
    KT_EXPECT_EQ(Size, 0x3000);                      /* to the end of the page holding 0x10012354 */
    Commit = (PVOID)0x10012345;
    Size = 1;
    KT_EXPECT_EQ(ZwAllocateVirtualMemory(NtCurrentProcess(), &Commit, 0, &Size, MEM_COMMIT, PAGE_READONLY),
                 STATUS_SUCCESS);
    KT_EXPECT_EQ(Commit, (PVOID)0x10012000);         /* a commit rounds to the page, not to 64 KB */
    KT_EXPECT_EQ(Size, PAGE_SIZE);
    KT_EXPECT_EQ(Release(Base), STATUS_SUCCESS);
}

KTEST(virtual, reserve_and_commit_together_commits_the_whole_range)
{
    SIZE_T Committed = MmTotalCommittedPages;
    PVOID Base = NULL;
    PUCHAR Bytes;

    KT_ASSERT_EQ(Allocate(&Base, VM_SIZE(16), MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE), STATUS_SUCCESS);
    KT_EXPECT_EQ(MmTotalCommittedPages, Committed + 16);
    Bytes = Base;
    for (ULONG i = 0; i < 16; i++)
        Bytes[i * PAGE_SIZE + i] = (UCHAR)i;
    for (ULONG i = 0; i < 16; i++)
        KT_EXPECT_EQ(Bytes[i * PAGE_SIZE + i], i);
    KT_EXPECT_EQ(Release(Base), STATUS_SUCCESS);
    KT_EXPECT_EQ(MmTotalCommittedPages, Committed);
}

KTEST(virtual, top_down_allocations_come_from_the_top)
{
    PVOID Low = NULL, High = NULL;

    KT_ASSERT_EQ(Allocate(&Low, PAGE_SIZE, MEM_RESERVE, PAGE_READWRITE), STATUS_SUCCESS);
    KT_ASSERT_EQ(Allocate(&High, PAGE_SIZE, MEM_RESERVE | MEM_TOP_DOWN, PAGE_READWRITE), STATUS_SUCCESS);
    KT_EXPECT((ULONG_PTR)High > (ULONG_PTR)Low);
    /* The highest 64 KB boundary under the shared user data's reservation. */
    KT_EXPECT_EQ(High, (PVOID)(MM_SHARED_USER_DATA_VA - MM_ALLOCATION_GRANULARITY));
    KT_EXPECT_EQ(Release(Low), STATUS_SUCCESS);
    KT_EXPECT_EQ(Release(High), STATUS_SUCCESS);
}

KTEST(virtual, zero_bits_keep_the_address_low)
{
    PVOID Base = NULL;
    SIZE_T Size = PAGE_SIZE;

    KT_ASSERT_EQ(ZwAllocateVirtualMemory(NtCurrentProcess(), &Base, 12, &Size, MEM_RESERVE | MEM_TOP_DOWN,
                                         PAGE_READWRITE), STATUS_SUCCESS);
    KT_EXPECT((ULONG_PTR)Base + Size - 1 <= (MAXULONG >> 12));
    KT_EXPECT_EQ(Release(Base), STATUS_SUCCESS);
}

/* NT documents ZeroBits as used only when BaseAddress is NULL. */
KTEST(virtual, zero_bits_do_not_bound_a_base_the_caller_gives)
{
    PVOID Base = (PVOID)0x10000000;
    SIZE_T Size = PAGE_SIZE;

    KT_ASSERT_EQ(ZwAllocateVirtualMemory(NtCurrentProcess(), &Base, 12, &Size, MEM_RESERVE, PAGE_READWRITE),
                 STATUS_SUCCESS);
    KT_EXPECT_EQ(Base, (PVOID)0x10000000);
    KT_EXPECT_EQ(Release(Base), STATUS_SUCCESS);
}

KTEST(virtual, bad_arguments_get_nt_statuses)
{
    PVOID Base = NULL, Reserved = NULL;
    SIZE_T Size = PAGE_SIZE;

    KT_EXPECT_EQ(Allocate(&Base, PAGE_SIZE, 0, PAGE_READWRITE), STATUS_INVALID_PARAMETER_5);
    KT_EXPECT_EQ(Allocate(&Base, PAGE_SIZE, MEM_DECOMMIT, PAGE_READWRITE), STATUS_INVALID_PARAMETER_5);
    KT_EXPECT_EQ(Allocate(&Base, PAGE_SIZE, MEM_RESERVE | 1, PAGE_READWRITE), STATUS_INVALID_PARAMETER_5);
    KT_EXPECT_EQ(ZwAllocateVirtualMemory(NtCurrentProcess(), &Base, 22, &Size, MEM_RESERVE, PAGE_READWRITE),
                 STATUS_INVALID_PARAMETER_3);
    KT_EXPECT_EQ(Allocate(&Base, PAGE_SIZE, MEM_RESERVE, 0), STATUS_INVALID_PAGE_PROTECTION);
    KT_EXPECT_EQ(Allocate(&Base, PAGE_SIZE, MEM_RESERVE, PAGE_READONLY | PAGE_READWRITE),
                 STATUS_INVALID_PAGE_PROTECTION);
    KT_EXPECT_EQ(Allocate(&Base, PAGE_SIZE, MEM_RESERVE, PAGE_WRITECOPY), STATUS_INVALID_PAGE_PROTECTION);
    KT_EXPECT_EQ(Allocate(&Base, PAGE_SIZE, MEM_RESERVE, PAGE_NOACCESS | PAGE_GUARD),
                 STATUS_INVALID_PAGE_PROTECTION);
    KT_EXPECT_EQ(Allocate(&Base, PAGE_SIZE, MEM_RESERVE, PAGE_READWRITE | PAGE_NOCACHE | PAGE_WRITECOMBINE),
                 STATUS_INVALID_PAGE_PROTECTION);
    Base = (PVOID)MM_SHARED_USER_DATA_VA;
    KT_EXPECT_EQ(Allocate(&Base, PAGE_SIZE, MEM_RESERVE, PAGE_READWRITE), STATUS_INVALID_PARAMETER_2);
    Base = NULL;
    KT_EXPECT_EQ(Allocate(&Base, 0, MEM_RESERVE, PAGE_READWRITE), STATUS_INVALID_PARAMETER_4);
    Base = (PVOID)0x7FFD0000;
    KT_EXPECT_EQ(Allocate(&Base, 0x20000, MEM_RESERVE, PAGE_READWRITE), STATUS_INVALID_PARAMETER_4);
    Base = (PVOID)0x10000000;
    KT_EXPECT_EQ(Allocate(&Base, PAGE_SIZE, MEM_COMMIT, PAGE_READWRITE), STATUS_CONFLICTING_ADDRESSES);
    KT_EXPECT_EQ(ZwAllocateVirtualMemory((HANDLE)0x1234, &Base, 0, &Size, MEM_RESERVE, PAGE_READWRITE),
                 STATUS_INVALID_HANDLE);

    KT_ASSERT_EQ(Allocate(&Reserved, VM_SIZE(4), MEM_RESERVE, PAGE_READWRITE), STATUS_SUCCESS);
    Base = (PUCHAR)Reserved + PAGE_SIZE;
    KT_EXPECT_EQ(Allocate(&Base, PAGE_SIZE, MEM_RESERVE, PAGE_READWRITE), STATUS_CONFLICTING_ADDRESSES);
    Base = (PUCHAR)Reserved + 3 * PAGE_SIZE;
    KT_EXPECT_EQ(Allocate(&Base, VM_SIZE(2), MEM_COMMIT, PAGE_READWRITE), STATUS_CONFLICTING_ADDRESSES);
    KT_EXPECT_EQ(Release(Reserved), STATUS_SUCCESS);
}

/* The NULL guard: no reservation may start below MM_LOWEST_USER_ADDRESS, so the walker never sees one. */
KTEST(virtual, reserving_in_the_first_64k_is_refused)
{
    PVOID Base = (PVOID)0xF000;

    KT_EXPECT_EQ(Allocate(&Base, PAGE_SIZE, MEM_RESERVE, PAGE_READWRITE), STATUS_INVALID_PARAMETER_2);
    Base = (PVOID)1;
    KT_EXPECT_EQ(Allocate(&Base, PAGE_SIZE, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE), STATUS_INVALID_PARAMETER_2);
    KT_EXPECT_EQ(Query(NULL).State, MEM_FREE);
    KT_EXPECT(MmCheckProcessAddressSpace(PsGetCurrentProcess(), TRUE));
}

KTEST(virtual, free_checks_its_arguments)
{
    PVOID Base = NULL, Address;
    SIZE_T Size;

    KT_ASSERT_EQ(Allocate(&Base, VM_SIZE(4), MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE), STATUS_SUCCESS);
    Address = Base;
    Size = 0;
    KT_EXPECT_EQ(ZwFreeVirtualMemory(NtCurrentProcess(), &Address, &Size, MEM_RELEASE | MEM_DECOMMIT),
                 STATUS_INVALID_PARAMETER_4);
    KT_EXPECT_EQ(ZwFreeVirtualMemory(NtCurrentProcess(), &Address, &Size, 0), STATUS_INVALID_PARAMETER_4);
    Address = (PUCHAR)Base + PAGE_SIZE;
    KT_EXPECT_EQ(ZwFreeVirtualMemory(NtCurrentProcess(), &Address, &Size, MEM_RELEASE), STATUS_FREE_VM_NOT_AT_BASE);
    Address = (PVOID)0x00020000;
    KT_EXPECT_EQ(ZwFreeVirtualMemory(NtCurrentProcess(), &Address, &Size, MEM_RELEASE), STATUS_MEMORY_NOT_ALLOCATED);
    Address = (PVOID)MI_SYSTEM_RANGE_START;
    KT_EXPECT_EQ(ZwFreeVirtualMemory(NtCurrentProcess(), &Address, &Size, MEM_RELEASE), STATUS_INVALID_PARAMETER_2);
    Address = Base;
    Size = VM_SIZE(5);
    KT_EXPECT_EQ(ZwFreeVirtualMemory(NtCurrentProcess(), &Address, &Size, MEM_DECOMMIT), STATUS_UNABLE_TO_FREE_VM);
    Address = (PVOID)MM_SHARED_USER_DATA_VA;
    Size = 0;
    KT_EXPECT_EQ(ZwFreeVirtualMemory(NtCurrentProcess(), &Address, &Size, MEM_RELEASE), STATUS_UNABLE_TO_FREE_VM);
    KT_EXPECT_EQ(Release(Base), STATUS_SUCCESS);
    KT_EXPECT_EQ(Release(Base), STATUS_MEMORY_NOT_ALLOCATED);
}

/* NT's bound for free and protect: the range must end below MM_HIGHEST_USER_ADDRESS, not at it. */
KTEST(virtual, free_and_protect_refuse_a_range_reaching_the_last_user_byte)
{
    PVOID Address = (PVOID)(MM_HIGHEST_USER_ADDRESS + 1 - PAGE_SIZE);
    SIZE_T Size = PAGE_SIZE;
    ULONG Old;

    KT_EXPECT_EQ(ZwFreeVirtualMemory(NtCurrentProcess(), &Address, &Size, MEM_RELEASE), STATUS_INVALID_PARAMETER_3);
    KT_EXPECT_EQ(ZwProtectVirtualMemory(NtCurrentProcess(), &Address, &Size, PAGE_READONLY, &Old),
                 STATUS_INVALID_PARAMETER_3);
    Size = PAGE_SIZE - 1;
    KT_EXPECT_EQ(ZwFreeVirtualMemory(NtCurrentProcess(), &Address, &Size, MEM_RELEASE), STATUS_UNABLE_TO_FREE_VM);
}

KTEST(virtual, decommit_frees_pages_and_keeps_the_reservation)
{
    SIZE_T Committed = MmTotalCommittedPages, Size;
    PVOID Base = NULL, Address;
    PUCHAR Bytes;

    KT_ASSERT_EQ(Allocate(&Base, VM_SIZE(4), MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE), STATUS_SUCCESS);
    Bytes = Base;
    for (ULONG i = 0; i < 4; i++)
        Bytes[i * PAGE_SIZE] = 0xA0 + i;
    Address = Bytes + PAGE_SIZE + 12;
    Size = PAGE_SIZE;
    KT_ASSERT_EQ(ZwFreeVirtualMemory(NtCurrentProcess(), &Address, &Size, MEM_DECOMMIT), STATUS_SUCCESS);
    KT_EXPECT_EQ(Address, Bytes + PAGE_SIZE);
    KT_EXPECT_EQ(Size, VM_SIZE(2));                  /* 12 bytes into page 1 for a page: pages 1 and 2 */
    KT_EXPECT_EQ(MmTotalCommittedPages, Committed + 2);
    KT_EXPECT_EQ(KtProbeRead(Bytes + PAGE_SIZE), STATUS_ACCESS_VIOLATION);
    KT_EXPECT_EQ(KtProbeRead(Bytes + 2 * PAGE_SIZE), STATUS_ACCESS_VIOLATION);
    KT_EXPECT_EQ(Bytes[0], 0xA0);
    KT_EXPECT_EQ(Bytes[3 * PAGE_SIZE], 0xA3);
    EXPECT_REGION(Bytes + PAGE_SIZE, Bytes + PAGE_SIZE, Bytes, PAGE_READWRITE, VM_SIZE(2), MEM_RESERVE, 0,
                  MEM_PRIVATE);

    /* Committing again gives fresh zero pages. */
    Address = Bytes + PAGE_SIZE;
    KT_ASSERT_EQ(Allocate(&Address, PAGE_SIZE, MEM_COMMIT, PAGE_READWRITE), STATUS_SUCCESS);
    KT_EXPECT_EQ(Bytes[PAGE_SIZE], 0);
    KT_EXPECT_EQ(MmTotalCommittedPages, Committed + 3);
    KT_EXPECT_EQ(Release(Base), STATUS_SUCCESS);
    KT_EXPECT_EQ(MmTotalCommittedPages, Committed);
}

KTEST(virtual, releasing_the_middle_of_a_reservation_splits_it)
{
    SIZE_T Committed = MmTotalCommittedPages, Size = VM_SIZE(2);
    PVOID Base = NULL, Middle;
    PUCHAR Bytes;

    KT_ASSERT_EQ(Allocate(&Base, VM_SIZE(6), MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE), STATUS_SUCCESS);
    Bytes = Base;
    Bytes[5 * PAGE_SIZE] = 5;
    Middle = Bytes + 2 * PAGE_SIZE;
    KT_ASSERT_EQ(ZwFreeVirtualMemory(NtCurrentProcess(), &Middle, &Size, MEM_RELEASE), STATUS_SUCCESS);
    KT_EXPECT_EQ(MmTotalCommittedPages, Committed + 4);
    EXPECT_REGION(Bytes, Bytes, Bytes, PAGE_READWRITE, VM_SIZE(2), MEM_COMMIT, PAGE_READWRITE, MEM_PRIVATE);
    EXPECT_REGION(Bytes + 2 * PAGE_SIZE, Bytes + 2 * PAGE_SIZE, NULL, 0, VM_SIZE(2), MEM_FREE, PAGE_NOACCESS, 0);
    EXPECT_REGION(Bytes + 4 * PAGE_SIZE, Bytes + 4 * PAGE_SIZE, Bytes + 4 * PAGE_SIZE, PAGE_READWRITE,
                  VM_SIZE(2), MEM_COMMIT, PAGE_READWRITE, MEM_PRIVATE);
    KT_EXPECT_EQ(Bytes[5 * PAGE_SIZE], 5);
    KT_EXPECT_EQ(Release(Bytes + 4 * PAGE_SIZE), STATUS_SUCCESS);
    KT_EXPECT_EQ(Release(Base), STATUS_SUCCESS);
    KT_EXPECT_EQ(MmTotalCommittedPages, Committed);
}

KTEST(virtual, protection_is_enforced_and_the_old_one_returned)
{
    PVOID Base = NULL, Address;
    SIZE_T Size = PAGE_SIZE;
    ULONG Old = 0;
    PUCHAR Bytes;

    KT_ASSERT_EQ(Allocate(&Base, VM_SIZE(2), MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE), STATUS_SUCCESS);
    Bytes = Base;
    Bytes[0] = 1;
    Address = Base;
    KT_ASSERT_EQ(ZwProtectVirtualMemory(NtCurrentProcess(), &Address, &Size, PAGE_READONLY, &Old), STATUS_SUCCESS);
    KT_EXPECT_EQ(Old, PAGE_READWRITE);
    KT_EXPECT_EQ(KtProbeWrite(Bytes), STATUS_ACCESS_VIOLATION);      /* resident page, PTE made read-only */
    KT_EXPECT_EQ(KtProbeRead(Bytes), STATUS_SUCCESS);
    KT_EXPECT_EQ(Bytes[0], 1);
    Address = Bytes + PAGE_SIZE;
    KT_ASSERT_EQ(ZwProtectVirtualMemory(NtCurrentProcess(), &Address, &Size, PAGE_NOACCESS, &Old), STATUS_SUCCESS);
    KT_EXPECT_EQ(KtProbeRead(Bytes + PAGE_SIZE), STATUS_ACCESS_VIOLATION);  /* not yet touched, no access */
    Address = Base;
    Size = VM_SIZE(2);
    KT_ASSERT_EQ(ZwProtectVirtualMemory(NtCurrentProcess(), &Address, &Size, PAGE_EXECUTE_READWRITE, &Old),
                 STATUS_SUCCESS);
    KT_EXPECT_EQ(Old, PAGE_READONLY);
    KT_EXPECT_EQ(KtProbeWrite(Bytes + PAGE_SIZE), STATUS_SUCCESS);
    EXPECT_REGION(Bytes, Bytes, Bytes, PAGE_READWRITE, VM_SIZE(2), MEM_COMMIT, PAGE_EXECUTE_READWRITE, MEM_PRIVATE);
    KT_EXPECT_EQ(Release(Base), STATUS_SUCCESS);
}

KTEST(virtual, no_access_keeps_a_resident_page_for_later)
{
    PVOID Base = NULL, Address;
    SIZE_T Size = PAGE_SIZE;
    ULONG Old;
    PULONG Words;

    KT_ASSERT_EQ(Allocate(&Base, PAGE_SIZE, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE), STATUS_SUCCESS);
    Words = Base;
    Words[3] = 0xCAFE;
    Address = Base;
    KT_ASSERT_EQ(ZwProtectVirtualMemory(NtCurrentProcess(), &Address, &Size, PAGE_NOACCESS, &Old), STATUS_SUCCESS);
    KT_EXPECT_EQ(KtProbeRead(Base), STATUS_ACCESS_VIOLATION);
    KT_EXPECT_EQ(MmGetPhysicalAddress(Base).QuadPart, 0);
    KT_ASSERT_EQ(ZwProtectVirtualMemory(NtCurrentProcess(), &Address, &Size, PAGE_READONLY, &Old), STATUS_SUCCESS);
    KT_EXPECT_EQ(Old, PAGE_NOACCESS);
    KT_EXPECT_EQ(Words[3], 0xCAFE);                                    /* the same page came back */
    KT_EXPECT_EQ(Release(Base), STATUS_SUCCESS);
}

KTEST(virtual, a_guard_page_faults_once)
{
    PVOID Base = NULL;
    PUCHAR Bytes;

    KT_ASSERT_EQ(Allocate(&Base, VM_SIZE(2), MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE | PAGE_GUARD),
                 STATUS_SUCCESS);
    Bytes = Base;
    EXPECT_REGION(Bytes, Bytes, Bytes, PAGE_READWRITE | PAGE_GUARD, VM_SIZE(2), MEM_COMMIT,
                  PAGE_READWRITE | PAGE_GUARD, MEM_PRIVATE);
    KT_EXPECT_EQ(KtProbeWrite(Bytes), STATUS_GUARD_PAGE_VIOLATION);
    KT_EXPECT_EQ(KtProbeWrite(Bytes), STATUS_SUCCESS);                /* the guard is gone */
    EXPECT_REGION(Bytes, Bytes, Bytes, PAGE_READWRITE | PAGE_GUARD, PAGE_SIZE, MEM_COMMIT, PAGE_READWRITE,
                  MEM_PRIVATE);
    EXPECT_REGION(Bytes + PAGE_SIZE, Bytes + PAGE_SIZE, Bytes, PAGE_READWRITE | PAGE_GUARD, PAGE_SIZE, MEM_COMMIT,
                  PAGE_READWRITE | PAGE_GUARD, MEM_PRIVATE);
    KT_EXPECT_EQ(KtProbeRead(Bytes + PAGE_SIZE), STATUS_GUARD_PAGE_VIOLATION);
    KT_EXPECT_EQ(KtProbeRead(Bytes + PAGE_SIZE), STATUS_SUCCESS);
    KT_EXPECT_EQ(Release(Base), STATUS_SUCCESS);
}

/* A resident page made a guard page keeps its frame; the touch that takes the guard away takes it for good. */
KTEST(virtual, a_guard_on_a_resident_page_goes_with_its_first_touch)
{
    PVOID Base = NULL, Address;
    SIZE_T Size = PAGE_SIZE;
    ULONG Old = 0;

    KT_ASSERT_EQ(Allocate(&Base, PAGE_SIZE, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE), STATUS_SUCCESS);
    *(volatile ULONG *)Base = 1;
    Address = Base;
    KT_ASSERT_EQ(ZwProtectVirtualMemory(NtCurrentProcess(), &Address, &Size, PAGE_READWRITE | PAGE_GUARD, &Old),
                 STATUS_SUCCESS);
    KT_EXPECT_EQ(KtProbeRead(Base), STATUS_GUARD_PAGE_VIOLATION);
    KT_EXPECT_EQ(KtProbeRead(Base), STATUS_SUCCESS);
    EXPECT_REGION(Base, Base, Base, PAGE_READWRITE, PAGE_SIZE, MEM_COMMIT, PAGE_READWRITE, MEM_PRIVATE);
    KT_ASSERT_EQ(ZwProtectVirtualMemory(NtCurrentProcess(), &Address, &Size, PAGE_READONLY, &Old), STATUS_SUCCESS);
    KT_EXPECT_EQ(Old, PAGE_READWRITE);
    KT_EXPECT_EQ(Release(Base), STATUS_SUCCESS);
}

KTEST(virtual, protect_refuses_uncommitted_and_foreign_ranges)
{
    PVOID Base = NULL, Address;
    SIZE_T Size;
    ULONG Old;

    KT_ASSERT_EQ(Allocate(&Base, VM_SIZE(2), MEM_RESERVE, PAGE_READWRITE), STATUS_SUCCESS);
    Address = Base;
    Size = PAGE_SIZE;
    KT_EXPECT_EQ(ZwProtectVirtualMemory(NtCurrentProcess(), &Address, &Size, PAGE_READONLY, &Old),
                 STATUS_NOT_COMMITTED);
    KT_EXPECT_EQ(ZwProtectVirtualMemory(NtCurrentProcess(), &Address, &Size, 0x3, &Old),
                 STATUS_INVALID_PAGE_PROTECTION);
    /* NT's status for copy-on-write asked of private pages, checked before their commitment. */
    KT_EXPECT_EQ(ZwProtectVirtualMemory(NtCurrentProcess(), &Address, &Size, PAGE_WRITECOPY, &Old),
                 STATUS_INVALID_PARAMETER_4);
    KT_EXPECT_EQ(ZwProtectVirtualMemory(NtCurrentProcess(), &Address, &Size, PAGE_EXECUTE_WRITECOPY, &Old),
                 STATUS_INVALID_PARAMETER_4);
    Size = VM_SIZE(32);
    KT_EXPECT_EQ(ZwProtectVirtualMemory(NtCurrentProcess(), &Address, &Size, PAGE_READONLY, &Old),
                 STATUS_CONFLICTING_ADDRESSES);
    Address = (PVOID)0x00020000;
    Size = PAGE_SIZE;
    KT_EXPECT_EQ(ZwProtectVirtualMemory(NtCurrentProcess(), &Address, &Size, PAGE_READONLY, &Old),
                 STATUS_CONFLICTING_ADDRESSES);
    /* The shared data page is a physical view: no PFN of the process's to protect. */
    Address = (PVOID)MM_SHARED_USER_DATA_VA;
    KT_EXPECT_EQ(ZwProtectVirtualMemory(NtCurrentProcess(), &Address, &Size, PAGE_READWRITE, &Old),
                 STATUS_CONFLICTING_ADDRESSES);
    KT_EXPECT_EQ(Release(Base), STATUS_SUCCESS);
}

/* Each step of a range that straddles page tables (some present, some not), checked by the walker. */
KTEST(virtual, ranges_across_page_tables_keep_every_count)
{
    PFN_NUMBER Available = MmAvailablePages;
    SIZE_T Committed = MmTotalCommittedPages, Size;
    PUCHAR Base = (PUCHAR)0x2FFE0000, Address;
    PEPROCESS Process = PsGetCurrentProcess();
    ULONG Old;

    if (MmTotalCommitLimit - MmTotalCommittedPages < BYTES_TO_PAGES(PDE_MAPPED_SIZE + 0x40000))
        KT_SKIP("a committed range over three page tables needs more commitment than this machine has");
    Address = Base;
    KT_ASSERT_EQ(Allocate((PVOID *)&Address, PDE_MAPPED_SIZE + 0x40000, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE),
                 STATUS_SUCCESS);
    Base[0] = 1;
    Base[PDE_MAPPED_SIZE + 0x40000 - 1] = 2;
    KT_EXPECT(MmCheckProcessAddressSpace(Process, TRUE));

    /* Decommit across all three tables, the middle one never made. */
    Address = Base + 0x10000;
    Size = PDE_MAPPED_SIZE + 0x20000;
    KT_ASSERT_EQ(ZwFreeVirtualMemory(NtCurrentProcess(), (PVOID *)&Address, &Size, MEM_DECOMMIT), STATUS_SUCCESS);
    KT_EXPECT_EQ(MmTotalCommittedPages, Committed + 0x20);
    KT_EXPECT(MmCheckProcessAddressSpace(Process, TRUE));

    /* Commit part of it back no-access, then guard, then read-write. */
    Address = Base + 0x18000;
    Size = 0x10000;
    KT_ASSERT_EQ(Allocate((PVOID *)&Address, Size, MEM_COMMIT, PAGE_NOACCESS), STATUS_SUCCESS);
    Address = Base + 0x18000;
    KT_ASSERT_EQ(ZwProtectVirtualMemory(NtCurrentProcess(), (PVOID *)&Address, &Size, PAGE_READWRITE | PAGE_GUARD,
                                        &Old), STATUS_SUCCESS);
    KT_EXPECT_EQ(Old, PAGE_NOACCESS);
    KT_EXPECT_EQ(KtProbeWrite(Base + 0x20000), STATUS_GUARD_PAGE_VIOLATION);
    KT_EXPECT(MmCheckProcessAddressSpace(Process, TRUE));
    KT_ASSERT_EQ(ZwProtectVirtualMemory(NtCurrentProcess(), (PVOID *)&Address, &Size, PAGE_NOACCESS, &Old),
                 STATUS_SUCCESS);
    KT_EXPECT(MmCheckProcessAddressSpace(Process, TRUE));

    /* Release a hole across the first table's end: the VAD splits, each part keeps its own charge. */
    Address = Base + 0x10000;
    Size = 0x40000;
    KT_ASSERT_EQ(ZwFreeVirtualMemory(NtCurrentProcess(), (PVOID *)&Address, &Size, MEM_RELEASE), STATUS_SUCCESS);
    KT_EXPECT(MmCheckProcessAddressSpace(Process, TRUE));
    KT_EXPECT_EQ(Base[0], 1);
    KT_EXPECT_EQ(Base[PDE_MAPPED_SIZE + 0x40000 - 1], 2);
    KT_EXPECT_EQ(Release(Base + 0x50000), STATUS_SUCCESS);
    KT_EXPECT_EQ(Release(Base), STATUS_SUCCESS);
    KT_EXPECT(MmCheckProcessAddressSpace(Process, TRUE));
    KT_EXPECT_EQ(MmTotalCommittedPages, Committed);
    KT_EXPECT_EQ(MmAvailablePages, Available);
}

/* The scripted sequence: reserve, commit, protect, decommit, release, each step queried field by field. */
KTEST(virtual, query_reports_each_region_as_nt_does)
{
    PVOID Base = NULL, Address;
    SIZE_T Size;
    ULONG Old;
    PUCHAR B;

    KT_ASSERT_EQ(Allocate(&Base, VM_SIZE(8), MEM_RESERVE, PAGE_EXECUTE_READWRITE), STATUS_SUCCESS);
    B = Base;
    EXPECT_REGION(B + 5, B, B, PAGE_EXECUTE_READWRITE, VM_SIZE(8), MEM_RESERVE, 0, MEM_PRIVATE);
    /* The free region after it runs to the next reservation (16 pages of granularity round it out). */
    KT_EXPECT_EQ(Query(B + VM_SIZE(8)).State, MEM_FREE);
    KT_EXPECT(Query(B + VM_SIZE(8)).AllocationBase == NULL);

    Address = B + VM_SIZE(2);
    KT_ASSERT_EQ(Allocate(&Address, VM_SIZE(3), MEM_COMMIT, PAGE_READWRITE), STATUS_SUCCESS);
    EXPECT_REGION(B, B, B, PAGE_EXECUTE_READWRITE, VM_SIZE(2), MEM_RESERVE, 0, MEM_PRIVATE);
    EXPECT_REGION(B + VM_SIZE(3), B + VM_SIZE(3), B, PAGE_EXECUTE_READWRITE, VM_SIZE(2), MEM_COMMIT, PAGE_READWRITE,
                  MEM_PRIVATE);
    EXPECT_REGION(B + VM_SIZE(5), B + VM_SIZE(5), B, PAGE_EXECUTE_READWRITE, VM_SIZE(3), MEM_RESERVE, 0,
                  MEM_PRIVATE);

    B[VM_SIZE(3)] = 1;                                   /* one page resident, one not: the same region */
    Address = B + VM_SIZE(3);
    Size = PAGE_SIZE;
    KT_ASSERT_EQ(ZwProtectVirtualMemory(NtCurrentProcess(), &Address, &Size, PAGE_READONLY, &Old), STATUS_SUCCESS);
    EXPECT_REGION(B + VM_SIZE(2), B + VM_SIZE(2), B, PAGE_EXECUTE_READWRITE, PAGE_SIZE, MEM_COMMIT, PAGE_READWRITE,
                  MEM_PRIVATE);
    EXPECT_REGION(B + VM_SIZE(3), B + VM_SIZE(3), B, PAGE_EXECUTE_READWRITE, PAGE_SIZE, MEM_COMMIT, PAGE_READONLY,
                  MEM_PRIVATE);
    EXPECT_REGION(B + VM_SIZE(4), B + VM_SIZE(4), B, PAGE_EXECUTE_READWRITE, PAGE_SIZE, MEM_COMMIT, PAGE_READWRITE,
                  MEM_PRIVATE);

    Address = B + VM_SIZE(4);
    Size = PAGE_SIZE;
    KT_ASSERT_EQ(ZwFreeVirtualMemory(NtCurrentProcess(), &Address, &Size, MEM_DECOMMIT), STATUS_SUCCESS);
    EXPECT_REGION(B + VM_SIZE(4), B + VM_SIZE(4), B, PAGE_EXECUTE_READWRITE, VM_SIZE(4), MEM_RESERVE, 0,
                  MEM_PRIVATE);

    KT_ASSERT_EQ(Release(B), STATUS_SUCCESS);
    KT_EXPECT_EQ(Query(B + PAGE_SIZE).State, MEM_FREE);
    KT_EXPECT_EQ(Query(B + PAGE_SIZE).BaseAddress, B + PAGE_SIZE);
}

KTEST(virtual, query_checks_its_arguments)
{
    MEMORY_BASIC_INFORMATION Information;

    KT_EXPECT_EQ(ZwQueryVirtualMemory(NtCurrentProcess(), NULL, (MEMORY_INFORMATION_CLASS)7, &Information,
                                      sizeof(Information), NULL), STATUS_INVALID_INFO_CLASS);
    KT_EXPECT_EQ(ZwQueryVirtualMemory(NtCurrentProcess(), NULL, MemoryBasicInformation, &Information,
                                      sizeof(Information) - 1, NULL), STATUS_INFO_LENGTH_MISMATCH);
    KT_EXPECT_EQ(ZwQueryVirtualMemory(NtCurrentProcess(), (PVOID)MI_SYSTEM_RANGE_START, MemoryBasicInformation,
                                      &Information, sizeof(Information), NULL), STATUS_INVALID_PARAMETER);
    /* The shared user data page: one committed read-only page at the start of its own reservation. */
    EXPECT_REGION(MM_SHARED_USER_DATA_VA, MM_SHARED_USER_DATA_VA, MM_SHARED_USER_DATA_VA, PAGE_READONLY, PAGE_SIZE,
                  MEM_COMMIT, PAGE_READONLY, MEM_PRIVATE);
    EXPECT_REGION(MM_SHARED_USER_DATA_VA + PAGE_SIZE, MM_SHARED_USER_DATA_VA + PAGE_SIZE, MM_SHARED_USER_DATA_VA,
                  PAGE_READONLY, MM_ALLOCATION_GRANULARITY - PAGE_SIZE, MEM_RESERVE, 0, MEM_PRIVATE);
}

KTEST(virtual, the_commit_limit_refuses_what_ram_cannot_back)
{
    SIZE_T Committed = MmTotalCommittedPages, Room = MmTotalCommitLimit - MmTotalCommittedPages;
    PVOID Base = NULL;

    if (Room >= (MM_HIGHEST_VAD_ADDRESS >> PAGE_SHIFT) / 2)
        KT_SKIP("the commit limit is beyond what one process's user space can reach");
    KT_EXPECT_EQ(Allocate(&Base, VM_SIZE(Room + 1), MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE),
                 STATUS_COMMITMENT_LIMIT);
    KT_EXPECT_EQ(MmTotalCommittedPages, Committed);
    KT_EXPECT_EQ(Query((PVOID)0x10000000).State, MEM_FREE);           /* nothing was reserved either */
    KT_ASSERT_EQ(Allocate(&Base, VM_SIZE(Room), MEM_RESERVE, PAGE_READWRITE), STATUS_SUCCESS);
    KT_EXPECT_EQ(Allocate(&Base, VM_SIZE(Room), MEM_COMMIT, PAGE_READWRITE), STATUS_SUCCESS);
    KT_EXPECT_EQ(MmTotalCommittedPages, MmTotalCommitLimit);
    KT_EXPECT_EQ(Release(Base), STATUS_SUCCESS);
    KT_EXPECT_EQ(MmTotalCommittedPages, Committed);
}

KTEST(virtual, kernel_access_to_reserved_memory_is_an_exception_for_its_try_block)
{
    PVOID Base = NULL;
    volatile NTSTATUS Status = STATUS_SUCCESS;

    KT_ASSERT_EQ(Allocate(&Base, PAGE_SIZE, MEM_RESERVE, PAGE_READWRITE), STATUS_SUCCESS);
    _SEH2_TRY {
        *(volatile ULONG *)Base = 1;        /* a plain store, not a probe instruction */
    } _SEH2_EXCEPT(EXCEPTION_EXECUTE_HANDLER) {
        Status = _SEH2_GetExceptionCode();
    } _SEH2_END;
    KT_EXPECT_EQ(Status, STATUS_ACCESS_VIOLATION);
    KT_EXPECT_EQ(Release(Base), STATUS_SUCCESS);
}

KTEST_BUGCHECK(virtual, kernel_access_to_free_user_memory_outside_try_stops, KMODE_EXCEPTION_NOT_HANDLED)
{
    KT_BUGCHECK_PARAMETER(1, STATUS_ACCESS_VIOLATION);
    *(volatile ULONG *)0x00030000 = 1;
}

KTEST_BUGCHECK(virtual, user_fault_at_dispatch_level_stops_with_0xa, IRQL_NOT_LESS_OR_EQUAL)
{
    PVOID Base = NULL;
    KIRQL OldIrql;

    KT_BUGCHECK_PARAMETER(2, DISPATCH_LEVEL);
    Allocate(&Base, PAGE_SIZE, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    KT_BUGCHECK_PARAMETER(1, (ULONG_PTR)Base);
    KeRaiseIrql(DISPATCH_LEVEL, &OldIrql);
    *(volatile ULONG *)Base = 1;         /* committed but not resident: a fault that would have to wait */
}

KTEST(virtual, no_cache_and_write_combine_reach_the_pte)
{
    PVOID Base = NULL;
    SIZE_T Size = PAGE_SIZE;
    PMMPTE PointerPte;

    KT_ASSERT_EQ(ZwAllocateVirtualMemory(NtCurrentProcess(), &Base, 0, &Size, MEM_RESERVE | MEM_COMMIT,
                                         PAGE_READWRITE | PAGE_NOCACHE), STATUS_SUCCESS);
    *(volatile ULONG *)Base = 1;
    PointerPte = MiAddressToPte(Base);
    KT_EXPECT(PointerPte->u.Hard.Valid && PointerPte->u.Hard.Owner && !PointerPte->u.Hard.Global);
    KT_EXPECT_EQ(PointerPte->u.Hard.CacheDisable, 1);                  /* PCD and PWT: uncached */
    KT_EXPECT_EQ(PointerPte->u.Hard.WriteThrough, 1);
    EXPECT_REGION(Base, Base, Base, PAGE_READWRITE | PAGE_NOCACHE, PAGE_SIZE, MEM_COMMIT,
                  PAGE_READWRITE | PAGE_NOCACHE, MEM_PRIVATE);
    KT_EXPECT_EQ(Release(Base), STATUS_SUCCESS);

    Base = NULL;
    KT_ASSERT_EQ(ZwAllocateVirtualMemory(NtCurrentProcess(), &Base, 0, &Size, MEM_RESERVE | MEM_COMMIT,
                                         PAGE_READWRITE | PAGE_WRITECOMBINE), STATUS_SUCCESS);
    *(volatile ULONG *)Base = 1;
    PointerPte = MiAddressToPte(Base);
    KT_EXPECT_EQ(PointerPte->u.Hard.CacheDisable, 0);                  /* PWT alone: PAT entry 1 */
    KT_EXPECT_EQ(PointerPte->u.Hard.WriteThrough, 1);
    KT_EXPECT_EQ(Query(Base).Protect, PAGE_READWRITE | PAGE_WRITECOMBINE);
    KT_EXPECT_EQ(Release(Base), STATUS_SUCCESS);
}

/*
 * A resident page's new caching type is its PFN's too, so no other
 * mapping of it can use the old one; while an MDL holds it locked (a
 * system mapping of the old type may exist) the type cannot change.
 */
KTEST(virtual, a_caching_change_moves_the_page_and_refuses_a_locked_one)
{
    PVOID Base = NULL, Address, View;
    SIZE_T Size = PAGE_SIZE;
    PHYSICAL_ADDRESS Physical;
    ULONG Old;
    PMDL Mdl;

    KT_ASSERT_EQ(Allocate(&Base, PAGE_SIZE, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE), STATUS_SUCCESS);
    *(volatile ULONG *)Base = 1;
    Physical = MmGetPhysicalAddress(Base);
    KT_EXPECT(MmMapIoSpace(Physical, PAGE_SIZE, MmNonCached) == NULL);   /* cached RAM: no uncached alias */

    Address = Base;
    KT_EXPECT_EQ(ZwProtectVirtualMemory(NtCurrentProcess(), &Address, &Size, PAGE_READWRITE | PAGE_NOCACHE, &Old),
                 STATUS_SUCCESS);
    KT_EXPECT_EQ(MiAddressToPte(Base)->u.Hard.CacheDisable, 1);
    KT_EXPECT(MmMapIoSpace(Physical, PAGE_SIZE, MmCached) == NULL);      /* now no cached alias */
    View = MmMapIoSpace(Physical, PAGE_SIZE, MmNonCached);
    KT_EXPECT(View != NULL);
    if (View != NULL)
        MmUnmapIoSpace(View, PAGE_SIZE);

    Mdl = IoAllocateMdl(Base, PAGE_SIZE, FALSE, FALSE, NULL);
    KT_ASSERT(Mdl != NULL);
    MmProbeAndLockPages(Mdl, KernelMode, IoWriteAccess);
    KT_EXPECT_EQ(ZwProtectVirtualMemory(NtCurrentProcess(), &Address, &Size, PAGE_READWRITE, &Old),
                 STATUS_CONFLICTING_ADDRESSES);
    KT_EXPECT_EQ(MiAddressToPte(Base)->u.Hard.CacheDisable, 1);
    KT_EXPECT_EQ(ZwProtectVirtualMemory(NtCurrentProcess(), &Address, &Size, PAGE_READONLY | PAGE_NOCACHE, &Old),
                 STATUS_SUCCESS);                                        /* the type stays: allowed */
    MmUnlockPages(Mdl);
    IoFreeMdl(Mdl);

    KT_EXPECT_EQ(ZwProtectVirtualMemory(NtCurrentProcess(), &Address, &Size, PAGE_READWRITE, &Old), STATUS_SUCCESS);
    KT_EXPECT_EQ(Old, PAGE_READONLY | PAGE_NOCACHE);
    KT_EXPECT_EQ(MiAddressToPte(Base)->u.Hard.CacheDisable, 0);
    KT_EXPECT(MmMapIoSpace(Physical, PAGE_SIZE, MmNonCached) == NULL);
    KT_EXPECT_EQ(*(volatile ULONG *)Base, 1);
    KT_EXPECT_EQ(Release(Base), STATUS_SUCCESS);
}
