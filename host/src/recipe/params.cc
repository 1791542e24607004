#include "earshot/params.h"

#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>

#include "earshot/error.h"

namespace earshot {

using Json = nlohmann::json;

namespace {

std::string num(double v) {
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  if (v == std::floor(v) && std::abs(v) < 1e16) return std::to_string(static_cast<long long>(v));  // 1000000, not 1e+06
  std::ostringstream ss;
  ss << v;
  return ss.str();
}

std::string shown(const Json& v) {
  std::string s = v.dump();
  if (s.size() > 40) s = s.substr(0, 37) + "...";
  return s;
}

const char* type_name(ParamType t) {
  switch (t) {
    case ParamType::kCount: return "count";
    case ParamType::kInteger: return "integer";
    case ParamType::kSizes: return "sizes";
    case ParamType::kNumber: return "number";
    case ParamType::kBool: return "bool";
    case ParamType::kChoice: return "choice";
    case ParamType::kString: return "string";
    case ParamType::kShape: return "shape";
    case ParamType::kStrings: return "strings";
  }
  return "?";
}

bool positive_int(const Json& v, size_t* out) {
  if (!v.is_number_integer()) return false;  // booleans and floats are not
  if (!v.is_number_unsigned() && v.get<long long>() <= 0) return false;
  const auto n = v.get<unsigned long long>();
  if (n == 0) return false;
  *out = static_cast<size_t>(n);
  return true;
}

ParamDesc make(std::string key, ParamType type, std::string doc) {
  ParamDesc d;
  d.key = std::move(key);
  d.type = type;
  d.doc = std::move(doc);
  return d;
}

}  // namespace

ParamDesc ParamDesc::count(std::string key, std::string doc) {
  return make(std::move(key), ParamType::kCount, std::move(doc));
}
ParamDesc ParamDesc::integer(std::string key, double lo, double hi, std::string doc) {
  ParamDesc d = make(std::move(key), ParamType::kInteger, std::move(doc));
  d.lo = lo;
  d.hi = hi;
  return d;
}
ParamDesc ParamDesc::sizes(std::string key, int rank, std::string doc) {
  ParamDesc d = make(std::move(key), ParamType::kSizes, std::move(doc));
  d.rank = rank;
  return d;
}
ParamDesc ParamDesc::number(std::string key, double lo, double hi, std::string doc) {
  ParamDesc d = make(std::move(key), ParamType::kNumber, std::move(doc));
  d.lo = lo;
  d.hi = hi;
  return d;
}
ParamDesc ParamDesc::boolean(std::string key, std::string doc) {
  return make(std::move(key), ParamType::kBool, std::move(doc));
}
ParamDesc ParamDesc::choice(std::string key, std::vector<std::string> choices, std::string doc) {
  ParamDesc d = make(std::move(key), ParamType::kChoice, std::move(doc));
  d.choices = std::move(choices);
  return d;
}
ParamDesc ParamDesc::string(std::string key, std::string doc) {
  return make(std::move(key), ParamType::kString, std::move(doc));
}
ParamDesc ParamDesc::shape(std::string key, std::string doc) {
  return make(std::move(key), ParamType::kShape, std::move(doc));
}
ParamDesc ParamDesc::strings(std::string key, std::string doc) {
  return make(std::move(key), ParamType::kStrings, std::move(doc));
}
ParamDesc&& ParamDesc::def(Json v) && {
  default_value = std::move(v);
  return std::move(*this);
}
ParamDesc&& ParamDesc::def_from(std::string other) && {
  default_from = std::move(other);
  return std::move(*this);
}
ParamDesc&& ParamDesc::open_lo() && {
  lo_open = true;
  return std::move(*this);
}
ParamDesc&& ParamDesc::open_hi() && {
  hi_open = true;
  return std::move(*this);
}
ParamDesc&& ParamDesc::or_null() && {
  nullable = true;
  return std::move(*this);
}
ParamDesc&& ParamDesc::maybe() && {
  optional = true;
  return std::move(*this);
}

std::string ParamDesc::expected() const {
  switch (type) {
    case ParamType::kCount: return "a positive integer";
    case ParamType::kInteger: return "an integer from " + num(lo) + " to " + num(hi);
    case ParamType::kSizes:
      return rank == 1 ? "a positive integer"
                       : "a positive integer or a list of " + std::to_string(rank) + " positive integers";
    case ParamType::kNumber:
      if (lo == 0.0 && lo_open && std::isinf(hi)) return "a positive number";
      if (std::isinf(lo) && std::isinf(hi)) return "a number";
      return std::string("a number in ") + (lo_open ? "(" : "[") + num(lo) + ", " + num(hi) + (hi_open ? ")" : "]");
    case ParamType::kBool: return "true or false";
    case ParamType::kChoice: {
      if (choices.size() == 2) return "\"" + choices[0] + "\" or \"" + choices[1] + "\"";
      std::string s = "one of ";
      for (size_t i = 0; i < choices.size(); ++i) s += (i ? ", \"" : "\"") + choices[i] + "\"";
      return s;
    }
    case ParamType::kString: return "a string";
    case ParamType::kShape: return "a list of positive integers (one may be -1)";
    case ParamType::kStrings: return "a list of strings";
  }
  return "?";
}

std::string ParamDesc::default_text() const {
  if (!default_from.empty()) return "= " + default_from;
  if (default_value.is_null()) return optional ? "(none)" : "required";
  return default_value.dump();
}

Json ParamDesc::canonical(const Json& v, std::string* error) const {
  auto bad = [&]() {
    *error = "key '" + key + "' must be " + expected() + ", got " + shown(v);
    return Json();
  };
  size_t a = 0, b = 0;
  switch (type) {
    case ParamType::kCount:
      if (!positive_int(v, &a)) return bad();
      return a;
    case ParamType::kInteger: {
      if (!v.is_number_integer()) return bad();
      const long long n = v.get<long long>();
      if (static_cast<double>(n) < lo || static_cast<double>(n) > hi) return bad();
      return n;
    }
    case ParamType::kSizes:
      if (positive_int(v, &a)) return rank == 1 ? Json(a) : Json::array({a, a});
      if (v.is_array() && v.size() == static_cast<size_t>(rank) && positive_int(v[0], &a) &&
          (rank == 1 || positive_int(v[1], &b))) {
        return rank == 1 ? Json(a) : Json::array({a, b});
      }
      return bad();
    case ParamType::kNumber: {
      if (!v.is_number() || v.is_boolean()) return bad();
      const double x = v.get<double>();
      if (!std::isfinite(x) || x < lo || x > hi || (lo_open && x == lo) || (hi_open && x == hi)) return bad();
      return v;
    }
    case ParamType::kBool:
      if (!v.is_boolean()) return bad();
      return v;
    case ParamType::kChoice:
      if (!v.is_string()) return bad();
      for (const std::string& c : choices) {
        if (v.get<std::string>() == c) return v;
      }
      return bad();
    case ParamType::kString:
      if (!v.is_string()) return bad();
      return v;
    case ParamType::kShape: {
      if (!v.is_array() || v.empty()) return bad();
      int inferred = 0;
      for (const Json& d : v) {
        if (!d.is_number_integer()) return bad();
        const long long n = d.get<long long>();
        if (n == -1) ++inferred;
        if (n == 0 || n < -1 || inferred > 1) return bad();
      }
      return v;
    }
    case ParamType::kStrings:
      if (!v.is_array()) return bad();
      for (const Json& s : v) {
        if (!s.is_string()) return bad();
      }
      return v;
  }
  return bad();
}

const ParamDesc* find_param(const ParamList& list, std::string_view key) {
  for (const ParamDesc& d : list) {
    if (d.key == key) return &d;
  }
  return nullptr;
}

Json normalize_params(const ParamList& list, const Json& given, const std::string& where, const std::string& prefix,
                      const std::vector<std::string>& ignored) {
  auto fail = [&](const std::string& what) { throw Error(where, 0, prefix + what); };
  if (!given.is_object()) fail("expected a table of parameters, got " + shown(given));
  for (const auto& [key, value] : given.items()) {
    bool known = find_param(list, key) != nullptr;
    for (const std::string& i : ignored) known = known || i == key;
    if (!known) {
      std::string valid;
      for (const std::string& i : ignored) valid += (valid.empty() ? "" : ", ") + i;
      for (const ParamDesc& d : list) valid += (valid.empty() ? "" : ", ") + d.key;
      fail("unknown key '" + key + "' (valid keys: " + valid + ")");
    }
  }
  Json out = Json::object();
  for (const ParamDesc& d : list) {
    auto it = given.find(d.key);
    const bool absent = it == given.end() || (d.nullable && it->is_null());
    if (absent) {
      if (d.required()) fail("missing key '" + d.key + "' (" + d.expected() + ")");
      if (!d.default_from.empty()) continue;  // filled below, once its source is canonical
      if (d.optional && d.default_value.is_null()) continue;
      out[d.key] = d.default_value;
      continue;
    }
    std::string error;
    Json v = d.canonical(*it, &error);
    if (!error.empty()) fail(error);
    out[d.key] = std::move(v);
  }
  for (const ParamDesc& d : list) {
    if (!d.default_from.empty() && !out.contains(d.key)) out[d.key] = out.at(d.default_from);
  }
  return out;
}

const Json& Params::get(std::string_view key, ParamType type) const {
  const ParamDesc* d = list_ != nullptr ? find_param(*list_, key) : nullptr;
  if (d == nullptr) throw std::logic_error("parameter '" + std::string(key) + "' is not declared");
  if (d->type != type) {
    throw std::logic_error("parameter '" + std::string(key) + "' is a " + type_name(d->type) + ", read as a " +
                           type_name(type));
  }
  auto it = values_.find(key);
  if (it == values_.end()) throw std::logic_error("parameter '" + std::string(key) + "' was not given (optional)");
  return *it;
}

bool Params::has(std::string_view key) const {
  if (list_ == nullptr || find_param(*list_, key) == nullptr) {
    throw std::logic_error("parameter '" + std::string(key) + "' is not declared");
  }
  return values_.contains(key);
}

size_t Params::count(std::string_view key) const { return get(key, ParamType::kCount).get<size_t>(); }
long long Params::integer(std::string_view key) const { return get(key, ParamType::kInteger).get<long long>(); }
std::array<size_t, 2> Params::sizes(std::string_view key) const {
  const Json& v = get(key, ParamType::kSizes);
  if (v.is_array()) return {v[0].get<size_t>(), v[1].get<size_t>()};
  return {v.get<size_t>(), 1};
}
double Params::number(std::string_view key) const { return get(key, ParamType::kNumber).get<double>(); }
bool Params::flag(std::string_view key) const { return get(key, ParamType::kBool).get<bool>(); }
const std::string& Params::choice(std::string_view key) const {
  return get(key, ParamType::kChoice).get_ref<const std::string&>();
}
const std::string& Params::string(std::string_view key) const {
  return get(key, ParamType::kString).get_ref<const std::string&>();
}
std::vector<long> Params::shape(std::string_view key) const {
  return get(key, ParamType::kShape).get<std::vector<long>>();
}
std::vector<std::string> Params::strings(std::string_view key) const {
  return get(key, ParamType::kStrings).get<std::vector<std::string>>();
}

std::string params_markdown(const ParamList& list) {
  if (list.empty()) return "No parameters.\n";
  std::string s = "| key | default | allowed | meaning |\n|---|---|---|---|\n";
  for (const ParamDesc& d : list) {
    std::string allowed = d.expected();
    for (char& c : allowed) {
      if (c == '|') c = '/';
    }
    s += "| `" + d.key + "` | " + (d.required() ? std::string("required") : "`" + d.default_text() + "`") + " | " +
         allowed + " | " + d.doc + " |\n";
  }
  return s;
}

}  // namespace earshot
