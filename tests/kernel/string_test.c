/* string_test.c: lib/string.c in the kernel, where its mem* and str* are the only ones; tests/fuzz/string_fuzz.c compares it with the C library's. */
#include "ktest.h"
#include <string.h>

static ULONG ParsedLength(PCSTR Text, int Base, ULONG Expected)
{
    char *End = NULL;

    KT_EXPECT_EQ(strtoul(Text, &End, Base), Expected);
    return (ULONG)(End - Text);
}

/* Where parsing ends, as C says: found by the fuzzer against glibc's strtoull. */
KTEST(string, strtoul_ends_where_c_does)
{
    /* No number: End is the string itself, blanks included. */
    KT_EXPECT_EQ(ParsedLength("", 10, 0), 0);
    KT_EXPECT_EQ(ParsedLength(" \t ", 10, 0), 0);
    KT_EXPECT_EQ(ParsedLength("  z", 10, 0), 0);
    /* 0x with no hex digit after it is the number 0, and the x is not read. */
    KT_EXPECT_EQ(ParsedLength("0x", 16, 0), 1);
    KT_EXPECT_EQ(ParsedLength("0xg", 0, 0), 1);
    KT_EXPECT_EQ(ParsedLength(" 0X", 0, 0), 2);
    /* What was right stays right. */
    KT_EXPECT_EQ(ParsedLength(" 0x1F!", 0, 0x1F), 5);
    KT_EXPECT_EQ(ParsedLength("0x1f", 16, 0x1F), 4);
    KT_EXPECT_EQ(ParsedLength("0755", 0, 0755), 4);
    KT_EXPECT_EQ(ParsedLength("09", 0, 0), 1);
    KT_EXPECT_EQ(ParsedLength("\t42 ", 10, 42), 3);
    KT_EXPECT_EQ(ParsedLength("zz", 36, 35 * 36 + 35), 2);
    /* No overflow detection: the value wraps. */
    KT_EXPECT_EQ(ParsedLength("4294967297", 10, 1), 10);
}
