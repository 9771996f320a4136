/*
 * vflowres.c: the low-resources simulation, NT's fault injection. Once the
 * system is up (VfStart), a request for pool, system PTEs, pages, an MDL
 * or a reserved mapping address fails on purpose at VfOptions.Rate per
 * 10,000, NT's unit, as if the resource had run out: the code asking must
 * report the failure to its own caller and leave nothing behind.
 *
 * Which requests fail is a pure function of the seed, a salt and the
 * request's number since the salt was set: the same seed fails the same
 * requests on every run. The test runner salts the stream with each case's
 * name before the case runs (VfReseedLowResources), so a failure found in a
 * whole run is found again running that case alone with the same seed.
 * Must-succeed requests are never failed (their callers may not see NULL),
 * and a test may suspend the simulation around set-up it is not about.
 */
#include "mi.h"
#include <vf.h>

/* The first failures of a stream are named, with their callers; past these they are only counted. */
#define VF_REPORTED_FAILURES 8

static volatile LONG VfLowResourcesSuspended;
static ULONG VfLowResourcesSalt;
static volatile ULONG VfLowResourcesRequests;    /* since the salt was set */
static volatile ULONG VfLowResourcesFailures;    /* since the salt was set */

static const PCSTR VfResourceNames[VfResourceKinds] = {
    "pool", "system PTEs", "pages", "an MDL", "a mapping address",
};

/* A 32-bit mixing function (a multiply-xorshift finaliser): every input bit moves every output bit. */
static ULONG VfMix(ULONG Value)
{
    Value ^= Value >> 16;
    Value *= 0x7FEB352Du;
    Value ^= Value >> 15;
    Value *= 0x846CA68Bu;
    Value ^= Value >> 16;
    return Value;
}

/*
 * Should this request fail? TRUE means the caller must fail it as it fails
 * for want of the resource. Counted and drawn only while the simulation is
 * on; a DPC's request takes the next number like any other.
 */
BOOLEAN VfInjectResourceFailure(VF_RESOURCE Resource, PVOID CallersAddress)
{
    ULONG Request, Failures;
    ULONG_PTR Offset;
    PCSTR Name;

    if (!VfIsEnabled(DRIVER_VERIFIER_INJECT_ALLOCATION_FAILURES) || !VfStarted ||
        VfLowResourcesSuspended != 0)
        return FALSE;
    Request = __atomic_fetch_add(&VfLowResourcesRequests, 1, __ATOMIC_RELAXED);
    VfStatistics.AllocationsAttempted++;
    if (VfMix(VfOptions.Seed ^ VfMix(VfLowResourcesSalt ^ VfMix(Request))) % VF_FAILURE_RATE_UNIT >= VfOptions.Rate)
        return FALSE;
    Failures = __atomic_add_fetch(&VfLowResourcesFailures, 1, __ATOMIC_RELAXED);
    VfStatistics.AllocationsFailedDeliberately++;
    if (Failures <= VF_REPORTED_FAILURES) {
        Name = KiSymbolFromAddress((ULONG_PTR)CallersAddress, &Offset);
        DbgPrint("    # verifier: low resources: request %u for %s fails on purpose (seed %u), caller %s+0x%X\n",
                 Request, VfResourceNames[Resource], VfOptions.Seed, Name != NULL ? Name : "?", Offset);
    }
    return TRUE;
}

/* Starts the stream again, numbered from 0, under another salt, and ends any suspension. */
VOID VfReseedLowResources(ULONG Salt)
{
    VfLowResourcesSalt = Salt;
    VfLowResourcesRequests = 0;
    VfLowResourcesFailures = 0;
    VfLowResourcesSuspended = 0;
}

/* Suspends the simulation until the matching VfResumeLowResources (they nest); nothing fails meanwhile. */
VOID VfSuspendLowResources(VOID)
{
    __atomic_add_fetch(&VfLowResourcesSuspended, 1, __ATOMIC_RELAXED);
}

VOID VfResumeLowResources(VOID)
{
    __atomic_sub_fetch(&VfLowResourcesSuspended, 1, __ATOMIC_RELAXED);
}

/* Requests failed on purpose since the stream was last reseeded. */
ULONG VfInjectedFailures(VOID)
{
    return VfLowResourcesFailures;
}
