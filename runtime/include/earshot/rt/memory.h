// Caller-owned memory. Components never allocate: each reports the bytes it
// needs (required_bytes) and then carves its buffers out of memory it is given.
// Both use the same layout code through Bump, so the two cannot disagree:
// a Bump over a null base only counts.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace earshot::rt {

class Bump {
 public:
  // Counting mode: take() returns nullptr and only adds up sizes.
  Bump() = default;
  Bump(void* base, size_t capacity) : base_(static_cast<uint8_t*>(base)), capacity_(capacity) {}

  // Reserves `count` objects of T aligned for T (at least 8 bytes).
  template <typename T>
  T* take(size_t count) {
    return static_cast<T*>(take_bytes(count * sizeof(T), alignof(T) < 8 ? 8 : alignof(T)));
  }
  void* take_bytes(size_t bytes, size_t align);

  size_t used() const { return used_; }
  bool counting() const { return base_ == nullptr; }
  // True when a real (non-counting) take ran past the capacity.
  bool overflowed() const { return overflow_; }

 private:
  uint8_t* base_ = nullptr;
  size_t capacity_ = 0;
  size_t used_ = 0;
  bool overflow_ = false;
};

}  // namespace earshot::rt
