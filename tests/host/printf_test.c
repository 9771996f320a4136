/*
 * printf_test.c: lib/printf.c on the host, checked against the C library's
 * snprintf for every conversion, flag, width and precision combination the
 * two define alike (everything but %p, which prints NT's way).
 */
#include "ktest.h"
#include <kprintf.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

/* This file feeds printf odd formats and short buffers on purpose. */
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
#ifndef __clang__
#pragma GCC diagnostic ignored "-Wformat-truncation"
#pragma GCC diagnostic ignored "-Wformat-overflow"
#endif

#define COMPARE(...)                                                              \
    do {                                                                          \
        char Ours[128], Theirs[128];                                              \
        int OurLength = ksnprintf(Ours, sizeof(Ours), __VA_ARGS__);               \
        int TheirLength = snprintf(Theirs, sizeof(Theirs), __VA_ARGS__);          \
        KT_EXPECT_EQ(OurLength, TheirLength);                                     \
        if (strcmp(Ours, Theirs) != 0) {                                          \
            KT_EXPECT(strcmp(Ours, Theirs) == 0);                                 \
            KtLog("format %s: ours \"%s\", libc \"%s\"", #__VA_ARGS__, Ours, Theirs); \
        }                                                                         \
    } while (0)

static const char *const IntegerFormats[] = {
    "%d", "%i", "%u", "%x", "%X", "%o", "%5d", "%-5d|", "%05d", "%+d", "% d", "%.3d",
    "%8.3d", "%-8.3x|", "%#x", "%#X", "%#o", "%#08x", "%.0d", "%hhd", "%hd", "%hu",
    /* C gives + and space meaning only for signed conversions. */
    "%+u", "% u", "%+x", "% x", "%+X", "%+o", "% o", "%+#x", "% 5u", "%+05x",
};

static const int IntegerValues[] = { 0, 1, -1, 7, 42, -42, 255, 65535, 0x7FFFFFFF, -0x7FFFFFFF - 1 };

KTEST(printf_host, integer_formats_match_libc)
{
    for (size_t f = 0; f < sizeof(IntegerFormats) / sizeof(IntegerFormats[0]); f++)
        for (size_t v = 0; v < sizeof(IntegerValues) / sizeof(IntegerValues[0]); v++)
            COMPARE(IntegerFormats[f], IntegerValues[v]);
}

KTEST(printf_host, long_long_formats_match_libc)
{
    static const long long Values[] = { 0, 1, -1, 0x7FFFFFFFFFFFFFFFLL, -0x7FFFFFFFFFFFFFFFLL - 1,
                                        0x123456789ABCDEFLL, 4294967296LL };
    static const char *const Formats[] = { "%lld", "%llu", "%llx", "%llX", "%016llX", "%-20lld|", "%+lld",
                                           "%+llu", "% llx" };

    for (size_t f = 0; f < sizeof(Formats) / sizeof(Formats[0]); f++)
        for (size_t v = 0; v < sizeof(Values) / sizeof(Values[0]); v++)
            COMPARE(Formats[f], Values[v]);
}

KTEST(printf_host, strings_and_chars_match_libc)
{
    static const char *const Formats[] = { "%s", "%10s", "%-10s|", "%.2s", "%10.2s", "%.0s" };
    static const char *const Values[] = { "", "a", "abc", "a longer string than ten" };

    for (size_t f = 0; f < sizeof(Formats) / sizeof(Formats[0]); f++)
        for (size_t v = 0; v < sizeof(Values) / sizeof(Values[0]); v++)
            COMPARE(Formats[f], Values[v]);
    /* glibc prints a NULL string as "(null)" only when the precision leaves room for all of it. */
    static const char *const NullFormats[] = { "%s", "%.3s", "%.5s", "%.6s", "%.7s", "%10.3s|", "%-8s|", "%.0s" };
    for (size_t f = 0; f < sizeof(NullFormats) / sizeof(NullFormats[0]); f++)
        COMPARE(NullFormats[f], (const char *)NULL);
    COMPARE("%c%c%3c%-3c|", 'a', 'b', 'c', 'd');
    COMPARE("%%|");
    COMPARE("%*d|%-*d|%.*d", 6, 42, 6, 42, 4, 7);
}

KTEST(printf_host, truncation_matches_libc)
{
    for (size_t Size = 0; Size < 12; Size++) {
        char Ours[16], Theirs[16];

        memset(Ours, 'X', sizeof(Ours));
        memset(Theirs, 'X', sizeof(Theirs));
        KT_EXPECT_EQ(ksnprintf(Ours, Size, "%s-%d", "abcdef", 1234),
                     snprintf(Theirs, Size, "%s-%d", "abcdef", 1234));
        KT_EXPECT(memcmp(Ours, Theirs, sizeof(Ours)) == 0);
    }
}

KTEST(printf_host, pointers_print_as_nt_does)
{
    char Buffer[32];

    ksnprintf(Buffer, sizeof(Buffer), "%p", (void *)0xABCDEF);
    KT_EXPECT(strcmp(Buffer, sizeof(void *) == 8 ? "0000000000ABCDEF" : "00ABCDEF") == 0);
}

/*
 * Widths and precisions at the 32-bit edge, where glibc gives -1 past INT_MAX (and takes
 * minutes to count two billion spaces, so it cannot be the reference here): no signed
 * overflow (UBSan would stop the test), the buffer cut as usual, at once.
 */
KTEST(printf_host, widths_and_precisions_at_int_max)
{
    char Buffer[8];

    /* -INT_MIN as a width: left-aligned and past INT_MAX. */
    KT_EXPECT_EQ(ksnprintf(Buffer, sizeof(Buffer), "%*d|", INT_MIN, 1), -1);
    KT_EXPECT(strcmp(Buffer, "1      ") == 0);
    KT_EXPECT_EQ(ksnprintf(Buffer, sizeof(Buffer), "%2147483648d|", 1), -1);
    KT_EXPECT_EQ(ksnprintf(Buffer, sizeof(Buffer), "%99999999999999999999d", 1), -1);
    KT_EXPECT_EQ(ksnprintf(Buffer, sizeof(Buffer), "%2147483647d|", 1), -1);
    KT_EXPECT_EQ(ksnprintf(Buffer, sizeof(Buffer), "%2147483646d", 1), INT_MAX - 1);
    KT_EXPECT(strcmp(Buffer, "       ") == 0);
    KT_EXPECT_EQ(ksnprintf(Buffer, sizeof(Buffer), "%*d", INT_MAX, 1), INT_MAX);
    KT_EXPECT_EQ(ksnprintf(Buffer, sizeof(Buffer), "%.*d", INT_MAX, 1), INT_MAX);
    KT_EXPECT(strcmp(Buffer, "0000000") == 0);
    /* The sign and 0x come on top of the digits: one past INT_MAX. */
    KT_EXPECT_EQ(ksnprintf(Buffer, sizeof(Buffer), "%#.*x", INT_MAX - 1, 1), -1);
    KT_EXPECT(strcmp(Buffer, "0x00000") == 0);
    KT_EXPECT_EQ(ksnprintf(Buffer, sizeof(Buffer), "%-*s|", INT_MAX, "ab"), -1);
    KT_EXPECT(strcmp(Buffer, "ab     ") == 0);
    KT_EXPECT_EQ(ksnprintf(NULL, 0, "%*c%*c", INT_MAX, 'a', INT_MAX, 'b'), -1);
}
