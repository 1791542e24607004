// Reset and vector table for QEMU mps2-an386 (Cortex-M4F), plus the board
// support in board.h. Bare metal: no RTOS, no heap, no newlib stdio.
#include <stdint.h>
#include <string.h>

#include "board.h"

extern uint32_t __data_start__, __data_end__, __data_load__;
extern uint32_t __bss_start__, __bss_end__;
extern uint32_t __stack_limit, __stack_top;
typedef void (*init_fn)(void);
extern init_fn __init_array_start[], __init_array_end[];

int main(void);
void Reset_Handler(void);

#define STACK_PAINT 0xC5C5C5C5u

static void fault_loop(const char* what) {
  board_puts("\nfirmware: fault: ");
  board_puts(what);
  board_puts("\n");
  board_exit(3);
}
static void NMI_Handler(void) { fault_loop("nmi"); }
static void HardFault_Handler(void) { fault_loop("hard fault"); }
static void MemManage_Handler(void) { fault_loop("memmanage"); }
static void BusFault_Handler(void) { fault_loop("bus fault"); }
static void UsageFault_Handler(void) { fault_loop("usage fault"); }
static void Default_Handler(void) { fault_loop("unexpected interrupt"); }

// Cortex-M4 exceptions 0..15, then 32 external interrupts (the AN386's).
__attribute__((section(".isr_vector"), used)) const void* const vector_table[16 + 32] = {
    &__stack_top,
    (const void*)Reset_Handler,
    (const void*)NMI_Handler,
    (const void*)HardFault_Handler,
    (const void*)MemManage_Handler,
    (const void*)BusFault_Handler,
    (const void*)UsageFault_Handler,
    0,
    0,
    0,
    0,
    (const void*)Default_Handler,  // SVCall
    (const void*)Default_Handler,  // DebugMonitor
    0,
    (const void*)Default_Handler,  // PendSV
    (const void*)Default_Handler,  // SysTick (not enabled: polled)
    [16 ... 47] = (const void*)Default_Handler,
};

#define SCB_CPACR (*(volatile uint32_t*)0xE000ED88u)
#define SCB_CCR (*(volatile uint32_t*)0xE000ED14u)
#define SCB_SHCSR (*(volatile uint32_t*)0xE000ED24u)

__attribute__((noreturn)) void Reset_Handler(void) {
  // FPU: full access to CP10 and CP11, before any floating-point instruction.
  SCB_CPACR |= (0xFu << 20);
  __asm volatile("dsb\n\tisb" ::: "memory");
  // Integer divide by zero traps (a silent 0 would hide a bug); unaligned
  // access stays legal, as on the M4 by default.
  SCB_CCR |= (1u << 4);                               // DIV_0_TRP
  SCB_SHCSR |= (1u << 16) | (1u << 17) | (1u << 18);  // separate fault handlers

  // Paint the stack below the current frame, to measure its high-water mark.
  uint32_t sp;
  __asm volatile("mov %0, sp" : "=r"(sp));
  for (volatile uint32_t* p = &__stack_limit; (uint32_t)p < sp - 64u; ++p) *p = STACK_PAINT;

  for (uint32_t *s = &__data_load__, *d = &__data_start__; d < &__data_end__;) *d++ = *s++;
  for (uint32_t* d = &__bss_start__; d < &__bss_end__;) *d++ = 0;
  for (init_fn* f = __init_array_start; f < __init_array_end; ++f) (*f)();

  board_uart_init();
  board_exit(main());
}

// ---- CMSDK APB UART0 -------------------------------------------------------
#define UART0_BASE 0x40004000u
#define UART_DATA (*(volatile uint32_t*)(UART0_BASE + 0x00u))
#define UART_STATE (*(volatile uint32_t*)(UART0_BASE + 0x04u))
#define UART_CTRL (*(volatile uint32_t*)(UART0_BASE + 0x08u))
#define UART_BAUDDIV (*(volatile uint32_t*)(UART0_BASE + 0x10u))

void board_uart_init(void) {
  UART_BAUDDIV = 16u;  // the smallest divider the CMSDK UART accepts
  UART_CTRL = 1u;      // TX enable
}

void board_putc(char c) {
  while (UART_STATE & 1u) {  // TX buffer full
  }
  UART_DATA = (uint32_t)(unsigned char)c;
}

void board_puts(const char* s) {
  while (*s) board_putc(*s++);
}

void board_put_u64(uint64_t v) {
  char buf[21];
  int i = 20;
  buf[i] = 0;
  do {
    buf[--i] = (char)('0' + (int)(v % 10u));
    v /= 10u;
  } while (v);
  board_puts(&buf[i]);
}

void board_put_u32(uint32_t v) { board_put_u64(v); }

void board_put_i32(int32_t v) {
  if (v < 0) {
    board_putc('-');
    board_put_u64((uint64_t)(-(int64_t)v));
  } else {
    board_put_u64((uint64_t)v);
  }
}

void board_put_hex32(uint32_t v) {
  static const char digits[] = "0123456789abcdef";
  for (int s = 28; s >= 0; s -= 4) board_putc(digits[(v >> s) & 0xFu]);
}

// ---- SysTick ---------------------------------------------------------------
#define SYST_CSR (*(volatile uint32_t*)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t*)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t*)0xE000E018u)

void board_systick_start(void) {
  SYST_CSR = 0;
  SYST_RVR = 0x00FFFFFFu;
  SYST_CVR = 0;
  SYST_CSR = 5u;  // enable, processor clock, no interrupt
}

uint32_t board_ticks(void) { return (0x00FFFFFFu - SYST_CVR) & 0x00FFFFFFu; }

uint32_t board_ticks_since(uint32_t start) { return (board_ticks() - start) & 0x00FFFFFFu; }

// ---- stack -----------------------------------------------------------------
uint32_t board_stack_used(void) {
  const uint32_t* p = &__stack_limit;
  while (p < &__stack_top && *p == STACK_PAINT) ++p;
  return (uint32_t)((const uint8_t*)&__stack_top - (const uint8_t*)p);
}

uint32_t board_stack_size(void) { return (uint32_t)((const uint8_t*)&__stack_top - (const uint8_t*)&__stack_limit); }

// ---- semihosting -----------------------------------------------------------
void board_exit(int status) {
  // SYS_EXIT_EXTENDED (0x20): {ADP_Stopped_ApplicationExit, status}. QEMU
  // (-semihosting) exits with the status.
  static volatile uint32_t block[2];
  block[0] = 0x20026u;
  block[1] = (uint32_t)status;
  register uint32_t r0 __asm("r0") = 0x20u;
  register volatile uint32_t* r1 __asm("r1") = block;
  __asm volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
  for (;;) {
  }
}
