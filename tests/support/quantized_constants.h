// Test helper: the float graph with a quantized graph's weights and biases.
#pragma once

#include <cstring>
#include <vector>

#include "earshot/deploy/graph.h"

namespace earshot::test {

// The float graph with the quantized graph's weights and biases (int8 and
// int64 values times their scales), so that what is left between it and its
// own quantization is the activations' arithmetic. (quantize() keeps the
// float graph's tensor indices.)
inline deploy::Graph with_quantized_constants(deploy::Graph fg, const deploy::Graph& qg) {
  for (size_t t = 0; t < fg.tensors.size(); ++t) {
    deploy::TensorInfo& f = fg.tensors[t];
    const deploy::TensorInfo& q = qg.tensors[t];
    if (!f.is_constant()) continue;
    std::vector<float> v(f.elements());
    const size_t per = v.size() / q.scale.size();
    for (size_t i = 0; i < v.size(); ++i) {
      const double scale = q.scale[i / per];
      if (q.type == deploy::DType::kInt8) v[i] = static_cast<float>(static_cast<int8_t>(q.data[i]) * scale);
      if (q.type == deploy::DType::kInt64) {
        int64_t x;
        std::memcpy(&x, q.data.data() + i * sizeof x, sizeof x);
        v[i] = static_cast<float>(static_cast<double>(x) * scale);
      }
    }
    std::memcpy(f.data.data(), v.data(), f.data.size());
  }
  return fg;
}

}  // namespace earshot::test
