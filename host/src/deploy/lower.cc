// nn::Model -> float Graph of TFLite operators. Walks the model's trunk and
// heads; each layer's kind (nn/kinds.h) appends its own ops through Lowering.
#include <cstring>

#include "earshot/deploy/convert.h"
#include "earshot/deploy/lowering.h"
#include "earshot/error.h"
#include "earshot/nn/kinds.h"

namespace earshot::deploy {

void Lowering::fail(const std::string& layer, const std::string& what) const {
  throw Error("export: layer '" + layer + "': " + what);
}

int32_t Lowering::add_tensor(const std::string& name, std::vector<int32_t> shape, std::vector<uint8_t> data) {
  TensorInfo t;
  t.name = name;
  t.shape = std::move(shape);
  t.data = std::move(data);
  g_.tensors.push_back(std::move(t));
  return static_cast<int32_t>(g_.tensors.size() - 1);
}

int32_t Lowering::add_constant(const std::string& name, std::vector<int32_t> shape, const std::vector<float>& values) {
  std::vector<uint8_t> b(values.size() * sizeof(float));
  if (!values.empty()) std::memcpy(b.data(), values.data(), b.size());
  return add_tensor(name, std::move(shape), std::move(b));
}

int32_t Lowering::add_op(Op op, const std::string& out_name, std::vector<int32_t> out_shape, bool fusable) {
  const int32_t out = add_tensor(out_name, std::move(out_shape));
  op.outputs = {out};
  g_.ops.push_back(std::move(op));
  fusable_ = fusable ? static_cast<int32_t>(g_.ops.size() - 1) : -1;
  return out;
}

int32_t Lowering::add_reshape(int32_t tensor, const std::vector<int32_t>& shape, const std::string& name) {
  Op op;
  op.kind = OpKind::kReshape;
  op.inputs = {tensor};
  return add_op(op, name + "/reshape", shape);
}

int32_t Lowering::reshaped(const Value& v, const std::vector<int32_t>& shape, const std::string& name) {
  if (tensor(v.tensor).shape == shape) return v.tensor;
  return add_reshape(v.tensor, shape, name);
}

Op* Lowering::fusable_producer(int32_t t) {
  if (fusable_ < 0) return nullptr;
  Op& op = g_.ops[static_cast<size_t>(fusable_)];
  return op.outputs[0] == t ? &op : nullptr;
}

void Lowering::activate(nn::Activation act, Value& v, const std::string& name, double temperature) {
  Op op;
  switch (act) {
    case nn::Activation::kLinear: return;
    case nn::Activation::kRelu:
      if (Op* p = fusable_producer(v.tensor); p != nullptr && p->fused == rt::Activation::kNone) {
        p->fused = rt::Activation::kRelu;
        tensor(v.tensor).name += "/relu";
        fusable_ = -1;
        return;
      }
      op.kind = OpKind::kRelu;
      break;
    case nn::Activation::kSigmoid: op.kind = OpKind::kLogistic; break;
    case nn::Activation::kTanh: op.kind = OpKind::kTanh; break;
    case nn::Activation::kSoftmax:
      op.kind = OpKind::kSoftmax;
      op.beta = static_cast<float>(1.0 / temperature);
      break;
  }
  op.inputs = {v.tensor};
  const std::vector<int32_t> shape = tensor(v.tensor).shape;
  v.tensor = add_op(op, name + "/" + nn::activation_name(act), shape);
}

const nn::Param<float>& Lowering::param(nn::Layer<float>& layer, const char* name) const {
  for (const nn::Param<float>* p : layer.params()) {
    if (p->name == name) return *p;
  }
  fail(layer.name, std::string("has no parameter '") + name + "'");
}

int32_t Lowering::bias_tensor(nn::Layer<float>& layer, bool use_bias, size_t n) {
  std::vector<float> b(n, 0.0f);
  if (use_bias) {
    const auto& p = param(layer, "bias").value;
    b.assign(p.data.begin(), p.data.end());
  }
  return add_constant(layer.name + "/bias", {static_cast<int32_t>(n)}, b);
}

namespace {

void apply(Lowering& lw, nn::Layer<float>& layer, Value& v) {
  const nn::LayerKind& kind = layer.kind();
  if (kind.lower == nullptr) lw.fail(layer.name, std::string("layer type '") + kind.name + "' cannot be exported");
  kind.lower(lw, layer, v);
}

std::vector<int32_t> batch_of_one(const std::vector<int32_t>& keras) {
  std::vector<int32_t> shape = {1};
  shape.insert(shape.end(), keras.begin(), keras.end());
  return shape;
}

}  // namespace

Graph lower(nn::Model<float>& model, const std::string& description) {
  Graph g;
  g.description = description;
  Lowering lw(g);
  Value v;
  for (size_t d : model.spec().input) v.keras.push_back(static_cast<int32_t>(d));
  v.tensor = lw.add_tensor("input", batch_of_one(v.keras));
  g.inputs.push_back(v.tensor);
  for (auto& layer : model.trunk()) apply(lw, *layer, v);

  const Value trunk = v;
  for (size_t h = 0; h < model.head_count(); ++h) {
    const std::string& name = model.spec().heads[h].name;
    lw.end_fusion();  // the trunk's last op feeds every head: never fuse into it
    Value hv = trunk;
    for (auto& layer : model.head(h)) apply(lw, *layer, hv);
    const std::vector<int32_t> out_shape = batch_of_one(hv.keras);
    int32_t t = lw.reshaped(hv, out_shape, name);
    if (t == trunk.tensor && model.head_count() > 1) t = lw.add_reshape(t, out_shape, name);
    g.outputs.push_back(t);
    g.output_names.push_back(name);
  }
  g.validate("lowered model");
  return g;
}

}  // namespace earshot::deploy
