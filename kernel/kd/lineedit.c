/*
 * lineedit.c: the kd> prompt's line editor, over the console's byte stream.
 *
 *   printable characters   go into the line, up to KD_LINE_LENGTH; past it they ring the bell and
 *                          the line is refused when Enter comes (a cut command could do something
 *                          else than the one typed)
 *   Enter (\r, \n, \r\n)   ends the line
 *   Backspace, DEL         erase the last character
 *   Ctrl-U                 erases the whole line
 *   Ctrl-C                 abandons the line ("^C", a new prompt)
 *   up, down (ESC [ A/B)   walk the last KD_HISTORY_LINES lines
 * Any other control character or escape sequence is ignored, so nothing
 * typed can leave the line in a state the screen does not show. Escape
 * sequences are read as ECMA-48 lays them out: ESC [ (CSI) then parameter
 * and intermediate bytes up to a final byte (0x40-0x7E); ESC O (SS3) then
 * one byte; ESC and any other byte. A control character ends a sequence
 * early and counts as typed, so a stray ESC cannot swallow an Enter.
 */
#include "kdp.h"
#include <string.h>

static CHAR KdpHistory[KD_HISTORY_LINES][KD_LINE_LENGTH + 1];
static ULONG KdpHistoryCount;          /* lines ever entered; the newest is at (count - 1) % size */
static BOOLEAN KdpLastWasReturn;       /* a \n right after \r ends nothing */

static VOID KdpEcho(PCSTR Text)
{
    KdpWrite(Text, strlen(Text));
}

static VOID KdpEraseLine(ULONG Length)
{
    while (Length-- != 0)
        KdpEcho("\b \b");
}

/* Shows history line Index (0: the newest) in place of what is typed. */
static ULONG KdpRecall(PCHAR Line, ULONG Length, ULONG Index)
{
    PCSTR Entry = KdpHistory[(KdpHistoryCount - 1 - Index) % KD_HISTORY_LINES];

    KdpEraseLine(Length);
    strlcpy(Line, Entry, KD_LINE_LENGTH + 1);
    KdpEcho(Line);
    return strlen(Line);
}

static VOID KdpRemember(PCSTR Line)
{
    if (*Line == '\0' ||
        (KdpHistoryCount != 0 && strcmp(KdpHistory[(KdpHistoryCount - 1) % KD_HISTORY_LINES], Line) == 0))
        return;
    strlcpy(KdpHistory[KdpHistoryCount % KD_HISTORY_LINES], Line, KD_LINE_LENGTH + 1);
    KdpHistoryCount++;
}

BOOLEAN KdpReadLine(PCSTR Prompt, PCHAR Line)
{
    ULONG Length = 0, Typed = 0, Recalled = 0;   /* Recalled: 0 = the line being typed, n = n-th newest */
    enum { KdpTyping, KdpAfterEscape, KdpInCsi, KdpAfterSs3 } State = KdpTyping;

    KdpEcho(Prompt);
    Line[0] = '\0';
    for (;;) {
        LONG Character = KdpGetChar();
        BOOLEAN WasReturn = KdpLastWasReturn;

        KdpLastWasReturn = Character == '\r';
        if (State != KdpTyping && Character >= ' ') {
            if (State == KdpAfterEscape && Character == '[') {
                State = KdpInCsi;
                continue;
            }
            if (State == KdpAfterEscape && Character == 'O') {
                State = KdpAfterSs3;
                continue;
            }
            if (State == KdpInCsi && (Character < 0x40 || Character > 0x7E))
                continue;               /* parameter and intermediate bytes */
            /* The final byte: only CSI A and B (up and down) mean anything here. */
            if (State == KdpInCsi && Character == 'A' && Recalled < KdpHistoryCount && Recalled < KD_HISTORY_LINES) {
                Length = KdpRecall(Line, Length, Recalled++);
                Typed = Length;
            } else if (State == KdpInCsi && Character == 'B' && Recalled > 0) {
                if (--Recalled == 0) {
                    KdpEraseLine(Length);
                    Line[0] = '\0';
                    Length = Typed = 0;
                } else {
                    Length = KdpRecall(Line, Length, Recalled - 1);
                    Typed = Length;
                }
            }
            State = KdpTyping;
            continue;
        }
        State = KdpTyping;
        if (Character == '\n' && WasReturn)
            continue;
        if (Character == '\r' || Character == '\n') {
            KdpEcho("\n");
            if (Typed > KD_LINE_LENGTH) {
                DbgPrint("kd: the line is too long (%u characters at most); nothing was run\n", KD_LINE_LENGTH);
                return FALSE;
            }
            Line[Length] = '\0';
            KdpRemember(Line);
            return TRUE;
        }
        if (Character == KD_CONTROL('C')) {
            KdpEcho("^C\n");
            return FALSE;
        }
        if (Character == KD_CONTROL('U')) {
            KdpEraseLine(Length);
            Length = Typed = 0;
            continue;
        }
        if (Character == '\b' || Character == KD_DELETE) {
            if (Typed > Length) {
                Typed--;                /* a character past the limit, never shown */
            } else if (Length > 0) {
                Length--;
                Typed--;
                KdpEcho("\b \b");
            }
            continue;
        }
        if (Character == KD_ESCAPE) {
            State = KdpAfterEscape;
            continue;
        }
        if (Character < ' ' || Character > '~')
            continue;
        if (Typed++ >= KD_LINE_LENGTH) {
            KdpEcho("\a");
            continue;
        }
        Line[Length++] = (CHAR)Character;
        Line[Length] = '\0';
        KdpWrite((PCSTR)&Line[Length - 1], 1);
    }
}
