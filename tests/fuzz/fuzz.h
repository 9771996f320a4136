/*
 * fuzz.h: what the libFuzzer targets in tests/fuzz share: reading an input as a stream of choices,
 * numbers drawn toward the edges where arithmetic goes wrong, and the check that ends a run.
 *
 * The targets are built for i386 (make fuzz), so ULONG_PTR, SIZE_T and pointers are the kernel's
 * 32 bits and the edges they test are the kernel's own. Their reference models compute in 64 bits,
 * where none of those sums can wrap.
 */
#ifndef NTMM_FUZZ_H
#define NTMM_FUZZ_H

#include <ntdef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

_Static_assert(sizeof(ULONG_PTR) == 4, "the fuzz targets run the kernel's 32-bit arithmetic (clang -m32)");

typedef struct _FUZZ_INPUT {
    const UCHAR *Data;
    SIZE_T Size;
} FUZZ_INPUT;

/* An exhausted input reads as zeros, so every target ends on its own. */
static inline UCHAR FuzzByte(FUZZ_INPUT *Input)
{
    if (Input->Size == 0)
        return 0;
    Input->Size--;
    return *Input->Data++;
}

static inline ULONG FuzzUlong(FUZZ_INPUT *Input)
{
    ULONG Value = 0;

    for (ULONG i = 0; i < 4; i++)
        Value |= (ULONG)FuzzByte(Input) << (8 * i);
    return Value;
}

/* A number below Limit (which is not 0), from as few bytes as Limit needs. */
static inline ULONG FuzzBelow(FUZZ_INPUT *Input, ULONG Limit)
{
    ULONG Value = FuzzByte(Input);

    if (Limit > 0x100)
        Value |= (ULONG)FuzzByte(Input) << 8;
    if (Limit > 0x10000)
        Value |= (ULONG)FuzzByte(Input) << 16 | (ULONG)FuzzByte(Input) << 24;
    return Value % Limit;
}

/*
 * A 32-bit number as arithmetic meets it: small, near a power of two (either side), near the top,
 * or anything. One byte says which and how far.
 */
static inline ULONG FuzzEdgyUlong(FUZZ_INPUT *Input)
{
    UCHAR Kind = FuzzByte(Input);
    ULONG Near = FuzzByte(Input);

    switch (Kind & 3) {
    case 0:
        return Near;
    case 1:
        return ((ULONG)1 << ((Kind >> 2) & 31)) + (Near & 0x80 ? -(Near & 0x7F) : Near);
    case 2:
        return 0xFFFFFFFFu - Near;
    default:
        return FuzzUlong(Input);
    }
}

static inline BOOLEAN FuzzDone(const FUZZ_INPUT *Input)
{
    return Input->Size == 0;
}

/* A finding: the condition, where, and abort(), which libFuzzer saves as a crash to replay. */
#define FUZZ_CHECK(Condition)                                                             \
    do {                                                                                  \
        if (!(Condition)) {                                                               \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #Condition); \
            abort();                                                                      \
        }                                                                                 \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size);

#endif
