#include "earshot/nn/train.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>

#include <exception>
#include <thread>

#include "earshot/error.h"
#include "worker.h"

namespace earshot::nn {

// ---------------------------------------------------------------------------
// Datasets

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

namespace {

// Rows [begin, begin + count) of a batch (a generator's batch into shards).
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

}  // namespace

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

// ---------------------------------------------------------------------------
// Metrics accumulated over an epoch

struct Trainer::Accum {
  double loss_sum = 0.0;
  size_t samples = 0;
  std::vector<double> head_loss;
  std::vector<size_t> correct, counted;
  std::vector<double> abs_err;
  std::vector<size_t> abs_n;
  void reset(size_t heads) {
    loss_sum = 0.0;
    samples = 0;
    head_loss.assign(heads, 0.0);
    correct.assign(heads, 0);
    counted.assign(heads, 0);
    abs_err.assign(heads, 0.0);
    abs_n.assign(heads, 0);
  }
};

namespace {

bool wants(const HeadSpec& h, const char* metric) {
  return std::find(h.metrics.begin(), h.metrics.end(), metric) != h.metrics.end();
}

bool lower_is_better(const std::string& monitor) {
  return monitor.find("loss") != std::string::npos || monitor.find("mae") != std::string::npos ||
         monitor.find("error") != std::string::npos;
}

}  // namespace

// One shard of a training step (train.h): where its examples come from, the
// model copy it runs on, and what it hands back to the step.
struct Trainer::Shard {
  Model<float>* model = nullptr;
  std::unique_ptr<Model<float>> replica;  // shards after the first
  std::vector<Param<float>*> params;      // model->params()
  // Input: gathered by the shard's own thread from `data` (order[begin ..
  // begin + count)), or already in `batch` (generators) when data is null.
  const Dataset* data = nullptr;
  const std::vector<size_t>* order = nullptr;
  size_t begin = 0, count = 0;
  size_t batch_examples = 0;  // of the whole step
  Batch batch;
  // Output: dLoss/doutput per head, this shard's part of each head's batch
  // loss, its metrics (Accum: accuracy, mae; its loss fields stay 0).
  std::vector<Tensor<float>> grads;
  std::vector<double> head_loss;
  Accum acc;
  // Who runs it this step (kCaller or kHelper), and what it threw.
  detail::Claim claim;
  std::exception_ptr error;
  // Part i of the step's gradient sum and optimizer update (update_part()),
  // claimed the same way once every shard is done.
  detail::Claim update;
};

namespace {
constexpr uint32_t kCaller = 1, kHelper = 2;  // Claim owners: fit()'s thread, the Worker
}  // namespace

Trainer::Trainer(Model<float>& model, TrainOptions opt) : model_(model), opt_(std::move(opt)) {
  for (const HeadSpec& h : model_.spec().heads) losses_.push_back(loss_from_name(h.loss, h.from_logits));
  optimizer_ = make_optimizer<float>(opt_.optimizer);
  if (opt_.batch_size < 1) throw Error("train: batch_size must be at least 1");
  if (opt_.epochs < 1) throw Error("train: epochs must be at least 1");
  if (opt_.threads < 0) throw Error("train: threads must be >= 0 (0: one per core)");
}

Trainer::~Trainer() = default;

int Trainer::shards() const { return model_.mixes_batch() ? 1 : kTrainShards; }

int Trainer::threads() const {
  const int cores = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  return std::min(opt_.threads > 0 ? opt_.threads : cores, shards());
}

void Trainer::prepare_shards() {
  const size_t n = static_cast<size_t>(shards());
  if (shards_.size() != n) {
    shards_.clear();
    for (size_t i = 0; i < n; ++i) {
      auto s = std::make_unique<Shard>();
      if (i == 0) {
        s->model = &model_;
      } else {  // same spec; its weights are copied from model_ before every use
        s->replica = std::make_unique<Model<float>>(model_.spec(), opt_.seed);
        s->model = s->replica.get();
      }
      s->params = s->model->params();
      s->grads.resize(model_.head_count());
      shards_.push_back(std::move(s));
    }
  }
  // Claimed between steps, so the helper cannot start a shard whose input is
  // being set up; step() releases them.
  for (auto& s : shards_) {
    s->claim.claim(kCaller);
    s->update.claim(kCaller);
  }
  worker_.reset();
  if (threads() > 1) {
    worker_ = std::make_unique<detail::Worker>([this] {
      for (size_t i = 1; i < shards_.size(); ++i) {
        Shard& s = *shards_[i];
        if (!s.claim.claim(kHelper)) continue;
        try {
          run_shard(s);
        } catch (...) {
          s.error = std::current_exception();
        }
        s.claim.finish();
      }
      for (size_t i = 1; i < shards_.size(); ++i) {
        if (!shards_[i]->update.claim(kHelper)) continue;
        update_part(i);
        shards_[i]->update.finish();
      }
    });
  }
}

// Elements [n i / parts, n (i+1) / parts) of every parameter (parts: one per
// shard): the shards' gradients added in shard order into shard 0's, then the
// optimizer's update of those elements. Elementwise, so the parts may run on
// either thread in any order.
void Trainer::update_part(size_t i) {
  add_gradients(i, shards_.size());
  optimizer_->update_part(shards_[0]->params, i, shards_.size());
}

void Trainer::add_gradients(size_t part, size_t parts) {
  const std::vector<Param<float>*>& params = shards_[0]->params;
  // A batch smaller than the shard count (batch size 1, or a last batch of
  // one example) leaves shard 0 empty: its gradient buffers still hold an
  // earlier step's, so the sum starts from zero instead.
  if (shards_[0]->count == 0) {
    for (Param<float>* p : params) {
      const size_t n = p->grad.data.size();
      std::fill(p->grad.data.begin() + static_cast<std::ptrdiff_t>(n * part / parts),
                p->grad.data.begin() + static_cast<std::ptrdiff_t>(n * (part + 1) / parts), 0.0f);
    }
  }
  for (size_t s = 1; s < shards_.size(); ++s) {
    if (shards_[s]->count == 0) continue;
    for (size_t k = 0; k < params.size(); ++k) {
      const size_t n = params[k]->grad.data.size(), lo = n * part / parts, hi = n * (part + 1) / parts;
      float* g = params[k]->grad.data.data();
      const float* gs = shards_[s]->params[k]->grad.data.data();
      for (size_t j = lo; j < hi; ++j) g[j] += gs[j];
    }
  }
}

void Trainer::run_shard(Shard& s) {
  s.acc.reset(model_.head_count());
  s.head_loss.assign(model_.head_count(), 0.0);
  if (s.count == 0) return;  // a batch smaller than the shard count
  if (s.data != nullptr) s.data->gather(*s.order, s.begin, s.count, s.batch);
  // The replica runs on this step's weights. With a helper thread they are
  // copied (model_ is only read until the step ends); on one thread nothing
  // else runs, so the replica borrows model_'s values (a swap, undone below
  // and on an exception) instead of copying 250 KB per step for seed 000.
  struct Borrow {
    const std::vector<Param<float>*>* a = nullptr;
    const std::vector<Param<float>*>* b = nullptr;
    void swap() {
      for (size_t i = 0; a && i < a->size(); ++i) (*a)[i]->value.data.swap((*b)[i]->value.data);
    }
    ~Borrow() { swap(); }
  } borrow;
  if (s.replica && worker_) {
    const std::vector<Param<float>*>& master = shards_[0]->params;
    for (size_t i = 0; i < master.size(); ++i)
      std::copy(master[i]->value.data.begin(), master[i]->value.data.end(), s.params[i]->value.data.begin());
  } else if (s.replica) {
    borrow.a = &shards_[0]->params;
    borrow.b = &s.params;
    borrow.swap();
  }
  const std::vector<Tensor<float>>& out = s.model->forward(s.batch.x, true);
  const float* w = s.batch.w.empty() ? nullptr : s.batch.w.data();
  for (size_t h = 0; h < out.size(); ++h) {
    s.head_loss[h] = loss_forward_backward(losses_[h], out[h], s.batch.y[h], w, &s.grads[h], s.batch_examples);
    const double weight = model_.spec().heads[h].weight;
    if (weight != 1.0) {
      for (float& g : s.grads[h].data) g *= static_cast<float>(weight);
    }
  }
  measure(s.batch, out, s.acc, 0.0);
  s.model->backward(s.grads, /*accumulate=*/false);  // writes every gradient: no zeroing pass
}

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

// One optimizer step over the shards' inputs, which the caller has set.
double Trainer::step(Accum& acc) {
  // Dropout streams of the other shards, split off in shard order whichever
  // thread runs them.
  for (size_t i = 1; i < shards_.size(); ++i) shards_[i]->model->dropout_rng() = model_.dropout_rng().split();
  // Shard 0 here; the others go to whichever thread claims them first (the
  // helper may not be running yet, e.g. when another process has the core).
  for (size_t i = 0; i < shards_.size(); ++i) {
    shards_[i]->error = nullptr;
    if (i > 0) shards_[i]->claim.reset();
  }
  if (worker_) worker_->start();
  for (size_t i = 0; i < shards_.size(); ++i) {
    Shard& s = *shards_[i];
    if (i > 0 && !s.claim.claim(kCaller)) continue;
    try {
      run_shard(s);
    } catch (...) {
      s.error = std::current_exception();
    }
  }
  for (size_t i = 1; i < shards_.size(); ++i) {
    if (shards_[i]->claim.owner.load(std::memory_order_acquire) == kHelper) shards_[i]->claim.wait_done();
  }
  for (const auto& s : shards_) {  // only now, when no thread is using the shards
    if (s->error) std::rethrow_exception(s->error);
  }

  // The batch gradient (shard 0's plus the others', in shard order) and the
  // optimizer step: in parts on both threads, unless clipping needs the whole
  // gradient first.
  const std::vector<Param<float>*>& params = shards_[0]->params;
  if (optimizer_->clips()) {
    add_gradients(0, 1);
    optimizer_->step(params);  // clips (clipvalue / clipnorm / global_clipnorm) first
  } else {
    optimizer_->begin_parts(params);
    for (size_t i = 1; i < shards_.size(); ++i) shards_[i]->update.reset();
    if (worker_) worker_->start();
    for (size_t i = 0; i < shards_.size(); ++i) {
      if (i == 0 || shards_[i]->update.claim(kCaller)) update_part(i);
    }
    for (size_t i = 1; i < shards_.size(); ++i) {
      if (shards_[i]->update.owner.load(std::memory_order_acquire) == kHelper) shards_[i]->update.wait_done();
    }
    optimizer_->end_parts();
  }
  const double examples = static_cast<double>(shards_[0]->batch_examples);
  double total = 0.0;
  for (size_t h = 0; h < model_.head_count(); ++h) {
    double l = 0.0;
    for (const auto& s : shards_) l += s->head_loss[h];
    acc.head_loss[h] += l * examples;
    total += model_.spec().heads[h].weight * l;
  }
  acc.loss_sum += total * examples;
  for (const auto& s : shards_) {
    acc.samples += s->acc.samples;
    for (size_t h = 0; h < model_.head_count(); ++h) {
      acc.correct[h] += s->acc.correct[h];
      acc.counted[h] += s->acc.counted[h];
      acc.abs_err[h] += s->acc.abs_err[h];
      acc.abs_n[h] += s->acc.abs_n[h];
    }
  }
  return total;
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
      const double l = loss_forward_backward<float>(losses_[h], out[h], b.y[h], b.w.empty() ? nullptr : b.w.data(),
                                                    nullptr);
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
      const double l = loss_forward_backward<float>(losses_[h], out[h], b.y[h], b.w.empty() ? nullptr : b.w.data(),
                                                    nullptr);
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

namespace {

std::string format_values(const std::map<std::string, double>& v) {
  std::string s;
  char buf[96];
  // Keras order: loss first, then the rest alphabetically, val_ last.
  auto add = [&](const std::string& k, double x) {
    std::snprintf(buf, sizeof buf, " - %s: %.4f", k.c_str(), x);
    s += buf;
  };
  if (v.count("loss")) add("loss", v.at("loss"));
  for (const auto& [k, x] : v) {
    if (k != "loss" && k.rfind("val_", 0) != 0) add(k, x);
  }
  for (const auto& [k, x] : v) {
    if (k.rfind("val_", 0) == 0) add(k, x);
  }
  return s;
}

std::string rate_str(double samples_per_second) {
  char buf[32];
  if (samples_per_second >= 1e6) std::snprintf(buf, sizeof buf, "%.1fM", samples_per_second / 1e6);
  else if (samples_per_second >= 1e3) std::snprintf(buf, sizeof buf, "%.1fk", samples_per_second / 1e3);
  else std::snprintf(buf, sizeof buf, "%.0f", samples_per_second);
  return buf;
}

// Fisher-Yates from our own RNG (std::shuffle's draws are not specified).
void shuffle_order(std::vector<size_t>& order, Rng& rng) {
  for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng.below(i)]);
}

}  // namespace

TrainState Trainer::fit(const Dataset* train, BatchSource* source, const Dataset* val, BatchSource* val_source,
                        TrainState state) {
  if ((train == nullptr) == (source == nullptr)) throw Error("train: give either a dataset or a generator");
  if (source != nullptr && opt_.steps_per_epoch < 1) throw Error("train: a generator needs steps_per_epoch >= 1");
  if (train != nullptr && train->n == 0) throw Error("train: the training set is empty");
  using clock = std::chrono::steady_clock;
  const bool tty = isatty(fileno(stdout)) != 0;

  Rng shuffle_rng(opt_.seed * 0x9E3779B97F4A7C15ull + 1);
  Rng data_rng(opt_.seed * 0x9E3779B97F4A7C15ull + 2);
  if (state.epochs_done > 0) {  // resume
    shuffle_rng.set_state(state.shuffle_rng);
    data_rng.set_state(state.data_rng);
    model_.dropout_rng().set_state(state.dropout_rng);
    optimizer_->set_iterations(state.iterations);
    std::vector<Param<float>*> params = model_.params();
    std::vector<std::vector<float>*> slots = optimizer_->slots(params);
    if (slots.size() != state.slots.size()) throw Error("resume: optimizer state does not match the model");
    for (size_t i = 0; i < slots.size(); ++i) *slots[i] = state.slots[i];
  }
  const std::string monitor = opt_.early_stopping.monitor;
  const bool minimize = lower_is_better(monitor);

  // Each epoch shuffles the previous epoch's order. A resumed run rebuilds
  // that order by replaying the finished epochs' shuffles from the seed, so
  // it continues exactly where the uninterrupted run would be (the shuffle
  // RNG draws for nothing else; the replay ends in the checkpoint's state).
  std::vector<size_t> order;
  if (train != nullptr) {
    order.resize(train->n);
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    if (state.epochs_done > 0 && opt_.shuffle) {
      Rng replay(opt_.seed * 0x9E3779B97F4A7C15ull + 1);
      for (int e = 0; e < state.epochs_done; ++e) shuffle_order(order, replay);
      if (replay.state() != state.shuffle_rng) {
        throw Error("resume: the checkpoint's shuffle state does not follow from seed " + std::to_string(opt_.seed) +
                    " over " + std::to_string(state.epochs_done) + " epochs of " + std::to_string(train->n) +
                    " examples (was the training set or the seed changed?)");
      }
    }
  }
  const size_t bs = static_cast<size_t>(opt_.batch_size);
  const size_t steps = source != nullptr ? static_cast<size_t>(opt_.steps_per_epoch)
                       : opt_.steps_per_epoch > 0 ? static_cast<size_t>(opt_.steps_per_epoch)
                                                  : (train->n + bs - 1) / bs;
  prepare_shards();
  struct StopWorker {  // the helper thread ends with fit(), also on an exception
    std::unique_ptr<detail::Worker>& w;
    ~StopWorker() { w.reset(); }
  } stop_worker{worker_};
  const size_t nshards = shards_.size();
  Accum acc;
  Batch b;  // a generator's whole batch, split into the shards
  for (int epoch = state.epochs_done + 1; epoch <= opt_.epochs && !state.stopped; ++epoch) {
    const auto t0 = clock::now();
    acc.reset(model_.head_count());
    if (train != nullptr && opt_.shuffle) shuffle_order(order, shuffle_rng);
    auto last_print = t0;
    size_t cursor = 0;
    for (size_t s = 0; s < steps; ++s) {
      size_t count;
      if (source != nullptr) {
        source->next(bs, data_rng, nshards == 1 ? shards_[0]->batch : b);
        count = nshards == 1 ? shards_[0]->batch.x.batch() : b.x.batch();
      } else {
        if (cursor >= train->n) cursor = 0;
        count = std::min(bs, train->n - cursor);
      }
      for (size_t i = 0; i < nshards; ++i) {
        Shard& sh = *shards_[i];
        sh.begin = count * i / nshards;
        sh.count = count * (i + 1) / nshards - sh.begin;
        sh.batch_examples = count;
        sh.data = train;
        sh.order = &order;
        if (train != nullptr) sh.begin += cursor;  // the shard's thread gathers its examples
        else if (nshards > 1) copy_rows(b, sh.begin, sh.count, sh.batch);
      }
      cursor += count;
      const double loss = step(acc);
      if (!std::isfinite(loss) && opt_.stop_on_nan) {
        state.stopped = true;
        state.stop_reason = "loss became " + std::string(std::isnan(loss) ? "NaN" : "infinite") + " at epoch " +
                            std::to_string(epoch) + ", step " + std::to_string(s + 1);
        break;
      }
      if (opt_.verbose && tty) {
        const auto now = clock::now();
        if (now - last_print > std::chrono::milliseconds(100) || s + 1 == steps) {
          last_print = now;
          const double el = std::chrono::duration<double>(now - t0).count();
          const double eta = el / static_cast<double>(s + 1) * static_cast<double>(steps - s - 1);
          const int bar = static_cast<int>(30.0 * static_cast<double>(s + 1) / static_cast<double>(steps));
          std::printf("\rEpoch %d/%d %5zu/%zu [%.*s>%*s] - ETA %.0fs%s - %s samples/s   ", epoch, opt_.epochs, s + 1,
                      steps, bar, "==============================", 30 - bar, "", eta,
                      format_values(finish(acc, "")).c_str(), rate_str(static_cast<double>(acc.samples) / el).c_str());
          std::fflush(stdout);
        }
      }
    }
    EpochLog log;
    log.epoch = epoch;
    log.values = finish(acc, "");
    const double train_seconds = std::chrono::duration<double>(clock::now() - t0).count();
    log.samples_per_second = static_cast<double>(acc.samples) / std::max(train_seconds, 1e-9);
    if (!state.stopped) {
      std::map<std::string, double> vv;
      if (val != nullptr && val->n > 0) vv = evaluate(*val);
      if (val_source != nullptr && opt_.validation_steps > 0) {
        Rng vr(opt_.seed * 0x9E3779B97F4A7C15ull + 3);  // the same validation batches every epoch
        vv = evaluate(*val_source, opt_.validation_steps, vr);
      }
      for (const auto& [k, x] : vv) log.values["val_" + k] = x;
    }
    log.seconds = std::chrono::duration<double>(clock::now() - t0).count();
    state.history.push_back(log);
    state.epochs_done = epoch;

    // Best weights and early stopping on the monitored value.
    if (!state.stopped && log.values.count(monitor)) {
      const double v = log.values.at(monitor);
      const double delta = opt_.early_stopping.min_delta;
      const bool better = !state.has_best || (minimize ? v < state.best - delta : v > state.best + delta);
      if (better) {
        state.best = v;
        state.has_best = true;
        state.best_epoch = epoch;
        state.wait = 0;
        if (opt_.keep_best) {
          std::vector<Param<float>*> params = model_.params();
          state.best_weights.resize(params.size());
          for (size_t i = 0; i < params.size(); ++i) state.best_weights[i] = params[i]->value.data;
        }
      } else if (opt_.early_stopping.patience > 0 && ++state.wait >= opt_.early_stopping.patience) {
        state.stopped = true;
        state.stop_reason = "early stopping: " + monitor + " did not improve for " +
                            std::to_string(opt_.early_stopping.patience) + " epochs (best " +
                            std::to_string(state.best) + " at epoch " + std::to_string(state.best_epoch) + ")";
      }
    }
    if (opt_.verbose) {
      std::printf("%sEpoch %d/%d - %.1fs - %s samples/s%s\n", tty ? "\r\033[K" : "", epoch, opt_.epochs, log.seconds,
                  rate_str(log.samples_per_second).c_str(), format_values(log.values).c_str());
      if (state.stopped) std::printf("stopped: %s\n", state.stop_reason.c_str());
      std::fflush(stdout);
    }
    state.iterations = optimizer_->iterations();
    state.shuffle_rng = shuffle_rng.state();
    state.data_rng = data_rng.state();
    state.dropout_rng = model_.dropout_rng().state();
    std::vector<Param<float>*> params = model_.params();
    std::vector<std::vector<float>*> slots = optimizer_->slots(params);
    state.slots.resize(slots.size());
    for (size_t i = 0; i < slots.size(); ++i) state.slots[i] = *slots[i];
    if (on_epoch_end) on_epoch_end(state);
  }
  return state;
}

std::string history_csv(const std::vector<EpochLog>& h) {
  std::vector<std::string> keys;
  for (const EpochLog& e : h) {
    for (const auto& [k, v] : e.values) {
      if (std::find(keys.begin(), keys.end(), k) == keys.end()) keys.push_back(k);
    }
  }
  std::string s = "epoch";
  for (const std::string& k : keys) s += "," + k;
  s += ",seconds,samples_per_second\n";
  char buf[64];
  for (const EpochLog& e : h) {
    s += std::to_string(e.epoch);
    for (const std::string& k : keys) {
      if (e.values.count(k)) {
        std::snprintf(buf, sizeof buf, ",%.9g", e.values.at(k));
        s += buf;
      } else {
        s += ",";
      }
    }
    std::snprintf(buf, sizeof buf, ",%.4f,%.1f\n", e.seconds, e.samples_per_second);
    s += buf;
  }
  return s;
}

nlohmann::json history_json(const std::vector<EpochLog>& h) {
  nlohmann::json j = nlohmann::json::array();
  for (const EpochLog& e : h) {
    nlohmann::json r = e.values;
    r["epoch"] = e.epoch;
    r["seconds"] = e.seconds;
    r["samples_per_second"] = e.samples_per_second;
    j.push_back(r);
  }
  return j;
}

}  // namespace earshot::nn
