// The data source registry: every registered source's [data] key
// descriptions walked through recipe parsing (each key set to values its
// description allows, with the line of the key in errors) and through
// load_task_data() (a key read under another name or type fails there), and
// keys of one source rejected under another with the source's name. The
// `earshot generate` side is walked in tests/cli/data_sources_cli_test.cc.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "earshot/audio.h"
#include "earshot/data_sources.h"
#include "earshot/generators.h"
#include "earshot/npy.h"
#include "earshot/task.h"
#include "host/test_util.h"

namespace earshot {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using testing::TempDir;

#define EXPECT_HAS(msg, part) EXPECT_NE((msg).find(part), std::string::npos) << "text: " << (msg)

const fs::path kRecipes = fs::path(EARSHOT_TEST_DATA) / ".." / "recipes";

// A committed recipe that trains from each source; a new source adds its own.
const std::map<std::string, std::string> kRecipeFor = {{"folder", "bells.toml"},
                                                       {"beats", "beats.toml"},
                                                       {"chords", "chords.toml"},
                                                       {"class_folders", "guitarists.toml"},
                                                       {"arrays", "author_gru.toml"}};

std::string slurp(const fs::path& p) {
  std::ifstream f(p);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// The recipe's text without its [data] table, ending with `data` as the new one.
std::string with_data(const std::string& recipe, const std::string& data) {
  std::string text = recipe;
  if (const size_t start = text.find("\n[data]\n"); start != std::string::npos) {
    const size_t end = text.find("\n[", start + 1);
    text.erase(start, end == std::string::npos ? std::string::npos : end - start);
  }
  return text + "\n[data]\n" + data;
}

// Values a description allows, between its lower end and its default (so
// rules across keys hold with the other keys at their defaults).
std::vector<Json> samples(const ParamDesc& d) {
  switch (d.type) {
    case ParamType::kCount: return {1, d.default_value.is_null() ? Json(3) : d.default_value};
    case ParamType::kInteger:
      return {static_cast<long long>(d.lo), d.default_value.is_null() ? Json(d.lo + 1) : d.default_value};
    case ParamType::kNumber: {
      const double def = d.default_value.is_null() ? d.hi : d.default_value.get<double>();
      return {d.lo_open ? 0.5 * (d.lo + def) : d.lo, 0.5 * (d.lo + def)};
    }
    case ParamType::kBool: return {true, false};
    case ParamType::kChoice: {
      std::vector<Json> v;
      for (const std::string& c : d.choices) v.emplace_back(c);
      return v;
    }
    case ParamType::kString: return {"x"};
    case ParamType::kSizes:
    case ParamType::kShape:
    case ParamType::kStrings: break;
  }
  ADD_FAILURE() << d.key << ": a [data] key of a type this test has no samples for";
  return {};
}

std::string toml_value(const Json& v) {
  if (v.is_number_float()) {
    std::ostringstream ss;
    ss.precision(17);
    ss << v.get<double>();
    std::string s = ss.str();
    if (s.find_first_of(".e") == std::string::npos) s += ".0";
    return s;
  }
  return v.dump();  // integers, booleans and strings are TOML as JSON writes them
}

TrainRecipe parse(const std::string& text) { return parse_train_recipe(parse_recipe(text, "bad.toml")); }

std::string error_of_recipe(const std::string& text) {
  return testing::error_of([&] { (void)parse(text); });
}

// The 1-based line of the first occurrence of `needle` in `text`.
int line_of(const std::string& text, const std::string& needle) {
  const size_t at = text.find(needle);
  EXPECT_NE(at, std::string::npos) << needle;
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(at), '\n'));
}

TEST(DataSources, RegistryIsConsistent) {
  ASSERT_EQ(data_sources().size(), kDataSourceCount);
  std::set<std::string> names;
  for (const DataSource* s : data_sources()) {
    SCOPED_TRACE(s->name);
    EXPECT_TRUE(names.insert(s->name).second) << "a name is registered twice";
    EXPECT_EQ(find_data_source(s->name), s);
    EXPECT_FALSE(std::string(s->doc).empty());
    // A source trains (load) or writes datasets, or both.
    EXPECT_EQ(s->feed != DataFeed::kNone, s->load != nullptr);
    EXPECT_TRUE(s->load != nullptr || s->write != nullptr);
    if (s->feed == DataFeed::kNone) {
      EXPECT_TRUE(s->params.empty()) << "[data] keys of a source no recipe can name";
    }
    if (s->feed == DataFeed::kFolder) {
      EXPECT_NE(find_param(s->params, "dir"), nullptr) << "a folder source takes dir";
    }
    if (s->feed == DataFeed::kStream) {
      EXPECT_NE(find_param(s->params, "test_examples"), nullptr);
    }
    if (s->write == nullptr) {
      EXPECT_TRUE(s->generate_params.empty());
      continue;
    }
    EXPECT_FALSE(std::string(s->writes).empty());
    // Every option has its own spelling, --json and the common ones included.
    std::set<std::string> spellings = {"--json", "--help"};
    for (const ParamDesc& p : generate_common_params()) spellings.insert(option_name(p.key));
    for (const ParamDesc& p : s->generate_params) {
      for (const std::string& n : option_names(*s, p.key)) EXPECT_TRUE(spellings.insert(n).second) << n;
    }
    for (const auto& [key, alias] : s->option_aliases) EXPECT_NE(find_param(s->generate_params, key), nullptr) << key;
    for (const auto& [key, value] : s->quick_options.items()) {
      const ParamDesc* p = find_param(s->generate_params, key);
      ASSERT_NE(p, nullptr) << key;
      std::string error;
      (void)p->canonical(value, &error);
      EXPECT_EQ(error, "") << key;
    }
  }
  EXPECT_EQ(training_source_names(),
            (std::vector<std::string>{"folder", "beats", "chords", "class_folders", "arrays"}));
  EXPECT_EQ(generator_names(), (std::vector<std::string>{"beats", "bells", "chords", "guitarists"}));
  EXPECT_EQ(find_data_source("drums"), nullptr);
  EXPECT_EQ(option_name("snr_min"), "--snr-min");
}

// Every [data] key of every source a recipe can name, set to each sample
// value: parsed into the source's parameters in canonical form (the other
// keys at their defaults), and rejected under every source that does not
// take it, with the recipe's line, the key and the sources that take it.
TEST(DataSources, EveryDataKeyParsesUnderItsSourceOnly) {
  int checked = 0;
  for (const DataSource* s : data_sources()) {
    if (s->feed == DataFeed::kNone) continue;
    SCOPED_TRACE(s->name);
    ASSERT_TRUE(kRecipeFor.count(s->name)) << "add a recipe that trains from '" << s->name << "' to kRecipeFor";
    const std::string base = slurp(kRecipes / kRecipeFor.at(s->name));
    for (const ParamDesc& p : s->params) {
      for (const Json& v : samples(p)) {
        SCOPED_TRACE(p.key + " = " + v.dump());
        const std::string text =
            with_data(base, "source = \"" + std::string(s->name) + "\"\n" + p.key + " = " + toml_value(v) + "\n");
        const TrainRecipe tr = parse(text);
        ASSERT_EQ(tr.data.source, s);
        std::string error;
        EXPECT_EQ(tr.data.params.values().at(p.key), p.canonical(v, &error));
        for (const ParamDesc& q : s->params) {
          if (q.key != p.key) {
            EXPECT_EQ(tr.data.params.values().at(q.key), q.default_value) << q.key;
          }
        }
        ++checked;
      }
    }
    // Keys of the other sources are errors that name them.
    for (const DataSource* other : data_sources()) {
      for (const ParamDesc& p : other->params) {
        if (find_param(s->params, p.key) != nullptr) continue;
        SCOPED_TRACE(std::string(other->name) + " " + p.key);
        const std::string text = with_data(base, "source = \"" + std::string(s->name) + "\"\n" + p.key + " = " +
                                                     toml_value(samples(p).front()) + "\n");
        const std::string e = error_of_recipe(text);
        EXPECT_HAS(e, "bad.toml:" + std::to_string(line_of(text, "\n" + p.key + " = ") + 1) + ": [data] " + p.key +
                          ": only source = ");
        EXPECT_HAS(e, "\"" + std::string(other->name) + "\"");
        EXPECT_HAS(e, "this recipe's source is \"" + std::string(s->name) + "\"");
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 20);
}

// A value outside a key's description is an error with the line and what
// was expected, from the same description.
TEST(DataSources, BadValuesNameLineKeyAndExpectation) {
  const std::string base = slurp(kRecipes / "chords.toml");
  const std::string text = with_data(base, "source = \"chords\"\n\nnoise_gain = 150\n");
  EXPECT_HAS(error_of_recipe(text), "bad.toml:" + std::to_string(line_of(text, "noise_gain = 150")) +
                                        ": [data] noise_gain: expected a number in [0, 100], got 150 (an integer)");
  EXPECT_HAS(error_of_recipe(with_data(base, "source = \"chords\"\ntest_examples = \"many\"\n")),
             "[data] test_examples: expected an integer from 1 to 16777216, got \"many\" (a string)");
  const std::string bells = slurp(kRecipes / "bells.toml");
  EXPECT_HAS(error_of_recipe(with_data(bells, "split = \"random\"\n")),
             "[data] split: expected \"ordered\" or \"shuffled\", got \"random\" (a string)");
  EXPECT_HAS(error_of_recipe(with_data(bells, "train_fraction = 0.9\nvalidation_fraction = 0.2\n")),
             "[data] validation_fraction: train_fraction + validation_fraction must be at most 1");
  EXPECT_HAS(error_of_recipe(with_data(bells, "source = \"drums\"\n")),
             "[data] source: expected one of \"folder\", \"beats\", \"chords\", \"class_folders\", \"arrays\", got "
             "\"drums\"");
  EXPECT_HAS(error_of_recipe(with_data(bells, "source = \"bells\"\n")),
             "[data] source: \"bells\" only writes dataset folders: earshot generate bells --out DIR");
  EXPECT_HAS(error_of_recipe(with_data(bells, "noise = 1\n")), "unknown key 'noise' in [data]");
  const std::string beats = slurp(kRecipes / "beats.toml");
  EXPECT_HAS(error_of_recipe(with_data(beats, "source = \"beats\"\nsplit = \"shuffled\"\n")),
             "[data] split: only source = \"folder\" takes this key; this recipe's source is \"beats\"");
  EXPECT_HAS(error_of_recipe(with_data(bells, "test_examples = 5\n")),
             "[data] test_examples: only source = \"beats\" or \"chords\" takes this key; this recipe's source is "
             "\"folder\"");
}

TEST(DataSources, ReadingAnUndeclaredKeyIsAProgrammingError) {
  const TrainRecipe tr = parse(slurp(kRecipes / "chords.toml"));
  EXPECT_EQ(tr.data.params.number("noise_gain"), 0.1);
  EXPECT_THROW((void)tr.data.params.flag("seed_insert_bug"), std::logic_error);  // a beats key
  EXPECT_THROW((void)tr.data.params.number("test_examples"), std::logic_error);  // declared as an integer
}

// Every sample value of every key reaches the source's load(): the data
// are built with it (a key read under another name or type throws there).
// A data folder for each folder source: bell recordings with labels, and
// class folders of tones (3 takes of 2 s per class, 44.1 kHz).
fs::path data_for(const DataSource& s, const TempDir& tmp) {
  if (s.feed != DataFeed::kFolder) return {};
  const fs::path dir = tmp / s.name;
  if (fs::exists(dir)) return dir;
  if (std::string(s.name) == "folder") {
    BellSetOptions o;
    o.recordings = 2;
    o.seconds = 6;
    generate_bells(dir, o);
    return dir;
  }
  if (std::string(s.name) == "arrays") {  // author_gru.toml's examples: 10,000 levels
    fs::create_directories(dir);
    for (const auto& [split, n] : {std::pair<std::string, size_t>{"train", 6}, {"validation", 2}, {"test", 2}}) {
      std::vector<uint8_t> x(n * 10000), y(n);
      for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<uint8_t>(i * 7 % 16);
      for (size_t i = 0; i < n; ++i) y[i] = static_cast<uint8_t>(i % 2);
      write_npy(dir / (split + "_x.npy"), x.data(), {n, 10000});
      write_npy(dir / (split + "_y.npy"), y.data(), {n});
    }
    return dir;
  }
  EXPECT_EQ(std::string(s.name), "class_folders") << "add a data folder for this source";
  for (int c = 0; c < 2; ++c) {
    for (int k = 0; k < 3; ++k) {
      std::vector<float> x(88200);
      for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(0.5 * std::sin(0.03 * (1 + c + k) * i));
      fs::create_directories(dir / ("class" + std::to_string(c)));
      write_wav16(dir / ("class" + std::to_string(c)) / ("take" + std::to_string(k) + ".wav"), x, 44100);
    }
  }
  return dir;
}

TEST(DataSources, EveryDataKeyLoads) {
  TempDir tmp;
  for (const DataSource* s : data_sources()) {
    if (s->feed == DataFeed::kNone) continue;
    SCOPED_TRACE(s->name);
    const std::string base = slurp(kRecipes / kRecipeFor.at(s->name));
    for (const ParamDesc& p : s->params) {
      for (const Json& v : samples(p)) {
        SCOPED_TRACE(p.key + " = " + v.dump());
        const std::string text =
            with_data(base, "source = \"" + std::string(s->name) + "\"\n" + p.key + " = " + toml_value(v) + "\n");
        const Recipe recipe = parse_recipe(text, (kRecipes / kRecipeFor.at(s->name)).string());
        const TrainRecipe tr = parse_train_recipe(recipe);
        const TaskData td = load_task_data(recipe, tr, data_for(*s, tmp), 1);
        EXPECT_FALSE(td.description.empty());
        EXPECT_FALSE(td.class_names.empty());
        if (s->feed == DataFeed::kStream) {
          ASSERT_TRUE(td.generator && td.validation_generator);
          EXPECT_EQ(td.test.n, static_cast<size_t>(tr.data.params.integer("test_examples")));
        } else if (std::string(s->name) == "folder") {
          ASSERT_GT(td.train.n + td.validation.n + td.test.n, 0u);
          EXPECT_EQ(td.train.n,
                    static_cast<size_t>(std::floor(tr.data.params.number("train_fraction") *
                                                   static_cast<double>(td.train.n + td.validation.n + td.test.n))));
        } else if (std::string(s->name) == "arrays") {  // the files as they are
          EXPECT_EQ(td.train.n, 6u);
          EXPECT_EQ(td.validation.n, 2u);
          EXPECT_EQ(td.test.n, 2u);
          EXPECT_EQ(td.class_names, (std::vector<std::string>{"0", "1"}));
        } else {  // class_folders: every clip in one split, as its report says
          ASSERT_GT(td.train.n, 0u);
          EXPECT_EQ(td.train.n + td.validation.n + td.test.n,
                    std::min<size_t>(td.split.at("clips_total").get<size_t>(), tr.data.params.integer("max_clips") > 0
                                                                                   ? tr.data.params.integer("max_clips")
                                                                                   : 1u << 30));
          EXPECT_EQ(td.split.at("by"), tr.data.params.choice("split_by"));
        }
      }
    }
  }
}

TEST(DataSources, DocsAreGeneratedFromTheDescriptions) {
  std::ifstream f(std::string(EARSHOT_TEST_DATA) + "/../docs/data_sources.md");
  ASSERT_TRUE(f)
      << "docs/data_sources.md is missing; write it with: earshot data sources --markdown > docs/data_sources.md";
  std::stringstream ss;
  ss << f.rdbuf();
  EXPECT_EQ(ss.str(), data_sources_markdown())
      << "docs/data_sources.md is stale; rewrite it with: earshot data sources --markdown > docs/data_sources.md";
}

}  // namespace
}  // namespace earshot
