/*
 * ksym.c: address-to-name lookup for stack traces. The table is generated
 * from the linked kernel by tools/mksyms.sh (text symbols, sorted by
 * address) and linked into a second pass; the Makefile checks that the text
 * did not move between the passes.
 */
#include <ke.h>

typedef struct _KSYMBOL {
    ULONG_PTR Address;
    PCSTR Name;
} KSYMBOL;

extern const KSYMBOL KiSymbolTable[];
extern const ULONG KiSymbolCount;

/* Returns the name of the function containing Address, or NULL outside the image's text. */
PCSTR KiSymbolFromAddress(ULONG_PTR Address, ULONG_PTR *Offset)
{
    ULONG Low = 0, High = KiSymbolCount;

    if (Address < (ULONG_PTR)__ImageBase || Address >= (ULONG_PTR)__TextEnd || High == 0)
        return NULL;
    /* The last symbol whose address is <= Address. */
    while (High - Low > 1) {
        ULONG Middle = Low + (High - Low) / 2;
        if (KiSymbolTable[Middle].Address <= Address)
            Low = Middle;
        else
            High = Middle;
    }
    if (KiSymbolTable[Low].Address > Address)
        return NULL;
    *Offset = Address - KiSymbolTable[Low].Address;
    return KiSymbolTable[Low].Name;
}
