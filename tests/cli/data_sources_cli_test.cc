// `earshot generate <source>` built from the registry: every registered
// writer's option descriptions walked through the real command line (each
// option, under each spelling, reaches the writer with the value given),
// --help from the same descriptions, and `earshot data sources`.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli/cli_util.h"
#include "earshot/data_sources.h"
#include "host/test_util.h"

namespace earshot {
namespace {

using testing::CliRun;
using testing::earshot;
using testing::q;
using testing::TempDir;
namespace fs = std::filesystem;
using Json = nlohmann::json;

std::string arg(const Json& v) {
  if (v.is_number_float()) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.17g", v.get<double>());
    return buf;
  }
  return v.dump();
}

// A valid value other than the default, toward the lower end (the upper
// end when the default is the lower end).
Json other_value(const ParamDesc& p) {
  if (p.type == ParamType::kBool) return !p.default_value.get<bool>();
  if (p.type == ParamType::kString) return p.default_value.get<std::string>() + "x";
  if (p.type == ParamType::kInteger || p.type == ParamType::kCount) {
    const long long def = p.default_value.get<long long>();
    const long long lo = p.type == ParamType::kCount ? 1 : static_cast<long long>(p.lo);
    return lo != def ? lo : def + 1;
  }
  const double def = p.default_value.get<double>();
  return p.lo < def ? 0.5 * (p.lo + def) : def + std::min(1.0, 0.5 * (p.hi - def));
}

struct Generated {
  Json options;       // the options the writer was given (the summary's echo)
  std::string error;  // when it refused them
};

// `earshot generate <source> --json --out DIR [its quick options but `key`] ARGS`.
Generated generate(const DataSource& s, const std::string& key, const std::string& args, const TempDir& tmp) {
  std::string quick;
  for (const auto& [k, v] : s.quick_options.items()) {
    if (k != key) quick += " " + option_name(k) + " " + arg(v);
  }
  const CliRun r =
      earshot("generate " + std::string(s.name) + " --json --out " + q(tmp / "out") + quick + args, tmp.path());
  if (r.code != 0) return {Json::object(), r.err.empty() ? "exit code " + std::to_string(r.code) : r.err};
  return {Json::parse(r.out).at("options"), ""};
}

// Every option of every writer, under each of its spellings, reaches the
// writer through `earshot generate`: with only the source's quick options
// the writer gets those and every other default; with one option set to another value its description allows, it
// gets that value, or refuses it by a rule across options that names the
// option (--noise-min above the default --noise-max). Never "unknown", never
// "must be" (a value the description allows that the command line refuses).
TEST(DataSourcesCli, EveryGenerateOptionReachesItsWriter) {
  TempDir tmp;
  int runs = 0;
  std::string skipped;
  for (const DataSource* s : data_sources()) {
    if (s->write == nullptr) continue;
    SCOPED_TRACE(s->name);
    if (s->unavailable != nullptr && !s->unavailable().empty()) {
      skipped += std::string(s->name) + ": " + s->unavailable() + "; ";
      continue;
    }
    const Generated defaults = generate(*s, "", "", tmp);
    ASSERT_EQ(defaults.error, "");
    for (const ParamDesc& p : s->generate_params) {
      EXPECT_EQ(defaults.options.value(p.key, Json()), s->quick_options.value(p.key, p.default_value)) << p.key;
      for (const std::string& spelling : option_names(*s, p.key)) {
        SCOPED_TRACE(spelling);
        const Json v = other_value(p);
        const Generated g = generate(*s, p.key, " " + spelling + (p.type == ParamType::kBool ? "" : " " + arg(v)), tmp);
        ++runs;
        if (g.error.empty()) {
          EXPECT_EQ(g.options.value(p.key, Json()), v);
          continue;
        }
        EXPECT_HAS(g.error, "earshot: error: ");
        EXPECT_HAS(g.error, option_name(p.key) + " ");
        EXPECT_EQ(g.error.find(" must be "), std::string::npos) << g.error;
      }
    }
  }
  EXPECT_GT(runs, 20);
  if (!skipped.empty()) GTEST_SKIP() << "not run for " << skipped;
}

// --help lists every option with its doc and allowed values; values outside
// a description are errors that say what is allowed.
TEST(DataSourcesCli, HelpAndErrorsComeFromTheDescriptions) {
  TempDir tmp;
  for (const DataSource* s : data_sources()) {
    if (s->write == nullptr) continue;
    SCOPED_TRACE(s->name);
    const CliRun h = earshot("generate " + std::string(s->name) + " --help", tmp.path());
    ASSERT_EQ(h.code, 0) << h.err;
    EXPECT_HAS(h.out, s->doc);
    for (const ParamDesc& p : s->generate_params) {
      for (const std::string& n : option_names(*s, p.key)) EXPECT_HAS(h.out, n);
      EXPECT_HAS(h.out, p.doc);
      if (p.type != ParamType::kBool && p.type != ParamType::kString) {  // "a string" goes without saying
        EXPECT_HAS(h.out, p.expected());
      }
    }
  }
  const CliRun g = earshot("generate --help", tmp.path());
  for (const std::string& name : generator_names()) EXPECT_HAS(g.out, name);
  const std::string out = " --out " + q(tmp / "x");
  const CliRun c = earshot("generate beats --count 0" + out, tmp.path());
  EXPECT_EQ(c.code, 1);
  EXPECT_HAS(c.err, "earshot: error: --count must be an integer from 1 to 10000000, got 0");
  EXPECT_HAS(earshot("generate chords --seconds soon" + out, tmp.path()).err,
             "--seconds must be a number in [0.05, 600], got soon");
  EXPECT_HAS(earshot("generate bells --seed -1" + out, tmp.path()).err, "--seed must be an integer from 0 to");
  EXPECT_FALSE(fs::exists(tmp / "x"));
}

TEST(DataSourcesCli, DataSourcesListsTheRegistry) {
  TempDir tmp;
  const CliRun j = earshot("data sources --json", tmp.path());
  ASSERT_EQ(j.code, 0) << j.err;
  const Json list = Json::parse(j.out);
  ASSERT_EQ(list.size(), kDataSourceCount);
  for (size_t i = 0; i < list.size(); ++i) {
    const DataSource& s = *data_sources()[i];
    SCOPED_TRACE(s.name);
    EXPECT_EQ(list[i]["name"], s.name);
    EXPECT_EQ(list[i]["doc"], s.doc);
    EXPECT_EQ(list[i].contains("data_keys"), s.feed != DataFeed::kNone);
    if (s.feed != DataFeed::kNone) {
      EXPECT_EQ(list[i]["data_keys"].size(), s.params.size());
    }
    EXPECT_EQ(list[i].contains("generate"), s.write != nullptr);
    if (s.write != nullptr) {
      EXPECT_EQ(list[i]["generate"]["options"].size(), s.generate_params.size());
    }
  }
  const CliRun t = earshot("data sources", tmp.path());
  ASSERT_EQ(t.code, 0) << t.err;
  for (const DataSource* s : data_sources()) {
    EXPECT_HAS(t.out, s->doc);
    for (const ParamDesc& p : s->params) EXPECT_HAS(t.out, p.key);
    for (const ParamDesc& p : s->generate_params) EXPECT_HAS(t.out, option_name(p.key));
  }
  const CliRun one = earshot("data sources chords", tmp.path());
  EXPECT_HAS(one.out, "noise_gain");
  EXPECT_EQ(one.out.find("seed_insert_bug"), std::string::npos);
  const CliRun md = earshot("data sources --markdown", tmp.path());
  EXPECT_EQ(md.out, data_sources_markdown());
  const CliRun bad = earshot("data sources drums", tmp.path());
  EXPECT_EQ(bad.code, 1);
  EXPECT_HAS(bad.err,
             "unknown data source 'drums' (valid: folder, beats, bells, chords, class_folders, guitarists, arrays)");
}

}  // namespace
}  // namespace earshot
