#include "earshot/rt/memory.h"

namespace earshot::rt {

void* Bump::take_bytes(size_t bytes, size_t align) {
  const size_t start = (used_ + align - 1) / align * align;
  if (counting()) {
    used_ = start + bytes;
    return nullptr;
  }
  // Align the real address, not just the offset: the base may be unaligned.
  const uintptr_t base = reinterpret_cast<uintptr_t>(base_);
  const uintptr_t addr = (base + start + align - 1) / align * align;
  const size_t end = static_cast<size_t>(addr - base) + bytes;
  if (end > capacity_) {
    overflow_ = true;
    return nullptr;
  }
  used_ = end;
  return reinterpret_cast<void*>(addr);
}

}  // namespace earshot::rt
