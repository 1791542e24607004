// The data source registry, load_task_data() and docs/data_sources.md.
#include <array>

#include "earshot/data_sources.h"
#include "earshot/error.h"
#include "earshot/task.h"

namespace earshot {

namespace {

using SourceFn = const DataSource& (*)();

// The registry. A new source is added here and counted in kDataSourceCount
// (data_sources.h); the two must agree.
constexpr SourceFn kSources[] = {&folder_source,        &beats_source,      &bells_source, &chords_source,
                                 &class_folders_source, &guitarists_source, &arrays_source};
static_assert(std::size(kSources) == kDataSourceCount,
              "kDataSourceCount (data_sources.h) must count the registry's sources");

}  // namespace

const char* data_feed_text(DataFeed feed) {
  switch (feed) {
    case DataFeed::kNone: return "writes datasets only";
    case DataFeed::kFolder: return "reads a folder";
    case DataFeed::kStream: return "streams batches";
  }
  return "?";
}

std::span<const DataSource* const> data_sources() {
  static const std::array<const DataSource*, kDataSourceCount> all = [] {
    std::array<const DataSource*, kDataSourceCount> a{};
    for (size_t i = 0; i < kDataSourceCount; ++i) a[i] = &kSources[i]();
    return a;
  }();
  return all;
}

const DataSource* find_data_source(std::string_view name) {
  for (const DataSource* s : data_sources()) {
    if (name == s->name) return s;
  }
  return nullptr;
}

std::vector<std::string> training_source_names() {
  std::vector<std::string> names;
  for (const DataSource* s : data_sources()) {
    if (s->feed != DataFeed::kNone) names.emplace_back(s->name);
  }
  return names;
}

std::vector<std::string> generator_names() {
  std::vector<std::string> names;
  for (const DataSource* s : data_sources()) {
    if (s->write != nullptr) names.emplace_back(s->name);
  }
  return names;
}

const ParamList& generate_common_params() {
  static const ParamList list = {
      ParamDesc::string("out", "Output folder (created if missing)"),
      ParamDesc::integer("seed", 0, 9.0e15, "Random seed: the same seed writes the same files").def(1),
  };
  return list;
}

std::string option_name(std::string_view key) {
  std::string s = "--" + std::string(key);
  for (char& c : s) {
    if (c == '_') c = '-';
  }
  return s;
}

std::vector<std::string> option_names(const DataSource& source, std::string_view key) {
  std::vector<std::string> names = {option_name(key)};
  for (const auto& [k, alias] : source.option_aliases) {
    if (k == key) names.push_back(option_name(alias));
  }
  return names;
}

TaskData load_task_data(const Recipe& recipe, const TrainRecipe& tr, const std::filesystem::path& data_dir,
                        int threads) {
  const DataSource* s = tr.data.source;
  if (s == nullptr || s->load == nullptr) {
    throw Error(recipe.path.string(), 0, "[data] source: not a source to train from");
  }
  return s->load(recipe, tr, data_dir, threads);
}

std::string data_sources_markdown() {
  std::string s =
      "# Data sources\n\n"
      "Generated from the sources' descriptions (`earshot data sources --markdown`);\n"
      "do not edit by hand. A recipe's `[data] source` names where its training data\n"
      "comes from; `earshot generate <name> --out DIR` writes a dataset folder. Each\n"
      "source takes the `[data]` keys listed under it, besides those every source\n"
      "takes (`source`, `target`, `class_weight`, `class_weights`: see\n"
      "[training.md](training.md)); a key of another source is an error that names\n"
      "the source that takes it.\n\n"
      "| source | trains | `earshot generate` | what |\n|---|---|---|---|\n";
  for (const DataSource* d : data_sources()) {
    s += "| `" + std::string(d->name) + "` | " + data_feed_text(d->feed) + " | " + (d->write ? "yes" : "no") + " | " +
         d->doc + " |\n";
  }
  for (const DataSource* d : data_sources()) {
    s += "\n## `" + std::string(d->name) + "`\n\n" + d->doc + "\n";
    if (d->feed != DataFeed::kNone) {
      s += std::string("\n`[data] source = \"") + d->name + "\"` (" + data_feed_text(d->feed) + ")";
      s += d->params.empty() ? std::string(" takes no other keys.\n") : ":\n\n" + params_markdown(d->params);
    }
    if (d->write != nullptr) {
      s += std::string("\n`earshot generate ") + d->name + " --out DIR [--seed S] [--json]` writes " + d->writes;
      ParamList options = d->generate_params;
      for (ParamDesc& p : options) {
        std::string names;
        for (const std::string& n : option_names(*d, p.key)) names += (names.empty() ? "" : "`, `") + n;
        p.key = names;
      }
      s += options.empty() ? std::string(".\n") : ":\n\n" + params_markdown(options);
    }
    if (*d->notes != '\0') s += std::string("\n") + d->notes + "\n";
  }
  s += "\n## Common `earshot generate` options\n\n" + [] {
    ParamList options = generate_common_params();
    for (ParamDesc& p : options) p.key = option_name(p.key);
    return params_markdown(options);
  }();
  s += "\n## Adding a source\n\n"
       "| file | what you write |\n|---|---|\n"
       "| `host/src/data_sources/<name>.cc` (new) | `const DataSource& <name>_source()`: name, doc, feed, its "
       "`[data]` keys as `ParamDesc`s (and `check` for rules across them), `load` (the `TaskData`: a folder's "
       "splits, or a `nn::BatchSource` per stream through `detail::stream_task_data`), `load_all` for `earshot eval "
       "--data`, and for a generator `write`, `writes` and its `earshot generate` options as `ParamDesc`s; `notes`, "
       "`unavailable` |\n"
       "| `host/include/earshot/data_sources.h` | declare `<name>_source()`; add one to `kDataSourceCount` |\n"
       "| `host/src/data_sources/registry.cc` | add `&<name>_source` to the registry list |\n"
       "| `host/src/generators/<name>.cc`, `host/include/earshot/generators.h` | the generator itself, when the "
       "source generates data (deterministic for a seed) |\n"
       "| `host/CMakeLists.txt`, `scripts/setup.sh` | a library it needs, found optionally, and its Debian package |\n"
       "| `recipes/<name>.toml` | a recipe that trains from it |\n\n"
       "Tests: `tests/host/data_sources_test.cc` and `tests/cli/data_sources_cli_test.cc` walk every registered "
       "source by themselves (every `[data]` key in a recipe, every `earshot generate` option on the command "
       "line; name the recipe, and a data folder for a folder source); add tests of the data itself. Then "
       "`earshot data sources --markdown > docs/data_sources.md` (a test keeps that file equal to the "
       "descriptions). docs/extending.md walks through the files `class_folders` and `guitarists` touched.\n";
  return s;
}

}  // namespace earshot
