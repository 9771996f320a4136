/* rtlstring_test.c: RtlInitString, RtlInitAnsiString, RtlInitUnicodeString and the empty forms, at the USHORT edge too. */
#include "ktest.h"

#define TAG 'rtsR'

KTEST(rtl_string, init_counts_bytes_without_and_with_the_nul)
{
    UNICODE_STRING Unicode;
    ANSI_STRING Ansi;
    STRING String;

    RtlInitUnicodeString(&Unicode, L"Device");
    KT_EXPECT_EQ(Unicode.Length, 12);
    KT_EXPECT_EQ(Unicode.MaximumLength, 14);
    KT_EXPECT_EQ(Unicode.Buffer[5], L'e');
    RtlInitAnsiString(&Ansi, "Device");
    KT_EXPECT_EQ(Ansi.Length, 6);
    KT_EXPECT_EQ(Ansi.MaximumLength, 7);
    RtlInitString(&String, "");
    KT_EXPECT_EQ(String.Length, 0);
    KT_EXPECT_EQ(String.MaximumLength, 1);
    KT_EXPECT(String.Buffer != NULL);
    /* A NULL source: an empty string with no buffer. */
    RtlInitUnicodeString(&Unicode, NULL);
    KT_EXPECT(Unicode.Length == 0 && Unicode.MaximumLength == 0 && Unicode.Buffer == NULL);
    RtlInitAnsiString(&Ansi, NULL);
    KT_EXPECT(Ansi.Length == 0 && Ansi.MaximumLength == 0 && Ansi.Buffer == NULL);
}

/* A source longer than a USHORT counts is described as far as one does, as NT's free build does. */
KTEST(rtl_string, init_stops_at_the_largest_length_a_ushort_holds)
{
    PWCHAR Wide = ExAllocatePoolWithTag(NonPagedPool, 0x10004, TAG);
    PCHAR Narrow = (PCHAR)Wide;
    UNICODE_STRING Unicode;
    ANSI_STRING Ansi;

    KT_ASSERT(Wide != NULL);
    for (ULONG i = 0; i < 0x8001; i++)
        Wide[i] = L'W';
    Wide[0x8001] = 0;
    RtlInitUnicodeString(&Unicode, Wide);
    KT_EXPECT_EQ(Unicode.Length, 0xFFFC);
    KT_EXPECT_EQ(Unicode.MaximumLength, 0xFFFE);
    Wide[0x7FFE] = 0;                                  /* 0x7FFE characters: exactly the largest */
    RtlInitUnicodeString(&Unicode, Wide);
    KT_EXPECT_EQ(Unicode.Length, 0xFFFC);
    Wide[0x7FFD] = 0;
    RtlInitUnicodeString(&Unicode, Wide);
    KT_EXPECT_EQ(Unicode.Length, 0xFFFA);
    KT_EXPECT_EQ(Unicode.MaximumLength, 0xFFFC);

    RtlFillMemory(Narrow, 0x10003, 'N');
    Narrow[0x10003] = '\0';
    RtlInitAnsiString(&Ansi, Narrow);
    KT_EXPECT_EQ(Ansi.Length, 0xFFFE);
    KT_EXPECT_EQ(Ansi.MaximumLength, 0xFFFF);
    ExFreePoolWithTag(Wide, TAG);
}

KTEST(rtl_string, init_empty_describes_the_callers_buffer)
{
    WCHAR WideBuffer[8];
    CHAR Buffer[5];
    UNICODE_STRING Unicode;
    ANSI_STRING Ansi;

    RtlInitEmptyUnicodeString(&Unicode, WideBuffer, sizeof(WideBuffer));
    KT_EXPECT(Unicode.Length == 0 && Unicode.MaximumLength == 16 && Unicode.Buffer == WideBuffer);
    RtlInitEmptyAnsiString(&Ansi, Buffer, sizeof(Buffer));
    KT_EXPECT(Ansi.Length == 0 && Ansi.MaximumLength == 5 && Ansi.Buffer == Buffer);
}
