// mps2-an386 board support: CMSDK UART0 output, SysTick timing, semihosting exit.
#pragma once

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

void board_uart_init(void);
void board_putc(char c);
void board_puts(const char* s);    // no newline added
void board_put_u32(uint32_t v);    // decimal
void board_put_u64(uint64_t v);    // decimal
void board_put_i32(int32_t v);     // decimal
void board_put_hex32(uint32_t v);  // 8 lower-case hex digits

// SysTick on the processor clock (25 MHz in QEMU's model), free-running
// down-counter over 24 bits. board_ticks() counts up, wrapping at 2^24.
void board_systick_start(void);
uint32_t board_ticks(void);
uint32_t board_ticks_since(uint32_t start);  // modulo 2^24

// Bytes of the stack ever written since reset (the reset handler paints it).
uint32_t board_stack_used(void);
uint32_t board_stack_size(void);

// Ends the QEMU run with this exit status (semihosting SYS_EXIT_EXTENDED).
void board_exit(int status) __attribute__((noreturn));

#ifdef __cplusplus
}
#endif
