#include "earshot/deploy/graph.h"

#include <cmath>
#include <limits>

#include "earshot/error.h"

namespace earshot::deploy {

const char* dtype_name(DType t) {
  switch (t) {
    case DType::kFloat32: return "float32";
    case DType::kInt8: return "int8";
    case DType::kInt32: return "int32";
  }
  return "?";
}

size_t dtype_size(DType t) {
  switch (t) {
    case DType::kFloat32: return 4;
    case DType::kInt8: return 1;
    case DType::kInt32: return 4;
  }
  return 0;
}

size_t TensorInfo::elements() const {
  size_t n = 1;
  for (int32_t d : shape) n *= d > 0 ? static_cast<size_t>(d) : 0;
  return n;
}

const char* op_name(OpKind k) {
  switch (k) {
    case OpKind::kConv2D: return "CONV_2D";
    case OpKind::kFullyConnected: return "FULLY_CONNECTED";
    case OpKind::kMaxPool2D: return "MAX_POOL_2D";
    case OpKind::kAvgPool2D: return "AVERAGE_POOL_2D";
    case OpKind::kReshape: return "RESHAPE";
    case OpKind::kSoftmax: return "SOFTMAX";
    case OpKind::kLogistic: return "LOGISTIC";
    case OpKind::kTanh: return "TANH";
    case OpKind::kRelu: return "RELU";
    case OpKind::kRelu6: return "RELU6";
    case OpKind::kQuantize: return "QUANTIZE";
    case OpKind::kDequantize: return "DEQUANTIZE";
  }
  return "?";
}

int32_t conv_out_size(int32_t in, int32_t k, int32_t stride, int32_t dilation, Padding p) {
  if (in <= 0 || k <= 0 || stride <= 0 || dilation <= 0) return 0;
  const int64_t eff = static_cast<int64_t>(k - 1) * dilation + 1;
  if (p == Padding::kSame) return static_cast<int32_t>((in + stride - 1) / stride);
  if (in < eff) return 0;
  return static_cast<int32_t>((in - eff) / stride + 1);
}

bool Graph::quantized() const {
  for (const TensorInfo& t : tensors) {
    if (t.type == DType::kInt8 && !t.is_constant()) return true;
  }
  return false;
}

namespace {

std::string shape_str(const std::vector<int32_t>& s) {
  std::string r = "[";
  for (size_t i = 0; i < s.size(); ++i) r += (i ? ", " : "") + std::to_string(s[i]);
  return r + "]";
}

class Checker {
 public:
  Checker(const Graph& g, const std::string& where) : g_(g), where_(where) {}

  [[noreturn]] void fail(const std::string& what) const { throw Error(where_ + ": " + ctx_ + what); }
  void check(bool ok, const std::string& what) const {
    if (!ok) fail(what);
  }
  void set_context(const std::string& c) { ctx_ = c; }

  const TensorInfo& tensor(int32_t index, const char* role) const {
    check(index >= 0 && static_cast<size_t>(index) < g_.tensors.size(),
          std::string(role) + " tensor index " + std::to_string(index) + " is out of range (the graph has " +
              std::to_string(g_.tensors.size()) + " tensors)");
    return g_.tensors[static_cast<size_t>(index)];
  }

  void check_tensor(const TensorInfo& t, size_t index) const {
    const std::string name = "tensor " + std::to_string(index) + " '" + t.name + "'";
    check(!t.shape.empty() && t.shape.size() <= 6, name + " has rank " + std::to_string(t.shape.size()) + " (1..6 supported)");
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
    }
    if (t.type == DType::kFloat32) return;
    check(!t.scale.empty(), name + " is " + dtype_name(t.type) + " but has no quantization scale");
    check(t.scale.size() == t.zero_point.size(), name + ": " + std::to_string(t.scale.size()) + " scales but " +
                                                     std::to_string(t.zero_point.size()) + " zero points");
    for (float s : t.scale) check(std::isfinite(s) && s > 0.0f, name + " has a scale that is not a positive number");
    for (int64_t z : t.zero_point) {
      const int64_t lo = t.type == DType::kInt8 ? -128 : std::numeric_limits<int32_t>::min();
      const int64_t hi = t.type == DType::kInt8 ? 127 : std::numeric_limits<int32_t>::max();
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
  std::string ctx_;
};

bool same_quant(const TensorInfo& a, const TensorInfo& b) {
  return a.type == b.type && a.scale == b.scale && a.zero_point == b.zero_point;
}

}  // namespace

void Graph::validate(const std::string& where) const {
  Checker c(*this, where);
  c.check(!ops.empty(), "the graph has no operators");
  c.check(!inputs.empty() && !outputs.empty(), "the graph needs at least one input and one output");
  c.check(output_names.empty() || output_names.size() == outputs.size(), "output names do not match the outputs");
  for (size_t i = 0; i < tensors.size(); ++i) c.check_tensor(tensors[i], i);

  // Every activation is written once, by a graph input or an earlier op.
  std::vector<char> ready(tensors.size(), 0);
  for (size_t i = 0; i < tensors.size(); ++i) ready[i] = tensors[i].is_constant();
  for (int32_t in : inputs) {
    const TensorInfo& t = c.tensor(in, "graph input");
    c.check(!t.is_constant(), "graph input '" + t.name + "' is a constant");
    ready[static_cast<size_t>(in)] = 1;
  }

  for (size_t k = 0; k < ops.size(); ++k) {
    const Op& op = ops[k];
    c.set_context("op " + std::to_string(k) + " (" + op_name(op.kind) + "): ");
    const bool has_weights = op.kind == OpKind::kConv2D || op.kind == OpKind::kFullyConnected;
    c.check(op.inputs.size() == (has_weights ? 3u : 1u),
            std::to_string(op.inputs.size()) + " inputs, expected " + (has_weights ? "3" : "1"));
    c.check(op.outputs.size() == 1, std::to_string(op.outputs.size()) + " outputs, expected 1");
    for (size_t j = 0; j < op.inputs.size(); ++j) {
      if (j == 2 && op.inputs[j] == -1) continue;  // optional bias
      const TensorInfo& t = c.tensor(op.inputs[j], "input");
      c.check(ready[static_cast<size_t>(op.inputs[j])] != 0, "reads '" + t.name + "' before anything writes it");
    }
    const TensorInfo& x = c.tensor(op.inputs[0], "input");
    const TensorInfo& y = c.tensor(op.outputs[0], "output");
    c.check(!y.is_constant(), "writes the constant '" + y.name + "'");
    c.check(ready[static_cast<size_t>(op.outputs[0])] == 0, "writes '" + y.name + "', which is already written");
    c.check(!x.is_constant(), "its data input '" + x.name + "' is a constant");
    ready[static_cast<size_t>(op.outputs[0])] = 1;

    const bool int8 = x.type == DType::kInt8;
    switch (op.kind) {
      case OpKind::kQuantize:
        c.check(x.type == DType::kFloat32 && y.type == DType::kInt8, "must turn float32 into int8");
        break;
      case OpKind::kDequantize:
        c.check(x.type == DType::kInt8 && y.type == DType::kFloat32, "must turn int8 into float32");
        break;
      default:
        c.check(x.type == y.type && x.type != DType::kInt32, std::string("input is ") + dtype_name(x.type) +
                                                                 " and output " + dtype_name(y.type));
        c.check(y.scale.size() <= 1 && x.scale.size() <= 1, "activations must be quantized per tensor");
    }
    switch (op.kind) {
      case OpKind::kQuantize:
      case OpKind::kDequantize:
      case OpKind::kRelu:
      case OpKind::kRelu6:
      case OpKind::kSoftmax:
      case OpKind::kLogistic:
      case OpKind::kTanh:
        c.check(x.shape == y.shape, "input " + shape_str(x.shape) + " and output " + shape_str(y.shape) + " differ");
        if (op.kind == OpKind::kSoftmax) c.check(std::isfinite(op.beta) && op.beta > 0.0f, "beta must be positive");
        if (int8 && op.kind == OpKind::kSoftmax) {
          c.check(y.scale[0] == 1.0f / 256 && y.zero_point[0] == -128, "int8 output needs scale 1/256, zero point -128");
        }
        if (int8 && op.kind == OpKind::kLogistic) {
          c.check(y.scale[0] == 1.0f / 256 && y.zero_point[0] == -128, "int8 output needs scale 1/256, zero point -128");
        }
        if (int8 && op.kind == OpKind::kTanh) {
          c.check(y.scale[0] == 1.0f / 128 && y.zero_point[0] == 0, "int8 output needs scale 1/128, zero point 0");
        }
        break;
      case OpKind::kReshape:
        c.check(x.elements() == y.elements(), "cannot reshape " + shape_str(x.shape) + " to " + shape_str(y.shape));
        if (int8) c.check(same_quant(x, y), "input and output quantization differ");
        break;
      case OpKind::kMaxPool2D:
      case OpKind::kAvgPool2D: {
        c.check(x.shape.size() == 4 && y.shape.size() == 4, "needs 4-D [N, H, W, C] input and output");
        c.check(op.filter_h > 0 && op.filter_w > 0 && op.stride_h > 0 && op.stride_w > 0,
                "filter and strides must be positive");
        const int32_t ho = conv_out_size(x.shape[1], op.filter_h, op.stride_h, 1, op.padding);
        const int32_t wo = conv_out_size(x.shape[2], op.filter_w, op.stride_w, 1, op.padding);
        c.check(y.shape == std::vector<int32_t>{x.shape[0], ho, wo, x.shape[3]},
                "output " + shape_str(y.shape) + " does not follow from input " + shape_str(x.shape));
        if (int8) c.check(same_quant(x, y), "input and output quantization differ");
        break;
      }
      case OpKind::kConv2D: {
        const TensorInfo& w = c.tensor(op.inputs[1], "filter");
        c.check(w.is_constant() && w.shape.size() == 4, "filter must be a constant [Cout, Kh, Kw, Cin]");
        c.check(x.shape.size() == 4 && y.shape.size() == 4, "needs 4-D [N, H, W, C] input and output");
        c.check(w.shape[3] == x.shape[3], "filter depth " + std::to_string(w.shape[3]) + " != input channels " +
                                              std::to_string(x.shape[3]));
        c.check(op.stride_h > 0 && op.stride_w > 0 && op.dilation_h > 0 && op.dilation_w > 0,
                "strides and dilations must be positive");
        const int32_t ho = conv_out_size(x.shape[1], w.shape[1], op.stride_h, op.dilation_h, op.padding);
        const int32_t wo = conv_out_size(x.shape[2], w.shape[2], op.stride_w, op.dilation_w, op.padding);
        c.check(y.shape == std::vector<int32_t>{x.shape[0], ho, wo, w.shape[0]},
                "output " + shape_str(y.shape) + " does not follow from input " + shape_str(x.shape) + " and filter " +
                    shape_str(w.shape));
        c.check(w.type == x.type, "filter is " + std::string(dtype_name(w.type)));
        if (int8) {
          c.check(w.scale.size() == 1 || (w.scale.size() == static_cast<size_t>(w.shape[0]) && w.quantized_dimension == 0),
                  "filter needs one scale, or one per output channel along dimension 0");
        }
        if (op.inputs[2] != -1) {
          const TensorInfo& b = c.tensor(op.inputs[2], "bias");
          c.check(b.is_constant() && b.shape == std::vector<int32_t>{w.shape[0]}, "bias must be a constant [Cout]");
          c.check(b.type == (int8 ? DType::kInt32 : DType::kFloat32), "bias has the wrong type");
        }
        break;
      }
      case OpKind::kFullyConnected: {
        const TensorInfo& w = c.tensor(op.inputs[1], "weights");
        c.check(w.is_constant() && w.shape.size() == 2, "weights must be a constant [units, depth]");
        const size_t depth = static_cast<size_t>(w.shape[1]);
        c.check(x.elements() % depth == 0, "input " + shape_str(x.shape) + " is not rows of depth " + std::to_string(depth));
        const int32_t rows = static_cast<int32_t>(x.elements() / depth);
        c.check(y.shape == std::vector<int32_t>{rows, w.shape[0]},
                "output " + shape_str(y.shape) + " should be " + shape_str({rows, w.shape[0]}));
        c.check(w.type == x.type, "weights are " + std::string(dtype_name(w.type)));
        if (int8) {
          c.check(w.scale.size() == 1 || (w.scale.size() == static_cast<size_t>(w.shape[0]) && w.quantized_dimension == 0),
                  "weights need one scale, or one per unit along dimension 0");
        }
        if (op.inputs[2] != -1) {
          const TensorInfo& b = c.tensor(op.inputs[2], "bias");
          c.check(b.is_constant() && b.shape == std::vector<int32_t>{w.shape[0]}, "bias must be a constant [units]");
          c.check(b.type == (int8 ? DType::kInt32 : DType::kFloat32), "bias has the wrong type");
        }
        break;
      }
    }
  }
  c.set_context("");
  for (int32_t out : outputs) {
    const TensorInfo& t = c.tensor(out, "graph output");
    c.check(ready[static_cast<size_t>(out)] != 0, "graph output '" + t.name + "' is never written");
  }
}

}  // namespace earshot::deploy
