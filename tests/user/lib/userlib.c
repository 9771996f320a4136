/* userlib.c: the little a freestanding ring-3 program needs: printing, and the mem* the compiler may call. */
#include "user.h"

VOID UserPrint(PCSTR Text)
{
    ULONG Length = 0;

    while (Text[Length] != '\0')
        Length++;
    UserDebugPrint(Text, Length);
}

VOID UserPrintHex(PCSTR Label, ULONG Value)
{
    CHAR Digits[11] = "0x00000000";

    for (ULONG i = 0; i < 8; i++)
        Digits[9 - i] = "0123456789ABCDEF"[(Value >> (4 * i)) & 0xF];
    UserPrint(Label);
    UserPrint(Digits);
    UserPrint("\n");
}

void *memset(void *Destination, int Value, SIZE_T Length)
{
    PUCHAR Bytes = Destination;

    while (Length-- != 0)
        *Bytes++ = (UCHAR)Value;
    return Destination;
}

void *memcpy(void *Destination, const void *Source, SIZE_T Length)
{
    PUCHAR To = Destination;
    const UCHAR *From = Source;

    while (Length-- != 0)
        *To++ = *From++;
    return Destination;
}
