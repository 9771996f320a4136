/*
 * dpc.c: deferred procedure calls. Code at high IRQL (the clock interrupt)
 * queues work to run at DISPATCH_LEVEL; the queue is drained as soon as
 * the processor's IRQL falls below DISPATCH_LEVEL: on KeLowerIrql and on
 * the way out of an interrupt that arrived at a lower level, NT's DISPATCH
 * software interrupt in all but name. Each DPC runs with interrupts on.
 */
#include <ke.h>

VOID KiInitializeDpcQueue(VOID)
{
    InitializeListHead(&KiPcr.DpcListHead);
}

VOID NTAPI KeInitializeDpc(PRKDPC Dpc, PKDEFERRED_ROUTINE DeferredRoutine, PVOID DeferredContext)
{
    Dpc->Type = 19;   /* DpcObject */
    Dpc->Importance = 1;
    Dpc->Number = 0;
    Dpc->DeferredRoutine = DeferredRoutine;
    Dpc->DeferredContext = DeferredContext;
    Dpc->DpcData = NULL;
}

/*
 * Queues the DPC unless it is queued already (then FALSE and the arguments
 * are not changed). Below DISPATCH_LEVEL, with interrupts on, the queue is
 * drained before the call returns, as NT's DISPATCH software interrupt
 * would be delivered at once; otherwise the DPC runs when IRQL next falls
 * below DISPATCH_LEVEL.
 */
BOOLEAN NTAPI KeInsertQueueDpc(PRKDPC Dpc, PVOID SystemArgument1, PVOID SystemArgument2)
{
    ULONG EFlags = KiReadEFlags();
    BOOLEAN Inserted = FALSE;

    _disable();
    if (Dpc->DpcData == NULL) {
        Dpc->SystemArgument1 = SystemArgument1;
        Dpc->SystemArgument2 = SystemArgument2;
        Dpc->DpcData = &KiPcr.DpcListHead;
        InsertTailList(&KiPcr.DpcListHead, &Dpc->DpcListEntry);
        KiPcr.DpcRequested = TRUE;
        Inserted = TRUE;
    }
    if (EFlags & EFLAGS_IF) {
        _enable();
        if (KiPcr.Irql < DISPATCH_LEVEL && KiPcr.DpcRequested)
            KiDispatchPendingDpcs(KiPcr.Irql);
    }
    return Inserted;
}

BOOLEAN NTAPI KeRemoveQueueDpc(PRKDPC Dpc)
{
    ULONG EFlags = KiReadEFlags();
    BOOLEAN Removed = FALSE;

    _disable();
    if (Dpc->DpcData != NULL) {
        RemoveEntryList(&Dpc->DpcListEntry);
        Dpc->DpcData = NULL;
        Removed = TRUE;
    }
    if (EFlags & EFLAGS_IF)
        _enable();
    return Removed;
}

/*
 * Runs every queued DPC; called at DISPATCH_LEVEL. The exception list is
 * cut while they run (NULL is this kernel's EXCEPTION_CHAIN_END), as NT
 * cuts it: a DPC runs on behalf of nobody, so an exception it does not
 * handle itself stops the system instead of reaching a try block of the
 * code it interrupted, whose handler would run at DISPATCH_LEVEL and drop
 * the rest of the queue.
 */
VOID KiRetireDpcList(VOID)
{
    ULONG EFlags = KiReadEFlags();
    PKSEH_FRAME InterruptedList = KiPcr.ExceptionList;

    ASSERT(KiPcr.Irql == DISPATCH_LEVEL);
    KiPcr.ExceptionList = NULL;
    _disable();
    while (!IsListEmpty(&KiPcr.DpcListHead)) {
        PKDPC Dpc = CONTAINING_RECORD(RemoveHeadList(&KiPcr.DpcListHead), KDPC, DpcListEntry);

        Dpc->DpcData = NULL;
        _enable();
        Dpc->DeferredRoutine(Dpc, Dpc->DeferredContext, Dpc->SystemArgument1, Dpc->SystemArgument2);
        KiPcr.DpcCount++;
        _disable();
    }
    KiPcr.DpcRequested = FALSE;
    KiPcr.ExceptionList = InterruptedList;
    if (EFlags & EFLAGS_IF)
        _enable();
}

/*
 * IRQL has just been lowered to Irql, below DISPATCH_LEVEL, with DPCs
 * queued: run them at DISPATCH_LEVEL, and again for any queued between
 * the last run and the level's return to Irql.
 */
VOID KiDispatchPendingDpcs(KIRQL Irql)
{
    do {
        KiPcr.Irql = DISPATCH_LEVEL;
        KiRetireDpcList();
        __asm__ volatile("" ::: "memory");
        KiPcr.Irql = Irql;
        __asm__ volatile("" ::: "memory");
    } while (KiPcr.DpcRequested);
}
