// Layers: PyTorch references (tests/golden/nn, scripts/golden/make_nn_golden.py),
// Keras output shapes for the seed models, deterministic initialisation,
// bit-identical forward/backward, the JSON factory and its errors.
//
// Golden tolerance, elementwise, float32 C++ against the float64 reference:
//   |out - ref| <= kAtol + kRtol * |ref|,  kRtol = 1e-4, kAtol = 1e-5
// (the atol only matters for values near zero). The worst ratio
// |out - ref| / (kAtol + kRtol |ref|) per case is printed ("golden <case>: ...").
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <set>

#include "earshot/npy.h"
#include "earshot/nn/layers.h"
#include "host/golden_util.h"
#include "host/test_util.h"

// Counts operator new calls on this thread, to show that a steady-state
// training step allocates nothing. Not under AddressSanitizer, which
// replaces operator new itself.
#if !defined(__SANITIZE_ADDRESS__)
#define EARSHOT_COUNT_NEW 1
namespace {
thread_local size_t g_news = 0;
}
// noinline: GCC would otherwise see free() on memory from operator new
// (-Wmismatched-new-delete) after inlining.
[[gnu::noinline]] void* operator new(size_t n) {
  ++g_news;
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
[[gnu::noinline]] void operator delete(void* p) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete(void* p, size_t) noexcept { std::free(p); }
#endif

namespace earshot::nn {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::error_of;

constexpr double kRtol = 1e-4;
constexpr double kAtol = 1e-5;

const fs::path& golden_dir() {
  static const fs::path p = fs::path(EARSHOT_TEST_DATA) / "golden" / "nn";
  return p;
}

const json& stamp() {
  static const json j = testing::read_stamp(golden_dir());
  return j;
}

Tensor<float> load(const std::string& name, const std::string& array) {
  const NpyArray a = read_npy(golden_dir() / name / (array + ".npy"));
  Tensor<float> t(a.shape);
  for (size_t i = 0; i < t.size(); ++i) t.data[i] = float(a.data[i]);
  return t;
}

bool has_array(const std::string& name, const std::string& array) {
  return fs::exists(golden_dir() / name / (array + ".npy"));
}

// Returns the worst |out - ref| / (kAtol + kRtol |ref|); records failures.
double compare(const std::string& what, const Tensor<float>& out, const Tensor<float>& ref) {
  return testing::compare_golden(what, out, ref, kRtol, kAtol).ratio;
}

// Keep this list and the generator's in step: a missing case fails here and
// in GoldenListMatchesStamp.
const char* const kGoldenCases[] = {
    "dense_linear",       "dense_relu",           "dense_sigmoid",
    "dense_tanh",         "dense_softmax",        "dense_nobias",
    "dense_3d",           "conv1d_valid",         "conv1d_seed001_relu",
    "conv1d_same_k4",     "conv1d_same_s2",       "conv1d_same_s3_k2",
    "conv1d_valid_s2",    "conv1d_nobias",        "conv2d_valid",
    "conv2d_same",        "conv2d_same_s2",       "conv2d_valid_s21_relu",
    "conv2d_seed002",     "max_pool1d_valid",     "max_pool1d_p3s1",
    "max_pool1d_same_s2", "max_pool2d_valid",     "max_pool2d_same",
    "global_max_pool1d",  "global_max_pool2d",    "global_avg_pool1d",
    "global_avg_pool2d",  "batch_norm_2d",        "batch_norm_3d",
    "batch_norm_4d",      "batch_norm_inference", "softmax_t1",
    "softmax_t05",        "softmax_t2_3d",        "activation_relu",
    "activation_sigmoid", "activation_tanh",
};

class NnLayersGolden : public ::testing::TestWithParam<std::string> {};

void check_golden_case(const std::string& name, const json& c, ConvAlgo algo);

const char* algo_name(ConvAlgo a) {
  switch (a) {
    case ConvAlgo::kAuto: return "";
    case ConvAlgo::kIm2col: return "im2col";
    case ConvAlgo::kShift: return "shift";
    case ConvAlgo::kDirect: return "direct";
  }
  return "?";
}

TEST_P(NnLayersGolden, MatchesPyTorch) {
  const std::string name = GetParam();
  ASSERT_TRUE(stamp().contains("cases")) << "missing or unreadable " << golden_dir() / "STAMP.json";
  ASSERT_TRUE(stamp()["cases"].contains(name)) << name << " not in STAMP.json; run scripts/golden/make_nn_golden.py";
  const json& c = stamp()["cases"][name];

  // Convolutions: once per lowering (im2col, shift, direct where it applies),
  // whatever kAuto would pick.
  const bool conv = c["config"]["type"] == "conv1d" || c["config"]["type"] == "conv2d";
  std::vector<ConvAlgo> algos = {ConvAlgo::kAuto};
  if (conv) {
    algos = {ConvAlgo::kIm2col, ConvAlgo::kShift};
    auto probe = make_layer<float>(c["config"], "golden " + name);
    const Shape xs = load(name, "x").shape;
    if (dynamic_cast<ConvBase<float>&>(*probe).direct_possible(Shape(xs.begin() + 1, xs.end())))
      algos.push_back(ConvAlgo::kDirect);
  }
  for (ConvAlgo algo : algos) {
    SCOPED_TRACE(algo_name(algo));
    check_golden_case(name, c, algo);
  }
}

void check_golden_case(const std::string& name, const json& c, ConvAlgo algo) {
  const bool training = c["training"].get<bool>();
  auto layer = make_layer<float>(c["config"], "golden " + name);
  if (auto* cb = dynamic_cast<ConvBase<float>*>(layer.get())) cb->set_algo(algo);
  const Tensor<float> x = load(name, "x");
  Rng rng(1);
  layer->build(Shape(x.shape.begin() + 1, x.shape.end()), rng);
  if (auto* cb = dynamic_cast<ConvBase<float>*>(layer.get())) {
    ASSERT_EQ(cb->algo(), algo);
  }
  for (Param<float>* p : layer->params()) {
    ASSERT_TRUE(has_array(name, p->name)) << "no reference for parameter " << p->name;
    const Tensor<float> v = load(name, p->name);
    ASSERT_EQ(v.shape, p->value.shape) << p->name;
    p->value = v;
  }

  Tensor<float> y, dx;
  layer->forward(x, y, training);
  std::string report = "golden " + name + (algo == ConvAlgo::kAuto ? "" : "/") + algo_name(algo) + ":";
  char buf[64];
  auto note = [&](const std::string& what, double worst) {
    std::snprintf(buf, sizeof buf, " %s %.3f", what.c_str(), worst);
    report += buf;
  };
  note("y", compare("y", y, load(name, "y")));
  for (Param<float>* p : layer->params()) {
    if (has_array(name, p->name + "_after")) {
      note(p->name + "_after", compare(p->name + " after forward", p->value, load(name, p->name + "_after")));
    }
  }
  Tensor<float> dy = load(name, "dy");
  layer->backward(x, y, dy, dx);
  note("dx", compare("dx", dx, load(name, "dx")));
  for (Param<float>* p : layer->params()) {
    if (!p->trainable) continue;
    ASSERT_TRUE(has_array(name, "d" + p->name)) << "no reference gradient for " << p->name;
    note("d" + p->name, compare("d" + p->name, p->grad, load(name, "d" + p->name)));
  }
  std::printf("%s  (worst |err| / (%.0e + %.0e |ref|))\n", report.c_str(), kAtol, kRtol);
}

INSTANTIATE_TEST_SUITE_P(NnLayers, NnLayersGolden,
                         ::testing::ValuesIn(std::vector<std::string>(std::begin(kGoldenCases),
                                                                      std::end(kGoldenCases))),
                         [](const auto& param_info) { return param_info.param; });

TEST(NnLayersGoldenStamp, ListMatchesStamp) {
  ASSERT_TRUE(stamp().contains("cases"));
  std::set<std::string> in_stamp, here(std::begin(kGoldenCases), std::end(kGoldenCases));
  for (const auto& [k, v] : stamp()["cases"].items()) in_stamp.insert(k);
  EXPECT_EQ(in_stamp, here);
  EXPECT_EQ(stamp()["generator"], "scripts/golden/make_nn_golden.py");
  EXPECT_TRUE(stamp().contains("torch"));
}

// ---- shapes of the seed models (Keras model.summary()) -----------------------

struct Built {
  std::vector<std::unique_ptr<Layer<float>>> layers;
  std::vector<Shape> shapes;
  std::vector<size_t> params;
};

Built build_stack(const Shape& input, const std::vector<json>& configs, uint64_t seed = 1) {
  Built b;
  Rng rng(seed);
  Shape s = input;
  for (size_t i = 0; i < configs.size(); ++i) {
    b.layers.push_back(make_layer<float>(configs[i], "layer " + std::to_string(i + 1)));
    Rng stream = rng.split();
    s = b.layers.back()->build(s, stream);
    b.shapes.push_back(s);
    size_t n = 0;
    for (Param<float>* p : b.layers.back()->params()) n += p->value.size();
    b.params.push_back(n);
  }
  return b;
}

const std::vector<json> kSeed001 = {
    {{"type", "conv1d"}, {"filters", 8}, {"kernel_size", 3}, {"activation", "relu"}},
    {{"type", "conv1d"}, {"filters", 8}, {"kernel_size", 3}, {"activation", "relu"}},
    {{"type", "flatten"}},
    {{"type", "dense"}, {"units", 1}, {"activation", "sigmoid"}},
};

TEST(NnLayers, Seed001Shapes) {
  const Built b = build_stack({32, 48}, kSeed001);
  EXPECT_EQ(b.shapes[0], (Shape{30, 8}));
  EXPECT_EQ(b.shapes[1], (Shape{28, 8}));
  EXPECT_EQ(b.shapes[2], (Shape{224}));
  EXPECT_EQ(b.shapes[3], (Shape{1}));
  EXPECT_EQ(b.params, (std::vector<size_t>{1160, 200, 0, 225}));
  EXPECT_EQ(b.layers[0]->macs(), 30u * 3 * 48 * 8);
  EXPECT_EQ(b.layers[3]->macs(), 224u);
}

TEST(NnLayers, Seed002Shapes) {
  const Built b = build_stack(
      {36, 3, 1},
      {
          {{"type", "conv2d"}, {"filters", 4}, {"kernel_size", {5, 3}}, {"use_bias", false}, {"padding", "valid"}},
          {{"type", "global_max_pool2d"}},
          {{"type", "activation"}, {"activation", "relu"}},
          {{"type", "dense"}, {"units", 2}, {"use_bias", false}},
          {{"type", "activation"}, {"activation", "softmax"}},
      });
  EXPECT_EQ(b.shapes[0], (Shape{32, 1, 4}));
  EXPECT_EQ(b.shapes[1], (Shape{4}));
  EXPECT_EQ(b.shapes[4], (Shape{2}));
  EXPECT_EQ(b.params, (std::vector<size_t>{60, 0, 0, 8, 0}));  // "Total params: 68"
  EXPECT_EQ(b.layers[0]->macs(), 32u * 1 * 5 * 3 * 4);
}

TEST(NnLayers, Seed000And004Shapes) {
  const Built b0 = build_stack({500}, {{{"type", "dense"}, {"units", 125}, {"activation", "relu"}},
                                       {{"type", "dense"}, {"units", 4}, {"activation", "sigmoid"}}});
  EXPECT_EQ(b0.params, (std::vector<size_t>{62625, 504}));
  const Built b4 =
      build_stack({20, 551}, {{{"type", "conv1d"}, {"filters", 256}, {"kernel_size", 3}, {"activation", "relu"}},
                              {{"type", "flatten"}},
                              {{"type", "dense"}, {"units", 256}, {"activation", "relu"}},
                              {{"type", "dense"}, {"units", 4}, {"activation", "softmax"}}});
  EXPECT_EQ(b4.shapes[0], (Shape{18, 256}));
  EXPECT_EQ(b4.shapes[1], (Shape{4608}));
  EXPECT_EQ(b4.params, (std::vector<size_t>{423424, 0, 1179904, 1028}));
}

TEST(NnLayers, PaddingAndPoolShapes) {
  // TensorFlow: same -> ceil(in / s); valid -> floor((in - k) / s) + 1.
  EXPECT_EQ(conv_axis(5, 3, 2, Padding::kSame).out, 3u);
  EXPECT_EQ(conv_axis(5, 3, 2, Padding::kSame).pad_before, 1u);   // total 2
  EXPECT_EQ(conv_axis(12, 4, 1, Padding::kSame).pad_before, 1u);  // total 3: (1, 2)
  EXPECT_EQ(conv_axis(10, 2, 3, Padding::kSame).out, 4u);
  EXPECT_EQ(conv_axis(10, 2, 3, Padding::kSame).pad_before, 0u);  // total 1: (0, 1)
  EXPECT_EQ(conv_axis(8, 3, 2, Padding::kSame).pad_before, 0u);   // total 1
  EXPECT_EQ(conv_axis(4, 1, 3, Padding::kSame).pad_before, 0u);   // total 0
  EXPECT_EQ(conv_axis(5, 3, 2, Padding::kValid).out, 2u);
  EXPECT_EQ(conv_axis(2, 3, 1, Padding::kValid).out, 0u);
  EXPECT_EQ(conv_axis(13, 3, 2, Padding::kValid).out, 6u);

  Rng rng(1);
  EXPECT_EQ(Conv1D<float>(4, 4, 2, Padding::kSame).build({11, 3}, rng), (Shape{6, 4}));
  EXPECT_EQ(Conv2D<float>(3, {3, 3}, {2, 2}, Padding::kSame).build({7, 8, 2}, rng), (Shape{4, 4, 3}));
  EXPECT_EQ(Conv2D<float>(3, {3, 2}, {2, 1}).build({9, 6, 3}, rng), (Shape{4, 5, 3}));
  EXPECT_EQ(MaxPool1D<float>(2).build({10, 3}, rng), (Shape{5, 3}));
  EXPECT_EQ(MaxPool1D<float>(2).build({11, 3}, rng), (Shape{5, 3}));
  EXPECT_EQ(MaxPool1D<float>(2, 2, Padding::kSame).build({11, 3}, rng), (Shape{6, 3}));
  EXPECT_EQ(MaxPool2D<float>({2, 2}).build({6, 7, 2}, rng), (Shape{3, 3, 2}));
  EXPECT_EQ(MaxPool2D<float>({3, 2}, {2, 1}, Padding::kSame).build({5, 7, 3}, rng), (Shape{3, 7, 3}));
  EXPECT_EQ(GlobalPool<float>(PoolOp::kAverage, 2).build({5, 4, 3}, rng), (Shape{3}));
  EXPECT_EQ(Flatten<float>().build({28, 8}, rng), (Shape{224}));
  EXPECT_EQ(Reshape<float>({-1, 8}).build({224}, rng), (Shape{28, 8}));
  EXPECT_EQ(Dense<float>(3).build({2, 5, 7}, rng), (Shape{2, 5, 3}));
}

// ---- initialisation and determinism --------------------------------------

TEST(NnLayers, GlorotInitIsDeterministicAndInRange) {
  Dense<float> a(125), b(125), c(125);
  Rng ra(42), rb(42), rc(43);
  a.build({500}, ra);
  b.build({500}, rb);
  c.build({500}, rc);
  ASSERT_EQ(a.kernel.value.size(), 62500u);
  EXPECT_EQ(0, std::memcmp(a.kernel.value.data.data(), b.kernel.value.data.data(), 62500 * sizeof(float)));
  EXPECT_NE(0, std::memcmp(a.kernel.value.data.data(), c.kernel.value.data.data(), 62500 * sizeof(float)));
  const double limit = std::sqrt(6.0 / (500 + 125));
  double mx = 0, sum = 0, sq = 0;
  for (float v : a.kernel.value.data) {
    mx = std::max(mx, std::fabs(double(v)));
    sum += v;
    sq += double(v) * v;
  }
  EXPECT_LE(mx, limit);
  EXPECT_GT(mx, 0.999 * limit);
  EXPECT_LT(std::fabs(sum / 62500), 0.02 * limit);
  EXPECT_NEAR(sq / 62500, limit * limit / 3, 0.02 * limit * limit / 3);  // variance of U(-l, l)
  for (float v : a.bias.value.data) EXPECT_EQ(v, 0.0f);

  // Conv kernels: fan_in = kh*kw*Cin, fan_out = kh*kw*Cout (seed 002: 15 and 60).
  Conv2D<float> conv(4, {5, 3});
  Rng r(7);
  conv.build({36, 3, 1}, r);
  const double climit = std::sqrt(6.0 / (15 + 60));
  double cmx = 0;
  for (float v : conv.kernel.value.data) cmx = std::max(cmx, std::fabs(double(v)));
  EXPECT_LE(cmx, climit);
  EXPECT_GT(cmx, 0.8 * climit);
  EXPECT_EQ(conv.kernel.value.shape, (Shape{5, 3, 1, 4}));
}

Tensor<float> random_input(const Shape& s, uint64_t seed) {
  Rng r(seed);
  Tensor<float> t(s);
  for (float& v : t.data) v = float(r.normal());
  return t;
}

// Runs the seed 001 stack forward and backward; returns outputs and grads.
std::vector<float> run_seed001(Built& b, const Tensor<float>& x, std::vector<Tensor<float>>& acts) {
  acts.resize(b.layers.size());
  const Tensor<float>* cur = &x;
  for (size_t i = 0; i < b.layers.size(); ++i) {
    b.layers[i]->forward(*cur, acts[i], true);
    cur = &acts[i];
  }
  Tensor<float> dy = acts.back(), dx;
  for (float& v : dy.data) v = v - 0.5f;
  for (size_t i = b.layers.size(); i-- > 0;) {
    b.layers[i]->backward(i ? acts[i - 1] : x, acts[i], dy, dx);
    std::swap(dy, dx);
  }
  std::vector<float> out = acts.back().data;
  for (auto& l : b.layers) {
    for (Param<float>* p : l->params()) out.insert(out.end(), p->grad.data.begin(), p->grad.data.end());
  }
  return out;
}

TEST(NnLayers, ForwardBackwardBitIdentical) {
  const Tensor<float> x = random_input({16, 32, 48}, 5);
  Built a = build_stack({32, 48}, kSeed001, 9), b = build_stack({32, 48}, kSeed001, 9);
  std::vector<Tensor<float>> acts_a, acts_b;
  const std::vector<float> ra = run_seed001(a, x, acts_a);
  const std::vector<float> rb = run_seed001(b, x, acts_b);
  ASSERT_EQ(ra.size(), rb.size());
  EXPECT_EQ(0, std::memcmp(ra.data(), rb.data(), ra.size() * sizeof(float)));
  // Again on the same layers (buffers reused): outputs identical, grads doubled exactly.
  const std::vector<float> ra2 = run_seed001(a, x, acts_a);
  const size_t nout = acts_a.back().size();
  EXPECT_EQ(0, std::memcmp(ra.data(), ra2.data(), nout * sizeof(float)));
  for (size_t i = nout; i < ra.size(); ++i) ASSERT_EQ(ra2[i], 2.0f * ra[i]) << i;
}

TEST(NnLayers, ConvAlgoChoiceFollowsShapes) {
  // kAuto: direct where every receptive field is contiguous and the filters
  // few (seeds 001 and 002); else shift where Cin is large and the stride 1,
  // im2col otherwise.
  Rng rng(1);
  Conv1D<float> s001a(8, 3), s001b(8, 3), s004(256, 3), strided(32, 5, 2, Padding::kSame);
  Conv2D<float> s002(4, {5, 3}), same3x3(16, {3, 3}, {1, 1}, Padding::kSame);
  Conv1D<float> wide(32, 3), same1d(8, 3, 1, Padding::kSame);
  s001a.build({32, 48}, rng);
  s001b.build({30, 8}, rng);
  s004.build({20, 551}, rng);
  strided.build({64, 16}, rng);
  s002.build({36, 3, 1}, rng);
  same3x3.build({16, 16, 8}, rng);
  wide.build({32, 48}, rng);
  same1d.build({32, 48}, rng);
  EXPECT_EQ(s001a.algo(), ConvAlgo::kDirect);
  EXPECT_EQ(s001b.algo(), ConvAlgo::kDirect);
  EXPECT_EQ(wide.algo(), ConvAlgo::kShift);    // 32 filters: too many for direct
  EXPECT_EQ(same1d.algo(), ConvAlgo::kShift);  // "same" padding: fields not contiguous
  EXPECT_EQ(s004.algo(), ConvAlgo::kIm2col);
  EXPECT_EQ(strided.algo(), ConvAlgo::kIm2col);
  EXPECT_EQ(s002.algo(), ConvAlgo::kDirect);
  EXPECT_EQ(same3x3.algo(), ConvAlgo::kIm2col);
}

class NnLayersAlgo : public ::testing::TestWithParam<ConvAlgo> {};

TEST_P(NnLayersAlgo, NeedInputGradFalseSkipsDxOnly) {
  Conv1D<float> a(8, 3, 1, Padding::kValid, Activation::kRelu), b(8, 3, 1, Padding::kValid, Activation::kRelu);
  a.set_algo(GetParam());
  b.set_algo(GetParam());
  Rng ra(3), rb(3);
  a.build({32, 48}, ra);
  b.build({32, 48}, rb);
  b.need_input_grad = false;
  const Tensor<float> x = random_input({4, 32, 48}, 6);
  Tensor<float> ya, yb, dxa, dxb({1}, 7.0f);
  a.forward(x, ya, true);
  b.forward(x, yb, true);
  Tensor<float> dya = random_input(ya.shape, 8), dyb = dya;
  a.backward(x, ya, dya, dxa);
  b.backward(x, yb, dyb, dxb);
  EXPECT_EQ(dxa.shape, x.shape);
  EXPECT_EQ(dxb.shape, (Shape{1}));  // untouched
  EXPECT_EQ(dxb.data[0], 7.0f);
  EXPECT_EQ(a.kernel.grad.data, b.kernel.grad.data);
  EXPECT_EQ(a.bias.grad.data, b.bias.grad.data);
}

INSTANTIATE_TEST_SUITE_P(NnLayers, NnLayersAlgo,
                         ::testing::Values(ConvAlgo::kIm2col, ConvAlgo::kShift, ConvAlgo::kDirect),
                         [](const auto& param_info) { return std::string(algo_name(param_info.param)); });

TEST(NnLayers, DirectNeedsContiguousFields) {
  Rng rng(1);
  Conv1D<float> same(4, 3, 1, Padding::kSame);
  same.set_algo(ConvAlgo::kDirect);
  EXPECT_THROW(same.build({10, 2}, rng), Error);
  Conv2D<float> narrow(4, {3, 2});
  narrow.set_algo(ConvAlgo::kDirect);
  EXPECT_THROW(narrow.build({6, 3, 1}, rng), Error);
}

TEST(NnLayers, SteadyStateStepAllocatesNothing) {
#if !defined(EARSHOT_COUNT_NEW)
  GTEST_SKIP() << "AddressSanitizer replaces operator new: this build cannot count allocations";
#else
  // Seed 001's stack plus a max pool, batch norm and dropout.
  std::vector<json> cfgs = kSeed001;
  cfgs.insert(cfgs.begin() + 2, json{{"type", "max_pool1d"}, {"pool_size", 2}});
  cfgs.insert(cfgs.begin() + 3, json{{"type", "batch_norm"}});
  cfgs.insert(cfgs.begin() + 5, json{{"type", "dropout"}, {"rate", 0.2}});
  Built b = build_stack({32, 48}, cfgs);
  Rng drop(1);
  for (auto& l : b.layers) l->set_rng(&drop);
  const Tensor<float> x = random_input({32, 32, 48}, 5);
  std::vector<Tensor<float>> acts(b.layers.size());
  Tensor<float> dy, dx;
  auto step = [&] {
    const Tensor<float>* cur = &x;
    for (size_t i = 0; i < b.layers.size(); ++i) {
      b.layers[i]->forward(*cur, acts[i], true);
      cur = &acts[i];
    }
    dy.resize(acts.back().shape);
    std::copy(acts.back().data.begin(), acts.back().data.end(), dy.data.begin());
    for (size_t i = b.layers.size(); i-- > 0;) {
      b.layers[i]->backward(i ? acts[i - 1] : x, acts[i], dy, dx);
      std::swap(dy, dx);  // ping-pong, as Model does
    }
  };
  step();  // warm-up: buffers reach their sizes (two steps: dy/dx swap parity)
  step();
  const size_t before = g_news;
  step();
  step();
  EXPECT_EQ(g_news - before, 0u) << "heap allocations in two steady-state training steps";
#endif
}

// ---- factory ----------------------------------------------------------------

TEST(NnLayers, ConfigRoundTrip) {
  const std::vector<json> cfgs = {
      {{"type", "dense"},
       {"units", 4},
       {"activation", "relu"},
       {"use_bias", false},
       {"one_hot_input", 0},
       {"name", "d1"}},
      {{"type", "conv1d"},
       {"filters", 8},
       {"kernel_size", 3},
       {"strides", 2},
       {"padding", "same"},
       {"activation", "tanh"},
       {"use_bias", true}},
      {{"type", "conv2d"},
       {"filters", 4},
       {"kernel_size", {5, 3}},
       {"strides", {1, 2}},
       {"padding", "valid"},
       {"activation", "linear"},
       {"use_bias", false}},
      {{"type", "max_pool1d"}, {"pool_size", 3}, {"strides", 1}, {"padding", "same"}},
      {{"type", "max_pool2d"}, {"pool_size", {2, 3}}, {"strides", {2, 1}}, {"padding", "valid"}},
      {{"type", "global_max_pool1d"}},
      {{"type", "global_max_pool2d"}},
      {{"type", "global_avg_pool1d"}},
      {{"type", "global_avg_pool2d"}},
      {{"type", "flatten"}},
      {{"type", "reshape"}, {"target_shape", {-1, 8}}},
      {{"type", "dropout"}, {"rate", 0.25}},
      {{"type", "activation"}, {"activation", "softmax"}, {"temperature", 0.5}},
      {{"type", "activation"}, {"activation", "sigmoid"}, {"temperature", 1.0}},
      {{"type", "batch_norm"}, {"momentum", 0.9}, {"epsilon", 0.001}},
  };
  for (const json& c : cfgs) {
    auto l = make_layer<float>(c, "t");
    EXPECT_EQ(l->config(), c) << c.dump();
    EXPECT_EQ(make_layer<double>(l->config(), "t")->config(), c);
  }
  EXPECT_EQ(make_layer<float>(cfgs[0], "t")->name, "d1");
  // Defaults are filled in (Keras defaults).
  const json conv = make_layer<float>({{"type", "conv1d"}, {"filters", 8}, {"kernel_size", 3}}, "t")->config();
  EXPECT_EQ(conv, (json{{"type", "conv1d"},
                        {"filters", 8},
                        {"kernel_size", 3},
                        {"strides", 1},
                        {"padding", "valid"},
                        {"activation", "linear"},
                        {"use_bias", true}}));
  EXPECT_EQ(make_layer<float>({{"type", "max_pool2d"}, {"pool_size", 3}}, "t")->config(),
            (json{{"type", "max_pool2d"}, {"pool_size", {3, 3}}, {"strides", {3, 3}}, {"padding", "valid"}}));
  EXPECT_EQ(make_layer<float>({{"type", "dense"}, {"units", 2}, {"activation", nullptr}}, "t")->config()["activation"],
            "linear");
  EXPECT_EQ(make_layer<float>({{"type", "batch_norm"}}, "t")->config(),
            (json{{"type", "batch_norm"}, {"momentum", 0.99}, {"epsilon", 0.001}}));
  EXPECT_STREQ(make_layer<float>({{"type", "global_avg_pool2d"}}, "t")->type(), "GlobalAveragePooling2D");
}

TEST(NnLayers, FactoryErrorsNameWhereKeyAndExpectation) {
  const std::string at = "recipes/bells.toml:[model] layer 2";
  auto err = [&](const json& j) { return error_of([&] { make_layer<float>(j, at); }); };
  auto has = [](const std::string& s, const std::string& sub) { return s.find(sub) != std::string::npos; };

  std::string e = err({{"type", "conv3d"}});
  EXPECT_TRUE(has(e, at + ": unknown layer type 'conv3d'")) << e;
  EXPECT_TRUE(has(e, "dense, conv1d, conv2d, max_pool1d, max_pool2d, global_max_pool1d")) << e;
  EXPECT_TRUE(has(e, "batch_norm")) << e;
  e = err({{"units", 3}});
  EXPECT_TRUE(has(e, "missing key 'type'")) << e;
  e = err({{"type", 3}});
  EXPECT_TRUE(has(e, "key 'type' must be a string")) << e;
  e = err(json::array({1, 2}));
  EXPECT_TRUE(has(e, at + ": a layer must be")) << e;
  e = err({{"type", "conv1d"}, {"kernel_size", 3}});
  EXPECT_TRUE(has(e, at + ": conv1d: missing key 'filters' (a positive integer)")) << e;
  e = err({{"type", "conv1d"}, {"filters", "8"}, {"kernel_size", 3}});
  EXPECT_TRUE(has(e, "conv1d: key 'filters' must be a positive integer, got \"8\"")) << e;
  e = err({{"type", "conv1d"}, {"filters", -8}, {"kernel_size", 3}});
  EXPECT_TRUE(has(e, "key 'filters' must be a positive integer, got -8")) << e;
  e = err({{"type", "conv1d"}, {"filters", 8.5}, {"kernel_size", 3}});
  EXPECT_TRUE(has(e, "key 'filters' must be a positive integer, got 8.5")) << e;
  e = err({{"type", "conv2d"}, {"filters", 4}, {"kernel_size", {5, 3, 1}}});
  EXPECT_TRUE(has(e, "key 'kernel_size' must be a positive integer or a list of 2 positive integers")) << e;
  e = err({{"type", "conv1d"}, {"filter", 8}, {"kernel_size", 3}});
  EXPECT_TRUE(has(e, "conv1d: unknown key 'filter' (valid keys: type, name, filters, kernel_size")) << e;
  e = err({{"type", "dense"}, {"units", 2}, {"activation", "relux"}});
  EXPECT_TRUE(has(e, "key 'activation'")) << e;
  EXPECT_TRUE(has(e, "one of \"linear\", \"relu\", \"sigmoid\", \"tanh\", \"softmax\"")) << e;
  e = err({{"type", "dense"}, {"units", 2}, {"use_bias", "yes"}});
  EXPECT_TRUE(has(e, "key 'use_bias' must be true or false")) << e;
  e = err({{"type", "conv1d"}, {"filters", 2}, {"kernel_size", 3}, {"padding", "causal"}});
  EXPECT_TRUE(has(e, "key 'padding' must be \"valid\" or \"same\", got \"causal\"")) << e;
  e = err({{"type", "dropout"}, {"rate", 1.0}});
  EXPECT_TRUE(has(e, "dropout: key 'rate' must be a number in [0, 1), got 1.0")) << e;
  e = err({{"type", "dropout"}});
  EXPECT_TRUE(has(e, "dropout: missing key 'rate'")) << e;
  e = err({{"type", "activation"}, {"activation", "relu"}, {"temperature", 2.0}});
  EXPECT_TRUE(has(e, "temperature' applies to softmax only")) << e;
  e = err({{"type", "activation"}, {"activation", "softmax"}, {"temperature", 0}});
  EXPECT_TRUE(has(e, "key 'temperature' must be a positive number")) << e;
  e = err({{"type", "reshape"}, {"target_shape", {-1, -1}}});
  EXPECT_TRUE(has(e, "key 'target_shape' must be a list of positive integers (one may be -1)")) << e;
  e = err({{"type", "batch_norm"}, {"momentum", 2}});
  EXPECT_TRUE(has(e, "key 'momentum' must be a number in [0, 1]")) << e;
  e = err({{"type", "flatten"}, {"name", 3}});
  EXPECT_TRUE(has(e, "key 'name' must be a string")) << e;

  EXPECT_TRUE(has(error_of([] { activation_from_name("gelu"); }),
                  "unknown activation 'gelu' (valid: linear, relu, sigmoid, tanh, softmax)"));
}

TEST(NnLayers, BuildAndShapeErrors) {
  auto has = [](const std::string& s, const std::string& sub) { return s.find(sub) != std::string::npos; };
  Rng rng(1);
  Conv1D<float> c(8, 3);
  c.name = "conv1d_1";
  std::string e = error_of([&] { c.build({48}, rng); });
  EXPECT_TRUE(has(e, "conv1d_1 (Conv1D): needs input (steps, channels), got (48,)")) << e;
  e = error_of([&] { Conv1D<float>(8, 5).build({3, 2}, rng); });
  EXPECT_TRUE(has(e, "does not fit input (3, 2) with padding 'valid'")) << e;
  e = error_of([&] { Conv2D<float>(8, {5, 3}).build({36, 3}, rng); });
  EXPECT_TRUE(has(e, "needs input (height, width, channels)")) << e;
  e = error_of([&] { Reshape<float>({5, 5}).build({28, 8}, rng); });
  EXPECT_TRUE(has(e, "cannot reshape (28, 8) (224 values) to (5, 5)")) << e;
  e = error_of([&] { Reshape<float>({-1, 5}).build({28, 8}, rng); });
  EXPECT_TRUE(has(e, "cannot reshape")) << e;
  e = error_of([&] { GlobalPool<float>(PoolOp::kMax, 2).build({5, 3}, rng); });
  EXPECT_TRUE(has(e, "GlobalMaxPooling2D: needs input (height, width, channels)")) << e;

  c.build({32, 48}, rng);
  Tensor<float> x({2, 31, 48}), y;
  e = error_of([&] { c.forward(x, y, false); });
  EXPECT_TRUE(has(e, "conv1d_1 (Conv1D): input per example is (31, 48), built for (32, 48)")) << e;
}

// ---- behaviour details -------------------------------------------------------

TEST(NnLayers, SoftmaxTemperatureAndStability) {
  float z[4] = {0.0f, std::log(2.0f), 1000.0f, 1001.0f};
  activation_forward<float>(Activation::kSoftmax, z, 2, 2);
  EXPECT_NEAR(z[0], 1.0 / 3, 2e-7);
  EXPECT_NEAR(z[1], 2.0 / 3, 2e-7);
  EXPECT_NEAR(z[2], 1.0 / (1.0 + std::exp(1.0)), 1e-7);  // no overflow
  EXPECT_NEAR(z[3], 1.0 / (1.0 + std::exp(-1.0)), 1e-7);
  double t[2] = {0.0, std::log(2.0)};
  activation_forward<double>(Activation::kSoftmax, t, 1, 2, 0.5);  // softmax([0, 2 ln 2]) = [1/5, 4/5]
  EXPECT_NEAR(t[0], 0.2, 1e-15);
  EXPECT_NEAR(t[1], 0.8, 1e-15);
  double s[2] = {-800.0, 800.0};
  activation_forward<double>(Activation::kSigmoid, s, 1, 2);
  EXPECT_EQ(s[0], 0.0);
  EXPECT_EQ(s[1], 1.0);
  for (Activation a :
       {Activation::kLinear, Activation::kRelu, Activation::kSigmoid, Activation::kTanh, Activation::kSoftmax}) {
    EXPECT_EQ(activation_from_name(activation_name(a)), a);
  }
}

TEST(NnLayers, DropoutMaskFromLayerRng) {
  Dropout<float> d(0.25);
  Rng rng(1);
  d.build({100, 100}, rng);
  const Tensor<float> x = random_input({1, 100, 100}, 2);
  Tensor<float> y, y2, dx;
  d.forward(x, y, false);
  EXPECT_EQ(y.data, x.data);  // inference: identity
  EXPECT_TRUE(error_of([&] { d.forward(x, y, true); }).find("needs an RNG") != std::string::npos);

  Rng mask(9);
  const auto state = mask.state();
  d.set_rng(&mask);
  d.forward(x, y, true);
  size_t zeros = 0;
  for (size_t i = 0; i < y.size(); ++i) {
    if (y.data[i] == 0.0f) {
      ++zeros;
    } else {
      ASSERT_EQ(y.data[i], x.data[i] * float(1.0 / 0.75)) << i;
    }
  }
  EXPECT_NEAR(double(zeros) / double(y.size()), 0.25, 0.02);
  mask.set_state(state);
  d.forward(x, y2, true);
  EXPECT_EQ(y.data, y2.data);  // same RNG state, same mask
  Tensor<float> dy(y.shape, 1.0f);
  d.backward(x, y2, dy, dx);
  for (size_t i = 0; i < y.size(); ++i) ASSERT_EQ(dx.data[i] == 0.0f, y2.data[i] == 0.0f) << i;
  d.forward(x, y2, true);
  EXPECT_NE(y.data, y2.data);  // the stream moved on
}

TEST(NnLayers, BatchNormMovingStatistics) {
  BatchNorm<double> bn;  // momentum 0.99, epsilon 1e-3
  Rng rng(1);
  bn.build({1}, rng);
  ASSERT_EQ(bn.params().size(), 4u);
  EXPECT_FALSE(bn.moving_mean.trainable);
  EXPECT_FALSE(bn.moving_variance.trainable);
  EXPECT_TRUE(bn.gamma.trainable);
  Tensor<double> x({2, 1}), y;
  x.data = {1.0, 3.0};  // mean 2, biased variance 1
  bn.forward(x, y, true);
  EXPECT_DOUBLE_EQ(y.data[0], -1.0 / std::sqrt(1.001));
  EXPECT_DOUBLE_EQ(y.data[1], 1.0 / std::sqrt(1.001));
  EXPECT_NEAR(bn.moving_mean.value.data[0], 0.02, 1e-15);
  EXPECT_NEAR(bn.moving_variance.value.data[0], 1.0, 1e-15);
  const double mm = bn.moving_mean.value.data[0];
  bn.forward(x, y, false);  // inference: moving statistics, nothing updated
  EXPECT_NEAR(y.data[0], (1.0 - 0.02) / std::sqrt(1.0 + 1e-3), 1e-12);
  EXPECT_EQ(bn.moving_mean.value.data[0], mm);
}

TEST(NnLayers, MaxPoolTiesGoToFirst) {
  MaxPool1D<float> p(3, 3);
  GlobalPool<float> g(PoolOp::kMax, 1);
  Rng rng(1);
  p.build({3, 1}, rng);
  g.build({3, 1}, rng);
  Tensor<float> x({1, 3, 1}), y, dx;
  x.data = {2.0f, 2.0f, 1.0f};
  for (Layer<float>* l : {static_cast<Layer<float>*>(&p), static_cast<Layer<float>*>(&g)}) {
    l->forward(x, y, false);
    Tensor<float> dy(y.shape, 1.0f);
    l->backward(x, y, dy, dx);
    EXPECT_EQ(dx.data, (std::vector<float>{1.0f, 0.0f, 0.0f})) << l->type();
  }
}

}  // namespace
}  // namespace earshot::nn
