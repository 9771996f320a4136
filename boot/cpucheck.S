/*
 * cpucheck.S: what ntmm needs from the processor, checked at entry before
 * any compiled C runs, and the UNSUPPORTED_PROCESSOR stop when it is not there.
 *
 * The processor must have CPUID (EFLAGS.ID can be toggled), a leaf 1, and
 * in its EDX every bit of KI_REQUIRED_FEATURES (hw/i386.h says why each):
 * a Pentium Pro or later. A 486 or a Pentium would otherwise triple-fault
 * on the first cmov with nothing on the screen.
 *
 * The stop runs with paging off, on physical addresses, and can rely on
 * nothing the C kernel sets up: it programs COM1 itself, writes the VGA
 * text screen at its physical address, and prints what KeBugCheckEx would,
 * NT's STOP line and the name, then what the processor lacks. Its
 * parameters: CPUID leaf 1's EAX (the signature) and EDX (the features),
 * both 0 without CPUID or leaf 1; KI_REQUIRED_FEATURES; the features
 * missing. On a test boot ("ktest" or "bench" on the command line, read as
 * KeCommandLineHasOption reads it) it then leaves QEMU through
 * isa-debug-exit with KI_EXIT_BUGCHECK, as KeBugCheckEx does; otherwise it
 * halts.
 */
#include <hw/i386.h>
#include <hw/multiboot.h>
#include <hw/pc.h>
#include <bugcodes.h>
#include <mmlayout.h>

#define V2P(x) ((x) - KSEG0_BASE)
#define STOP_ATTRIBUTE 0x1F      /* white on blue, as NT's stop screen */

    .text
/*
 * KiBootCheckProcessor: ESI = the loader's magic, EDI = its information
 * (physical), ESP a physical stack. Returns when the processor will do,
 * with EAX, EBX, ECX and EDX changed; otherwise stops.
 */
    .globl KiBootCheckProcessor
KiBootCheckProcessor:
    pushfl
    popl %eax
    movl %eax, %ecx
    xorl $EFLAGS_ID, %eax
    pushl %eax
    popfl
    pushfl
    popl %eax
    pushl %ecx
    popfl
    xorl %ecx, %eax
    testl $EFLAGS_ID, %eax
    jz 1f                               /* ID does not stick: no CPUID */
    movl $CPUID_LEAF_MAXIMUM, %eax
    cpuid
    cmpl $CPUID_LEAF_FEATURES, %eax
    jb 1f
    movl $CPUID_LEAF_FEATURES, %eax
    cpuid
    movl %edx, %ecx
    andl $KI_REQUIRED_FEATURES, %ecx
    cmpl $KI_REQUIRED_FEATURES, %ecx
    jne KiBootUnsupportedProcessor
    ret
1:  xorl %eax, %eax
    xorl %edx, %edx
    /* fall through */

/* EAX = the signature, EDX = the features; ESI and EDI as above. Does not return. */
KiBootUnsupportedProcessor:
    movl $V2P(KiBootStopParameters), %ebx
    movl %eax, 0(%ebx)
    movl %edx, 4(%ebx)
    movl $KI_REQUIRED_FEATURES, 8(%ebx)
    notl %edx
    andl $KI_REQUIRED_FEATURES, %edx
    movl %edx, 12(%ebx)
    call KiBootIsTestBoot
    movl %eax, %ebp
    call KiBootInitializeOutput

    movl $V2P(KiStopPrefix), %esi
    call KiBootPrint
    movl $KI_UNSUPPORTED_PROCESSOR_CODE, %eax
    call KiBootPrintHex
    movl $V2P(KiStopOpen), %esi
    xorl %ebx, %ebx
2:  call KiBootPrint                    /* " (0x", then ",0x" between the parameters */
    movl V2P(KiBootStopParameters)(, %ebx, 4), %eax
    call KiBootPrintHex
    movl $V2P(KiStopComma), %esi
    incl %ebx
    cmpl $4, %ebx
    jb 2b
    movl $V2P(KiStopText), %esi
    call KiBootPrint

    testl %ebp, %ebp
    jz 3f
    movb $KI_EXIT_BUGCHECK, %al
    outb %al, $KI_EXIT_PORT
3:  cli
    hlt
    jmp 3b

/*
 * EAX = 1 when a multiboot command line holds the word "ktest" or "bench"
 * (alone, or followed by '='), else 0. ESI = magic, EDI = information.
 */
KiBootIsTestBoot:
    xorl %eax, %eax
    cmpl $MULTIBOOT_BOOTLOADER_MAGIC, %esi
    jne 1f
    testl $MULTIBOOT_INFO_CMDLINE, MULTIBOOT_INFO_FLAGS_OFFSET(%edi)
    jz 1f
    movl MULTIBOOT_INFO_CMDLINE_OFFSET(%edi), %esi
    movl $V2P(KiOptionTest), %edi
    call KiBootHasOption
    testl %eax, %eax
    jnz 1f
    movl $V2P(KiOptionBench), %edi
    call KiBootHasOption
1:  ret

/* EAX = 1 when the line at ESI has the word at EDI (NUL-terminated) among its space-separated words. */
KiBootHasOption:
    pushl %esi
1:  cmpb $' ', (%esi)                   /* the start of the next word */
    jne 2f
    incl %esi
    jmp 1b
2:  cmpb $0, (%esi)
    je 6f
    xorl %ecx, %ecx
3:  movb (%edi, %ecx), %al              /* compare up to the option's NUL */
    testb %al, %al
    jz 4f
    cmpb %al, (%esi, %ecx)
    jne 5f
    incl %ecx
    jmp 3b
4:  movb (%esi, %ecx), %al              /* the option matched: the word must end there */
    testb %al, %al
    jz 7f
    cmpb $' ', %al
    je 7f
    cmpb $'=', %al
    je 7f
5:  cmpb $0, (%esi)                     /* skip the rest of this word */
    je 6f
    cmpb $' ', (%esi)
    je 1b
    incl %esi
    jmp 5b
6:  xorl %eax, %eax
    popl %esi
    ret
7:  movl $1, %eax
    popl %esi
    ret

/* COM1 at 115200 8N1, as HalInitializeSerial sets it, and a blank stop screen. */
KiBootInitializeOutput:
    movw $COM1_PORT + UART_IER, %dx
    xorb %al, %al
    outb %al, %dx
    movw $COM1_PORT + UART_LCR, %dx
    movb $UART_LCR_DLAB, %al
    outb %al, %dx
    movw $COM1_PORT + UART_DATA, %dx
    movb $UART_DIVISOR_115200 & 0xFF, %al
    outb %al, %dx
    movw $COM1_PORT + UART_IER, %dx
    movb $UART_DIVISOR_115200 >> 8, %al
    outb %al, %dx
    movw $COM1_PORT + UART_LCR, %dx
    movb $UART_LCR_8N1, %al
    outb %al, %dx
    movw $COM1_PORT + UART_FCR, %dx
    movb $UART_FCR_ENABLE, %al
    outb %al, %dx
    movw $COM1_PORT + UART_MCR, %dx
    movb $UART_MCR_DTR_RTS | UART_MCR_OUT2, %al
    outb %al, %dx

    movl $VGA_TEXT_BUFFER, %edi
    movl $VGA_TEXT_COLUMNS * VGA_TEXT_ROWS, %ecx
    movw $(STOP_ATTRIBUTE << 8) | ' ', %ax
    rep stosw
    movl $VGA_TEXT_BUFFER, V2P(KiBootScreenCursor)
    ret

/* Prints the NUL-terminated string at ESI (physical); ESI ends past the NUL. */
KiBootPrint:
1:  lodsb
    testb %al, %al
    jz 2f
    call KiBootPutChar
    jmp 1b
2:  ret

/* Prints EAX as eight upper-case hex digits. */
KiBootPrintHex:
    pushl %ebx
    pushl %ecx
    movl %eax, %edx
    movl $8, %ecx
1:  roll $4, %edx
    movl %edx, %eax
    andl $0xF, %eax
    movb V2P(KiHexDigits)(%eax), %al
    call KiBootPutChar
    loop 1b
    popl %ecx
    popl %ebx
    ret

/*
 * Writes AL to COM1 ("\n" as "\r\n", as HalSerialWrite does) and to the
 * screen at the cursor ("\n" moves it to the next row). EDX is kept.
 */
KiBootPutChar:
    pushl %edx
    pushl %edi
    cmpb $'\n', %al
    jne 1f
    pushl %eax
    movb $'\r', %al
    call KiBootSerialPutChar
    popl %eax
1:  call KiBootSerialPutChar
    movl V2P(KiBootScreenCursor), %edi
    cmpb $'\n', %al
    jne 2f
    /* The next row: the cursor's offset rounded up to a whole row. */
    subl $VGA_TEXT_BUFFER, %edi
    pushl %eax
    movl %edi, %eax
    xorl %edx, %edx
    movl $VGA_TEXT_COLUMNS * 2, %edi
    divl %edi
    incl %eax
    mull %edi
    leal VGA_TEXT_BUFFER(%eax), %edi
    popl %eax
    jmp 3f
2:  movb %al, (%edi)
    movb $STOP_ATTRIBUTE, 1(%edi)
    addl $2, %edi
3:  cmpl $VGA_TEXT_BUFFER + VGA_TEXT_COLUMNS * VGA_TEXT_ROWS * 2, %edi
    jb 4f
    movl $VGA_TEXT_BUFFER, %edi         /* a full screen starts over at the top */
4:  movl %edi, V2P(KiBootScreenCursor)
    popl %edi
    popl %edx
    ret

/* Writes AL to COM1 once the transmitter is empty (a missing UART reads as always empty). */
KiBootSerialPutChar:
    pushl %eax
    movw $COM1_PORT + UART_LSR, %dx
1:  inb %dx, %al
    testb $UART_LSR_THRE, %al
    jz 1b
    popl %eax
    movw $COM1_PORT + UART_DATA, %dx
    outb %al, %dx
    ret

    .section .rodata
KiStopPrefix:
    .asciz "\n*** STOP: 0x"
KiStopOpen:
    .asciz " (0x"
KiStopComma:
    .asciz ",0x"
KiStopText:
    .ascii ")\nUNSUPPORTED_PROCESSOR\n\n"
    .ascii "ntmm needs a Pentium Pro or later: CPUID, and in CPUID leaf 1\n"
    .ascii "the TSC, CMPXCHG8B and CMOV (EDX bits 4, 8, 15; the fourth\n"
    .asciz "parameter is what this processor lacks). System halted.\n"
KiOptionTest:
    .asciz "ktest"
KiOptionBench:
    .asciz "bench"
KiHexDigits:
    .ascii "0123456789ABCDEF"

    .section .bss
    .align 4
KiBootStopParameters:
    .skip 16
KiBootScreenCursor:
    .skip 4
    .section .note.GNU-stack, "", @progbits
