/*
 * pool_host.h: what tests/host/pool_host.c offers a harness beyond the kernel's interface: a stop
 * it expects (a bad caller's BAD_POOL_CALLER) recorded and returned to it, instead of aborting.
 */
#ifndef NTMM_POOL_HOST_H
#define NTMM_POOL_HOST_H

#include <ntddk.h>
#include <setjmp.h>

typedef struct _HOST_BUGCHECK {
    ULONG Code;
    ULONG_PTR Parameter[4];
} HOST_BUGCHECK;

/*
 * Set to a jmp_buf before a call that may stop: KeBugCheckEx records the stop in
 * HostLastBugCheck, clears HostBugCheckJump (one stop per arming) and longjmps there. The IRQL
 * is left as the stop found it. NULL (the default): a stop prints itself and aborts.
 */
extern jmp_buf *HostBugCheckJump;
extern HOST_BUGCHECK HostLastBugCheck;
extern KIRQL KeHostIrql;

#endif
