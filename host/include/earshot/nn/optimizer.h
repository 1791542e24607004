// Optimizers with Keras defaults and update rules.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "earshot/nn/layer.h"

namespace earshot::nn {

struct OptimizerSpec {
  std::string kind = "adam";  // "sgd", "adam", "rmsprop"
  double learning_rate = 0.001;
  double momentum = 0.0;                                // sgd
  bool nesterov = false;                                // sgd
  double decay = 0.0;                                   // Keras 2 time decay: lr_t = lr / (1 + decay * iterations)
  double beta_1 = 0.9, beta_2 = 0.999, epsilon = 1e-7;  // adam (Keras defaults)
  double rho = 0.9;                                     // rmsprop
  double clipnorm = 0.0;                                // > 0: scale each parameter's gradient to this L2 norm at most
  double clipvalue = 0.0;                               // > 0: clip each gradient element to [-v, v]
  double global_clipnorm = 0.0;                         // > 0: scale all gradients together
};

template <typename T>
class Optimizer {
 public:
  virtual ~Optimizer() = default;
  // Applies one update from Param::grad (gradients are not cleared here).
  virtual void step(const std::vector<Param<T>*>& params) = 0;
  // The same step in parts that threads may run concurrently (no clipping
  // configured: clips() is false): begin_parts(params) once, then
  // update_part(params, k, parts) for every k < parts (elements
  // [n k / parts, n (k+1) / parts) of each parameter, in any order, on any
  // thread), then end_parts(). Each element gets the arithmetic step() gives it.
  virtual bool clips() const = 0;
  virtual void begin_parts(const std::vector<Param<T>*>& params) = 0;
  virtual void update_part(const std::vector<Param<T>*>& params, size_t part, size_t parts) = 0;
  void end_parts() { ++iterations_; }
  long iterations() const { return iterations_; }
  // Slots (moments, velocities) in parameter order, for checkpoints.
  virtual std::vector<std::vector<T>*> slots(const std::vector<Param<T>*>& params) = 0;
  void set_iterations(long n) { iterations_ = n; }

 protected:
  long iterations_ = 0;
};

template <typename T>
std::unique_ptr<Optimizer<T>> make_optimizer(const OptimizerSpec& spec);
// Applies clipvalue / clipnorm / global_clipnorm to Param::grad in place.
template <typename T>
void clip_gradients(const OptimizerSpec& spec, const std::vector<Param<T>*>& params);

}  // namespace earshot::nn
