#include "toml_section.h"

#include <cmath>
#include <sstream>

#include "earshot/error.h"

namespace earshot::detail {

std::string describe(const toml::node& n) {
  std::ostringstream ss;
  switch (n.type()) {
    case toml::node_type::string: ss << '"' << *n.value<std::string>() << "\" (a string)"; break;
    case toml::node_type::integer: ss << *n.value<int64_t>() << " (an integer)"; break;
    case toml::node_type::floating_point: ss << *n.value<double>() << " (a number)"; break;
    case toml::node_type::boolean: ss << (*n.value<bool>() ? "true" : "false") << " (a boolean)"; break;
    case toml::node_type::array: ss << "an array"; break;
    case toml::node_type::table: ss << "a table"; break;
    case toml::node_type::date:
    case toml::node_type::time:
    case toml::node_type::date_time: ss << "a date or time"; break;
    case toml::node_type::none: ss << "nothing"; break;
  }
  return ss.str();
}

nlohmann::json to_json(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::string: return *n.value<std::string>();
    case toml::node_type::integer: return *n.value<int64_t>();
    case toml::node_type::floating_point: return *n.value<double>();
    case toml::node_type::boolean: return *n.value<bool>();
    case toml::node_type::none:
    case toml::node_type::table:
    case toml::node_type::array:
    case toml::node_type::date:
    case toml::node_type::time:
    case toml::node_type::date_time: break;  // toml++ writes these as JSON
  }
  std::ostringstream ss;
  ss << toml::json_formatter{n};
  return nlohmann::json::parse(ss.str());
}

Section::Section(const toml::table* table, std::string name, std::string file, int line)
    : table_(table), name_(std::move(name)), file_(std::move(file)), line_(line) {}

bool Section::has(const std::string& key) const { return table_ != nullptr && table_->contains(key); }

int Section::line_of(const std::string& key) const {
  if (table_ == nullptr) return line_;
  const toml::node* n = table_->get(key);
  return n != nullptr ? static_cast<int>(n->source().begin.line) : line_;
}

void Section::fail(const std::string& key, const std::string& what) const {
  const std::string where = name_.empty() ? key : "[" + name_ + "] " + key;
  throw Error(file_, line_of(key), where + ": " + what);
}

const toml::node* Section::node(const std::string& key) {
  used_.insert(key);
  return table_ != nullptr ? table_->get(key) : nullptr;
}

int Section::get_int(const std::string& key, int def, int lo, int hi) {
  const toml::node* n = node(key);
  if (n == nullptr) return def;
  const auto v = n->value<int64_t>();
  if (!n->is_integer() || !v) {
    fail(key, "expected an integer from " + std::to_string(lo) + " to " + std::to_string(hi) + ", got " + describe(*n));
  }
  if (*v < lo || *v > hi) {
    fail(key, "expected an integer from " + std::to_string(lo) + " to " + std::to_string(hi) + ", got " +
                  std::to_string(*v));
  }
  return static_cast<int>(*v);
}

double Section::get_number(const std::string& key, double def, double lo, double hi) {
  const toml::node* n = node(key);
  if (n == nullptr) return def;
  if (!n->is_number()) fail(key, "expected a number, got " + describe(*n));
  const double v = *n->value<double>();
  if (!std::isfinite(v) || v < lo || v > hi) {
    std::ostringstream ss;
    ss << "expected a number from " << lo << " to " << hi << ", got " << v;
    fail(key, ss.str());
  }
  return v;
}

bool Section::get_bool(const std::string& key, bool def) {
  const toml::node* n = node(key);
  if (n == nullptr) return def;
  if (!n->is_boolean()) fail(key, "expected true or false, got " + describe(*n));
  return *n->value<bool>();
}

std::string Section::get_string(const std::string& key, const std::string& def) {
  const toml::node* n = node(key);
  if (n == nullptr) return def;
  if (!n->is_string()) fail(key, "expected a string, got " + describe(*n));
  return *n->value<std::string>();
}

std::string Section::get_choice(const std::string& key, const std::string& def,
                                std::initializer_list<const char*> options) {
  const std::string v = get_string(key, def);
  std::string list;
  for (const char* o : options) {
    if (v == o) return v;
    list += std::string(list.empty() ? "" : ", ") + "\"" + o + "\"";
  }
  fail(key, "expected one of " + list + ", got \"" + v + "\"");
}

std::vector<std::string> Section::get_strings(const std::string& key) {
  const toml::node* n = node(key);
  std::vector<std::string> out;
  if (n == nullptr) return out;
  const toml::array* a = n->as_array();
  if (a == nullptr) fail(key, "expected an array of strings, got " + describe(*n));
  for (const toml::node& e : *a) {
    if (!e.is_string()) fail(key, "expected an array of strings, found " + describe(e));
    out.push_back(*e.value<std::string>());
  }
  return out;
}

std::vector<float> Section::get_floats(const std::string& key) {
  const toml::node* n = node(key);
  std::vector<float> out;
  if (n == nullptr) return out;
  const toml::array* a = n->as_array();
  if (a == nullptr) fail(key, "expected an array of numbers, got " + describe(*n));
  for (const toml::node& e : *a) {
    if (!e.is_number()) fail(key, "expected an array of numbers, found " + describe(e));
    out.push_back(static_cast<float>(*e.value<double>()));
  }
  return out;
}

const toml::table* Section::subtable(const std::string& key) {
  const toml::node* n = node(key);
  if (n == nullptr) return nullptr;
  const std::string full = name_.empty() ? key : name_ + "." + key;
  if (!n->is_table()) fail(key, "expected a table ([" + full + "]), got " + describe(*n));
  return n->as_table();
}

nlohmann::json Section::get_params(const ParamList& list) {
  nlohmann::json given = nlohmann::json::object();
  for (const ParamDesc& p : list) {
    const toml::node* n = node(p.key);
    if (n == nullptr) {
      if (p.required()) fail(p.key, "missing (" + p.expected() + ")");
      continue;
    }
    std::string error;
    nlohmann::json v = p.canonical(to_json(*n), &error);
    if (!error.empty()) fail(p.key, "expected " + p.expected() + ", got " + describe(*n));
    given[p.key] = std::move(v);
  }
  return normalize_params(list, given, file_, "[" + name_ + "] ");
}

void Section::finish(std::initializer_list<const char*> also_allowed) const {
  if (table_ == nullptr) return;
  for (const auto& [k, v] : *table_) {
    const std::string key(k.str());
    if (used_.count(key)) continue;
    bool allowed = false;
    for (const char* a : also_allowed) allowed = allowed || key == a;
    if (allowed) continue;
    std::string known;
    for (const std::string& u : used_) known += (known.empty() ? "" : ", ") + u;
    for (const char* a : also_allowed) {
      if (!used_.count(a)) known += (known.empty() ? "" : ", ") + std::string(a);
    }
    const std::string where = name_.empty() ? "top level" : "[" + name_ + "]";
    throw Error(file_, static_cast<int>(v.source().begin.line),
                "unknown key '" + key + "' in " + where + "; known keys: " + known);
  }
}

}  // namespace earshot::detail
