/* first.c: one of two files declaring the same case; building them together must fail (make test-runner). */
#include "ktest.h"

KTEST(runnerdup, same_name)
{
    KT_EXPECT(FALSE);
}
