/* portio.c: the DDK's READ_PORT_* / WRITE_PORT_* over the in/out instructions. */
#include <hal.h>

UCHAR NTAPI READ_PORT_UCHAR(PUCHAR Port) { return __inbyte((USHORT)(ULONG_PTR)Port); }
USHORT NTAPI READ_PORT_USHORT(PUSHORT Port) { return __inword((USHORT)(ULONG_PTR)Port); }
ULONG NTAPI READ_PORT_ULONG(PULONG Port) { return __indword((USHORT)(ULONG_PTR)Port); }
VOID NTAPI WRITE_PORT_UCHAR(PUCHAR Port, UCHAR Value) { __outbyte((USHORT)(ULONG_PTR)Port, Value); }
VOID NTAPI WRITE_PORT_USHORT(PUSHORT Port, USHORT Value) { __outword((USHORT)(ULONG_PTR)Port, Value); }
VOID NTAPI WRITE_PORT_ULONG(PULONG Port, ULONG Value) { __outdword((USHORT)(ULONG_PTR)Port, Value); }
