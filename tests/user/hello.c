/*
 * hello.c: a well-behaved ring-3 program: prints, allocates, fills, queries
 * and frees memory through the system services, and reads its TEB, PEB and
 * the shared user data page. Returns Argument + 1 when every check holds,
 * else 0xBAD00000 plus the line of the check that failed.
 */
#include "user.h"

#define CHECK(c) do { if (!(c)) return 0xBAD00000 | __LINE__; } while (0)

static PTEB CurrentTeb(VOID)
{
    PTEB Teb;

    __asm__ volatile("movl %%fs:0x18, %0" : "=r"(Teb));
    return Teb;
}

ULONG NTAPI UserMain(PVOID Argument)
{
    volatile KUSER_SHARED_DATA *Shared = (volatile KUSER_SHARED_DATA *)MM_SHARED_USER_DATA_VA;
    MEMORY_BASIC_INFORMATION Mbi;
    PVOID Base = NULL;
    SIZE_T Size = 0x10000, Length;
    ULONG Sum = 0, Local;
    PULONG Words;
    PTEB Teb = CurrentTeb();

    UserPrint("hello from ring 3\n");
    CHECK(NtAllocateVirtualMemory(NtCurrentProcess(), &Base, 0, &Size, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE) ==
          STATUS_SUCCESS);
    Words = Base;
    for (ULONG i = 0; i < Size / sizeof(ULONG); i += 1024)
        Words[i] = i;
    for (ULONG i = 0; i < Size / sizeof(ULONG); i += 1024)
        Sum += Words[i];
    CHECK(Sum == 1024 * (15 * 16 / 2));             /* 0 + 1024 + ... + 15 * 1024 */
    CHECK(NtQueryVirtualMemory(NtCurrentProcess(), Words + 1, MemoryBasicInformation, &Mbi, sizeof(Mbi),
                               &Length) == STATUS_SUCCESS);
    CHECK(Mbi.AllocationBase == Base && Mbi.State == MEM_COMMIT && Mbi.Protect == PAGE_READWRITE &&
          Mbi.Type == MEM_PRIVATE && Mbi.RegionSize == 0x10000);
    Size = 0;
    CHECK(NtFreeVirtualMemory(NtCurrentProcess(), &Base, &Size, MEM_RELEASE) == STATUS_SUCCESS);
    CHECK(NtQueryVirtualMemory(NtCurrentProcess(), Words, MemoryBasicInformation, &Mbi, sizeof(Mbi), NULL) ==
          STATUS_SUCCESS && Mbi.State == MEM_FREE);

    CHECK(Teb->NtTib.Self == &Teb->NtTib);
    CHECK((ULONG_PTR)&Local < (ULONG_PTR)Teb->NtTib.StackBase && (ULONG_PTR)&Local >= (ULONG_PTR)Teb->NtTib.StackLimit);
    CHECK(Teb->ProcessEnvironmentBlock->OSBuildNumber == 2600);
    CHECK(Shared->NtMajorVersion == 5);
    CHECK(NtYieldExecution() == STATUS_NO_YIELD_PERFORMED);
    return (ULONG)Argument + 1;
}
