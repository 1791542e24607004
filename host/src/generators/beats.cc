// Seed 000's data_generator(): the four class patterns and their variations.
#include <string>
#include <utility>
#include <vector>

#include "earshot/error.h"
#include "earshot/generators.h"

namespace earshot {
namespace {

using rt::Hit;

Hit hit(int t, int s) { return Hit{static_cast<float>(t), static_cast<uint8_t>(s)}; }

// Python's random.random() < 0.5 ? 1 : 0.
uint8_t coin(nn::Rng& rng) { return rng.uniform() < 0.5 ? 1 : 0; }

}  // namespace

const std::vector<Hit>& beat_class_pattern(int label) {
  static const std::vector<Hit> kClasses[4] = {
      {hit(0, 1), hit(575, 1), hit(1110, 0), hit(1379, 0), hit(1651, 0), hit(2193, 1), hit(2723, 1), hit(3290, 1)},
      {hit(0, 1), hit(564, 0), hit(806, 1), hit(1161, 0), hit(1563, 1), hit(1807, 0), hit(2184, 0), hit(2404, 1),
       hit(2784, 0)},
      {hit(0, 1), hit(386, 1), hit(758, 0), hit(1759, 1), hit(2154, 0), hit(2386, 1)},
      {hit(0, 1), hit(364, 0), hit(698, 0), hit(1050, 1), hit(1269, 0), hit(1734, 0), hit(2105, 1)},
  };
  if (label < 0 || label > 3) throw Error("beats: class label " + std::to_string(label) + " is not 0..3");
  return kClasses[label];
}

BeatExample make_beat(int label, int variation, int offset_ms, nn::Rng& rng, const BeatOptions& opt) {
  if (variation < 1 || variation > 4) throw Error("beats: variation " + std::to_string(variation) + " is not 1..4");
  const std::vector<Hit>& pattern = beat_class_pattern(label);
  BeatExample ex;
  ex.label = label;
  ex.variation = variation;
  ex.offset_ms = offset_ms;
  std::vector<Hit>& a = ex.hits;
  a = pattern;
  // The seed offsets every hit whose time is not 0, i.e. all but the anchor.
  for (Hit& h : a) {
    if (h.time_ms != 0.0f) h.time_ms += static_cast<float>(offset_ms);
  }
  // random.choice(sample_arr[1:]) then remove(): times are distinct, so this
  // removes exactly the chosen non-anchor hit.
  auto drop_one = [&] {
    const size_t i = 1 + static_cast<size_t>(rng.below(a.size() - 1));
    a.erase(a.begin() + static_cast<std::ptrdiff_t>(i));
  };
  switch (variation) {
    case 1: break;
    case 2: drop_one(); break;
    case 3: {
      // random.sample(sample_arr[1:], 4): four distinct non-anchor hits
      // (partial Fisher-Yates over their indices).
      std::vector<size_t> idx;
      for (size_t i = 1; i < a.size(); ++i) idx.push_back(i);
      for (size_t k = 0; k < 4 && k < idx.size(); ++k) {
        const size_t j = k + static_cast<size_t>(rng.below(idx.size() - k));
        std::swap(idx[k], idx[j]);
        Hit& h = a[idx[k]];
        h.strength = static_cast<uint8_t>(1 - h.strength);
      }
      drop_one();
      break;
    }
    case 4: {
      for (Hit& h : a) h.strength = coin(rng);
      // random.randint(first, last): both ends included.
      const int first = static_cast<int>(a.front().time_ms);
      const int last = static_cast<int>(a.back().time_ms);
      const int t = first + static_cast<int>(rng.below(static_cast<uint64_t>(last - first + 1)));
      const Hit added = hit(t, coin(rng));
      if (opt.seed_insert_bug) {
        // The seed's loop, literally: every hit before the insertion point
        // appends a copy of the new hit to the end of the list.
        for (size_t j = 0; j < a.size(); ++j) {
          if (a[j].time_ms >= added.time_ms) {
            a.insert(a.begin() + static_cast<std::ptrdiff_t>(j), added);
            break;
          }
          a.push_back(added);
        }
      } else {
        size_t j = 1;  // never before the anchor
        while (j < a.size() && a[j].time_ms < added.time_ms) ++j;
        a.insert(a.begin() + static_cast<std::ptrdiff_t>(j), added);
      }
      break;
    }
  }
  return ex;
}

BeatGenerator::BeatGenerator(uint64_t seed, BeatOptions opt) : rng_(seed), opt_(opt) {}

BeatExample BeatGenerator::next() {
  const int label = static_cast<int>(rng_.below(4));
  int inc = 2 + static_cast<int>(rng_.below(8));     // np.random.randint(2, 10)
  const int num = static_cast<int>(rng_.below(25));  // np.random.randint(0, 25)
  const int variation = 1 + static_cast<int>(rng_.below(4));
  if (rng_.uniform() < 0.5) inc = -inc;  // neg = uniform(0, 1) < 0.5
  return make_beat(label, variation, inc * num, rng_, opt_);
}

}  // namespace earshot
