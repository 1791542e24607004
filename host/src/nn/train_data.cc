// Dataset ops of the trainer: gathering a batch, slicing a dataset, copying
// a generator's rows into the shards.
#include <algorithm>
#include <cstring>

#include "earshot/nn/train.h"
#include "train_internal.h"

namespace earshot::nn {

void Dataset::gather(const std::vector<size_t>& idx, size_t begin, size_t count, Batch& out) const {
  const size_t per = numel(example);
  Shape xs = example;
  xs.insert(xs.begin(), count);
  out.x.resize(xs);
  out.y.resize(targets.size());
  for (size_t h = 0; h < targets.size(); ++h) {
    Shape ys = targets[h];
    ys.insert(ys.begin(), count);
    out.y[h].resize(ys);
  }
  out.w.assign(w.empty() ? 0 : count, 1.0f);
  for (size_t i = 0; i < count; ++i) {
    const size_t e = idx.empty() ? begin + i : idx[begin + i];
    std::memcpy(out.x.data.data() + i * per, x.data() + e * per, per * sizeof(float));
    for (size_t h = 0; h < targets.size(); ++h) {
      const size_t tp = numel(targets[h]);
      std::memcpy(out.y[h].data.data() + i * tp, y[h].data() + e * tp, tp * sizeof(float));
    }
    if (!w.empty()) out.w[i] = w[e];
  }
}

namespace detail {

void copy_rows(const Batch& from, size_t begin, size_t count, Batch& to) {
  auto rows = [&](const Tensor<float>& a, Tensor<float>& b) {
    const size_t per = a.per_example();
    Shape s = a.shape;
    s[0] = count;
    b.resize(s);
    std::copy_n(a.data.begin() + static_cast<long>(begin * per), count * per, b.data.begin());
  };
  rows(from.x, to.x);
  to.y.resize(from.y.size());
  for (size_t h = 0; h < from.y.size(); ++h) rows(from.y[h], to.y[h]);
  to.w.assign(from.w.empty() ? from.w.end() : from.w.begin() + static_cast<long>(begin),
              from.w.empty() ? from.w.end() : from.w.begin() + static_cast<long>(begin + count));
}

}  // namespace detail

Dataset Dataset::slice(size_t begin, size_t count) const {
  Dataset d;
  d.example = example;
  d.targets = targets;
  count = std::min(count, n > begin ? n - begin : 0);
  d.n = count;
  const size_t per = numel(example);
  d.x.assign(x.begin() + static_cast<long>(begin * per), x.begin() + static_cast<long>((begin + count) * per));
  d.y.resize(y.size());
  for (size_t h = 0; h < y.size(); ++h) {
    const size_t tp = numel(targets[h]);
    d.y[h].assign(y[h].begin() + static_cast<long>(begin * tp), y[h].begin() + static_cast<long>((begin + count) * tp));
  }
  if (!w.empty()) d.w.assign(w.begin() + static_cast<long>(begin), w.begin() + static_cast<long>(begin + count));
  return d;
}

}  // namespace earshot::nn
