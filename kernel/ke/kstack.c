/* kstack.c: running a function on a kernel stack of its own (KeCallOnKernelStack). */
#include <ke.h>
#include <mm.h>

ULONG KiCallOnStack(PVOID StackTop, ULONG (*Function)(PVOID), PVOID Context);

/*
 * Makes a kernel stack of Pages pages (plus its guard page), runs
 * Function(Context) on it and frees it. STATUS_INSUFFICIENT_RESOURCES when
 * no stack could be made, else STATUS_SUCCESS with Function's result in
 * *Result. Try blocks and stack traces use the PCR's stack bounds, so they
 * follow the switch.
 */
NTSTATUS KeCallOnKernelStack(ULONG Pages, ULONG (*Function)(PVOID), PVOID Context, PULONG Result)
{
    PVOID StackBase = MmCreateKernelStack(Pages);
    ULONG_PTR SavedBase = KiPcr.StackBase, SavedLimit = KiPcr.StackLimit;

    if (StackBase == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    KiPcr.StackBase = (ULONG_PTR)StackBase;
    KiPcr.StackLimit = (ULONG_PTR)StackBase - Pages * PAGE_SIZE;
    *Result = KiCallOnStack(StackBase, Function, Context);
    KiPcr.StackBase = SavedBase;
    KiPcr.StackLimit = SavedLimit;
    MmDeleteKernelStack(StackBase, Pages);
    return STATUS_SUCCESS;
}
