/*
 * kd.h: the kernel debugger shell's interface to the rest of the kernel:
 * the console it runs on (COM1, mirrored to the VGA text screen, with the
 * PS/2 keyboard as a second input), and the kd> prompt a normal boot ends in.
 */
#ifndef NTMM_KD_H
#define NTMM_KD_H

#include <ntddk.h>

/*
 * The console (kernel/kd/console.c). KdInitializeConsole mirrors every
 * DbgPrint to the screen from the first line on, through the boot mapping;
 * KdInitializeSystem moves the screen to a system PTE once the memory
 * manager has cut the boot mapping back, and takes over stops on a normal
 * boot, so a stop ends at the prompt rather than in a halt. Test boots
 * (ktest=, bench, kd.memmap) keep to COM1 and stop as they always did.
 */
VOID KdInitializeConsole(VOID);
VOID KdInitializeSystem(VOID);

/* The banner and the prompt, for ever: what a normal boot ends in (kernel/kd/shell.c). */
DECLSPEC_NORETURN VOID KdRunShell(VOID);

/* Runs one command line as if typed at the prompt, its output on the console (tests). */
VOID KdExecuteCommand(PCSTR Line);

/* The compact record of the address space and of every physical page that make memmap renders. */
VOID KdDumpMemoryMapRecord(VOID);

#endif
