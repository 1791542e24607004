// `earshot generate beats|bells|chords`: the files, labels.csv, summaries and
// errors. Runs the real executable (EARSHOT_CLI_PATH) through the shell.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "earshot/audio.h"
#include "earshot/dataset.h"
#include "earshot/labels.h"
#include "earshot/pipeline.h"
#include "earshot/generators.h"
#include "cli/cli_util.h"
#include "host/test_util.h"

namespace earshot {
namespace {

using testing::CliRun;
using testing::earshot;
using testing::q;
using testing::read_bytes;
using testing::TempDir;
namespace fs = std::filesystem;
using nlohmann::json;

// labels.csv -> rows of (id, label), checking the header.
std::vector<std::pair<std::string, std::string>> read_csv(const fs::path& p) {
  std::istringstream in(read_bytes(p));
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "id,label");
  std::vector<std::pair<std::string, std::string>> rows;
  while (std::getline(in, line)) {
    const size_t comma = line.find(',');
    EXPECT_NE(comma, std::string::npos) << line;
    rows.emplace_back(line.substr(0, comma), line.substr(comma + 1));
  }
  return rows;
}

TEST(GenerateCli, BeatsWritesHitFilesAndLabels) {
  TempDir tmp;
  const CliRun r = earshot("generate beats --out " + q(tmp / "a") + " --count 40 --seed 3", tmp.path());
  ASSERT_EQ(r.code, 0) << r.err;
  const auto rows = read_csv(tmp / "a" / "labels.csv");
  ASSERT_EQ(rows.size(), 40u);
  BeatGenerator gen(3);
  std::map<std::string, int> counts;
  for (size_t k = 0; k < rows.size(); ++k) {
    SCOPED_TRACE(k);
    EXPECT_EQ(rows[k].first, std::to_string(k));
    const BeatExample ex = gen.next();
    EXPECT_EQ(rows[k].second, "class" + std::to_string(ex.label + 1));
    ++counts[rows[k].second];
    // The hit file reads back (pipeline's reader) as the generator's example.
    const std::vector<rt::Hit> hits = read_hits(tmp / "a" / ("hits_" + std::to_string(k) + ".txt"));
    ASSERT_EQ(hits.size(), ex.hits.size());
    for (size_t i = 0; i < hits.size(); ++i) {
      EXPECT_EQ(hits[i].time_ms, ex.hits[i].time_ms);
      EXPECT_EQ(hits[i].strength, ex.hits[i].strength);
    }
  }
  EXPECT_FALSE(fs::exists(tmp / "a" / "hits_40.txt"));
  // The summary line gives the counts per class.
  EXPECT_HAS(r.out, "40 examples");
  for (const auto& [name, n] : counts) EXPECT_HAS(r.out, name + " " + std::to_string(n));

  // Same seed, same bytes; another seed, other files.
  ASSERT_EQ(earshot("generate beats --out " + q(tmp / "b") + " --count 40 --seed 3", tmp.path()).code, 0);
  ASSERT_EQ(earshot("generate beats --out " + q(tmp / "c") + " --count 40 --seed 4", tmp.path()).code, 0);
  EXPECT_EQ(read_bytes(tmp / "a" / "labels.csv"), read_bytes(tmp / "b" / "labels.csv"));
  EXPECT_NE(read_bytes(tmp / "a" / "labels.csv"), read_bytes(tmp / "c" / "labels.csv"));
  for (int k = 0; k < 40; k += 7) {
    const std::string f = "hits_" + std::to_string(k) + ".txt";
    EXPECT_EQ(read_bytes(tmp / "a" / f), read_bytes(tmp / "b" / f)) << f;
  }

  // --seed-insert-bug and --json.
  const CliRun j =
      earshot("generate beats --out " + q(tmp / "d") + " --count 200 --seed-insert-bug --json", tmp.path());
  ASSERT_EQ(j.code, 0) << j.err;
  const json s = json::parse(j.out);
  EXPECT_EQ(s["task"], "beats");
  EXPECT_EQ(s["count"], 200);
  EXPECT_EQ(s["seed_insert_bug"], true);
  int total = 0;
  for (const auto& [k, v] : s["classes"].items()) total += v.get<int>();
  EXPECT_EQ(total, 200);
  BeatOptions bug;
  bug.seed_insert_bug = true;
  BeatGenerator bug_gen(1, bug);
  size_t longest = 0;
  for (int k = 0; k < 200; ++k) {
    const BeatExample ex = bug_gen.next();
    const std::vector<rt::Hit> hits = read_hits(tmp / "d" / ("hits_" + std::to_string(k) + ".txt"));
    ASSERT_EQ(hits.size(), ex.hits.size()) << k;
    longest = std::max(longest, hits.size());
  }
  EXPECT_GT(longest, 10u) << "the seed's loop leaves extra copies";
}

TEST(GenerateCli, ChordsWritesAudioAndLabels) {
  TempDir tmp;
  const CliRun r = earshot("generate chords --out " + q(tmp / "c") + " --count 24 --seed 2 --json", tmp.path());
  ASSERT_EQ(r.code, 0) << r.err;
  const json s = json::parse(r.out);
  EXPECT_EQ(s["task"], "chords");
  EXPECT_EQ(s["classes"]["major"], 12);
  EXPECT_EQ(s["classes"]["minor"], 12);
  const auto rows = read_csv(tmp / "c" / "labels.csv");
  ASSERT_EQ(rows.size(), 24u);
  ChordGenerator gen(2);
  for (size_t k = 0; k < rows.size(); ++k) {
    SCOPED_TRACE(k);
    const ChordExample ex = gen.next();
    EXPECT_EQ(rows[k].second, ex.minor ? "minor" : "major");
    const Audio a = read_audio(tmp / "c" / ("audio_" + std::to_string(k) + ".wav"));
    EXPECT_EQ(a.sample_rate, 16000);
    ASSERT_EQ(a.samples.size(), 16000u);
    for (size_t i = 0; i < a.samples.size(); i += 101) ASSERT_NEAR(a.samples[i], ex.audio[i], 1.0 / 32768 + 1e-7);
  }
  const CliRun t = earshot("generate chords --out " + q(tmp / "h") +
                               " --count 10 --random-phase --noise-max 0.05 "
                               "--octaves-below 1 --seconds 0.5 --sample-rate 8000",
                           tmp.path());
  ASSERT_EQ(t.code, 0) << t.err;
  EXPECT_HAS(t.out, "generate chords: 10 clips");
  EXPECT_HAS(t.out, "24 roots");
  EXPECT_EQ(read_audio(tmp / "h" / "audio_9.wav").samples.size(), 4000u);
  EXPECT_EQ(read_csv(tmp / "h" / "labels.csv").size(), 10u);
}

TEST(GenerateCli, BellsWritesTheSeed001Layout) {
  TempDir tmp;
  const CliRun r = earshot(
      "generate bells --out " + q(tmp / "b") + " --recordings 2 --seconds 6 --snr-min 0 --snr-max 10 --seed 9 --json",
      tmp.path());
  ASSERT_EQ(r.code, 0) << r.err;
  const json s = json::parse(r.out);
  EXPECT_EQ(s["recordings"], 2);
  ASSERT_EQ(s["snr_db"].size(), 2u);
  for (const auto& v : s["snr_db"]) {
    EXPECT_GE(v.get<double>(), 0.0);
    EXPECT_LE(v.get<double>(), 10.0);
  }
  const DatasetScan scan = scan_dataset(tmp / "b");
  ASSERT_EQ(scan.recordings.size(), 2u);
  size_t labels = 0;
  for (const Recording& rec : scan.recordings) {
    ASSERT_TRUE(rec.has_labels()) << rec.id;
    EXPECT_EQ(rec.labels.filename().string(), "label_" + rec.id + ".txt");
    EXPECT_EQ(read_audio(rec.audio).samples.size(), 96000u);
    for (const Label& l : read_labels(rec.labels)) {
      EXPECT_EQ(l.name, "Ding");
      ++labels;
    }
  }
  EXPECT_EQ(s["bells"].get<size_t>(), labels);

  // The library with the same options writes the same bytes; --count is --recordings.
  const CliRun c = earshot(
      "generate bells --out " + q(tmp / "c") + " --count 1 --seconds 6 --snr-min 0 --snr-max 10 --seed 9", tmp.path());
  ASSERT_EQ(c.code, 0) << c.err;
  EXPECT_HAS(c.out, "generate bells: 1 recordings");
  BellSetOptions o;
  o.recordings = 1;
  o.seconds = 6;
  o.snr_db_min = 0;
  o.snr_db_max = 10;
  o.seed = 9;
  generate_bells(tmp / "lib", o);
  EXPECT_EQ(read_bytes(tmp / "c" / "audio_0.wav"), read_bytes(tmp / "lib" / "audio_0.wav"));
  EXPECT_EQ(read_bytes(tmp / "b" / "audio_0.wav"), read_bytes(tmp / "lib" / "audio_0.wav"));
  EXPECT_EQ(read_bytes(tmp / "c" / "label_0.txt"), read_bytes(tmp / "lib" / "label_0.txt"));
  // A smaller run into a fuller folder warns about the files it did not write.
  const CliRun w = earshot("generate bells --out " + q(tmp / "b") + " --count 1 --seconds 3", tmp.path());
  ASSERT_EQ(w.code, 0) << w.err;
  EXPECT_HAS(w.err, "audio_1.wav");
}

TEST(GenerateCli, BadOptionsAreClearErrors) {
  TempDir tmp;
  const std::string out = " --out " + q(tmp / "x");
  struct Case {
    std::string args, says;
  };
  const Case cases[] = {
      {"generate beats", "--out is required"},
      {"generate", "name a source"},
      {"generate drums" + out, "unknown source \"drums\""},
      {"generate beats --count 0" + out, "--count"},
      {"generate bells --snr-min 30 --snr-max 20" + out, "--snr-min 30 dB is above --snr-max 20 dB"},
      {"generate bells --babble 2" + out, "--babble"},
      {"generate chords --octaves-above 4" + out, "Nyquist"},
      {"generate chords --noise-min 0.2 --noise-max 0.1" + out, "--noise-min 0.2 is above --noise-max 0.1"},
      {"generate chords --gain-min 0.2" + out, "--random-gain"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.args);
    const CliRun r = earshot(c.args, tmp.path());
    EXPECT_NE(r.code, 0);
    EXPECT_HAS(r.err + r.out, c.says);
  }
  EXPECT_FALSE(fs::exists(tmp / "x" / "labels.csv"));
}

// `earshot synth` was this verb's name; seed 004's synthesizer takes it over.
// The old spelling fails (exit 1, nothing written) and names the new verb.
TEST(GenerateCli, OldSpellingNamesTheNewVerb) {
  TempDir tmp;
  const std::string reserved = "('synth' is reserved for the synthesizer of seed 004)";
  struct Case {
    std::string args, says;
  };
  const Case cases[] = {
      {"synth bells --out " + q(tmp / "x") + " --seed 1",
       "'earshot synth bells' is now 'earshot generate bells' " + reserved},
      {"synth chords --count 3 --out " + q(tmp / "x"), "'earshot synth chords' is now 'earshot generate chords'"},
      {"synth", "'earshot synth' is now 'earshot generate' " + reserved},
      {"synth --help", "'earshot synth' is now 'earshot generate'"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.args);
    const CliRun r = earshot(c.args, tmp.path());
    EXPECT_EQ(r.code, 1);
    EXPECT_HAS(r.err, "earshot: error: " + c.says);
    EXPECT_EQ(r.out, "");
  }
  EXPECT_FALSE(fs::exists(tmp / "x"));
}

}  // namespace
}  // namespace earshot
