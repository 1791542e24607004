// Chooses the float kernel set once per process (kernels.h).
#include "kernels.h"

#include <cstdlib>
#include <string>

#include "earshot/error.h"
#include "earshot/nn/layer.h"

namespace earshot::nn::kern {

namespace portable_impl {
extern const Kernels table;
}
#if defined(EARSHOT_AVX2_KERNELS)
namespace avx2_impl {
extern const Kernels table;
}
#endif

const Kernels& portable() { return portable_impl::table; }

const Kernels* avx2() {
#if defined(EARSHOT_AVX2_KERNELS)
  static const bool ok = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  }();
  return ok ? &avx2_impl::table : nullptr;
#else
  return nullptr;
#endif
}

const Kernels& active() {
  static const Kernels* chosen = [] {
    const char* env = std::getenv("EARSHOT_ISA");
    const std::string want = env ? env : "";
    if (want == "portable") return &portable();
    if (want == "avx2") {
      if (!avx2()) throw Error("EARSHOT_ISA=avx2, but this CPU (or build) has no AVX2 and FMA");
      return avx2();
    }
    if (!want.empty() && want != "auto") throw Error("EARSHOT_ISA='" + want + "' is not one of: auto, portable, avx2");
    return avx2() ? avx2() : &portable();
  }();
  return *chosen;
}

}  // namespace earshot::nn::kern

namespace earshot::nn {
const char* kernel_isa() { return kern::active().name; }
}  // namespace earshot::nn
