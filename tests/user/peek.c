/*
 * peek.c: reads the word at the address it is given and returns it, after
 * writing the word's complement back: the user-mode end of the tests that
 * map one process's page into another.
 */
#include "user.h"

ULONG NTAPI UserMain(PVOID Argument)
{
    volatile ULONG *Word = Argument;
    ULONG Value = *Word;

    Word[1] = ~Value;
    return Value;
}
