/*
 * printf.c: the formatting core behind DbgPrint. It depends on nothing but
 * <stdarg.h>, so the host tests build this same file and compare its output
 * with the C library's snprintf.
 */
#include <kprintf.h>
#include <limits.h>

typedef struct _FORMAT_OUTPUT {
    char *Buffer;
    size_t Size;      /* bytes available, the NUL included */
    size_t Length;    /* bytes the whole output needs, the NUL excluded, counted up to FORMAT_OVERFLOW */
} FORMAT_OUTPUT;

/* The return value is an int: an output longer than INT_MAX is only known to be too long (C's -1). */
#define FORMAT_OVERFLOW ((size_t)INT_MAX + 1)

typedef struct _FORMAT_SPEC {
    int LeftAlign, ZeroPad, Plus, Space, Alternate;
    int Width;
    int Precision;    /* -1 when absent */
} FORMAT_SPEC;

static void PutChar(FORMAT_OUTPUT *Out, char c)
{
    if (Out->Length + 1 < Out->Size)
        Out->Buffer[Out->Length] = c;
    if (Out->Length < FORMAT_OVERFLOW)
        Out->Length++;
}

/* What the buffer holds is written; the rest is only counted, so a width of INT_MAX costs no time. */
static void PutRepeated(FORMAT_OUTPUT *Out, char c, int Count)
{
    for (; Count > 0 && Out->Length + 1 < Out->Size; Count--)
        PutChar(Out, c);
    if (Count > 0)
        Out->Length = (size_t)Count < FORMAT_OVERFLOW - Out->Length ? Out->Length + Count : FORMAT_OVERFLOW;
}

/* What a NULL %s prints, as glibc does: all of it, or nothing when the precision would cut it. */
static const char NullString[] = "(null)";

/*
 * NT's counted strings (UNICODE_STRING, ANSI_STRING) as the formatter sees
 * them: Length in bytes, then MaximumLength, then the buffer; the same
 * layout in the kernel and on the host.
 */
typedef struct _FORMAT_COUNTED_STRING {
    unsigned short Length;
    unsigned short MaximumLength;
    const void *Buffer;
} FORMAT_COUNTED_STRING;

/*
 * A string of 8-bit or, when Wide, 16-bit characters (NT's WCHAR, whatever
 * the compiler's wchar_t is): Count characters, or up to a NUL when Count
 * is -1. A 16-bit character outside ASCII prints as '?', as NT's
 * conversion to the ANSI code page prints one it cannot show; a NUL inside
 * a counted string prints as '?' too, so the output stays one C string.
 */
static char StringChar(const void *Chars, int Wide, int Index)
{
    unsigned Char = Wide ? ((const unsigned short *)Chars)[Index] : ((const unsigned char *)Chars)[Index];

    if (Char == 0 || (Wide && Char > 0x7F))
        return '?';
    return (char)Char;
}

static void PutString(FORMAT_OUTPUT *Out, const void *Chars, int Wide, int Count, const FORMAT_SPEC *Spec)
{
    int Length = 0;

    if (Chars == NULL) {
        Chars = Spec->Precision >= 0 && Spec->Precision < (int)sizeof(NullString) - 1 ? "" : NullString;
        Wide = 0;
        Count = -1;
    }
    if (Count < 0) {
        while ((Wide ? ((const unsigned short *)Chars)[Length] : ((const unsigned char *)Chars)[Length]) != 0 &&
               (Spec->Precision < 0 || Length < Spec->Precision))
            Length++;
    } else {
        Length = Spec->Precision >= 0 && Spec->Precision < Count ? Spec->Precision : Count;
    }
    if (!Spec->LeftAlign)
        PutRepeated(Out, ' ', Spec->Width - Length);
    for (int i = 0; i < Length; i++)
        PutChar(Out, StringChar(Chars, Wide, i));
    if (Spec->LeftAlign)
        PutRepeated(Out, ' ', Spec->Width - Length);
}

/* %Z and %wZ: a NULL string, or one without a buffer, prints as a NULL %s does. */
static void PutCountedString(FORMAT_OUTPUT *Out, const FORMAT_COUNTED_STRING *String, int Wide,
                             const FORMAT_SPEC *Spec)
{
    if (String == NULL || String->Buffer == NULL)
        PutString(Out, NULL, 0, -1, Spec);
    else
        PutString(Out, String->Buffer, Wide, Wide ? String->Length / 2 : String->Length, Spec);
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
    int PrefixLength = 0, Zeros = 0, Padding;
    long long Needed;

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
    /* Zeros may be near INT_MAX: the sum is taken wider. */
    Needed = (long long)Count + Zeros + PrefixLength + (Sign != 0);
    Padding = Needed < Spec->Width ? (int)(Spec->Width - Needed) : 0;
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

/* A width or precision; one past INT_MAX sets *TooLong and reads as INT_MAX. */
static int ParseDecimal(const char **Cursor, int *TooLong)
{
    int Value = 0;

    while (**Cursor >= '0' && **Cursor <= '9') {
        int Digit = **Cursor - '0';

        if (Value > (INT_MAX - Digit) / 10) {
            *TooLong = 1;
            Value = INT_MAX;
        } else {
            Value = Value * 10 + Digit;
        }
        (*Cursor)++;
    }
    return Value;
}

int kvsnprintf(char *Buffer, size_t Size, const char *Format, va_list Args)
{
    FORMAT_OUTPUT Out = { Buffer, Size, 0 };
    const char *p = Format;
    int TooLong = 0;

    while (*p != '\0') {
        FORMAT_SPEC Spec = { 0, 0, 0, 0, 0, 0, -1 };
        int LongCount = 0, Short = 0, SizeT = 0, Wide = 0;
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
            if (Spec.Width == INT_MIN) {
                TooLong = 1;
                Spec.Width = INT_MAX;
            }
            if (Spec.Width < 0) {
                Spec.LeftAlign = 1;
                Spec.Width = -Spec.Width;
            }
            p++;
        } else {
            Spec.Width = ParseDecimal(&p, &TooLong);
        }
        if (*p == '.') {
            p++;
            if (*p == '*') {
                Spec.Precision = va_arg(Args, int);
                p++;
            } else {
                Spec.Precision = ParseDecimal(&p, &TooLong);
            }
        }
        /* C's length modifiers, and NT's: w (wide), I (pointer-sized), I32 and I64. */
        for (;; p++) {
            if (*p == 'l') LongCount++;
            else if (*p == 'h') Short++;
            else if (*p == 'j') LongCount = 2;      /* intmax_t is long long */
            else if (*p == 'w') Wide = 1;
            else if (p[0] == 'I' && p[1] == '6' && p[2] == '4') { LongCount = 2; p += 2; }
            else if (p[0] == 'I' && p[1] == '3' && p[2] == '2') { LongCount = 0; SizeT = 0; p += 2; }
            else if (*p == 'z' || *p == 't' || *p == 'I') SizeT = 1;   /* I alone: pointer-sized */
            else break;
        }
        /* For characters and strings, l means wide as w does; %S and %C are wide unless h says narrow. */
        if (LongCount != 0)
            Wide = 1;
        if ((*p == 'S' || *p == 'C') && Short == 0)
            Wide = 1;

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
        case 'c':
        case 'C': {
            unsigned short WideChar = (unsigned short)va_arg(Args, int);
            char c = Wide ? StringChar(&WideChar, 1, 0) : (char)WideChar;
            if (!Spec.LeftAlign)
                PutRepeated(&Out, ' ', Spec.Width - 1);
            PutChar(&Out, c);
            if (Spec.LeftAlign)
                PutRepeated(&Out, ' ', Spec.Width - 1);
            break;
        }
        case 's':
        case 'S':
            PutString(&Out, va_arg(Args, const void *), Wide, -1, &Spec);
            break;
        case 'Z':
            PutCountedString(&Out, va_arg(Args, const FORMAT_COUNTED_STRING *), Wide, &Spec);
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
    return TooLong || Out.Length == FORMAT_OVERFLOW ? -1 : (int)Out.Length;
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
