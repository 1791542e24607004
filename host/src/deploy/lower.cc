// nn::Model -> float Graph of TFLite operators. Walks the model's readable
// architecture (layer configs and shapes) and its named parameters, so it
// needs nothing from the layer classes but what a saved run holds.
#include <cmath>
#include <cstring>
#include <map>

#include "earshot/deploy/convert.h"
#include "earshot/error.h"

namespace earshot::deploy {
namespace {

using Json = nlohmann::json;

std::vector<int32_t> to_i32(const nn::Shape& s) {
  std::vector<int32_t> r;
  for (size_t d : s) r.push_back(static_cast<int32_t>(d));
  return r;
}

std::vector<uint8_t> to_bytes(const std::vector<float>& v) {
  std::vector<uint8_t> b(v.size() * sizeof(float));
  if (!v.empty()) std::memcpy(b.data(), v.data(), b.size());
  return b;
}

// A value flowing through the model: a graph tensor plus its Keras
// per-example shape (flatten and reshape change only the latter).
struct Value {
  int32_t tensor = -1;
  std::vector<int32_t> keras;
};

class Lowerer {
 public:
  explicit Lowerer(nn::Model<float>& model) : model_(model) {
    for (auto& [name, p] : model.named_params()) params_[name] = p;
  }

  Graph run(const std::string& description) {
    g_.description = description;
    const Json arch = model_.architecture();
    Value v;
    v.keras = to_i32(model_.spec().input);
    std::vector<int32_t> shape = {1};
    shape.insert(shape.end(), v.keras.begin(), v.keras.end());
    v.tensor = add_tensor("input", shape);
    g_.inputs.push_back(v.tensor);

    for (const Json& layer : arch.at("layers")) {
      if (!layer.contains("head")) v = apply(layer, v);
    }
    const Value trunk = v;
    for (const nn::HeadSpec& head : model_.spec().heads) {
      fusable_ = -1;  // the trunk's last op feeds every head: never fuse into it
      Value h = trunk;
      for (const Json& layer : arch.at("layers")) {
        if (layer.contains("head") && layer.at("head").get<std::string>() == head.name) h = apply(layer, h);
      }
      std::vector<int32_t> out_shape = {1};
      out_shape.insert(out_shape.end(), h.keras.begin(), h.keras.end());
      int32_t t = reshaped(h, out_shape, head.name);
      if (t == trunk.tensor && model_.spec().heads.size() > 1) t = add_reshape(t, out_shape, head.name);
      g_.outputs.push_back(t);
      g_.output_names.push_back(head.name);
    }
    g_.validate("lowered model");
    return g_;
  }

 private:
  [[noreturn]] void fail(const std::string& layer, const std::string& what) const {
    throw Error("export: layer '" + layer + "': " + what);
  }

  int32_t add_tensor(const std::string& name, std::vector<int32_t> shape, std::vector<uint8_t> data = {}) {
    TensorInfo t;
    t.name = name;
    t.shape = std::move(shape);
    t.data = std::move(data);
    g_.tensors.push_back(std::move(t));
    return static_cast<int32_t>(g_.tensors.size() - 1);
  }

  int32_t add_op(Op op, const std::string& out_name, std::vector<int32_t> out_shape) {
    const int32_t out = add_tensor(out_name, std::move(out_shape));
    op.outputs = {out};
    g_.ops.push_back(std::move(op));
    return out;
  }

  int32_t add_reshape(int32_t tensor, const std::vector<int32_t>& shape, const std::string& name) {
    Op op;
    op.kind = OpKind::kReshape;
    op.inputs = {tensor};
    fusable_ = -1;
    return add_op(op, name + "/reshape", shape);
  }

  // The value's tensor with `shape`, through a RESHAPE when it has another.
  int32_t reshaped(const Value& v, const std::vector<int32_t>& shape, const std::string& name) {
    if (g_.tensors[static_cast<size_t>(v.tensor)].shape == shape) return v.tensor;
    return add_reshape(v.tensor, shape, name);
  }

  const nn::Param<float>& param(const std::string& layer, const char* name) const {
    auto it = params_.find(layer + "." + name);
    if (it == params_.end()) fail(layer, std::string("has no parameter '") + name + "'");
    return *it->second;
  }

  // Applies an activation after the op that produced v.tensor: relu is fused
  // when that op allows it; the others become operators.
  Value activate(const std::string& act, Value v, const std::string& name, double temperature = 1.0) {
    if (act == "linear") return v;
    const std::vector<int32_t> shape = g_.tensors[static_cast<size_t>(v.tensor)].shape;
    Op op;
    if (act == "relu") {
      if (fusable_ >= 0 && g_.ops[static_cast<size_t>(fusable_)].outputs[0] == v.tensor &&
          g_.ops[static_cast<size_t>(fusable_)].fused == Fused::kNone) {
        g_.ops[static_cast<size_t>(fusable_)].fused = Fused::kRelu;
        g_.tensors[static_cast<size_t>(v.tensor)].name += "/relu";
        fusable_ = -1;
        return v;
      }
      op.kind = OpKind::kRelu;
    } else if (act == "sigmoid") {
      op.kind = OpKind::kLogistic;
    } else if (act == "tanh") {
      op.kind = OpKind::kTanh;
    } else if (act == "softmax") {
      op.kind = OpKind::kSoftmax;
      op.beta = static_cast<float>(1.0 / temperature);
    } else {
      fail(name, "activation '" + act + "' cannot be exported");
    }
    op.inputs = {v.tensor};
    fusable_ = -1;
    v.tensor = add_op(op, name + "/" + act, shape);
    return v;
  }

  Value conv(const Json& l, const Value& v, int rank) {
    const std::string name = l.at("name");
    const auto& k = param(name, "kernel").value;  // Conv1D [k, Cin, Cout], Conv2D [kh, kw, Cin, Cout]
    const int32_t kh = rank == 1 ? 1 : static_cast<int32_t>(k.shape[0]);
    const int32_t kw = static_cast<int32_t>(rank == 1 ? k.shape[0] : k.shape[1]);
    const int32_t cin = static_cast<int32_t>(k.shape[k.shape.size() - 2]);
    const int32_t cout = static_cast<int32_t>(k.shape.back());
    std::vector<int32_t> in_shape = rank == 1 ? std::vector<int32_t>{1, 1, v.keras[0], v.keras[1]}
                                              : std::vector<int32_t>{1, v.keras[0], v.keras[1], v.keras[2]};
    const int32_t x = reshaped(v, in_shape, name + "/input");

    std::vector<float> filter(k.size());  // [Cout, kh, kw, Cin]
    const size_t taps = static_cast<size_t>(kh) * static_cast<size_t>(kw);
    for (size_t t = 0; t < taps; ++t) {
      for (int32_t ci = 0; ci < cin; ++ci) {
        for (int32_t co = 0; co < cout; ++co) {
          filter[(static_cast<size_t>(co) * taps + t) * static_cast<size_t>(cin) + static_cast<size_t>(ci)] =
              k.data[(t * static_cast<size_t>(cin) + static_cast<size_t>(ci)) * static_cast<size_t>(cout) +
                     static_cast<size_t>(co)];
        }
      }
    }
    Op op;
    op.kind = OpKind::kConv2D;
    op.padding = l.at("padding") == "same" ? Padding::kSame : Padding::kValid;
    if (rank == 1) {
      op.stride_w = l.at("strides").get<int32_t>();
    } else {
      op.stride_h = l.at("strides")[0].get<int32_t>();
      op.stride_w = l.at("strides")[1].get<int32_t>();
    }
    const int32_t w = add_tensor(name + "/filter", {cout, kh, kw, cin}, to_bytes(filter));
    const int32_t b = bias_tensor(name, l.at("use_bias").get<bool>(), static_cast<size_t>(cout));
    op.inputs = {x, w, b};
    const std::vector<int32_t>& xs = g_.tensors[static_cast<size_t>(x)].shape;
    const int32_t ho = conv_out_size(xs[1], kh, op.stride_h, 1, op.padding);
    const int32_t wo = conv_out_size(xs[2], kw, op.stride_w, 1, op.padding);
    Value out;
    out.tensor = add_op(op, name, {1, ho, wo, cout});
    fusable_ = static_cast<int32_t>(g_.ops.size() - 1);
    out.keras = rank == 1 ? std::vector<int32_t>{wo, cout} : std::vector<int32_t>{ho, wo, cout};
    return activate(l.at("activation"), out, name);
  }

  // Conv and dense always get a bias tensor (zeros without use_bias), as
  // TensorFlow's converter writes them; BatchNormalization folds into it.
  int32_t bias_tensor(const std::string& layer, bool use_bias, size_t n) {
    std::vector<float> b(n, 0.0f);
    if (use_bias) {
      const auto& p = param(layer, "bias").value;
      b.assign(p.data.begin(), p.data.end());
    }
    return add_tensor(layer + "/bias", {static_cast<int32_t>(n)}, to_bytes(b));
  }

  Value dense(const Json& l, const Value& v) {
    const std::string name = l.at("name");
    const auto& k = param(name, "kernel").value;  // [in, units]
    const size_t in = k.shape[0], units = k.shape[1];
    std::vector<float> w(k.size());  // [units, in]
    for (size_t i = 0; i < in; ++i) {
      for (size_t u = 0; u < units; ++u) w[u * in + i] = k.data[i * units + u];
    }
    Op op;
    op.kind = OpKind::kFullyConnected;
    const int32_t wt = add_tensor(name + "/weights", {static_cast<int32_t>(units), static_cast<int32_t>(in)}, to_bytes(w));
    const int32_t b = bias_tensor(name, l.at("use_bias").get<bool>(), units);
    op.inputs = {v.tensor, wt, b};
    const int32_t rows = static_cast<int32_t>(g_.tensors[static_cast<size_t>(v.tensor)].elements() / in);
    Value out;
    out.tensor = add_op(op, name, {rows, static_cast<int32_t>(units)});
    fusable_ = static_cast<int32_t>(g_.ops.size() - 1);
    out.keras = v.keras;
    out.keras.back() = static_cast<int32_t>(units);
    return activate(l.at("activation"), out, name);
  }

  Value pool(const Json& l, const Value& v, OpKind kind, int rank, bool global) {
    const std::string name = l.at("name");
    std::vector<int32_t> in_shape = rank == 1 ? std::vector<int32_t>{1, 1, v.keras[0], v.keras[1]}
                                              : std::vector<int32_t>{1, v.keras[0], v.keras[1], v.keras[2]};
    const int32_t x = reshaped(v, in_shape, name + "/input");
    Op op;
    op.kind = kind;
    op.inputs = {x};
    if (global) {
      op.filter_h = in_shape[1];
      op.filter_w = in_shape[2];
      op.stride_h = op.filter_h;
      op.stride_w = op.filter_w;
    } else {
      op.padding = l.at("padding") == "same" ? Padding::kSame : Padding::kValid;
      if (rank == 1) {
        op.filter_w = l.at("pool_size").get<int32_t>();
        op.stride_w = l.at("strides").get<int32_t>();
      } else {
        op.filter_h = l.at("pool_size")[0].get<int32_t>();
        op.filter_w = l.at("pool_size")[1].get<int32_t>();
        op.stride_h = l.at("strides")[0].get<int32_t>();
        op.stride_w = l.at("strides")[1].get<int32_t>();
      }
    }
    const int32_t ho = conv_out_size(in_shape[1], op.filter_h, op.stride_h, 1, op.padding);
    const int32_t wo = conv_out_size(in_shape[2], op.filter_w, op.stride_w, 1, op.padding);
    const int32_t c = in_shape[3];
    Value out;
    out.tensor = add_op(op, name, {1, ho, wo, c});
    fusable_ = static_cast<int32_t>(g_.ops.size() - 1);
    if (global) {
      out.keras = {c};
    } else {
      out.keras = rank == 1 ? std::vector<int32_t>{wo, c} : std::vector<int32_t>{ho, wo, c};
    }
    return out;
  }

  // y = gamma (x - mean) / sqrt(var + eps) + beta, folded into the conv or
  // dense that produced x: per output channel, w *= s and b = (b - mean) s + beta.
  Value batch_norm(const Json& l, const Value& v) {
    const std::string name = l.at("name");
    if (fusable_ < 0 || g_.ops[static_cast<size_t>(fusable_)].outputs[0] != v.tensor ||
        (g_.ops[static_cast<size_t>(fusable_)].kind != OpKind::kConv2D &&
         g_.ops[static_cast<size_t>(fusable_)].kind != OpKind::kFullyConnected) ||
        g_.ops[static_cast<size_t>(fusable_)].fused != Fused::kNone) {
      fail(name, "batch_norm can be exported only right after a conv or dense layer with linear activation "
                 "(it is folded into that layer's weights)");
    }
    Op& op = g_.ops[static_cast<size_t>(fusable_)];
    const double eps = l.at("epsilon").get<double>();
    const auto& gamma = param(name, "gamma").value.data;
    const auto& beta = param(name, "beta").value.data;
    const auto& mean = param(name, "moving_mean").value.data;
    const auto& var = param(name, "moving_variance").value.data;
    TensorInfo& w = g_.tensors[static_cast<size_t>(op.inputs[1])];
    TensorInfo& b = g_.tensors[static_cast<size_t>(op.inputs[2])];
    const size_t channels = static_cast<size_t>(w.shape[0]);
    const size_t per = w.elements() / channels;
    float* wd = reinterpret_cast<float*>(w.data.data());
    float* bd = reinterpret_cast<float*>(b.data.data());
    for (size_t c = 0; c < channels; ++c) {
      const double s = gamma[c] / std::sqrt(static_cast<double>(var[c]) + eps);
      for (size_t i = 0; i < per; ++i) wd[c * per + i] = static_cast<float>(wd[c * per + i] * s);
      bd[c] = static_cast<float>((bd[c] - mean[c]) * s + beta[c]);
    }
    g_.tensors[static_cast<size_t>(v.tensor)].name += "/bn";
    return v;
  }

  Value apply(const Json& l, const Value& v) {
    const std::string type = l.at("type");
    const std::string name = l.at("name");
    if (type == "dense") return dense(l, v);
    if (type == "conv1d") return conv(l, v, 1);
    if (type == "conv2d") return conv(l, v, 2);
    if (type == "max_pool1d") return pool(l, v, OpKind::kMaxPool2D, 1, false);
    if (type == "max_pool2d") return pool(l, v, OpKind::kMaxPool2D, 2, false);
    if (type == "global_max_pool1d") return pool(l, v, OpKind::kMaxPool2D, 1, true);
    if (type == "global_max_pool2d") return pool(l, v, OpKind::kMaxPool2D, 2, true);
    if (type == "global_avg_pool1d") return pool(l, v, OpKind::kAvgPool2D, 1, true);
    if (type == "global_avg_pool2d") return pool(l, v, OpKind::kAvgPool2D, 2, true);
    if (type == "batch_norm") return batch_norm(l, v);
    if (type == "dropout") return v;
    if (type == "flatten" || type == "reshape") {
      Value out = v;
      out.keras = l.at("output_shape").get<std::vector<int32_t>>();
      return out;
    }
    if (type == "activation") {
      return activate(l.at("activation"), v, name, l.value("temperature", 1.0));
    }
    fail(name, "layer type '" + type + "' cannot be exported");
  }

  nn::Model<float>& model_;
  std::map<std::string, nn::Param<float>*> params_;
  Graph g_;
  int32_t fusable_ = -1;  // op whose output may take a fused relu or a folded batch norm
};

}  // namespace

Graph lower(nn::Model<float>& model, const std::string& description) {
  return Lowerer(model).run(description);
}

}  // namespace earshot::deploy
