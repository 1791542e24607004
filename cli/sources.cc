// earshot data sources [NAME] [--json | --markdown]: the registered data
// sources, their [data] keys and `earshot generate` options, from the same
// descriptions recipes and the command line are checked against.
#include <cstdio>

#include "commands.h"
#include "earshot/data_sources.h"
#include "earshot/error.h"

namespace earshot::cli {
namespace {

using Json = nlohmann::json;

struct SourcesArgs {
  std::string name;
  bool markdown = false;
  bool json = false;
};

// How the reader types a key: a [data] key as it is, a generate option as
// its spellings (--recordings, --count).
std::string spelled(const ParamDesc& p, const DataSource* generator) {
  if (generator == nullptr) return p.key;
  std::string names;
  for (const std::string& n : option_names(*generator, p.key)) names += (names.empty() ? "" : ", ") + n;
  return names;
}

Json params_json(const ParamList& list, const DataSource* generator) {
  Json out = Json::array();
  for (const ParamDesc& p : list) {
    out.push_back({{"key", spelled(p, generator)},
                   {"allowed", p.expected()},
                   {"default", p.required() ? "required" : p.default_text()},
                   {"doc", p.doc}});
  }
  return out;
}

Json describe(const DataSource& s) {
  Json j = {{"name", s.name}, {"doc", s.doc}, {"feed", data_feed_text(s.feed)}};
  if (s.unavailable != nullptr && !s.unavailable().empty()) j["unavailable"] = s.unavailable();
  if (s.feed != DataFeed::kNone) j["data_keys"] = params_json(s.params, nullptr);
  if (s.write != nullptr) j["generate"] = {{"writes", s.writes}, {"options", params_json(s.generate_params, &s)}};
  return j;
}

void print_params(const std::string& title, const ParamList& list, const DataSource* generator) {
  std::printf("  %s\n", title.c_str());
  for (const ParamDesc& p : list) {
    std::printf("    %-20s %-8s %s; %s\n", spelled(p, generator).c_str(),
                p.required() ? "required" : p.default_text().c_str(), p.expected().c_str(), p.doc.c_str());
  }
}

void run(const SourcesArgs& a) {
  if (a.markdown) {
    std::fputs(data_sources_markdown().c_str(), stdout);
    return;
  }
  std::vector<const DataSource*> sources;
  if (a.name.empty()) {
    sources.assign(data_sources().begin(), data_sources().end());
  } else {
    const DataSource* s = find_data_source(a.name);
    if (s == nullptr) {
      std::string valid;
      for (const DataSource* d : data_sources()) valid += (valid.empty() ? "" : ", ") + std::string(d->name);
      throw Error("unknown data source '" + a.name + "' (valid: " + valid + ")");
    }
    sources = {s};
  }
  if (a.json) {
    Json j = Json::array();
    for (const DataSource* s : sources) j.push_back(describe(*s));
    std::printf("%s\n", j.dump(2).c_str());
    return;
  }
  for (const DataSource* s : sources) {
    std::printf("%s (%s%s)\n  %s\n", s->name, data_feed_text(s->feed), s->write ? "; earshot generate" : "", s->doc);
    if (s->feed != DataFeed::kNone && !s->params.empty()) print_params("[data] keys:", s->params, nullptr);
    if (s->write != nullptr) {
      print_params(std::string("earshot generate ") + s->name + " writes " + s->writes + ":", s->generate_params, s);
    }
    if (s->unavailable != nullptr && !s->unavailable().empty()) {
      std::printf("  unavailable in this build: %s\n", s->unavailable().c_str());
    }
  }
}

}  // namespace

void add_sources_command(CLI::App& data) {
  auto a = std::make_shared<SourcesArgs>();
  CLI::App* sub =
      data.add_subcommand("sources", "The data sources a recipe's [data] may name and earshot generate writes");
  sub->add_option("name", a->name, "One source (default: all)");
  sub->add_flag("--markdown", a->markdown, "Print docs/data_sources.md");
  sub->add_flag("--json", a->json, "Print JSON");
  sub->callback([a] { run(*a); });
}

}  // namespace earshot::cli
