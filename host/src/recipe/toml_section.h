// Typed, checked access to one TOML table with errors that name the file,
// line and key. finish() rejects keys nobody asked for (typos).
#pragma once

#include <initializer_list>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <toml++/toml.h>

#include "earshot/params.h"

namespace earshot::detail {

class Section {
 public:
  // table may be null (section absent): every get returns its default.
  Section(const toml::table* table, std::string name, std::string file, int line);

  bool has(const std::string& key) const;
  int get_int(const std::string& key, int def, int lo, int hi);
  double get_number(const std::string& key, double def, double lo, double hi);
  bool get_bool(const std::string& key, bool def);
  std::string get_string(const std::string& key, const std::string& def);
  // One of `options`; the error lists them.
  std::string get_choice(const std::string& key, const std::string& def, std::initializer_list<const char*> options);
  std::vector<std::string> get_strings(const std::string& key);
  std::vector<float> get_floats(const std::string& key);
  const toml::table* subtable(const std::string& key);
  // The keys `list` describes (earshot/params.h), checked one by one (errors
  // name the line and key), canonical, defaults filled.
  nlohmann::json get_params(const ParamList& list);
  int line_of(const std::string& key) const;

  [[noreturn]] void fail(const std::string& key, const std::string& what) const;
  void finish(std::initializer_list<const char*> also_allowed = {}) const;

 private:
  const toml::node* node(const std::string& key);
  const toml::table* table_;
  std::string name_;
  std::string file_;
  int line_;
  std::set<std::string> used_;
};

std::string describe(const toml::node& n);
// A TOML value as JSON (integers stay integers, floats keep their bits).
nlohmann::json to_json(const toml::node& n);

}  // namespace earshot::detail
