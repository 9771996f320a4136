/* pfn_host.h: the host's PFN database for mm/pfnlist.c (tests/host/pfn_host.c). */
#ifndef NTMM_PFN_HOST_H
#define NTMM_PFN_HOST_H

#include <ntddk.h>

#define HOST_PFN_PAGES      64   /* page frames 0-63 */
#define HOST_PFN_FIRST_PAGE 1    /* page 0 is not RAM, as the real-mode IVT's page never is */

extern ULONG HostPagesZeroed;            /* MiZeroPhysicalPage calls since the reset */
extern PFN_NUMBER HostLastPageZeroed;

VOID HostResetPfnDatabase(VOID);

#endif
