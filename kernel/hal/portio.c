/*
 * portio.c: the DDK's port and register access. Ports go through in/out
 * (the buffer forms through rep ins/outs, every value through the one
 * port); registers are memory-mapped, each access one volatile access of
 * its width, a write followed by a fence (NT x86's HAL does the same with a
 * locked instruction), the buffer forms over consecutive registers.
 */
#include <hal.h>

UCHAR NTAPI READ_PORT_UCHAR(PUCHAR Port) { return __inbyte((USHORT)(ULONG_PTR)Port); }
USHORT NTAPI READ_PORT_USHORT(PUSHORT Port) { return __inword((USHORT)(ULONG_PTR)Port); }
ULONG NTAPI READ_PORT_ULONG(PULONG Port) { return __indword((USHORT)(ULONG_PTR)Port); }
VOID NTAPI WRITE_PORT_UCHAR(PUCHAR Port, UCHAR Value) { __outbyte((USHORT)(ULONG_PTR)Port, Value); }
VOID NTAPI WRITE_PORT_USHORT(PUSHORT Port, USHORT Value) { __outword((USHORT)(ULONG_PTR)Port, Value); }
VOID NTAPI WRITE_PORT_ULONG(PULONG Port, ULONG Value) { __outdword((USHORT)(ULONG_PTR)Port, Value); }

/* READ_PORT_BUFFER_<Type> and WRITE_PORT_BUFFER_<Type>, with the string instruction of that width. */
#define HAL_DEFINE_PORT_BUFFERS(Type, Width)                                                          \
    VOID NTAPI READ_PORT_BUFFER_##Type(P##Type Port, P##Type Buffer, ULONG Count)                     \
    {                                                                                                 \
        __asm__ volatile("rep ins" Width : "+D"(Buffer), "+c"(Count) : "d"((USHORT)(ULONG_PTR)Port) \
                         : "memory");                                                                 \
    }                                                                                                 \
    VOID NTAPI WRITE_PORT_BUFFER_##Type(P##Type Port, P##Type Buffer, ULONG Count)                    \
    {                                                                                                 \
        __asm__ volatile("rep outs" Width : "+S"(Buffer), "+c"(Count) : "d"((USHORT)(ULONG_PTR)Port) \
                         : "memory");                                                                 \
    }

HAL_DEFINE_PORT_BUFFERS(UCHAR, "b")
HAL_DEFINE_PORT_BUFFERS(USHORT, "w")
HAL_DEFINE_PORT_BUFFERS(ULONG, "l")

/* READ_REGISTER_<Type>, WRITE_REGISTER_<Type> and their buffer forms. */
/* NOLINTBEGIN(bugprone-macro-parentheses): Type is a type name, which parentheses would break */
#define HAL_DEFINE_REGISTER_ACCESS(Type)                                                              \
    Type NTAPI READ_REGISTER_##Type(volatile Type *Register)                                          \
    {                                                                                                 \
        return *Register;                                                                             \
    }                                                                                                 \
    VOID NTAPI WRITE_REGISTER_##Type(volatile Type *Register, Type Value)                             \
    {                                                                                                 \
        *Register = Value;                                                                            \
        KeMemoryBarrier();                                                                            \
    }                                                                                                 \
    VOID NTAPI READ_REGISTER_BUFFER_##Type(volatile Type *Register, P##Type Buffer, ULONG Count)      \
    {                                                                                                 \
        for (ULONG i = 0; i < Count; i++)                                                             \
            Buffer[i] = Register[i];                                                                  \
    }                                                                                                 \
    VOID NTAPI WRITE_REGISTER_BUFFER_##Type(volatile Type *Register, P##Type Buffer, ULONG Count)     \
    {                                                                                                 \
        for (ULONG i = 0; i < Count; i++)                                                             \
            Register[i] = Buffer[i];                                                                  \
        KeMemoryBarrier();                                                                            \
    }

HAL_DEFINE_REGISTER_ACCESS(UCHAR)
HAL_DEFINE_REGISTER_ACCESS(USHORT)
HAL_DEFINE_REGISTER_ACCESS(ULONG)
/* NOLINTEND(bugprone-macro-parentheses) */
