// Lowering, quantization, the executor and .tflite read/write on small models
// with the recipes' layer mixes (the interpreters' side is in
// tests/tflite/compare_interpreters.py, run by the export CLI test).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>

#include "earshot/deploy/convert.h"
#include "earshot/deploy/executor.h"
#include "earshot/deploy/tflite.h"
#include "host/test_util.h"

namespace earshot::deploy {
namespace {

using Json = nlohmann::json;

nn::ModelSpec spec(nn::Shape input, std::vector<Json> trunk, std::vector<Json> head = {}) {
  nn::ModelSpec s;
  s.input = std::move(input);
  s.trunk = std::move(trunk);
  nn::HeadSpec h;
  h.layers = std::move(head);
  s.heads.push_back(h);
  return s;
}

// The three recipes' architectures, a BatchNorm model and a two-head model.
std::vector<std::pair<std::string, nn::ModelSpec>> models() {
  std::vector<std::pair<std::string, nn::ModelSpec>> m;
  m.emplace_back("bells",
                 spec({32, 48}, {{{"type", "conv1d"}, {"filters", 8}, {"kernel_size", 3}, {"activation", "relu"}},
                                 {{"type", "conv1d"}, {"filters", 8}, {"kernel_size", 3}, {"activation", "relu"}},
                                 {{"type", "flatten"}},
                                 {{"type", "dense"}, {"units", 1}, {"activation", "sigmoid"}}}));
  m.emplace_back("chords",
                 spec({36, 3, 1}, {{{"type", "conv2d"}, {"filters", 8}, {"kernel_size", {5, 3}}, {"use_bias", false}},
                                   {{"type", "global_max_pool2d"}},
                                   {{"type", "activation"}, {"activation", "relu"}},
                                   {{"type", "dense"}, {"units", 2}},
                                   {{"type", "activation"}, {"activation", "softmax"}}}));
  m.emplace_back("beats", spec({500}, {{{"type", "dense"}, {"units", 125}, {"activation", "relu"}},
                                       {{"type", "dense"}, {"units", 4}, {"activation", "softmax"}}}));
  m.emplace_back(
      "mixed",
      spec({16, 12, 2},
           {{{"type", "conv2d"}, {"filters", 6}, {"kernel_size", {3, 3}}, {"strides", {2, 1}}, {"padding", "same"}},
            {{"type", "batch_norm"}},
            {{"type", "activation"}, {"activation", "relu"}},
            {{"type", "max_pool2d"}, {"pool_size", {2, 2}}},
            {{"type", "dropout"}, {"rate", 0.5}},
            {{"type", "global_avg_pool2d"}},
            {{"type", "dense"}, {"units", 5}, {"activation", "tanh"}}}));
  nn::ModelSpec two = spec({20, 4}, {{{"type", "conv1d"}, {"filters", 5}, {"kernel_size", 3}, {"activation", "relu"}},
                                     {{"type", "global_max_pool1d"}}});
  two.heads[0].name = "kind";
  two.heads[0].layers = {{{"type", "dense"}, {"units", 3}, {"activation", "softmax"}}};
  nn::HeadSpec level;
  level.name = "level";
  level.layers = {{{"type", "dense"}, {"units", 1}}};
  two.heads.push_back(level);
  m.emplace_back("two_heads", two);
  return m;
}

// Gives BatchNorm non-trivial statistics so that folding is exercised.
void perturb_batch_norm(nn::Model<float>& model) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> u(0.5f, 1.5f);
  for (auto& [name, p] : model.named_params()) {
    if (name.find("moving_variance") != std::string::npos || name.find("gamma") != std::string::npos) {
      for (float& v : p->value.data) v = u(rng);
    } else if (name.find("moving_mean") != std::string::npos || name.find("beta") != std::string::npos) {
      for (float& v : p->value.data) v = u(rng) - 1.0f;
    }
  }
}

std::vector<float> random_input(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> d(0.0f, 1.0f);
  std::vector<float> x(n);
  for (float& v : x) v = d(rng);
  return x;
}

class DeployModels : public ::testing::TestWithParam<size_t> {};

TEST_P(DeployModels, FloatGraphMatchesTrainingForward) {
  auto [name, s] = models()[GetParam()];
  nn::Model<float> model(s, 3);
  perturb_batch_norm(model);
  Graph g = lower(model, name);
  Executor ex(g);
  const size_t n = nn::numel(s.input);
  for (uint32_t trial = 0; trial < 5; ++trial) {
    std::vector<float> x = random_input(n, trial);
    nn::Shape batch_shape = {1};
    batch_shape.insert(batch_shape.end(), s.input.begin(), s.input.end());
    nn::Tensor<float> xt(batch_shape);
    xt.data = x;
    const auto& want = model.forward(xt, false);
    std::memcpy(ex.input(0), x.data(), n * sizeof(float));
    ex.invoke();
    ASSERT_EQ(g.outputs.size(), want.size());
    for (size_t h = 0; h < want.size(); ++h) {
      const float* got = static_cast<const float*>(ex.output(h));
      for (size_t i = 0; i < want[h].size(); ++i) {
        EXPECT_NEAR(got[i], want[h].data[i], 1e-5f + 1e-5f * std::fabs(want[h].data[i])) << name << " head " << h;
      }
    }
  }
}

TEST_P(DeployModels, Int8TracksFloatAndRoundTripsThroughTflite) {
  auto [name, s] = models()[GetParam()];
  nn::Model<float> model(s, 5);
  perturb_batch_norm(model);
  const Graph fg = lower(model, name);
  const size_t n = nn::numel(s.input);
  const Ranges r = calibrate(fg, 64, [&](size_t i, float* x) {
    auto v = random_input(n, 1000 + static_cast<uint32_t>(i));
    std::copy(v.begin(), v.end(), x);
  });
  for (IoType io : {IoType::kFloat32, IoType::kInt8}) {
    const Graph qg = quantize(fg, r, {io});
    // write -> read -> write is byte-identical, for both graphs.
    for (const Graph* g : {&fg, &qg}) {
      const std::vector<uint8_t> a = write_tflite(*g);
      const Graph back = read_tflite(a.data(), a.size(), name);
      EXPECT_EQ(write_tflite(back), a) << name;
      EXPECT_EQ(a.size() % 4, 0u);
    }
    if (io != IoType::kFloat32) continue;
    // On calibration inputs (no saturation), int8 outputs follow float
    // within a few output quantization steps.
    Executor fx(fg), qx(qg);
    for (uint32_t trial = 0; trial < 20; ++trial) {
      auto x = random_input(n, 1000 + trial);
      std::memcpy(fx.input(0), x.data(), n * sizeof(float));
      std::memcpy(qx.input(0), x.data(), n * sizeof(float));
      fx.invoke();
      qx.invoke();
      for (size_t h = 0; h < fg.outputs.size(); ++h) {
        const size_t m = fg.tensors[static_cast<size_t>(fg.outputs[h])].elements();
        const float* a = static_cast<const float*>(fx.output(h));
        const float* b = static_cast<const float*>(qx.output(h));
        float range = 0.0f;
        for (size_t i = 0; i < m; ++i) range = std::max(range, std::fabs(a[i]));
        for (size_t i = 0; i < m; ++i) EXPECT_NEAR(a[i], b[i], 0.08f * std::max(range, 1.0f)) << name << " head " << h;
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Deploy, DeployModels, ::testing::Range<size_t>(0, 5),
                         [](const ::testing::TestParamInfo<size_t>& p) { return models()[p.param].first; });

TEST(DeployPlan, LiveTensorsNeverShareBytes) {
  for (auto& [name, s] : models()) {
    nn::Model<float> model(s, 1);
    const Graph g = lower(model, name);
    const ArenaPlan p = plan_arena(g);
    EXPECT_LE(p.arena_bytes, p.sum_of_buffers) << name;
    for (size_t a = 0; a < g.tensors.size(); ++a) {
      for (size_t b = a + 1; b < g.tensors.size(); ++b) {
        if (p.offset[a] < 0 || p.offset[b] < 0 || p.alias_of[a] == static_cast<int32_t>(b) ||
            p.alias_of[b] == static_cast<int32_t>(a) || (p.alias_of[a] >= 0 && p.alias_of[a] == p.alias_of[b])) {
          continue;
        }
        const bool live = p.first_op[a] <= p.last_op[b] && p.first_op[b] <= p.last_op[a];
        const bool overlap = p.offset[a] < p.offset[b] + static_cast<int64_t>(g.tensors[b].bytes()) &&
                             p.offset[b] < p.offset[a] + static_cast<int64_t>(g.tensors[a].bytes());
        EXPECT_FALSE(live && overlap) << name << ": tensors " << a << " and " << b;
      }
    }
  }
}

// Truncations and random byte mutations of real exports: every one is either
// rejected with an earshot::Error or is a valid graph the executor can run.
TEST(DeployTflite, MutatedFilesAreRejectedCleanly) {
  std::mt19937 rng(11);
  size_t rejected = 0, accepted = 0;
  for (auto& [name, s] : models()) {
    nn::Model<float> model(s, 2);
    const Graph fg = lower(model, name);
    const size_t n = nn::numel(s.input);
    const Ranges r = calibrate(fg, 8, [&](size_t i, float* x) {
      auto v = random_input(n, static_cast<uint32_t>(i));
      std::copy(v.begin(), v.end(), x);
    });
    for (const Graph& g : {fg, quantize(fg, r)}) {
      const std::vector<uint8_t> good = write_tflite(g);
      for (int trial = 0; trial < 400; ++trial) {
        std::vector<uint8_t> bad = good;
        if (trial % 4 == 0) {
          bad.resize(std::uniform_int_distribution<size_t>(0, good.size() - 1)(rng));
        } else {
          const int flips = 1 + trial % 7;
          for (int f = 0; f < flips; ++f) {
            bad[std::uniform_int_distribution<size_t>(0, bad.size() - 1)(rng)] = static_cast<uint8_t>(rng());
          }
        }
        try {
          Graph back = read_tflite(bad.data(), bad.size(), "mutated.tflite");
          Executor ex(back, "mutated.tflite");  // a valid file must also prepare and run
          ex.invoke();
          ++accepted;
        } catch (const Error& e) {
          EXPECT_NE(std::string(e.what()).find("mutated.tflite"), std::string::npos) << e.what();
          ++rejected;
        }
      }
    }
  }
  EXPECT_GT(rejected, 1000u);
  std::printf("mutated .tflite files: %zu rejected, %zu still valid and run\n", rejected, accepted);
}

TEST(DeployTflite, ErrorsSayWhatIsWrong) {
  using earshot::testing::error_of;
  const std::vector<uint8_t> junk = {1, 2, 3};
  EXPECT_NE(error_of([&] { read_tflite(junk.data(), junk.size(), "x.tflite"); }).find("too short"), std::string::npos);
  std::vector<uint8_t> notflite(64, 0);
  EXPECT_NE(error_of([&] { read_tflite(notflite.data(), notflite.size(), "x.tflite"); }).find("TFL3"),
            std::string::npos);
  nn::Model<float> model(models()[0].second, 1);
  std::vector<uint8_t> good = write_tflite(lower(model));
  good.resize(good.size() / 2);
  EXPECT_NE(error_of([&] { read_tflite(good.data(), good.size(), "x.tflite"); }).find("x.tflite"), std::string::npos);
}

TEST(DeployLower, UnsupportedLayersNameTheLayer) {
  using earshot::testing::error_of;
  // BatchNorm after a relu cannot be folded.
  nn::Model<float> model(
      spec({10}, {{{"type", "dense"}, {"units", 4}, {"activation", "relu"}}, {{"type", "batch_norm"}}}), 1);
  EXPECT_NE(error_of([&] { lower(model); }).find("batch_norm_1"), std::string::npos);
}

}  // namespace
}  // namespace earshot::deploy
