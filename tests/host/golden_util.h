// Golden reference data of the layer tests (tests/golden/<set>/STAMP.json
// and .npy files written by scripts/golden/make_*_golden.py): reading the
// stamp, and the elementwise check every such test applies,
//   |out - ref| <= atol + rtol * |ref|.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "earshot/nn/tensor.h"

namespace earshot::testing {

// The parsed <dir>/STAMP.json, or null when the file is missing.
inline nlohmann::json read_stamp(const std::filesystem::path& dir) {
  std::ifstream in(dir / "STAMP.json");
  if (!in) return nlohmann::json();
  return nlohmann::json::parse(in);
}

struct GoldenError {
  double ratio = 0;  // worst |out - ref| / (atol + rtol |ref|); <= 1 passes
  double rel = 0;    // worst |out - ref| / |ref| over |ref| > 1e-3
};

// Records a test failure for a shape mismatch or any element outside the
// tolerance (the first five are listed), and returns the worst errors.
template <typename T>
GoldenError compare_golden(const std::string& what, const nn::Tensor<T>& out, const nn::Tensor<T>& ref, double rtol,
                           double atol) {
  EXPECT_EQ(out.shape, ref.shape) << what;
  if (out.shape != ref.shape) return {INFINITY, INFINITY};
  GoldenError w;
  size_t bad = 0;
  for (size_t i = 0; i < ref.size(); ++i) {
    const double r = ref.data[i], o = out.data[i], err = std::fabs(o - r);
    const double ratio = err / (atol + rtol * std::fabs(r));
    if (!(ratio <= 1.0) && bad++ < 5) ADD_FAILURE() << what << "[" << i << "] = " << o << ", reference " << r;
    w.ratio = std::max(w.ratio, std::isnan(ratio) ? INFINITY : ratio);
    if (std::fabs(r) > 1e-3) w.rel = std::max(w.rel, err / std::fabs(r));
  }
  EXPECT_EQ(bad, 0u) << what << ": elements outside tolerance";
  return w;
}

}  // namespace earshot::testing
