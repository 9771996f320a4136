/* pit.c: the 8254's channel 0 as the clock, CLOCK_TICKS_PER_SECOND interrupts a second on IRQ 0. */
#include <hal.h>

#define PIT_CHANNEL0 0x40
#define PIT_COMMAND  0x43
#define PIT_CHANNEL0_RATE_GENERATOR 0x34 /* channel 0, low then high byte, mode 2 */

VOID HalInitializeClock(VOID)
{
    USHORT Divisor = PIT_INPUT_HZ / CLOCK_TICKS_PER_SECOND;

    __outbyte(PIT_COMMAND, PIT_CHANNEL0_RATE_GENERATOR);
    __outbyte(PIT_CHANNEL0, Divisor & 0xFF);
    __outbyte(PIT_CHANNEL0, Divisor >> 8);
    HalEnableSystemInterrupt(PIC_IRQ_TIMER, CLOCK2_LEVEL);
}
