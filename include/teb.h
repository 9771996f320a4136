/*
 * teb.h: the blocks user mode sees of its process and threads: CLIENT_ID,
 * the PEB and the TEB (fs:[0] in ring 3), at NT x86's offsets for the
 * fields ntmm fills. Shared by the kernel (ps.h) and ring-3 programs.
 */
#ifndef NTMM_TEB_H
#define NTMM_TEB_H

#include <ntddk.h>

typedef struct _CLIENT_ID {
    HANDLE UniqueProcess;
    HANDLE UniqueThread;
} CLIENT_ID, *PCLIENT_ID;

/*
 * The PEB and the TEB, the process's and each thread's block in user space
 * (NT x86's offsets for the fields ntmm fills; the rest reserved). The PEB
 * is the page at MM_HIGHEST_VAD_ADDRESS's page, TEBs the pages below it.
 */
typedef struct _PEB {
    BOOLEAN InheritedAddressSpace;    /* 0x000 */
    BOOLEAN ReadImageFileExecOptions;
    BOOLEAN BeingDebugged;
    BOOLEAN SpareBool;
    HANDLE Mutant;                    /* 0x004 */
    PVOID ImageBaseAddress;           /* 0x008 */
    PVOID Ldr;                        /* 0x00C */
    PVOID ProcessParameters;          /* 0x010 */
    UCHAR Reserved1[0x064 - 0x014];
    ULONG NumberOfProcessors;         /* 0x064 */
    UCHAR Reserved2[0x0A4 - 0x068];
    ULONG OSMajorVersion;             /* 0x0A4 */
    ULONG OSMinorVersion;             /* 0x0A8 */
    USHORT OSBuildNumber;             /* 0x0AC */
    USHORT OSCSDVersion;
    ULONG OSPlatformId;               /* 0x0B0 */
} PEB, *PPEB;
#ifdef __i386__
_Static_assert(offsetof(PEB, OSPlatformId) == 0xB0, "NT x86's PEB.OSPlatformId");
#endif

typedef struct _TEB {
    NT_TIB NtTib;                     /* 0x000 */
    PVOID EnvironmentPointer;         /* 0x01C */
    CLIENT_ID ClientId;               /* 0x020 */
    PVOID ActiveRpcHandle;            /* 0x028 */
    PVOID ThreadLocalStoragePointer;  /* 0x02C */
    PPEB ProcessEnvironmentBlock;     /* 0x030 */
    ULONG LastErrorValue;             /* 0x034 */
    UCHAR Reserved[0xE0C - 0x038];
    PVOID DeallocationStack;          /* 0xE0C: the bottom of the stack's reservation */
} TEB, *PTEB;
#ifdef __i386__
_Static_assert(offsetof(TEB, ProcessEnvironmentBlock) == 0x30 && offsetof(TEB, DeallocationStack) == 0xE0C,
               "NT x86's TEB offsets");
#endif

#endif
