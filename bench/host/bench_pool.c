/* bench_pool.c: make bench-host: the executive pool against glibc, mimalloc, jemalloc and tcmalloc in one process. */
#define _GNU_SOURCE
#include "bench_util.h"
#include <ex.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <gnu/libc-version.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BENCH_TAG 'hcnB'
#define BATCH 1024
#define ROUNDS 11                  /* odd, so the median is one measurement */
#define TIMED_PAIRS 102400         /* a few milliseconds per measurement */
#define COUNTED_PAIRS 102400       /* under callgrind: enough that warm-up effects vanish */
#define FAULT_PAGES 8192
#define FAULT_ROUNDS 7
#define ZERO_PAGES 64              /* 256 KB zeroed in turn: the cache holds it, as it would a page just freed */
#define ZERO_PASSES 256

static const size_t Sizes[] = { 16, 64, 256, 1024 };
#define NSIZES (sizeof(Sizes) / sizeof(Sizes[0]))

typedef struct {
    const char *Name;
    const char *Libraries[2];      /* tried in turn; none: linked in */
    const char *AllocSymbol, *FreeSymbol;
    void *(*Alloc)(size_t);
    void (*Free)(void *);
    char Version[64];
} CONTENDER;

/* jemalloc's entry points take flags and the pool's take a type and a tag: thin adapters give all one shape. */
static void *(*JeMallocx)(size_t, int);
static void (*JeDallocx)(void *, int);
static void *JeAlloc(size_t n) { return JeMallocx(n, 0); }
static void JeFree(void *p) { JeDallocx(p, 0); }
static void *NtAlloc(size_t n) { return ExAllocatePoolWithTag(NonPagedPool, n, BENCH_TAG); }
static void NtFree(void *p) { ExFreePoolWithTag(p, BENCH_TAG); }

/* The loop with nothing to call, so the harness's own share of each count can be read off. */
static char NullBlock[BATCH];
static void *__attribute__((noipa)) NullAlloc(size_t n) { (void)n; return NullBlock; }
static void __attribute__((noipa)) NullFree(void *p) { (void)p; }

enum { NTMM, GLIBC, MIMALLOC, JEMALLOC, TCMALLOC, NCONTENDERS, HARNESS = NCONTENDERS };

static CONTENDER Contenders[NCONTENDERS + 1] = {
    [NTMM] = { "ntmm", { NULL }, NULL, NULL, NtAlloc, NtFree, "" },
    [GLIBC] = { "glibc", { NULL }, NULL, NULL, malloc, free, "" },
    [MIMALLOC] = { "mimalloc", { "libmimalloc.so.2", "libmimalloc.so" }, "mi_malloc", "mi_free", NULL, NULL, "" },
    [JEMALLOC] = { "jemalloc", { "libjemalloc.so.2", "libjemalloc.so" }, "mallocx", "dallocx", JeAlloc, JeFree, "" },
    /* The minimal build: the full libtcmalloc adds the heap checker and profiler hooks, not allocator work. */
    [TCMALLOC] = { "tcmalloc", { "libtcmalloc_minimal.so.4", "libtcmalloc_minimal.so" }, "tc_malloc", "tc_free", NULL, NULL, "" },
    [HARNESS] = { "(harness)", { NULL }, NULL, NULL, NullAlloc, NullFree, "" },
};

/* The kernel's list-corruption stop, which the pool's list macros call. */
VOID RtlFailListEntry(PLIST_ENTRY Entry)
{
    fprintf(stderr, "bench_pool: list entry %p is corrupt\n", (void *)Entry);
    abort();
}

/* Each peer gets its own copy of its dependencies' symbol lookups (DEEPBIND), so none takes over malloc. */
static void LoadContender(CONTENDER *C)
{
    void *Library = NULL;

    if (C == &Contenders[NTMM]) {
        static int PoolReady;

        if (!PoolReady++)
            ExInitializePool();
        snprintf(C->Version, sizeof(C->Version), "kernel/ex, NonPagedPool, tag 'Bnch'");
        return;
    }
    if (C == &Contenders[GLIBC]) {
        snprintf(C->Version, sizeof(C->Version), "glibc %s", gnu_get_libc_version());
        return;
    }
    if (C->Libraries[0] == NULL)
        return;
    for (int i = 0; i < 2 && Library == NULL; i++)
        Library = dlopen(C->Libraries[i], RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
    if (Library == NULL)
        Fail("cannot load a peer (run 'make bench-host-deps'; jemalloc needs "
             "GLIBC_TUNABLES=glibc.rtld.optional_static_tls=65536)", dlerror());
    void *Alloc = dlsym(Library, C->AllocSymbol), *Free = dlsym(Library, C->FreeSymbol);
    if (Alloc == NULL || Free == NULL)
        Fail("a peer lacks its entry points", C->Name);
    if (C == &Contenders[JEMALLOC]) {
        int (*Mallctl)(const char *, void *, size_t *, void *, size_t) = dlsym(Library, "mallctl");
        const char *Version = "?";
        size_t Length = sizeof(Version);

        JeMallocx = (void *(*)(size_t, int))Alloc;
        JeDallocx = (void (*)(void *, int))Free;
        if (Mallctl != NULL)
            Mallctl("version", &Version, &Length, NULL, 0);
        snprintf(C->Version, sizeof(C->Version), "jemalloc %.20s (mallocx/dallocx)", Version);
        return;
    }
    C->Alloc = (void *(*)(size_t))Alloc;
    C->Free = (void (*)(void *))Free;
    if (C == &Contenders[MIMALLOC]) {
        int (*MiVersion)(void) = dlsym(Library, "mi_version");
        int V = MiVersion ? MiVersion() : 0;

        snprintf(C->Version, sizeof(C->Version), "mimalloc %d.%d.%d (mi_malloc/mi_free)", V / 100, V / 10 % 10, V % 10);
    } else {
        const char *(*TcVersion)(int *, int *, const char **) = dlsym(Library, "tc_version");

        snprintf(C->Version, sizeof(C->Version), "%s, minimal (tc_malloc/tc_free)",
                 TcVersion ? TcVersion(NULL, NULL, NULL) : "tcmalloc");
    }
}

static void *Slots[BATCH];

/* Batches free in allocation order: the oldest block first, as a queue of requests would. */
static void RunPairs(const CONTENDER *C, size_t Size, long Pairs, int Batched)
{
    void *(*Alloc)(size_t) = C->Alloc;
    void (*Free)(void *) = C->Free;

    if (!Batched) {
        for (long i = 0; i < Pairs; i++)
            Free(Alloc(Size));
        return;
    }
    for (long Done = 0; Done < Pairs; Done += BATCH) {
        for (int j = 0; j < BATCH; j++)
            Slots[j] = Alloc(Size);
        for (int j = 0; j < BATCH; j++)
            Free(Slots[j]);
    }
}

/* callgrind counts only inside this function (--toggle-collect); noipa keeps it a real, named call. */
__attribute__((noipa)) void BenchMeasured(const CONTENDER *C, size_t Size, long Pairs, int Batched)
{
    RunPairs(C, Size, Pairs, Batched);
}

/*
 * One batch's worth first, written to, so first-touch faults and lazy
 * set-up stay out of the figures. The kernel sets ntmm's lookaside depths
 * by a balance scan once a second; the host has no timer, so ntmm's
 * warm-up runs the scan after each of SCANS batches, as that many seconds
 * of this load would have.
 */
#define SCANS 10
static void WarmUp(const CONTENDER *C, size_t Size, int Batched)
{
    for (int Scan = 0; Scan < (C == &Contenders[NTMM] ? SCANS : 1); Scan++) {
        for (int j = 0; j < BATCH; j++) {
            Slots[j] = C->Alloc(Size);
            if (Slots[j] == NULL)
                Fail("an allocation failed", C->Name);
            ((volatile char *)Slots[j])[Size - 1] = 1;
            if (!Batched)
                C->Free(Slots[j]);
        }
        for (int j = 0; Batched && j < BATCH; j++)
            C->Free(Slots[j]);
        if (C == &Contenders[NTMM])
            ExAdjustLookasideDepth();
    }
}

static double Median(double *Values, int Count)
{
    qsort(Values, Count, sizeof(*Values), CompareDoubles);
    return Values[Count / 2];
}

/* --- instructions: one callgrind run of this program per contender, size and mode --- */

typedef struct {
    int Contender, SizeIndex, Batched;
    pid_t Pid;
    char OutFile[512];
    double PerPair;
} COUNT_JOB;

static void StartCount(COUNT_JOB *Job, const char *Self, const char *Work)
{
    char OutArg[600], LogFile[512], SizeArg[16], PairsArg[16];
    const char *Name = Contenders[Job->Contender].Name;
    posix_spawn_file_actions_t Actions;

    snprintf(Job->OutFile, sizeof(Job->OutFile), "%s/callgrind/%s-%s-%zu.out", Work,
             Job->Contender == HARNESS ? "harness" : Name, Job->Batched ? "batch" : "pair", Sizes[Job->SizeIndex]);
    snprintf(LogFile, sizeof(LogFile), "%.500s.log", Job->OutFile);
    snprintf(OutArg, sizeof(OutArg), "--callgrind-out-file=%s", Job->OutFile);
    snprintf(SizeArg, sizeof(SizeArg), "%zu", Sizes[Job->SizeIndex]);
    snprintf(PairsArg, sizeof(PairsArg), "%d", COUNTED_PAIRS);
    /* Valgrind maps low by default; the pool refuses blocks below MI_SYSTEM_RANGE_START as user addresses. */
    char *Argv[] = { "valgrind", "--tool=callgrind", "--aspace-minaddr=0x100000000", OutArg, "--collect-atstart=no",
                     "--toggle-collect=BenchMeasured",
                     (char *)Self, "--count", (char *)Name, SizeArg, Job->Batched ? "batch" : "pair", PairsArg, NULL };
    posix_spawn_file_actions_init(&Actions);
    posix_spawn_file_actions_addopen(&Actions, 2, LogFile, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (posix_spawnp(&Job->Pid, "valgrind", &Actions, NULL, Argv, environ) != 0)
        Fail("cannot start valgrind (run 'make bench-host-deps')", NULL);
    posix_spawn_file_actions_destroy(&Actions);
}

static void FinishCount(COUNT_JOB *Job, int Status)
{
    char Line[256];
    unsigned long long Total = 0;
    FILE *Out = fopen(Job->OutFile, "r");

    if (!WIFEXITED(Status) || WEXITSTATUS(Status) != 0 || Out == NULL)
        Fail("a callgrind run failed; its log is", Job->OutFile);
    while (fgets(Line, sizeof(Line), Out) != NULL)
        if (sscanf(Line, "totals: %llu", &Total) == 1)
            break;
    fclose(Out);
    if (Total == 0)
        Fail("callgrind counted nothing in BenchMeasured", Job->OutFile);
    Job->PerPair = (double)Total / COUNTED_PAIRS;
}

/* As many valgrinds at once as there are processors: each is single-threaded and slow to start. */
static void RunCounts(COUNT_JOB *Jobs, int Count, const char *Work)
{
    char Self[512], Dir[600];
    ssize_t Length = readlink("/proc/self/exe", Self, sizeof(Self) - 1);
    long Parallel = sysconf(_SC_NPROCESSORS_ONLN);
    int Next = 0, Running = 0;

    if (Length <= 0)
        Fail("cannot find this program's path", NULL);
    Self[Length] = '\0';
    snprintf(Dir, sizeof(Dir), "%s/callgrind", Work);
    mkdir(Work, 0755);
    mkdir(Dir, 0755);
    while (Next < Count || Running > 0) {
        if (Next < Count && Running < (Parallel > 0 ? Parallel : 1)) {
            StartCount(&Jobs[Next++], Self, Work);
            Running++;
            continue;
        }
        int Status;
        pid_t Pid = wait(&Status);

        for (int i = 0; i < Next; i++)
            if (Jobs[i].Pid == Pid)
                FinishCount(&Jobs[i], Status);
        Running--;
    }
}

/* The child side: N pairs of one contender at one size, the only thing callgrind sees. */
static int CountMode(char **Argv)
{
    int Batched = strcmp(Argv[2], "batch") == 0;
    size_t Size = strtoul(Argv[1], NULL, 10);
    long Pairs = strtoul(Argv[3], NULL, 10);

    for (int i = 0; i <= HARNESS; i++) {
        if (strcmp(Contenders[i].Name, Argv[0]) != 0)
            continue;
        LoadContender(&Contenders[i]);
        WarmUp(&Contenders[i], Size, Batched);
        BenchMeasured(&Contenders[i], Size, Pairs, Batched);
        return 0;
    }
    Fail("no such contender", Argv[0]);
    return 1;
}

/* --- the Linux reference: a first write to a fresh anonymous page against a write to a mapped one --- */

static void MeasureFaults(double *FaultNs, double *MappedNs)
{
    double Fault[FAULT_ROUNDS], Mapped[FAULT_ROUNDS];
    size_t Length = (size_t)FAULT_PAGES * 4096;

    for (int r = 0; r < FAULT_ROUNDS; r++) {
        volatile char *Region = mmap(NULL, Length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        double t0, t1, t2;

        if (Region == MAP_FAILED)
            Fail("mmap failed", NULL);
        /* One fault per 4 KB page, as in ntmm: no transparent huge page may serve 512 at once. */
        madvise((void *)Region, Length, MADV_NOHUGEPAGE);
        t0 = NowNs();
        for (size_t i = 0; i < Length; i += 4096)
            Region[i] = 1;
        t1 = NowNs();
        for (size_t i = 0; i < Length; i += 4096)
            Region[i] = 2;
        t2 = NowNs();
        munmap((void *)Region, Length);
        Fault[r] = (t1 - t0) / FAULT_PAGES;
        Mapped[r] = (t2 - t1) / FAULT_PAGES;
    }
    *FaultNs = Median(Fault, FAULT_ROUNDS);
    *MappedNs = Median(Mapped, FAULT_ROUNDS);
}

/* --- page zeroing: the guest counts each iteration of rep stosd as an instruction, which says nothing of speed --- */

static unsigned char ZeroBuffer[ZERO_PAGES * 4096] __attribute__((aligned(4096)));

/* The kernel's page zeroing: rep stosd, 1024 stores of 4 bytes (lib/string.c's memset, mm's zeroing). */
static void __attribute__((noinline)) ZeroRepStosd(void *Page)
{
    unsigned long Count = 4096 / 4;

    __asm__ volatile("rep stosl" : "+D"(Page), "+c"(Count) : "a"(0) : "memory");
}

static void __attribute__((noinline)) ZeroMemset(void *Page)
{
    memset(Page, 0, 4096);
}

/* Bytes per nanosecond of each, interleaved: median and extremes of ROUNDS rounds. */
static void MeasureZeroing(double Rates[2][3])
{
    void (*Zero[2])(void *) = { ZeroRepStosd, ZeroMemset };
    double Samples[2][ROUNDS];

    for (int r = 0; r < ROUNDS; r++) {
        for (int k = 0; k < 2; k++) {
            int z = (k + r) % 2;
            double t0 = NowNs();

            for (int Pass = 0; Pass < ZERO_PASSES; Pass++)
                for (int p = 0; p < ZERO_PAGES; p++)
                    Zero[z](ZeroBuffer + (size_t)p * 4096);
            Samples[z][r] = (double)ZERO_PASSES * ZERO_PAGES * 4096 / (NowNs() - t0);
        }
    }
    for (int z = 0; z < 2; z++) {
        Rates[z][0] = Median(Samples[z], ROUNDS);
        Rates[z][1] = Samples[z][0];
        Rates[z][2] = Samples[z][ROUNDS - 1];
    }
}

/* --- the report --- */

static void CpuModel(char *Model, size_t Size)
{
    char Line[256];
    FILE *Info = fopen("/proc/cpuinfo", "r");

    snprintf(Model, Size, "unknown CPU");
    while (Info != NULL && fgets(Line, sizeof(Line), Info) != NULL) {
        char *Colon = strchr(Line, ':');

        if (strncmp(Line, "model name", 10) == 0 && Colon != NULL) {
            snprintf(Model, Size, "%s", Colon + 2);
            Model[strlen(Model) - 1] = '\0';
            break;
        }
    }
    if (Info != NULL)
        fclose(Info);
}

int main(int argc, char **argv)
{
    const char *OutPath = NULL, *Work = "build/bench-host", *Command = NULL;
    static double Ns[2][NSIZES][NCONTENDERS][ROUNDS], Mid[2][NSIZES][NCONTENDERS];
    static double Low[2][NSIZES][NCONTENDERS], High[2][NSIZES][NCONTENDERS];
    COUNT_JOB Jobs[2 * NSIZES * NCONTENDERS + 2];
    int JobCount = 0;
    double Started = NowNs(), FaultNs, MappedNs, ZeroRates[2][3];
    BenchProgram = "bench_pool";

    if (argc == 6 && strcmp(argv[1], "--count") == 0)
        return CountMode(argv + 2);
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--out") == 0)
            OutPath = argv[i + 1];
        else if (strcmp(argv[i], "--work") == 0)
            Work = argv[i + 1];
        else if (strcmp(argv[i], "--command") == 0)
            Command = argv[i + 1];
        else
            Fail("usage: bench_pool [--out FILE] [--work DIR] [--command TEXT] | --count NAME SIZE pair|batch N", NULL);
    }

    for (int c = 0; c < NCONTENDERS; c++) {
        LoadContender(&Contenders[c]);
        for (int b = 0; b < 2; b++)
            for (size_t s = 0; s < NSIZES; s++)
                WarmUp(&Contenders[c], Sizes[s], b);
    }

    fprintf(stderr, "bench_pool: counting instructions under callgrind (%zu runs)...\n",
            2 * NSIZES * NCONTENDERS + 2);
    for (int b = 0; b < 2; b++)
        for (size_t s = 0; s < NSIZES; s++)
            for (int c = 0; c < NCONTENDERS; c++)
                Jobs[JobCount++] = (COUNT_JOB){ .Contender = c, .SizeIndex = (int)s, .Batched = b };
    Jobs[JobCount++] = (COUNT_JOB){ .Contender = HARNESS, .SizeIndex = 1, .Batched = 0 };
    Jobs[JobCount++] = (COUNT_JOB){ .Contender = HARNESS, .SizeIndex = 1, .Batched = 1 };
    RunCounts(Jobs, JobCount, Work);

    /* A/B/A/B: every contender once per round, the order rotating, so drift hits all of them alike. */
    fprintf(stderr, "bench_pool: timing, %d rounds...\n", ROUNDS);
    for (int r = 0; r < ROUNDS; r++)
        for (int b = 0; b < 2; b++)
            for (size_t s = 0; s < NSIZES; s++)
                for (int k = 0; k < NCONTENDERS; k++) {
                    int c = (k + r) % NCONTENDERS;
                    double t0 = NowNs();

                    RunPairs(&Contenders[c], Sizes[s], TIMED_PAIRS, b);
                    Ns[b][s][c][r] = (NowNs() - t0) / TIMED_PAIRS;
                }
    for (int b = 0; b < 2; b++)
        for (size_t s = 0; s < NSIZES; s++)
            for (int c = 0; c < NCONTENDERS; c++) {
                Mid[b][s][c] = Median(Ns[b][s][c], ROUNDS);   /* sorts: [0] and [ROUNDS-1] are the extremes */
                Low[b][s][c] = Ns[b][s][c][0];
                High[b][s][c] = Ns[b][s][c][ROUNDS - 1];
            }
    MeasureFaults(&FaultNs, &MappedNs);
    MeasureZeroing(ZeroRates);

    char *Text, Cpu[128], Date[64];
    size_t TextLength;
    FILE *Out = open_memstream(&Text, &TextLength);
    time_t Now = time(NULL);
    struct utsname Uname;

    strftime(Date, sizeof(Date), "%Y-%m-%d %H:%M %Z", localtime(&Now));
    CpuModel(Cpu, sizeof(Cpu));
    uname(&Uname);
    fprintf(Out, "# Host benchmark: the executive pool against glibc, mimalloc, jemalloc and tcmalloc\n\n");
    fprintf(Out, "- Date: %s\n", Date);
    fprintf(Out, "- Command: `%s%s", Command ? Command : "", Command ? "` (runs `" : "");
    if (getenv("GLIBC_TUNABLES") != NULL)
        fprintf(Out, "GLIBC_TUNABLES=%s ", getenv("GLIBC_TUNABLES"));
    for (int i = 0; i < argc; i++)
        if (strcmp(argv[i], "--command") != 0 && (i == 0 || strcmp(argv[i - 1], "--command") != 0))
            fprintf(Out, "%s%s", i ? " " : "", argv[i]);
    fprintf(Out, "`%s\n", Command ? ")" : "");
    fprintf(Out, "- Compiler: %s %s, `-O2 -mcx16 -DKTEST_HOST`, no sanitizers\n",
#ifdef __clang__
            "clang",
#else
            "gcc",
#endif
            __VERSION__);
    fprintf(Out, "- Machine: %s, %ld processors, %s %s\n", Cpu, sysconf(_SC_NPROCESSORS_ONLN), Uname.sysname, Uname.release);
    for (int c = 0; c < NCONTENDERS; c++)
        fprintf(Out, "- %s: %s\n", Contenders[c].Name, Contenders[c].Version);
    fprintf(Out, "\nOne process, one thread. *pair*: allocate then free, %d times. *batch*: %d allocations, then their %d "
                 "frees in allocation order, per pair. Instructions: `valgrind --tool=callgrind`, %d pairs after a "
                 "warm-up, only the measured loop counted, divided by the pairs; the loop and its two calls add "
                 "%.1f (pair) and %.1f (batch) of them (an allocator that does nothing). Nanoseconds: %d pairs per "
                 "measurement, the contenders interleaved in rotating order, %d rounds: median and (min–max). "
                 "*ntmm ÷* is ntmm's figure over this row's: for instructions net of the loop and its calls on both "
                 "sides, for nanoseconds as measured (the loop's time is not measured apart).\n\n"
                 "Instruction counts depend on the builds (compiler, library versions), not on the machine, and "
                 "repeat from run to run; nanoseconds depend on this machine and its load. ntmm's lookaside depths "
                 "are set during its warm-up by running the balance scan after each of %d batches (the kernel runs "
                 "it once a second; the host has no timer). The host build has no interrupts, so its SLIST push and "
                 "pop are plain loads and stores, where the kernel's turn interrupts off around them.\n\n",
            TIMED_PAIRS, BATCH, BATCH, COUNTED_PAIRS, Jobs[JobCount - 2].PerPair, Jobs[JobCount - 1].PerPair,
            TIMED_PAIRS, ROUNDS, SCANS);
    fprintf(Out, "| pattern | bytes | allocator | instructions/pair | ntmm ÷ (instr.) | ns/pair | (min–max) | ntmm ÷ (ns) |\n");
    fprintf(Out, "|---|--:|---|--:|--:|--:|--:|--:|\n");
    for (int b = 0, j = 0; b < 2; b++)
        for (size_t s = 0; s < NSIZES; s++)
            for (int c = 0; c < NCONTENDERS; c++, j++) {
                double Harness = Jobs[JobCount - 2 + b].PerPair;

                fprintf(Out, "| %s | %zu | %s | %.1f |", b ? "batch" : "pair", Sizes[s], Contenders[c].Name, Jobs[j].PerPair);
                Ratio(Out, Jobs[j - c].PerPair - Harness, c ? Jobs[j].PerPair - Harness : 0);
                fprintf(Out, " %.1f | (%.1f–%.1f) |", Mid[b][s][c], Low[b][s][c], High[b][s][c]);
                Ratio(Out, Mid[b][s][NTMM], c ? Mid[b][s][c] : 0);
                fprintf(Out, "\n");
            }

    /* Where the pool stands against the targets it will be held to; a miss is reported, never fatal. */
    fprintf(Out, "\n## Targets\n\n| target | ntmm | bound | |\n|---|--:|--:|---|\n");
    for (size_t s = 0; s < 3; s++) {
        double Instructions = Jobs[s * NCONTENDERS + NTMM].PerPair, Tcmalloc = Jobs[s * NCONTENDERS + TCMALLOC].PerPair;

        fprintf(Out, "| pair at %zu B: no more instructions than tcmalloc | %.1f | %.1f | %s |\n", Sizes[s],
                Instructions, Tcmalloc, Instructions <= Tcmalloc ? "met" : "not met");
        fprintf(Out, "| pair at %zu B: no slower than tcmalloc | %.1f ns | %.1f ns | %s |\n", Sizes[s],
                Mid[0][s][NTMM], Mid[0][s][TCMALLOC], Mid[0][s][NTMM] <= Mid[0][s][TCMALLOC] ? "met" : "not met");
    }
    double Batch256 = Jobs[NSIZES * NCONTENDERS + 2 * NCONTENDERS + NTMM].PerPair;
    double Glibc256 = Jobs[NSIZES * NCONTENDERS + 2 * NCONTENDERS + GLIBC].PerPair;
    fprintf(Out, "| batch at 256 B: at most a quarter of glibc's instructions | %.1f | %.1f | %s |\n", Batch256,
            Glibc256 / 4, Batch256 <= Glibc256 / 4 ? "met" : "not met");

    fprintf(Out, "\n## Linux reference: page faults\n\n");
    fprintf(Out, "| write, one per 4 KB page (%d pages, %d rounds, median) | ns |\n|---|--:|\n", FAULT_PAGES, FAULT_ROUNDS);
    fprintf(Out, "| first write to fresh anonymous memory (a fault) | %.1f |\n", FaultNs);
    fprintf(Out, "| write to memory already mapped | %.1f |\n", MappedNs);
    fprintf(Out, "| ratio | %.0f |\n", FaultNs / MappedNs);
    fprintf(Out, "\n## Zeroing a page: speed, which the guest's instruction count is not\n\n"
                 "Under -icount each iteration of `rep stosd` counts as one instruction, so make bench's zeroing row "
                 "(about 1,030) measures the instruction, not its speed. Here, on this machine: a 4 KB page zeroed "
                 "%d times over %d pages (in cache), %d rounds interleaved, median and (min–max).\n\n",
            ZERO_PASSES, ZERO_PAGES, ROUNDS);
    fprintf(Out, "| zeroing | bytes/ns | (min–max) |\n|---|--:|--:|\n");
    fprintf(Out, "| `rep stosd` (the kernel's) | %.1f | (%.1f–%.1f) |\n", ZeroRates[0][0], ZeroRates[0][1], ZeroRates[0][2]);
    fprintf(Out, "| glibc memset | %.1f | (%.1f–%.1f) |\n", ZeroRates[1][0], ZeroRates[1][1], ZeroRates[1][2]);
    fprintf(Out, "\nTook %.0f s.\n", (NowNs() - Started) / 1e9);
    fclose(Out);

    WriteReport(Text, OutPath, "w");
    free(Text);
    return 0;
}
