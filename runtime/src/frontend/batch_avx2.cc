// The 8-lane (AVX2) instantiation of batch.inc, compiled for AVX2 through a
// function-level target so the rest of the library stays at the x86-64
// baseline; batch.cc calls it only when the CPU reports AVX2. FMA is not
// enabled, so no multiply-add is fused and every lane rounds as the scalar
// code does. On other targets (e.g. Cortex-M4) this unit only says "no".
#include "batch.h"

#if defined(__x86_64__) && defined(__GNUC__)
// Everything that is not this file's own code comes in before the target
// switch, so no shared inline function is compiled for AVX2.
#include <immintrin.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "earshot/rt/frontend.h"

#pragma GCC push_options
#pragma GCC target("avx2")
#define EARSHOT_SIMD_NS simd_avx2
#define EARSHOT_SIMD_AVX2 1
#include "simd.h"
#include "batch.inc"

namespace earshot::rt::detail {

void analyze_lanes_8(const BatchPlan& plan, const float* const* frames, int count, float* out, size_t out_stride,
                     float* scratch) {
  simd_avx2::Batched<simd_avx2::F8>::run(plan, frames, count, out, out_stride, scratch);
}

}  // namespace earshot::rt::detail
#pragma GCC pop_options

namespace earshot::rt::detail {
bool avx2_available() { return __builtin_cpu_supports("avx2"); }
}  // namespace earshot::rt::detail

#else

namespace earshot::rt::detail {
bool avx2_available() { return false; }
void analyze_lanes_8(const BatchPlan&, const float* const*, int, float*, size_t, float*) {}
}  // namespace earshot::rt::detail

#endif
