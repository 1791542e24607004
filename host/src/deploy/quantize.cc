// Post-training int8 quantization following TFLite's int8 specification.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "earshot/deploy/convert.h"
#include "earshot/deploy/executor.h"
#include "earshot/error.h"
#include "op_kind.h"

namespace earshot::deploy {

void choose_quant_params(float min, float max, float* scale, int32_t* zero_point) {
  double lo = std::min(0.0, static_cast<double>(min));
  double hi = std::max(0.0, static_cast<double>(max));
  if (!(hi > lo)) hi = lo + 1e-6;  // a tensor that is always 0
  const double s = (hi - lo) / 255.0;
  const double zp = std::round(-128.0 - lo / s);
  *scale = static_cast<float>(s);
  *zero_point = static_cast<int32_t>(std::clamp(zp, -128.0, 127.0));
}

Ranges calibrate(const Graph& float_graph, size_t count, const std::function<void(size_t, float*)>& example) {
  return calibrate_with(float_graph, count,
                        [&](size_t i, Executor& ex) { example(i, static_cast<float*>(ex.input(0))); });
}

Ranges calibrate_with(const Graph& float_graph, size_t count, const std::function<void(size_t, Executor&)>& feed,
                      const std::function<void(size_t, const Executor&)>& after) {
  if (float_graph.quantized()) throw Error("calibrate: the graph is already quantized");
  if (count == 0) throw Error("calibrate: no calibration examples");
  Executor ex(float_graph);
  const size_t n = float_graph.tensors.size();
  Ranges r;
  r.min.assign(n, std::numeric_limits<float>::infinity());
  r.max.assign(n, -std::numeric_limits<float>::infinity());
  auto observe = [&](int32_t t) {
    const TensorInfo& info = float_graph.tensors[static_cast<size_t>(t)];
    const float* d = static_cast<const float*>(ex.data(t));
    const auto [lo, hi] = std::minmax_element(d, d + info.elements());
    r.min[static_cast<size_t>(t)] = std::min(r.min[static_cast<size_t>(t)], *lo);
    r.max[static_cast<size_t>(t)] = std::max(r.max[static_cast<size_t>(t)], *hi);
  };
  for (size_t i = 0; i < count; ++i) {
    feed(i, ex);
    for (int32_t in : float_graph.inputs) observe(in);
    ex.invoke([&](size_t k) {
      for (int32_t o : float_graph.ops[k].outputs) observe(o);
    });
    if (after) after(i, ex);
  }
  r.examples = count;
  for (size_t t = 0; t < n; ++t) {
    if (!float_graph.tensors[t].is_constant() && !(std::isfinite(r.min[t]) && std::isfinite(r.max[t]))) {
      throw Error("calibrate: tensor '" + float_graph.tensors[t].name + "' took non-finite values");
    }
  }
  return r;
}

namespace {

void set_quant(TensorInfo& t, float scale, int32_t zp, DType type = DType::kInt8) {
  t.type = type;
  t.scale = {scale};
  t.zero_point = {zp};
  t.quantized_dimension = 0;
}

// int16 flows through the ops that have it; an op that has not (SOFTMAX,
// CONV_2D, ...) gets its int16 inputs as int8 through DEQUANTIZE + QUANTIZE
// (stock ops, the same float arithmetic in TFLite, TFLite Micro and here),
// the int8 parameters from the tensor's calibration range.
void to_int8_where_needed(Graph& g, const Ranges& r, const OpKindInfo& info, Op& op, std::vector<Op>& ops) {
  if (std::find(info.types.begin(), info.types.end(), DType::kInt16) != info.types.end()) return;
  for (int32_t& in : op.inputs) {
    if (in < 0) continue;
    const TensorInfo& t = g.tensors[static_cast<size_t>(in)];
    if (t.type != DType::kInt16 || t.is_constant()) continue;
    TensorInfo f = t;
    f.type = DType::kFloat32;
    f.scale.clear();
    f.zero_point.clear();
    f.name += "/float";
    TensorInfo q8 = f;
    q8.name = t.name + "/int8";
    float scale;
    int32_t zp;
    choose_quant_params(r.min[static_cast<size_t>(in)], r.max[static_cast<size_t>(in)], &scale, &zp);
    set_quant(q8, scale, zp);
    g.tensors.push_back(f);
    const auto ft = static_cast<int32_t>(g.tensors.size() - 1);
    g.tensors.push_back(q8);
    const auto qt = static_cast<int32_t>(g.tensors.size() - 1);
    Op dq;
    dq.kind = OpKind::kDequantize;
    dq.inputs = {in};
    dq.outputs = {ft};
    Op qo;
    qo.kind = OpKind::kQuantize;
    qo.inputs = {ft};
    qo.outputs = {qt};
    ops.push_back(dq);
    ops.push_back(qo);
    in = qt;
  }
}

}  // namespace

void QuantizeStep::from_range(int32_t t, DType type) {
  const float lo = r_.min[static_cast<size_t>(t)], hi = r_.max[static_cast<size_t>(t)];
  if (type == DType::kInt16) {  // symmetric, zero point 0
    const double m = std::max(std::fabs(static_cast<double>(lo)), std::fabs(static_cast<double>(hi)));
    set_quant(tensor(t), static_cast<float>(m > 0.0 ? m / 32767.0 : 1.0 / 32767.0), 0, type);
    return;
  }
  float s;
  int32_t zp;
  choose_quant_params(lo, hi, &s, &zp);
  set_quant(tensor(t), s, zp);
}

void QuantizeStep::same_as(int32_t t, int32_t like) {
  const TensorInfo& x = tensor(like);
  set_quant(tensor(t), x.scale[0], static_cast<int32_t>(x.zero_point[0]), x.type);
}

void QuantizeStep::fixed(int32_t t, float scale, int32_t zero_point, DType type) {
  set_quant(tensor(t), scale, zero_point, type);
}

void QuantizeStep::weights_per_channel(int32_t t) {
  TensorInfo& w = tensor(t);
  const float* f = reinterpret_cast<const float*>(w.data.data());
  const size_t slices = static_cast<size_t>(w.shape[0]);
  const size_t per = w.elements() / slices;
  std::vector<uint8_t> q(w.elements());
  w.scale.assign(slices, 0.0f);
  w.zero_point.assign(slices, 0);
  for (size_t c = 0; c < slices; ++c) {
    float absmax = 0.0f;
    for (size_t i = 0; i < per; ++i) absmax = std::max(absmax, std::fabs(f[c * per + i]));
    const float scale = absmax > 0.0f ? absmax / 127.0f : 1.0f;
    w.scale[c] = scale;
    for (size_t i = 0; i < per; ++i) {
      const float v = std::round(f[c * per + i] / scale);
      q[c * per + i] = static_cast<uint8_t>(static_cast<int8_t>(std::clamp(v, -127.0f, 127.0f)));
    }
  }
  w.data = std::move(q);
  w.type = DType::kInt8;
  w.quantized_dimension = 0;
}

void QuantizeStep::bias(int32_t t, float input_scale, const std::vector<float>& weight_scales, DType type) {
  TensorInfo& b = tensor(t);
  const float* f = reinterpret_cast<const float*>(b.data.data());
  const size_t n = b.elements();
  const bool wide = type == DType::kInt64;
  std::vector<int64_t> q(n);
  b.scale.assign(weight_scales.size(), 0.0f);
  b.zero_point.assign(weight_scales.size(), 0);
  for (size_t i = 0; i < weight_scales.size(); ++i) b.scale[i] = input_scale * weight_scales[i];
  const double limit = wide ? 9.2e18 : 2147483647.0;
  for (size_t i = 0; i < n; ++i) {
    const double s = b.scale[b.scale.size() == 1 ? 0 : i];
    const double v = std::round(static_cast<double>(f[i]) / s);
    q[i] = static_cast<int64_t>(std::clamp(v, -limit, limit));
  }
  b.data.resize(n * (wide ? sizeof(int64_t) : sizeof(int32_t)));
  for (size_t i = 0; i < n; ++i) {
    if (wide) {
      std::memcpy(b.data.data() + i * sizeof(int64_t), &q[i], sizeof(int64_t));
    } else {
      const int32_t v = static_cast<int32_t>(q[i]);
      std::memcpy(b.data.data() + i * sizeof(int32_t), &v, sizeof(int32_t));
    }
  }
  b.type = wide ? DType::kInt64 : DType::kInt32;
  b.quantized_dimension = 0;
}

Graph quantize(const Graph& fg, const Ranges& ranges, const QuantizeOptions& options) {
  if (fg.quantized()) throw Error("quantize: the graph is already quantized");
  if (ranges.min.size() != fg.tensors.size()) throw Error("quantize: the ranges belong to another graph");
  Graph g = fg;
  if (options.activations != DType::kInt8 && options.activations != DType::kInt16) {
    throw Error("quantize: activations must be int8 or int16");
  }
  QuantizeStep q(g, ranges);
  for (int32_t in : g.inputs) q.from_range(in, options.activations);
  for (int32_t s : g.state_tensors()) q.from_range(s, options.activations);
  std::vector<Op> quantized_ops;
  quantized_ops.reserve(g.ops.size());
  for (Op op : g.ops) {
    const OpKindInfo& info = op_kind(op.kind);
    if (info.quantize == nullptr) {
      throw Error(std::string("quantize: the float graph has a ") + info.name + " op, which has no quantization rule");
    }
    to_int8_where_needed(g, ranges, info, op, quantized_ops);
    info.quantize(q, op);
    quantized_ops.push_back(std::move(op));
  }
  g.ops = std::move(quantized_ops);

  if (options.io == IoType::kFloat32) {
    // float32 at the edges: QUANTIZE after each input, DEQUANTIZE before each output.
    std::vector<Op> ops;
    for (int32_t& in : g.inputs) {
      TensorInfo f = g.tensors[static_cast<size_t>(in)];
      const int32_t qt = in;
      f.type = DType::kFloat32;
      f.scale.clear();
      f.zero_point.clear();
      g.tensors[static_cast<size_t>(qt)].name += std::string("/") + dtype_name(options.activations);
      g.tensors.push_back(f);
      in = static_cast<int32_t>(g.tensors.size() - 1);
      Op op;
      op.kind = OpKind::kQuantize;
      op.inputs = {in};
      op.outputs = {qt};
      ops.push_back(op);
    }
    ops.insert(ops.end(), g.ops.begin(), g.ops.end());
    for (int32_t& out : g.outputs) {
      TensorInfo f = g.tensors[static_cast<size_t>(out)];
      f.type = DType::kFloat32;
      f.scale.clear();
      f.zero_point.clear();
      f.name += "/float";
      g.tensors.push_back(f);
      Op op;
      op.kind = OpKind::kDequantize;
      op.inputs = {out};
      out = static_cast<int32_t>(g.tensors.size() - 1);
      op.outputs = {out};
      ops.push_back(op);
    }
    g.ops = std::move(ops);
  }
  g.validate("quantized model");
  return g;
}

}  // namespace earshot::deploy
