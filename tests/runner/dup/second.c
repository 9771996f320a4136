/* second.c: the other declaration of runnerdup.same_name; see first.c. */
#include "ktest.h"

KTEST(runnerdup, same_name)
{
    KT_EXPECT(TRUE);
}
