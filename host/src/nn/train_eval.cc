// Evaluation: the metrics of a batch (measure) and of an epoch (finish),
// evaluate() over a dataset or generator batches, predict().
#include <algorithm>
#include <cmath>

#include "earshot/nn/train.h"
#include "train_internal.h"

namespace earshot::nn {

namespace {

bool wants(const HeadSpec& h, const char* metric) {
  return std::find(h.metrics.begin(), h.metrics.end(), metric) != h.metrics.end();
}

}  // namespace

void Trainer::measure(const Batch& b, const std::vector<Tensor<float>>& out, Accum& acc, double loss) {
  const size_t bs = b.x.batch();
  acc.loss_sum += loss * static_cast<double>(bs);
  acc.samples += bs;
  for (size_t h = 0; h < out.size(); ++h) {
    const HeadSpec& spec = model_.spec().heads[h];
    const Tensor<float>& p = out[h];
    const Tensor<float>& t = b.y[h];
    const size_t k = p.per_example();
    if (wants(spec, "accuracy")) {
      const bool sparse = t.per_example() == 1 && k > 1;
      for (size_t i = 0; i < bs; ++i) {
        const float* pi = p.data.data() + i * k;
        bool right;
        if (k == 1) {
          right = (pi[0] >= 0.5f) == (t.data[i] >= 0.5f);
        } else {
          const size_t pred = static_cast<size_t>(std::max_element(pi, pi + k) - pi);
          size_t truth;
          if (sparse) {
            truth = static_cast<size_t>(t.data[i]);
          } else {
            const float* ti = t.data.data() + i * k;
            truth = static_cast<size_t>(std::max_element(ti, ti + k) - ti);
          }
          right = pred == truth;
        }
        acc.correct[h] += right;
        ++acc.counted[h];
      }
    }
    if (wants(spec, "mae")) {
      for (size_t i = 0; i < p.size(); ++i) acc.abs_err[h] += std::fabs(p.data[i] - t.data[i]);
      acc.abs_n[h] += p.size();
    }
  }
}

std::map<std::string, double> Trainer::finish(const Accum& acc, const std::string& prefix) const {
  std::map<std::string, double> v;
  const double n = std::max<double>(1.0, static_cast<double>(acc.samples));
  v[prefix + "loss"] = acc.loss_sum / n;
  const bool multi = model_.head_count() > 1;
  for (size_t h = 0; h < model_.head_count(); ++h) {
    const std::string head = multi ? model_.spec().heads[h].name + "_" : "";
    if (multi) v[prefix + head + "loss"] = acc.head_loss[h] / n;
    if (acc.counted[h] > 0) v[prefix + head + "accuracy"] = static_cast<double>(acc.correct[h]) / acc.counted[h];
    if (acc.abs_n[h] > 0) v[prefix + head + "mae"] = acc.abs_err[h] / static_cast<double>(acc.abs_n[h]);
  }
  return v;
}

std::map<std::string, double> Trainer::evaluate(const Dataset& data) {
  Accum acc;
  acc.reset(model_.head_count());
  Batch b;
  const std::vector<size_t> none;
  for (size_t start = 0; start < data.n; start += static_cast<size_t>(opt_.batch_size)) {
    const size_t count = std::min(static_cast<size_t>(opt_.batch_size), data.n - start);
    data.gather(none, start, count, b);
    const std::vector<Tensor<float>>& out = model_.forward(b.x, false);
    double total = 0.0;
    for (size_t h = 0; h < out.size(); ++h) {
      const double l =
          loss_forward_backward<float>(losses_[h], out[h], b.y[h], b.w.empty() ? nullptr : b.w.data(), nullptr);
      acc.head_loss[h] += l * static_cast<double>(count);
      total += model_.spec().heads[h].weight * l;
    }
    measure(b, out, acc, total);
  }
  return finish(acc, "");
}

std::map<std::string, double> Trainer::evaluate(BatchSource& source, int steps, Rng& rng) {
  Accum acc;
  acc.reset(model_.head_count());
  Batch b;
  for (int s = 0; s < steps; ++s) {
    source.next(static_cast<size_t>(opt_.batch_size), rng, b);
    const std::vector<Tensor<float>>& out = model_.forward(b.x, false);
    double total = 0.0;
    for (size_t h = 0; h < out.size(); ++h) {
      const double l =
          loss_forward_backward<float>(losses_[h], out[h], b.y[h], b.w.empty() ? nullptr : b.w.data(), nullptr);
      acc.head_loss[h] += l * static_cast<double>(b.x.batch());
      total += model_.spec().heads[h].weight * l;
    }
    measure(b, out, acc, total);
  }
  return finish(acc, "");
}

std::vector<std::vector<float>> Trainer::predict(const Dataset& data) {
  std::vector<std::vector<float>> preds(model_.head_count());
  Batch b;
  const std::vector<size_t> none;
  for (size_t start = 0; start < data.n; start += static_cast<size_t>(opt_.batch_size)) {
    const size_t count = std::min(static_cast<size_t>(opt_.batch_size), data.n - start);
    data.gather(none, start, count, b);
    const std::vector<Tensor<float>>& out = model_.forward(b.x, false);
    for (size_t h = 0; h < out.size(); ++h) preds[h].insert(preds[h].end(), out[h].data.begin(), out[h].data.end());
  }
  return preds;
}

}  // namespace earshot::nn
