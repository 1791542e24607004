// Float kernels of the training engine, compiled once per instruction set and
// chosen once per process (not installed).
//
// kernels_portable.cc builds kernels_impl.inc with the library's flags (x86-64
// baseline: SSE2); kernels_avx2.cc builds the same source with -mavx2 -mfma
// (host/CMakeLists.txt), inside its own namespaces, Eigen's included (see
// there). active() picks AVX2+FMA when the CPU has both, unless the
// environment says EARSHOT_ISA=portable. Both paths are deterministic (fixed
// summation order, independent of where buffers start, no threads inside a
// call), but FMA rounds differently from mul + add, so the two give different
// (equally reproducible) weights.
#pragma once

#include <cstddef>
#include <cstdint>

namespace earshot::nn::kern {

// Rows of a convolution whose receptive fields are contiguous in the input
// ("valid" padding and a kernel as wide as the input): row r = b * npos + p
// reads K floats at x + b * ex_stride + p * pos_stride.
struct Patches {
  const float* x = nullptr;
  size_t batch = 0, npos = 0, pos_stride = 0, ex_stride = 0, K = 0;
};

struct Kernels {
  const char* name;  // "portable" or "avx2"
  // C (= or +=) op(A) op(B); row-major, leading dimensions lda/ldb/ldc;
  // op(A) is [m, k], op(B) [k, n], C [m, n]. Eigen's GEMM.
  void (*gemm)(bool ta, bool tb, size_t m, size_t n, size_t k, const float* a, size_t lda, const float* b, size_t ldb,
               float* c, size_t ldc, bool accumulate);
  // Keras update rules (optimizer.cc), one fused pass.
  void (*adam)(float* p, const float* g, float* m, float* v, size_t n, float a, float b1, float b2, float eps);
  void (*sgd)(float* p, const float* g, float* v, size_t n, float lr, float mom, bool nesterov);
  void (*rmsprop)(float* p, const float* g, float* acc, size_t n, float lr, float rho, float eps);
  // Direct convolution over Patches. y [rows, C] = patches [rows, K] w [K, C]
  // (+ bias when not null): each sum runs over k in order, then adds the bias.
  void (*conv_forward)(const Patches& x, const float* w, const float* bias, size_t C, float* y);
  // dw [K, C] (= or +=) patches^T dz, dz [rows, C]; sums over rows in order.
  void (*conv_weight_grad)(const Patches& x, const float* dz, size_t C, float* dw, bool accumulate);
  // Global max pooling of x [B, P, C] over P: out [B, C] and the position of
  // each maximum, idx [B, C] in [0, P). A later value replaces the running
  // maximum when it is larger or NaN (so the first of equal maxima stays).
  // Exact, so every variant gives the same result.
  void (*global_max)(const float* x, size_t B, size_t P, size_t C, float* out, uint32_t* idx);
  // Its backward: dx [B, P, C] is zero except dx[b, idx[b, c], c] = g[b, c].
  void (*global_max_backward)(const float* g, const uint32_t* idx, size_t B, size_t P, size_t C, float* dx);
};

// The set this process uses: chosen at the first call (cpuid and EARSHOT_ISA:
// "portable", "avx2" or "auto"; anything else is an error), then fixed.
const Kernels& active();
const Kernels& portable();
// nullptr when not built for x86-64 or the CPU lacks AVX2 or FMA.
const Kernels* avx2();

}  // namespace earshot::nn::kern
