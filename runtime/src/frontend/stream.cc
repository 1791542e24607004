// Frontend: streaming framing over FrameAnalyzer. The ring is a linear buffer
// of one frame; pop() shifts it left by the stride (frames are short, so the
// move costs less than the FFT and keeps analyze() on contiguous samples).
#include <string.h>

#include "earshot/rt/frontend.h"

namespace earshot::rt {

Status Frontend::required_bytes(const FrontendConfig& cfg, size_t* bytes) {
  if (bytes == nullptr) return Status::kInvalidArgument;
  *bytes = 0;
  Bump count;
  Frontend f;
  const Status s = f.layout(cfg, count);
  if (!ok(s)) return s;
  *bytes = count.used() + 8;
  return Status::kOk;
}

Status Frontend::init(const FrontendConfig& cfg, void* mem, size_t bytes) {
  ring_ = nullptr;
  if (mem == nullptr) return Status::kInvalidArgument;
  Bump bump(mem, bytes);
  const Status s = layout(cfg, bump);
  if (!ok(s)) {
    ring_ = nullptr;
    return s;
  }
  reset();
  return Status::kOk;
}

Status Frontend::layout(const FrontendConfig& cfg, Bump& bump) {
  const Status s = analyzer_.init(cfg, bump);
  if (!ok(s)) return s;
  ring_ = bump.take<float>(static_cast<size_t>(analyzer_.frame_length()));
  scratch_bytes_ = analyzer_.scratch_bytes();
  scratch_ = bump.take_bytes(scratch_bytes_, 8);
  if (bump.overflowed()) return Status::kBufferTooSmall;
  return Status::kOk;
}

void Frontend::reset() {
  ready_ = false;
  filled_ = 0;
  skip_ = 0;
  flushing_ = false;
  frames_out_ = 0;
  tail_pad_left_ = 0;
  if (ring_ == nullptr) return;
  if (analyzer_.config().center) {
    const int pad = analyzer_.frame_length() / 2;
    memset(ring_, 0, sizeof(float) * static_cast<size_t>(pad));
    filled_ = pad;
    tail_pad_left_ = pad;
  }
}

namespace {

// Copies up to `count` samples into dst, converted to float.
inline void copy_samples(float* dst, const float* src, size_t count) { memcpy(dst, src, sizeof(float) * count); }
inline void copy_samples(float* dst, const int16_t* src, size_t count) {
  for (size_t i = 0; i < count; ++i) dst[i] = src[i] * (1.0f / 32768.0f);
}

}  // namespace

template <typename T>
static Status push_impl(const T* samples, size_t n, size_t* consumed, bool* frame_ready, float* ring, int length,
                        int* filled, int* skip, bool* ready) {
  *consumed = 0;
  *frame_ready = *ready;
  if (*ready) return Status::kOk;
  size_t i = 0;
  if (*skip > 0) {
    const size_t s = static_cast<size_t>(*skip) < n ? static_cast<size_t>(*skip) : n;
    *skip -= static_cast<int>(s);
    i += s;
  }
  const size_t room = static_cast<size_t>(length - *filled);
  const size_t take = n - i < room ? n - i : room;
  if (take > 0) {
    copy_samples(ring + *filled, samples + i, take);
    *filled += static_cast<int>(take);
    i += take;
  }
  *consumed = i;
  *ready = *filled == length;
  *frame_ready = *ready;
  return Status::kOk;
}

Status Frontend::push(const float* samples, size_t n, size_t* consumed, bool* frame_ready) {
  if (consumed == nullptr || frame_ready == nullptr) return Status::kInvalidArgument;
  *consumed = 0;
  *frame_ready = false;
  if (ring_ == nullptr) return Status::kBadState;
  if (samples == nullptr && n > 0) return Status::kInvalidArgument;
  if (flushing_) return Status::kBadState;  // reset() before new audio
  return push_impl(samples, n, consumed, frame_ready, ring_, analyzer_.frame_length(), &filled_, &skip_, &ready_);
}

Status Frontend::push(const int16_t* samples, size_t n, size_t* consumed, bool* frame_ready) {
  if (consumed == nullptr || frame_ready == nullptr) return Status::kInvalidArgument;
  *consumed = 0;
  *frame_ready = false;
  if (ring_ == nullptr) return Status::kBadState;
  if (samples == nullptr && n > 0) return Status::kInvalidArgument;
  if (flushing_) return Status::kBadState;
  return push_impl(samples, n, consumed, frame_ready, ring_, analyzer_.frame_length(), &filled_, &skip_, &ready_);
}

Status Frontend::flush(bool* frame_ready) {
  if (frame_ready == nullptr) return Status::kInvalidArgument;
  *frame_ready = false;
  if (ring_ == nullptr) return Status::kBadState;
  flushing_ = true;
  if (!ready_ && tail_pad_left_ > 0) {
    const int length = analyzer_.frame_length();
    if (skip_ > 0) {
      const int s = skip_ < tail_pad_left_ ? skip_ : tail_pad_left_;
      skip_ -= s;
      tail_pad_left_ -= s;
    }
    const int room = length - filled_;
    const int take = tail_pad_left_ < room ? tail_pad_left_ : room;
    memset(ring_ + filled_, 0, sizeof(float) * static_cast<size_t>(take));
    filled_ += take;
    tail_pad_left_ -= take;
    ready_ = filled_ == length;
  }
  *frame_ready = ready_;
  return Status::kOk;
}

Status Frontend::pop(float* out) {
  if (ring_ == nullptr) return Status::kBadState;
  if (out == nullptr) return Status::kInvalidArgument;
  if (!ready_) return Status::kBadState;
  const Status s = analyzer_.analyze(ring_, out, scratch_, scratch_bytes_);
  if (!ok(s)) return s;
  const int length = analyzer_.frame_length();
  const int stride = analyzer_.config().frame_stride;
  if (stride < length) {
    memmove(ring_, ring_ + stride, sizeof(float) * static_cast<size_t>(length - stride));
    filled_ = length - stride;
  } else {
    filled_ = 0;
    skip_ = stride - length;
  }
  ready_ = false;
  ++frames_out_;
  return Status::kOk;
}

}  // namespace earshot::rt
