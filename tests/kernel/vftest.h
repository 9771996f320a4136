/* vftest.h: helpers for cases that run under the kernel verifier (vf.h), or that one of its options changes. */
#ifndef NTMM_VFTEST_H
#define NTMM_VFTEST_H

#include <vf.h>

/*
 * Set-up a case is not about: nothing between these fails on purpose under
 * the low-resources simulation, so the requests of the code under test do.
 * A case that ends inside one is resumed by the next case's start.
 */
#define KtVerifierSuspendLowResources() VfSuspendLowResources()
#define KtVerifierResumeLowResources() VfResumeLowResources()

/*
 * Turns options on for a case, whatever the boot's command line said, and
 * returns the options to put back with KtVerifierRestore (a stop case need
 * not: its boot ends). Special pool then serves only Tag (0: every tag).
 */
static inline VF_OPTIONS KtVerifierEnable(ULONG Level, ULONG SpecialPoolTag)
{
    VF_OPTIONS Saved = VfOptions;

    VfOptions.Level |= Level;
    VfOptions.SpecialPoolTag = SpecialPoolTag;
    VfOptions.SpecialPoolSize = 0;
    VfOptions.SpecialPoolUnderruns = FALSE;
    return Saved;
}

static inline VOID KtVerifierRestore(VF_OPTIONS Saved)
{
    VfOptions = Saved;
}

/*
 * Did a request come back empty because the low-resources simulation
 * failed it (or one made on its behalf)? Code under test must survive
 * that, and a case may then go on without what it asked for.
 */
#define KT_INJECTED(Result) ((Result) == NULL && VfInjectedFailures() != 0)

/* A case whose expectation an option changes (another stop, another path) skips while it is on. */
#define KT_SKIP_UNDER_VERIFIER(Flag, Why)   \
    do {                                    \
        if (VfIsEnabled(Flag))              \
            KT_SKIP(Why);                   \
    } while (0)

/* A case about the normal pool's blocks and headers, which special pool takes the place of. */
#define KT_SKIP_UNDER_SPECIAL_POOL() \
    KT_SKIP_UNDER_VERIFIER(DRIVER_VERIFIER_SPECIAL_POOLING, "special pool serves its requests")

#endif
