// nn::Model -> float Graph of TFLite operators. Walks the model's trunk and
// heads; each layer's kind (nn/kinds.h) appends its own ops through Lowering.
#include <cstring>

#include "earshot/deploy/convert.h"
#include "earshot/deploy/lowering.h"
#include "earshot/error.h"
#include "earshot/nn/kinds.h"
#include "earshot/nn/layers.h"
#include "earshot/deploy/recurrent.h"

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

// ---- Recurrent models: a step graph and a head graph (recurrent.h) ----

namespace {

bool is_recurrent_layer(nn::Layer<float>& l) { return dynamic_cast<nn::Recurrent<float>*>(&l) != nullptr; }

}  // namespace

bool is_recurrent(nn::Model<float>& model) { return !model.trunk().empty() && is_recurrent_layer(*model.trunk()[0]); }

namespace {

// Columns [gate * units, (gate + 1) * units) of a [rows, k * units] matrix,
// transposed to TFLite's [units, rows].
std::vector<float> gate_weights(const nn::Tensor<float>& m, size_t gate, size_t units) {
  const size_t rows = m.shape[0], cols = m.shape[1];
  std::vector<float> w(units * rows);
  for (size_t r = 0; r < rows; ++r) {
    for (size_t u = 0; u < units; ++u) w[u * rows + r] = m.data[r * cols + gate * units + u];
  }
  return w;
}

// The float step graph of a SimpleRNN or GRU layer, its tensors named as
// recurrent_runtime() finds them: x, h, then per gate g "g/x", "g/h", "g/pre".
void lower_step(Lowering& lw, nn::Recurrent<float>& layer, int32_t depth, RecurrentGraphs& out) {
  using Cell = nn::Recurrent<float>::Cell;
  const auto units = static_cast<int32_t>(layer.units());
  const size_t u = layer.units();
  Graph& g = lw.graph();
  const int32_t x = lw.add_tensor("x", {1, depth});
  const int32_t h = lw.add_tensor("h", {1, units});
  g.inputs = {x, h};
  const auto& kernel = lw.param(layer, "kernel").value;
  const auto& rec = lw.param(layer, "recurrent_kernel").value;
  const size_t k = layer.gates();
  // Bias rows: input side [k * u]; GRU reset_after has a recurrent row too.
  std::vector<float> b_in(k * u, 0.0f), b_rec(k * u, 0.0f);
  if (layer.use_bias()) {
    const auto& b = lw.param(layer, "bias").value.data;
    std::copy(b.begin(), b.begin() + static_cast<long>(k * u), b_in.begin());
    if (b.size() == 2 * k * u) std::copy(b.begin() + static_cast<long>(k * u), b.end(), b_rec.begin());
  }
  auto slice = [&](const std::vector<float>& v, size_t gate) {
    return std::vector<float>(v.begin() + static_cast<long>(gate * u), v.begin() + static_cast<long>((gate + 1) * u));
  };
  auto dense = [&](int32_t in, const std::vector<float>& w, const std::vector<float>* bias, const std::string& name) {
    const int32_t in_depth = lw.tensor(in).shape.back();
    Op op;
    op.kind = OpKind::kFullyConnected;
    op.inputs = {in, lw.add_constant(name + "/weights", {units, in_depth}, w),
                 bias != nullptr ? lw.add_constant(name + "/bias", {units}, *bias) : -1};
    return lw.add_op(op, name, {1, units});
  };
  auto binary = [&](OpKind kind, int32_t a, int32_t b, const std::string& name) {
    Op op;
    op.kind = kind;
    op.inputs = {a, b};
    return lw.add_op(op, name, {1, units});
  };
  auto unary = [&](OpKind kind, int32_t a, const std::string& name) {
    Op op;
    op.kind = kind;
    op.inputs = {a};
    return lw.add_op(op, name, {1, units});
  };
  if (layer.cell() == Cell::kSimple) {
    const std::vector<float> b = slice(b_in, 0);
    const int32_t pre = binary(OpKind::kAdd, dense(x, gate_weights(kernel, 0, u), &b, "xw"),
                               dense(h, gate_weights(rec, 0, u), nullptr, "hu"), "pre");
    g.outputs = {unary(OpKind::kTanh, pre, "h_out")};
  } else {
    // Gate order z, r, n (Keras). z and r: both biases on the x side.
    auto gate = [&](size_t i, const std::string& name) {
      std::vector<float> b = slice(b_in, i);
      const std::vector<float> br = slice(b_rec, i);
      for (size_t j = 0; j < u; ++j) b[j] += br[j];
      const int32_t pre = binary(OpKind::kAdd, dense(x, gate_weights(kernel, i, u), &b, name + "/x"),
                                 dense(h, gate_weights(rec, i, u), nullptr, name + "/h"), name + "/pre");
      return unary(OpKind::kLogistic, pre, name);
    };
    const int32_t z = gate(0, "z");
    const int32_t r = gate(1, "r");
    const std::vector<float> bn = slice(b_in, 2), brn = slice(b_rec, 2);
    int32_t second;
    if (layer.reset_after()) {
      second = binary(OpKind::kMul, r, dense(h, gate_weights(rec, 2, u), &brn, "n/h"), "n/reset");
    } else {
      second = dense(binary(OpKind::kMul, r, h, "n/reset"), gate_weights(rec, 2, u), nullptr, "n/h");
    }
    const int32_t n = unary(
        OpKind::kTanh, binary(OpKind::kAdd, dense(x, gate_weights(kernel, 2, u), &bn, "n/x"), second, "n/pre"), "n");
    const int32_t diff = binary(OpKind::kSub, h, n, "h-n");
    const int32_t keep = binary(OpKind::kMul, z, diff, "z*(h-n)");
    g.outputs = {binary(OpKind::kAdd, n, keep, "h_out")};
  }
  g.output_names = {"h"};
  out.cell = layer.cell() == Cell::kSimple ? rt::RecurrentCell::kSimpleRnn : rt::RecurrentCell::kGru;
  out.reset_after = layer.reset_after();
}

}  // namespace

RecurrentGraphs lower_recurrent(nn::Model<float>& model, const std::string& description) {
  using Cell = nn::Recurrent<float>::Cell;
  if (!is_recurrent(model)) throw Error("export: the model's first layer is not recurrent");
  auto& layer = static_cast<nn::Recurrent<float>&>(*model.trunk()[0]);
  auto fail = [&](const nn::Layer<float>& l, const std::string& what) {
    throw Error("export: layer '" + l.name + "': " + what);
  };
  if (layer.cell() == Cell::kLstm) fail(layer, "lstm cannot be exported yet (simple_rnn and gru can)");
  if (layer.activation() != nn::Activation::kTanh) {
    fail(layer, std::string("activation '") + nn::activation_name(layer.activation()) +
                    "' cannot be exported (the step kernels use tanh)");
  }
  RecurrentGraphs r;
  r.units = static_cast<int32_t>(layer.units());
  const std::vector<size_t>& in = model.spec().input;
  r.steps = in.empty() ? 0 : static_cast<int32_t>(in[0]);
  r.one_hot = layer.one_hot_input() > 0;
  r.input_depth =
      r.one_hot ? static_cast<int32_t>(layer.one_hot_input()) : static_cast<int32_t>(in.size() == 2 ? in[1] : 0);
  if (r.steps <= 0 || r.input_depth <= 0) fail(layer, "needs an input of (steps, features) or (steps,) indices");

  Lowering sl(r.step);
  lower_step(sl, layer, r.input_depth, r);
  r.step.description = description + " (step)";
  r.step.validate("recurrent step graph");

  // The head: what follows the recurrent layer, from its reduced output.
  const auto& trunk = model.trunk();
  size_t next = 1;
  Lowering hl(r.head);
  Value v;
  if (layer.return_sequences()) {
    const nn::Layer<float>* f = next < trunk.size() ? trunk[next].get() : nullptr;
    if (f == nullptr || std::string(f->kind().name) != "flatten") {
      fail(layer,
           "return_sequences = true can be exported only when flatten and dense follow (the board keeps "
           "the dense layer's sums, not every step's state)");
    }
    r.reduce = rt::RecurrentReduce::kFlatten;
    ++next;
    v.keras = {r.steps * r.units};
  } else {
    r.reduce = rt::RecurrentReduce::kLastState;
    v.keras = {r.units};
  }
  v.tensor = hl.add_tensor("sequence", {1, v.keras[0]});
  r.head.inputs = {v.tensor};
  for (size_t i = next; i < trunk.size(); ++i) {
    if (is_recurrent_layer(*trunk[i])) fail(*trunk[i], "a second recurrent layer cannot be exported yet");
    apply(hl, *trunk[i], v);
  }
  const Value shared = v;
  for (size_t h = 0; h < model.head_count(); ++h) {
    const std::string& name = model.spec().heads[h].name;
    hl.end_fusion();
    Value hv = shared;
    for (auto& l : model.head(h)) apply(hl, *l, hv);
    const std::vector<int32_t> out_shape = batch_of_one(hv.keras);
    int32_t t = hl.reshaped(hv, out_shape, name);
    if (t == shared.tensor && (model.head_count() > 1 || t == r.head.inputs[0])) t = hl.add_reshape(t, out_shape, name);
    r.head.outputs.push_back(t);
    r.head.output_names.push_back(name);
  }
  if (r.reduce == rt::RecurrentReduce::kFlatten) {
    const bool dense_first = !r.head.ops.empty() && r.head.ops[0].kind == OpKind::kFullyConnected &&
                             r.head.ops[0].inputs[0] == r.head.inputs[0];
    if (!dense_first) fail(layer, "return_sequences -> flatten must be followed by dense to be exported");
  }
  r.head.description = description + " (head)";
  r.head.validate("recurrent head graph");
  return r;
}

}  // namespace earshot::deploy
