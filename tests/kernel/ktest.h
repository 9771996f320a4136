/*
 * ktest.h: the self-test framework, in the kernel and on the host.
 *
 *     KTEST(pool, zero_byte_allocation_is_valid) { ... KT_EXPECT_EQ(a, b); ... }
 *     KTEST_BUGCHECK(pool, double_free_stops, 0xC2) { ... }
 *
 * Cases register themselves through the ktest_cases linker section, so a new
 * file under tests/kernel/ needs no list to be edited. Cases run sorted by suite,
 * then by file and line. A KTEST_BUGCHECK case passes only when the kernel
 * stops with that code (and the parameters set by KT_BUGCHECK_PARAMETER, when
 * any); each one runs in its own boot. EXPECT checks record a failure and go
 * on; ASSERT checks end the case. A failure prints file, line, expression and
 * both values as KTAP diagnostics.
 */
#ifndef NTMM_KTEST_H
#define NTMM_KTEST_H

#include <ntddk.h>

typedef struct _KTEST_CASE {
    PCSTR Suite;
    PCSTR Name;
    PCSTR File;
    ULONG Line;
    VOID (*Function)(VOID);
    ULONG BugCheckCode;
    BOOLEAN ExpectsBugCheck;
} KTEST_CASE, *PKTEST_CASE;

/*
 * The record is a global symbol on purpose: a second KTEST(suite, name) in
 * another file is a "multiple definition of KtRecord_suite__name" link
 * error, so two cases can never report under one name.
 */
#define KTEST_DEFINE_(suite, name, expects, code)                                   \
    static VOID KtCase_##suite##__##name(VOID);                                     \
    extern const KTEST_CASE KtRecord_##suite##__##name;                             \
    const KTEST_CASE KtRecord_##suite##__##name                                     \
        __attribute__((used, section("ktest_cases"), aligned(sizeof(PVOID)))) = {   \
        #suite, #name, __FILE__, __LINE__, KtCase_##suite##__##name, (code), (expects) \
    };                                                                              \
    static VOID KtCase_##suite##__##name(VOID)

#define KTEST(suite, name) KTEST_DEFINE_(suite, name, FALSE, 0)
#define KTEST_BUGCHECK(suite, name, code) KTEST_DEFINE_(suite, name, TRUE, (code))

/* Values are compared as 64-bit unsigned numbers; pointers, bitfields and enums all work. */
ULONGLONG KtValue(const VOID *Value, SIZE_T Size);
#define KT_VALUE_(x) KtValue(&(__typeof__((x) + 0)){ (x) }, sizeof((x) + 0))

BOOLEAN KtCheck(BOOLEAN Passed, PCSTR File, ULONG Line, PCSTR Expression);
BOOLEAN KtCheckCompare(ULONGLONG Left, ULONGLONG Right, BOOLEAN Equal, PCSTR File, ULONG Line,
                       PCSTR LeftText, PCSTR RightText);
DECLSPEC_NORETURN VOID KtAbortCase(VOID);
DECLSPEC_NORETURN VOID KtSkipCase(PCSTR Reason);

#define KT_EXPECT(c) ((void)KtCheck(!!(c), __FILE__, __LINE__, #c))
#define KT_EXPECT_EQ(a, b) \
    ((void)KtCheckCompare(KT_VALUE_(a), KT_VALUE_(b), TRUE, __FILE__, __LINE__, #a, #b))
#define KT_EXPECT_NE(a, b) \
    ((void)KtCheckCompare(KT_VALUE_(a), KT_VALUE_(b), FALSE, __FILE__, __LINE__, #a, #b))
#define KT_ASSERT(c) \
    do { if (!KtCheck(!!(c), __FILE__, __LINE__, #c)) KtAbortCase(); } while (0)
#define KT_ASSERT_EQ(a, b) \
    do { if (!KtCheckCompare(KT_VALUE_(a), KT_VALUE_(b), TRUE, __FILE__, __LINE__, #a, #b)) KtAbortCase(); } while (0)
#define KT_ASSERT_NE(a, b) \
    do { if (!KtCheckCompare(KT_VALUE_(a), KT_VALUE_(b), FALSE, __FILE__, __LINE__, #a, #b)) KtAbortCase(); } while (0)
#define KT_SKIP(why) KtSkipCase(why)

/*
 * In a KTEST_BUGCHECK case: the stop must also carry Value as parameter
 * Index (1-4). Parameters not named are not checked.
 */
VOID KtExpectBugCheckParameter(ULONG Index, ULONG_PTR Value);
#define KT_BUGCHECK_PARAMETER(Index, Value) KtExpectBugCheckParameter((Index), (ULONG_PTR)(Value))

/* How many normal cases KtRunTests has run, by result (the host's summary line). */
typedef struct _KTEST_COUNTS {
    ULONG Passed, Failed, Skipped;
} KTEST_COUNTS, *PKTEST_COUNTS;
VOID KtQueryCounts(PKTEST_COUNTS Counts);

/* Diagnostics inside a case, printed as KTAP "#" lines. */
VOID KtLog(PCSTR Format, ...) __attribute__((format(printf, 1, 2)));

#endif
