/*
 * shell.c: the kd> prompt: the banner a normal boot ends in, the command
 * table, argument parsing, help, and the commands about the system as a
 * whole (.crash, !analyze, .reboot). The commands about memory, pool and
 * processes are in files of their own; each one's output has the shape
 * WinDbg gives the same command, numbers in hex as WinDbg prints them.
 *
 * Nothing typed can crash or hang the kernel: a line is at most
 * KD_LINE_LENGTH characters, every argument is checked before use, memory
 * is read only where a PTE says it is there (memcmd.c), and a command that
 * would change the system refuses after a stop.
 */
#include "kdp.h"
#include <kprintf.h>
#include <ex.h>
#include <string.h>

static BOOLEAN KdpStopped;     /* the shell runs inside KeBugCheckEx */

BOOLEAN KdpIsPostMortem(VOID)
{
    return KdpStopped;
}

/* WinDbg reads numbers as hex: 80100000, 0x80100000 and 8010`0000 alike; 0n10 is decimal. */
BOOLEAN KdpParseNumber(PCSTR Text, PULONG Value)
{
    ULONG Base = 16, Result = 0, Digits = 0;
    PCSTR Cursor = Text;

    if (Cursor[0] == '0' && (Cursor[1] == 'x' || Cursor[1] == 'X')) {
        Cursor += 2;
    } else if (Cursor[0] == '0' && (Cursor[1] == 'n' || Cursor[1] == 'N')) {
        Cursor += 2;
        Base = 10;
    }
    for (; *Cursor != '\0'; Cursor++) {
        CHAR c = *Cursor;
        ULONG Digit;

        if (c == '`' && Base == 16 && Digits != 0)
            continue;
        if (c >= '0' && c <= '9')
            Digit = (ULONG)(c - '0');
        else if (Base == 16 && c >= 'a' && c <= 'f')
            Digit = (ULONG)(c - 'a' + 10);
        else if (Base == 16 && c >= 'A' && c <= 'F')
            Digit = (ULONG)(c - 'A' + 10);
        else
            break;
        if (Result > (MAXULONG - Digit) / Base) {
            DbgPrint("Numeric overflow at '%s': numbers are 32 bits\n", Text);
            return FALSE;
        }
        Result = Result * Base + Digit;
        Digits++;
    }
    if (Digits == 0 || *Cursor != '\0') {
        DbgPrint("Syntax error at '%s': not a %s number\n", Text, Base == 16 ? "hex" : "decimal");
        return FALSE;
    }
    *Value = Result;
    return TRUE;
}

/* --- Commands about the system as a whole --------------------------------------- */

static VOID KdpCommandHelp(ULONG Argc, PCSTR Argv[]);

static VOID KdpCommandCrash(ULONG Argc, PCSTR Argv[])
{
    UNREFERENCED_PARAMETER(Argc);
    UNREFERENCED_PARAMETER(Argv);
    if (KdpStopped) {
        DbgPrint("The system has already stopped.\n");
        return;
    }
    KeBugCheckEx(MANUALLY_INITIATED_CRASH, 0, 0, 0, 0);
}

static VOID KdpCommandReboot(ULONG Argc, PCSTR Argv[])
{
    UNREFERENCED_PARAMETER(Argc);
    UNREFERENCED_PARAMETER(Argv);
    DbgPrint("Rebooting (QEMU started with -no-reboot exits)...\n");
    _disable();
    __outbyte(I8042_STATUS_PORT, I8042_PULSE_RESET);
    KiHaltProcessor();
}

/*
 * What each stop means, for !analyze: one sentence with its parameters in
 * it (%1 to %4 stand for them). NT's bugcheck reference documents them.
 */
static const struct {
    ULONG Code;
    PCSTR Sentence;
} KdpStopExplanations[] = {
    { MANUALLY_INITIATED_CRASH, "The system was stopped on purpose (.crash, or KeBugCheckEx with 0xE2 and "
                                "parameter %1); nothing is wrong with it." },
    { PAGE_FAULT_IN_NONPAGED_AREA, "Kernel code at %3 %w address %1, which nothing maps: a pointer that was "
                                   "freed, never set, or runs past the end of its block." },
    { IRQL_NOT_LESS_OR_EQUAL, "Code at %4 %w address %1 at IRQL %2, where only resident, nonpaged memory "
                              "may be touched." },
    { DRIVER_IRQL_NOT_LESS_OR_EQUAL, "Driver code at %4 %w address %1 at IRQL %2, where only resident, "
                                     "nonpaged memory may be touched." },
    { KMODE_EXCEPTION_NOT_HANDLED, "Kernel code at %2 raised exception %1 and no try block handled it "
                                   "(exception parameters %3 and %4)." },
    { SYSTEM_SERVICE_EXCEPTION, "A system service at %2 raised exception %1 that nothing handled "
                                "(trap frame at %3)." },
    { BAD_POOL_HEADER, "A pool block's header is corrupt (check %1, at %2, header %3): something wrote "
                       "past the end of the block before it, or freed it twice." },
    { BAD_POOL_CALLER, "A caller used the pool wrongly (NT's code %1; parameters %2, %3, %4): a double "
                       "free, a bad tag or type, or the wrong IRQL." },
    { DRIVER_CORRUPTED_EXPOOL, "The pool's own code faulted at %4 on address %1 at IRQL %2: its "
                               "structures were corrupted by a caller." },
    { MEMORY_MANAGEMENT, "The memory manager found its state inconsistent (case %1, then %2 and %3)." },
    { PFN_LIST_CORRUPT, "A page list in the PFN database is corrupt (case %1, then %2, %3, %4)." },
    { ATTEMPTED_WRITE_TO_READONLY_MEMORY, "Kernel code wrote to read-only address %1 (PTE %2)." },
    { IRQL_NOT_GREATER_OR_EQUAL, "IRQL was lowered below where it was, or raised to a lower level "
                                 "(from %1 to %2)." },
    { INSTALL_MORE_MEMORY, "The machine has %1 pages of RAM, fewer than the %4 ntmm needs." },
    { PROCESS_HAS_LOCKED_PAGES, "Pages were unlocked that were not locked, or a process ended with "
                                "pages locked (case %1, %2, %3)." },
    { DRIVER_LEFT_LOCKED_PAGES_IN_PROCESS, "An MDL was freed with its pages still locked (%1, %2, %3)." },
    { NO_MORE_SYSTEM_PTES, "System PTEs ran out (type %1, %2 wanted, %3 free of %4)." },
    { KERNEL_SECURITY_CHECK_FAILURE, "A list entry or another structure failed its integrity check "
                                     "(kind %1, at %2)." },
    { UNEXPECTED_KERNEL_MODE_TRAP, "The processor took trap %1 in kernel mode that the kernel cannot "
                                   "handle (a double fault or a fault in the fault path)." },
};

static VOID KdpCommandAnalyze(ULONG Argc, PCSTR Argv[])
{
    ULONG Code = KiBugCheckData[0];
    PCSTR Sentence = NULL;

    UNREFERENCED_PARAMETER(Argc);
    UNREFERENCED_PARAMETER(Argv);
    if (!KdpStopped || Code == 0) {
        DbgPrint("No stop has happened: the system is running.\n");
        return;
    }
    DbgPrint("BUGCHECK_CODE:  %x (%s)\n", Code, KeBugCheckName(Code));
    DbgPrint("BUGCHECK_P1..4: %x %x %x %x\n\n", KiBugCheckData[1], KiBugCheckData[2], KiBugCheckData[3],
             KiBugCheckData[4]);
    for (ULONG i = 0; i < RTL_NUMBER_OF(KdpStopExplanations); i++) {
        if (KdpStopExplanations[i].Code == Code)
            Sentence = KdpStopExplanations[i].Sentence;
    }
    if (Sentence == NULL) {
        DbgPrint("Stop %s has no explanation here; its parameters are above.\n", KeBugCheckName(Code));
        return;
    }
    for (PCSTR Cursor = Sentence; *Cursor != '\0'; Cursor++) {
        if (Cursor[0] == '%' && Cursor[1] >= '1' && Cursor[1] <= '4') {
            DbgPrint("%x", KiBugCheckData[Cursor[1] - '0']);
            Cursor++;
        } else if (Cursor[0] == '%' && Cursor[1] == 'w') {
            DbgPrint("%s", KiBugCheckData[2 + (Code != PAGE_FAULT_IN_NONPAGED_AREA)] & 1 ? "wrote to" : "read");
            Cursor++;
        } else {
            DbgPrint("%c", *Cursor);
        }
    }
    DbgPrint("\n");
}

static const KD_COMMAND KdpSystemCommands[] = {
    { "help", "", "this list", KdpCommandHelp, 0, 0 },
    { "!analyze", "", "what the last stop means, in a sentence", KdpCommandAnalyze, 0, 1 },
    { ".crash", "", "stop the system on purpose (MANUALLY_INITIATED_CRASH, 0xE2)", KdpCommandCrash, 0, 0 },
    { ".reboot", "", "restart the machine (QEMU with -no-reboot exits)", KdpCommandReboot, 0, 0 },
    KD_LAST_COMMAND,
};

static const KD_COMMAND *const KdpCommandTables[] = {
    KdpMemoryCommands, KdpPoolCommands, KdpProcessCommands, KdpMapCommands, KdpSystemCommands,
};

static VOID KdpCommandHelp(ULONG Argc, PCSTR Argv[])
{
    UNREFERENCED_PARAMETER(Argc);
    UNREFERENCED_PARAMETER(Argv);
    DbgPrint("Numbers are hex (0x and ` allowed; 0n for decimal). Line editing: Backspace, Ctrl-U, Ctrl-C, "
             "up and down for history.\n");
    for (ULONG t = 0; t < RTL_NUMBER_OF(KdpCommandTables); t++) {
        for (const KD_COMMAND *Command = KdpCommandTables[t]; Command->Name != NULL; Command++) {
            CHAR Left[40];

            ksnprintf(Left, sizeof(Left), "%s %s", Command->Name, Command->Usage);
            DbgPrint("  %-26s %s\n", Left, Command->Help);
        }
    }
}

/* Splits Line (changing it) into words; FALSE, having said why, when there are too many. */
static BOOLEAN KdpSplit(PCHAR Line, PULONG Argc, PCSTR Argv[])
{
    PCHAR Cursor = Line;

    *Argc = 0;
    for (;;) {
        while (*Cursor == ' ' || *Cursor == '\t')
            *Cursor++ = '\0';
        if (*Cursor == '\0')
            return TRUE;
        if (*Argc == KD_MAXIMUM_ARGUMENTS) {
            DbgPrint("kd: too many words (%u at most)\n", KD_MAXIMUM_ARGUMENTS);
            return FALSE;
        }
        Argv[(*Argc)++] = Cursor;
        while (*Cursor != '\0' && *Cursor != ' ' && *Cursor != '\t')
            Cursor++;
    }
}

VOID KdExecuteCommand(PCSTR Text)
{
    CHAR Line[KD_LINE_LENGTH + 1];
    PCSTR Argv[KD_MAXIMUM_ARGUMENTS];
    ULONG Argc;

    if (strlcpy(Line, Text, sizeof(Line)) >= sizeof(Line)) {
        DbgPrint("kd: the line is too long (%u characters at most); nothing was run\n", KD_LINE_LENGTH);
        return;
    }
    if (!KdpSplit(Line, &Argc, Argv) || Argc == 0)
        return;
    for (ULONG t = 0; t < RTL_NUMBER_OF(KdpCommandTables); t++) {
        for (const KD_COMMAND *Command = KdpCommandTables[t]; Command->Name != NULL; Command++) {
            if (strcmp(Command->Name, Argv[0]) != 0 && !(Argv[0][0] == '?' && Argv[0][1] == '\0' &&
                                                       Command->Handler == KdpCommandHelp))
                continue;
            if (Argc - 1 < Command->MinimumArguments || Argc - 1 > Command->MaximumArguments) {
                DbgPrint("Usage: %s %s\n", Command->Name, Command->Usage);
                return;
            }
            Command->Handler(Argc - 1, Argv + 1);
            return;
        }
    }
    DbgPrint("kd: unknown command '%s' (help lists them)\n", Argv[0]);
}

/* What a normal boot shows before the prompt: the layout, physical memory by list, the pools. */
static VOID KdpPrintBanner(VOID)
{
    DbgPrint("\nAddress space:\n");
    KdExecuteCommand("!memmap layout");
    DbgPrint("\nPhysical memory:\n");
    KdExecuteCommand("!vm");
    DbgPrint("\nPool:\n");
    ExDumpPoolSummary();
    DbgPrint("\nntmm is idle. The kd> prompt takes WinDbg-style commands: help lists them.\n");
}

VOID KdRunShell(VOID)
{
    CHAR Line[KD_LINE_LENGTH + 1];

    if (KeGetCurrentIrql() > DISPATCH_LEVEL || (KiReadEFlags() & EFLAGS_IF) == 0)
        KdpStopped = TRUE;
    else
        KdpPrintBanner();
    for (;;) {
        if (KdpReadLine("kd> ", Line))
            KdExecuteCommand(Line);
    }
}
