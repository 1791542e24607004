// A persistent helper thread for the trainer's shards (not installed).
//
// A training step of the seed models takes 40 to 500 microseconds, about as
// long as waking a sleeping thread can take, so the thread is started once per
// fit() and handed each step through a counter that it watches spinning for a
// while before it sleeps (C++20 atomic wait/notify). The trainer does not wait
// for the thread to wake: each shard is claimed by whichever thread gets to it
// first (claim()), so when the other core is busy the calling thread simply
// runs every shard itself.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <thread>

namespace earshot::nn::detail {

// Returns the value of `a` once it differs from `old`: spins first (4,096
// pauses: some tens of microseconds, depending on the CPU), then sleeps.
inline uint32_t wait_for_change(const std::atomic<uint32_t>& a, uint32_t old) {
  for (int i = 0; i < 4096; ++i) {
    const uint32_t v = a.load(std::memory_order_acquire);
    if (v != old) return v;
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
  }
  for (;;) {
    a.wait(old, std::memory_order_acquire);
    const uint32_t v = a.load(std::memory_order_acquire);
    if (v != old) return v;
  }
}

// A unit of work that two threads may race to do: claim() says who won.
struct Claim {
  std::atomic<uint32_t> owner{0};  // 0: nobody yet
  std::atomic<uint32_t> done{0};   // set by the owner when finished
  void reset() {
    done.store(0, std::memory_order_relaxed);
    owner.store(0, std::memory_order_release);
  }
  bool claim(uint32_t who) {
    uint32_t nobody = 0;
    return owner.compare_exchange_strong(nobody, who, std::memory_order_acq_rel);
  }
  void finish() {
    done.store(1, std::memory_order_release);
    done.notify_one();
  }
  void wait_done() const { wait_for_change(done, 0); }
};

class Worker {
 public:
  // `job` runs on the worker thread after start(), at least once per call.
  explicit Worker(std::function<void()> job) : job_(std::move(job)), thread_([this] { loop(); }) {}
  ~Worker() {
    quit_.store(true, std::memory_order_relaxed);
    requested_.fetch_add(1, std::memory_order_release);
    requested_.notify_one();
    thread_.join();
  }
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  void start() {
    requested_.fetch_add(1, std::memory_order_release);
    requested_.notify_one();
  }

 private:
  void loop() {
    uint32_t seen = 0;
    for (;;) {
      seen = wait_for_change(requested_, seen);
      if (quit_.load(std::memory_order_relaxed)) return;
      job_();
    }
  }

  std::function<void()> job_;
  std::atomic<uint32_t> requested_{0};
  std::atomic<bool> quit_{false};
  std::thread thread_;  // last: starts after the members above exist
};

}  // namespace earshot::nn::detail
