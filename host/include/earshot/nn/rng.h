// Deterministic random numbers for initialisation, shuffling and dropout:
// splitmix64-seeded xoshiro256**, with our own uniform/normal transforms so
// the same seed gives the same numbers on every standard library. The state
// is four integers, saved in run directories so resume continues exactly.
#pragma once

#include <array>
#include <cstdint>

namespace earshot::nn {

class Rng {
 public:
  explicit Rng(uint64_t seed = 0) { reseed(seed); }
  void reseed(uint64_t seed);
  uint64_t next();
  double uniform();                      // [0, 1)
  double uniform(double lo, double hi);  // [lo, hi)
  double normal();                       // N(0, 1), Box-Muller without caching
  uint64_t below(uint64_t n);            // [0, n), unbiased
  // Independent stream for a sub-task (e.g. one per layer), from this one.
  Rng split();

  std::array<uint64_t, 4> state() const { return s_; }
  void set_state(const std::array<uint64_t, 4>& s) { s_ = s; }

 private:
  std::array<uint64_t, 4> s_{};
};

}  // namespace earshot::nn
