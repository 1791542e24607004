// The layer kind registry, make_layer() and the generic parts every layer
// shares through its kind: its type name, its canonical config, docs.
#include "earshot/nn/kinds.h"

#include <array>

#include "earshot/error.h"

namespace earshot::nn {

namespace {

using Json = nlohmann::json;
using KindFn = const LayerKind& (*)();

// The registry. A new kind is added here and counted in kLayerKindCount
// (kinds.h); the two must agree.
constexpr KindFn kKinds[] = {
    &dense_kind,
    &conv1d_kind,
    &conv2d_kind,
    &max_pool1d_kind,
    &max_pool2d_kind,
    &global_max_pool1d_kind,
    &global_max_pool2d_kind,
    &global_avg_pool1d_kind,
    &global_avg_pool2d_kind,
    &flatten_kind,
    &reshape_kind,
    &dropout_kind,
    &activation_kind,
    &batch_norm_kind,
    &simple_rnn_kind,
    &gru_kind,
    &lstm_kind,
};
static_assert(std::size(kKinds) == kLayerKindCount, "kLayerKindCount (kinds.h) must count the registry's kinds");

std::string shown(const Json& v) {
  std::string s = v.dump();
  if (s.size() > 40) s = s.substr(0, 37) + "...";
  return s;
}

const std::vector<std::string> kReserved = {"type", "name"};

}  // namespace

std::span<const LayerKind* const> layer_kinds() {
  static const std::array<const LayerKind*, kLayerKindCount> all = [] {
    std::array<const LayerKind*, kLayerKindCount> a{};
    for (size_t i = 0; i < kLayerKindCount; ++i) a[i] = &kKinds[i]();
    return a;
  }();
  return all;
}

const LayerKind* find_layer_kind(std::string_view name) {
  for (const LayerKind* k : layer_kinds()) {
    if (name == k->name) return k;
  }
  return nullptr;
}

std::string layer_kind_names() {
  std::string s;
  for (const LayerKind* k : layer_kinds()) s += (s.empty() ? "" : ", ") + std::string(k->name);
  return s;
}

LayerArgs layer_args(std::string_view type, const Json& values) {
  const LayerKind* kind = find_layer_kind(type);
  if (kind == nullptr)
    throw Error("unknown layer type '" + std::string(type) + "' (valid: " + layer_kind_names() + ")");
  Json canon = normalize_params(kind->params, values, kind->keras, "");
  Params p(&kind->params, std::move(canon));
  if (kind->check != nullptr) {
    if (const std::string e = kind->check(p); !e.empty()) throw Error(std::string(kind->keras) + ": " + e);
  }
  return {kind, std::move(p)};
}

template <typename T>
const char* Layer<T>::type() const {
  return kind_->keras;
}

template <typename T>
nlohmann::json Layer<T>::config() const {
  Json j = params_.values();
  j["type"] = kind_->name;
  if (!name.empty()) j["name"] = name;
  return j;
}

template <typename T>
std::unique_ptr<Layer<T>> make_layer(const Json& config, const std::string& where) {
  const std::string at = where.empty() ? "layer" : where;
  if (!config.is_object()) throw Error(at, 0, "a layer must be a table/object with a 'type', got " + shown(config));
  auto it = config.find("type");
  if (it == config.end()) throw Error(at, 0, "missing key 'type' (one of: " + layer_kind_names() + ")");
  if (!it->is_string()) {
    throw Error(at, 0, "key 'type' must be a string (one of: " + layer_kind_names() + "), got " + shown(*it));
  }
  const std::string type = it->get<std::string>();
  const LayerKind* kind = find_layer_kind(type);
  if (kind == nullptr) throw Error(at, 0, "unknown layer type '" + type + "' (valid: " + layer_kind_names() + ")");
  std::string name;
  if (auto n = config.find("name"); n != config.end()) {
    if (!n->is_string()) throw Error(at, 0, type + ": key 'name' must be a string, got " + shown(*n));
    name = n->get<std::string>();
  }
  Json canon = normalize_params(kind->params, config, at, type + ": ", kReserved);
  LayerArgs args{kind, Params(&kind->params, std::move(canon))};
  if (kind->check != nullptr) {
    if (const std::string e = kind->check(args.params); !e.empty()) throw Error(at, 0, type + ": " + e);
  }
  std::unique_ptr<Layer<T>> layer;
  if constexpr (std::is_same_v<T, float>) {
    layer = kind->make_float(args);
  } else {
    layer = kind->make_double(args);
  }
  layer->name = name;
  return layer;
}

std::string layers_markdown() {
  std::string s =
      "# Layer kinds\n\n"
      "Generated from the kinds' parameter descriptions (`earshot layers --markdown`);\n"
      "do not edit by hand. A recipe's `[model] layers` (and `[[model.heads]] layers`)\n"
      "list tables `{ type = \"...\", key = value, ... }`; every layer also takes `name`.\n"
      "A key that is not listed here is an error, and so is a value outside the\n"
      "allowed set. The canonical form of each layer (every key, defaults filled)\n"
      "is written to the run's `architecture.json`.\n";
  for (const LayerKind* k : layer_kinds()) {
    s += "\n## `" + std::string(k->name) + "` (" + k->keras + ")\n\n" + k->doc + "\n\n";
    s += k->export_note != nullptr
             ? std::string(k->export_note) + "\n\n"
             : std::string(k->lower != nullptr ? "Exported" : "Not exported") + " to `.tflite` and generated C++.\n\n";
    s += params_markdown(k->params);
  }
  return s;
}

template class Layer<float>;
template class Layer<double>;
template std::unique_ptr<Layer<float>> make_layer<float>(const Json&, const std::string&);
template std::unique_ptr<Layer<double>> make_layer<double>(const Json&, const std::string&);

}  // namespace earshot::nn
