/* image.h: what the PE test program (image.c) and the image-section suite (image_test.c) agree on. */
#ifndef NTMM_TEST_IMAGE_H
#define NTMM_TEST_IMAGE_H

#include <ntdef.h>

#define IMAGE_POINTER_SECTION ".ptrs"
#define IMAGE_POINTERS_MAGIC  0x73727450      /* "Ptrs" */
#define IMAGE_GREETING        "relocated"
#define IMAGE_COUNTER_START   5
#define IMAGE_PASSED          0x600D0000      /* plus the counter after the program's increment */
#define IMAGE_FAILED          0xBAD00000      /* plus the line of the check that failed */

/* Absolute addresses the linker put in the image's data: the loader must relocate every one. */
typedef struct _IMAGE_TEST_POINTERS {
    ULONG Magic;
    PVOID Self;
    PVOID Function;
    const CHAR *Greeting;
    PULONG Counter;
} IMAGE_TEST_POINTERS;

#endif
