/* io.h: the I/O manager's interface to the rest of the kernel (not to drivers). */
#ifndef NTMM_IO_H
#define NTMM_IO_H

#include <ntddk.h>

VOID IoInitSystem(VOID);
extern NPAGED_LOOKASIDE_LIST IopMdlLookasideList;

#endif
