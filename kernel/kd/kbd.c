/*
 * kbd.c: the PS/2 keyboard, polled through the 8042, turned into the bytes
 * a serial terminal would send: letters and digits with Shift and Ctrl,
 * Enter as \r, Backspace as DEL, and the arrows as ANSI escape sequences,
 * so the line editor reads one stream whatever the keyboard. The 8042
 * translates to scancode set 1 (what the BIOS left): a key's make code,
 * its break code with the top bit set, and 0xE0 before the extended keys.
 */
#include "kdp.h"

#define KD_SCANCODE_BREAK     0x80
#define KD_SCANCODE_EXTENDED  0xE0
#define KD_SCANCODE_LSHIFT    0x2A
#define KD_SCANCODE_RSHIFT    0x36
#define KD_SCANCODE_CTRL      0x1D
#define KD_SCANCODE_UP        0x48
#define KD_SCANCODE_DOWN      0x50
#define KD_SCANCODE_RIGHT     0x4D
#define KD_SCANCODE_LEFT      0x4B
#define KD_SCANCODES          0x3A

/* Set 1 make codes 0x00-0x39 on a US keyboard, without and with Shift; 0: no character. */
static const CHAR KdpPlain[KD_SCANCODES] =
    "\0\x1B" "1234567890-=\x7F\t" "qwertyuiop[]\r\0" "asdfghjkl;'`\0\\" "zxcvbnm,./\0*\0 ";
static const CHAR KdpShifted[KD_SCANCODES] =
    "\0\x1B" "!@#$%^&*()_+\x7F\t" "QWERTYUIOP{}\r\0" "ASDFGHJKL:\"~\0|" "ZXCVBNM<>?\0*\0 ";

static BOOLEAN KdpShift, KdpCtrl, KdpExtended;
static CHAR KdpPending[3];             /* the rest of an escape sequence, first byte last */
static ULONG KdpPendingCount;

static LONG KdpQueueArrow(CHAR Letter)
{
    KdpPending[0] = Letter;
    KdpPending[1] = '[';
    KdpPendingCount = 2;
    return KD_ESCAPE;
}

static LONG KdpTranslate(UCHAR Scancode)
{
    BOOLEAN Extended = KdpExtended;
    BOOLEAN Released = (Scancode & KD_SCANCODE_BREAK) != 0;
    UCHAR Key = Scancode & ~KD_SCANCODE_BREAK;
    CHAR Character;

    KdpExtended = FALSE;
    if (Scancode == KD_SCANCODE_EXTENDED) {
        KdpExtended = TRUE;
        return KD_KEY_NONE;
    }
    if (Key == KD_SCANCODE_LSHIFT || Key == KD_SCANCODE_RSHIFT) {
        KdpShift = !Released;
        return KD_KEY_NONE;
    }
    if (Key == KD_SCANCODE_CTRL) {
        KdpCtrl = !Released;
        return KD_KEY_NONE;
    }
    if (Released)
        return KD_KEY_NONE;
    if (Extended) {
        switch (Key) {
        case KD_SCANCODE_UP: return KdpQueueArrow('A');
        case KD_SCANCODE_DOWN: return KdpQueueArrow('B');
        case KD_SCANCODE_RIGHT: return KdpQueueArrow('C');
        case KD_SCANCODE_LEFT: return KdpQueueArrow('D');
        case 0x1C: return '\r';         /* keypad Enter */
        default: return KD_KEY_NONE;
        }
    }
    if (Key >= KD_SCANCODES)
        return KD_KEY_NONE;
    Character = (KdpShift ? KdpShifted : KdpPlain)[Key];
    if (Character == 0)
        return KD_KEY_NONE;
    if (KdpCtrl && ((Character >= 'a' && Character <= 'z') || (Character >= 'A' && Character <= 'Z')))
        return KD_CONTROL(Character);
    return (UCHAR)Character;
}

LONG KdpPollKeyboard(VOID)
{
    for (;;) {
        UCHAR Status;
        UCHAR Scancode;
        LONG Character;

        if (KdpPendingCount != 0)
            return (UCHAR)KdpPending[--KdpPendingCount];
        Status = __inbyte(I8042_STATUS_PORT);
        if (Status == I8042_ABSENT || (Status & I8042_STATUS_OUTPUT_FULL) == 0)
            return KD_KEY_NONE;
        Scancode = __inbyte(I8042_DATA_PORT);
        if (Status & I8042_STATUS_AUX_DATA)
            continue;                   /* the mouse's, not ours */
        Character = KdpTranslate(Scancode);
        if (Character != KD_KEY_NONE)
            return Character;
    }
}
