/* unicode.c: counted UTF-16 strings (RtlInitUnicodeString). */
#include <ntddk.h>

/* The longest string a UNICODE_STRING counts: whole characters in a USHORT of bytes. */
#define RTL_MAXIMUM_UNICODE_BYTES ALIGN_DOWN_BY(MAXUSHORT, sizeof(WCHAR))

/*
 * Points DestinationString at SourceString, a NUL-terminated UTF-16 string,
 * without copying it; NULL gives an empty string. Lengths are in bytes and
 * stop at what a USHORT holds (0xFFFC and 0xFFFE), as NT's do.
 */
VOID NTAPI RtlInitUnicodeString(PUNICODE_STRING DestinationString, PCWSTR SourceString)
{
    SIZE_T Length = 0;

    DestinationString->Buffer = (PWCHAR)SourceString;
    if (SourceString == NULL) {
        DestinationString->Length = DestinationString->MaximumLength = 0;
        return;
    }
    while (SourceString[Length] != 0)
        Length++;
    Length *= sizeof(WCHAR);
    if (Length > RTL_MAXIMUM_UNICODE_BYTES - sizeof(WCHAR))
        Length = RTL_MAXIMUM_UNICODE_BYTES - sizeof(WCHAR);
    DestinationString->Length = (USHORT)Length;
    DestinationString->MaximumLength = (USHORT)(Length + sizeof(WCHAR));
}
