/*
 * vfdeadlk.c: the verifier's deadlock detection and spin lock checks.
 *
 * Every spin lock acquired through KeAcquireSpinLock and its kin becomes a
 * resource of a graph, and acquiring B while A is held adds the edge A->B
 * with the callers that made it. On one processor nothing can deadlock
 * yet, but an order taken both ways (A->B once, B->A later, or a longer
 * cycle) deadlocks the day two processors take the two orders at once: NT's
 * deadlock verifier stops at the acquire that closes such a cycle
 * (DRIVER_VERIFIER_DETECTED_VIOLATION 0xC4, 0x1001). ntmm reports it
 * instead, once per pair of locks, with both orders and their callers,
 * and counts it: the test runner fails the suite in which a report
 * appeared, so one run finds every inversion rather than the first.
 *
 * Misuse stops as NT's verifier stops it (0xC4 and its subcode): a lock
 * acquired twice by its holder (0x1000), released when not held (0x1007),
 * released at an IRQL other than DISPATCH_LEVEL (0x32), taken or released
 * "at DPC level" below it (0x40, 0x41), KeAcquireSpinLock above it (0x42).
 *
 * A lock's memory can be reused for another lock: pool frees forget the
 * locks in the freed bytes (VfDeadlockDeleteMemoryRange, kernel/ex), and
 * the test runner forgets those on a case's stack when the case ends.
 * The tables are fixed and small (a driver's locks, not a system's); past
 * them new locks and orders go unwatched, which the first report says.
 * Everything here runs at DISPATCH_LEVEL or above, inside the lock calls.
 */
#include <ke.h>
#include <vf.h>

#define VI_DEADLOCK_RESOURCES 128
#define VI_DEADLOCK_EDGES 512
#define VI_DEADLOCK_HELD 16
#define VI_DEADLOCK_REPORTED 64

/* DRIVER_VERIFIER_DETECTED_VIOLATION first parameters (NT's). */
#define VI_RELEASE_WRONG_IRQL     0x32
#define VI_ACQUIRE_AT_DPC_TOO_LOW 0x40
#define VI_RELEASE_AT_DPC_TOO_LOW 0x41
#define VI_ACQUIRE_TOO_HIGH       0x42
#define VI_SELF_DEADLOCK          0x1000
#define VI_RELEASE_NOT_ACQUIRED   0x1007

typedef struct _VI_DEADLOCK_EDGE {
    USHORT From, To;              /* resources: From was held when To was acquired */
    PVOID FromCaller, ToCaller;   /* where each was acquired the first time this order was seen */
} VI_DEADLOCK_EDGE;

typedef struct _VI_DEADLOCK_HELD_LOCK {
    USHORT Resource;
    PVOID Caller;
} VI_DEADLOCK_HELD_LOCK;

/* An inversion reported: the order taken now and the earlier one it contradicts, with their callers. */
typedef struct _VI_DEADLOCK_REPORT {
    ULONG Pair;                   /* (lower resource << 16) | higher, MAXULONG once a lock is forgotten */
    PVOID First, Second;          /* the locks as taken now */
    PVOID FirstCaller, SecondCaller;
    VI_DEADLOCK_EDGE Earlier;
    PVOID EarlierFrom, EarlierTo;
} VI_DEADLOCK_REPORT;

static PVOID ViResources[VI_DEADLOCK_RESOURCES];
static VI_DEADLOCK_EDGE ViEdges[VI_DEADLOCK_EDGES];
static ULONG ViEdgeCount;
static VI_DEADLOCK_HELD_LOCK ViHeld[VI_DEADLOCK_HELD];
static ULONG ViHeldCount;
static VI_DEADLOCK_REPORT ViReports[VI_DEADLOCK_REPORTED];
static ULONG ViReportCount;
static BOOLEAN ViTablesFull;

#define VI_NO_RESOURCE 0xFFFF

static VOID ViPrintCaller(PCSTR Prefix, PVOID Caller)
{
    ULONG_PTR Offset;
    PCSTR Name = KiSymbolFromAddress((ULONG_PTR)Caller, &Offset);

    DbgPrint("%s%s+0x%X", Prefix, Name != NULL ? Name : "?", Offset);
}

static ULONG ViFindResource(PVOID Lock)
{
    for (ULONG i = 0; i < VI_DEADLOCK_RESOURCES; i++) {
        if (ViResources[i] == Lock)
            return i;
    }
    return VI_NO_RESOURCE;
}

/* The resource for Lock, made on its first acquire; VI_NO_RESOURCE when the table is full. */
static ULONG ViResourceFor(PVOID Lock)
{
    ULONG Resource = ViFindResource(Lock);

    if (Resource != VI_NO_RESOURCE)
        return Resource;
    Resource = ViFindResource(NULL);
    if (Resource != VI_NO_RESOURCE)
        ViResources[Resource] = Lock;
    else
        ViTablesFull = TRUE;
    return Resource;
}

static VI_DEADLOCK_EDGE *ViFindEdge(ULONG From, ULONG To)
{
    for (ULONG i = 0; i < ViEdgeCount; i++) {
        if (ViEdges[i].From == From && ViEdges[i].To == To)
            return &ViEdges[i];
    }
    return NULL;
}

/*
 * Is there a path of edges From ... To? A depth-first walk with the
 * visited set as a bitmap; Path gets the edge that leaves From on it.
 */
static BOOLEAN ViIsReachable(ULONG From, ULONG To, ULONG *Visited, VI_DEADLOCK_EDGE **Path)
{
    if (From == To)
        return TRUE;
    Visited[From / 32] |= 1u << (From % 32);
    for (ULONG i = 0; i < ViEdgeCount; i++) {
        VI_DEADLOCK_EDGE *Edge = &ViEdges[i];
        VI_DEADLOCK_EDGE *Ignored;

        if (Edge->From == From && !(Visited[Edge->To / 32] & (1u << (Edge->To % 32))) &&
            ViIsReachable(Edge->To, To, Visited, &Ignored)) {
            *Path = Edge;
            return TRUE;
        }
    }
    return FALSE;
}

static VOID ViPrintReport(VI_DEADLOCK_REPORT *Report)
{
    DbgPrint("    # verifier: lock order: %p then %p (", Report->First, Report->Second);
    ViPrintCaller("", Report->FirstCaller);
    ViPrintCaller(", then ", Report->SecondCaller);
    DbgPrint("), but %p then %p before (", Report->EarlierFrom, Report->EarlierTo);
    ViPrintCaller("", Report->Earlier.FromCaller);
    ViPrintCaller(", then ", Report->Earlier.ToCaller);
    DbgPrint(")%s\n", Report->EarlierFrom == Report->Second ? "" : ", part of a longer cycle");
}

/* Reports Held -> Acquired as closing a cycle, once per pair. */
static VOID ViReportInversion(VI_DEADLOCK_HELD_LOCK *Held, ULONG Acquired, PVOID Caller, VI_DEADLOCK_EDGE *Earlier)
{
    ULONG Pair = Held->Resource < Acquired ? (Held->Resource << 16) | Acquired : (Acquired << 16) | Held->Resource;
    VI_DEADLOCK_REPORT Report = { Pair, ViResources[Held->Resource], ViResources[Acquired], Held->Caller, Caller,
                                  *Earlier, ViResources[Earlier->From], ViResources[Earlier->To] };

    for (ULONG i = 0; i < ViReportCount && i < VI_DEADLOCK_REPORTED; i++) {
        if (ViReports[i].Pair == Pair)
            return;
    }
    if (ViReportCount < VI_DEADLOCK_REPORTED)
        ViReports[ViReportCount] = Report;
    ViReportCount++;
    ViPrintReport(&Report);
    if (ViTablesFull)
        DbgPrint("    # verifier: lock tables full: some locks and orders went unwatched\n");
}

/* Prints again the reports made since the first First of them (the test runner, when a suite fails for them). */
VOID VfDeadlockPrintReports(ULONG First)
{
    for (ULONG i = First; i < ViReportCount && i < VI_DEADLOCK_REPORTED; i++)
        ViPrintReport(&ViReports[i]);
}

VOID VfDeadlockAcquireResource(PVOID Resource, PVOID CallersAddress)
{
    ULONG Acquired = ViResourceFor(Resource);

    if (Acquired == VI_NO_RESOURCE)
        return;
    for (ULONG i = 0; i < ViHeldCount; i++) {
        ULONG Visited[VI_DEADLOCK_RESOURCES / 32] = { 0 };
        VI_DEADLOCK_EDGE *Earlier = NULL;

        if (ViHeld[i].Resource == Acquired)
            KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, VI_SELF_DEADLOCK, (ULONG_PTR)Resource, 0, 0);
        if (ViIsReachable(Acquired, ViHeld[i].Resource, Visited, &Earlier))
            ViReportInversion(&ViHeld[i], Acquired, CallersAddress, Earlier);
        if (ViFindEdge(ViHeld[i].Resource, Acquired) == NULL) {
            if (ViEdgeCount < VI_DEADLOCK_EDGES) {
                ViEdges[ViEdgeCount].From = (USHORT)ViHeld[i].Resource;
                ViEdges[ViEdgeCount].To = (USHORT)Acquired;
                ViEdges[ViEdgeCount].FromCaller = ViHeld[i].Caller;
                ViEdges[ViEdgeCount].ToCaller = CallersAddress;
                ViEdgeCount++;
            } else {
                ViTablesFull = TRUE;
            }
        }
    }
    if (ViHeldCount < VI_DEADLOCK_HELD) {
        ViHeld[ViHeldCount].Resource = (USHORT)Acquired;
        ViHeld[ViHeldCount].Caller = CallersAddress;
        ViHeldCount++;
    } else {
        ViTablesFull = TRUE;
    }
}

/* Takes Resource off the held list; any order is fine for spin locks. */
VOID VfDeadlockReleaseResource(PVOID Resource, PVOID CallersAddress)
{
    ULONG Released = ViFindResource(Resource);

    UNREFERENCED_PARAMETER(CallersAddress);
    for (ULONG i = 0; i < ViHeldCount; i++) {
        if (ViHeld[i].Resource == Released) {
            ViHeld[i] = ViHeld[--ViHeldCount];
            return;
        }
    }
}

/* Forgets the locks in [Address, Address + Size) and every order they were part of. */
VOID VfDeadlockDeleteMemoryRange(PVOID Address, SIZE_T Size)
{
    KIRQL OldIrql;

    OldIrql = VfLockTables();
    for (ULONG Resource = 0; Resource < VI_DEADLOCK_RESOURCES; Resource++) {
        if (ViResources[Resource] == NULL || (ULONG_PTR)ViResources[Resource] - (ULONG_PTR)Address >= Size)
            continue;
        for (ULONG i = 0; i < ViEdgeCount;) {
            if (ViEdges[i].From == Resource || ViEdges[i].To == Resource)
                ViEdges[i] = ViEdges[--ViEdgeCount];
            else
                i++;
        }
        for (ULONG i = 0; i < ViReportCount && i < VI_DEADLOCK_REPORTED; i++) {
            if ((ViReports[i].Pair >> 16) == Resource || (ViReports[i].Pair & 0xFFFF) == Resource)
                ViReports[i].Pair = MAXULONG;
        }
        ViResources[Resource] = NULL;
    }
    VfUnlockTables(OldIrql);
}

/* Inversions reported this boot. */
ULONG VfDeadlockReports(VOID)
{
    return ViReportCount;
}

/* The spin lock checks the verifier adds, each the stop NT's verifier makes (the opening comment). */
VOID VfCheckSpinLockAcquire(PKSPIN_LOCK SpinLock, BOOLEAN AtDpcLevel)
{
    KIRQL Irql = KeGetCurrentIrql();

    if (AtDpcLevel && Irql < DISPATCH_LEVEL)
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, VI_ACQUIRE_AT_DPC_TOO_LOW, Irql, (ULONG_PTR)SpinLock, 0);
    if (!AtDpcLevel && Irql > DISPATCH_LEVEL)
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, VI_ACQUIRE_TOO_HIGH, Irql, (ULONG_PTR)SpinLock, 0);
}

VOID VfCheckSpinLockRelease(PKSPIN_LOCK SpinLock, BOOLEAN AtDpcLevel, BOOLEAN Held)
{
    KIRQL Irql = KeGetCurrentIrql();

    if (!Held)
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, VI_RELEASE_NOT_ACQUIRED, (ULONG_PTR)SpinLock, 0, 0);
    if (AtDpcLevel && Irql < DISPATCH_LEVEL)
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, VI_RELEASE_AT_DPC_TOO_LOW, Irql, (ULONG_PTR)SpinLock, 0);
    if (!AtDpcLevel && Irql != DISPATCH_LEVEL)
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, VI_RELEASE_WRONG_IRQL, Irql, (ULONG_PTR)SpinLock, 0);
}
