// Data sources: where a recipe's training data comes from ([data] source),
// and the dataset folders `earshot generate <name>` writes. Each source is
// described once, in its own file (host/src/data_sources/<name>.cc): its
// name and one line of docs, the [data] keys only it takes (earshot/params.h:
// type, default, allowed values, one line of docs), how it feeds training
// (reads a folder, or streams batches), how it builds TaskData, and, for
// sources that can write a dataset folder, the `earshot generate <name>`
// options (also ParamDescs) and the writer. The registry lists them
// explicitly (no static self-registration). The recipe's [data] check,
// load_task_data(), `earshot generate` and its --help, `earshot data sources`
// and docs/data_sources.md all go through it, so a key cannot be accepted in
// one place and unknown in another. docs/data_sources.md lists the files a
// new source touches.
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "earshot/params.h"

namespace earshot {

struct Recipe;
struct TrainRecipe;
struct TaskData;

// How a source feeds training.
enum class DataFeed : uint8_t {
  kNone,    // not a [data] source: it only writes dataset folders (earshot generate)
  kFolder,  // reads a dataset folder (--data, or its [data] dir key) and splits it into train/validation/test
  kStream,  // generates batches while training (steps_per_epoch); eval draws a fresh test set
};
// "writes datasets only", "reads a folder", "streams batches".
const char* data_feed_text(DataFeed feed);

// A broken rule across keys: the key to blame and what is wrong (what empty: none).
struct KeyProblem {
  std::string key, what;
};

// `earshot generate <name>`: where to write, the seed, the source's options
// (canonical, defaults filled) and the options given explicitly (for rules
// such as "--gain-min needs --random-gain").
struct GenerateArgs {
  std::filesystem::path out;
  uint64_t seed = 1;
  Params options;
  nlohmann::json given = nlohmann::json::object();
};

// What a writer wrote: the --json summary, the one-line summary (the CLI
// prefixes "generate <name>: "), and warnings (older files left in the folder).
struct GenerateResult {
  nlohmann::json summary;
  std::string line;
  std::vector<std::string> warnings;
};

struct DataSource {
  const char* name = "";  // [data] source = "<name>" and `earshot generate <name>`
  const char* doc = "";   // one line, for `earshot data sources` and the docs
  DataFeed feed = DataFeed::kNone;
  // [data] keys only this source takes, and its rules across them.
  ParamList params = {};
  KeyProblem (*check)(const Params& p) = nullptr;
  // Builds the training data (feed kFolder or kStream). `dir` is the data
  // folder (--data or [data] dir), empty for streams.
  TaskData (*load)(const Recipe& recipe, const TrainRecipe& tr, const std::filesystem::path& dir,
                   int threads) = nullptr;
  // Every example of a folder as the test split, for `earshot eval RUN
  // --data DIR` (held-out recordings); nullptr: eval reads DIR as recordings
  // with Audacity labels.
  TaskData (*load_all)(const Recipe& recipe, const TrainRecipe& tr, const std::filesystem::path& dir,
                       int threads) = nullptr;
  // Writing a dataset folder (nullptr: the source cannot). Throws
  // earshot::Error, before writing anything, on options it rejects.
  GenerateResult (*write)(const GenerateArgs& a) = nullptr;
  const char* writes = "";         // the files it writes, for --help and the docs
  ParamList generate_params = {};  // `earshot generate <name>` options besides --out and --seed
  std::vector<std::pair<std::string, std::string>> option_aliases = {};  // key -> another option name
  // Options for a quick run (the registry test runs every option on top of them).
  nlohmann::json quick_options = nlohmann::json::object();
  // More Markdown for docs/data_sources.md, after the keys and options
  // (where the material comes from, its license, how to use it).
  const char* notes = "";
  // Why write() cannot run in this build ("" or nullptr: it can), e.g. a
  // library the build did not find; tests skip the source, visibly, and
  // `earshot data sources` says so.
  std::string (*unavailable)() = nullptr;
};

// Every source, in the order docs/data_sources.md lists them.
inline constexpr size_t kDataSourceCount = 7;
std::span<const DataSource* const> data_sources();
// nullptr when unknown.
const DataSource* find_data_source(std::string_view name);
// The names of the sources a recipe can train from ([data] source: feed
// is not kNone), and of those that write dataset folders (write is set).
std::vector<std::string> training_source_names();
std::vector<std::string> generator_names();

// The registered sources, defined in the files that implement them.
const DataSource& folder_source();
const DataSource& beats_source();
const DataSource& bells_source();
const DataSource& chords_source();
const DataSource& class_folders_source();
const DataSource& guitarists_source();
const DataSource& arrays_source();

// --out and --seed, which every writer takes.
const ParamList& generate_common_params();
// The command-line spelling of a key: "snr_min" -> "--snr-min".
std::string option_name(std::string_view key);
// Every spelling of a source's generate option, aliases after the name:
// bells' recordings -> {"--recordings", "--count"}.
std::vector<std::string> option_names(const DataSource& source, std::string_view key);

// docs/data_sources.md: every source with its [data] keys and generate options.
std::string data_sources_markdown();

}  // namespace earshot
