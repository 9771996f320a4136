/* printf_test.c: the formatting core behind DbgPrint, in the kernel (the host runs its own copy), and DbgPrint. */
#include "ktest.h"
#include <ke.h>
#include <kprintf.h>
#include <string.h>

static PCSTR Format(PCHAR Buffer, SIZE_T Size, PCSTR Fmt, ...) __attribute__((format(printf, 3, 4)));
static PCSTR Format(PCHAR Buffer, SIZE_T Size, PCSTR Fmt, ...)
{
    va_list Args;

    va_start(Args, Fmt);
    kvsnprintf(Buffer, Size, Fmt, Args);
    va_end(Args);
    return Buffer;
}

#define KT_EXPECT_FORMAT(Expected, ...) \
    do { CHAR Buffer_[96]; KT_EXPECT(strcmp(Format(Buffer_, sizeof(Buffer_), __VA_ARGS__), Expected) == 0); \
         if (strcmp(Buffer_, Expected) != 0) KtLog("got \"%s\", expected \"%s\"", Buffer_, Expected); } while (0)

KTEST(printf, integers)
{
    KT_EXPECT_FORMAT("42 -42 4294967254", "%d %i %u", 42, -42, (ULONG)-42);
    KT_EXPECT_FORMAT("c0000005 C0000005", "%x %X", 0xC0000005u, 0xC0000005u);
    KT_EXPECT_FORMAT("0x0000BEEF", "0x%08X", 0xBEEFu);
    KT_EXPECT_FORMAT("-2147483648", "%d", (LONG)0x80000000);
    KT_EXPECT_FORMAT("0", "%u", 0u);
    KT_EXPECT_FORMAT("17", "%o", 15u);
}

KTEST(printf, sixty_four_bit)
{
    KT_EXPECT_FORMAT("-9223372036854775808", "%lld", (LONGLONG)0x8000000000000000ULL);
    KT_EXPECT_FORMAT("18446744073709551615", "%llu", ~0ULL);
    KT_EXPECT_FORMAT("123456789abcdef0", "%llx", 0x123456789ABCDEF0ULL);
    KT_EXPECT_FORMAT("00000001FFFFFFFF", "%016llX", 0x1FFFFFFFFULL);
}

/* intmax_t is 64 bits and size_t and ptrdiff_t 32 on i386: found by tests/fuzz/printf_fuzz.c. */
KTEST(printf, j_reads_intmax_t_and_z_t_read_thirty_two_bits)
{
    KT_EXPECT_FORMAT("-1 7", "%jd %d", (LONGLONG)-1, 7);
    KT_EXPECT_FORMAT("281470681743360|", "%ju|", (ULONGLONG)0xFFFF00000000ULL);
    KT_EXPECT_FORMAT("ffffffff 7", "%zx %d", (SIZE_T)-1, 7);
    KT_EXPECT_FORMAT("-2 7", "%td %d", (LONG_PTR)-2, 7);
}

KTEST(printf, width_padding_and_flags)
{
    KT_EXPECT_FORMAT("[   42]", "[%5d]", 42);
    KT_EXPECT_FORMAT("[42   ]", "[%-5d]", 42);
    KT_EXPECT_FORMAT("[00042]", "[%05d]", 42);
    KT_EXPECT_FORMAT("[-0042]", "[%05d]", -42);
    KT_EXPECT_FORMAT("[  042]", "[%5.3d]", 42);
    KT_EXPECT_FORMAT("[+42]", "[%+d]", 42);
    KT_EXPECT_FORMAT("[0x2a]", "[%#x]", 42);
    KT_EXPECT_FORMAT("[   7]", "[%*d]", 4, 7);
}

KTEST(printf, strings_chars_and_pointers)
{
    PCSTR volatile Null = NULL; /* hidden from the compiler's own %s checks */

    KT_EXPECT_FORMAT("[abc]", "[%s]", "abc");
    KT_EXPECT_FORMAT("[  abc]", "[%5s]", "abc");
    KT_EXPECT_FORMAT("[ab]", "[%.2s]", "abc");
    KT_EXPECT_FORMAT("[(null)]", "[%s]", Null);
    KT_EXPECT_FORMAT("[]", "[%.3s]", Null);      /* glibc's output: no "(nu" */
    KT_EXPECT_FORMAT("[x]", "[%c]", 'x');
    KT_EXPECT_FORMAT("[80100000]", "[%p]", (PVOID)0x80100000);
    KT_EXPECT_FORMAT("[00000000]", "[%p]", (PVOID)NULL);
    KT_EXPECT_FORMAT("100%", "100%%");
}

KTEST(printf, truncates_and_returns_the_full_length)
{
    CHAR Buffer[8];

    memset(Buffer, 'X', sizeof(Buffer));
    KT_EXPECT_EQ(ksnprintf(Buffer, 5, "%s", "abcdefgh"), 8);
    KT_EXPECT(strcmp(Buffer, "abcd") == 0);
    KT_EXPECT_EQ(Buffer[5], 'X');
    KT_EXPECT_EQ(ksnprintf(NULL, 0, "%d", 12345), 5);
}

static CHAR PrintSent[DBGPRINT_MAXIMUM_LENGTH];
static ULONG PrintSentLength;

static VOID RecordPrint(PCSTR Text, ULONG Length)
{
    PrintSentLength = Length;
    memcpy(PrintSent, Text, Length < sizeof(PrintSent) ? Length : sizeof(PrintSent));
}

/* The lines printed are KTAP diagnostics, so the log stays readable. */
KTEST(printf, dbgprint_sends_at_most_512_bytes_and_ends_a_cut_message_with_its_newline)
{
    CHAR Long[600];
    volatile int HugeWidth = 0x7FFFFFFF;

    memset(Long, 'x', sizeof(Long) - 1);
    Long[sizeof(Long) - 1] = '\0';
    KiDebugPrintHook = RecordPrint;
    DbgPrint("    # %s\n", Long);
    KT_EXPECT_EQ(PrintSentLength, DBGPRINT_MAXIMUM_LENGTH);
    KT_EXPECT_EQ(PrintSent[DBGPRINT_MAXIMUM_LENGTH - 2], 'x');
    KT_EXPECT_EQ(PrintSent[DBGPRINT_MAXIMUM_LENGTH - 1], '\n');

    /* 511 characters and the NUL fit: sent whole. */
    DbgPrint("    # %.*s\n", DBGPRINT_MAXIMUM_LENGTH - 8, Long);
    KT_EXPECT_EQ(PrintSentLength, DBGPRINT_MAXIMUM_LENGTH - 1);
    KT_EXPECT_EQ(PrintSent[DBGPRINT_MAXIMUM_LENGTH - 2], '\n');

    /* A message longer than an int can count (formatting says -1) is cut like any other. */
    DbgPrint("    # %*d%d\n", HugeWidth, 1, 2);
    KT_EXPECT_EQ(PrintSentLength, DBGPRINT_MAXIMUM_LENGTH);
    KT_EXPECT_EQ(PrintSent[DBGPRINT_MAXIMUM_LENGTH - 2], ' ');
    KT_EXPECT_EQ(PrintSent[DBGPRINT_MAXIMUM_LENGTH - 1], '\n');
    KiDebugPrintHook = NULL;
}

/* A driver's DbgPrint of a UNICODE_STRING: this file is driver code to GCC, so %wZ compiles. */
KTEST(printf, dbgprint_prints_a_unicode_string_with_wZ)
{
    UNICODE_STRING Name = RTL_CONSTANT_STRING(L"\\Device\\Sample");
    LONGLONG Big = 0x100000000LL;

    KiDebugPrintHook = RecordPrint;
    DbgPrint("    # %wZ is %u bytes, %I64x\n", &Name, Name.Length, Big);
    KiDebugPrintHook = NULL;
    KT_EXPECT_EQ(PrintSentLength, strlen("    # \\Device\\Sample is 28 bytes, 100000000\n"));
    KT_EXPECT(memcmp(PrintSent, "    # \\Device\\Sample is 28 bytes, 100000000\n", PrintSentLength) == 0);
}

/* kvsnprintf gives -1 for a message past INT_MAX bytes: DbgPrint cuts it as any long one, not sends 4 GB. */
KTEST(printf, dbgprint_of_a_message_past_int_max_sends_512_bytes)
{
    LONG volatile Width = MAXLONG;  /* hidden from the compiler's own length checks */

    KiDebugPrintHook = RecordPrint;
    DbgPrint("    # %*s%s\n", Width, "a field of two billion spaces", "and more");
    KT_EXPECT_EQ(PrintSentLength, DBGPRINT_MAXIMUM_LENGTH);
    KT_EXPECT_EQ(PrintSent[DBGPRINT_MAXIMUM_LENGTH - 2], ' ');
    KT_EXPECT_EQ(PrintSent[DBGPRINT_MAXIMUM_LENGTH - 1], '\n');
    KiDebugPrintHook = NULL;
}
