// Optimizers with the Keras 2 update rules (standalone Keras 2.x
// keras/optimizers.py and tf.keras optimizer_v2 agree on these):
//
//   lr_t = lr * (1 / (1 + decay * iterations))        iterations = steps done before this one
//   SGD:     v = momentum * v - lr_t * g
//            nesterov: p = p + momentum * v - lr_t * g;   else p = p + v
//   Adam:    t = iterations + 1
//            a_t = lr_t * sqrt(1 - beta_2^t) / (1 - beta_1^t)
//            m = beta_1 * m + (1 - beta_1) * g;   v = beta_2 * v + (1 - beta_2) * g^2
//            p = p - a_t * m / (sqrt(v) + epsilon)
//            Epsilon is Keras' "epsilon hat": added to sqrt(v) of the *uncorrected*
//            v. torch.optim.Adam adds eps to sqrt(v / (1 - beta_2^t)) instead, so
//            Keras(eps) == torch(eps_t) with eps_t = eps / sqrt(1 - beta_2^t)
//            (time-varying; the golden script sets it per step).
//   RMSprop: a = rho * a + (1 - rho) * g^2;  p = p - lr_t * g / (sqrt(a) + epsilon)
//            (= torch.optim.RMSprop with alpha = rho; tf.keras' fused kernel used
//            with momentum puts epsilon inside the sqrt, we do not).
//
// Gradient clipping, in tf.keras' order (optimizer_v2 _transform_gradients):
// clipvalue (element-wise), then clipnorm (each parameter's gradient scaled by
// c / ||g|| when ||g|| > c), then global_clipnorm (all gradients scaled by
// c / ||all|| when ||all|| > c). Keras refuses clipnorm together with
// global_clipnorm; so do we. step() applies the clipping to Param::grad in
// place, so callers do not call clip_gradients() themselves.
//
// Parameters with trainable == false are neither clipped nor updated, and do
// not count in the global norm.
//
// State ("slots") exists for every parameter in the list given to step(),
// trainable or not, positionally: slots() returns, per parameter in order,
// SGD [velocity], Adam [m, v], RMSprop [accumulator]. Restoring = fresh
// optimizer from the same spec, copy the vectors into slots(params), then
// set_iterations(n); the continuation is bit-identical.
// Scalars (lr_t, bias corrections) are computed in double then rounded to T;
// element arithmetic is in T, in a fixed order (deterministic). For float the
// element loops are the kernels of kernels.h (vectorised; with AVX2+FMA the
// multiply-adds are fused, so that path rounds differently).
#include "earshot/nn/optimizer.h"

#include <cmath>
#include <string>
#include <type_traits>

#include "earshot/error.h"
#include "kernels.h"

namespace earshot::nn {

namespace {

std::string lower_ascii(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string num(double v) {
  std::string s = std::to_string(v);
  return s;
}

void check_spec(const OptimizerSpec& s, const std::string& kind) {
  const std::string where = "optimizer " + kind + ": ";
  if (!(s.learning_rate > 0.0) || !std::isfinite(s.learning_rate))
    throw Error(where + "learning_rate must be a positive number, got " + num(s.learning_rate));
  if (!(s.decay >= 0.0) || !std::isfinite(s.decay)) throw Error(where + "decay must be >= 0, got " + num(s.decay));
  if (!(s.clipvalue >= 0.0) || !(s.clipnorm >= 0.0) || !(s.global_clipnorm >= 0.0))
    throw Error(where + "clipvalue, clipnorm and global_clipnorm must be >= 0 (0 = off)");
  if (s.clipnorm > 0.0 && s.global_clipnorm > 0.0)
    throw Error(where + "set clipnorm or global_clipnorm, not both (as in Keras)");
  if (kind == "sgd") {
    if (!(s.momentum >= 0.0 && s.momentum <= 1.0))
      throw Error(where + "momentum must be in [0, 1], got " + num(s.momentum));
  } else {
    if (s.momentum != 0.0 || s.nesterov) throw Error(where + "momentum and nesterov apply to sgd only");
    if (!(s.epsilon > 0.0) || !std::isfinite(s.epsilon))
      throw Error(where + "epsilon must be > 0, got " + num(s.epsilon));
  }
  if (kind == "adam") {
    if (!(s.beta_1 >= 0.0 && s.beta_1 < 1.0)) throw Error(where + "beta_1 must be in [0, 1), got " + num(s.beta_1));
    if (!(s.beta_2 >= 0.0 && s.beta_2 < 1.0)) throw Error(where + "beta_2 must be in [0, 1), got " + num(s.beta_2));
  }
  if (kind == "rmsprop" && !(s.rho >= 0.0 && s.rho < 1.0))
    throw Error(where + "rho must be in [0, 1), got " + num(s.rho));
}

template <typename T>
class KerasOptimizer : public Optimizer<T> {
 public:
  KerasOptimizer(const OptimizerSpec& spec, size_t slots_per_param) : spec_(spec), per_param_(slots_per_param) {}

  void step(const std::vector<Param<T>*>& params) override {
    check(params);
    clip_gradients<T>(spec_, params);
    start();
    update_part(params, 0, 1);
    ++this->iterations_;
  }

  bool clips() const override { return spec_.clipvalue > 0.0 || spec_.clipnorm > 0.0 || spec_.global_clipnorm > 0.0; }

  void begin_parts(const std::vector<Param<T>*>& params) override {
    if (clips()) throw Error("optimizer: a step with clipping cannot be split into parts");
    check(params);
    start();
  }

  void update_part(const std::vector<Param<T>*>& params, size_t part, size_t parts) override {
    for (size_t i = 0; i < params.size(); ++i) {
      Param<T>& p = *params[i];
      if (!p.trainable) continue;
      const size_t n = p.value.data.size(), lo = n * part / parts, hi = n * (part + 1) / parts;
      update(p.value.data.data() + lo, p.grad.data.data() + lo, hi - lo, &state_[i * per_param_], lo);
    }
  }

  std::vector<std::vector<T>*> slots(const std::vector<Param<T>*>& params) override {
    ensure_state(params);
    std::vector<std::vector<T>*> out;
    out.reserve(state_.size());
    for (auto& s : state_) out.push_back(&s);
    return out;
  }

 protected:
  virtual void begin_step(double lr_t) = 0;
  // Elements [offset, offset + n) of one parameter: p and g point at the
  // first of them, the slots are the parameter's whole vectors.
  virtual void update(T* p, const T* g, size_t n, std::vector<T>* slots, size_t offset) = 0;

  OptimizerSpec spec_;

 private:
  void check(const std::vector<Param<T>*>& params) {
    ensure_state(params);
    for (size_t i = 0; i < params.size(); ++i) {
      const Param<T>& p = *params[i];
      if (p.trainable && p.grad.data.size() != p.value.data.size())
        throw Error("optimizer: parameter " + std::to_string(i) + " (" + p.name + ") has " +
                    std::to_string(p.value.data.size()) + " values but " + std::to_string(p.grad.data.size()) +
                    " gradients");
    }
  }
  void start() {
    begin_step(spec_.learning_rate * (1.0 / (1.0 + spec_.decay * static_cast<double>(this->iterations_))));
  }

  void ensure_state(const std::vector<Param<T>*>& params) {
    if (state_.empty() && !params.empty()) {
      state_.resize(params.size() * per_param_);
      for (size_t i = 0; i < params.size(); ++i)
        for (size_t s = 0; s < per_param_; ++s) state_[i * per_param_ + s].assign(params[i]->value.data.size(), T(0));
      return;
    }
    if (state_.size() != params.size() * per_param_)
      throw Error("optimizer: it holds state for " + std::to_string(state_.size() / per_param_) +
                  " parameters but was given " + std::to_string(params.size()) +
                  "; the parameter list must stay the same between steps");
    for (size_t i = 0; i < params.size(); ++i)
      for (size_t s = 0; s < per_param_; ++s)
        if (state_[i * per_param_ + s].size() != params[i]->value.data.size())
          throw Error("optimizer: parameter " + std::to_string(i) + " (" + params[i]->name + ") has " +
                      std::to_string(params[i]->value.data.size()) + " values but its optimizer state has " +
                      std::to_string(state_[i * per_param_ + s].size()) +
                      "; the parameter list must stay the same between steps");
  }

  size_t per_param_;
  std::vector<std::vector<T>> state_;  // [param * per_param_ + slot]
};

template <typename T>
class Sgd final : public KerasOptimizer<T> {
 public:
  explicit Sgd(const OptimizerSpec& s) : KerasOptimizer<T>(s, 1) {}

 protected:
  void begin_step(double lr_t) override {
    lr_ = T(lr_t);
    mom_ = T(this->spec_.momentum);
  }
  void update(T* p, const T* g, size_t n, std::vector<T>* slots, size_t offset) override {
    T* v = slots[0].data() + offset;
    if constexpr (std::is_same_v<T, float>) {  // same formulas, one fused vector pass (kernels.h)
      kern::active().sgd(p, g, v, n, lr_, mom_, this->spec_.nesterov);
      return;
    }
    if (this->spec_.nesterov) {
      for (size_t i = 0; i < n; ++i) {
        v[i] = mom_ * v[i] - lr_ * g[i];
        p[i] = p[i] + mom_ * v[i] - lr_ * g[i];
      }
    } else {
      for (size_t i = 0; i < n; ++i) {
        v[i] = mom_ * v[i] - lr_ * g[i];
        p[i] = p[i] + v[i];
      }
    }
  }

 private:
  T lr_ = T(0), mom_ = T(0);
};

template <typename T>
class Adam final : public KerasOptimizer<T> {
 public:
  explicit Adam(const OptimizerSpec& s) : KerasOptimizer<T>(s, 2) {}

 protected:
  void begin_step(double lr_t) override {
    const double t = static_cast<double>(this->iterations_ + 1);
    const OptimizerSpec& s = this->spec_;
    a_ = T(lr_t * (std::sqrt(1.0 - std::pow(s.beta_2, t)) / (1.0 - std::pow(s.beta_1, t))));
    b1_ = T(s.beta_1);
    b2_ = T(s.beta_2);
    eps_ = T(s.epsilon);
  }
  void update(T* p, const T* g, size_t n, std::vector<T>* slots, size_t offset) override {
    T* m = slots[0].data() + offset;
    T* v = slots[1].data() + offset;
    if constexpr (std::is_same_v<T, float>) {
      kern::active().adam(p, g, m, v, n, a_, b1_, b2_, eps_);
      return;
    }
    const T c1 = T(1) - b1_, c2 = T(1) - b2_;
    for (size_t i = 0; i < n; ++i) {
      m[i] = b1_ * m[i] + c1 * g[i];
      v[i] = b2_ * v[i] + c2 * (g[i] * g[i]);
      p[i] = p[i] - a_ * m[i] / (std::sqrt(v[i]) + eps_);
    }
  }

 private:
  T a_ = T(0), b1_ = T(0), b2_ = T(0), eps_ = T(0);
};

template <typename T>
class RmsProp final : public KerasOptimizer<T> {
 public:
  explicit RmsProp(const OptimizerSpec& s) : KerasOptimizer<T>(s, 1) {}

 protected:
  void begin_step(double lr_t) override {
    lr_ = T(lr_t);
    rho_ = T(this->spec_.rho);
    eps_ = T(this->spec_.epsilon);
  }
  void update(T* p, const T* g, size_t n, std::vector<T>* slots, size_t offset) override {
    T* a = slots[0].data() + offset;
    if constexpr (std::is_same_v<T, float>) {
      kern::active().rmsprop(p, g, a, n, lr_, rho_, eps_);
      return;
    }
    const T c = T(1) - rho_;
    for (size_t i = 0; i < n; ++i) {
      a[i] = rho_ * a[i] + c * (g[i] * g[i]);
      p[i] = p[i] - lr_ * g[i] / (std::sqrt(a[i]) + eps_);
    }
  }

 private:
  T lr_ = T(0), rho_ = T(0), eps_ = T(0);
};

}  // namespace

template <typename T>
std::unique_ptr<Optimizer<T>> make_optimizer(const OptimizerSpec& spec) {
  const std::string kind = lower_ascii(spec.kind);
  if (kind != "sgd" && kind != "adam" && kind != "rmsprop")
    throw Error("unknown optimizer '" + spec.kind + "'; known optimizers: sgd, adam, rmsprop");
  check_spec(spec, kind);
  if (kind == "sgd") return std::make_unique<Sgd<T>>(spec);
  if (kind == "adam") return std::make_unique<Adam<T>>(spec);
  return std::make_unique<RmsProp<T>>(spec);
}

template <typename T>
void clip_gradients(const OptimizerSpec& spec, const std::vector<Param<T>*>& params) {
  if (spec.clipvalue > 0.0) {
    const T c = T(spec.clipvalue);
    for (Param<T>* p : params) {
      if (!p->trainable) continue;
      for (T& g : p->grad.data) g = std::min(std::max(g, -c), c);
    }
  }
  if (spec.clipnorm > 0.0) {
    for (Param<T>* p : params) {
      if (!p->trainable) continue;
      double ss = 0.0;
      for (T g : p->grad.data) ss += static_cast<double>(g) * static_cast<double>(g);
      const double norm = std::sqrt(ss);
      if (norm > spec.clipnorm) {
        const T s = T(spec.clipnorm / norm);
        for (T& g : p->grad.data) g *= s;
      }
    }
  }
  if (spec.global_clipnorm > 0.0) {
    double ss = 0.0;
    for (Param<T>* p : params) {
      if (!p->trainable) continue;
      for (T g : p->grad.data) ss += static_cast<double>(g) * static_cast<double>(g);
    }
    const double norm = std::sqrt(ss);
    if (norm > spec.global_clipnorm) {
      const T s = T(spec.global_clipnorm / norm);
      for (Param<T>* p : params) {
        if (!p->trainable) continue;
        for (T& g : p->grad.data) g *= s;
      }
    }
  }
}

template std::unique_ptr<Optimizer<float>> make_optimizer<float>(const OptimizerSpec&);
template std::unique_ptr<Optimizer<double>> make_optimizer<double>(const OptimizerSpec&);
template void clip_gradients<float>(const OptimizerSpec&, const std::vector<Param<float>*>&);
template void clip_gradients<double>(const OptimizerSpec&, const std::vector<Param<double>*>&);

}  // namespace earshot::nn
