// int8 weights times int16 values, the recurrent stream's running sums (not
// installed).
#pragma once

#include <stdint.h>
#include <string.h>

namespace earshot::rt::detail {

// The order dot_s8_s16 reads its int16 operand in: within every whole group
// of four, elements 0, 2, 1, 3 (so one word holds the pair SMLAD multiplies
// with SXTB16's lanes 0 and 2, the next word lanes 1 and 3); the last n % 4
// stay in place.
inline void swizzle_s16(const int16_t* x, int32_t n, int16_t* out) {
  int32_t i = 0;
  for (; i + 4 <= n; i += 4) {
    out[i] = x[i];
    out[i + 1] = x[i + 2];
    out[i + 2] = x[i + 1];
    out[i + 3] = x[i + 3];
  }
  for (; i < n; ++i) out[i] = x[i];
}

// sum over i < n of w[i] * x[i], in wrapping int32 arithmetic, with
// xs = swizzle_s16(x). The caller keeps n * 128 * 32768 below 2^31 when it
// needs the exact sum (n <= 512).
//
// With the DSP extension: one word of weights -> SXTB16 (bytes 0, 2) and
// SXTB16 ROR #8 (bytes 1, 3), each multiplied pairwise by one word of xs with
// SMLAD: four products in six instructions.
[[gnu::noinline]] inline int32_t dot_s8_s16(const int8_t* w, const int16_t* xs, int32_t n) {
  uint32_t acc = 0;
  int32_t i = 0;
#if defined(__ARM_FEATURE_DSP) && defined(__GNUC__)
  for (; i + 4 <= n; i += 4) {
    uint32_t wv, x02, x13, w02, w13;
    memcpy(&wv, w + i, 4);
    memcpy(&x02, xs + i, 4);
    memcpy(&x13, xs + i + 2, 4);
    __asm__("sxtb16 %0, %1" : "=r"(w02) : "r"(wv));
    __asm__("sxtb16 %0, %1, ror #8" : "=r"(w13) : "r"(wv));
    __asm__("smlad %0, %1, %2, %3" : "=r"(acc) : "r"(w02), "r"(x02), "r"(acc));
    __asm__("smlad %0, %1, %2, %3" : "=r"(acc) : "r"(w13), "r"(x13), "r"(acc));
  }
#else
  for (; i + 4 <= n; i += 4) {
    acc += static_cast<uint32_t>(w[i] * xs[i] + w[i + 2] * xs[i + 1] + w[i + 1] * xs[i + 2] + w[i + 3] * xs[i + 3]);
  }
#endif
  for (; i < n; ++i) acc += static_cast<uint32_t>(static_cast<int32_t>(w[i]) * xs[i]);
  return static_cast<int32_t>(acc);
}

}  // namespace earshot::rt::detail
