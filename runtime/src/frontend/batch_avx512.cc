// The 16-lane (AVX-512F) instantiation of batch.inc; see batch_avx2.cc, which
// this mirrors. AVX-512F has fused multiply-add instructions, so unlike the
// AVX2 unit this one is also compiled with -ffp-contract=off
// (runtime/CMakeLists.txt); the pragma below says the same to GCC, in case
// the file is built by another build system.
#include "batch.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "earshot/rt/frontend.h"

#pragma GCC push_options
#pragma GCC target("avx2,avx512f")
#pragma GCC optimize("fp-contract=off")
#define EARSHOT_SIMD_NS simd_avx512
#define EARSHOT_SIMD_AVX2 1
#define EARSHOT_SIMD_AVX512 1
#include "simd.h"
#include "batch.inc"

namespace earshot::rt::detail {

void analyze_lanes_16(const BatchPlan& plan, const float* const* frames, int count, float* out, size_t out_stride,
                      float* scratch) {
  simd_avx512::Batched<simd_avx512::F16>::run(plan, frames, count, out, out_stride, scratch);
}

}  // namespace earshot::rt::detail
#pragma GCC pop_options

namespace earshot::rt::detail {
bool avx512_available() { return __builtin_cpu_supports("avx512f"); }
}  // namespace earshot::rt::detail

#else

namespace earshot::rt::detail {
bool avx512_available() { return false; }
void analyze_lanes_16(const BatchPlan&, const float* const*, int, float*, size_t, float*) {}
}  // namespace earshot::rt::detail

#endif
