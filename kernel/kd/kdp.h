/*
 * kdp.h: the kd shell's private header: the console's input, the command
 * table, argument parsing, and reading memory without ever faulting. Only
 * kernel/kd includes it.
 */
#ifndef NTMM_KDP_H
#define NTMM_KDP_H

#ifndef NTMM_KD_INTERNAL
#error "kernel/kd/kdp.h is private to kernel/kd"
#endif

#include <kd.h>
#include <ke.h>
#include <hal.h>
#include <mm.h>
#include <ps.h>

/* --- The console (console.c, kbd.c) ---------------------------------------------- */

#define KD_KEY_NONE (-1)
LONG KdpPollKeyboard(VOID);       /* the next byte the keyboard gives (arrows as ANSI sequences), or KD_KEY_NONE */
LONG KdpGetChar(VOID);            /* waits for a byte from COM1 or the keyboard, zeroing pages meanwhile */
VOID KdpWrite(PCSTR Text, ULONG Length);

/* --- The line editor (lineedit.c) -------------------------------------------------- */

#define KD_LINE_LENGTH 128        /* characters a command line may have */
#define KD_HISTORY_LINES 16
#define KD_CONTROL(Letter) ((Letter) & 0x1F)
#define KD_ESCAPE 0x1B
#define KD_DELETE 0x7F

/* Reads one line into Line (KD_LINE_LENGTH + 1 bytes); FALSE when it was abandoned or too long. */
BOOLEAN KdpReadLine(PCSTR Prompt, PCHAR Line);

/* --- Commands (shell.c and one file per kind) ---------------------------------------- */

#define KD_MAXIMUM_ARGUMENTS 8

typedef struct _KD_COMMAND {
    PCSTR Name;
    PCSTR Usage;                  /* the arguments, as help shows them */
    PCSTR Help;
    VOID (*Handler)(ULONG Argc, PCSTR Argv[]);
    UCHAR MinimumArguments, MaximumArguments;
} KD_COMMAND, *PKD_COMMAND;

#define KD_LAST_COMMAND { NULL, NULL, NULL, NULL, 0, 0 }   /* ends each table */

extern const KD_COMMAND KdpMemoryCommands[], KdpPoolCommands[], KdpProcessCommands[], KdpMapCommands[];

BOOLEAN KdpParseNumber(PCSTR Text, PULONG Value);   /* hex, as WinDbg reads it; says why not */
BOOLEAN KdpIsPostMortem(VOID);                       /* running in a stop: read, never change */

/* Reading memory (memcmd.c): TRUE only when every byte was there; never faults, never pages in. */
BOOLEAN KdpIsAddressReadable(ULONG_PTR Address);
BOOLEAN KdpReadMemory(ULONG_PTR Address, PVOID Buffer, ULONG Length);

/* Names shared by several commands. */
PCSTR KdpProtectionName(ULONG Protection);          /* MM_* as WinDbg names it: READWRITE */
PCSTR KdpPageLocationName(ULONG Location);
VOID KdpFormatTag(ULONG Tag, PCHAR Text);           /* four characters and a NUL */

/* What a physical page is used for (!memusage, !memmap). */
typedef enum _KD_PAGE_USE {
    KdPageZeroed, KdPageFree, KdPageStandby, KdPageModified, KdPageBad,
    KdPageImage, KdPagePfnDatabase, KdPageNonPagedPool, KdPagePagedPool, KdPagePageTable,
    KdPageUser, KdPageSystemPte, KdPageHyperSpace, KdPageSharedData, KdPageReserved, KdPageOther,
    KdPageUses
} KD_PAGE_USE;
KD_PAGE_USE KdpClassifyPage(PFN_NUMBER PageFrameIndex);
extern const struct _KD_PAGE_USE_NAME { CHAR Letter; PCSTR Name; } KdpPageUseNames[KdPageUses];

/* The region of system or user space an address is in (!address, !memmap). */
typedef struct _KD_REGION {
    ULONG_PTR Start, End;         /* inclusive */
    PCSTR Name;
    CHAR Letter;
} KD_REGION, *PKD_REGION;
ULONG KdpLayout(PKD_REGION Regions, ULONG Maximum);
BOOLEAN KdpFindRegion(ULONG_PTR Address, PKD_REGION Region);

/* Processes (proccmd.c): by id or EPROCESS address; NULL with a message when none matches. */
PEPROCESS KdpFindProcess(PCSTR Argument);

#endif
