// nn::Trainer's shards (train.h): a step's batch is split into kTrainShards
// shards whose gradients are added in shard order, so 1 and 2 threads give the
// same weights bit for bit; the shards' sum is the whole batch's gradient;
// BatchNormalization models run unsplit; a shard's error reaches the caller.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "earshot/error.h"
#include "earshot/nn/model.h"
#include "earshot/nn/train.h"

namespace earshot::nn {
namespace {

using json = nlohmann::json;

// n examples of shape `example`: standard-normal inputs; per head either
// one-hot labels over `classes` (classes > 1), 0/1 (classes == 1) or
// standard-normal regression targets (classes == 0) of width `width`.
struct HeadData {
  size_t classes = 2, width = 2;
};

Dataset make_data(const Shape& example, const std::vector<HeadData>& heads, size_t n, uint64_t seed,
                  bool weights = false) {
  Rng rng(seed);
  Dataset d;
  d.example = example;
  d.n = n;
  d.x.resize(n * numel(example));
  for (float& v : d.x) v = float(rng.normal());
  for (const HeadData& h : heads) {
    d.targets.push_back({h.width});
    std::vector<float> y(n * h.width, 0.0f);
    for (size_t i = 0; i < n; ++i) {
      if (h.classes > 1) y[i * h.width + rng.below(h.classes)] = 1.0f;
      else if (h.classes == 1) y[i] = float(rng.below(2));
      else
        for (size_t k = 0; k < h.width; ++k) y[i * h.width + k] = float(rng.normal());
    }
    d.y.push_back(y);
  }
  if (weights) {
    d.w.resize(n);
    for (float& w : d.w) w = float(rng.uniform(0.2, 2.0));
  }
  return d;
}

// Endless batches with dropout-worthy inputs (a generator, as seeds 000 and 002).
class NoiseSource : public BatchSource {
 public:
  void next(size_t batch_size, Rng& rng, Batch& out) override {
    out.x = Tensor<float>({batch_size, 12});
    for (float& v : out.x.data) v = float(rng.normal());
    out.y = {Tensor<float>({batch_size, 3})};
    for (size_t i = 0; i < batch_size; ++i) out.y[0].data[i * 3 + rng.below(3)] = 1.0f;
    out.w.clear();
  }
};

struct Case {
  std::string name;
  ModelSpec spec;
  TrainOptions opt;
  Dataset data;
  bool generator = false;
};

HeadSpec head(const std::string& loss, const std::string& name = "output", double weight = 1.0) {
  HeadSpec h;
  h.name = name;
  h.loss = loss;
  h.weight = weight;
  h.metrics = {loss == "mse" || loss == "mae" ? "mae" : "accuracy"};
  return h;
}

std::vector<Case> cases() {
  std::vector<Case> v;
  {  // seed 000's shape, with dropout, sample weights and a short last batch (47 = 4 x 10 + 7)
    Case c;
    c.name = "dense_dropout_weights";
    c.spec.input = {20};
    c.spec.trunk = {{{"type", "dense"}, {"units", 16}, {"activation", "relu"}},
                    {{"type", "dropout"}, {"rate", 0.3}},
                    {{"type", "dense"}, {"units", 4}, {"activation", "softmax"}}};
    c.spec.heads = {head("categorical_crossentropy")};
    c.opt.batch_size = 10;
    c.opt.optimizer.kind = "adam";
    c.data = make_data({20}, {{4, 4}}, 47, 1, true);
    v.push_back(c);
  }
  {  // seed 001's: direct Conv1D, flatten, one sigmoid unit (a GEMV and a one-column bias sum)
    Case c;
    c.name = "conv1d_sigmoid";
    c.spec.input = {12, 6};
    c.spec.trunk = {{{"type", "conv1d"}, {"filters", 8}, {"kernel_size", 3}, {"activation", "relu"}},
                    {{"type", "conv1d"}, {"filters", 8}, {"kernel_size", 3}, {"activation", "relu"}},
                    {{"type", "flatten"}},
                    {{"type", "dense"}, {"units", 1}, {"activation", "sigmoid"}}};
    c.spec.heads = {head("binary_crossentropy")};
    c.opt.batch_size = 16;
    c.opt.optimizer.kind = "adam";
    c.data = make_data({12, 6}, {{1, 1}}, 50, 2);
    v.push_back(c);
  }
  {  // seed 002's: Conv2D, global max pool, SGD with Nesterov momentum and decay
    Case c;
    c.name = "conv2d_global_max";
    c.spec.input = {12, 3, 1};
    c.spec.trunk = {
        {{"type", "conv2d"}, {"filters", 8}, {"kernel_size", {5, 3}}, {"padding", "valid"}, {"use_bias", false}},
        {{"type", "global_max_pool2d"}},
        {{"type", "activation"}, {"activation", "relu"}},
        {{"type", "dense"}, {"units", 2}},
        {{"type", "activation"}, {"activation", "softmax"}}};
    c.spec.heads = {head("categorical_crossentropy")};
    c.opt.batch_size = 12;
    c.opt.optimizer.kind = "sgd";
    c.opt.optimizer.learning_rate = 0.05;
    c.opt.optimizer.momentum = 0.9;
    c.opt.optimizer.nesterov = true;
    c.opt.optimizer.decay = 1e-3;
    c.data = make_data({12, 3, 1}, {{2, 2}}, 36, 3);
    v.push_back(c);
  }
  {  // GEMM convolutions ('same' padding), max pooling, clipping; batch 1 leaves shard 0 empty
    Case c;
    c.name = "conv2d_same_batch1";
    c.spec.input = {6, 5, 2};
    c.spec.trunk = {
        {{"type", "conv2d"}, {"filters", 4}, {"kernel_size", {3, 3}}, {"padding", "same"}, {"activation", "tanh"}},
        {{"type", "max_pool2d"}, {"pool_size", {2, 2}}},
        {{"type", "conv2d"}, {"filters", 3}, {"kernel_size", {2, 2}}, {"padding", "same"}},
        {{"type", "flatten"}},
        {{"type", "dense"}, {"units", 3}, {"activation", "softmax"}}};
    c.spec.heads = {head("categorical_crossentropy")};
    c.opt.batch_size = 1;
    c.opt.optimizer.kind = "rmsprop";
    c.opt.optimizer.global_clipnorm = 0.5;
    c.data = make_data({6, 5, 2}, {{3, 3}}, 9, 4);
    v.push_back(c);
  }
  {  // two heads (seed 004's kind): regression with MSE and MAE, weighted
    Case c;
    c.name = "two_heads";
    c.spec.input = {10};
    c.spec.trunk = {{{"type", "dense"}, {"units", 12}, {"activation", "relu"}}};
    HeadSpec a = head("mse", "a"), b = head("mae", "b", 0.5);
    a.layers = {{{"type", "dense"}, {"units", 2}}};
    b.layers = {{{"type", "dense"}, {"units", 3}}};
    c.spec.heads = {a, b};
    c.opt.batch_size = 7;
    c.opt.optimizer.kind = "sgd";
    c.opt.optimizer.learning_rate = 0.01;
    c.data = make_data({10}, {{0, 2}, {0, 3}}, 30, 5);
    v.push_back(c);
  }
  {  // a generator with dropout: the shards' dropout streams
    Case c;
    c.name = "generator_dropout";
    c.spec.input = {12};
    c.spec.trunk = {{{"type", "dense"}, {"units", 10}, {"activation", "relu"}},
                    {{"type", "dropout"}, {"rate", 0.5}},
                    {{"type", "dense"}, {"units", 3}, {"activation", "softmax"}}};
    c.spec.heads = {head("categorical_crossentropy")};
    c.opt.batch_size = 9;
    c.opt.steps_per_epoch = 6;
    c.opt.optimizer.kind = "adam";
    c.generator = true;
    v.push_back(c);
  }
  return v;
}

struct Result {
  std::vector<std::vector<float>> weights;
  TrainState state;
};

Result train(const Case& c, int threads, int epochs = 3) {
  Model<float> model(c.spec, 11);
  TrainOptions opt = c.opt;
  opt.epochs = epochs;
  opt.verbose = 0;
  opt.seed = 5;
  opt.threads = threads;
  Trainer trainer(model, opt);
  EXPECT_EQ(trainer.shards(), kTrainShards);
  EXPECT_EQ(trainer.threads(), std::min(threads, kTrainShards));
  NoiseSource source;
  Result r;
  r.state =
      c.generator ? trainer.fit(nullptr, &source, nullptr, nullptr) : trainer.fit(&c.data, nullptr, nullptr, nullptr);
  for (Param<float>* p : model.params()) r.weights.push_back(p->value.data);
  return r;
}

bool bit_equal(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

TEST(TrainShards, OneOrTwoThreadsGiveBitIdenticalWeights) {
  for (const Case& c : cases()) {
    SCOPED_TRACE(c.name);
    const Result one = train(c, 1), two = train(c, 2), again = train(c, 2);
    ASSERT_EQ(one.weights.size(), two.weights.size());
    for (size_t i = 0; i < one.weights.size(); ++i) {
      EXPECT_TRUE(bit_equal(one.weights[i], two.weights[i])) << "parameter " << i;
      EXPECT_TRUE(bit_equal(two.weights[i], again.weights[i])) << "parameter " << i;
    }
    ASSERT_EQ(one.state.history.size(), two.state.history.size());
    for (size_t e = 0; e < one.state.history.size(); ++e)
      EXPECT_EQ(one.state.history[e].values, two.state.history[e].values) << "epoch " << e + 1;
    EXPECT_EQ(one.state.dropout_rng, two.state.dropout_rng);
    // The check can fail: training moved the weights.
    Model<float> fresh(c.spec, 11);
    EXPECT_FALSE(bit_equal(fresh.params()[0]->value.data, one.weights[0]));
  }
}

// Shard 1's dropout stream is split off the model's dropout RNG every step, so
// the one dropout state a checkpoint keeps is enough, and a resumed run over
// a shuffled in-memory dataset replays the finished epochs' shuffles: 2
// epochs, then a fresh model and trainer continuing from the state (weights,
// RNGs, optimizer slots) to 4 epochs, equal 4 epochs straight, bit for bit,
// for every case (generators and datasets).
TEST(TrainShards, ResumeEqualsAnUninterruptedRun) {
  int checked = 0;
  for (const Case& c : cases()) {
    SCOPED_TRACE(c.name);
    const Result whole = train(c, 2, 4);
    Model<float> first(c.spec, 11), second(c.spec, 11);
    TrainOptions opt = c.opt;
    opt.verbose = 0;
    opt.seed = 5;
    opt.threads = 2;
    opt.epochs = 2;
    NoiseSource source;
    auto fit = [&](Trainer& t, TrainState st) {
      return c.generator ? t.fit(nullptr, &source, nullptr, nullptr, std::move(st))
                         : t.fit(&c.data, nullptr, nullptr, nullptr, std::move(st));
    };
    Trainer t1(first, opt);
    const TrainState half = fit(t1, {});
    for (size_t i = 0; i < first.params().size(); ++i) second.params()[i]->value = first.params()[i]->value;
    opt.epochs = 4;
    opt.threads = 1;  // and on another thread count
    Trainer t2(second, opt);
    fit(t2, half);
    for (size_t i = 0; i < whole.weights.size(); ++i)
      EXPECT_TRUE(bit_equal(whole.weights[i], second.params()[i]->value.data)) << "parameter " << i;
    ++checked;
  }
  EXPECT_EQ(checked, static_cast<int>(cases().size()));
}

// One plain SGD step (lr 1, no momentum) moves the weights by minus the
// shards' summed gradient; it must be the whole batch's gradient, computed
// here unsplit through Model and the loss, up to float rounding.
TEST(TrainShards, ShardGradientsAddUpToTheBatchGradient) {
  int checked = 0;
  for (const Case& c : cases()) {
    if (c.generator || c.spec.heads.size() > 1 || c.name.find("dropout") != std::string::npos) continue;
    SCOPED_TRACE(c.name);
    const size_t B = std::min<size_t>(size_t(c.opt.batch_size), c.data.n);
    if (B < 2) continue;
    Model<float> ref(c.spec, 11), trained(c.spec, 11);
    // Unsplit: gradient of the first batch, in data order.
    Batch b;
    c.data.gather({}, 0, B, b);
    const std::vector<Tensor<float>>& out = ref.forward(b.x, true);
    std::vector<Tensor<float>> dys(1);
    loss_forward_backward(loss_from_name(c.spec.heads[0].loss, false), out[0], b.y[0],
                          b.w.empty() ? nullptr : b.w.data(), &dys[0]);
    ref.backward(dys, false);

    TrainOptions opt = c.opt;
    opt.epochs = 1;
    opt.steps_per_epoch = 1;
    opt.shuffle = false;
    opt.verbose = 0;
    opt.optimizer = OptimizerSpec{};
    opt.optimizer.kind = "sgd";
    opt.optimizer.learning_rate = 1.0;
    Trainer(trained, opt).fit(&c.data, nullptr, nullptr, nullptr);
    const std::vector<Param<float>*> pr = ref.params(), pt = trained.params();
    for (size_t i = 0; i < pr.size(); ++i) {
      double scale = 1e-12;
      for (float g : pr[i]->grad.data) scale = std::max(scale, double(std::fabs(g)));
      for (size_t k = 0; k < pr[i]->value.data.size(); ++k) {
        const double step = double(pr[i]->value.data[k]) - double(pt[i]->value.data[k]);
        EXPECT_NEAR(step, double(pr[i]->grad.data[k]), 1e-5 * scale + 1e-6) << "parameter " << i << "[" << k << "]";
      }
    }
    ++checked;
  }
  EXPECT_EQ(checked, 2);  // the Conv1D and the Conv2D case
}

TEST(TrainShards, BatchNormalizationRunsUnsplit) {
  ModelSpec spec;
  spec.input = {6};
  spec.trunk = {{{"type", "dense"}, {"units", 5}},
                {{"type", "batch_norm"}},
                {{"type", "dense"}, {"units", 2}, {"activation", "softmax"}}};
  spec.heads = {head("categorical_crossentropy")};
  Model<float> model(spec, 1);
  EXPECT_TRUE(model.mixes_batch());
  TrainOptions opt;
  opt.threads = 2;
  opt.verbose = 0;
  opt.epochs = 1;
  opt.batch_size = 8;
  Trainer trainer(model, opt);
  EXPECT_EQ(trainer.shards(), 1);
  EXPECT_EQ(trainer.threads(), 1);
  const Dataset d = make_data({6}, {{2, 2}}, 20, 9);
  trainer.fit(&d, nullptr, nullptr, nullptr);
}

// An error in the shard the helper thread runs reaches fit()'s caller, and the
// trainer stays usable.
TEST(TrainShards, AnErrorInTheSecondShardIsThrownByFit) {
  ModelSpec spec;
  spec.input = {4};
  spec.trunk = {{{"type", "dense"}, {"units", 3}}};
  HeadSpec h = head("sparse_categorical_crossentropy");
  h.from_logits = true;
  spec.heads = {h};
  Model<float> model(spec, 1);
  Dataset d = make_data({4}, {{0, 1}}, 8, 3);
  for (size_t i = 0; i < 8; ++i) d.y[0][i] = float(i % 3);
  d.y[0][7] = 5.0f;  // not a class: only shard 1 of the one batch of 8 sees it
  TrainOptions opt;
  opt.threads = 2;
  opt.verbose = 0;
  opt.epochs = 1;
  opt.batch_size = 8;
  opt.shuffle = false;
  Trainer trainer(model, opt);
  try {
    trainer.fit(&d, nullptr, nullptr, nullptr);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("class indices"), std::string::npos) << e.what();
  }
  d.y[0][7] = 1.0f;
  EXPECT_NO_THROW(trainer.fit(&d, nullptr, nullptr, nullptr));
}

}  // namespace
}  // namespace earshot::nn

namespace earshot::nn {
namespace {

// clip_norm on a recurrent layer (EpyNN's clip_gradients): the layer's
// gradients are scaled together so their joint norm is the clip, in the same
// direction; other layers are untouched; a large clip changes nothing.
TEST(LayerClipNorm, ScalesTheLayersGradientsTogetherToTheClip) {
  for (const double clip : {0.25, 1e6}) {
    ModelSpec spec;
    spec.input = {50};
    spec.trunk = {
        {{"type", "simple_rnn"}, {"units", 2}, {"return_sequences", true}, {"one_hot_input", 4}, {"clip_norm", clip}},
        {{"type", "flatten"}},
        {{"type", "dense"}, {"units", 2}, {"activation", "softmax"}}};
    spec.heads = {head("mse")};
    Model<float> model(spec, 3);
    EXPECT_TRUE(model.clips_layers());
    Tensor<float> x({8, 50});
    for (size_t i = 0; i < x.data.size(); ++i) x.data[i] = static_cast<float>((i * 7 + i / 3) % 4);
    const std::vector<Tensor<float>>& out = model.forward(x, true);
    std::vector<Tensor<float>> dy = {out[0]};
    for (float& v : dy[0].data) v = 10.0f * v - 3.0f;  // a gradient large enough to clip
    model.zero_grad();
    model.backward(dy);
    std::vector<std::vector<float>> before;
    for (Param<float>* p : model.params()) before.push_back(p->grad.data);
    model.clip_layer_gradients();
    const std::vector<Param<float>*> ps = model.params();
    double n0 = 0.0, n1 = 0.0;
    for (size_t k = 0; k < 3; ++k) {  // kernel, recurrent_kernel, bias of the RNN
      for (size_t i = 0; i < before[k].size(); ++i) {
        n0 += double(before[k][i]) * before[k][i];
        n1 += double(ps[k]->grad.data[i]) * ps[k]->grad.data[i];
      }
    }
    ASSERT_GT(std::sqrt(n0), 0.25) << "the test gradient does not reach the clip";
    if (clip < 1.0) {
      EXPECT_NEAR(std::sqrt(n1), clip, 1e-6);
      const double ratio = std::sqrt(n1 / n0);
      for (size_t k = 0; k < 3; ++k) {
        for (size_t i = 0; i < before[k].size(); ++i) EXPECT_NEAR(ps[k]->grad.data[i], before[k][i] * ratio, 1e-7);
      }
    } else {
      for (size_t k = 0; k < 3; ++k) EXPECT_EQ(ps[k]->grad.data, before[k]);
    }
    for (size_t k = 3; k < ps.size(); ++k) EXPECT_EQ(ps[k]->grad.data, before[k]) << "dense layers are not clipped";
  }
}

// The trainer applies it: clipped and unclipped training differ, and a clipped
// run is still the same bit for bit on 1 and 2 threads.
TEST(LayerClipNorm, TrainerClipsAndStaysDeterministic) {
  const auto run = [](double clip, int threads) {
    ModelSpec spec;
    spec.input = {30};
    spec.trunk = {{{"type", "gru"},
                   {"units", 2},
                   {"return_sequences", true},
                   {"one_hot_input", 4},
                   {"reset_after", false},
                   {"clip_norm", clip}},
                  {{"type", "flatten"}},
                  {{"type", "dense"}, {"units", 2}, {"activation", "softmax"}}};
    spec.heads = {head("mse")};
    spec.heads[0].sum_over_batch = true;
    Model<float> model(spec, 5);
    TrainOptions opt;
    opt.threads = threads;
    opt.verbose = 0;
    opt.epochs = 2;
    opt.batch_size = 8;
    opt.optimizer.kind = "sgd";
    opt.optimizer.learning_rate = 0.01;
    Dataset d;
    d.example = {30};
    d.n = 32;
    d.x.resize(32 * 30);
    for (size_t i = 0; i < d.x.size(); ++i) d.x[i] = static_cast<float>((i * 13 + i / 7) % 4);
    d.targets = {Shape{2}};
    d.y = {std::vector<float>(64)};
    for (size_t i = 0; i < 32; ++i) d.y[0][i * 2 + (i % 2)] = 1.0f;
    Trainer trainer(model, opt);
    trainer.fit(&d, nullptr, nullptr, nullptr);
    std::vector<float> w;
    for (Param<float>* p : model.params()) w.insert(w.end(), p->value.data.begin(), p->value.data.end());
    return w;
  };
  const std::vector<float> clipped1 = run(0.25, 1), clipped2 = run(0.25, 2), free1 = run(0.0, 1);
  EXPECT_EQ(clipped1, clipped2);
  EXPECT_NE(clipped1, free1);
}

}  // namespace
}  // namespace earshot::nn
