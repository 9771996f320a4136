/*
 * interlocked.h: the DDK's Interlocked* operations, which x86 compilers
 * turn into single locked instructions (lock xadd, xchg, lock cmpxchg,
 * lock cmpxchg8b). Each returns what the DDK documents: the new value for
 * Increment and Decrement, the old value for the rest. On x86 every locked
 * instruction is a full barrier, so the Acquire and Release forms are the
 * plain ones, as the DDK defines them there.
 */
#ifndef NTMM_INTERLOCKED_H
#define NTMM_INTERLOCKED_H

FORCEINLINE LONG InterlockedIncrement(_Inout_ _Interlocked_operand_ LONG volatile *Addend)
{
    return __atomic_add_fetch(Addend, 1, __ATOMIC_SEQ_CST);
}

FORCEINLINE LONG InterlockedDecrement(_Inout_ _Interlocked_operand_ LONG volatile *Addend)
{
    return __atomic_sub_fetch(Addend, 1, __ATOMIC_SEQ_CST);
}

FORCEINLINE LONG InterlockedExchange(_Inout_ _Interlocked_operand_ LONG volatile *Target, _In_ LONG Value)
{
    return __atomic_exchange_n(Target, Value, __ATOMIC_SEQ_CST);
}

FORCEINLINE LONG InterlockedExchangeAdd(_Inout_ _Interlocked_operand_ LONG volatile *Addend, _In_ LONG Value)
{
    return __atomic_fetch_add(Addend, Value, __ATOMIC_SEQ_CST);
}

/* Stores Exchange only if *Destination equals Comparand; returns what *Destination held either way. */
FORCEINLINE LONG InterlockedCompareExchange(_Inout_ _Interlocked_operand_ LONG volatile *Destination,
                                            _In_ LONG Exchange, _In_ LONG Comparand)
{
    __atomic_compare_exchange_n(Destination, &Comparand, Exchange, FALSE, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    return Comparand;
}

/*
 * cmpxchg8b, written out: a LONG64 is only 4-aligned on i386, so the
 * compiler would call a library routine rather than trust the instruction.
 */
FORCEINLINE LONG64 InterlockedCompareExchange64(_Inout_ _Interlocked_operand_ LONG64 volatile *Destination,
                                                _In_ LONG64 Exchange, _In_ LONG64 Comparand)
{
#if defined(__i386__)
    __asm__ volatile("lock cmpxchg8b %1"
                     : "+A"(Comparand), "+m"(*Destination)
                     : "b"((ULONG)Exchange), "c"((ULONG)((ULONGLONG)Exchange >> 32))
                     : "memory", "cc");
#else
    __atomic_compare_exchange_n(Destination, &Comparand, Exchange, FALSE, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
#endif
    return Comparand;
}

FORCEINLINE PVOID InterlockedCompareExchangePointer(_Inout_ _Interlocked_operand_ PVOID volatile *Destination,
                                                    _In_opt_ PVOID Exchange, _In_opt_ PVOID Comparand)
{
    __atomic_compare_exchange_n(Destination, &Comparand, Exchange, FALSE, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    return Comparand;
}

FORCEINLINE PVOID InterlockedExchangePointer(_Inout_ _Interlocked_operand_ PVOID volatile *Target,
                                             _In_opt_ PVOID Value)
{
    return __atomic_exchange_n(Target, Value, __ATOMIC_SEQ_CST);
}

/*
 * The bitwise forms return the value before the operation: InterlockedAnd,
 * InterlockedOr and InterlockedXor on a LONG, the same with 8 after the
 * name on a CHAR.
 */
#define NTMM_INTERLOCKED_BITWISE(Name, Type, Builtin)                                              \
    FORCEINLINE Type Name(_Inout_ _Interlocked_operand_ Type volatile *Destination, _In_ Type Value) \
    {                                                                                              \
        return Builtin(Destination, Value, __ATOMIC_SEQ_CST);                                      \
    }

NTMM_INTERLOCKED_BITWISE(InterlockedAnd, LONG, __atomic_fetch_and)
NTMM_INTERLOCKED_BITWISE(InterlockedOr, LONG, __atomic_fetch_or)
NTMM_INTERLOCKED_BITWISE(InterlockedXor, LONG, __atomic_fetch_xor)
NTMM_INTERLOCKED_BITWISE(InterlockedAnd8, CHAR, __atomic_fetch_and)
NTMM_INTERLOCKED_BITWISE(InterlockedOr8, CHAR, __atomic_fetch_or)
NTMM_INTERLOCKED_BITWISE(InterlockedXor8, CHAR, __atomic_fetch_xor)
#undef NTMM_INTERLOCKED_BITWISE

/* Returns the sum, where InterlockedExchangeAdd returns the value before it. */
FORCEINLINE LONG InterlockedAdd(_Inout_ _Interlocked_operand_ LONG volatile *Addend, _In_ LONG Value)
{
    return __atomic_add_fetch(Addend, Value, __ATOMIC_SEQ_CST);
}

/* 16-bit forms: lock xadd and lock cmpxchg of that width. */
FORCEINLINE SHORT InterlockedIncrement16(_Inout_ _Interlocked_operand_ SHORT volatile *Addend)
{
    return __atomic_add_fetch(Addend, 1, __ATOMIC_SEQ_CST);
}

FORCEINLINE SHORT InterlockedDecrement16(_Inout_ _Interlocked_operand_ SHORT volatile *Addend)
{
    return __atomic_sub_fetch(Addend, 1, __ATOMIC_SEQ_CST);
}

FORCEINLINE SHORT InterlockedCompareExchange16(_Inout_ _Interlocked_operand_ SHORT volatile *Destination,
                                               _In_ SHORT Exchange, _In_ SHORT Comparand)
{
    __atomic_compare_exchange_n(Destination, &Comparand, Exchange, FALSE, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    return Comparand;
}

/* Sets (resets) bit Offset of *Base, lock bts (btr); returns what the bit was. */
FORCEINLINE BOOLEAN InterlockedBitTestAndSet(_Inout_ _Interlocked_operand_ LONG volatile *Base, _In_ LONG Offset)
{
    LONG Mask = (LONG)(1UL << (Offset & 31));

    return (__atomic_fetch_or(&Base[Offset >> 5], Mask, __ATOMIC_SEQ_CST) & Mask) != 0;
}

FORCEINLINE BOOLEAN InterlockedBitTestAndReset(_Inout_ _Interlocked_operand_ LONG volatile *Base, _In_ LONG Offset)
{
    LONG Mask = (LONG)(1UL << (Offset & 31));

    return (__atomic_fetch_and(&Base[Offset >> 5], ~Mask, __ATOMIC_SEQ_CST) & Mask) != 0;
}

/*
 * The 64-bit operations, as the x86 DDK builds them: a compare-exchange
 * loop over cmpxchg8b, the one 64-bit locked instruction an i686 has. The
 * read the loop starts from may be torn; the exchange then fails and the
 * loop reads again.
 */
#define NTMM_INTERLOCKED64(Name, Returns, Operation)                                               \
    FORCEINLINE LONG64 Name(_Inout_ _Interlocked_operand_ LONG64 volatile *Target, _In_ LONG64 Value) \
    {                                                                                              \
        LONG64 Old, New;                                                                           \
                                                                                                   \
        do {                                                                                       \
            Old = *Target;                                                                         \
            New = (LONG64)(Operation);                                                             \
        } while (InterlockedCompareExchange64(Target, New, Old) != Old);                           \
        return Returns;                                                                            \
    }

NTMM_INTERLOCKED64(InterlockedExchange64, Old, Value)
NTMM_INTERLOCKED64(InterlockedExchangeAdd64, Old, (ULONG64)Old + (ULONG64)Value)
NTMM_INTERLOCKED64(InterlockedAdd64, New, (ULONG64)Old + (ULONG64)Value)
NTMM_INTERLOCKED64(InterlockedAnd64, Old, Old & Value)
NTMM_INTERLOCKED64(InterlockedOr64, Old, Old | Value)
NTMM_INTERLOCKED64(InterlockedXor64, Old, Old ^ Value)
#undef NTMM_INTERLOCKED64

FORCEINLINE LONG64 InterlockedIncrement64(_Inout_ _Interlocked_operand_ LONG64 volatile *Addend)
{
    return InterlockedAdd64(Addend, 1);
}

FORCEINLINE LONG64 InterlockedDecrement64(_Inout_ _Interlocked_operand_ LONG64 volatile *Addend)
{
    return InterlockedAdd64(Addend, -1);
}

#define InterlockedIncrementAcquire InterlockedIncrement
#define InterlockedIncrementRelease InterlockedIncrement
#define InterlockedDecrementAcquire InterlockedDecrement
#define InterlockedDecrementRelease InterlockedDecrement
#define InterlockedExchangeAcquire InterlockedExchange
#define InterlockedExchangeRelease InterlockedExchange
#define InterlockedExchangeAddAcquire InterlockedExchangeAdd
#define InterlockedExchangeAddRelease InterlockedExchangeAdd
#define InterlockedCompareExchangeAcquire InterlockedCompareExchange
#define InterlockedCompareExchangeRelease InterlockedCompareExchange
#define InterlockedCompareExchangeAcquire64 InterlockedCompareExchange64
#define InterlockedCompareExchangeRelease64 InterlockedCompareExchange64
#define InterlockedCompareExchangePointerAcquire InterlockedCompareExchangePointer
#define InterlockedCompareExchangePointerRelease InterlockedCompareExchangePointer
#define InterlockedAndAcquire InterlockedAnd
#define InterlockedAndRelease InterlockedAnd
#define InterlockedOrAcquire InterlockedOr
#define InterlockedOrRelease InterlockedOr
#define InterlockedXorAcquire InterlockedXor
#define InterlockedXorRelease InterlockedXor

/*
 * A full barrier: no load or store moves across it, in the compiler or the
 * processor (on i686, without SSE2, a locked or of the stack top, as NT's).
 */
FORCEINLINE VOID KeMemoryBarrier(VOID)
{
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/* Keeps the compiler from moving memory accesses across it; x86 keeps stores in order itself. */
#define KeMemoryBarrierWithoutFence() __asm__ volatile("" ::: "memory")
#define _ReadWriteBarrier() KeMemoryBarrierWithoutFence()

#endif
