// Parameter descriptions: the one place where a kind (a layer kind, a data
// source, a generator) says which keys it takes, their types, defaults,
// allowed values and one line of documentation. Everything else is derived
// from them: checking a recipe's table or a layer's config (unknown keys,
// wrong types, out-of-range values, errors that name the key and what was
// expected), filling defaults, the canonical config written to run
// directories, --help texts and docs/layers.md. Code that reads a value goes
// through Params' typed getters, which refuse a key the description does not
// declare, so a key cannot be accepted by one stage and unknown to another.
#pragma once

#include <array>
#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace earshot {

enum class ParamType : uint8_t {
  kCount,    // a positive integer
  kInteger,  // an integer in [lo, hi]
  kSizes,    // rank 1: a positive integer; rank 2: one or a list of two
  kNumber,   // a finite number in the range
  kBool,     // true or false
  kChoice,   // one of `choices` (strings)
  kString,   // any string
  kShape,    // a list of positive integers, one of which may be -1
  kStrings,  // a list of strings
};

struct ParamDesc {
  std::string key;
  ParamType type = ParamType::kNumber;
  nlohmann::json default_value;  // null: required (unless default_from or optional)
  std::string doc;               // one line, for --help and the docs
  // kNumber / kInteger: the allowed range, ends closed unless *_open.
  double lo = 0.0, hi = 0.0;
  bool lo_open = false, hi_open = false;
  std::vector<std::string> choices;  // kChoice
  int rank = 1;                      // kSizes
  bool nullable = false;             // null is accepted and means the default
  bool optional = false;             // may be absent with no default (then absent from the canonical form)
  std::string default_from;          // absent: take this other key's (canonical) value

  // Fluent builders, so a description reads as one line per key.
  static ParamDesc count(std::string key, std::string doc);
  static ParamDesc integer(std::string key, double lo, double hi, std::string doc);
  static ParamDesc sizes(std::string key, int rank, std::string doc);
  static ParamDesc number(std::string key, double lo, double hi, std::string doc);
  static ParamDesc boolean(std::string key, std::string doc);
  static ParamDesc choice(std::string key, std::vector<std::string> choices, std::string doc);
  static ParamDesc string(std::string key, std::string doc);
  static ParamDesc shape(std::string key, std::string doc);
  static ParamDesc strings(std::string key, std::string doc);
  ParamDesc&& def(nlohmann::json v) &&;
  ParamDesc&& def_from(std::string other) &&;
  ParamDesc&& open_lo() &&;
  ParamDesc&& open_hi() &&;
  ParamDesc&& or_null() &&;
  ParamDesc&& maybe() &&;

  bool required() const { return default_value.is_null() && default_from.empty() && !optional; }
  // What a value must be, as error messages and docs say it:
  // "a positive integer", "a number in [0, 1)", "\"valid\" or \"same\"".
  std::string expected() const;
  // The default as the docs show it ("required", "= pool_size", "1", "\"valid\"").
  std::string default_text() const;
  // Checks `v` and returns its canonical form (kSizes of rank 1 as an
  // integer, rank 2 as a list of two); an empty optional-like null result
  // with *error set when it is not allowed.
  nlohmann::json canonical(const nlohmann::json& v, std::string* error) const;
};

using ParamList = std::vector<ParamDesc>;

const ParamDesc* find_param(const ParamList& list, std::string_view key);

// Checks `given` (an object) against `list`: unknown keys (besides those in
// `ignored`), missing required keys, types and ranges. Returns the canonical
// object: every declared key present (defaults filled), values canonical.
// Errors: earshot::Error(where, 0, prefix + "key 'k' must be <expected>, got <v>").
nlohmann::json normalize_params(const ParamList& list, const nlohmann::json& given, const std::string& where,
                                const std::string& prefix, const std::vector<std::string>& ignored = {});

// Read access to a canonical parameter object. Every getter checks that the
// key is declared with a matching type and throws std::logic_error when not:
// that is a programming error, which the registry tests find.
class Params {
 public:
  Params() = default;
  Params(const ParamList* list, nlohmann::json values) : list_(list), values_(std::move(values)) {}

  size_t count(std::string_view key) const;
  long long integer(std::string_view key) const;
  std::array<size_t, 2> sizes(std::string_view key) const;  // rank 1: {n, 1}
  double number(std::string_view key) const;
  bool flag(std::string_view key) const;
  const std::string& choice(std::string_view key) const;
  const std::string& string(std::string_view key) const;
  std::vector<long> shape(std::string_view key) const;
  std::vector<std::string> strings(std::string_view key) const;
  bool has(std::string_view key) const;  // an optional key that was given

  const nlohmann::json& values() const { return values_; }
  const ParamList& list() const { return *list_; }

 private:
  const nlohmann::json& get(std::string_view key, ParamType type) const;
  const ParamList* list_ = nullptr;
  nlohmann::json values_;
};

// A Markdown table of `list` (key, type, default, allowed values, doc).
std::string params_markdown(const ParamList& list);

}  // namespace earshot
