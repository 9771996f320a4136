/*
 * printf.c: the formatting core behind DbgPrint. It depends on nothing but
 * <stdarg.h>, so the host tests build this same file and compare its output
 * with the C library's snprintf.
 *
 * Widths and precisions reach INT_MAX (and past it, written out), so they
 * are kept and summed as long long, and padding past the buffer is counted
 * rather than written: a field of two billion spaces costs no more than the
 * buffer it is cut to.
 */
#include <kprintf.h>

/* Past this, C's snprintf has no int to return: the output is cut as usual and the result is -1. */
#define FORMAT_MAXIMUM_LENGTH 0x7FFFFFFFULL

typedef struct _FORMAT_OUTPUT {
    char *Buffer;
    size_t Size;                  /* bytes available, the NUL included */
    unsigned long long Length;    /* bytes the whole output needs, the NUL excluded */
} FORMAT_OUTPUT;

typedef struct _FORMAT_SPEC {
    int LeftAlign, ZeroPad, Plus, Space, Alternate;
    long long Width;
    long long Precision;          /* -1 when absent */
} FORMAT_SPEC;

static void PutChar(FORMAT_OUTPUT *Out, char c)
{
    if (Out->Length + 1 < Out->Size)
        Out->Buffer[Out->Length] = c;
    Out->Length++;
}

static void PutRepeated(FORMAT_OUTPUT *Out, char c, long long Count)
{
    for (; Count > 0 && Out->Length + 1 < Out->Size; Count--)
        PutChar(Out, c);
    if (Count > 0)
        Out->Length += (unsigned long long)Count;
}

/* What a NULL %s prints, as glibc does: all of it, or nothing when the precision would cut it. */
static const char NullString[] = "(null)";

static void PutString(FORMAT_OUTPUT *Out, const char *s, const FORMAT_SPEC *Spec)
{
    long long Length = 0;

    if (s == NULL)
        s = Spec->Precision >= 0 && Spec->Precision < (int)sizeof(NullString) - 1 ? "" : NullString;
    while (s[Length] != '\0' && (Spec->Precision < 0 || Length < Spec->Precision))
        Length++;
    if (!Spec->LeftAlign)
        PutRepeated(Out, ' ', Spec->Width - Length);
    for (long long i = 0; i < Length; i++)
        PutChar(Out, s[i]);
    if (Spec->LeftAlign)
        PutRepeated(Out, ' ', Spec->Width - Length);
}

/*
 * One integer conversion. Layout: [pad][sign or 0x][zeros][digits][pad].
 * Sign is the character to print before the digits, 0 for none: '+' and
 * ' ' are for signed conversions only (SignFor). Precision gives the minimum
 * digit count and turns off zero padding, as C says.
 */
static void PutNumber(FORMAT_OUTPUT *Out, unsigned long long Value, char Sign,
                      unsigned Base, int Upper, const FORMAT_SPEC *Spec)
{
    const char *Digits = Upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char Text[24];
    int Count = 0;
    const char *Prefix = "";
    int PrefixLength = 0;
    long long Zeros = 0, Padding;

    while (Value != 0) {
        /* cppcheck-suppress zerodivcond ; Base is 8, 10 or 16 at every call */
        Text[Count++] = Digits[Value % Base];
        Value /= Base;
    }
    if (Spec->Precision >= 0) {
        Zeros = Spec->Precision - Count;
    } else if (Count == 0) {
        Zeros = 1;
    }
    if (Spec->Alternate && Base == 16 && Count != 0) {
        Prefix = Upper ? "0X" : "0x";
        PrefixLength = 2;
    } else if (Spec->Alternate && Base == 8 && Zeros <= 0) {
        Zeros = 1;
    }
    if (Zeros < 0)
        Zeros = 0;
    Padding = Spec->Width - (Count + Zeros + PrefixLength + (Sign != 0));
    if (Spec->ZeroPad && !Spec->LeftAlign && Spec->Precision < 0 && Padding > 0) {
        Zeros += Padding;
        Padding = 0;
    }
    if (!Spec->LeftAlign)
        PutRepeated(Out, ' ', Padding);
    if (Sign != 0)
        PutChar(Out, Sign);
    for (int i = 0; i < PrefixLength; i++)
        PutChar(Out, Prefix[i]);
    PutRepeated(Out, '0', Zeros);
    while (Count > 0)
        PutChar(Out, Text[--Count]);
    if (Spec->LeftAlign)
        PutRepeated(Out, ' ', Padding);
}

static char SignFor(int Negative, const FORMAT_SPEC *Spec)
{
    if (Negative)
        return '-';
    if (Spec->Plus)
        return '+';
    return Spec->Space ? ' ' : 0;
}

/* A width or precision as written; one past INT_MAX stands for any larger. */
static long long ParseDecimal(const char **Cursor)
{
    long long Value = 0;

    while (**Cursor >= '0' && **Cursor <= '9') {
        Value = Value * 10 + (**Cursor - '0');
        if (Value > (long long)FORMAT_MAXIMUM_LENGTH)
            Value = (long long)FORMAT_MAXIMUM_LENGTH + 1;
        (*Cursor)++;
    }
    return Value;
}

int kvsnprintf(char *Buffer, size_t Size, const char *Format, va_list Args)
{
    FORMAT_OUTPUT Out = { Buffer, Size, 0 };
    const char *p = Format;

    while (*p != '\0') {
        FORMAT_SPEC Spec = { 0, 0, 0, 0, 0, 0, -1 };
        int LongCount = 0, Short = 0, SizeT = 0;
        unsigned long long Value;

        if (*p != '%') {
            PutChar(&Out, *p++);
            continue;
        }
        p++;
        for (;; p++) {
            if (*p == '-') Spec.LeftAlign = 1;
            else if (*p == '0') Spec.ZeroPad = 1;
            else if (*p == '+') Spec.Plus = 1;
            else if (*p == ' ') Spec.Space = 1;
            else if (*p == '#') Spec.Alternate = 1;
            else break;
        }
        if (*p == '*') {
            Spec.Width = va_arg(Args, int);
            if (Spec.Width < 0) {
                Spec.LeftAlign = 1;
                Spec.Width = -Spec.Width;
            }
            p++;
        } else {
            Spec.Width = ParseDecimal(&p);
        }
        if (*p == '.') {
            p++;
            if (*p == '*') {
                Spec.Precision = va_arg(Args, int);
                p++;
            } else {
                Spec.Precision = ParseDecimal(&p);
            }
        }
        for (;; p++) {
            if (*p == 'l') LongCount++;
            else if (*p == 'h') Short++;
            else if (*p == 'j') LongCount = 2;      /* intmax_t is long long */
            else if (*p == 'z' || *p == 't') SizeT = 1;
            else break;
        }

        switch (*p) {
        case 'd':
        case 'i': {
            long long Signed;
            if (LongCount >= 2)
                Signed = va_arg(Args, long long);
            else if (LongCount == 1)
                Signed = va_arg(Args, long); /* NOLINT(bugprone-branch-clone): on i386 only, long is int */
            else if (SizeT)
                Signed = va_arg(Args, ptrdiff_t);
            else
                Signed = va_arg(Args, int);
            if (Short == 1)
                Signed = (short)Signed;
            else if (Short >= 2)
                Signed = (signed char)Signed; /* NOLINT(bugprone-signed-char-misuse): %hhd means this sign extension */
            Value = Signed < 0 ? 0ULL - (unsigned long long)Signed : (unsigned long long)Signed;
            PutNumber(&Out, Value, SignFor(Signed < 0, &Spec), 10, 0, &Spec);
            break;
        }
        case 'u':
        case 'x':
        case 'X':
        case 'o':
            if (LongCount >= 2)
                Value = va_arg(Args, unsigned long long);
            else if (LongCount == 1)
                Value = va_arg(Args, unsigned long); /* NOLINT(bugprone-branch-clone): on i386 only, long is int */
            else if (SizeT)
                Value = va_arg(Args, size_t);
            else
                Value = va_arg(Args, unsigned int);
            if (Short == 1)
                Value = (unsigned short)Value;
            else if (Short >= 2)
                Value = (unsigned char)Value;
            PutNumber(&Out, Value, 0, *p == 'o' ? 8 : (*p == 'u' ? 10 : 16), *p == 'X', &Spec);
            break;
        case 'p': {
            FORMAT_SPEC PointerSpec = Spec;
            PointerSpec.Precision = (int)(2 * sizeof(void *));
            PutNumber(&Out, (unsigned long long)(size_t)va_arg(Args, void *), 0, 16, 1, &PointerSpec);
            break;
        }
        case 'c': {
            char c = (char)va_arg(Args, int);
            if (!Spec.LeftAlign)
                PutRepeated(&Out, ' ', Spec.Width - 1);
            PutChar(&Out, c);
            if (Spec.LeftAlign)
                PutRepeated(&Out, ' ', Spec.Width - 1);
            break;
        }
        case 's':
            PutString(&Out, va_arg(Args, const char *), &Spec);
            break;
        case '%':
            PutChar(&Out, '%');
            break;
        case '\0':
            /* A lone '%' at the end: print it rather than read past the string. */
            PutChar(&Out, '%');
            continue;
        default:
            /* Unknown conversion: show it as written, so the mistake is visible. */
            PutChar(&Out, '%');
            PutChar(&Out, *p);
            break;
        }
        p++;
    }
    if (Size != 0)
        Buffer[Out.Length < Size ? Out.Length : Size - 1] = '\0';
    return Out.Length <= FORMAT_MAXIMUM_LENGTH ? (int)Out.Length : -1;
}

int ksnprintf(char *Buffer, size_t Size, const char *Format, ...)
{
    va_list Args;
    int Length;

    va_start(Args, Format);
    Length = kvsnprintf(Buffer, Size, Format, Args);
    va_end(Args);
    return Length;
}
