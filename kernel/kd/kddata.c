/*
 * kddata.c: what a debugger needs to know about the kernel that its debug
 * information does not say, NT's KdDebuggerDataBlock in small: the
 * constants of the address-space layout, which are macros the ELF file does
 * not carry. tools/gdb/ntmm.py reads them from here rather than writing
 * addresses of its own.
 */
#include "kdp.h"

typedef struct _KD_DEBUGGER_DATA {
    ULONG_PTR PteBase, PteTop, PdeBase;
    ULONG_PTR HyperSpace, HyperSpaceEnd;
    ULONG_PTR LowestUserAddress, HighestUserAddress, SystemRangeStart;
    ULONG_PTR SystemPteStart, SystemPteEnd;
    ULONG_PTR SharedUserDataAddress;
} KD_DEBUGGER_DATA;

const KD_DEBUGGER_DATA KdDebuggerData __attribute__((used)) = {
    PTE_BASE, PTE_TOP, PDE_BASE,
    HYPER_SPACE, HYPER_SPACE_END,
    MI_LOWEST_USER_ADDRESS, MI_HIGHEST_USER_ADDRESS, MI_SYSTEM_RANGE_START,
    MM_SYSTEM_PTE_START, MM_SYSTEM_PTE_END,
    KI_USER_SHARED_DATA,
};
