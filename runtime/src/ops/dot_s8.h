// int8 dot product of the CONV_2D and FULLY_CONNECTED kernels (not installed).
#pragma once

#include <stdint.h>
#include <string.h>

namespace earshot::rt::detail {

// sum over i < n of w[i] * (x[i] + x_offset), in wrapping int32 arithmetic.
// TFLM accumulates the same products in plain int32 in another order; a
// wrapping sum does not depend on the order, so the result is bit-identical.
//
// Not inlined on purpose: in its own frame the loop keeps its pointers in
// registers instead of spilling them around the callers' loop nests.
//
// With the DSP extension (Cortex-M4/M7/M33...), 4 products per step:
// SXTB16 sign-extends bytes 0 and 2 (or 1 and 3 after ROR #8) of a weight
// word into two int16 lanes, SXTAB16 does the same for the input and adds
// x_offset to each lane (x + x_offset lies in [-255, 255], so a lane holds it
// exactly), and SMLAD adds both 16x16 products to the accumulator modulo
// 2^32 (it only sets the Q flag on overflow).
[[gnu::noinline]] inline int32_t dot_s8(const int8_t* w, const int8_t* x, int32_t n, int32_t x_offset) {
  uint32_t acc = 0;
#if defined(__ARM_FEATURE_DSP) && defined(__GNUC__)
  const uint32_t off2 = (static_cast<uint32_t>(x_offset) & 0xffffu) * 0x00010001u;
  auto step4 = [off2](const int8_t* wp, const int8_t* xp, uint32_t a) -> uint32_t {
    uint32_t wv, xv, w02, w13, x02, x13;
    memcpy(&wv, wp, 4);  // unaligned word loads are fine on ARMv7E-M
    memcpy(&xv, xp, 4);
    __asm__("sxtb16 %0, %1" : "=r"(w02) : "r"(wv));
    __asm__("sxtb16 %0, %1, ror #8" : "=r"(w13) : "r"(wv));
    __asm__("sxtab16 %0, %1, %2" : "=r"(x02) : "r"(off2), "r"(xv));
    __asm__("sxtab16 %0, %1, %2, ror #8" : "=r"(x13) : "r"(off2), "r"(xv));
    __asm__("smlad %0, %1, %2, %3" : "=r"(a) : "r"(w02), "r"(x02), "r"(a));
    __asm__("smlad %0, %1, %2, %3" : "=r"(a) : "r"(w13), "r"(x13), "r"(a));
    return a;
  };
  for (; n >= 8; n -= 8, w += 8, x += 8) {
    acc = step4(w, x, acc);
    acc = step4(w + 4, x + 4, acc);
  }
  if (n >= 4) {
    acc = step4(w, x, acc);
    n -= 4;
    w += 4;
    x += 4;
  }
#endif
  for (int32_t i = 0; i < n; ++i) {
    acc += static_cast<uint32_t>(static_cast<int32_t>(w[i]) * (static_cast<int32_t>(x[i]) + x_offset));
  }
  return static_cast<int32_t>(acc);
}

}  // namespace earshot::rt::detail
