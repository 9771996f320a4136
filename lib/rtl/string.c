/*
 * string.c: counted strings over NUL-terminated ones: RtlInitString,
 * RtlInitAnsiString and RtlInitUnicodeString. Length counts the characters
 * without the NUL, MaximumLength with it, both in bytes and both within a
 * USHORT: a longer source is described only as far as that allows, as NT
 * does (Length 0xFFFE and 0xFFFC), and a NULL source gives an empty string
 * with no buffer. STRING and UNICODE_STRING share one layout, so one
 * routine fills both.
 */
#include <ntddk.h>

#define RTLP_MAXIMUM_ANSI_LENGTH    (MAXUSHORT - sizeof(CHAR))
#define RTLP_MAXIMUM_UNICODE_LENGTH ((MAXUSHORT & ~(sizeof(WCHAR) - 1)) - sizeof(WCHAR))

_Static_assert(sizeof(STRING) == sizeof(UNICODE_STRING) && offsetof(STRING, Buffer) == offsetof(UNICODE_STRING, Buffer),
               "one layout for both counted strings");

static VOID RtlpInitCountedString(PSTRING Destination, const VOID *Source, ULONG CharacterSize, SIZE_T LargestLength)
{
    const UCHAR *Bytes = Source;
    SIZE_T Length = 0;

    Destination->Buffer = (PCHAR)Source;
    if (Source == NULL) {
        Destination->Length = Destination->MaximumLength = 0;
        return;
    }
    while (Length < LargestLength &&
           (CharacterSize == sizeof(WCHAR) ? *(const WCHAR *)(Bytes + Length) : Bytes[Length]) != 0)
        Length += CharacterSize;
    Destination->Length = (USHORT)Length;
    Destination->MaximumLength = (USHORT)(Length + CharacterSize);
}

VOID NTAPI RtlInitString(PSTRING DestinationString, PCSZ SourceString)
{
    RtlpInitCountedString(DestinationString, SourceString, sizeof(CHAR), RTLP_MAXIMUM_ANSI_LENGTH);
}

VOID NTAPI RtlInitAnsiString(PANSI_STRING DestinationString, PCSZ SourceString)
{
    RtlpInitCountedString(DestinationString, SourceString, sizeof(CHAR), RTLP_MAXIMUM_ANSI_LENGTH);
}

VOID NTAPI RtlInitUnicodeString(PUNICODE_STRING DestinationString, PCWSTR SourceString)
{
    RtlpInitCountedString((PSTRING)DestinationString, SourceString, sizeof(WCHAR), RTLP_MAXIMUM_UNICODE_LENGTH);
}
