// The arrays data source: examples read as they are, and clear errors for
// files that are missing or do not fit the recipe.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "earshot/npy.h"
#include "earshot/recipe.h"
#include "earshot/task.h"
#include "host/test_util.h"

namespace earshot {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

#define EXPECT_HAS(msg, part) EXPECT_NE((msg).find(part), std::string::npos) << "text: " << (msg)

// recipes/author_gru.toml's features (10,000 levels per clip) from the arrays source.
Recipe arrays_recipe() {
  const Recipe r = load_recipe(fs::path(EARSHOT_TEST_DATA) / ".." / "recipes" / "author_gru.toml");
  std::string text = r.text.substr(0, r.text.find("\n[data]\n"));
  return parse_recipe(text + "\n[data]\nsource = \"arrays\"\n", r.path.string());
}

void write_split(const fs::path& dir, const std::string& split, size_t n, size_t length) {
  std::vector<uint8_t> x(n * length), y(n);
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<uint8_t>(i % 16);
  for (size_t i = 0; i < n; ++i) y[i] = static_cast<uint8_t>(i % 2);
  write_npy(dir / (split + "_x.npy"), x.data(), {n, length});
  write_npy(dir / (split + "_y.npy"), y.data(), {n});
}

std::string load_error(const fs::path& dir) {
  const Recipe r = arrays_recipe();
  return testing::error_of([&] { (void)load_task_data(r, parse_train_recipe(r), dir, 1); });
}

TEST(ArraysSource, ReadsTheSplitsInOrder) {
  TempDir tmp;
  write_split(tmp.path(), "train", 4, 10000);
  write_split(tmp.path(), "validation", 2, 10000);
  const Recipe r = arrays_recipe();
  const TaskData td = load_task_data(r, parse_train_recipe(r), tmp.path(), 1);
  ASSERT_EQ(td.train.n, 4u);
  EXPECT_EQ(td.validation.n, 2u);
  EXPECT_EQ(td.test.n, 0u);
  EXPECT_EQ(td.train.x[10001], 10001 % 16);  // the second clip's second level, untouched
  EXPECT_EQ(td.train.y[0], (std::vector<float>{0, 1, 0, 1}));
}

TEST(ArraysSource, ErrorsNameTheFileAndTheProblem) {
  TempDir tmp;
  EXPECT_HAS(load_error(tmp.path()), "missing: the arrays source needs train_x.npy and train_y.npy");
  write_split(tmp.path(), "train", 3, 9000);
  EXPECT_HAS(load_error(tmp.path()), "examples of shape [9000]; the recipe's features make [10000]");
  write_split(tmp.path(), "train", 3, 10000);
  fs::remove(tmp.path() / "train_y.npy");
  EXPECT_HAS(load_error(tmp.path()), "missing, while train_x.npy exists");
}

}  // namespace
}  // namespace earshot
