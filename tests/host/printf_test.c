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
#pragma GCC diagnostic ignored "-Wformat-extra-args"
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

#define EXPECT_FORMAT(Expected, ...)                                                  \
    do {                                                                              \
        char Ours[128];                                                               \
        int OurLength = ksnprintf(Ours, sizeof(Ours), __VA_ARGS__);                   \
        KT_EXPECT_EQ(OurLength, (int)strlen(Expected));                               \
        if (strcmp(Ours, Expected) != 0) {                                            \
            KT_EXPECT(strcmp(Ours, Expected) == 0);                                   \
            KtLog("format %s: ours \"%s\", NT's \"%s\"", #__VA_ARGS__, Ours, Expected); \
        }                                                                             \
    } while (0)

/* NT's additions, which the C library has no counterpart for: checked against what NT's DbgPrint prints. */
KTEST(printf_host, nt_counted_and_wide_strings)
{
    static const WCHAR Name[] = { 'D', 'e', 'v', 'i', 'c', 'e', 0 };
    static const WCHAR Accented[] = { 'c', 0xE9, 0x4E2D, 0 };
    static const WCHAR Embedded[] = { 'a', 0, 'b' };
    UNICODE_STRING Unicode = { 8, sizeof(Name), (PWSTR)Name };        /* "Devi": Length, not the NUL, ends it */
    UNICODE_STRING Odd = { 5, sizeof(Name), (PWSTR)Name };            /* an odd byte count: two characters */
    UNICODE_STRING WithNul = { sizeof(Embedded), sizeof(Embedded), (PWSTR)Embedded };
    UNICODE_STRING NoBuffer = { 4, 4, NULL };
    ANSI_STRING Ansi = { 3, 8, (PCHAR)"abcdef" };

    EXPECT_FORMAT("[Devi]", "[%wZ]", &Unicode);
    EXPECT_FORMAT("[  Devi|Devi  |De]", "[%6wZ|%-6wZ|%.2wZ]", &Unicode, &Unicode, &Unicode);
    EXPECT_FORMAT("De", "%wZ", &Odd);
    EXPECT_FORMAT("a?b", "%wZ", &WithNul);
    EXPECT_FORMAT("(null) (null)", "%wZ %wZ", (PUNICODE_STRING)NULL, &NoBuffer);
    EXPECT_FORMAT("abc", "%Z", &Ansi);
    EXPECT_FORMAT("Device Device Device", "%ws %ls %S", Name, Name, Name);
    EXPECT_FORMAT("c??", "%ws", Accented);                           /* outside ASCII: '?' */
    EXPECT_FORMAT("narrow", "%hS", "narrow");
    EXPECT_FORMAT("(null)", "%ws", (PCWSTR)NULL);
    EXPECT_FORMAT("x|? y", "%wc|%C %hC", (WCHAR)'x', (WCHAR)0x4E2D, 'y');
}

KTEST(printf_host, nt_size_prefixes)
{
    EXPECT_FORMAT("123456789ABCDEF0", "%I64X", 0x123456789ABCDEF0ULL);
    EXPECT_FORMAT("-1 18446744073709551615", "%I64d %I64u", -1LL, ~0ULL);
    EXPECT_FORMAT("ffffffff", "%I32x", 0xFFFFFFFFu);
    EXPECT_FORMAT("-5", "%Id", (ptrdiff_t)-5);
    EXPECT_FORMAT("00001234", "%08Ix", (size_t)0x1234);
}

/*
 * Widths and precisions at and past INT_MAX: C's answer is -1 (EOVERFLOW)
 * once the output would not fit an int, as glibc gives it; what is parsed
 * never overflows (UBSan watches), and a huge width costs no time, since
 * padding the buffer cannot hold is counted, not written.
 */
KTEST(printf_host, widths_past_int_max_give_minus_one)
{
    char Buffer[16];

    KT_EXPECT_EQ(ksnprintf(Buffer, sizeof(Buffer), "%99999999999d|", 1), -1);
    KT_EXPECT_EQ(ksnprintf(Buffer, sizeof(Buffer), "%.99999999999d|", 1), -1);
    KT_EXPECT_EQ(ksnprintf(Buffer, sizeof(Buffer), "ab%.2147483648s|", "x"), -1);
    KT_EXPECT_EQ(ksnprintf(Buffer, sizeof(Buffer), "%*d|", -2147483647 - 1, 1), -1);
    KT_EXPECT_EQ(ksnprintf(Buffer, sizeof(Buffer), "%2147483647d%d", 1, 2), -1);
    KT_EXPECT_EQ(ksnprintf(Buffer, sizeof(Buffer), "%2147483647d%2147483647d%2147483647d", 1, 2, 3), -1);
    KT_EXPECT_EQ(ksnprintf(Buffer, sizeof(Buffer), "%2147483647d", 1), 2147483647);
    KT_EXPECT(strcmp(Buffer, "               ") == 0);
    KT_EXPECT_EQ(ksnprintf(Buffer, sizeof(Buffer), "%-2147483646d|", 7), 2147483647);
    KT_EXPECT(strcmp(Buffer, "7              ") == 0);
    KT_EXPECT_EQ(ksnprintf(Buffer, sizeof(Buffer), "%.2147483647d", 5), 2147483647);
    KT_EXPECT(strcmp(Buffer, "000000000000000") == 0);
    KT_EXPECT_EQ(ksnprintf(Buffer, sizeof(Buffer), "%+.2147483647d", 5), -1);
    KT_EXPECT_EQ(ksnprintf(Buffer, sizeof(Buffer), "%#.2147483647x", 5), -1);
    KT_EXPECT_EQ(ksnprintf(Buffer, sizeof(Buffer), "%#2147483647x", 5), 2147483647);
}

/*
 * Widths and precisions at the 32-bit edge, where glibc gives -1 past INT_MAX (and takes
 * minutes to count two billion spaces, so it cannot be the reference here): no signed
 * overflow (UBSan would stop the test), the buffer cut as usual, at once.
 */
KTEST(printf_host, widths_and_precisions_at_int_max)
{
    char Buffer[8];

    /* -INT_MIN as a width: past INT_MAX (what the buffer holds then is not C's to say). */
    KT_EXPECT_EQ(ksnprintf(Buffer, sizeof(Buffer), "%*d|", INT_MIN, 1), -1);
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
