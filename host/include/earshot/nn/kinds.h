// Layer kinds: each kind is described once, in the file that implements it
// (host/src/nn/layers_*.cc): its recipe name and Keras class, its parameters
// (earshot/params.h: type, default, allowed values, one line of docs), the
// factory of its training implementation, and its lowering to graph ops
// (earshot/deploy/lowering.h). The registry below lists them explicitly (no
// static self-registration); recipe checking, make_layer(), config emission,
// export and docs/layers.md all go through it. docs/extending.md lists the
// files a new kind touches.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "earshot/nn/layer.h"
#include "earshot/params.h"

namespace earshot::deploy {
class Lowering;
struct Value;
}  // namespace earshot::deploy

namespace earshot::nn {

struct LayerKind {
  const char* name = "";   // recipe type, e.g. "conv1d"
  const char* keras = "";  // Keras class, e.g. "Conv1D"
  const char* doc = "";    // one paragraph for docs/layers.md
  ParamList params = {};
  // Rules across keys (e.g. temperature only with softmax): an error message, or "".
  std::string (*check)(const Params& p) = nullptr;
  std::unique_ptr<Layer<float>> (*make_float)(const LayerArgs& args) = nullptr;
  std::unique_ptr<Layer<double>> (*make_double)(const LayerArgs& args) = nullptr;
  // Appends the float graph ops for a built layer to the lowering and returns
  // the value it produces; nullptr when the kind cannot be exported.
  void (*lower)(deploy::Lowering& g, Layer<float>& layer, deploy::Value& value) = nullptr;
  // How the kind is exported when that is not through `lower` (docs/layers.md
  // prints it instead of "Exported"/"Not exported"); nullptr: by `lower`.
  const char* export_note = nullptr;
  // A family's variant (conv rank, pooling op and rank): read by the shared class.
  int rank = 0;
  int variant = 0;
  // An example for the registry test and the docs: a valid config (the
  // required keys), an input shape it accepts and the layers that must come
  // before it (batch_norm after a dense).
  nlohmann::json example = nlohmann::json::object();
  Shape example_input = {};
  std::vector<nlohmann::json> example_before = {};
};

// The factory for a class template L<T> constructed from LayerArgs.
template <template <typename> class L, typename T>
std::unique_ptr<Layer<T>> make_kind(const LayerArgs& args) {
  return std::make_unique<L<T>>(args);
}

// Every kind, in the order docs/layers.md lists them.
inline constexpr size_t kLayerKindCount = 17;
std::span<const LayerKind* const> layer_kinds();
// nullptr when unknown.
const LayerKind* find_layer_kind(std::string_view name);
// "dense, conv1d, ..." for error messages.
std::string layer_kind_names();

// The registered kinds, defined in the files that implement them.
const LayerKind& dense_kind();
const LayerKind& conv1d_kind();
const LayerKind& conv2d_kind();
const LayerKind& max_pool1d_kind();
const LayerKind& max_pool2d_kind();
const LayerKind& global_max_pool1d_kind();
const LayerKind& global_max_pool2d_kind();
const LayerKind& global_avg_pool1d_kind();
const LayerKind& global_avg_pool2d_kind();
const LayerKind& flatten_kind();
const LayerKind& reshape_kind();
const LayerKind& dropout_kind();
const LayerKind& activation_kind();
const LayerKind& batch_norm_kind();
const LayerKind& simple_rnn_kind();
const LayerKind& gru_kind();
const LayerKind& lstm_kind();

// docs/layers.md: every kind with its parameter table.
std::string layers_markdown();

}  // namespace earshot::nn
