/*
 * rtl/list.h: doubly linked LIST_ENTRY and singly linked SINGLE_LIST_ENTRY
 * helpers with the DDK's names. Every insert and remove checks that the
 * neighbours still point back (as NT's checked list macros do) and stops
 * with KERNEL_SECURITY_CHECK_FAILURE, FAST_FAIL_CORRUPT_LIST_ENTRY, when they
 * do not: a corrupted list ends the system where it is found.
 */
#ifndef NTMM_RTL_LIST_H
#define NTMM_RTL_LIST_H

#define FAST_FAIL_CORRUPT_LIST_ENTRY 3

DECLSPEC_NORETURN VOID RtlFailListEntry(PLIST_ENTRY Entry);

FORCEINLINE VOID InitializeListHead(PLIST_ENTRY ListHead)
{
    ListHead->Flink = ListHead->Blink = ListHead;
}

FORCEINLINE BOOLEAN IsListEmpty(const LIST_ENTRY *ListHead)
{
    return ListHead->Flink == ListHead;
}

FORCEINLINE VOID RtlpCheckListEntry(PLIST_ENTRY Entry)
{
    if (Entry->Flink->Blink != Entry || Entry->Blink->Flink != Entry)
        RtlFailListEntry(Entry);
}

FORCEINLINE BOOLEAN RemoveEntryList(PLIST_ENTRY Entry)
{
    PLIST_ENTRY Flink = Entry->Flink, Blink = Entry->Blink;

    RtlpCheckListEntry(Entry);
    Blink->Flink = Flink;
    Flink->Blink = Blink;
    return Flink == Blink;
}

FORCEINLINE PLIST_ENTRY RemoveHeadList(PLIST_ENTRY ListHead)
{
    PLIST_ENTRY Entry = ListHead->Flink;

    RemoveEntryList(Entry);
    return Entry;
}

FORCEINLINE PLIST_ENTRY RemoveTailList(PLIST_ENTRY ListHead)
{
    PLIST_ENTRY Entry = ListHead->Blink;

    RemoveEntryList(Entry);
    return Entry;
}

FORCEINLINE VOID InsertTailList(PLIST_ENTRY ListHead, PLIST_ENTRY Entry)
{
    PLIST_ENTRY Blink = ListHead->Blink;

    if (Blink->Flink != ListHead)
        RtlFailListEntry(ListHead);
    Entry->Flink = ListHead;
    Entry->Blink = Blink;
    Blink->Flink = Entry;
    ListHead->Blink = Entry;
}

FORCEINLINE VOID InsertHeadList(PLIST_ENTRY ListHead, PLIST_ENTRY Entry)
{
    PLIST_ENTRY Flink = ListHead->Flink;

    if (Flink->Blink != ListHead)
        RtlFailListEntry(ListHead);
    Entry->Flink = Flink;
    Entry->Blink = ListHead;
    Flink->Blink = Entry;
    ListHead->Flink = Entry;
}

FORCEINLINE VOID PushEntryList(PSINGLE_LIST_ENTRY ListHead, PSINGLE_LIST_ENTRY Entry)
{
    Entry->Next = ListHead->Next;
    ListHead->Next = Entry;
}

FORCEINLINE PSINGLE_LIST_ENTRY PopEntryList(PSINGLE_LIST_ENTRY ListHead)
{
    PSINGLE_LIST_ENTRY Entry = ListHead->Next;

    if (Entry != NULL)
        ListHead->Next = Entry->Next;
    return Entry;
}

#endif
