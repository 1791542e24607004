// The data source registry and load_task_data().
#include <array>

#include "earshot/data_sources.h"
#include "earshot/error.h"
#include "earshot/task.h"

namespace earshot {

namespace {

using SourceFn = const DataSource& (*)();

// The registry. A new source is added here and counted in kDataSourceCount
// (data_sources.h); the two must agree.
constexpr SourceFn kSources[] = {&folder_source, &beats_source, &bells_source, &chords_source};
static_assert(std::size(kSources) == kDataSourceCount, "kDataSourceCount (data_sources.h) must count the registry's sources");

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

}  // namespace earshot
