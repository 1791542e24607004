#include "earshot/deploy/graph.h"

#include <cmath>
#include <limits>

#include "earshot/error.h"
#include "op_kind.h"

namespace earshot::deploy {

const char* dtype_name(DType t) {
  switch (t) {
    case DType::kFloat32: return "float32";
    case DType::kInt8: return "int8";
    case DType::kInt16: return "int16";
    case DType::kInt32: return "int32";
    case DType::kInt64: return "int64";
  }
  return "?";
}

size_t dtype_size(DType t) {
  switch (t) {
    case DType::kFloat32: return 4;
    case DType::kInt8: return 1;
    case DType::kInt16: return 2;
    case DType::kInt32: return 4;
    case DType::kInt64: return 8;
  }
  return 0;
}

bool is_quantized_activation(DType t) { return t == DType::kInt8 || t == DType::kInt16; }

size_t TensorInfo::elements() const {
  size_t n = 1;
  for (int32_t d : shape) n *= d > 0 ? static_cast<size_t>(d) : 0;
  return n;
}

int32_t conv_out_size(int32_t in, int32_t k, int32_t stride, int32_t dilation, Padding p) {
  int32_t out = 0;
  return rt::ok(rt::compute_out_size(p, in, k, stride, dilation, &out)) ? out : 0;
}

bool Graph::quantized() const {
  for (const TensorInfo& t : tensors) {
    if (is_quantized_activation(t.type) && !t.is_constant()) return true;
  }
  return false;
}

std::vector<int32_t> Graph::state_tensors() const {
  std::vector<int32_t> s;
  for (size_t i = 0; i < tensors.size(); ++i) {
    if (tensors[i].state) s.push_back(static_cast<int32_t>(i));
  }
  return s;
}

namespace {

class Checker {
 public:
  Checker(const Graph& g, const std::string& where) : g_(g), where_(where) {}

  [[noreturn]] void fail(const std::string& what) const { throw Error(where_ + ": " + ctx_ + what); }
  void check(bool ok, const std::string& what) const {
    if (!ok) fail(what);
  }
  void set_context(const std::string& c) { ctx_ = c; }
  const std::string& prefix() { return full_ = where_ + ": " + ctx_; }

  const TensorInfo& tensor(int32_t index, const std::string& role) const {
    check(index >= 0 && static_cast<size_t>(index) < g_.tensors.size(),
          role + " tensor index " + std::to_string(index) + " is out of range (the graph has " +
              std::to_string(g_.tensors.size()) + " tensors)");
    return g_.tensors[static_cast<size_t>(index)];
  }

  void check_tensor(const TensorInfo& t, size_t index) const {
    const std::string name = "tensor " + std::to_string(index) + " '" + t.name + "'";
    check(!t.shape.empty() && t.shape.size() <= 6,
          name + " has rank " + std::to_string(t.shape.size()) + " (1..6 supported)");
    size_t n = 1;
    for (int32_t d : t.shape) {
      check(d > 0 && d <= (1 << 24), name + " has a bad dimension in shape " + shape_str(t.shape));
      n *= static_cast<size_t>(d);
      check(n <= (size_t{1} << 28), name + " is too large " + shape_str(t.shape));
    }
    if (t.is_constant()) {
      check(t.data.size() == t.bytes(), name + " holds " + std::to_string(t.data.size()) + " bytes; shape " +
                                            shape_str(t.shape) + " of " + dtype_name(t.type) + " needs " +
                                            std::to_string(t.bytes()));
      check(!t.state, name + " is a constant and cannot be state");
    }
    if (t.type == DType::kFloat32) return;
    check(!t.scale.empty(), name + " is " + dtype_name(t.type) + " but has no quantization scale");
    check(t.scale.size() == t.zero_point.size(), name + ": " + std::to_string(t.scale.size()) + " scales but " +
                                                     std::to_string(t.zero_point.size()) + " zero points");
    for (float s : t.scale) check(std::isfinite(s) && s > 0.0f, name + " has a scale that is not a positive number");
    for (int64_t z : t.zero_point) {
      int64_t lo = std::numeric_limits<int32_t>::min(), hi = std::numeric_limits<int32_t>::max();
      if (t.type == DType::kInt8) lo = -128, hi = 127;
      if (t.type == DType::kInt16) lo = hi = 0;  // TFLite's 16x8 scheme: symmetric
      check(z >= lo && z <= hi, name + " has zero point " + std::to_string(z) + " outside its type's range");
    }
    if (t.scale.size() > 1) {
      check(t.quantized_dimension >= 0 && static_cast<size_t>(t.quantized_dimension) < t.shape.size() &&
                t.shape[static_cast<size_t>(t.quantized_dimension)] == static_cast<int32_t>(t.scale.size()),
            name + " has " + std::to_string(t.scale.size()) + " scales that do not match dimension " +
                std::to_string(t.quantized_dimension) + " of " + shape_str(t.shape));
    }
  }

 private:
  const Graph& g_;
  std::string where_;
  std::string ctx_, full_;
};

std::string type_list(const std::vector<DType>& types) {
  std::string s;
  for (DType t : types) s += (s.empty() ? "" : ", ") + std::string(dtype_name(t));
  return s;
}

}  // namespace

void Graph::validate(const std::string& where) const {
  Checker c(*this, where);
  c.check(!ops.empty(), "the graph has no operators");
  c.check(!inputs.empty() && !outputs.empty(), "the graph needs at least one input and one output");
  c.check(output_names.empty() || output_names.size() == outputs.size(), "output names do not match the outputs");
  for (size_t i = 0; i < tensors.size(); ++i) c.check_tensor(tensors[i], i);

  // Every activation is written once, by a graph input or an earlier op.
  // State holds the previous invocation's value until an op writes it.
  std::vector<char> ready(tensors.size(), 0), written(tensors.size(), 0);
  for (size_t i = 0; i < tensors.size(); ++i) ready[i] = tensors[i].is_constant() || tensors[i].state;
  for (int32_t in : inputs) {
    const TensorInfo& t = c.tensor(in, "graph input");
    c.check(!t.is_constant(), "graph input '" + t.name + "' is a constant");
    c.check(!t.state, "graph input '" + t.name + "' is state (state lives in the model)");
    ready[static_cast<size_t>(in)] = 1;
    written[static_cast<size_t>(in)] = 1;
  }

  for (size_t k = 0; k < ops.size(); ++k) {
    const Op& op = ops[k];
    c.check(static_cast<size_t>(op.kind) < kOpKindCount, "op " + std::to_string(k) + " has an unknown kind");
    const OpKindInfo& info = op_kind(op.kind);
    c.set_context("op " + std::to_string(k) + " (" + info.name + "): ");
    c.check(op.inputs.size() == info.inputs.size(),
            std::to_string(op.inputs.size()) + " inputs, expected " + std::to_string(info.inputs.size()));
    c.check(op.outputs.size() == info.outputs.size(),
            std::to_string(op.outputs.size()) + " outputs, expected " + std::to_string(info.outputs.size()));
    for (size_t j = 0; j < op.inputs.size(); ++j) {
      const Operand& role = info.inputs[j];
      if (op.inputs[j] == -1) {
        c.check(role.optional, std::string("its ") + role.role + " (input " + std::to_string(j) + ") is missing");
        continue;
      }
      const TensorInfo& t = c.tensor(op.inputs[j], role.role);
      c.check(ready[static_cast<size_t>(op.inputs[j])] != 0, "reads '" + t.name + "' before anything writes it");
      if (role.constant) {
        c.check(t.is_constant(), std::string(role.role) + " '" + t.name + "' must be a constant");
      } else {
        c.check(!t.is_constant(), "its data input '" + t.name + "' is a constant");
      }
    }
    for (int32_t o : op.outputs) {
      const TensorInfo& y = c.tensor(o, "output");
      c.check(!y.is_constant(), "writes the constant '" + y.name + "'");
      c.check(written[static_cast<size_t>(o)] == 0, "writes '" + y.name + "', which is already written");
      ready[static_cast<size_t>(o)] = 1;
      written[static_cast<size_t>(o)] = 1;
    }

    const TensorInfo& x = c.tensor(op.inputs[0], "input");
    const TensorInfo& y = c.tensor(op.outputs[0], "output");
    if (!info.converts_type) {
      c.check(x.type == y.type, std::string("input is ") + dtype_name(x.type) + " and output " + dtype_name(y.type));
      bool known = false;
      for (DType t : info.types) known = known || t == x.type;
      c.check(known, std::string("runs on ") + type_list(info.types) + ", not " + dtype_name(x.type));
      c.check(y.scale.size() <= 1 && x.scale.size() <= 1, "activations must be quantized per tensor");
    }
    if (info.check != nullptr) {
      OpCheck oc(*this, op, c.prefix());
      info.check(oc);
    }
  }
  c.set_context("");
  for (int32_t out : outputs) {
    const TensorInfo& t = c.tensor(out, "graph output");
    c.check(ready[static_cast<size_t>(out)] != 0, "graph output '" + t.name + "' is never written");
  }
}

}  // namespace earshot::deploy
