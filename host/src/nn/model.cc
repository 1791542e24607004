#include "earshot/nn/model.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include "earshot/error.h"

namespace earshot::nn {

nlohmann::json to_json(const ModelSpec& spec) {
  nlohmann::json j;
  j["input"] = spec.input;
  j["trunk"] = spec.trunk;
  j["heads"] = nlohmann::json::array();
  for (const HeadSpec& h : spec.heads) {
    j["heads"].push_back({{"name", h.name},
                          {"layers", h.layers},
                          {"loss", h.loss},
                          {"from_logits", h.from_logits},
                          {"weight", h.weight},
                          {"metrics", h.metrics}});
    if (h.sum_over_batch) j["heads"].back()["reduction"] = "sum";  // absent: the mean (Keras)
  }
  return j;
}

ModelSpec model_spec_from_json(const nlohmann::json& j, const std::string& where) {
  ModelSpec s;
  try {
    s.input = j.at("input").get<Shape>();
    s.trunk = j.at("trunk").get<std::vector<nlohmann::json>>();
    for (const auto& h : j.at("heads")) {
      HeadSpec hs;
      hs.name = h.at("name").get<std::string>();
      hs.layers = h.value("layers", std::vector<nlohmann::json>{});
      hs.loss = h.at("loss").get<std::string>();
      hs.from_logits = h.value("from_logits", false);
      hs.weight = h.value("weight", 1.0);
      hs.metrics = h.value("metrics", std::vector<std::string>{});
      const std::string reduction = h.value("reduction", std::string("mean"));
      if (reduction != "mean" && reduction != "sum")
        throw Error(where, 0, "head " + hs.name + ": reduction must be \"mean\" or \"sum\", got \"" + reduction + "\"");
      hs.sum_over_batch = reduction == "sum";
      s.heads.push_back(std::move(hs));
    }
  } catch (const nlohmann::json::exception& e) {
    throw Error(where, 0, std::string("malformed model description: ") + e.what());
  }
  if (s.heads.empty()) throw Error(where, 0, "model has no heads");
  return s;
}

namespace {

template <typename T>
std::unique_ptr<Layer<T>> build_layer(const nlohmann::json& cfg, const std::string& where, const Shape& in, Shape* out,
                                      Rng& init, std::map<std::string, int>& counts, Rng* dropout) {
  std::unique_ptr<Layer<T>> layer = make_layer<T>(cfg, where);
  std::string base = cfg.value("name", std::string());
  if (base.empty()) {
    std::string t = cfg.at("type").get<std::string>();
    base = t + "_" + std::to_string(++counts[t]);
  }
  layer->name = base;
  layer->input_shape = in;
  Rng stream = init.split();  // one stream per layer
  *out = layer->build(in, stream);
  layer->output_shape = *out;
  layer->set_rng(dropout);
  return layer;
}

}  // namespace

template <typename T>
Model<T>::Model(const ModelSpec& spec, uint64_t seed) : spec_(spec), dropout_rng_(seed ^ 0x5DEECE66Dull) {
  if (spec_.heads.empty()) throw Error("model: at least one head is needed");
  Rng init(seed);
  std::map<std::string, int> counts;
  Shape shape = spec_.input;
  for (size_t i = 0; i < spec_.trunk.size(); ++i) {
    Shape out;
    trunk_.push_back(build_layer<T>(spec_.trunk[i], "[model] layer " + std::to_string(i + 1), shape, &out, init, counts,
                                    &dropout_rng_));
    shape = out;
  }
  // Nothing needs the gradient with respect to the model's input.
  if (!trunk_.empty()) trunk_.front()->need_input_grad = false;
  const Shape trunk_shape = shape;
  for (const HeadSpec& h : spec_.heads) {
    std::vector<std::unique_ptr<Layer<T>>> chain;
    Shape hs = trunk_shape;
    for (size_t i = 0; i < h.layers.size(); ++i) {
      Shape out;
      chain.push_back(build_layer<T>(h.layers[i], "[model] head " + h.name + " layer " + std::to_string(i + 1), hs,
                                     &out, init, counts, &dropout_rng_));
      hs = out;
    }
    heads_.push_back(std::move(chain));
  }
  trunk_out_.resize(trunk_.size());
  head_out_.resize(heads_.size());
  for (size_t h = 0; h < heads_.size(); ++h) head_out_[h].resize(heads_[h].size());
  trunk_dx_.resize(trunk_.size());
  head_dx_.resize(heads_.size());
  for (size_t h = 0; h < heads_.size(); ++h) head_dx_[h].resize(heads_[h].size());
  outputs_.resize(heads_.size());
}

template <typename T>
const Shape& Model<T>::output_shape(size_t head) const {
  if (!heads_[head].empty()) return heads_[head].back()->output_shape;
  if (!trunk_.empty()) return trunk_.back()->output_shape;
  return spec_.input;
}

template <typename T>
const std::vector<Tensor<T>>& Model<T>::forward(const Tensor<T>& x, bool training) {
  input_ = &x;
  const Tensor<T>* cur = &x;
  for (size_t i = 0; i < trunk_.size(); ++i) {
    trunk_[i]->forward(*cur, trunk_out_[i], training);
    cur = &trunk_out_[i];
  }
  const Tensor<T>* trunk_final = cur;
  for (size_t h = 0; h < heads_.size(); ++h) {
    const Tensor<T>* hc = trunk_final;
    for (size_t i = 0; i < heads_[h].size(); ++i) {
      heads_[h][i]->forward(*hc, head_out_[h][i], training);
      hc = &head_out_[h][i];
    }
    outputs_[h] = *hc;
  }
  return outputs_;
}

template <typename T>
void Model<T>::backward(std::vector<Tensor<T>>& dys, bool accumulate) {
  if (dys.size() != heads_.size()) throw Error("model backward: one gradient per head is needed");
  const Tensor<T>& trunk_final = trunk_.empty() ? *input_ : trunk_out_.back();
  // Each layer writes its input gradient into its own buffer, whose shape then
  // never changes between steps (no re-zeroing on resize).
  Tensor<T>* dy = nullptr;
  for (size_t h = 0; h < heads_.size(); ++h) {
    Tensor<T>* hdy = &dys[h];
    for (size_t i = heads_[h].size(); i-- > 0;) {
      const Tensor<T>& in = i == 0 ? trunk_final : head_out_[h][i - 1];
      Tensor<T>& dx = head_dx_[h][i];
      heads_[h][i]->accumulate_grads = accumulate;
      heads_[h][i]->backward(in, head_out_[h][i], *hdy, dx);
      hdy = &dx;
    }
    if (heads_.size() == 1) {  // one head: its gradient is the trunk's, no sum
      dy = hdy;
      break;
    }
    if (h == 0) {
      trunk_grad_.resize(trunk_final.shape);
      std::copy(hdy->data.begin(), hdy->data.end(), trunk_grad_.data.begin());
    } else {
      for (size_t k = 0; k < trunk_grad_.size(); ++k) trunk_grad_.data[k] += hdy->data[k];
    }
    dy = &trunk_grad_;
  }
  for (size_t i = trunk_.size(); i-- > 0;) {
    const Tensor<T>& in = i == 0 ? *input_ : trunk_out_[i - 1];
    Tensor<T>& dx = trunk_dx_[i];
    trunk_[i]->accumulate_grads = accumulate;
    trunk_[i]->backward(in, trunk_out_[i], *dy, dx);  // the first layer skips dx (need_input_grad)
    dy = &dx;
  }
}

template <typename T>
void Model<T>::zero_grad() {
  for (Param<T>* p : params()) p->grad.zero();
}

template <typename T>
std::vector<std::pair<std::string, Param<T>*>> Model<T>::named_params() {
  std::vector<std::pair<std::string, Param<T>*>> out;
  auto add = [&out](Layer<T>& l) {
    for (Param<T>* p : l.params()) out.emplace_back(l.name + "." + p->name, p);
  };
  for (auto& l : trunk_) add(*l);
  for (auto& chain : heads_) {
    for (auto& l : chain) add(*l);
  }
  return out;
}

template <typename T>
std::vector<Param<T>*> Model<T>::params() {
  if (params_.empty()) {  // the layers and their parameters are fixed after construction
    for (auto& [name, p] : named_params()) params_.push_back(p);
  }
  return params_;
}

template <typename T>
size_t Model<T>::parameter_count(bool trainable_only) {
  size_t n = 0;
  for (Param<T>* p : params()) {
    if (!trainable_only || p->trainable) n += p->value.size();
  }
  return n;
}

template <typename T>
size_t Model<T>::macs() const {
  size_t n = 0;
  for (const auto& l : trunk_) n += l->macs();
  for (const auto& chain : heads_) {
    for (const auto& l : chain) n += l->macs();
  }
  return n;
}

template <typename T>
bool Model<T>::clips_layers() const {
  bool any = false;
  for (const auto& l : trunk_) any = any || l->clip_norm() > 0.0;
  for (const auto& chain : heads_) {
    for (const auto& l : chain) any = any || l->clip_norm() > 0.0;
  }
  return any;
}

namespace {

template <typename T>
void clip_layer(Layer<T>& l) {
  const double clip = l.clip_norm();
  if (!(clip > 0.0)) return;
  const std::vector<Param<T>*> ps = l.params();
  double sum = 0.0;
  for (const Param<T>* p : ps) {
    for (const T g : p->grad.data) {
      const double v = static_cast<double>(g) + 1e-16;
      sum += v * v;
    }
  }
  const double c = clip / (std::sqrt(sum) + 1e-16);
  if (c >= 1.0) return;
  for (Param<T>* p : ps) {
    for (T& g : p->grad.data) g = static_cast<T>(static_cast<double>(g) * c);
  }
}

}  // namespace

template <typename T>
void Model<T>::clip_layer_gradients() {
  for (auto& l : trunk_) clip_layer(*l);
  for (auto& chain : heads_) {
    for (auto& l : chain) clip_layer(*l);
  }
}

template <typename T>
bool Model<T>::mixes_batch() const {
  for (const auto& l : trunk_) {
    if (l->mixes_batch()) return true;
  }
  for (const auto& chain : heads_) {
    for (const auto& l : chain) {
      if (l->mixes_batch()) return true;
    }
  }
  return false;
}

template <typename T>
std::string Model<T>::summary() {
  std::string s;
  char line[256];
  std::snprintf(line, sizeof line, "%-28s %-22s %10s\n", "Layer (type)", "Output shape", "Params");
  s += line;
  auto row = [&](Layer<T>& l, const std::string& prefix) {
    size_t n = 0;
    for (Param<T>* p : l.params()) n += p->value.size();
    const std::string name = prefix + l.name + " (" + l.type() + ")";
    std::snprintf(line, sizeof line, "%-28s %-22s %10zu\n", name.c_str(), shape_str(l.output_shape).c_str(), n);
    s += line;
  };
  for (auto& l : trunk_) row(*l, "");
  for (size_t h = 0; h < heads_.size(); ++h) {
    for (auto& l : heads_[h]) row(*l, spec_.heads[h].name + "/");
  }
  std::snprintf(line, sizeof line, "Total params: %zu (trainable %zu); %zu MACs per example\n", parameter_count(),
                parameter_count(true), macs());
  s += line;
  return s;
}

template <typename T>
nlohmann::json Model<T>::architecture() {
  nlohmann::json j = to_json(spec_);
  auto describe = [](Layer<T>& l) {
    nlohmann::json d = l.config();
    d["name"] = l.name;
    d["input_shape"] = l.input_shape;
    d["output_shape"] = l.output_shape;
    nlohmann::json ps = nlohmann::json::array();
    for (Param<T>* p : l.params())
      ps.push_back({{"name", p->name}, {"shape", p->value.shape}, {"trainable", p->trainable}});
    d["params"] = ps;
    return d;
  };
  j["layers"] = nlohmann::json::array();
  for (auto& l : trunk_) j["layers"].push_back(describe(*l));
  for (size_t h = 0; h < heads_.size(); ++h) {
    for (auto& l : heads_[h]) {
      nlohmann::json d = describe(*l);
      d["head"] = spec_.heads[h].name;
      j["layers"].push_back(d);
    }
  }
  j["parameters"] = parameter_count();
  j["macs_per_example"] = macs();
  return j;
}

template class Model<float>;
template class Model<double>;

}  // namespace earshot::nn
