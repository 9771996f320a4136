/*
 * string_fuzz.c: libFuzzer target for lib/string.c (built under Kt* names by string_under_test.c)
 * against the C library: the mem* functions on offsets and lengths in two buffers, overlapping
 * both ways for memmove, with guard bytes around what each may write; the str* functions on
 * strings from the input; strlcpy against its contract (glibc 2.36 has none); strtoul against
 * strtoull for what the kernel's accepts (no sign, spaces and tabs before, wrapping at 2^32).
 */
#include "fuzz.h"
#include <string.h>

void *KtMemcpy(void *restrict Destination, const void *restrict Source, size_t Count);
void *KtMemmove(void *Destination, const void *Source, size_t Count);
void *KtMemset(void *Destination, int Value, size_t Count);
int KtMemcmp(const void *A, const void *B, size_t Count);
void *KtMemchr(const void *Source, int Value, size_t Count);
size_t KtStrlen(const char *String);
size_t KtStrnlen(const char *String, size_t Maximum);
int KtStrcmp(const char *A, const char *B);
int KtStrncmp(const char *A, const char *B, size_t Count);
char *KtStrchr(const char *String, int Value);
size_t KtStrlcpy(char *Destination, const char *Source, size_t Size);
unsigned long KtStrtoul(const char *String, char **End, int Base);
unsigned long long strtoull(const char *String, char **End, int Base);

#define BUFFER 96
#define GUARD 8

static int Sign(int Value)
{
    return (Value > 0) - (Value < 0);
}

/* Two copies of one buffer, guards included: one for the kernel's function, one for the C library's. */
typedef struct _PAIR {
    UCHAR Ours[GUARD + BUFFER + GUARD], Theirs[GUARD + BUFFER + GUARD];
} PAIR;

static VOID Fill(FUZZ_INPUT *Input, PAIR *Pair)
{
    for (ULONG i = 0; i < sizeof(Pair->Ours); i++)
        Pair->Ours[i] = Pair->Theirs[i] = FuzzByte(Input);
}

/* A C string from the input in Buffer (at most Size - 1 characters), few distinct characters, so strings meet. */
static char *String(FUZZ_INPUT *Input, char *Buffer, ULONG Size)
{
    ULONG Length = FuzzBelow(Input, Size);

    for (ULONG i = 0; i < Length; i++)
        Buffer[i] = "ab\x80\xff 0"[FuzzByte(Input) % 6];
    Buffer[Length] = '\0';
    return Buffer;
}

static VOID CheckMemory(FUZZ_INPUT *Input, UCHAR Operation)
{
    static PAIR Pair;
    static UCHAR Other[BUFFER];
    ULONG First = FuzzBelow(Input, BUFFER + 1), Second = FuzzBelow(Input, BUFFER + 1);
    ULONG Count = FuzzBelow(Input, BUFFER + 1 - (First > Second ? First : Second));
    UCHAR Value = FuzzByte(Input);
    PUCHAR Ours = Pair.Ours + GUARD, Theirs = Pair.Theirs + GUARD;

    Fill(Input, &Pair);
    for (ULONG i = 0; i < BUFFER; i++)
        Other[i] = FuzzByte(Input);
    switch (Operation % 5) {
    case 0:
        FUZZ_CHECK(KtMemcpy(Ours + First, Other + Second, Count) == Ours + First);
        memcpy(Theirs + First, Other + Second, Count);
        break;
    case 1:
        /* Within one buffer, so the ranges may overlap either way. */
        FUZZ_CHECK(KtMemmove(Ours + First, Ours + Second, Count) == Ours + First);
        memmove(Theirs + First, Theirs + Second, Count);
        break;
    case 2:
        FUZZ_CHECK(KtMemset(Ours + First, Value, Count) == Ours + First);
        memset(Theirs + First, Value, Count);
        break;
    case 3:
        FUZZ_CHECK(Sign(KtMemcmp(Ours + First, Other + Second, Count)) ==
                   Sign(memcmp(Theirs + First, Other + Second, Count)));
        break;
    default: {
        PUCHAR OurFind = KtMemchr(Ours + First, Value, Count), TheirFind = memchr(Theirs + First, Value, Count);

        FUZZ_CHECK((OurFind == NULL) == (TheirFind == NULL));
        FUZZ_CHECK(OurFind == NULL || OurFind - Ours == TheirFind - Theirs);
        break;
    }
    }
    FUZZ_CHECK(memcmp(Pair.Ours, Pair.Theirs, sizeof(Pair.Ours)) == 0);
}

static VOID CheckStrings(FUZZ_INPUT *Input, UCHAR Operation)
{
    char A[48], B[48];
    ULONG Count = FuzzBelow(Input, 50);

    String(Input, A, sizeof(A));
    String(Input, B, sizeof(B));
    switch (Operation % 4) {
    case 0:
        FUZZ_CHECK(KtStrlen(A) == strlen(A));
        FUZZ_CHECK(KtStrnlen(A, Count) == strnlen(A, Count));
        break;
    case 1:
        FUZZ_CHECK(Sign(KtStrcmp(A, B)) == Sign(strcmp(A, B)));
        break;
    case 2:
        FUZZ_CHECK(Sign(KtStrncmp(A, B, Count)) == Sign(strncmp(A, B, Count)));
        break;
    default:
        FUZZ_CHECK(KtStrchr(A, B[0]) == strchr(A, B[0]));
        break;
    }
}

/* strlcpy's contract: strlen(Source) returned; Size - 1 characters at most and a NUL, nothing else touched. */
static VOID CheckStrlcpy(FUZZ_INPUT *Input)
{
    char Source[48];
    static PAIR Pair;
    ULONG Size = FuzzBelow(Input, BUFFER + 1), Length;

    String(Input, Source, sizeof(Source));
    Length = strlen(Source);
    Fill(Input, &Pair);
    FUZZ_CHECK(KtStrlcpy((char *)Pair.Ours + GUARD, Source, Size) == Length);
    if (Size != 0) {
        ULONG Copied = Length < Size - 1 ? Length : Size - 1;

        memcpy(Pair.Theirs + GUARD, Source, Copied);
        Pair.Theirs[GUARD + Copied] = '\0';
    }
    FUZZ_CHECK(memcmp(Pair.Ours, Pair.Theirs, sizeof(Pair.Ours)) == 0);
}

/*
 * strtoul over what the kernel's reads: spaces and tabs, then digits of the base, with a 0x or 0
 * prefix where the base allows; the value wraps at 2^32 where C's would saturate.
 */
static VOID CheckStrtoul(FUZZ_INPUT *Input)
{
    static const int Bases[] = { 0, 2, 8, 10, 16, 36 };
    char Text[40], *OurEnd, *TheirEnd;
    int Base = Bases[FuzzByte(Input) % RTL_NUMBER_OF(Bases)];
    ULONG Length = FuzzBelow(Input, sizeof(Text)), i = 0;
    unsigned long long Expected;
    unsigned long Value;

    for (; i < Length && FuzzByte(Input) < 0x40; i++)
        Text[i] = FuzzByte(Input) & 1 ? '\t' : ' ';
    for (; i < Length; i++)
        Text[i] = "0123456789abcdefxXzZ9 "[FuzzByte(Input) % 22];
    Text[Length] = '\0';
    Value = KtStrtoul(Text, &OurEnd, Base);
    Expected = strtoull(Text, &TheirEnd, Base);
    if (OurEnd != TheirEnd || (Expected != ~0ULL && Value != (unsigned long)Expected))
        fprintf(stderr, "strtoul(\"%s\", base %d): ours %lu ending at %d, libc %llu ending at %d\n", Text, Base, Value,
                (int)(OurEnd - Text), Expected, (int)(TheirEnd - Text));
    FUZZ_CHECK(OurEnd == TheirEnd);
    /* strtoull saturates past 2^64 digits; ours wraps, so only what fits is compared. */
    if (Expected != ~0ULL)
        FUZZ_CHECK(Value == (unsigned long)Expected);
}

int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size)
{
    FUZZ_INPUT Input = { Data, Size };

    while (!FuzzDone(&Input)) {
        UCHAR Operation = FuzzByte(&Input);

        switch (Operation % 4) {
        case 0:
            CheckMemory(&Input, Operation / 4);
            break;
        case 1:
            CheckStrings(&Input, Operation / 4);
            break;
        case 2:
            CheckStrlcpy(&Input);
            break;
        default:
            CheckStrtoul(&Input);
            break;
        }
    }
    return 0;
}
