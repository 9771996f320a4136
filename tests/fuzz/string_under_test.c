/*
 * string_under_test.c: lib/string.c under other names (Kt*), so that tests/fuzz/string_fuzz.c can
 * call it beside the C library's functions of the same names.
 */
#define memcpy KtMemcpy
#define memmove KtMemmove
#define memset KtMemset
#define memcmp KtMemcmp
#define memchr KtMemchr
#define strlen KtStrlen
#define strnlen KtStrnlen
#define strcmp KtStrcmp
#define strncmp KtStrncmp
#define strchr KtStrchr
#define strlcpy KtStrlcpy
#define strtoul KtStrtoul
#include "../../lib/string.c"
