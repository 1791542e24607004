// Optimizers: Keras 2 update rules against torch references
// (scripts/golden/make_nn_loss_golden.py), by-hand steps, clipping,
// determinism and checkpoint (slots) round trips.
//
// Tolerances against the golden parameters after each step, measured on the
// change since the start (d = p_step - p_0) so that they test the update and
// not the O(1) parameter values: float32 |got - want| <= 1e-4 |d_want| + 1e-6
// (the absolute term covers float32 rounding of O(1) parameters, ~1e-7 per
// step); float64 |got - want| <= 1e-12 |d_want| + 1e-15.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "earshot/error.h"
#include "earshot/nn/optimizer.h"
#include "earshot/npy.h"
#include "host/test_util.h"

namespace earshot::nn {
namespace {

using earshot::testing::error_of;

const std::filesystem::path kOptimizerGolden = std::filesystem::path(EARSHOT_TEST_DATA) / "golden" / "nn_loss";

nlohmann::json optimizer_stamp() {
  std::ifstream in(kOptimizerGolden / "STAMP.json");
  EXPECT_TRUE(in.good()) << "missing " << (kOptimizerGolden / "STAMP.json")
                         << "; run scripts/golden/make_nn_loss_golden.py";
  return nlohmann::json::parse(in);
}

OptimizerSpec spec_from(const nlohmann::json& e) {
  OptimizerSpec s;
  s.kind = e.at("kind");
  s.learning_rate = e.at("learning_rate");
  s.momentum = e.at("momentum");
  s.nesterov = e.at("nesterov");
  s.decay = e.at("decay");
  s.beta_1 = e.at("beta_1");
  s.beta_2 = e.at("beta_2");
  s.epsilon = e.at("epsilon");
  s.rho = e.at("rho");
  s.clipnorm = e.at("clipnorm");
  s.clipvalue = e.at("clipvalue");
  s.global_clipnorm = e.at("global_clipnorm");
  return s;
}

template <typename T>
Param<T> param_from(const NpyArray& a, const std::string& name) {
  Param<T> p;
  p.name = name;
  p.value = Tensor<T>(Shape(a.shape.begin(), a.shape.end()));
  for (size_t i = 0; i < a.data.size(); ++i) p.value.data[i] = static_cast<T>(a.data[i]);
  p.grad = Tensor<T>(p.value.shape);
  return p;
}

template <typename T>
void run_golden(double rtol, double atol) {
  const nlohmann::json st = optimizer_stamp();
  const auto& configs = st.at("optimizers");
  const size_t steps = st.at("optimizer_steps");
  const size_t nparams = st.at("optimizer_param_shapes").size();
  EXPECT_EQ(configs.size(), 12u);
  EXPECT_EQ(steps, 5u);
  std::set<std::string> kinds;
  double worst = 0.0;  // largest fraction of the tolerance used
  double worst_rel = 0.0;
  std::vector<NpyArray> init, grads;
  for (size_t i = 0; i < nparams; ++i) {
    init.push_back(read_npy(kOptimizerGolden / ("opt_init_p" + std::to_string(i) + ".npy")));
    grads.push_back(read_npy(kOptimizerGolden / ("opt_grads_p" + std::to_string(i) + ".npy")));
  }
  for (const auto& c : configs) {
    const std::string name = c.at("name");
    SCOPED_TRACE(name);
    const OptimizerSpec spec = spec_from(c);
    kinds.insert(spec.kind + (spec.nesterov ? "+nesterov" : "") + (spec.decay > 0 ? "+decay" : "") +
                 (spec.clipvalue > 0 ? "+clipvalue" : "") + (spec.clipnorm > 0 ? "+clipnorm" : "") +
                 (spec.global_clipnorm > 0 ? "+global_clipnorm" : ""));
    auto opt = make_optimizer<T>(spec);
    std::vector<Param<T>> params;
    for (size_t i = 0; i < nparams; ++i) params.push_back(param_from<T>(init[i], "p" + std::to_string(i)));
    // A frozen parameter with a large gradient: never updated, not in the global norm.
    Param<T> frozen = param_from<T>(init[0], "frozen");
    frozen.trainable = false;
    std::vector<Param<T>*> ptrs;
    for (auto& p : params) ptrs.push_back(&p);
    ptrs.insert(ptrs.begin() + 1, &frozen);
    std::vector<NpyArray> want;
    for (size_t i = 0; i < nparams; ++i)
      want.push_back(read_npy(kOptimizerGolden / ("opt_" + name + "_expected_p" + std::to_string(i) + ".npy")));

    for (size_t s = 0; s < steps; ++s) {
      for (size_t i = 0; i < nparams; ++i) {
        const size_t n = params[i].value.size();
        ASSERT_EQ(grads[i].data.size(), steps * n);
        for (size_t j = 0; j < n; ++j) params[i].grad.data[j] = static_cast<T>(grads[i].data[s * n + j]);
      }
      for (T& g : frozen.grad.data) g = T(100);
      opt->step(ptrs);
      EXPECT_EQ(opt->iterations(), static_cast<long>(s + 1));
      for (size_t i = 0; i < nparams; ++i) {
        const size_t n = params[i].value.size();
        for (size_t j = 0; j < n; ++j) {
          const double w = want[i].data[s * n + j];
          const double d = std::abs(w - init[i].data[j]);
          const double e = std::abs(static_cast<double>(params[i].value.data[j]) - w);
          EXPECT_LE(e, rtol * d + atol) << "step " << s + 1 << " p" << i << "[" << j << "] got "
                                        << params[i].value.data[j] << " want " << w << " (moved " << d << ")";
          worst = std::max(worst, e / (rtol * d + atol));
          if (d > 1e-3) worst_rel = std::max(worst_rel, e / d);
        }
      }
      for (size_t j = 0; j < frozen.value.size(); ++j) ASSERT_EQ(frozen.value.data[j], static_cast<T>(init[0].data[j]));
    }
  }
  // Every rule and option the seeds use is covered.
  for (const char* k : {"sgd", "sgd+nesterov+decay", "adam", "adam+decay", "rmsprop", "rmsprop+decay", "sgd+clipvalue",
                        "adam+clipnorm", "sgd+nesterov+global_clipnorm"})
    EXPECT_TRUE(kinds.count(k)) << k;
  std::cout << "[ " << (sizeof(T) == 4 ? "float32" : "float64")
            << " ] worst error relative to the parameter change (where > 1e-3) " << worst_rel
            << "; fraction of tolerance used " << worst << "\n";
}

TEST(NnOptimGolden, Float32MatchesTorch) { run_golden<float>(1e-4, 1e-6); }
TEST(NnOptimGolden, Float64MatchesTorch) { run_golden<double>(1e-12, 1e-15); }

// ---------------------------------------------------------------------------
// By hand
// ---------------------------------------------------------------------------

TEST(NnOptim, SgdNesterovWithDecayByHand) {
  OptimizerSpec s;
  s.kind = "sgd";
  s.learning_rate = 0.1;
  s.momentum = 0.9;
  s.nesterov = true;
  s.decay = 1.0;  // lr_t = 0.1, 0.05, 0.0333...
  auto opt = make_optimizer<double>(s);
  Param<double> p;
  p.value = Tensor<double>({1}, 0.0);
  p.grad = Tensor<double>({1}, 1.0);
  opt->step({&p});
  // v = -0.1; p = 0 + 0.9 * -0.1 - 0.1
  EXPECT_NEAR(p.value.data[0], -0.19, 1e-15);
  opt->step({&p});
  // v = 0.9 * -0.1 - 0.05 = -0.14; p = -0.19 + 0.9 * -0.14 - 0.05
  EXPECT_NEAR(p.value.data[0], -0.19 - 0.126 - 0.05, 1e-15);
  EXPECT_NEAR((*opt->slots({&p})[0])[0], -0.14, 1e-15);
}

TEST(NnOptim, AdamFirstStepByHandAndSlotOrder) {
  OptimizerSpec s;  // Keras defaults: lr 1e-3, betas 0.9 / 0.999, eps 1e-7
  auto opt = make_optimizer<double>(s);
  Param<double> a, b;
  a.value = Tensor<double>({2}, 1.0);
  a.grad = Tensor<double>({2});
  a.grad.data = {0.5, -2.0};
  b.value = Tensor<double>({1}, 0.0);
  b.grad = Tensor<double>({1}, 0.0);
  opt->step({&a, &b});
  // a_1 = lr sqrt(1 - 0.999) / (1 - 0.9); m = 0.1 g; v = 0.001 g^2
  const double a1 = 1e-3 * std::sqrt(0.001) / 0.1;
  for (size_t i = 0; i < 2; ++i) {
    const double g = a.grad.data[i];
    EXPECT_NEAR(a.value.data[i], 1.0 - a1 * 0.1 * g / (std::sqrt(0.001) * std::abs(g) + 1e-7), 1e-15);
  }
  EXPECT_EQ(b.value.data[0], 0.0);  // zero gradient, zero state: no move (no NaN)
  const auto slots = opt->slots({&a, &b});
  ASSERT_EQ(slots.size(), 4u);  // [m_a, v_a, m_b, v_b]
  EXPECT_NEAR((*slots[0])[1], 0.1 * -2.0, 1e-15);
  EXPECT_NEAR((*slots[1])[1], 0.001 * 4.0, 1e-15);
  EXPECT_EQ(slots[2]->size(), 1u);
}

TEST(NnOptim, RmspropByHand) {
  OptimizerSpec s;
  s.kind = "rmsprop";
  s.learning_rate = 0.01;
  s.rho = 0.9;
  s.epsilon = 1e-7;
  auto opt = make_optimizer<double>(s);
  Param<double> p;
  p.value = Tensor<double>({1}, 1.0);
  p.grad = Tensor<double>({1}, 2.0);
  opt->step({&p});
  EXPECT_NEAR(p.value.data[0], 1.0 - 0.01 * 2.0 / (std::sqrt(0.1 * 4.0) + 1e-7), 1e-15);
  EXPECT_EQ(opt->slots({&p}).size(), 1u);
}

TEST(NnOptim, ClippingByHand) {
  Param<double> a, b, frozen;
  a.grad = Tensor<double>({2});
  a.grad.data = {3.0, 4.0};
  b.grad = Tensor<double>({1}, 0.1);
  frozen.grad = Tensor<double>({1}, 50.0);
  frozen.trainable = false;
  std::vector<Param<double>*> ps = {&a, &b, &frozen};
  OptimizerSpec s;
  s.clipvalue = 3.5;
  clip_gradients<double>(s, ps);
  EXPECT_EQ(a.grad.data, (std::vector<double>{3.0, 3.5}));
  EXPECT_EQ(frozen.grad.data[0], 50.0);
  s.clipvalue = 0;
  s.clipnorm = 1.0;  // per parameter
  a.grad.data = {3.0, 4.0};
  clip_gradients<double>(s, ps);
  EXPECT_NEAR(a.grad.data[0], 0.6, 1e-15);
  EXPECT_NEAR(a.grad.data[1], 0.8, 1e-15);
  EXPECT_EQ(b.grad.data[0], 0.1);
  s.clipnorm = 0;
  s.global_clipnorm = 0.5;
  a.grad.data = {0.3, 0.0};
  b.grad.data = {0.4};
  clip_gradients<double>(s, ps);  // ||(0.3, 0, 0.4)|| = 0.5: not above, unchanged
  EXPECT_EQ(a.grad.data[0], 0.3);
  s.global_clipnorm = 0.25;
  clip_gradients<double>(s, ps);
  EXPECT_NEAR(a.grad.data[0], 0.15, 1e-15);
  EXPECT_NEAR(b.grad.data[0], 0.2, 1e-15);
  EXPECT_EQ(frozen.grad.data[0], 50.0);
}

// ---------------------------------------------------------------------------
// Determinism and checkpoints
// ---------------------------------------------------------------------------

template <typename T>
std::vector<Param<T>> make_params() {
  std::vector<Param<T>> ps(3);
  const Shape shapes[3] = {{4, 3}, {3}, {2, 5}};
  for (size_t i = 0; i < 3; ++i) {
    ps[i].name = "p" + std::to_string(i);
    ps[i].value = Tensor<T>(shapes[i]);
    ps[i].grad = Tensor<T>(shapes[i]);
    for (size_t j = 0; j < ps[i].value.size(); ++j) ps[i].value.data[j] = T(std::sin(1.0 + 0.7 * double(i * 31 + j)));
  }
  ps[1].trainable = false;
  return ps;
}

template <typename T>
void set_grads(std::vector<Param<T>>& ps, long step) {
  for (size_t i = 0; i < ps.size(); ++i)
    for (size_t j = 0; j < ps[i].grad.size(); ++j)
      ps[i].grad.data[j] = T(2.0 * std::cos(0.3 * double(step) + 1.1 * double(i) + 0.37 * double(j)));
}

template <typename T>
std::vector<Param<T>*> ptrs(std::vector<Param<T>>& ps) {
  std::vector<Param<T>*> out;
  for (auto& p : ps) out.push_back(&p);
  return out;
}

template <typename T>
bool bit_equal(const std::vector<T>& a, const std::vector<T>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0;
}

std::vector<OptimizerSpec> resume_specs() {
  std::vector<OptimizerSpec> v(4);
  v[0].kind = "sgd";
  v[0].learning_rate = 0.05;
  v[0].momentum = 0.9;
  v[0].nesterov = true;
  v[0].decay = 0.01;
  v[1].kind = "adam";
  v[1].decay = 0.05;
  v[1].clipnorm = 1.5;
  v[2].kind = "rmsprop";
  v[2].decay = 0.02;
  v[2].global_clipnorm = 2.0;
  v[3].kind = "sgd";
  v[3].clipvalue = 1.0;
  return v;
}

template <typename T>
class NnOptimTyped : public ::testing::Test {};
using Scalars = ::testing::Types<float, double>;
TYPED_TEST_SUITE(NnOptimTyped, Scalars);

TYPED_TEST(NnOptimTyped, DeterministicAcrossRuns) {
  using T = TypeParam;
  for (const OptimizerSpec& spec : resume_specs()) {
    SCOPED_TRACE(spec.kind);
    auto a = make_params<T>(), b = make_params<T>();
    auto oa = make_optimizer<T>(spec), ob = make_optimizer<T>(spec);
    for (long s = 0; s < 12; ++s) {
      set_grads(a, s);
      set_grads(b, s);
      oa->step(ptrs(a));
      ob->step(ptrs(b));
    }
    for (size_t i = 0; i < a.size(); ++i) EXPECT_TRUE(bit_equal(a[i].value.data, b[i].value.data)) << i;
  }
}

// The trainer splits a step into element ranges run on two threads
// (begin_parts / update_part / end_parts): the same values as step(), bit for
// bit, whatever the order of the parts; a spec that clips refuses.
TYPED_TEST(NnOptimTyped, StepInPartsEqualsStep) {
  using T = TypeParam;
  for (OptimizerSpec spec : resume_specs()) {
    spec.clipvalue = spec.clipnorm = spec.global_clipnorm = 0.0;
    SCOPED_TRACE(spec.kind);
    auto a = make_params<T>(), b = make_params<T>();
    auto oa = make_optimizer<T>(spec), ob = make_optimizer<T>(spec);
    for (long s = 0; s < 6; ++s) {
      set_grads(a, s);
      set_grads(b, s);
      oa->step(ptrs(a));
      ob->begin_parts(ptrs(b));
      for (size_t k = 3; k-- > 0;) ob->update_part(ptrs(b), k, 3);  // parts in reverse order
      ob->end_parts();
    }
    EXPECT_EQ(oa->iterations(), ob->iterations());
    for (size_t i = 0; i < a.size(); ++i) EXPECT_TRUE(bit_equal(a[i].value.data, b[i].value.data)) << i;
    auto sa = oa->slots(ptrs(a)), sb = ob->slots(ptrs(b));
    for (size_t k = 0; k < sa.size(); ++k) EXPECT_TRUE(bit_equal(*sa[k], *sb[k])) << "slot " << k;
  }
  OptimizerSpec clipping;
  clipping.clipnorm = 1.0;
  auto p = make_params<T>();
  EXPECT_THROW(make_optimizer<T>(clipping)->begin_parts(ptrs(p)), earshot::Error);
}

TYPED_TEST(NnOptimTyped, SlotsRoundTripResumesBitExactly) {
  using T = TypeParam;
  constexpr long kTotal = 9, kSplit = 4;
  for (const OptimizerSpec& spec : resume_specs()) {
    SCOPED_TRACE(spec.kind);
    // Uninterrupted.
    auto ref = make_params<T>();
    auto oref = make_optimizer<T>(spec);
    for (long s = 0; s < kTotal; ++s) {
      set_grads(ref, s);
      oref->step(ptrs(ref));
    }
    // Interrupted: save parameter values, slots and iterations after kSplit steps.
    auto run = make_params<T>();
    std::vector<std::vector<T>> saved_slots;
    long saved_iterations = 0;
    {
      auto o = make_optimizer<T>(spec);
      for (long s = 0; s < kSplit; ++s) {
        set_grads(run, s);
        o->step(ptrs(run));
      }
      for (std::vector<T>* v : o->slots(ptrs(run))) saved_slots.push_back(*v);
      saved_iterations = o->iterations();
      const size_t per = spec.kind == "adam" ? 2 : 1;
      EXPECT_EQ(saved_slots.size(), per * run.size());
    }
    auto resumed = make_params<T>();
    for (size_t i = 0; i < run.size(); ++i) resumed[i].value.data = run[i].value.data;  // parameters from checkpoint
    auto o2 = make_optimizer<T>(spec);
    {
      auto slots = o2->slots(ptrs(resumed));  // fresh optimizer: zero state of the right sizes
      ASSERT_EQ(slots.size(), saved_slots.size());
      for (size_t k = 0; k < slots.size(); ++k) {
        ASSERT_EQ(slots[k]->size(), saved_slots[k].size());
        *slots[k] = saved_slots[k];
      }
    }
    o2->set_iterations(saved_iterations);
    for (long s = kSplit; s < kTotal; ++s) {
      set_grads(resumed, s);
      o2->step(ptrs(resumed));
    }
    EXPECT_EQ(o2->iterations(), kTotal);
    for (size_t i = 0; i < ref.size(); ++i) EXPECT_TRUE(bit_equal(ref[i].value.data, resumed[i].value.data)) << i;
    auto sa = oref->slots(ptrs(ref)), sb = o2->slots(ptrs(resumed));
    for (size_t k = 0; k < sa.size(); ++k) EXPECT_TRUE(bit_equal(*sa[k], *sb[k])) << "slot " << k;

    // The check can fail: forgetting the iteration count changes the result
    // whenever the rule depends on it (decay, Adam's bias correction).
    if (spec.decay > 0 || spec.kind == "adam") {
      auto wrong = make_params<T>();
      for (size_t i = 0; i < run.size(); ++i) wrong[i].value.data = run[i].value.data;
      auto o3 = make_optimizer<T>(spec);
      auto slots = o3->slots(ptrs(wrong));
      for (size_t k = 0; k < slots.size(); ++k) *slots[k] = saved_slots[k];
      for (long s = kSplit; s < kTotal; ++s) {
        set_grads(wrong, s);
        o3->step(ptrs(wrong));
      }
      EXPECT_FALSE(bit_equal(ref[0].value.data, wrong[0].value.data));
    }
  }
}

TEST(NnOptim, FrozenParametersAreNotUpdated) {
  auto ps = make_params<double>();
  const auto before = ps[1].value.data;
  OptimizerSpec s;
  auto opt = make_optimizer<double>(s);
  set_grads(ps, 0);
  opt->step(ptrs(ps));
  EXPECT_EQ(ps[1].value.data, before);
  EXPECT_NE(ps[0].value.data, make_params<double>()[0].value.data);
}

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

TEST(NnOptim, SpecErrorsNameTheProblem) {
  OptimizerSpec s;
  s.kind = "adagrad";
  std::string m = error_of([&] { make_optimizer<float>(s); });
  EXPECT_NE(m.find("adagrad"), std::string::npos) << m;
  EXPECT_NE(m.find("sgd, adam, rmsprop"), std::string::npos) << m;
  s = OptimizerSpec{};
  s.clipnorm = 1.0;
  s.global_clipnorm = 1.0;
  m = error_of([&] { make_optimizer<float>(s); });
  EXPECT_NE(m.find("not both"), std::string::npos) << m;
  s = OptimizerSpec{};
  s.learning_rate = -0.1;
  m = error_of([&] { make_optimizer<float>(s); });
  EXPECT_NE(m.find("learning_rate"), std::string::npos) << m;
  s = OptimizerSpec{};
  s.momentum = 0.9;
  m = error_of([&] { make_optimizer<float>(s); });
  EXPECT_NE(m.find("sgd only"), std::string::npos) << m;
  s = OptimizerSpec{};
  s.kind = "SGD";  // case-insensitive
  EXPECT_NO_THROW(make_optimizer<float>(s));
}

TEST(NnOptim, ChangingTheParameterListIsAnError) {
  auto ps = make_params<float>();
  auto opt = make_optimizer<float>(OptimizerSpec{});
  set_grads(ps, 0);
  opt->step(ptrs(ps));
  auto fewer = ptrs(ps);
  fewer.pop_back();
  std::string m = error_of([&] { opt->step(fewer); });
  EXPECT_NE(m.find("parameter list"), std::string::npos) << m;
  ps[2].value.resize({3});
  ps[2].grad.resize({3});
  m = error_of([&] { opt->step(ptrs(ps)); });
  EXPECT_NE(m.find("p2"), std::string::npos) << m;
}

}  // namespace
}  // namespace earshot::nn
