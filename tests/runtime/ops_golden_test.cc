// Every int8 golden case from TFLite Micro's reference kernels must match bit
// for bit; float cases within 1e-5 abs + 1e-5 rel. Data:
// tests/golden/ops/*.bin from scripts/golden/make_ops_golden.py.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "earshot/rt/ops.h"
#include "runtime/ops_golden.h"

namespace rt = earshot::rt;
using earshot::test::OpsCase;

namespace {

std::vector<OpsCase> load(const std::string& name, size_t min_cases) {
  std::string err;
  auto cases = earshot::test::read_ops_golden(name, &err);
  EXPECT_TRUE(err.empty()) << err;
  EXPECT_GE(cases.size(), min_cases) << name;
  return cases;
}

// Counts cases and elements; reports the first mismatching cases.
struct Tally {
  std::string op;
  int cases = 0, bad_cases = 0, reported = 0;
  long elements = 0, inner = 0;  // inner: int8 outputs strictly inside (-128, 127)
  bool int8 = false;
  double worst = 0.0;

  void check_s8(int index, const std::vector<int8_t>& got, const std::vector<int8_t>& want) {
    ++cases;
    int8 = true;
    ASSERT_EQ(got.size(), want.size()) << op << " case " << index;
    int diffs = 0;
    for (size_t i = 0; i < got.size(); ++i) {
      ++elements;
      if (want[i] > -128 && want[i] < 127) ++inner;
      if (got[i] != want[i]) {
        if (diffs == 0 && reported < 5) {
          ADD_FAILURE() << op << " case " << index << " element " << i << ": got " << int(got[i]) << ", TFLM "
                        << int(want[i]);
          ++reported;
        }
        ++diffs;
      }
    }
    if (diffs) ++bad_cases;
  }

  void check_f32(int index, const std::vector<float>& got, const std::vector<float>& want, bool exact = false) {
    ++cases;
    ASSERT_EQ(got.size(), want.size()) << op << " case " << index;
    int diffs = 0;
    for (size_t i = 0; i < got.size(); ++i) {
      ++elements;
      const double d = std::fabs(double(got[i]) - double(want[i]));
      const double tol = exact ? 0.0 : 1e-5 + 1e-5 * std::fabs(double(want[i]));
      worst = d > worst ? d : worst;
      if (!(d <= tol)) {
        if (diffs == 0 && reported < 5) {
          ADD_FAILURE() << op << " case " << index << " element " << i << ": got " << got[i] << ", TFLM " << want[i];
          ++reported;
        }
        ++diffs;
      }
    }
    if (diffs) ++bad_cases;
  }

  ~Tally() {
    if (int8) {
      std::printf(
          "[ops-golden] %-20s %5d cases, %6ld outputs (%4.1f%% not at -128/127), "
          "%d mismatching cases\n",
          op.c_str(), cases, elements, elements ? 100.0 * inner / elements : 0.0, bad_cases);
    } else {
      std::printf(
          "[ops-golden] %-20s %5d cases, %6ld outputs, %d mismatching cases, worst abs "
          "diff %.3g\n",
          op.c_str(), cases, elements, bad_cases, worst);
    }
  }
};

rt::Conv2dParams conv_params(const std::vector<int32_t>& v) {
  rt::Conv2dParams p{};
  p.batches = v[0];
  p.in_h = v[1];
  p.in_w = v[2];
  p.in_c = v[3];
  p.out_c = v[4];
  p.filter_h = v[5];
  p.filter_w = v[6];
  p.stride_h = v[7];
  p.stride_w = v[8];
  p.dilation_h = v[9];
  p.dilation_w = v[10];
  p.padding = static_cast<rt::Padding>(v[11]);
  p.activation = static_cast<rt::Activation>(v[12]);
  p.input_zero_point = v[13];
  p.output_zero_point = v[14];
  return p;
}

rt::Pool2dParams pool_params(const std::vector<int32_t>& v) {
  rt::Pool2dParams p{};
  p.batches = v[0];
  p.in_h = v[1];
  p.in_w = v[2];
  p.channels = v[3];
  p.filter_h = v[4];
  p.filter_w = v[5];
  p.stride_h = v[6];
  p.stride_w = v[7];
  p.padding = static_cast<rt::Padding>(v[8]);
  p.activation = static_cast<rt::Activation>(v[9]);
  p.input_zero_point = p.output_zero_point = v[10];
  return p;
}

}  // namespace

TEST(OpsGolden, Conv2dInt8BitExact) {
  Tally t{"conv2d"};
  const auto cases = load("conv2d", 1000);
  for (size_t k = 0; k < cases.size(); ++k) {
    const OpsCase& c = cases[k];
    rt::Conv2dParams p = conv_params(c[0].i32);
    p.input_scale = c[1].f32[0];
    p.output_scale = c[1].f32[1];
    p.filter_scales = c[2].f32.data();
    p.filter_scale_count = static_cast<int32_t>(c[2].f32.size());
    std::vector<rt::QuantizedMultiplier> mem(p.out_c);
    rt::Conv2dOp op{};
    ASSERT_EQ(rt::conv2d_prepare_s8(p, mem.data(), mem.size() * sizeof(mem[0]), &op), rt::Status::kOk) << "case " << k;
    std::vector<int8_t> out(c[6].i8.size());
    ASSERT_EQ(out.size(), size_t(op.batches) * op.out_h * op.out_w * op.out_c);
    ASSERT_EQ(rt::conv2d_eval_s8(op, c[3].i8.data(), c[4].i8.data(), c[5].i32.empty() ? nullptr : c[5].i32.data(),
                                 out.data()),
              rt::Status::kOk);
    t.check_s8(int(k), out, c[6].i8);
  }
}

TEST(OpsGolden, FullyConnectedInt8BitExact) {
  Tally t{"fully_connected"};
  const auto cases = load("fully_connected", 1000);
  for (size_t k = 0; k < cases.size(); ++k) {
    const OpsCase& c = cases[k];
    const auto& v = c[0].i32;
    rt::FullyConnectedParams p{};
    p.batches = v[0];
    p.in_depth = v[1];
    p.units = v[2];
    p.activation = static_cast<rt::Activation>(v[3]);
    p.input_zero_point = v[4];
    p.output_zero_point = v[5];
    p.input_scale = c[1].f32[0];
    p.output_scale = c[1].f32[1];
    p.filter_scales = c[2].f32.data();
    p.filter_scale_count = static_cast<int32_t>(c[2].f32.size());
    std::vector<rt::QuantizedMultiplier> mem(p.filter_scale_count);
    rt::FullyConnectedOp op{};
    ASSERT_EQ(rt::fully_connected_prepare_s8(p, mem.data(), mem.size() * sizeof(mem[0]), &op), rt::Status::kOk);
    std::vector<int8_t> out(c[6].i8.size());
    ASSERT_EQ(out.size(), size_t(p.batches) * p.units);
    ASSERT_EQ(rt::fully_connected_eval_s8(op, c[3].i8.data(), c[4].i8.data(),
                                          c[5].i32.empty() ? nullptr : c[5].i32.data(), out.data()),
              rt::Status::kOk);
    t.check_s8(int(k), out, c[6].i8);
  }
}

namespace {

void pool_s8(const char* name, rt::Status (*eval)(const rt::Pool2dOp&, const int8_t*, int8_t*)) {
  Tally t{name};
  const auto cases = load(name, 1000);
  for (size_t k = 0; k < cases.size(); ++k) {
    const OpsCase& c = cases[k];
    rt::Pool2dParams p = pool_params(c[0].i32);
    p.input_scale = p.output_scale = c[1].f32[0];
    rt::Pool2dOp op{};
    ASSERT_EQ(rt::pool2d_prepare_s8(p, &op), rt::Status::kOk) << "case " << k;
    std::vector<int8_t> out(c[3].i8.size());
    ASSERT_EQ(out.size(), size_t(op.batches) * op.out_h * op.out_w * op.channels);
    ASSERT_EQ(eval(op, c[2].i8.data(), out.data()), rt::Status::kOk);
    t.check_s8(int(k), out, c[3].i8);
  }
}

}  // namespace

TEST(OpsGolden, MaxPool2dInt8BitExact) { pool_s8("max_pool2d", rt::max_pool2d_eval_s8); }
TEST(OpsGolden, AvgPool2dInt8BitExact) { pool_s8("avg_pool2d", rt::avg_pool2d_eval_s8); }

namespace {

// Elementwise-shaped int8 ops: field 2 input, field 3 TFLM output.
template <typename Op, typename Prepare>
void unary_s8(const char* name, Prepare prepare, rt::Status (*eval)(const Op&, const int8_t*, int8_t*)) {
  Tally t{name};
  const auto cases = load(name, 1000);
  for (size_t k = 0; k < cases.size(); ++k) {
    const OpsCase& c = cases[k];
    Op op{};
    ASSERT_EQ(prepare(c, &op), rt::Status::kOk) << name << " case " << k;
    std::vector<int8_t> out(c[3].i8.size());
    ASSERT_EQ(eval(op, c[2].i8.data(), out.data()), rt::Status::kOk);
    t.check_s8(int(k), out, c[3].i8);
  }
}

}  // namespace

TEST(OpsGolden, SoftmaxInt8BitExact) {
  unary_s8<rt::SoftmaxOp>(
      "softmax",
      [](const OpsCase& c, rt::SoftmaxOp* op) {
        const rt::SoftmaxParams p{c[0].i32[0], c[0].i32[1], c[1].f32[0], c[1].f32[1], c[0].i32[2], 1.0f / 256.0f, -128};
        return rt::softmax_prepare_s8(p, op);
      },
      rt::softmax_eval_s8);
}

TEST(OpsGolden, LogisticInt8BitExact) {
  unary_s8<rt::LogisticOp>(
      "logistic",
      [](const OpsCase& c, rt::LogisticOp* op) {
        return rt::logistic_prepare_s8({c[0].i32[0], c[1].f32[0], c[0].i32[1], 1.0f / 256.0f, -128}, op);
      },
      rt::logistic_eval_s8);
}

TEST(OpsGolden, TanhInt8BitExact) {
  unary_s8<rt::TanhOp>(
      "tanh",
      [](const OpsCase& c, rt::TanhOp* op) {
        return rt::tanh_prepare_s8({c[0].i32[0], c[1].f32[0], c[0].i32[1], 1.0f / 128.0f, 0}, op);
      },
      rt::tanh_eval_s8);
}

TEST(OpsGolden, ReluInt8BitExact) {
  unary_s8<rt::ReluOp>(
      "relu",
      [](const OpsCase& c, rt::ReluOp* op) {
        return rt::relu_prepare_s8({c[0].i32[0], c[1].f32[0], c[0].i32[1], c[1].f32[1], c[0].i32[2]}, op);
      },
      rt::relu_eval_s8);
}

TEST(OpsGolden, Relu6Int8BitExact) {
  unary_s8<rt::ReluOp>(
      "relu6",
      [](const OpsCase& c, rt::ReluOp* op) {
        return rt::relu6_prepare_s8({c[0].i32[0], c[1].f32[0], c[0].i32[1], c[1].f32[0], c[0].i32[1]}, op);
      },
      rt::relu_eval_s8);
}

TEST(OpsGolden, QuantizeBitExact) {
  Tally t{"quantize"};
  const auto cases = load("quantize", 1000);
  for (size_t k = 0; k < cases.size(); ++k) {
    const OpsCase& c = cases[k];
    rt::QuantizeOp op{};
    ASSERT_EQ(rt::quantize_prepare_s8({c[0].i32[0], c[1].f32[0], c[0].i32[1]}, &op), rt::Status::kOk);
    std::vector<int8_t> out(c[3].i8.size());
    ASSERT_EQ(rt::quantize_eval_s8(op, c[2].f32.data(), out.data()), rt::Status::kOk);
    t.check_s8(int(k), out, c[3].i8);
  }
}

TEST(OpsGolden, DequantizeBitExact) {
  Tally t{"dequantize"};
  const auto cases = load("dequantize", 1000);
  for (size_t k = 0; k < cases.size(); ++k) {
    const OpsCase& c = cases[k];
    rt::QuantizeOp op{};
    ASSERT_EQ(rt::dequantize_prepare_s8({c[0].i32[0], c[1].f32[0], c[0].i32[1]}, &op), rt::Status::kOk);
    std::vector<float> out(c[3].f32.size());
    ASSERT_EQ(rt::dequantize_eval_s8(op, c[2].i8.data(), out.data()), rt::Status::kOk);
    t.check_f32(int(k), out, c[3].f32, /*exact=*/true);
  }
}

// ---------------------------------------------------------------- float32

TEST(OpsGolden, Conv2dFloat) {
  Tally t{"conv2d_f32"};
  for (const OpsCase& c : load("conv2d_f32", 20)) {
    rt::Conv2dOp op{};
    ASSERT_EQ(rt::conv2d_prepare_f32(conv_params(c[0].i32), &op), rt::Status::kOk);
    std::vector<float> out(c[5].f32.size());
    ASSERT_EQ(rt::conv2d_eval_f32(op, c[2].f32.data(), c[3].f32.data(), c[4].f32.empty() ? nullptr : c[4].f32.data(),
                                  out.data()),
              rt::Status::kOk);
    t.check_f32(t.cases, out, c[5].f32);
  }
}

TEST(OpsGolden, FullyConnectedFloat) {
  Tally t{"fully_connected_f32"};
  for (const OpsCase& c : load("fully_connected_f32", 20)) {
    const auto& v = c[0].i32;
    rt::FullyConnectedParams p{};
    p.batches = v[0];
    p.in_depth = v[1];
    p.units = v[2];
    p.activation = static_cast<rt::Activation>(v[3]);
    rt::FullyConnectedOp op{};
    ASSERT_EQ(rt::fully_connected_prepare_f32(p, &op), rt::Status::kOk);
    std::vector<float> out(c[5].f32.size());
    ASSERT_EQ(rt::fully_connected_eval_f32(op, c[2].f32.data(), c[3].f32.data(),
                                           c[4].f32.empty() ? nullptr : c[4].f32.data(), out.data()),
              rt::Status::kOk);
    t.check_f32(t.cases, out, c[5].f32);
  }
}

namespace {

void pool_f32(const char* name, rt::Status (*eval)(const rt::Pool2dOp&, const float*, float*)) {
  Tally t{name};
  for (const OpsCase& c : load(name, 20)) {
    rt::Pool2dOp op{};
    ASSERT_EQ(rt::pool2d_prepare_f32(pool_params(c[0].i32), &op), rt::Status::kOk);
    std::vector<float> out(c[3].f32.size());
    ASSERT_EQ(eval(op, c[2].f32.data(), out.data()), rt::Status::kOk);
    t.check_f32(t.cases, out, c[3].f32);
  }
}

template <typename Op, typename Params>
void unary_f32(const char* name, rt::Status (*prepare)(const Params&, Op*),
               rt::Status (*eval)(const Op&, const float*, float*)) {
  Tally t{name};
  for (const OpsCase& c : load(name, 20)) {
    Params p{};
    p.size = c[0].i32[0];
    Op op{};
    ASSERT_EQ(prepare(p, &op), rt::Status::kOk);
    std::vector<float> out(c[3].f32.size());
    ASSERT_EQ(eval(op, c[2].f32.data(), out.data()), rt::Status::kOk);
    t.check_f32(t.cases, out, c[3].f32);
  }
}

}  // namespace

TEST(OpsGolden, MaxPool2dFloat) { pool_f32("max_pool2d_f32", rt::max_pool2d_eval_f32); }
TEST(OpsGolden, AvgPool2dFloat) { pool_f32("avg_pool2d_f32", rt::avg_pool2d_eval_f32); }
TEST(OpsGolden, LogisticFloat) { unary_f32("logistic_f32", rt::logistic_prepare_f32, rt::logistic_eval_f32); }
TEST(OpsGolden, TanhFloat) { unary_f32("tanh_f32", rt::tanh_prepare_f32, rt::tanh_eval_f32); }
TEST(OpsGolden, ReluFloat) { unary_f32("relu_f32", rt::relu_prepare_f32, rt::relu_eval_f32); }
TEST(OpsGolden, Relu6Float) { unary_f32("relu6_f32", rt::relu6_prepare_f32, rt::relu_eval_f32); }

TEST(OpsGolden, SoftmaxFloat) {
  Tally t{"softmax_f32"};
  for (const OpsCase& c : load("softmax_f32", 20)) {
    rt::SoftmaxParams p{};
    p.rows = c[0].i32[0];
    p.depth = c[0].i32[1];
    p.beta = c[1].f32[0];
    rt::SoftmaxOp op{};
    ASSERT_EQ(rt::softmax_prepare_f32(p, &op), rt::Status::kOk);
    std::vector<float> out(c[3].f32.size());
    ASSERT_EQ(rt::softmax_eval_f32(op, c[2].f32.data(), out.data()), rt::Status::kOk);
    t.check_f32(t.cases, out, c[3].f32);
  }
}
