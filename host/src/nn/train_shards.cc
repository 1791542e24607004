// Shards and threads (train.h): a step's batch split into kTrainShards
// shards, each run on its own model copy by whichever of two threads claims
// it first, and their gradients added in shard order before the optimizer's
// update, itself split by element ranges the same way.
#include <algorithm>
#include <exception>
#include <thread>

#include "earshot/nn/train.h"
#include "train_internal.h"
#include "worker.h"

namespace earshot::nn {

namespace {
constexpr uint32_t kCaller = 1, kHelper = 2;  // Claim owners: fit()'s thread, the Worker
}  // namespace

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
  if (optimizer_->clips() || model_.clips_layers()) {
    add_gradients(0, 1);
    shards_[0]->model->clip_layer_gradients();  // layers' own clip_norm (EpyNN's RNN)
    optimizer_->step(params);                   // clips (clipvalue / clipnorm / global_clipnorm) first
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

}  // namespace earshot::nn
