/*
 * ktest.c: runs the registered KTEST cases and reports them in KTAP version 1.
 *
 * Output: a top-level plan with one subtest per suite, each subtest indented
 * two spaces with its own version line, plan and one ok/not ok line per case.
 * The same file runs on the host (KTEST_HOST), where output goes to stdout
 * and bugcheck cases are not run.
 *
 * Kernel command line, read by KtRunTests:
 *   ktest=all | ktest=suite[,suite...] | ktest=suite.case
 *   ktest.after=suite.case   skip up to and including that case (the runner
 *                            resumes with it after a case crashed the boot)
 *   ktest.normal             never run a KTEST_BUGCHECK case in this boot
 *                            (the runner's boots for the normal cases)
 *   ktest.list               list the selected cases and run none
 * With the verifier's low-resources simulation on (verifier=lowres), each
 * case starts the stream of failures again under a salt made of its name,
 * so a case fails the same requests run alone as in a whole run; a case
 * whose first failed check came after a request failed on purpose is
 * reported as skipped (the failure it met was the simulation's, reported
 * to it as it should be), while a stop, a hang, a leak or a broken
 * invariant still fails. A case the simulation did not touch is judged as
 * always.
 * A filter that names exactly one KTEST_BUGCHECK case runs it (unless
 * ktest.normal); otherwise the bugcheck cases are only listed
 * ("# ktest-bugcheck suite.case code") for the runner to start, each in a
 * boot of its own. Normal cases are listed too ("# ktest-case suite.case")
 * before any runs. A filter that selects nothing is a failure, not an empty
 * pass: it is almost always a misspelt name.
 */
#include "ktest.h"
#include "ktest_platform.h"

extern const KTEST_CASE __start_ktest_cases[], __stop_ktest_cases[];

#define KT_MAXIMUM_CASES 4096
#define KT_FILTER_LENGTH 256

static const KTEST_CASE *KtCases[KT_MAXIMUM_CASES];
static ULONG KtCaseCount;

static const KTEST_CASE *KtCurrentCase;
static ULONG KtCurrentNumber;
static ULONG KtCurrentFailures;
static BOOLEAN KtFailedAfterInjection;     /* the first failed check came after a request failed on purpose */
static PCSTR KtCurrentSkip;
static KT_JUMP_BUFFER KtAbortJump;
static ULONG_PTR KtExpectedParameters[4];
static BOOLEAN KtParameterChecked[4];
static KTEST_COUNTS KtCounts;

ULONGLONG KtValue(const VOID *Value, SIZE_T Size)
{
    ULONGLONG Result = 0;

    KtCopyMemory(&Result, Value, Size < sizeof(Result) ? Size : sizeof(Result));
    return Result;
}

static VOID KtFail(PCSTR File, ULONG Line)
{
    if (KtCurrentFailures == 0)
        KtFailedAfterInjection = KtPlatformInjectedFailures() != 0;
    KtCurrentFailures++;
    KtPrint("    # %s:%u: check failed\n", File, Line);
}

BOOLEAN KtCheck(BOOLEAN Passed, PCSTR File, ULONG Line, PCSTR Expression)
{
    if (!Passed) {
        KtFail(File, Line);
        KtPrint("    # expected: %s\n", Expression);
    }
    return Passed;
}

BOOLEAN KtCheckCompare(ULONGLONG Left, ULONGLONG Right, BOOLEAN Equal, PCSTR File, ULONG Line,
                       PCSTR LeftText, PCSTR RightText)
{
    BOOLEAN Passed = (Left == Right) == Equal;

    if (!Passed) {
        KtFail(File, Line);
        KtPrint("    # expected: %s %s %s\n", LeftText, Equal ? "==" : "!=", RightText);
        KtPrint("    #   %s = 0x%llX (%lld)\n", LeftText, Left, (LONGLONG)Left);
        KtPrint("    #   %s = 0x%llX (%lld)\n", RightText, Right, (LONGLONG)Right);
    }
    return Passed;
}

VOID KtAbortCase(VOID)
{
    KtLongJump(&KtAbortJump);
}

VOID KtSkipCase(PCSTR Reason)
{
    KtCurrentSkip = Reason;
    KtLongJump(&KtAbortJump);
}

VOID KtExpectBugCheckParameter(ULONG Index, ULONG_PTR Value)
{
    if (Index >= 1 && Index <= 4) {
        KtExpectedParameters[Index - 1] = Value;
        KtParameterChecked[Index - 1] = TRUE;
    }
}

VOID KtLog(PCSTR Format, ...)
{
    va_list Args;

    va_start(Args, Format);
    KtPrint("    # ");
    KtVPrint(Format, Args);
    KtPrint("\n");
    va_end(Args);
}

static int KtCompareCases(const KTEST_CASE *a, const KTEST_CASE *b)
{
    int Order = KtStringCompare(a->Suite, b->Suite);

    if (Order == 0)
        Order = KtStringCompare(a->File, b->File);
    if (Order == 0)
        Order = (a->Line > b->Line) - (a->Line < b->Line);
    return Order;
}

static VOID KtSortCases(VOID)
{
    for (ULONG i = 1; i < KtCaseCount; i++) {
        const KTEST_CASE *Case = KtCases[i];
        ULONG j = i;

        while (j > 0 && KtCompareCases(KtCases[j - 1], Case) > 0) {
            KtCases[j] = KtCases[j - 1];
            j--;
        }
        KtCases[j] = Case;
    }
}

/* Does "suite" or "suite.case" (Length characters at Item) name this case? */
static BOOLEAN KtItemMatches(PCSTR Item, ULONG Length, const KTEST_CASE *Case)
{
    ULONG SuiteLength = KtStringLength(Case->Suite);

    if (Length == 3 && KtStringCompareN(Item, "all", 3) == 0)
        return TRUE;
    if (Length < SuiteLength || KtStringCompareN(Item, Case->Suite, SuiteLength) != 0)
        return FALSE;
    if (Length == SuiteLength)
        return TRUE;
    return Item[SuiteLength] == '.' && Length - SuiteLength - 1 == KtStringLength(Case->Name) &&
           KtStringCompareN(Item + SuiteLength + 1, Case->Name, Length - SuiteLength - 1) == 0;
}

static BOOLEAN KtFilterMatches(PCSTR Filter, const KTEST_CASE *Case)
{
    PCSTR Item = Filter;

    if (*Filter == '\0' || *Filter == ' ')
        return TRUE;
    while (*Item != '\0' && *Item != ' ') {
        ULONG Length = 0;

        while (Item[Length] != '\0' && Item[Length] != ' ' && Item[Length] != ',')
            Length++;
        if (KtItemMatches(Item, Length, Case))
            return TRUE;
        Item += Length;
        if (*Item == ',')
            Item++;
    }
    return FALSE;
}

static VOID KtCollectCases(PCSTR Filter, PCSTR After)
{
    BOOLEAN Skipping = After != NULL && *After != '\0';

    for (const KTEST_CASE *Case = __start_ktest_cases; Case < __stop_ktest_cases; Case++) {
        if (KtFilterMatches(Filter, Case) && KtCaseCount < KT_MAXIMUM_CASES)
            KtCases[KtCaseCount++] = Case;
    }
    KtSortCases();
    if (Skipping) {
        ULONG Kept = 0;

        for (ULONG i = 0; i < KtCaseCount; i++) {
            if (!Skipping)
                KtCases[Kept++] = KtCases[i];
            else if (KtItemMatches(After, KtStringLength(After), KtCases[i]))
                Skipping = FALSE;
        }
        KtCaseCount = Kept;
    }
}

static VOID KtReportCase(ULONG Number, const KTEST_CASE *Case, BOOLEAN Passed, PCSTR Directive)
{
    KtPrint("  %s %u %s%s%s\n", Passed ? "ok" : "not ok", Number, Case->Name,
            Directive != NULL ? " # " : "", Directive != NULL ? Directive : "");
}

/* The salt of a case's stream of injected failures: a hash of "suite.case", the same in every run. */
static ULONG KtCaseSalt(const KTEST_CASE *Case)
{
    ULONG Hash = 2166136261u;

    for (PCSTR Text = Case->Suite; *Text != '\0'; Text++)
        Hash = (Hash ^ (UCHAR)*Text) * 16777619u;
    Hash = (Hash ^ '.') * 16777619u;
    for (PCSTR Text = Case->Name; *Text != '\0'; Text++)
        Hash = (Hash ^ (UCHAR)*Text) * 16777619u;
    return Hash;
}

/* Did the case fail only after the low-resources simulation failed a request for it? Says so if it did. */
static BOOLEAN KtExcusedByLowResources(VOID)
{
    if (KtCurrentFailures == 0 || !KtFailedAfterInjection)
        return FALSE;
    KtCurrentSkip = "low resources: a request failed on purpose before the first failed check";
    return TRUE;
}

/* Runs one case; returns TRUE when it passed or was skipped. */
static BOOLEAN KtRunCase(ULONG Number, const KTEST_CASE *Case)
{
    KT_PLATFORM_CASE_STATE State;
    BOOLEAN Passed;
    KtCurrentCase = Case;
    KtCurrentNumber = Number;
    KtCurrentFailures = 0;
    KtFailedAfterInjection = FALSE;
    KtCurrentSkip = NULL;
    BOOLEAN Returned = FALSE;

    KtPlatformBeginCase(&State, KtCaseSalt(Case));
    if (KtSetJump(&KtAbortJump) == 0) {
        Case->Function();
        Returned = TRUE;
    }
    KtPlatformEndCase(&State, Case, Returned);
    /* The excuse covers failed checks, never what the case left behind (a leak, an IRQL, an attach). */
    if (KtExcusedByLowResources())
        KtCurrentFailures = 0;
    if (KtPlatformCaseLeftStateBroken(&State)) {
        KtCurrentFailures++;
        KtCurrentSkip = NULL;
    }

    Passed = KtCurrentFailures == 0;
    if (Passed && KtCurrentSkip != NULL) {
        KtPrint("  ok %u %s # SKIP %s\n", Number, Case->Name, KtCurrentSkip);
        KtCounts.Skipped++;
    } else {
        KtReportCase(Number, Case, Passed, NULL);
        if (Passed)
            KtCounts.Passed++;
        else
            KtCounts.Failed++;
    }
    KtCurrentCase = NULL;
    return Passed;
}

static ULONG KtSuiteEnd(ULONG First)
{
    ULONG End = First;

    while (End < KtCaseCount && KtStringCompare(KtCases[End]->Suite, KtCases[First]->Suite) == 0)
        End++;
    return End;
}

/*
 * Stop hook for a boot that runs one KTEST_BUGCHECK case: judge the stop and
 * finish the KTAP document, so the runner reads the verdict from the log.
 * In any other boot a stop is a crash of the running case. Returns TRUE
 * only for the stop a bugcheck case expected, which the kernel reports with
 * its own exit code.
 */
static BOOLEAN KtBugCheckCaseRunning;

BOOLEAN KtBugCheckHook(ULONG BugCheckCode, const ULONG_PTR Parameters[4])
{
    const KTEST_CASE *Case = KtCurrentCase;
    BOOLEAN Passed;

    if (Case == NULL) {
        KtPrint("# ktest: stopped outside a test case\n");
        return FALSE;
    }
    if (!KtBugCheckCaseRunning) {
        KtPrint("    # the case stopped the system with 0x%08X\n", BugCheckCode);
        KtReportCase(KtCurrentNumber, Case, FALSE, NULL);
        KtPrint("# ktest: crashed in %s.%s\n", Case->Suite, Case->Name);
        return FALSE;
    }

    /* A check that failed on the way to the stop fails the case, whatever the stop. */
    Passed = BugCheckCode == Case->BugCheckCode && KtCurrentFailures == 0;
    if (KtCurrentFailures != 0)
        KtPrint("    # %u checks failed before the stop\n", KtCurrentFailures);
    if (BugCheckCode != Case->BugCheckCode)
        KtPrint("    # stopped with 0x%08X, expected 0x%08X\n", BugCheckCode, Case->BugCheckCode);
    for (ULONG i = 0; i < 4; i++) {
        if (KtParameterChecked[i] && Parameters[i] != KtExpectedParameters[i]) {
            KtPrint("    # parameter %u is 0x%08X, expected 0x%08X\n", i + 1,
                    (ULONG)Parameters[i], (ULONG)KtExpectedParameters[i]);
            Passed = FALSE;
        }
    }
    KtReportCase(1, Case, Passed, NULL);
    KtPrint("%s 1 %s\n", Passed ? "ok" : "not ok", Case->Suite);
    KtPrint("# ktest: done\n");
    return Passed;
}

/*
 * Runs a KTEST_BUGCHECK case alone. Its stop ends the boot through the
 * hook; reaching the end here means it did not stop (a failure), skipped
 * (the machine lacks what it needs: a pass with SKIP, return 0, unless a
 * check failed first) or ended on a failed ASSERT. Returns the failures.
 */
static ULONG KtRunBugCheckCase(const KTEST_CASE *Case)
{
    KtPrint("KTAP version 1\n1..1\n");
    KtPrint("  KTAP version 1\n  # Subtest: %s\n  1..1\n", Case->Suite);
    KtBugCheckCaseRunning = TRUE;
    KtCurrentCase = Case;
    KtCurrentNumber = 1;
    KtCurrentFailures = 0;
    KtFailedAfterInjection = FALSE;
    KtCurrentSkip = NULL;
    if (KtSetJump(&KtAbortJump) == 0)
        KtPlatformRunBugCheckCase(Case, KtCaseSalt(Case));
    KtBugCheckCaseRunning = FALSE;
    /* A request failed on purpose may keep the case from its stop: unless a check failed first, a skip. */
    if (KtPlatformInjectedFailures() != 0 && (KtCurrentFailures == 0 || KtFailedAfterInjection)) {
        KtCurrentSkip = "low resources: a request failed on purpose before the stop";
        KtCurrentFailures = 0;
    }
    if (KtCurrentSkip != NULL && KtCurrentFailures == 0) {
        KtPrint("  ok 1 %s # SKIP %s\nok 1 %s\n# ktest: done\n", Case->Name, KtCurrentSkip, Case->Suite);
        return 0;
    }
    if (KtCurrentSkip != NULL)
        KtPrint("    # the case skipped after a check failed\n");
    else
        KtPrint("    # the case returned; it should have stopped with 0x%08X\n", Case->BugCheckCode);
    KtReportCase(1, Case, FALSE, NULL);
    KtPrint("not ok 1 %s\n# ktest: done\n", Case->Suite);
    return 1;
}

/* The normal cases run so far by result (invariant checks not counted). */
VOID KtQueryCounts(PKTEST_COUNTS Counts)
{
    *Counts = KtCounts;
}

/* Runs the cases the filter selects and prints them as one KTAP document. Returns the failures. */
ULONG KtRunTests(PCSTR Filter)
{
    CHAR FilterCopy[KT_FILTER_LENGTH], AfterCopy[KT_FILTER_LENGTH];
    PCSTR After = NULL;
    ULONG Suites = 0, SuiteNumber = 0, Failures = 0;

    KtPlatformInstallHook();
    KtCopyWord(FilterCopy, Filter, sizeof(FilterCopy));
    if (KtPlatformOption("ktest.after", &After))
        KtCopyWord(AfterCopy, After, sizeof(AfterCopy));
    KtCollectCases(FilterCopy, After != NULL ? AfterCopy : NULL);

    if (KtCaseCount == 0 && After == NULL) {
        KtPrint("# ktest: no case matches '%s'\nKTAP version 1\n1..0\n# ktest: done\n", FilterCopy);
        return 1;
    }
    if (KtCaseCount == 1 && KtCases[0]->ExpectsBugCheck && !KtPlatformOption("ktest.normal", NULL) &&
        !KtPlatformOption("ktest.list", NULL)) {
        return KtRunBugCheckCase(KtCases[0]);
    }

    /* The whole list first, so a runner can tell which case a dead boot never reported. */
    for (ULONG i = 0; i < KtCaseCount; i++) {
        if (KtCases[i]->ExpectsBugCheck)
            KtPrint("# ktest-bugcheck %s.%s 0x%08X\n", KtCases[i]->Suite, KtCases[i]->Name,
                    KtCases[i]->BugCheckCode);
        else
            KtPrint("# ktest-case %s.%s\n", KtCases[i]->Suite, KtCases[i]->Name);
    }
    if (KtPlatformOption("ktest.list", NULL)) {
        KtPrint("# ktest: done\n");
        return 0;
    }
    for (ULONG First = 0; First < KtCaseCount; First = KtSuiteEnd(First)) {
        for (ULONG i = First; i < KtSuiteEnd(First); i++) {
            if (!KtCases[i]->ExpectsBugCheck) {
                Suites++;
                break;
            }
        }
    }

    KtPrint("KTAP version 1\n1..%u\n", Suites);
    for (ULONG First = 0, End; First < KtCaseCount; First = End) {
        ULONG Count = 0, Number = 0, SuiteFailures = 0;

        End = KtSuiteEnd(First);
        for (ULONG i = First; i < End; i++)
            Count += !KtCases[i]->ExpectsBugCheck;
        if (Count == 0)
            continue;
        KtPrint("  KTAP version 1\n  # Subtest: %s\n  1..%u\n", KtCases[First]->Suite,
                Count + KT_PLATFORM_HAS_INVARIANTS);
        KtPlatformBeginSuite(KtCases[First]->Suite);
        for (ULONG i = First; i < End; i++) {
            if (!KtCases[i]->ExpectsBugCheck && !KtRunCase(++Number, KtCases[i]))
                SuiteFailures++;
        }
        /* After every suite, the system's invariants: a suite that broke them fails. */
        if (KT_PLATFORM_HAS_INVARIANTS) {
            BOOLEAN Held = KtPlatformCheckInvariants(KtCases[First]->Suite);

            KtPrint("  %s %u invariants\n", Held ? "ok" : "not ok", ++Number);
            SuiteFailures += !Held;
        }
        KtPrint("%s %u %s\n", SuiteFailures == 0 ? "ok" : "not ok", ++SuiteNumber, KtCases[First]->Suite);
        Failures += SuiteFailures;
    }
    KtPlatformEndRun();
    KtPrint("# ktest: done\n");
    return Failures;
}
