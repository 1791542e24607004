// Losses: golden values and gradients from torch float64 autograd
// (scripts/golden/make_nn_loss_golden.py, Keras formulas written out),
// float64 finite differences, clipping, logit stability, shape errors and
// class weights.
//
// Tolerances against the golden data: float32 |got - want| <= 1e-4 |want| + 1e-6
// (the absolute term is for gradient entries near zero; gradients are
// O(1e-2) here); float64 |got - want| <= 1e-12 |want| + 1e-15.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "earshot/error.h"
#include "earshot/nn/loss.h"
#include "earshot/npy.h"
#include "host/test_util.h"

namespace earshot::nn {
namespace {

using earshot::testing::error_of;

const std::filesystem::path kGolden = std::filesystem::path(EARSHOT_TEST_DATA) / "golden" / "nn_loss";

nlohmann::json loss_stamp() {
  std::ifstream in(kGolden / "STAMP.json");
  EXPECT_TRUE(in.good()) << "missing " << (kGolden / "STAMP.json") << "; run scripts/golden/make_nn_loss_golden.py";
  return nlohmann::json::parse(in);
}

template <typename T>
Tensor<T> load(const std::string& name) {
  const NpyArray a = read_npy(kGolden / (name + ".npy"));
  Tensor<T> t(Shape(a.shape.begin(), a.shape.end()));
  for (size_t i = 0; i < a.data.size(); ++i) t.data[i] = static_cast<T>(a.data[i]);
  return t;
}

struct Worst {
  double value = 0.0, grad = 0.0;  // largest |got - want| / (rtol |want| + atol)
  double value_rel = 0.0, grad_rel = 0.0;
  std::string grad_rel_at;
};

template <typename T>
void run_golden(double rtol, double atol, Worst& worst) {
  const nlohmann::json st = loss_stamp();
  const auto& cases = st.at("losses");
  // 12 (loss, input form) cases, each unweighted and weighted.
  EXPECT_EQ(cases.size(), 24u);
  size_t logits = 0, probs = 0, weighted = 0;
  for (const auto& c : cases) {
    const std::string name = c.at("name");
    SCOPED_TRACE(name);
    const LossSpec spec = loss_from_name(c.at("loss"), c.at("from_logits"));
    (spec.from_logits ? logits : probs)++;
    const Tensor<T> pred = load<T>(name + "_pred");
    const Tensor<T> target = load<T>(name + "_target");
    Tensor<T> weight;
    if (c.at("weighted").get<bool>()) {
      weight = load<T>(name + "_weight");
      ++weighted;
      ASSERT_EQ(weight.size(), pred.batch());
    }
    const double want_value = read_npy(kGolden / (name + "_value.npy")).data.at(0);
    const NpyArray want_grad = read_npy(kGolden / (name + "_grad.npy"));
    Tensor<T> grad;
    const double value =
        loss_forward_backward<T>(spec, pred, target, weight.data.empty() ? nullptr : weight.data.data(), &grad);
    ASSERT_EQ(grad.shape, pred.shape);
    ASSERT_EQ(want_grad.data.size(), grad.size());

    const double ev = std::abs(value - want_value);
    EXPECT_LE(ev, rtol * std::abs(want_value) + atol) << "loss " << value << " want " << want_value;
    worst.value = std::max(worst.value, ev / (rtol * std::abs(want_value) + atol));
    worst.value_rel = std::max(worst.value_rel, ev / std::abs(want_value));
    for (size_t i = 0; i < grad.size(); ++i) {
      const double w = want_grad.data[i];
      const double e = std::abs(static_cast<double>(grad.data[i]) - w);
      EXPECT_LE(e, rtol * std::abs(w) + atol) << "grad[" << i << "] " << grad.data[i] << " want " << w;
      worst.grad = std::max(worst.grad, e / (rtol * std::abs(w) + atol));
      if (w != 0.0 && e / std::abs(w) > worst.grad_rel) {
        worst.grad_rel = e / std::abs(w);
        worst.grad_rel_at = name + "[" + std::to_string(i) + "] want " + std::to_string(w);
      }
    }
    // The value alone (grad == nullptr) is the same number.
    const double value_only =
        loss_forward_backward<T>(spec, pred, target, weight.data.empty() ? nullptr : weight.data.data(), nullptr);
    EXPECT_EQ(value_only, value);
  }
  EXPECT_EQ(logits, 8u);
  EXPECT_EQ(probs, 16u);
  EXPECT_EQ(weighted, 12u);
}

TEST(NnLossGolden, Float32MatchesTorchFloat64) {
  Worst w;
  run_golden<float>(1e-4, 1e-6, w);
  std::cout << "[ float32 ] worst loss rel err " << w.value_rel << ", worst grad rel err (nonzero refs) " << w.grad_rel
            << " at " << w.grad_rel_at << "; fraction of tolerance used: loss " << w.value << ", grad " << w.grad
            << "\n";
}

TEST(NnLossGolden, Float64MatchesTorchFloat64) {
  Worst w;
  run_golden<double>(1e-12, 1e-15, w);
  std::cout << "[ float64 ] worst loss rel err " << w.value_rel << ", worst grad rel err (nonzero refs) " << w.grad_rel
            << " at " << w.grad_rel_at << "; fraction of tolerance used: loss " << w.value << ", grad " << w.grad
            << "\n";
}

TEST(NnLossGolden, StampNamesGeneratorAndVersions) {
  const nlohmann::json st = loss_stamp();
  EXPECT_EQ(st.at("generator"), "scripts/golden/make_nn_loss_golden.py");
  EXPECT_TRUE(st.contains("torch"));
  EXPECT_TRUE(st.contains("numpy"));
  EXPECT_TRUE(st.contains("python"));
  EXPECT_TRUE(st.contains("date"));
}

// ---------------------------------------------------------------------------
// Finite differences (float64)
// ---------------------------------------------------------------------------

struct FdCase {
  LossKind kind;
  bool logits;
  Shape shape;
};

std::string fd_name(const FdCase& c) {
  std::string s = std::string(loss_name(c.kind)) + (c.logits ? " logits " : " probs ") + shape_str(c.shape);
  return s;
}

// Inputs away from kinks (MAE: |p - y| >= 0.05) and from the probability clip.
void fd_inputs(const FdCase& c, std::mt19937& rng, Tensor<double>& pred, Tensor<double>& target) {
  std::uniform_real_distribution<double> u(0.0, 1.0);
  pred = Tensor<double>(c.shape);
  const size_t K = c.shape.back();
  const size_t rows = pred.size() / K;
  for (double& v : pred.data) v = c.logits ? 4.0 * (u(rng) - 0.5) : 0.05 + 0.9 * u(rng);
  switch (c.kind) {
    case LossKind::kSparseCategorical: {
      Shape ts(c.shape.begin(), c.shape.end() - 1);
      target = Tensor<double>(ts);
      for (size_t r = 0; r < rows; ++r) target.data[r] = static_cast<double>(rng() % K);
      break;
    }
    case LossKind::kMse:
    case LossKind::kMae:
      target = Tensor<double>(c.shape);
      for (size_t i = 0; i < pred.size(); ++i)
        target.data[i] = pred.data[i] + (u(rng) < 0.5 ? -1.0 : 1.0) * (0.05 + u(rng));
      break;
    case LossKind::kCategoricalCrossentropy:
      target = Tensor<double>(c.shape);
      for (size_t r = 0; r < rows; ++r) {
        if (r % 3 == 2) {
          for (size_t k = 0; k < K; ++k) target.data[r * K + k] = u(rng);  // soft, sum != 1
        } else {
          target.data[r * K + rng() % K] = 1.0;
        }
      }
      break;
    case LossKind::kBinaryCrossentropy:
      target = Tensor<double>(c.shape);
      for (size_t i = 0; i < pred.size(); ++i) target.data[i] = i % 5 == 4 ? u(rng) : double(rng() % 2);
      break;
  }
}

// max over elements of |fd - analytic| / max(|analytic|, 1e-3 * max|analytic|)
double fd_rel_error(const LossSpec& spec, Tensor<double> pred, const Tensor<double>& target, const double* w) {
  Tensor<double> grad;
  loss_forward_backward<double>(spec, pred, target, w, &grad);
  double gmax = 0.0;
  for (double g : grad.data) gmax = std::max(gmax, std::abs(g));
  double worst = 0.0;
  for (size_t i = 0; i < pred.size(); ++i) {
    const double x = pred.data[i];
    const double h = 1e-6 * std::max(1.0, std::abs(x));
    pred.data[i] = x + h;
    const double fp = loss_forward_backward<double>(spec, pred, target, w, nullptr);
    pred.data[i] = x - h;
    const double fm = loss_forward_backward<double>(spec, pred, target, w, nullptr);
    pred.data[i] = x;
    const double fd = (fp - fm) / (2.0 * h);
    const double den = std::max(std::abs(grad.data[i]), 1e-3 * gmax);
    worst = std::max(worst, std::abs(fd - grad.data[i]) / den);
  }
  return worst;
}

TEST(NnLossGradient, FiniteDifferencesEveryLossWeightedAndNot) {
  const std::vector<FdCase> cases = {
      {LossKind::kBinaryCrossentropy, false, {4, 5}},
      {LossKind::kBinaryCrossentropy, true, {4, 5}},
      {LossKind::kBinaryCrossentropy, false, {3, 2, 4}},
      {LossKind::kBinaryCrossentropy, true, {6, 1}},
      {LossKind::kCategoricalCrossentropy, false, {4, 5}},
      {LossKind::kCategoricalCrossentropy, true, {4, 5}},
      {LossKind::kCategoricalCrossentropy, true, {3, 2, 4}},
      {LossKind::kSparseCategorical, false, {4, 5}},
      {LossKind::kSparseCategorical, true, {4, 5}},
      {LossKind::kSparseCategorical, true, {3, 2, 4}},
      {LossKind::kMse, false, {4, 5}},
      {LossKind::kMse, false, {3, 2, 4}},
      {LossKind::kMae, false, {4, 5}},
      {LossKind::kMae, false, {6, 1}},
  };
  std::mt19937 rng(1234);
  double worst = 0.0;
  size_t checked = 0;
  for (const FdCase& c : cases) {
    for (bool weighted : {false, true}) {
      SCOPED_TRACE(fd_name(c) + (weighted ? " weighted" : ""));
      Tensor<double> pred, target;
      fd_inputs(c, rng, pred, target);
      std::vector<double> w(c.shape[0]);
      for (size_t i = 0; i < w.size(); ++i) w[i] = i == 1 ? 0.0 : 0.25 + 0.5 * double(i);
      LossSpec spec;
      spec.kind = c.kind;
      spec.from_logits = c.logits;
      const double e = fd_rel_error(spec, pred, target, weighted ? w.data() : nullptr);
      EXPECT_LE(e, 1e-6);
      worst = std::max(worst, e);
      ++checked;
    }
  }
  EXPECT_EQ(checked, 28u);
  std::cout << "[ fd ] worst finite-difference relative error " << worst << " over " << checked << " cases\n";
}

TEST(NnLossGradient, FiniteDifferencesThroughCceRenormalisationAndClip) {
  // A row with an exact zero: that entry is clipped (its own log term has no
  // gradient) but the normalisation by the row sum still reaches it.
  Tensor<double> pred({2, 3}), target({2, 3});
  pred.data = {0.0, 0.7, 0.5, 0.2, 0.3, 0.4};
  target.data = {0, 1, 0, 0.2, 0.5, 0.3};
  const LossSpec spec = loss_from_name("categorical_crossentropy", false);
  // Central differences at 0 step into negative values, where clipping still
  // holds: the loss stays differentiable in that direction.
  EXPECT_LE(fd_rel_error(spec, pred, target, nullptr), 1e-6);
  Tensor<double> grad;
  loss_forward_backward<double>(spec, pred, target, nullptr, &grad);
  // Only the normalisation term: -(sum_k dq_k pn_k) / S with S = 1.2.
  EXPECT_NEAR(grad.data[0], (1.0 / 1.2) / 2.0, 1e-12);
}

// ---------------------------------------------------------------------------
// Clipping and stability
// ---------------------------------------------------------------------------

template <typename T>
class NnLossTyped : public ::testing::Test {};
using Scalars = ::testing::Types<float, double>;
TYPED_TEST_SUITE(NnLossTyped, Scalars);

TYPED_TEST(NnLossTyped, ClippedProbabilitiesGiveFiniteLossAndZeroGradient) {
  using T = TypeParam;
  Tensor<T> pred({1, 6}), target({1, 6});
  pred.data = {T(0), T(1), T(5e-8), T(0), T(-0.5), T(1.5)};
  target.data = {T(1), T(1), T(1), T(0), T(1), T(1)};
  Tensor<T> grad;
  const double v = loss_forward_backward<T>(loss_from_name("binary_crossentropy", false), pred, target, nullptr, &grad);
  ASSERT_TRUE(std::isfinite(v));
  for (T g : grad.data) EXPECT_EQ(g, T(0));
  // -log(1e-7) for the y = 1 entries at 0, 5e-8 and -0.5; ~1e-7 for the others.
  const double lo = -std::log(static_cast<double>(T(1e-7)));
  EXPECT_NEAR(v, 3 * lo / 6.0, 1e-4 * lo);

  Tensor<T> sp({1, 3}), st({1});
  sp.data = {T(0), T(0.4), T(0.6)};
  st.data = {T(0)};
  const double vs =
      loss_forward_backward<T>(loss_from_name("sparse_categorical_crossentropy", false), sp, st, nullptr, &grad);
  ASSERT_TRUE(std::isfinite(vs));
  EXPECT_EQ(grad.data[0], T(0));  // clipped entry
  EXPECT_NEAR(vs, std::log(1.0 + 1e-7) - std::log(1e-7), 1e-4);
}

TYPED_TEST(NnLossTyped, LogitsOfPlusMinus1000AreStable) {
  using T = TypeParam;
  {
    Tensor<T> z({2, 2}), y({2, 2});
    z.data = {T(1000), T(-1000), T(1000), T(-1000)};
    y.data = {T(1), T(0), T(0), T(1)};
    Tensor<T> g;
    const double v = loss_forward_backward<T>(loss_from_name("binary_crossentropy", true), z, y, nullptr, &g);
    EXPECT_TRUE(std::isfinite(v));
    EXPECT_NEAR(v, (0.0 + 0.0 + 1000.0 + 1000.0) / 4.0, 1e-9);  // mean over K, over B
    const std::vector<double> want = {0.0, 0.0, 0.25, -0.25};   // (sigmoid - y) / (K B)
    for (size_t i = 0; i < 4; ++i) {
      EXPECT_TRUE(std::isfinite(static_cast<double>(g.data[i])));
      EXPECT_NEAR(g.data[i], want[i], 1e-12);
    }
  }
  for (const char* name : {"categorical_crossentropy", "sparse_categorical_crossentropy"}) {
    SCOPED_TRACE(name);
    const bool sparse = std::string(name)[0] == 's';
    Tensor<T> z({2, 3});
    z.data = {T(1000), T(-1000), T(0), T(-1000), T(-1000), T(1000)};
    Tensor<T> y = sparse ? Tensor<T>({2, 1}) : Tensor<T>({2, 3});
    if (sparse) {
      y.data = {T(1), T(2)};
    } else {
      y.data = {T(0), T(1), T(0), T(0), T(0), T(1)};
    }
    Tensor<T> g;
    const double v = loss_forward_backward<T>(loss_from_name(name, true), z, y, nullptr, &g);
    EXPECT_TRUE(std::isfinite(v));
    EXPECT_NEAR(v, 2000.0 / 2.0, 1e-9);
    const std::vector<double> want = {0.5, -0.5, 0.0, 0.0, 0.0, 0.0};  // (softmax - y) / B
    for (size_t i = 0; i < 6; ++i) {
      EXPECT_TRUE(std::isfinite(static_cast<double>(g.data[i])));
      EXPECT_NEAR(g.data[i], want[i], 1e-12);
    }
  }
}

// ---------------------------------------------------------------------------
// Semantics by hand
// ---------------------------------------------------------------------------

TEST(NnLoss, WeightedMeanDividesByBatchSizeIncludingZeroWeights) {
  Tensor<double> p({2, 2}), y({2, 2});
  p.data = {1, 2, 3, 5};
  y.data = {0, 0, 0, 0};
  const double w[2] = {3.0, 0.0};
  Tensor<double> g;
  // per example MSE: (1 + 4) / 2 = 2.5, (9 + 25) / 2 = 17; weighted: 3 * 2.5 / 2
  EXPECT_DOUBLE_EQ(loss_forward_backward<double>(loss_from_name("mse", false), p, y, w, &g), 3.75);
  EXPECT_DOUBLE_EQ(g.data[0], 3.0 * 2.0 * 1.0 / 2.0 / 2.0);
  EXPECT_DOUBLE_EQ(g.data[3], 0.0);
  EXPECT_DOUBLE_EQ(loss_forward_backward<double>(loss_from_name("mae", false), p, y, nullptr, &g), (1.5 + 4.0) / 2);
  // MAE gradient: sign / (K B), zero where equal.
  Tensor<double> q({1, 3}), t({1, 3});
  q.data = {1, 2, 3};
  t.data = {2, 2, 2};
  loss_forward_backward<double>(loss_from_name("mae", false), q, t, nullptr, &g);
  EXPECT_EQ(g.data, (std::vector<double>{-1.0 / 3, 0.0, 1.0 / 3}));
}

TEST(NnLoss, Rank3MeansOverAllRowsAndVectorTargetsEqualColumn) {
  // [B=1, T=2, K=2]: rows (0,0) and (0,1); the divisor is the 2 rows.
  Tensor<double> p({1, 2, 2}), y({1, 2, 2});
  p.data = {1, 1, 2, 2};
  y.data = {0, 0, 0, 0};
  EXPECT_DOUBLE_EQ(loss_forward_backward<double>(loss_from_name("mse", false), p, y, nullptr, nullptr), 2.5);
  // [B] and [B, 1] are the same layout.
  Tensor<double> a({3}), b({3, 1});
  a.data = b.data = {0.2, 0.7, 0.9};
  Tensor<double> ya({3, 1});
  ya.data = {0, 1, 1};
  const LossSpec bce = loss_from_name("binary_crossentropy", false);
  EXPECT_DOUBLE_EQ(loss_forward_backward<double>(bce, a, ya, nullptr, nullptr),
                   loss_forward_backward<double>(bce, b, ya, nullptr, nullptr));
  const double want = -(std::log(0.8) + std::log(0.7) + std::log(0.9)) / 3;
  EXPECT_NEAR(loss_forward_backward<double>(bce, b, ya, nullptr, nullptr), want, 1e-15);
}

TEST(NnLoss, SparseEqualsCategoricalWithOneHotTargets) {
  Tensor<double> z({3, 4}), onehot({3, 4}), idx({3});
  z.data = {0.1, 2.0, -1.0, 0.5, 3.0, 0.0, 0.0, -2.0, -0.3, 0.2, 0.9, 0.4};
  idx.data = {1, 0, 3};
  for (size_t r = 0; r < 3; ++r) onehot.data[r * 4 + static_cast<size_t>(idx.data[r])] = 1.0;
  for (bool logits : {true, false}) {
    Tensor<double> pred = z;
    if (!logits) {  // softmax rows: no clipping, sums to 1
      for (size_t r = 0; r < 3; ++r) {
        double s = 0;
        for (size_t k = 0; k < 4; ++k) s += pred.data[r * 4 + k] = std::exp(z.data[r * 4 + k]);
        for (size_t k = 0; k < 4; ++k) pred.data[r * 4 + k] /= s;
      }
    }
    Tensor<double> g1, g2;
    const double a =
        loss_forward_backward<double>(loss_from_name("categorical_crossentropy", logits), pred, onehot, nullptr, &g1);
    const double b = loss_forward_backward<double>(loss_from_name("sparse_categorical_crossentropy", logits), pred, idx,
                                                   nullptr, &g2);
    EXPECT_NEAR(a, b, 1e-14);
    for (size_t i = 0; i < g1.size(); ++i) EXPECT_NEAR(g1.data[i], g2.data[i], 1e-13) << i;
  }
}

// ---------------------------------------------------------------------------
// Errors and names
// ---------------------------------------------------------------------------

TEST(NnLoss, ShapeAndTargetErrorsSayWhatIsWrong) {
  Tensor<float> p({5, 4}), y({5, 3});
  const LossSpec bce = loss_from_name("binary_crossentropy", false);
  std::string m = error_of([&] { loss_forward_backward<float>(bce, p, y, nullptr, nullptr); });
  EXPECT_NE(m.find("(5, 4)"), std::string::npos) << m;
  EXPECT_NE(m.find("(5, 3)"), std::string::npos) << m;

  const LossSpec sparse = loss_from_name("sparse_categorical_crossentropy", true);
  Tensor<float> idx({5});
  idx.data = {0, 1, 2, 3, 4};
  m = error_of([&] { loss_forward_backward<float>(sparse, p, idx, nullptr, nullptr); });
  EXPECT_NE(m.find("[0, 4)"), std::string::npos) << m;
  EXPECT_NE(m.find("example 4"), std::string::npos) << m;
  idx.data = {0, 1, 2, 1.5f, 0};
  m = error_of([&] { loss_forward_backward<float>(sparse, p, idx, nullptr, nullptr); });
  EXPECT_NE(m.find("whole numbers"), std::string::npos) << m;
  Tensor<float> idx2({5, 2});
  m = error_of([&] { loss_forward_backward<float>(sparse, p, idx2, nullptr, nullptr); });
  EXPECT_NE(m.find("class indices of shape (5,)"), std::string::npos) << m;

  Tensor<float> empty({0, 4});
  m = error_of([&] { loss_forward_backward<float>(bce, empty, empty, nullptr, nullptr); });
  EXPECT_NE(m.find("empty"), std::string::npos) << m;

  Tensor<float> zeros({1, 3}), oh({1, 3});
  oh.data = {0, 1, 0};
  m = error_of([&] {
    loss_forward_backward<float>(loss_from_name("categorical_crossentropy", false), zeros, oh, nullptr, nullptr);
  });
  EXPECT_NE(m.find("from_logits"), std::string::npos) << m;

  LossSpec bad;
  bad.kind = LossKind::kMse;
  bad.from_logits = true;
  m = error_of([&] { loss_forward_backward<float>(bad, p, p, nullptr, nullptr); });
  EXPECT_NE(m.find("from_logits"), std::string::npos) << m;
}

TEST(NnLoss, NamesRoundTripAndUnknownNamesListTheKnownOnes) {
  for (LossKind k : {LossKind::kBinaryCrossentropy, LossKind::kCategoricalCrossentropy, LossKind::kSparseCategorical,
                     LossKind::kMse, LossKind::kMae}) {
    EXPECT_EQ(loss_from_name(loss_name(k), false).kind, k);
  }
  EXPECT_EQ(loss_from_name("mse", false).kind, LossKind::kMse);
  EXPECT_EQ(loss_from_name("MAE", false).kind, LossKind::kMae);
  EXPECT_EQ(loss_from_name("BinaryCrossentropy", true).kind, LossKind::kBinaryCrossentropy);
  EXPECT_TRUE(loss_from_name("categorical_crossentropy", true).from_logits);
  std::string m = error_of([] { loss_from_name("hinge", false); });
  EXPECT_NE(m.find("hinge"), std::string::npos) << m;
  EXPECT_NE(m.find("binary_crossentropy"), std::string::npos) << m;
  m = error_of([] { loss_from_name("mse", true); });
  EXPECT_NE(m.find("from_logits"), std::string::npos) << m;
}

TEST(NnLoss, ClassWeights) {
  EXPECT_EQ(class_weights(ClassWeighting::kNone, {10, 2, 3}), (std::vector<double>{1, 1, 1}));
  // scikit-learn / Keras 'balanced': n / (K * count).
  const std::vector<double> b = class_weights(ClassWeighting::kBalanced, {6, 2, 4});
  ASSERT_EQ(b.size(), 3u);
  EXPECT_DOUBLE_EQ(b[0], 12.0 / 18.0);
  EXPECT_DOUBLE_EQ(b[1], 2.0);
  EXPECT_DOUBLE_EQ(b[2], 1.0);
  // Seed 001: ratio = neg / pos = 51.
  const std::vector<double> s = class_weights(ClassWeighting::kSqrtRatio, {510, 10});
  ASSERT_EQ(s.size(), 2u);
  EXPECT_DOUBLE_EQ(s[0], 1.0 / std::sqrt(51.0));
  EXPECT_DOUBLE_EQ(s[1], std::sqrt(51.0));
  EXPECT_NEAR(s[0] * s[1], 1.0, 1e-15);

  std::string m = error_of([] { class_weights(ClassWeighting::kSqrtRatio, {10, 0}); });
  EXPECT_NE(m.find("no positive"), std::string::npos) << m;
  m = error_of([] { class_weights(ClassWeighting::kSqrtRatio, {0, 10}); });
  EXPECT_NE(m.find("no negative"), std::string::npos) << m;
  m = error_of([] { class_weights(ClassWeighting::kSqrtRatio, {1, 2, 3}); });
  EXPECT_NE(m.find("binary"), std::string::npos) << m;
  m = error_of([] { class_weights(ClassWeighting::kBalanced, {3, 0, 1}); });
  EXPECT_NE(m.find("class 1"), std::string::npos) << m;
}

TEST(NnLoss, ClassWeightsAsSampleWeightsSeed001) {
  // Keras class_weight becomes a per-example weight w = class_weight[y].
  const std::vector<double> cw = class_weights(ClassWeighting::kSqrtRatio, {3, 1});
  Tensor<double> p({4, 1}), y({4, 1});
  p.data = {0.1, 0.2, 0.3, 0.6};
  y.data = {0, 0, 0, 1};
  std::vector<double> w(4);
  for (size_t i = 0; i < 4; ++i) w[i] = cw[static_cast<size_t>(y.data[i])];
  const double v = loss_forward_backward<double>(loss_from_name("binary_crossentropy", false), p, y, w.data(), nullptr);
  const double want = (cw[0] * (-std::log(0.9) - std::log(0.8) - std::log(0.7)) + cw[1] * -std::log(0.6)) / 4.0;
  EXPECT_NEAR(v, want, 1e-15);
}

}  // namespace
}  // namespace earshot::nn

namespace earshot::nn {
namespace {

// reduction = "sum" (EpyNN): the batch loss and every gradient entry are the
// mean's times the batch size, for examples of one row and of several rows.
TEST(NnLoss, SumOverBatchIsTheMeanTimesTheBatch) {
  for (const char* name : {"mse", "categorical_crossentropy", "mae"}) {
    for (const Shape& shape : {Shape{5, 3}, Shape{4, 2, 3}}) {
      Tensor<double> p(shape), y(shape);
      std::mt19937 gen(3);
      std::uniform_real_distribution<double> u(0.05, 0.95);
      for (double& v : p.data) v = u(gen);
      for (size_t i = 0; i < y.data.size(); ++i) y.data[i] = i % 3 == 0 ? 1.0 : 0.0;
      LossSpec mean = loss_from_name(name, false), sum = mean;
      sum.sum_over_batch = true;
      Tensor<double> gm, gs;
      const double lm = loss_forward_backward<double>(mean, p, y, nullptr, &gm);
      const double ls = loss_forward_backward<double>(sum, p, y, nullptr, &gs);
      const double b = static_cast<double>(shape[0]);
      EXPECT_NEAR(ls, lm * b, 1e-12 * ls) << name;
      for (size_t i = 0; i < gm.data.size(); ++i)
        EXPECT_NEAR(gs.data[i], gm.data[i] * b, 1e-14 * std::abs(gs.data[i]) + 1e-15) << name << " " << i;
    }
  }
}

}  // namespace
}  // namespace earshot::nn
