/*
 * hw/pc.h: the PC devices ntmm drives from assembly as well as from C: COM1's
 * 16550 UART, the VGA text screen, and QEMU's isa-debug-exit. Assembly-safe.
 */
#ifndef NTMM_HW_PC_H
#define NTMM_HW_PC_H

/* COM1, a 16550 UART; its registers as offsets from the base port. */
#define COM1_PORT        0x3F8
#define UART_DATA        0 /* RBR/THR; divisor low when DLAB */
#define UART_IER         1 /* divisor high when DLAB */
#define UART_FCR         2
#define UART_LCR         3
#define UART_MCR         4
#define UART_LSR         5
#define UART_SCR         7

#define UART_LCR_8N1     0x03
#define UART_LCR_DLAB    0x80
#define UART_FCR_ENABLE  0x07 /* FIFOs on, both cleared */
#define UART_MCR_DTR_RTS 0x03
#define UART_MCR_OUT2    0x08
#define UART_MCR_LOOP    0x10
#define UART_LSR_DATA    0x01
#define UART_LSR_THRE    0x20
#define UART_CLOCK_HZ    115200
#define UART_DIVISOR_115200 (UART_CLOCK_HZ / 115200)

/* The VGA text screen: 80x25 cells of a character and an attribute byte, at a fixed physical address. */
#define VGA_TEXT_BUFFER  0xB8000
#define VGA_TEXT_COLUMNS 80
#define VGA_TEXT_ROWS    25
#define VGA_TEXT_ATTRIBUTE 0x07   /* light grey on black, as the BIOS leaves it */
/* The CRT controller's index and data ports (colour mode) and its cursor location registers. */
#define VGA_CRTC_INDEX   0x3D4
#define VGA_CRTC_DATA    0x3D5
#define VGA_CRTC_CURSOR_HIGH 0x0E
#define VGA_CRTC_CURSOR_LOW  0x0F

/* The 8042 keyboard controller, polled: status bits, and the pulse on the reset line. */
#define I8042_DATA_PORT        0x60
#define I8042_STATUS_PORT      0x64
#define I8042_STATUS_OUTPUT_FULL 0x01
#define I8042_STATUS_AUX_DATA  0x20   /* the byte waiting is the mouse's */
#define I8042_ABSENT           0xFF   /* what a status read gives with no controller */
#define I8042_PULSE_RESET      0xFE   /* resets the processor (QEMU -no-reboot then exits) */

/* Leaving QEMU through isa-debug-exit (-device isa-debug-exit,iobase=0xf4) on a test boot. */
#define KI_EXIT_PORT            0xF4
#define KI_EXIT_TESTS_DONE      0x10 /* 33: every selected case passed */
#define KI_EXIT_BUGCHECK        0x11 /* 35: the system stopped, and nothing expected it */
#define KI_EXIT_TESTS_FAILED    0x12 /* 37: the cases ran, and at least one failed */
#define KI_EXIT_EXPECTED_STOP   0x13 /* 39: a KTEST_BUGCHECK case stopped as it should */

#endif
