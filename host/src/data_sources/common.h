// Parts the data sources share (host/src/data_sources/*.cc): the test set of
// a stream source, [data] test_examples, and the writers' summaries.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "earshot/data_sources.h"
#include "earshot/nn/train.h"
#include "earshot/task.h"

namespace earshot::detail {

// [data] test_examples, which every stream source takes.
ParamDesc test_examples_param();

// TaskData of a stream source: its training and validation streams, and a
// test set of [data] test_examples examples drawn in batches of `test_batch`
// with a seed the training never uses (train seed + 1000003).
TaskData stream_task_data(std::unique_ptr<nn::BatchSource> train, std::unique_ptr<nn::BatchSource> validation,
                          size_t test_batch, const TrainRecipe& tr, std::vector<std::string> class_names,
                          std::string description);

// Files PREFIX<k>SUFFIX in dir with k >= count, left over from an earlier,
// larger run and not listed in what this run wrote: a warning, or nothing.
std::vector<std::string> stale_files(const std::filesystem::path& dir, const std::string& prefix,
                                     const std::string& suffix, int count);

// "major 12, minor 12"
std::string counts_text(const std::map<std::string, int>& counts);
// %g
std::string num(double v);

}  // namespace earshot::detail
