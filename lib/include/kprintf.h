/* kprintf.h: the formatting core behind DbgPrint (lib/printf.c), freestanding and host-testable. */
#ifndef NTMM_LIB_KPRINTF_H
#define NTMM_LIB_KPRINTF_H

#include <stdarg.h>
#include <stddef.h>

/*
 * C99 snprintf semantics: writes at most Size bytes including the NUL and
 * returns the length the whole output would have had, or -1 when that
 * passes INT_MAX (the output is still cut into the buffer), as glibc does.
 * Formats: %d %i %u %x %X %o %c %s %p %%, the l, ll, h, hh, z, t and j
 * length modifiers, the flags - 0 + space #, width and precision (both may
 * be *). %p prints the pointer as eight upper-case hex digits, as NT's
 * DbgPrint does.
 */
int kvsnprintf(char *Buffer, size_t Size, const char *Format, va_list Args)
    __attribute__((format(printf, 3, 0)));
int ksnprintf(char *Buffer, size_t Size, const char *Format, ...)
    __attribute__((format(printf, 3, 4)));

#endif
