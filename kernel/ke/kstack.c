/*
 * kstack.c: running a function on a kernel stack of its own
 * (KeCallOnKernelStack), and the chain of stacks that makes.
 *
 * KPCR.StackBase and StackLimit bound the stack in use. A stack
 * KeCallOnKernelStack made carries a KSTACK_CONTROL at its base naming the
 * stack it was called from, and so back to the boot stack, which has none.
 * stack.S carries the EBP chain across each switch, so a walk along saved
 * EBPs goes from the current frame out through every caller, on whichever
 * stack of the chain it lies: that is how exception dispatch proves a try
 * frame live and how a stop prints its stack. A caller's frame is always
 * further out: higher on the same stack, or on a stack called from earlier.
 */
#include <ke.h>
#include <mm.h>

ULONG KiCallOnStack(PVOID StackTop, ULONG (*Function)(PVOID), PVOID Context);

/*
 * Which stack of the chain holds [Address, Address + Length)? FALSE for
 * none; else TRUE with the stack in *Segment (Depth 0 for the current one,
 * 1 for the one it was called from, ...).
 */
BOOLEAN KiFindStackSegment(ULONG_PTR Address, ULONG Length, PKSTACK_SEGMENT Segment)
{
    Segment->StackBase = KiPcr.StackBase;
    Segment->StackLimit = KiPcr.StackLimit;
    Segment->Control = KiPcr.StackControl;
    for (Segment->Depth = 0; Segment->Depth < KSTACK_MAXIMUM_CHAIN; Segment->Depth++) {
        PKSTACK_CONTROL Control = Segment->Control;

        if (Address >= Segment->StackLimit && Address < Segment->StackBase &&
            Length <= Segment->StackBase - Address)
            return TRUE;
        if (Control == NULL)
            return FALSE;
        Segment->StackBase = Control->PreviousStackBase;
        Segment->StackLimit = Control->PreviousStackLimit;
        Segment->Control = Control->PreviousControl;
    }
    return FALSE;
}

/*
 * Makes Segment, a stack the current one was called from, current again:
 * dispatch does so as it jumps to a frame there, KeCallOnKernelStack as it
 * returns. The record goes last, so an interrupt in between still finds
 * the stack in use through it.
 */
VOID KiSetCurrentStack(PKSTACK_SEGMENT Segment)
{
    KiPcr.StackBase = Segment->StackBase;
    KiPcr.StackLimit = Segment->StackLimit;
    __asm__ volatile("" ::: "memory");
    KiPcr.StackControl = Segment->Control;
}

BOOLEAN KiStartStackWalk(PKSTACK_WALK Walk, ULONG_PTR Ebp)
{
    Walk->Ebp = Ebp;
    return Ebp != 0 && KiFindStackSegment(Ebp, 2 * sizeof(ULONG_PTR), &Walk->Segment);
}

/* Steps out to the caller's frame. FALSE at the end of the chain, or at a link that does not lead further out. */
BOOLEAN KiNextStackFrame(PKSTACK_WALK Walk)
{
    ULONG_PTR Next = ((PULONG_PTR)Walk->Ebp)[0];
    KSTACK_SEGMENT Segment;

    if (Next == 0 || !KiFindStackSegment(Next, 2 * sizeof(ULONG_PTR), &Segment))
        return FALSE;
    if (Segment.Depth == Walk->Segment.Depth ? Next <= Walk->Ebp : Segment.Depth < Walk->Segment.Depth)
        return FALSE;
    Walk->Ebp = Next;
    Walk->Segment = Segment;
    return TRUE;
}

/*
 * Makes a kernel stack of Pages pages (plus its guard page), runs
 * Function(Context) on it and frees it. STATUS_INSUFFICIENT_RESOURCES when
 * no stack could be made, else STATUS_SUCCESS with Function's result in
 * *Result. An exception Function does not handle goes on to the caller's
 * handlers: dispatch makes the caller's stack current again as it leaves
 * this one, and the finally block below frees it.
 */
NTSTATUS KeCallOnKernelStack(ULONG Pages, ULONG (*Function)(PVOID), PVOID Context, PULONG Result)
{
    PUCHAR StackBase = MmCreateKernelStack(Pages);
    KSTACK_SEGMENT Caller = { KiPcr.StackBase, KiPcr.StackLimit, KiPcr.StackControl, 0 };
    PKSTACK_CONTROL Control;

    if (StackBase == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    Control = (PKSTACK_CONTROL)StackBase - 1;
    Control->PreviousStackBase = Caller.StackBase;
    Control->PreviousStackLimit = Caller.StackLimit;
    Control->PreviousControl = Caller.Control;
    _SEH2_TRY {
        /* The record first, so an interrupt before the switch still finds this stack through it. */
        KiPcr.StackControl = Control;
        __asm__ volatile("" ::: "memory");
        KiPcr.StackLimit = (ULONG_PTR)StackBase - Pages * PAGE_SIZE;
        KiPcr.StackBase = (ULONG_PTR)StackBase;
        *Result = KiCallOnStack(Control, Function, Context);
    } _SEH2_FINALLY {
        KiSetCurrentStack(&Caller);
        MmDeleteKernelStack(StackBase, Pages);
    } _SEH2_END;
    return STATUS_SUCCESS;
}
