// What the two firmware programs (main.cc: the detector; recurrent_main.cc:
// the recurrent clip classifier) share: status lines on the UART and the
// instruction-count calibration loop.
#pragma once

#include <stdint.h>

#include "board.h"
#include "earshot/rt/status.h"

namespace fw {

// "error <what> <status name>" on UART0.
inline void print_status(const char* what, earshot::rt::Status s) {
  board_puts("error ");
  board_puts(what);
  board_puts(" ");
  board_puts(earshot::rt::status_name(s));
  board_puts("\n");
}

// A loop of exactly 2 * n instructions (subs + bne), to relate SysTick ticks
// to executed instructions under QEMU -icount.
[[gnu::noinline]] inline void calib_loop(uint32_t n) {
  __asm volatile(
      "1: subs %0, %0, #1\n\t"
      "bne 1b"
      : "+r"(n)
      :
      : "cc");
}

}  // namespace fw
