// Recurrent layers (SimpleRNN, GRU both reset placements, LSTM, one-hot
// input) against PyTorch: tests/golden/nn_rnn, written by
// scripts/golden/make_rnn_golden.py from torch.nn.RNN / GRU / LSTM in float64
// (the reset-before GRU, which torch has no module for, from Keras' cell in
// torch ops). Each case runs in float64 and in float32: forward output, the
// input gradient and every parameter gradient of sum(w * y), elementwise
//   |out - ref| <= atol + rtol * |ref|
//   float64: rtol 1e-6, atol 1e-9;  float32: rtol 1e-4, atol 1e-5.
// The worst ratio |out - ref| / (atol + rtol |ref|) per array and the worst
// relative error |out - ref| / |ref| (over |ref| > 1e-3) per case are printed
// ("rnn golden <case> <type>: ...").
#include <gtest/gtest.h>

#include <cstdio>
#include <set>

#include "earshot/npy.h"
#include "earshot/nn/layers.h"
#include "host/golden_util.h"

namespace earshot::nn {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

template <typename T>
struct Tol;
template <>
struct Tol<double> {
  static constexpr double rtol = 1e-6, atol = 1e-9;
  static constexpr const char* name = "float64";
};
template <>
struct Tol<float> {
  static constexpr double rtol = 1e-4, atol = 1e-5;
  static constexpr const char* name = "float32";
};

const fs::path& rnn_golden_dir() {
  static const fs::path p = fs::path(EARSHOT_TEST_DATA) / "golden" / "nn_rnn";
  return p;
}

const json& rnn_stamp() {
  static const json j = testing::read_stamp(rnn_golden_dir());
  return j;
}

template <typename T>
Tensor<T> load(const std::string& name, const std::string& array) {
  const NpyArray a = read_npy(rnn_golden_dir() / name / (array + ".npy"));
  Tensor<T> t(a.shape);
  for (size_t i = 0; i < t.size(); ++i) t.data[i] = static_cast<T>(a.data[i]);
  return t;
}

// Keep in step with the generator's main(); NnRnnGoldenStamp.ListMatchesStamp checks it.
const char* const kCases[] = {
    "simple_rnn_tanh_seq",
    "simple_rnn_tanh_last",
    "simple_rnn_relu_seq",
    "simple_rnn_relu_last",
    "simple_rnn_nobias",
    "gru_seq",
    "gru_last",
    "gru_nobias",
    "gru_long",
    "gru_before_seq",
    "gru_before_last",
    "gru_before_nobias",
    "lstm_seq",
    "lstm_last",
    "lstm_nobias",
    "simple_rnn_onehot16_u1",
    "gru_onehot16_u1",
    "gru_before_onehot16_u1",
    "lstm_onehot5_last",
};

template <typename T>
void check_case(const std::string& name) {
  ASSERT_TRUE(rnn_stamp().contains("cases")) << "missing or unreadable " << rnn_golden_dir() / "STAMP.json";
  ASSERT_TRUE(rnn_stamp()["cases"].contains(name))
      << name << " not in STAMP.json; run scripts/golden/make_rnn_golden.py";
  const json& c = rnn_stamp()["cases"][name];
  auto layer = make_layer<T>(c["config"], "golden " + name);
  const Tensor<T> x = load<T>(name, "x");
  Rng rng(1);
  layer->build(Shape(x.shape.begin() + 1, x.shape.end()), rng);
  layer->accumulate_grads = false;  // the trainer's mode: backward() writes the gradients
  const std::vector<Param<T>*> params = layer->params();
  ASSERT_EQ(params.size(), c["config"]["use_bias"].get<bool>() ? 3u : 2u);
  for (Param<T>* p : params) {
    ASSERT_TRUE(c["arrays"].contains(p->name)) << "no reference for parameter " << p->name;
    const Tensor<T> v = load<T>(name, p->name);
    ASSERT_EQ(v.shape, p->value.shape) << p->name;
    p->value = v;
  }

  Tensor<T> y, dx;
  layer->forward(x, y, true);
  std::string report = "rnn golden " + name + " " + Tol<T>::name + ":";
  double worst_rel = 0;
  char buf[64];
  auto note = [&](const std::string& what, const testing::GoldenError& w) {
    std::snprintf(buf, sizeof buf, " %s %.3g", what.c_str(), w.ratio);
    report += buf;
    worst_rel = std::max(worst_rel, w.rel);
  };
  auto compare = [](const std::string& what, const Tensor<T>& out, const Tensor<T>& ref) {
    return testing::compare_golden(what, out, ref, Tol<T>::rtol, Tol<T>::atol);
  };
  note("y", compare("y", y, load<T>(name, "y")));
  Tensor<T> dy = load<T>(name, "dy");
  layer->backward(x, y, dy, dx);
  note("dx", compare("dx", dx, load<T>(name, "dx")));
  for (Param<T>* p : params) {
    const Tensor<T> ref = load<T>(name, "d" + p->name);
    double norm = 0;
    for (T v : ref.data) norm += double(v) * double(v);
    EXPECT_GT(norm, 0.0) << "d" << p->name << " reference is all zeros: the check would prove nothing";
    note("d" + p->name, compare("d" + p->name, p->grad, ref));
  }
  std::snprintf(buf, sizeof buf, "  worst rel %.2e", worst_rel);
  std::printf("%s%s  (ratio = |err| / (%.0e + %.0e |ref|))\n", report.c_str(), buf, Tol<T>::atol, Tol<T>::rtol);
}

class NnRnnGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(NnRnnGolden, Float64MatchesPyTorch) { check_case<double>(GetParam()); }
TEST_P(NnRnnGolden, Float32MatchesPyTorch) { check_case<float>(GetParam()); }

INSTANTIATE_TEST_SUITE_P(NnRnn, NnRnnGolden,
                         ::testing::ValuesIn(std::vector<std::string>(std::begin(kCases), std::end(kCases))),
                         [](const auto& param_info) { return param_info.param; });

TEST(NnRnnGoldenStamp, ListMatchesStamp) {
  ASSERT_TRUE(rnn_stamp().contains("cases"));
  std::set<std::string> in_stamp, here(std::begin(kCases), std::end(kCases));
  for (const auto& [k, v] : rnn_stamp()["cases"].items()) in_stamp.insert(k);
  EXPECT_EQ(in_stamp, here);
  EXPECT_EQ(rnn_stamp()["generator"], "scripts/golden/make_rnn_golden.py");
  EXPECT_TRUE(rnn_stamp().contains("torch"));
}

}  // namespace
}  // namespace earshot::nn
