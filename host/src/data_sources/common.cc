#include "common.h"

#include <cstdio>

namespace earshot::detail {

namespace fs = std::filesystem;

ParamDesc test_examples_param() {
  return ParamDesc::integer("test_examples", 1, 1 << 24,
                            "Examples in the test split, drawn with a seed the training never uses (eval "
                            "draws the same set)")
      .def(2000);
}

namespace {

nn::Dataset materialize(nn::BatchSource& src, size_t examples, size_t batch, uint64_t seed) {
  nn::Rng rng(seed);
  nn::Dataset d;
  nn::Batch b;
  while (d.n < examples) {
    src.next(batch, rng, b);
    if (d.n == 0) {
      d.example.assign(b.x.shape.begin() + 1, b.x.shape.end());
      d.targets = {{}};
      d.y.resize(1);
    }
    const size_t take = std::min(batch, examples - d.n);
    const size_t per = nn::numel(d.example);
    d.x.insert(d.x.end(), b.x.data.begin(), b.x.data.begin() + static_cast<long>(take * per));
    d.y[0].insert(d.y[0].end(), b.y[0].data.begin(), b.y[0].data.begin() + static_cast<long>(take));
    d.n += take;
  }
  return d;
}

}  // namespace

TaskData stream_task_data(std::unique_ptr<nn::BatchSource> train, std::unique_ptr<nn::BatchSource> validation,
                          size_t test_batch, const TrainRecipe& tr, std::vector<std::string> class_names,
                          std::string description) {
  TaskData td;
  td.generator = std::move(train);
  td.validation_generator = std::move(validation);
  td.test = materialize(*td.generator, static_cast<size_t>(tr.data.params.integer("test_examples")), test_batch,
                        tr.train.seed + 1000003);
  td.class_names = std::move(class_names);
  td.description = std::move(description);
  return td;
}

std::vector<std::string> stale_files(const fs::path& dir, const std::string& prefix, const std::string& suffix,
                                     int count) {
  int stale = 0;
  std::string example;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (name.size() <= prefix.size() + suffix.size() || name.rfind(prefix, 0) != 0 ||
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0) {
      continue;
    }
    const std::string mid = name.substr(prefix.size(), name.size() - prefix.size() - suffix.size());
    if (mid.find_first_not_of("0123456789") != std::string::npos || mid.size() > 9) continue;
    if (std::stoi(mid) >= count) {
      ++stale;
      if (example.empty() || name < example) example = name;
    }
  }
  if (stale == 0) return {};
  return {dir.string() + " also holds " + std::to_string(stale) + " older file" + (stale == 1 ? "" : "s") + " (e.g. " +
          example + ") beyond the " + std::to_string(count) + " written now"};
}

std::string counts_text(const std::map<std::string, int>& counts) {
  std::string s;
  for (const auto& [k, v] : counts) s += (s.empty() ? "" : ", ") + k + " " + std::to_string(v);
  return s;
}

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

}  // namespace earshot::detail
