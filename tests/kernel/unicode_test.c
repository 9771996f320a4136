/* unicode_test.c: RtlInitUnicodeString's lengths, an empty string, and the cap at what a USHORT counts. */
#include "ktest.h"

KTEST(rtl, init_unicode_string_counts_bytes_without_the_terminator)
{
    static const WCHAR Long[0x8001] = { [0 ... 0x7FFF] = u'x' };
    UNICODE_STRING String;

    RtlInitUnicodeString(&String, u"abc");
    KT_EXPECT_EQ(String.Length, 6);
    KT_EXPECT_EQ(String.MaximumLength, 8);
    KT_EXPECT_EQ(String.Buffer[2], u'c');
    RtlInitUnicodeString(&String, u"");
    KT_EXPECT_EQ(String.Length, 0);
    KT_EXPECT_EQ(String.MaximumLength, 2);
    RtlInitUnicodeString(&String, NULL);
    KT_EXPECT_EQ(String.Length, 0);
    KT_EXPECT_EQ(String.MaximumLength, 0);
    KT_EXPECT(String.Buffer == NULL);
    RtlInitUnicodeString(&String, Long);                  /* 0x8000 characters: more than a USHORT of bytes */
    KT_EXPECT_EQ(String.Length, 0xFFFC);
    KT_EXPECT_EQ(String.MaximumLength, 0xFFFE);
}
