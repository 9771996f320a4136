/* kprintf.h: the formatting core behind DbgPrint (lib/printf.c), freestanding and host-testable. */
#ifndef NTMM_LIB_KPRINTF_H
#define NTMM_LIB_KPRINTF_H

#include <stdarg.h>
#include <stddef.h>

/*
 * C99 snprintf semantics: writes at most Size bytes including the NUL and
 * returns the length the whole output would have had, or -1 when that, or
 * a width or precision, is more than INT_MAX. Formats: %d %i %u %x
 * %X %o %c %s %p %%, the l, ll, h, hh, z, t and j length modifiers, the flags
 * - 0 + space #, width and precision (both may be *). %p prints the pointer
 * as eight upper-case hex digits, as NT's DbgPrint does. NT's additions:
 * %wZ a PUNICODE_STRING and %Z a PANSI_STRING (their Length, not a NUL,
 * ends them), %ws, %ls and %S a NUL-terminated WCHAR string, %wc and %C a
 * WCHAR, and the I64, I32 and I (pointer-sized) length modifiers. GCC's
 * format checking knows none of these: callers that use them must not
 * carry the format attribute (ntddk.h's DbgPrint for driver code).
 */
int kvsnprintf(char *Buffer, size_t Size, const char *Format, va_list Args)
    __attribute__((format(printf, 3, 0)));
int ksnprintf(char *Buffer, size_t Size, const char *Format, ...)
    __attribute__((format(printf, 3, 4)));

#endif
