// The trainer's construction and fit(): epochs of shuffled batches or
// generator steps, validation, best weights and early stopping, the progress
// line; and the history as CSV and JSON. The rest of the trainer is beside
// this file (train_internal.h lists it).
#include "earshot/nn/train.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "earshot/error.h"
#include "train_internal.h"

namespace earshot::nn {

Trainer::Trainer(Model<float>& model, TrainOptions opt) : model_(model), opt_(std::move(opt)) {
  for (const HeadSpec& h : model_.spec().heads) {
    losses_.push_back(loss_from_name(h.loss, h.from_logits));
    losses_.back().sum_over_batch = h.sum_over_batch;
  }
  optimizer_ = make_optimizer<float>(opt_.optimizer);
  if (opt_.batch_size < 1) throw Error("train: batch_size must be at least 1");
  if (opt_.epochs < 1) throw Error("train: epochs must be at least 1");
  if (opt_.threads < 0) throw Error("train: threads must be >= 0 (0: one per core)");
}

Trainer::~Trainer() = default;

namespace {

bool lower_is_better(const std::string& monitor) {
  return monitor.find("loss") != std::string::npos || monitor.find("mae") != std::string::npos ||
         monitor.find("error") != std::string::npos;
}

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
  const size_t steps = source != nullptr          ? static_cast<size_t>(opt_.steps_per_epoch)
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
        else if (nshards > 1) detail::copy_rows(b, sh.begin, sh.count, sh.batch);
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
