// Recurrent models as a step graph and a head graph: calibration,
// quantization and the runtime's configuration (recurrent.h). The lowering
// sits with the other lowerings in lower.cc.
#include "earshot/deploy/recurrent.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "earshot/deploy/executor.h"
#include "earshot/error.h"

namespace earshot::deploy {

namespace {

// h is bounded to [-1, 1]: int16 symmetric over +-32767/32768 is scale 2^-15.
constexpr float kStateBound = 32767.0f / 32768.0f;

int32_t tensor_named(const Graph& g, const std::string& name, const std::string& where) {
  for (size_t i = 0; i < g.tensors.size(); ++i) {
    if (g.tensors[i].name == name) return static_cast<int32_t>(i);
  }
  throw Error(where + ": no tensor '" + name + "'");
}

const Op& op_writing(const Graph& g, int32_t t, const std::string& where) {
  for (const Op& op : g.ops) {
    if (op.outputs[0] == t) return op;
  }
  throw Error(where + ": no op writes '" + g.tensors[static_cast<size_t>(t)].name + "'");
}

// The step's x for one step of a clip: a one-hot row or D values.
void step_input(const RecurrentGraphs& g, const float* clip, size_t t, float* x) {
  const auto d = static_cast<size_t>(g.input_depth);
  if (g.one_hot) {
    std::fill(x, x + d, 0.0f);
    const float v = clip[t];
    const auto k = static_cast<size_t>(std::clamp(v, 0.0f, static_cast<float>(d - 1)));
    x[k] = 1.0f;
  } else {
    std::copy(clip + t * d, clip + (t + 1) * d, x);
  }
}

// Without the tensors nothing references any more.
Graph pruned(const Graph& g) {
  std::vector<int32_t> map(g.tensors.size(), -1);
  Graph r;
  r.description = g.description;
  r.output_names = g.output_names;
  auto keep = [&](int32_t t) {
    if (t < 0) return t;
    int32_t& m = map[static_cast<size_t>(t)];
    if (m < 0) {
      r.tensors.push_back(g.tensors[static_cast<size_t>(t)]);
      m = static_cast<int32_t>(r.tensors.size() - 1);
    }
    return m;
  };
  for (int32_t t : g.inputs) r.inputs.push_back(keep(t));
  for (const Op& op : g.ops) {
    Op o = op;
    for (int32_t& t : o.inputs) t = keep(t);
    for (int32_t& t : o.outputs) t = keep(t);
    r.ops.push_back(o);
  }
  for (int32_t t : g.outputs) r.outputs.push_back(keep(t));
  return r;
}

rt::RnnDense dense_of(const Graph& g, const std::string& out_name, const std::string& where) {
  const Op& op = op_writing(g, tensor_named(g, out_name, where), where);
  if (op.kind != OpKind::kFullyConnected) throw Error(where + ": '" + out_name + "' is not a FULLY_CONNECTED output");
  const TensorInfo& w = g.tensors[static_cast<size_t>(op.inputs[1])];
  rt::RnnDense d{};
  d.weights = reinterpret_cast<const int8_t*>(w.data.data());
  d.bias = op.inputs[2] >= 0
               ? reinterpret_cast<const int64_t*>(g.tensors[static_cast<size_t>(op.inputs[2])].data.data())
               : nullptr;
  d.filter_scales = w.scale.data();
  d.filter_scale_count = static_cast<int32_t>(w.scale.size());
  d.output_scale = g.tensors[static_cast<size_t>(op.outputs[0])].scale[0];
  return d;
}

}  // namespace

std::vector<int32_t> clip_codes(const RecurrentGraphs& g, const float* x, const std::string& where) {
  std::vector<int32_t> codes(static_cast<size_t>(g.steps));
  for (size_t t = 0; t < codes.size(); ++t) {
    const float v = x[t];
    if (!(v >= 0.0f && v < static_cast<float>(g.input_depth)) || v != std::floor(v)) {
      throw Error(where + ": step " + std::to_string(t) + " holds " + std::to_string(v) +
                  ", not a one-hot index in [0, " + std::to_string(g.input_depth) + ")");
    }
    codes[t] = static_cast<int32_t>(v);
  }
  return codes;
}

RecurrentGraphs quantize_recurrent(const RecurrentGraphs& f, size_t clips, const ClipSource& clip, IoType head_io) {
  if (clips == 0) throw Error("quantize: no calibration clips");
  const auto steps = static_cast<size_t>(f.steps);
  const size_t clip_size = steps * (f.one_hot ? 1u : static_cast<size_t>(f.input_depth));
  const size_t head_in = f.head.tensors[static_cast<size_t>(f.head.inputs[0])].elements();
  const auto units = static_cast<size_t>(f.units);
  std::vector<float> x(clip_size), seq(clips * head_in), h(units);
  // The step over every clip, h carried; the head's inputs collected.
  size_t loaded = SIZE_MAX;
  Ranges step_ranges = calibrate_with(
      f.step, clips * steps,
      [&](size_t i, Executor& ex) {
        const size_t c = i / steps, t = i % steps;
        if (c != loaded) {
          clip(c, x.data());
          loaded = c;
        }
        step_input(f, x.data(), t, static_cast<float*>(ex.input(0)));
        if (t == 0) std::fill(h.begin(), h.end(), 0.0f);
        std::memcpy(ex.input(1), h.data(), units * sizeof(float));
      },
      [&](size_t i, const Executor& ex) {
        const size_t c = i / steps, t = i % steps;
        std::memcpy(h.data(), ex.output(0), units * sizeof(float));
        if (f.reduce == rt::RecurrentReduce::kFlatten) {
          std::copy(h.begin(), h.end(), seq.begin() + static_cast<long>(c * head_in + t * units));
        } else if (t + 1 == steps) {
          std::copy(h.begin(), h.end(), seq.begin() + static_cast<long>(c * head_in));
        }
      });
  for (int32_t t : {f.step.inputs[1], f.step.outputs[0]}) {
    step_ranges.min[static_cast<size_t>(t)] = -kStateBound;
    step_ranges.max[static_cast<size_t>(t)] = kStateBound;
  }
  if (f.one_hot) {  // x is 0 or 1: int16 scale 1/32767, the one-hot value 32767
    step_ranges.min[static_cast<size_t>(f.step.inputs[0])] = 0.0f;
    step_ranges.max[static_cast<size_t>(f.step.inputs[0])] = 1.0f;
  }
  Ranges head_ranges = calibrate(f.head, clips, [&](size_t c, float* in) {
    std::copy(seq.begin() + static_cast<long>(c * head_in), seq.begin() + static_cast<long>((c + 1) * head_in), in);
  });
  head_ranges.min[static_cast<size_t>(f.head.inputs[0])] = -kStateBound;
  head_ranges.max[static_cast<size_t>(f.head.inputs[0])] = kStateBound;

  RecurrentGraphs q = f;
  q.step = quantize(f.step, step_ranges, {IoType::kInt8, DType::kInt16});
  q.step.description = f.step.description + " int16";
  q.head = quantize(f.head, head_ranges, {head_io, DType::kInt16});
  q.head.description = f.head.description + " int16";
  return q;
}

RecurrentRuntime recurrent_runtime(const RecurrentGraphs& q) {
  const std::string where = "recurrent model";
  const Graph& s = q.step;
  if (!s.quantized() || !q.head.quantized()) throw Error(where + ": the graphs are not quantized");
  RecurrentRuntime r;
  const TensorInfo& x = s.tensors[static_cast<size_t>(s.inputs[0])];
  const float xs = x.scale[0];
  const auto one = static_cast<int16_t>(std::clamp(std::lround(1.0f / xs), 1L, 32767L));
  auto scale_of = [&](const std::string& name) {
    return s.tensors[static_cast<size_t>(tensor_named(s, name, where))].scale[0];
  };
  rt::RecurrentStreamConfig& c = r.base;
  c.cell = q.cell;
  c.one_hot = q.one_hot;
  c.steps = q.steps;
  c.reduce = q.reduce;
  switch (q.cell) {
    case rt::RecurrentCell::kGru: {
      rt::GruParams& p = r.gru;
      p.input_depth = q.input_depth;
      p.units = q.units;
      p.reset_after = q.reset_after;
      p.input_scale = xs;
      p.one_hot_value = q.one_hot ? one : 0;
      const char* gates[3] = {"z", "r", "n"};
      for (int k = 0; k < 3; ++k) {
        const std::string n = gates[k];
        p.x[k] = dense_of(s, n + "/x", where);
        p.h[k] = dense_of(s, n + "/h", where);
        p.pre_scale[k] = scale_of(n + "/pre");
      }
      p.reset_scale = scale_of("n/reset");
      p.diff_scale = scale_of("h-n");
      p.keep_scale = scale_of("z*(h-n)");
      break;
    }
    case rt::RecurrentCell::kSimpleRnn: {
      rt::RnnParams& p = r.rnn;
      p.input_depth = q.input_depth;
      p.units = q.units;
      p.input_scale = xs;
      p.one_hot_value = q.one_hot ? one : 0;
      p.x = dense_of(s, "xw", where);
      p.h = dense_of(s, "hu", where);
      p.pre_scale = scale_of("pre");
      break;
    }
  }
  if (q.reduce == rt::RecurrentReduce::kFlatten) {
    // The head's first op is the FULLY_CONNECTED over the flattened sequence.
    const Op& fc = q.head.ops.at(0);
    c.fc = fully_connected_params(q.head, fc);
    c.fc_weights = reinterpret_cast<const int8_t*>(q.head.tensors[static_cast<size_t>(fc.inputs[1])].data.data());
    c.fc_bias = fc.inputs[2] >= 0
                    ? reinterpret_cast<const int64_t*>(q.head.tensors[static_cast<size_t>(fc.inputs[2])].data.data())
                    : nullptr;
    Graph tail = q.head;
    tail.ops.erase(tail.ops.begin());
    tail.inputs = {fc.outputs[0]};
    r.tail = pruned(tail);
  } else {
    r.tail = pruned(q.head);
  }
  r.tail.description = q.head.description + " (after the stream)";
  r.tail.validate(where + " tail");
  return r;
}

RecurrentRunner::RecurrentRunner(RecurrentGraphs quantized) : q_(std::move(quantized)), rr_(recurrent_runtime(q_)) {
  const rt::RecurrentStreamConfig cfg = rr_.config();
  size_t bytes = 0;
  rt::Status s = rt::RecurrentStream::required_bytes(cfg, &bytes);
  if (s == rt::Status::kOk) {
    mem_.assign(bytes / sizeof(uint64_t) + 1, 0);
    s = stream_.init(cfg, mem_.data(), bytes);
  }
  if (s != rt::Status::kOk) throw Error(std::string("recurrent model: the stream refuses it: ") + rt::status_name(s));
  tail_ = std::make_unique<Executor>(rr_.tail, "recurrent model tail");
  raw_.resize(rr_.tail.outputs.size());
}

RecurrentRunner::~RecurrentRunner() = default;

std::vector<std::vector<float>> RecurrentRunner::run(const float* clip, const std::string& where) {
  stream_.reset();
  bool done = false;
  const auto steps = static_cast<size_t>(q_.steps);
  if (q_.one_hot) {
    for (int32_t k : clip_codes(q_, clip, where)) {
      if (const rt::Status s = stream_.push_index(k, &done); s != rt::Status::kOk) {
        throw Error(where + ": step refused: " + rt::status_name(s));
      }
    }
  } else {
    const auto d = static_cast<size_t>(q_.input_depth);
    const float scale = q_.step.tensors[static_cast<size_t>(q_.step.inputs[0])].scale[0];
    std::vector<int16_t> x(d);
    for (size_t t = 0; t < steps; ++t) {
      for (size_t i = 0; i < d; ++i) {
        const float v = std::round(clip[t * d + i] / scale);
        x[i] = static_cast<int16_t>(std::clamp(v, -32768.0f, 32767.0f));
      }
      if (const rt::Status s = stream_.push(x.data(), &done); s != rt::Status::kOk) {
        throw Error(where + ": step refused: " + rt::status_name(s));
      }
    }
  }
  if (!done) throw Error(where + ": the clip did not complete");
  std::copy(stream_.reduced(), stream_.reduced() + stream_.reduced_size(), static_cast<int16_t*>(tail_->input(0)));
  tail_->invoke();
  std::vector<std::vector<float>> out(rr_.tail.outputs.size());
  for (size_t h = 0; h < out.size(); ++h) {
    const TensorInfo& t = rr_.tail.tensors[static_cast<size_t>(rr_.tail.outputs[h])];
    raw_[h].assign(t.elements(), 0);
    out[h].assign(t.elements(), 0.0f);
    for (size_t i = 0; i < t.elements(); ++i) {
      int32_t v = 0;
      float f = 0.0f;
      switch (t.type) {
        case DType::kInt8: v = static_cast<const int8_t*>(tail_->output(h))[i]; break;
        case DType::kInt16: v = static_cast<const int16_t*>(tail_->output(h))[i]; break;
        case DType::kFloat32: f = static_cast<const float*>(tail_->output(h))[i]; break;
        case DType::kInt32:
        case DType::kInt64: throw Error(where + ": the head's output '" + t.name + "' is not int8, int16 or float32");
      }
      raw_[h][i] = v;
      out[h][i] = t.type == DType::kFloat32 ? f : t.scale[0] * static_cast<float>(v - t.zero_point[0]);
    }
  }
  return out;
}

}  // namespace earshot::deploy
