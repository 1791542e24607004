// The arrays source: examples and class labels already made, as .npy files
// (a split written by another tool, or the same clips handed to EpyNN and
// PyTorch in bench/run_author.sh, so all three train on the same examples in
// the same order).
#include <cmath>
#include <cstdio>

#include "common.h"
#include "earshot/error.h"
#include "earshot/npy.h"
#include "earshot/pipeline.h"

namespace earshot {
namespace {

namespace fs = std::filesystem;

std::string shape_text(const std::vector<size_t>& s) {
  std::string t = "[";
  for (size_t i = 0; i < s.size(); ++i) t += (i ? ", " : "") + std::to_string(s[i]);
  return t + "]";
}

// <dir>/<split>_x.npy and <split>_y.npy: x [n, example...] (any numeric
// dtype), y [n] class indices 0 .. classes-1. Returns an empty dataset when
// both files are absent and the split is optional.
nn::Dataset read_split(const fs::path& dir, const std::string& split, const std::vector<size_t>& example, bool required,
                       size_t* classes) {
  const fs::path xf = dir / (split + "_x.npy"), yf = dir / (split + "_y.npy");
  nn::Dataset d;
  d.example = example;
  d.targets = {{}};
  if (!fs::exists(xf) && !fs::exists(yf)) {
    if (required)
      throw Error(xf.string(), 0, "missing: the arrays source needs " + split + "_x.npy and " + split + "_y.npy");
    return d;
  }
  if (!fs::exists(xf)) throw Error(xf.string(), 0, "missing, while " + yf.filename().string() + " exists");
  if (!fs::exists(yf)) throw Error(yf.string(), 0, "missing, while " + xf.filename().string() + " exists");
  const NpyArray x = read_npy(xf), y = read_npy(yf);
  if (x.shape.empty()) throw Error(xf.string(), 0, "a scalar; expected [examples, " + shape_text(example).substr(1));
  const std::vector<size_t> got(x.shape.begin() + 1, x.shape.end());
  if (got != example) {
    throw Error(xf.string(), 0,
                "examples of shape " + shape_text(got) + "; the recipe's features make " + shape_text(example));
  }
  if (y.shape.size() != 1 || y.shape[0] != x.shape[0]) {
    throw Error(yf.string(), 0,
                "shape " + shape_text(y.shape) + "; expected [" + std::to_string(x.shape[0]) +
                    "] class indices, one per example of " + xf.filename().string());
  }
  d.n = x.shape[0];
  d.x = x.as_float();
  d.y = {std::vector<float>(d.n)};
  for (size_t i = 0; i < d.n; ++i) {
    const double v = y.data[i];
    if (!(v >= 0.0) || v != std::floor(v) || v > 65535.0) {
      throw Error(yf.string(), 0,
                  "element " + std::to_string(i) + " is " + detail::num(v) + "; labels are class indices 0, 1, 2, ...");
    }
    d.y[0][i] = static_cast<float>(v);
    *classes = std::max(*classes, static_cast<size_t>(v) + 1);
  }
  return d;
}

TaskData load_arrays(const Recipe& recipe, const TrainRecipe& tr, const fs::path& dir, int /*threads*/) {
  if (dir.empty())
    throw Error(recipe.path.string(), 0, "no data folder: pass --data DIR or set [data] dir in the recipe");
  if (!fs::is_directory(dir)) throw Error(dir.string(), 0, "not a folder");
  const std::vector<size_t> example = Pipeline(recipe).example_shape();
  size_t classes = 0;
  TaskData td;
  td.train = read_split(dir, "train", example, true, &classes);
  td.validation = read_split(dir, "validation", example, false, &classes);
  td.test = read_split(dir, "test", example, false, &classes);
  if (td.train.n == 0) throw Error((dir / "train_x.npy").string(), 0, "no examples");
  if (classes < 2 && tr.class_names.empty()) {
    throw Error((dir / "train_y.npy").string(), 0, "only one class (0) in the labels; a classifier needs two");
  }
  for (size_t k = 0; k < classes; ++k) td.class_names.push_back(std::to_string(k));
  char desc[512];
  std::snprintf(desc, sizeof desc, "arrays in %s: train %zu, validation %zu, test %zu examples of %s, %zu classes",
                dir.c_str(), td.train.n, td.validation.n, td.test.n, shape_text(example).c_str(), classes);
  td.description = desc;
  return td;
}

}  // namespace

const DataSource& arrays_source() {
  static const DataSource s{
      .name = "arrays",
      .doc =
          "Examples already made: `train_x.npy` [n, example...] and `train_y.npy` [n] class indices, optionally "
          "`validation_*` and `test_*`, in the data folder, used as they are (no shuffle, no split, no "
          "normalisation fitted); the example shape must be the recipe's features'.",
      .feed = DataFeed::kFolder,
      .params = {ParamDesc::string("dir", "Data folder when earshot train gets no --data").def("")},
      .load = &load_arrays,
      .notes =
          "Any numeric dtype; the class names are the indices (\"0\", \"1\", ...). `bench/run_author.sh` "
          "writes such a folder with the seed's 256 clips (cut by `earshot features`, shuffled and split as "
          "the seed's notebook does), so earshot, EpyNN and PyTorch train on the same clips in the same split "
          "(docs/benchmarks.md).",
  };
  return s;
}

}  // namespace earshot
