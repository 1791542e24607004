// make_layer: a layer from its Keras-like JSON config. Every key is checked
// (type, range, unknown keys), and errors say where, which key, what was
// expected and what was found:
//   "recipes/bells.toml:[model] layer 2: conv1d: key 'filters' must be a positive integer, got \"8\""
#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <optional>

#include "earshot/error.h"
#include "earshot/nn/layers.h"

namespace earshot::nn {
namespace {

using nlohmann::json;

// Keys each type accepts besides "type" and "name"; the order is the one
// printed in error messages.
const std::vector<std::pair<std::string, std::vector<std::string>>>& type_table() {
  static const std::vector<std::pair<std::string, std::vector<std::string>>> table = {
      {"dense", {"units", "activation", "use_bias"}},
      {"conv1d", {"filters", "kernel_size", "strides", "padding", "activation", "use_bias"}},
      {"conv2d", {"filters", "kernel_size", "strides", "padding", "activation", "use_bias"}},
      {"max_pool1d", {"pool_size", "strides", "padding"}},
      {"max_pool2d", {"pool_size", "strides", "padding"}},
      {"global_max_pool1d", {}},
      {"global_max_pool2d", {}},
      {"global_avg_pool1d", {}},
      {"global_avg_pool2d", {}},
      {"flatten", {}},
      {"reshape", {"target_shape"}},
      {"dropout", {"rate"}},
      {"activation", {"activation", "temperature"}},
      {"batch_norm", {"momentum", "epsilon"}},
  };
  return table;
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

std::string shown(const json& v) {
  std::string s = v.dump();
  if (s.size() > 40) s = s.substr(0, 37) + "...";
  return s;
}

class Reader {
 public:
  Reader(const json& j, std::string where, std::string type) : j_(j), where_(std::move(where)), type_(std::move(type)) {}

  [[noreturn]] void fail(const std::string& msg) const { throw Error(where_, 0, type_ + ": " + msg); }
  [[noreturn]] void bad(const std::string& key, const std::string& expected) const {
    fail("key '" + key + "' must be " + expected + ", got " + shown(j_.at(key)));
  }
  const json* find(const std::string& key) const {
    auto it = j_.find(key);
    return it == j_.end() ? nullptr : &*it;
  }
  const json& need(const std::string& key, const std::string& expected) const {
    const json* v = find(key);
    if (v == nullptr) fail("missing key '" + key + "' (" + expected + ")");
    return *v;
  }

  static bool positive_int(const json& v, size_t* out) {
    if (!v.is_number_integer()) return false;  // booleans and floats are not
    if (!v.is_number_unsigned() && v.get<long long>() <= 0) return false;
    const auto n = v.get<unsigned long long>();
    if (n == 0) return false;
    *out = size_t(n);
    return true;
  }

  size_t count(const std::string& key, std::optional<size_t> dflt = std::nullopt) const {
    const char* what = "a positive integer";
    if (!dflt && !find(key)) need(key, what);
    if (!find(key)) return *dflt;
    size_t n = 0;
    if (!positive_int(j_.at(key), &n)) bad(key, what);
    return n;
  }

  // An integer (both axes) or a list of two integers; rank 1 takes an integer
  // or a list of one.
  std::array<size_t, 2> sizes(const std::string& key, int rank, std::optional<std::array<size_t, 2>> dflt) const {
    const std::string what = rank == 1 ? "a positive integer" : "a positive integer or a list of 2 positive integers";
    const json* v = find(key);
    if (v == nullptr || (dflt && v->is_null())) {
      if (!dflt) need(key, what);
      return *dflt;
    }
    size_t a = 0, b = 0;
    if (positive_int(*v, &a)) return {a, rank == 1 ? size_t(1) : a};
    if (v->is_array() && v->size() == size_t(rank) && positive_int((*v)[0], &a) &&
        (rank == 1 || positive_int((*v)[1], &b))) {
      return {a, rank == 1 ? size_t(1) : b};
    }
    bad(key, what);
  }

  double number(const std::string& key, double dflt, const std::function<bool(double)>& ok,
                const std::string& what) const {
    const json* v = find(key);
    if (v == nullptr) return dflt;
    if (!v->is_number() || !ok(v->get<double>())) bad(key, what);
    return v->get<double>();
  }
  double required_number(const std::string& key, const std::function<bool(double)>& ok,
                         const std::string& what) const {
    need(key, what);
    return number(key, 0.0, ok, what);
  }

  bool boolean(const std::string& key, bool dflt) const {
    const json* v = find(key);
    if (v == nullptr) return dflt;
    if (!v->is_boolean()) bad(key, "true or false");
    return v->get<bool>();
  }

  // A name, or null for linear (Keras activation=None).
  Activation activation(const std::string& key, bool required) const {
    const std::string what = "one of linear, relu, sigmoid, tanh, softmax";
    const json* v = required ? &need(key, what) : find(key);
    if (v == nullptr || (!required && v->is_null())) return Activation::kLinear;
    if (!v->is_string()) bad(key, what);
    try {
      return activation_from_name(v->get<std::string>());
    } catch (const Error& e) {
      fail("key '" + key + "': " + e.what());
    }
  }

  Padding padding(const std::string& key) const {
    const json* v = find(key);
    if (v == nullptr) return Padding::kValid;
    if (!v->is_string() || (*v != "valid" && *v != "same")) bad(key, "\"valid\" or \"same\"");
    return padding_from_name(v->get<std::string>());
  }

  std::vector<long> shape(const std::string& key) const {
    const std::string what = "a list of positive integers (one may be -1)";
    const json& v = need(key, what);
    if (!v.is_array() || v.empty()) bad(key, what);
    std::vector<long> out;
    int inferred = 0;
    for (const json& d : v) {
      if (!d.is_number_integer()) bad(key, what);
      const long long n = d.get<long long>();
      if (n == -1) ++inferred;
      if (n == 0 || n < -1 || inferred > 1) bad(key, what);
      out.push_back(long(n));
    }
    return out;
  }

 private:
  const json& j_;
  std::string where_, type_;
};

template <typename T>
std::unique_ptr<Layer<T>> construct(const std::string& type, const Reader& r) {
  if (type == "dense") {
    return std::make_unique<Dense<T>>(r.count("units"), r.activation("activation", false), r.boolean("use_bias", true));
  }
  if (type == "conv1d" || type == "conv2d") {
    const int rank = type == "conv1d" ? 1 : 2;
    const size_t filters = r.count("filters");
    const auto k = r.sizes("kernel_size", rank, std::nullopt);
    const auto s = r.sizes("strides", rank, std::array<size_t, 2>{1, 1});
    const Padding p = r.padding("padding");
    const Activation a = r.activation("activation", false);
    const bool bias = r.boolean("use_bias", true);
    if (rank == 1) return std::make_unique<Conv1D<T>>(filters, k[0], s[0], p, a, bias);
    return std::make_unique<Conv2D<T>>(filters, k, s, p, a, bias);
  }
  if (type == "max_pool1d") {
    const size_t pool = r.sizes("pool_size", 1, std::array<size_t, 2>{2, 1})[0];
    const size_t stride = r.sizes("strides", 1, std::array<size_t, 2>{pool, 1})[0];
    return std::make_unique<MaxPool1D<T>>(pool, stride, r.padding("padding"));
  }
  if (type == "max_pool2d") {
    const auto pool = r.sizes("pool_size", 2, std::array<size_t, 2>{2, 2});
    const auto stride = r.sizes("strides", 2, pool);
    return std::make_unique<MaxPool2D<T>>(pool, stride, r.padding("padding"));
  }
  if (type == "global_max_pool1d") return std::make_unique<GlobalPool<T>>(PoolOp::kMax, 1);
  if (type == "global_max_pool2d") return std::make_unique<GlobalPool<T>>(PoolOp::kMax, 2);
  if (type == "global_avg_pool1d") return std::make_unique<GlobalPool<T>>(PoolOp::kAverage, 1);
  if (type == "global_avg_pool2d") return std::make_unique<GlobalPool<T>>(PoolOp::kAverage, 2);
  if (type == "flatten") return std::make_unique<Flatten<T>>();
  if (type == "reshape") return std::make_unique<Reshape<T>>(r.shape("target_shape"));
  if (type == "dropout") {
    const double rate =
        r.required_number("rate", [](double v) { return v >= 0.0 && v < 1.0; }, "a number in [0, 1)");
    return std::make_unique<Dropout<T>>(rate);
  }
  if (type == "activation") {
    const Activation a = r.activation("activation", true);
    const double t = r.number(
        "temperature", 1.0, [](double v) { return v > 0.0 && std::isfinite(v); }, "a positive number");
    if (a != Activation::kSoftmax && t != 1.0) r.fail("key 'temperature' applies to softmax only");
    return std::make_unique<ActivationLayer<T>>(a, t);
  }
  if (type == "batch_norm") {
    const double m = r.number(
        "momentum", 0.99, [](double v) { return v >= 0.0 && v <= 1.0; }, "a number in [0, 1]");
    const double e = r.number(
        "epsilon", 1e-3, [](double v) { return v > 0.0 && std::isfinite(v); }, "a positive number");
    return std::make_unique<BatchNorm<T>>(m, e);
  }
  return nullptr;
}

}  // namespace

template <typename T>
std::unique_ptr<Layer<T>> make_layer(const nlohmann::json& config, const std::string& where) {
  const std::string at = where.empty() ? "layer" : where;
  const auto& table = type_table();
  std::vector<std::string> names;
  for (const auto& [t, keys] : table) names.push_back(t);
  if (!config.is_object()) throw Error(at, 0, "a layer must be a table/object with a 'type', got " + shown(config));
  auto it = config.find("type");
  if (it == config.end()) throw Error(at, 0, "missing key 'type' (one of: " + join(names) + ")");
  if (!it->is_string()) throw Error(at, 0, "key 'type' must be a string (one of: " + join(names) + "), got " + shown(*it));
  const std::string type = it->get<std::string>();
  auto entry = std::find_if(table.begin(), table.end(), [&](const auto& e) { return e.first == type; });
  if (entry == table.end()) throw Error(at, 0, "unknown layer type '" + type + "' (valid: " + join(names) + ")");

  const Reader r(config, at, type);
  std::vector<std::string> allowed = {"type", "name"};
  allowed.insert(allowed.end(), entry->second.begin(), entry->second.end());
  for (const auto& [key, value] : config.items()) {
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      r.fail("unknown key '" + key + "' (valid keys: " + join(allowed) + ")");
    }
  }
  std::string name;
  if (const json* n = r.find("name")) {
    if (!n->is_string()) r.bad("name", "a string");
    name = n->get<std::string>();
  }
  std::unique_ptr<Layer<T>> layer;
  try {
    layer = construct<T>(type, r);
  } catch (const Error& e) {
    if (e.file() == at) throw;
    throw Error(at, 0, type + ": " + e.what());
  }
  layer->name = name;
  return layer;
}

template std::unique_ptr<Layer<float>> make_layer<float>(const nlohmann::json&, const std::string&);
template std::unique_ptr<Layer<double>> make_layer<double>(const nlohmann::json&, const std::string&);

}  // namespace earshot::nn
