/*
 * console.c: the console the kd shell runs on. Output is COM1 (DbgPrint)
 * mirrored to the VGA text screen; input is COM1 and the PS/2 keyboard,
 * polled, so a serial terminal, a QEMU window, VirtualBox or a real PC can
 * all drive the prompt.
 *
 * The screen is kept in a shadow buffer in RAM and copied to the hardware
 * whenever it is reachable: through the boot mapping of low memory until
 * the memory manager cuts it back, then through a system PTE of its own
 * (MmMapIoSpace). A stop or a write in between (while MmInitSystem runs)
 * lands in the shadow and appears with the next copy, so nothing printed
 * at boot is lost. Scrolling moves the shadow and copies it whole.
 */
#include "kdp.h"
#include <string.h>

typedef USHORT KD_CELL;   /* a character and its attribute, as the VGA text buffer holds them */
#define KD_CELL_OF(Character) ((KD_CELL)((UCHAR)(Character) | (VGA_TEXT_ATTRIBUTE << 8)))
#define KD_SCREEN_CELLS (VGA_TEXT_COLUMNS * VGA_TEXT_ROWS)
#define KD_TAB_WIDTH 8

static KD_CELL KdpShadow[KD_SCREEN_CELLS];
static volatile KD_CELL *KdpScreen;     /* the hardware buffer, NULL while it is not mapped */
static ULONG KdpRow, KdpColumn;

static VOID KdpMoveCursor(VOID)
{
    ULONG Cell = KdpRow * VGA_TEXT_COLUMNS + KdpColumn;

    __outbyte(VGA_CRTC_INDEX, VGA_CRTC_CURSOR_HIGH);
    __outbyte(VGA_CRTC_DATA, (UCHAR)(Cell >> 8));
    __outbyte(VGA_CRTC_INDEX, VGA_CRTC_CURSOR_LOW);
    __outbyte(VGA_CRTC_DATA, (UCHAR)Cell);
}

/* The boot mapping goes while MmInitSystem runs: the screen is written only while a PTE maps it. */
static BOOLEAN KdpScreenMapped(VOID)
{
    return KdpScreen != NULL && MmIsAddressValid((PVOID)KdpScreen);
}

static VOID KdpCopyShadow(ULONG FirstCell, ULONG Cells)
{
    if (!KdpScreenMapped())
        return;
    for (ULONG i = FirstCell; i < FirstCell + Cells; i++)
        KdpScreen[i] = KdpShadow[i];
}

static VOID KdpScroll(VOID)
{
    memmove(KdpShadow, KdpShadow + VGA_TEXT_COLUMNS, (KD_SCREEN_CELLS - VGA_TEXT_COLUMNS) * sizeof(KD_CELL));
    for (ULONG i = KD_SCREEN_CELLS - VGA_TEXT_COLUMNS; i < KD_SCREEN_CELLS; i++)
        KdpShadow[i] = KD_CELL_OF(' ');
    KdpCopyShadow(0, KD_SCREEN_CELLS);
}

static VOID KdpNewLine(VOID)
{
    KdpColumn = 0;
    if (++KdpRow == VGA_TEXT_ROWS) {
        KdpRow = VGA_TEXT_ROWS - 1;
        KdpScroll();
    }
}

/* Puts one character on the screen as a terminal would: \n, \r, \b and tabs move the cursor. */
static VOID KdpScreenPut(CHAR Character)
{
    ULONG Cell;

    switch (Character) {
    case '\n':
        KdpNewLine();
        return;
    case '\r':
        KdpColumn = 0;
        return;
    case '\b':
        if (KdpColumn > 0)
            KdpColumn--;
        return;
    case '\t':
        do
            KdpScreenPut(' ');
        while (KdpColumn % KD_TAB_WIDTH != 0);
        return;
    case '\a':
        return;
    default:
        break;
    }
    if ((UCHAR)Character < ' ')
        return;
    Cell = KdpRow * VGA_TEXT_COLUMNS + KdpColumn;
    KdpShadow[Cell] = KD_CELL_OF(Character);
    KdpCopyShadow(Cell, 1);
    if (++KdpColumn == VGA_TEXT_COLUMNS)
        KdpNewLine();
}

/* HalSerialMirror: everything COM1 is sent also goes on the screen. */
static VOID KdpMirror(PCSTR Text, ULONG Length)
{
    for (ULONG i = 0; i < Length; i++)
        KdpScreenPut(Text[i]);
    if (KdpScreenMapped())
        KdpMoveCursor();
}

VOID KdpWrite(PCSTR Text, ULONG Length)
{
    HalSerialWrite(Text, Length);
}

/*
 * What the screen showed before (GRUB's menu, the BIOS) goes: the console
 * starts at the top. Test boots run without a screen to look at and leave
 * it alone: mirroring costs them time, and its system PTE would be one the
 * tests count.
 */
VOID KdInitializeConsole(VOID)
{
    if (KeTestBoot)
        return;
    for (ULONG i = 0; i < KD_SCREEN_CELLS; i++)
        KdpShadow[i] = KD_CELL_OF(' ');
    KdpScreen = (volatile KD_CELL *)(KSEG0_BASE + VGA_TEXT_BUFFER);
    KdpCopyShadow(0, KD_SCREEN_CELLS);
    KdpMoveCursor();
    HalSerialMirror = KdpMirror;
}

static BOOLEAN KdpBugCheckHook(ULONG BugCheckCode, const ULONG_PTR Parameters[4]);

/*
 * Once MmInitSystem has cut the boot mapping back: the screen through a
 * system PTE. Without one the console stays on COM1 and the shadow.
 */
VOID KdInitializeSystem(VOID)
{
    PHYSICAL_ADDRESS Screen;

    if (KeTestBoot)
        return;
    KdpScreen = NULL;
    Screen.QuadPart = VGA_TEXT_BUFFER;
    KdpScreen = MmMapIoSpace(Screen, sizeof(KdpShadow), MmNonCached);
    KdpCopyShadow(0, KD_SCREEN_CELLS);
    if (KdpScreenMapped())
        KdpMoveCursor();
    KiBugCheckHook = KdpBugCheckHook;
}

/*
 * Waits for the next byte typed on COM1 or the keyboard. Meanwhile the
 * processor does the idle loop's work (zeroing free pages) and sleeps until
 * the next interrupt; after a stop, with interrupts off, it only polls.
 */
LONG KdpGetChar(VOID)
{
    for (;;) {
        LONG Character = HalSerialGetChar();

        if (Character < 0)
            Character = KdpPollKeyboard();
        if (Character >= 0)
            return Character;
        if (KdpIsPostMortem() || (KiReadEFlags() & EFLAGS_IF) == 0) {
            __asm__ volatile("pause");
            continue;
        }
        if (MmZeroIdlePages() == 0)
            __halt();
    }
}

/*
 * A stop on a normal boot: once KeBugCheckEx has printed it, the shell runs
 * in it, as NT's stops break into an attached kd. Only commands that read
 * work there (KdpIsPostMortem); it never returns.
 */
static BOOLEAN KdpBugCheckHook(ULONG BugCheckCode, const ULONG_PTR Parameters[4])
{
    UNREFERENCED_PARAMETER(BugCheckCode);
    UNREFERENCED_PARAMETER(Parameters);
    DbgPrint("\nThe system has stopped. !analyze explains the stop; .reboot restarts the machine.\n");
    KdRunShell();
}
