// Training runs: same seed -> bit-identical weights; resume after a stop ->
// the same final weights as an uninterrupted run; malformed recipes name the
// file, line, key and what was expected.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <cmath>
#include <sstream>

#include "earshot/error.h"
#include "earshot/recipe.h"
#include "earshot/safetensors.h"
#include "earshot/task.h"

namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class TrainRun : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("earshot_train_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    recipe_ = fs::path(EARSHOT_TEST_DATA) / ".." / "recipes" / "beats.toml";
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path train(const std::string& name, int epochs, long long seed, int threads = 0) {
    earshot::TrainRunOptions o;
    o.recipe = recipe_;
    o.out = dir_ / name;
    o.epochs = epochs;
    o.seed = seed;
    o.threads = threads;
    o.verbose = 0;
    return earshot::train_run(o);
  }
  fs::path dir_, recipe_;
};

}  // namespace

TEST_F(TrainRun, SameSeedGivesBitIdenticalWeights) {
  const fs::path a = train("a", 3, 7);
  const fs::path b = train("b", 3, 7);
  const fs::path c = train("c", 3, 8);
  EXPECT_EQ(slurp(a / "weights.safetensors"), slurp(b / "weights.safetensors"));
  EXPECT_NE(slurp(a / "weights.safetensors"), slurp(c / "weights.safetensors"));
  EXPECT_EQ(slurp(a / "history.csv").substr(0, 40), slurp(b / "history.csv").substr(0, 40));
}

TEST_F(TrainRun, ThreadCountDoesNotChangeTheWeights) {
  const fs::path one = train("one", 3, 7, 1);
  const fs::path two = train("two", 3, 7, 2);
  EXPECT_EQ(slurp(one / "weights.safetensors"), slurp(two / "weights.safetensors"));
  EXPECT_EQ(slurp(one / "checkpoint.safetensors"), slurp(two / "checkpoint.safetensors"));
}

TEST_F(TrainRun, ResumeEqualsAnUninterruptedRun) {
  const fs::path whole = train("whole", 5, 3, 2);
  const fs::path part = train("part", 2, 3, 2);  // stops after 2 epochs
  earshot::resume_run(part, 5, 0, 1);            // continues to 5, on one thread
  const auto w1 = earshot::read_safetensors(whole / "weights.safetensors");
  const auto w2 = earshot::read_safetensors(part / "weights.safetensors");
  ASSERT_EQ(w1.size(), w2.size());
  for (size_t i = 0; i < w1.size(); ++i) {
    EXPECT_EQ(w1[i].name, w2[i].name);
    EXPECT_EQ(w1[i].data, w2[i].data) << w1[i].name;
  }
  const auto ck1 = earshot::read_safetensors(whole / "checkpoint.safetensors");
  const auto ck2 = earshot::read_safetensors(part / "checkpoint.safetensors");
  ASSERT_EQ(ck1.size(), ck2.size());
  for (size_t i = 0; i < ck1.size(); ++i) EXPECT_EQ(ck1[i].data, ck2[i].data) << ck1[i].name;
}

TEST_F(TrainRun, RunDirectoryHoldsEverything) {
  const fs::path r = train("r", 1, 1);
  for (const char* f : {"recipe.toml", "run.json", "architecture.json", "weights.safetensors", "checkpoint.safetensors",
                        "checkpoint.json", "history.csv", "history.json"}) {
    EXPECT_TRUE(fs::exists(r / f)) << f;
  }
  const std::string arch = slurp(r / "architecture.json");
  EXPECT_NE(arch.find("\"dense_1\""), std::string::npos);
  EXPECT_NE(slurp(r / "history.csv").find("epoch,"), std::string::npos);
  const nlohmann::json ev = earshot::evaluate_run(r, {}, 1);
  EXPECT_GT(ev["examples"].get<size_t>(), 0u);
  EXPECT_EQ(ev["confusion"]["classes"].size(), 4u);
}

namespace {

std::string recipe_error(const std::string& model_section) {
  const std::string text =
      "[features]\nkind = \"beats\"\n" + model_section + "\n[train]\nsteps_per_epoch = 2\n[data]\nsource = \"beats\"\n";
  try {
    earshot::parse_train_recipe(earshot::parse_recipe(text, "bad.toml"));
  } catch (const earshot::Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(TrainRecipeErrors, NameFileLineKeyAndExpectation) {
  const std::string unknown =
      recipe_error("[model]\nlayers = [\n  { type = \"dense\", units = 4 },\n  { type = \"dnse\" },\n]");
  EXPECT_NE(unknown.find("bad.toml:6"), std::string::npos) << unknown;
  EXPECT_NE(unknown.find("dnse"), std::string::npos) << unknown;
  EXPECT_NE(unknown.find("dense"), std::string::npos) << unknown;  // lists the valid types

  const std::string type = recipe_error("[model]\nlayers = [{ type = \"dense\", units = \"four\" }]");
  EXPECT_NE(type.find("bad.toml:4"), std::string::npos) << type;
  EXPECT_NE(type.find("units"), std::string::npos) << type;

  const std::string missing = recipe_error("[model]\nlayers = [{ type = \"dense\" }]");
  EXPECT_NE(missing.find("units"), std::string::npos) << missing;

  const std::string loss = recipe_error("[model]\nlayers = [{ type = \"dense\", units = 4 }]\nloss = \"hinge\"");
  EXPECT_NE(loss.find("bad.toml:5"), std::string::npos) << loss;
  EXPECT_NE(loss.find("categorical_crossentropy"), std::string::npos) << loss;

  const std::string none = recipe_error("");
  EXPECT_NE(none.find("missing [model]"), std::string::npos) << none;
}

#include "earshot/generators.h"

// A folder run evaluated without --data scores its held-out test split, not
// the recordings it trained on; with --data it adds event scores.
TEST_F(TrainRun, FolderEvalUsesTheTestSplitByDefault) {
  earshot::BellSetOptions opt;
  opt.recordings = 2;
  opt.seconds = 12.0;
  opt.seed = 4;
  earshot::generate_bells(dir_ / "data", opt);
  earshot::TrainRunOptions o;
  o.recipe = fs::path(EARSHOT_TEST_DATA) / ".." / "recipes" / "bells.toml";
  o.data = dir_ / "data";
  o.out = dir_ / "run";
  o.epochs = 1;
  o.verbose = 0;
  const fs::path run = earshot::train_run(o);
  const nlohmann::json split = earshot::evaluate_run(run, {}, 1);
  const nlohmann::json info = nlohmann::json::parse(slurp(run / "run.json"));
  EXPECT_NE(split["data"].get<std::string>().find("test split"), std::string::npos);
  EXPECT_FALSE(split.contains("events"));
  // The test split is the last 20 % of the windows (seed 001's np.split).
  const size_t windows = split["windows"].get<size_t>();
  const nlohmann::json all = earshot::evaluate_run(run, dir_ / "data", 1);
  const size_t total = all["windows"].get<size_t>();
  EXPECT_EQ(windows, total - static_cast<size_t>(std::floor(0.8 * static_cast<double>(total))));
  EXPECT_TRUE(all.contains("events"));
  EXPECT_EQ(split["metrics"]["accuracy"].get<double>(), info["test"]["accuracy"].get<double>());
}
