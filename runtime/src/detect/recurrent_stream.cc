// rt::RecurrentStream: the step kernels plus the head's reduction as running
// sums (recurrent_stream.h).
#include "earshot/rt/recurrent_stream.h"

#include <string.h>

#include "../ops/dot_s8_s16.h"
#include "../ops/fully_connected_s16.h"
#include "earshot/rt/memory.h"

namespace earshot::rt {

namespace {

#define EARSHOT_TRY(expr)             \
  do {                                \
    const Status s_ = (expr);         \
    if (s_ != Status::kOk) return s_; \
  } while (0)

// |w * h| <= 128 * 32768 = 2^22, so 2^31 / 2^22 = 512 products fit an int32
// partial sum exactly; a block holds up to 512 / units steps, and at most 32
// (the states buffered before the sums are updated).
constexpr int32_t kProductsPerBlock = 512;
constexpr int32_t kMaxBlockSteps = 32;

int32_t block_steps(int32_t units) {
  const int32_t k = kProductsPerBlock / units;
  return k < 1 ? 1 : k > kMaxBlockSteps ? kMaxBlockSteps : k;
}

struct Sizes {
  int32_t units = 0, input_depth = 0;
  size_t prepare = 0, scratch = 0;
};

Status sizes_of(const RecurrentStreamConfig& c, Sizes* s) {
  switch (c.cell) {
    case RecurrentCell::kGru:
      if (c.gru == nullptr) return Status::kInvalidArgument;
      s->units = c.gru->units;
      s->input_depth = c.gru->input_depth;
      s->prepare = gru_prepare_bytes(*c.gru);
      s->scratch = gru_scratch_elems(*c.gru);
      break;
    case RecurrentCell::kSimpleRnn:
      if (c.rnn == nullptr) return Status::kInvalidArgument;
      s->units = c.rnn->units;
      s->input_depth = c.rnn->input_depth;
      s->prepare = rnn_prepare_bytes(*c.rnn);
      s->scratch = rnn_scratch_elems(*c.rnn);
      break;
  }
  if (s->units <= 0 || s->input_depth <= 0 || c.steps <= 0) return Status::kInvalidArgument;
  if (c.reduce == RecurrentReduce::kFlatten) {
    if (c.fc_weights == nullptr || c.fc.batches != 1 || c.fc.units <= 0 ||
        static_cast<int64_t>(c.fc.in_depth) != static_cast<int64_t>(c.steps) * s->units) {
      return Status::kInvalidArgument;
    }
  }
  return Status::kOk;
}

struct Parts {
  void* step_data = nullptr;
  void* fc_data = nullptr;
  int16_t* h = nullptr;
  int16_t* scratch = nullptr;
  int64_t* sums = nullptr;
  int16_t* block_h = nullptr;
  int16_t* block_swz = nullptr;
  int16_t* reduced = nullptr;
};

void plan(const RecurrentStreamConfig& c, const Sizes& s, Bump& b, Parts* p) {
  p->step_data = b.take_bytes(s.prepare, 8);
  p->h = b.take<int16_t>(static_cast<size_t>(s.units));
  p->scratch = b.take<int16_t>(s.scratch);
  if (c.reduce == RecurrentReduce::kFlatten) {
    const size_t n = static_cast<size_t>(c.fc.units);
    p->fc_data = b.take_bytes(fully_connected_prepare_bytes(c.fc), 8);
    const size_t k = static_cast<size_t>(block_steps(s.units)) * static_cast<size_t>(s.units);
    p->sums = b.take<int64_t>(n);
    p->block_h = b.take<int16_t>(k);
    p->block_swz = b.take<int16_t>(k);
    p->reduced = b.take<int16_t>(n);
  } else {
    p->reduced = b.take<int16_t>(static_cast<size_t>(s.units));
  }
}

}  // namespace

Status RecurrentStream::required_bytes(const RecurrentStreamConfig& cfg, size_t* bytes) {
  if (bytes == nullptr) return Status::kInvalidArgument;
  Sizes s;
  EARSHOT_TRY(sizes_of(cfg, &s));
  Bump b;
  Parts p;
  plan(cfg, s, b, &p);
  *bytes = b.used();
  return Status::kOk;
}

Status RecurrentStream::init(const RecurrentStreamConfig& cfg, void* mem, size_t bytes) {
  ready_ = false;
  if (mem == nullptr) return Status::kInvalidArgument;
  Sizes s;
  EARSHOT_TRY(sizes_of(cfg, &s));
  Bump b(mem, bytes);
  Parts p;
  plan(cfg, s, b, &p);
  if (b.overflowed()) return Status::kBufferTooSmall;
  switch (cfg.cell) {
    case RecurrentCell::kGru: EARSHOT_TRY(gru_prepare_s16(*cfg.gru, p.step_data, s.prepare, &gru_)); break;
    case RecurrentCell::kSimpleRnn: EARSHOT_TRY(rnn_prepare_s16(*cfg.rnn, p.step_data, s.prepare, &rnn_)); break;
  }
  if (cfg.reduce == RecurrentReduce::kFlatten) {
    EARSHOT_TRY(fully_connected_prepare_s16(cfg.fc, p.fc_data, fully_connected_prepare_bytes(cfg.fc), &fc_));
    block_steps_ = block_steps(s.units);
    reduced_size_ = cfg.fc.units;
  } else {
    reduced_size_ = s.units;
  }
  cfg_ = cfg;
  units_ = s.units;
  h_ = p.h;
  scratch_ = p.scratch;
  scratch_elems_ = s.scratch;
  sums_ = p.sums;
  block_h_ = p.block_h;
  block_swz_ = p.block_swz;
  reduced_ = p.reduced;
  memset(reduced_, 0, static_cast<size_t>(reduced_size_) * sizeof(int16_t));
  ready_ = true;
  reset();
  return Status::kOk;
}

void RecurrentStream::reset() {
  if (!ready_) return;
  t_ = 0;
  in_block_ = 0;
  memset(h_, 0, static_cast<size_t>(units_) * sizeof(int16_t));
  if (cfg_.reduce == RecurrentReduce::kFlatten) memset(sums_, 0, static_cast<size_t>(cfg_.fc.units) * sizeof(int64_t));
}

// Adds the buffered steps t_ - in_block_ .. t_ - 1 into the sums: for each
// output, the weights of those steps are contiguous (row n, columns
// (t_ - in_block_) * units onwards).
void RecurrentStream::flush_block() {
  if (in_block_ == 0) return;
  const int32_t m = in_block_ * units_;
  detail::swizzle_s16(block_h_, m, block_swz_);
  const size_t depth = static_cast<size_t>(cfg_.fc.in_depth);
  const int8_t* w = cfg_.fc_weights + static_cast<size_t>(t_ - in_block_) * static_cast<size_t>(units_);
  for (int32_t n = 0; n < cfg_.fc.units; ++n, w += depth) sums_[n] += detail::dot_s8_s16(w, block_swz_, m);
  in_block_ = 0;
}

Status RecurrentStream::push_index(int32_t index, bool* clip_done) {
  if (!ready_) return Status::kBadState;
  if (clip_done == nullptr || !cfg_.one_hot) return Status::kInvalidArgument;
  switch (cfg_.cell) {
    case RecurrentCell::kGru: EARSHOT_TRY(gru_step_one_hot_s16(gru_, index, h_, scratch_, scratch_elems_)); break;
    case RecurrentCell::kSimpleRnn: EARSHOT_TRY(rnn_step_one_hot_s16(rnn_, index, h_, scratch_, scratch_elems_)); break;
  }
  return after_step(clip_done);
}

Status RecurrentStream::push(const int16_t* x, bool* clip_done) {
  if (!ready_) return Status::kBadState;
  if (clip_done == nullptr || x == nullptr || cfg_.one_hot) return Status::kInvalidArgument;
  switch (cfg_.cell) {
    case RecurrentCell::kGru: EARSHOT_TRY(gru_step_s16(gru_, x, h_, scratch_, scratch_elems_)); break;
    case RecurrentCell::kSimpleRnn: EARSHOT_TRY(rnn_step_s16(rnn_, x, h_, scratch_, scratch_elems_)); break;
  }
  return after_step(clip_done);
}

Status RecurrentStream::after_step(bool* clip_done) {
  ++t_;
  if (cfg_.reduce == RecurrentReduce::kFlatten) {
    memcpy(block_h_ + in_block_ * units_, h_, static_cast<size_t>(units_) * sizeof(int16_t));
    if (++in_block_ == block_steps_) flush_block();
  }
  *clip_done = t_ == cfg_.steps;
  if (!*clip_done) return Status::kOk;
  if (cfg_.reduce == RecurrentReduce::kFlatten) {
    flush_block();
    for (int32_t n = 0; n < cfg_.fc.units; ++n) {
      int64_t sum = sums_[n];
      if (cfg_.fc_bias != nullptr) sum += cfg_.fc_bias[n];
      reduced_[n] = detail::fc_output_s16(fc_, n, sum);
    }
  } else {
    memcpy(reduced_, h_, static_cast<size_t>(units_) * sizeof(int16_t));
  }
  reset();
  return Status::kOk;
}

}  // namespace earshot::rt
