// What a layer kind's lowering (nn::LayerKind::lower) works with: the float
// graph under construction and the value flowing through the model. lower()
// (convert.h) walks the model's trunk and heads and calls each layer's kind.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "earshot/deploy/graph.h"
#include "earshot/nn/layer.h"

namespace earshot::deploy {

// A value flowing through the model: a graph tensor plus its Keras
// per-example shape (flatten and reshape change only the latter).
struct Value {
  int32_t tensor = -1;
  std::vector<int32_t> keras;
};

class Lowering {
 public:
  explicit Lowering(Graph& g) : g_(g) {}

  Graph& graph() { return g_; }
  const TensorInfo& tensor(int32_t t) const { return g_.tensors[static_cast<size_t>(t)]; }
  TensorInfo& tensor(int32_t t) { return g_.tensors[static_cast<size_t>(t)]; }

  [[noreturn]] void fail(const std::string& layer, const std::string& what) const;

  // A float tensor; `data` non-empty makes it a constant.
  int32_t add_tensor(const std::string& name, std::vector<int32_t> shape, std::vector<uint8_t> data = {});
  int32_t add_constant(const std::string& name, std::vector<int32_t> shape, const std::vector<float>& values);
  // Appends `op` writing a new tensor `out_name` of `out_shape`; returns it.
  // With `fusable`, a following relu or batch normalisation may fold into it.
  int32_t add_op(Op op, const std::string& out_name, std::vector<int32_t> out_shape, bool fusable = false);
  int32_t add_reshape(int32_t tensor, const std::vector<int32_t>& shape, const std::string& name);
  // The value's tensor with `shape`, through a RESHAPE when it has another.
  int32_t reshaped(const Value& v, const std::vector<int32_t>& shape, const std::string& name);

  // The op that produced `tensor` when it may still take a fused activation
  // or a folded normalisation (the last op added with fusable = true, whose
  // output nothing else has read); nullptr otherwise.
  Op* fusable_producer(int32_t tensor);
  void end_fusion() { fusable_ = -1; }

  // Applies a layer activation after the op that produced v.tensor: relu is
  // fused when that op allows it; the others become operators.
  void activate(nn::Activation act, Value& v, const std::string& name, double temperature = 1.0);

  // A trained parameter of a layer ("kernel", "bias", ...); fails naming the layer.
  const nn::Param<float>& param(nn::Layer<float>& layer, const char* name) const;
  // Conv and dense always get a bias tensor (zeros without use_bias), as
  // TensorFlow's converter writes them; batch normalisation folds into it.
  int32_t bias_tensor(nn::Layer<float>& layer, bool use_bias, size_t n);

 private:
  Graph& g_;
  int32_t fusable_ = -1;  // op index
};

}  // namespace earshot::deploy
