/* userprog.h: running the ring-3 test programs of tests/user/ (userprog.c). */
#ifndef NTMM_USERPROG_H
#define NTMM_USERPROG_H

#include <ntddk.h>

/*
 * Loads the program Name (tests/user/Name.c) into Process, which must not
 * have one yet: its ELF segments committed at their addresses with their
 * protections. *Entry gets its start address.
 */
NTSTATUS KtLoadUserProgram(PEPROCESS Process, PCSTR Name, PVOID *Entry);

/* A new process running Name(Argument) to its end; returns the thread's exit status. The process is gone after. */
NTSTATUS KtRunUserProgram(PCSTR Name, PVOID Argument);

#endif
