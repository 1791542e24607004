// The layer kind registry: every registered kind's parameter descriptions,
// walked through recipe parsing, config emission and lowering. For each
// parameter and each sample value the description allows, a layer is parsed,
// its emitted config parses back to the same config, and the float graph it
// lowers to computes what the training forward computes. A key accepted by
// one stage and unknown to (or ignored by) another fails here.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <random>
#include <set>
#include <sstream>

#include "earshot/deploy/convert.h"
#include "earshot/deploy/executor.h"
#include "earshot/error.h"
#include "earshot/nn/kinds.h"
#include "earshot/nn/model.h"

namespace earshot::nn {
namespace {

using Json = nlohmann::json;

// Values the description allows, two or more per key.
std::vector<Json> samples(const ParamDesc& d) {
  switch (d.type) {
    case ParamType::kCount: return {1, 3};
    case ParamType::kInteger: {  // both ends and a small value inside
      const long long lo = static_cast<long long>(d.lo), hi = static_cast<long long>(d.hi);
      return {lo, std::min(hi, lo + 5), hi};
    }
    case ParamType::kSizes: return d.rank == 1 ? std::vector<Json>{1, 3} : std::vector<Json>{Json{1, 1}, Json{3, 2}};
    case ParamType::kNumber: {
      if (std::isinf(d.hi)) return {d.lo + 0.5, d.lo + 2.0};
      return {d.lo + 0.25 * (d.hi - d.lo), d.lo + 0.75 * (d.hi - d.lo)};
    }
    case ParamType::kBool: return {true, false};
    case ParamType::kChoice: {
      std::vector<Json> v;
      for (const std::string& c : d.choices) v.emplace_back(c);
      return v;
    }
    case ParamType::kString: return {"x"};
    case ParamType::kShape: return {Json{-1}, Json{2, -1}};
    case ParamType::kStrings: return {Json::array({"a", "b"})};
  }
  return {};
}

void randomize(Model<float>& m) {
  std::mt19937 rng(11);
  std::uniform_real_distribution<float> u(0.5f, 1.5f);
  for (auto& [name, p] : m.named_params()) {
    if (name.find("moving_variance") != std::string::npos || name.find("gamma") != std::string::npos) {
      for (float& v : p->value.data) v = u(rng);
    } else if (name.find("moving_mean") != std::string::npos || name.find("beta") != std::string::npos ||
               name.find("bias") != std::string::npos) {
      for (float& v : p->value.data) v = u(rng) - 1.0f;
    }
  }
}

// The lowered float graph computes the training forward pass.
void expect_lowering_matches(const LayerKind& kind, const Json& config, const std::string& what) {
  ModelSpec spec;
  spec.input = kind.example_input;
  spec.trunk = kind.example_before;
  spec.trunk.push_back(config);
  spec.heads.emplace_back();
  Model<float> model(spec, 5);
  randomize(model);
  const deploy::Graph g = deploy::lower(model, what);
  deploy::Executor ex(g);
  std::mt19937 rng(3);
  std::normal_distribution<float> d(0.0f, 1.0f);
  Shape bs = {1};
  bs.insert(bs.end(), spec.input.begin(), spec.input.end());
  Tensor<float> x(bs);
  for (float& v : x.data) v = d(rng);
  // one_hot_input: the model takes indices, the exported graph their one-hot vectors.
  const long long depth = config.value("one_hot_input", 0LL);
  if (depth > 0) {
    for (float& v : x.data) v = static_cast<float>(rng() % static_cast<uint32_t>(depth));
  }
  const auto& want = model.forward(x, false);
  if (depth > 0) {
    float* in = static_cast<float*>(ex.input(0));
    ASSERT_EQ(g.tensors[static_cast<size_t>(g.inputs[0])].elements(), x.data.size() * static_cast<size_t>(depth));
    std::fill(in, in + x.data.size() * static_cast<size_t>(depth), 0.0f);
    for (size_t i = 0; i < x.data.size(); ++i)
      in[i * static_cast<size_t>(depth) + static_cast<size_t>(x.data[i])] = 1.0f;
  } else {
    std::memcpy(ex.input(0), x.data.data(), x.data.size() * sizeof(float));
  }
  ex.invoke();
  const float* got = static_cast<const float*>(ex.output(0));
  ASSERT_EQ(g.tensors[static_cast<size_t>(g.outputs[0])].elements(), want[0].size()) << what;
  for (size_t i = 0; i < want[0].size(); ++i) {
    EXPECT_NEAR(got[i], want[0].data[i], 1e-5f + 1e-5f * std::fabs(want[0].data[i])) << what << " at " << i;
  }
}

TEST(LayerKinds, RegistryIsCompleteAndDocumented) {
  std::set<std::string> names;
  ASSERT_EQ(layer_kinds().size(), kLayerKindCount);
  for (const LayerKind* k : layer_kinds()) {
    EXPECT_TRUE(names.insert(k->name).second) << "duplicate kind " << k->name;
    EXPECT_EQ(find_layer_kind(k->name), k);
    EXPECT_GT(std::strlen(k->doc), 10u) << k->name;
    EXPECT_FALSE(k->example_input.empty()) << k->name;
    ASSERT_NE(k->make_float, nullptr);
    ASSERT_NE(k->make_double, nullptr);
    std::set<std::string> keys;
    for (const ParamDesc& p : k->params) {
      EXPECT_TRUE(keys.insert(p.key).second) << k->name << ": duplicate key " << p.key;
      EXPECT_FALSE(p.doc.empty()) << k->name << "." << p.key;
      EXPECT_NE(p.key, "type");
      EXPECT_NE(p.key, "name");
      if (!p.default_from.empty()) {
        EXPECT_NE(find_param(k->params, p.default_from), nullptr) << p.key;
      }
    }
  }
  EXPECT_EQ(find_layer_kind("conv3d"), nullptr);
}

TEST(LayerKinds, EveryParameterParsesEmitsAndLowers) {
  size_t variants = 0;
  for (const LayerKind* k : layer_kinds()) {
    std::vector<std::pair<std::string, Json>> cases = {{"", Json()}};  // the example as it is
    for (const ParamDesc& p : k->params) {
      for (const Json& v : samples(p)) cases.emplace_back(p.key, v);
    }
    for (const auto& [key, value] : cases) {
      Json config = k->example;
      config["type"] = k->name;
      if (!key.empty()) config[key] = value;
      const std::string what = std::string(k->name) + " " + config.dump();
      std::unique_ptr<Layer<float>> layer;
      ASSERT_NO_THROW(layer = make_layer<float>(config, "test")) << what;
      // Every declared key is in the emitted config, canonical; nothing else is.
      const Json emitted = layer->config();
      EXPECT_EQ(emitted.size(), k->params.size() + 1) << what << " -> " << emitted.dump();
      for (const ParamDesc& p : k->params) {
        ASSERT_TRUE(emitted.contains(p.key)) << what << " lacks " << p.key;
        if (p.key == key) {
          std::string error;
          EXPECT_EQ(emitted.at(p.key), p.canonical(value, &error)) << what;
        }
      }
      // The emitted config builds the same layer (float and double).
      EXPECT_EQ(make_layer<float>(emitted, "emitted")->config(), emitted) << what;
      EXPECT_EQ(make_layer<double>(emitted, "emitted")->config(), emitted) << what;
      // The settings the layer keeps are the emitted ones.
      for (const ParamDesc& p : k->params) EXPECT_EQ(layer->settings().values().at(p.key), emitted.at(p.key));
      if (k->lower != nullptr) expect_lowering_matches(*k, emitted, what);
      ++variants;
    }
  }
  EXPECT_GT(variants, 40u);
}

TEST(LayerKinds, ReadingAnUndeclaredKeyIsAProgrammingError) {
  const LayerArgs a = layer_args("dense", {{"units", 2}});
  EXPECT_EQ(a.params.count("units"), 2u);
  EXPECT_THROW((void)a.params.count("filters"), std::logic_error);  // not a dense key
  EXPECT_THROW((void)a.params.number("units"), std::logic_error);   // declared as a count
  EXPECT_THROW((void)layer_args("dense", {{"units", 2}, {"filters", 3}}), Error);
}

TEST(LayerKinds, DocsAreGeneratedFromTheDescriptions) {
  std::ifstream f(std::string(EARSHOT_TEST_DATA) + "/../docs/layers.md");
  ASSERT_TRUE(f) << "docs/layers.md is missing; write it with: earshot layers --markdown > docs/layers.md";
  std::stringstream ss;
  ss << f.rdbuf();
  EXPECT_EQ(ss.str(), layers_markdown())
      << "docs/layers.md is stale; rewrite it with: earshot layers --markdown > docs/layers.md";
}

}  // namespace
}  // namespace earshot::nn
