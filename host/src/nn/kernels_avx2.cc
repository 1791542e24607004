// The float kernels built with -mavx2 -mfma (host/CMakeLists.txt sets the
// flags on this file only; kernels.h). Called only after cpuid says so.
//
// One-definition rule: every inline function this file instantiates must be
// private to it, or the linker could hand AVX2 code to the portable callers.
// Eigen's namespace is renamed for this translation unit (the macro below
// reaches every `Eigen` token in its headers), our code sits in its own
// namespace, and kernels_impl.inc uses nothing from the standard library that
// is not inlined. To check: `nm -C kernels_avx2.cc.o | grep -v ' [tbdrU] '`
// lists only earshot_eigen_avx2:: and avx2_impl symbols (and the personality
// routine's DW.ref, which is the same for every object).
#if defined(__AVX2__) && defined(__FMA__)
#define Eigen earshot_eigen_avx2
#define EARSHOT_KERNELS_NS avx2_impl
#define EARSHOT_KERNELS_NAME "avx2"
#include "kernels_impl.inc"
#endif
