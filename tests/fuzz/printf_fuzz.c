/*
 * printf_fuzz.c: libFuzzer target for lib/printf.c against the C library's snprintf: formats made
 * of literal text and conversions the kernel's printf accepts (every flag, width and precision,
 * given or as *, every length modifier it parses), arguments of the type each one reads, and
 * buffers of every size, compared as return value, buffer contents and the bytes after the
 * buffer, which neither may touch. %p, which prints NT's way, is checked against that way.
 * Formats C gives no answer for are fed raw and must only keep to the buffer.
 */
#include "fuzz.h"
#include <kprintf.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* The formats are built at run time on purpose. */
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
#pragma GCC diagnostic ignored "-Wformat-security"

#define FORMAT_SIZE 64
#define OUTPUT_SIZE 600
#define GUARD 16

/* What the value argument is read as. */
typedef enum _ARGUMENT { ArgumentInt, ArgumentLong, ArgumentLongLong, ArgumentSize, ArgumentPtrdiff,
                         ArgumentIntmax, ArgumentString, ArgumentChar, ArgumentPointer, ArgumentNone } ARGUMENT;

typedef struct _CONVERSION {
    ARGUMENT Argument;
    int Stars;                  /* how many * come before the value: width, precision */
    int Width, Precision;
    long long Integer;
    const char *String;
} CONVERSION;

static const char *const Strings[] = { "", "a", "ntmm", "a longer string, forty characters or so.", NULL };

/* strcat, which lib/include/string.h (first on the include path) does not declare. */
static VOID Append(char *Format, const char *Text)
{
    memcpy(Format + strlen(Format), Text, strlen(Text) + 1);
}

/*
 * Appends one conversion to Ours and, for the C library, to Theirs (the same, but %p as NT prints
 * it: %.8X), and says what it reads. Flags, precision and length modifiers go only where C gives
 * them a meaning for the conversion, since elsewhere the two may differ and both be right.
 */
static VOID MakeConversion(FUZZ_INPUT *Input, char *Ours, char *Theirs, CONVERSION *Conversion)
{
    static const char Flags[] = "-0+ #";
    static const char Integers[] = "diuxXo";
    static const char *const Modifiers[] = { "", "hh", "h", "l", "ll", "z", "t", "j" };
    static const ARGUMENT Reads[] = { ArgumentInt, ArgumentInt, ArgumentInt, ArgumentLong, ArgumentLongLong,
                                      ArgumentSize, ArgumentPtrdiff, ArgumentIntmax };
    UCHAR Choice = FuzzByte(Input), Modifier = FuzzByte(Input) % 8, Kind = FuzzByte(Input) % 12;
    char Spec[32] = "%", *Out = Spec + 1;
    BOOLEAN Integer = Kind < 6, Precision = Integer || Kind < 8;

    Conversion->Argument = Integer ? Reads[Modifier] : Kind < 8 ? ArgumentString : Kind < 10 ? ArgumentChar
                         : Kind == 10 ? ArgumentNone : ArgumentPointer;
    Conversion->Stars = 0;
    Conversion->Width = FuzzByte(Input) % 40;
    Conversion->Precision = (int)(FuzzByte(Input) % 50) - 10;
    Conversion->Integer = (long long)((ULONGLONG)FuzzEdgyUlong(Input) << 32 | FuzzEdgyUlong(Input));
    Conversion->String = Strings[FuzzByte(Input) % RTL_NUMBER_OF(Strings)];
    if (Conversion->Argument != ArgumentNone) {
        for (ULONG i = 0; i < (Integer ? 5u : 1u); i++)
            if (Choice & (1 << i))
                *Out++ = Flags[i];
        if (Choice & 0x20) {
            *Out++ = '*';
            Conversion->Stars |= 1;
            Conversion->Width -= 20;                /* a negative width means '-' */
        } else if (Conversion->Width != 0) {
            Out += sprintf(Out, "%d", Conversion->Width);
        }
        if (Precision && (Choice & 0x40)) {
            *Out++ = '.';
            if (Choice & 0x80) {
                *Out++ = '*';
                Conversion->Stars |= 2;             /* a negative precision counts as none */
            } else if (Conversion->Precision >= 0) {
                Out += sprintf(Out, "%d", Conversion->Precision);
            }
        }
        if (Integer)
            Out += sprintf(Out, "%s", Modifiers[Modifier]);
    }
    *Out = '\0';
    Append(Ours, Spec);
    Append(Theirs, Spec);
    if (Integer) {
        char Letter[2] = { Integers[Kind], '\0' };

        Append(Ours, Letter);
        Append(Theirs, Letter);
        return;
    }
    switch (Conversion->Argument) {
    case ArgumentString:
        Append(Ours, "s"), Append(Theirs, "s");
        break;
    case ArgumentChar:
        Append(Ours, "c"), Append(Theirs, "c");
        break;
    case ArgumentNone:
        Append(Ours, "%"), Append(Theirs, "%");
        break;
    default:
        Append(Ours, "p"), Append(Theirs, ".8X");
        break;
    }
}

/* Calls Function(Buffer, Size, Format, [width], [precision], value) with the value's real type. */
#define CALL_WITH(Function, Buffer, Size, Format, Conversion, Value)                                  \
    ((Conversion)->Stars == 3 ? Function(Buffer, Size, Format, (Conversion)->Width, (Conversion)->Precision, Value) \
     : (Conversion)->Stars == 2 ? Function(Buffer, Size, Format, (Conversion)->Precision, Value)      \
     : (Conversion)->Stars == 1 ? Function(Buffer, Size, Format, (Conversion)->Width, Value)          \
     : Function(Buffer, Size, Format, Value))

#define CALL(Function, Buffer, Size, Format, Conversion)                                              \
    ((Conversion)->Argument == ArgumentInt ? CALL_WITH(Function, Buffer, Size, Format, Conversion, (int)(Conversion)->Integer) \
     : (Conversion)->Argument == ArgumentLong ? CALL_WITH(Function, Buffer, Size, Format, Conversion, (long)(Conversion)->Integer) \
     : (Conversion)->Argument == ArgumentLongLong ? CALL_WITH(Function, Buffer, Size, Format, Conversion, (Conversion)->Integer) \
     : (Conversion)->Argument == ArgumentSize ? CALL_WITH(Function, Buffer, Size, Format, Conversion, (size_t)(Conversion)->Integer) \
     : (Conversion)->Argument == ArgumentPtrdiff ? CALL_WITH(Function, Buffer, Size, Format, Conversion, (ptrdiff_t)(Conversion)->Integer) \
     : (Conversion)->Argument == ArgumentIntmax ? CALL_WITH(Function, Buffer, Size, Format, Conversion, (intmax_t)(Conversion)->Integer) \
     : (Conversion)->Argument == ArgumentString ? CALL_WITH(Function, Buffer, Size, Format, Conversion, (Conversion)->String) \
     : (Conversion)->Argument == ArgumentChar ? CALL_WITH(Function, Buffer, Size, Format, Conversion, (int)(UCHAR)(Conversion)->Integer) \
     : (Conversion)->Argument == ArgumentPointer ? CALL_WITH(Function, Buffer, Size, Format, Conversion, (void *)(size_t)(Conversion)->Integer) \
     : CALL_WITH(Function, Buffer, Size, Format, Conversion, 0))

/*
 * Any bytes as a format, a lone '%' and unknown conversions included, where C has no answer to
 * compare with: each conversion reads the pointer below, and the output must stay inside the
 * buffer whatever the format asks. NT's conversions read a pointer as a char string (%s), a
 * UTF-16 one (%S, %ws) or a counted one (%Z, %wZ); this one points at an empty string of each
 * kind, its leading zero counts, so that every reading stays inside it.
 */
static VOID RawFormat(FUZZ_INPUT *Input)
{
    static const struct {
        USHORT Length, MaximumLength;
        const char *Buffer;
    } Counted = { 0, 0, "argument" };
    const void *Argument = &Counted;
    char Format[FORMAT_SIZE], Ours[OUTPUT_SIZE + GUARD];
    size_t BufferSize = FuzzBelow(Input, OUTPUT_SIZE + 1);
    ULONG Length = FuzzBelow(Input, FORMAT_SIZE), Conversions = 0;
    int Result;

    for (ULONG i = 0; i < Length; i++) {
        Format[i] = (char)FuzzByte(Input);
        /* Never more conversions than arguments: at most one per two bytes, and 16 slots. */
        Conversions += Format[i] == '%';
    }
    Format[Length] = '\0';
    if (Conversions > 8)
        return;
    memset(Ours, 0x5A, sizeof(Ours));
    Result = ksnprintf(Ours, BufferSize, Format, Argument, Argument, Argument, Argument, Argument, Argument,
                       Argument, Argument, Argument, Argument, Argument, Argument, Argument, Argument, Argument,
                       Argument);
    FUZZ_CHECK(Result >= -1);
    for (size_t i = BufferSize; i < sizeof(Ours); i++)
        FUZZ_CHECK(Ours[i] == 0x5A);
    if (BufferSize != 0)
        FUZZ_CHECK(memchr(Ours, '\0', BufferSize) != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size)
{
    FUZZ_INPUT Input = { Data, Size };

    while (!FuzzDone(&Input)) {
        if (FuzzByte(&Input) == 0xFF) {
            RawFormat(&Input);
            continue;
        }
        char Format[FORMAT_SIZE] = "", CFormat[FORMAT_SIZE] = "";
        char Ours[OUTPUT_SIZE + GUARD], Theirs[OUTPUT_SIZE + GUARD];
        UCHAR Text = FuzzByte(&Input);
        size_t BufferSize = FuzzBelow(&Input, OUTPUT_SIZE + 1);
        CONVERSION Conversion;
        int OurLength, TheirLength;

        /* Some literal text before and after the conversion; printable, never a '%'. */
        for (ULONG i = 0; i < (Text & 3U); i++) {
            char c = (char)(' ' + FuzzByte(&Input) % 95);

            Format[i] = CFormat[i] = c == '%' ? '=' : c;
        }
        MakeConversion(&Input, Format, CFormat, &Conversion);
        if (Text & 4) {
            Append(Format, "|end");
            Append(CFormat, "|end");
        }
        memset(Ours, 0x5A, sizeof(Ours));
        memset(Theirs, 0x5A, sizeof(Theirs));
        OurLength = CALL(ksnprintf, Ours, BufferSize, Format, &Conversion);
        if (Conversion.Argument == ArgumentPointer) {
            Conversion.Argument = ArgumentInt;      /* %.8X of the pointer's 32 bits */
            Conversion.Integer = (long long)(size_t)(void *)(size_t)Conversion.Integer;
        }
        TheirLength = CALL(snprintf, Theirs, BufferSize, CFormat, &Conversion);
        if (OurLength != TheirLength || memcmp(Ours, Theirs, sizeof(Ours)) != 0) {
            fprintf(stderr, "format \"%s\" (size %zu): ours %d \"%.*s\", libc %d \"%.*s\"\n", Format, BufferSize,
                    OurLength, (int)(BufferSize ? BufferSize - 1 : 0), Ours, TheirLength,
                    (int)(BufferSize ? BufferSize - 1 : 0), Theirs);
            FUZZ_CHECK(!"ksnprintf matches snprintf");
        }
    }
    return 0;
}
