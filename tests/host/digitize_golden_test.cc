// Seed 003's digitizer against NumPy (tests/golden/digitize, written by
// scripts/golden/make_digitize_golden.py): np.digitize(u, [i/15 ...],
// right=True) on normalised values, on the fixed 16-bit range for every
// int16 value, and the seed's whole clips_music() path (min-max per file at
// 44.1 kHz, digitize, x[::4], clips) through earshot's pipeline from a WAV.
#include <gtest/gtest.h>

#include <filesystem>
#include <vector>

#include "earshot/audio.h"
#include "earshot/npy.h"
#include "earshot/pipeline.h"
#include "earshot/recipe.h"
#include "earshot/rt/clip.h"
#include "host/golden_util.h"
#include "host/test_util.h"

namespace earshot {
namespace {

namespace fs = std::filesystem;
const fs::path kDigitizeGolden = fs::path(EARSHOT_TEST_DATA) / "golden" / "digitize";

std::vector<uint8_t> codes(const NpyArray& a) { return std::vector<uint8_t>(a.data.begin(), a.data.end()); }

TEST(DigitizeGolden, StampSaysWhereTheReferenceComesFrom) {
  const nlohmann::json stamp = testing::read_stamp(kDigitizeGolden);
  ASSERT_FALSE(stamp.is_null()) << "run /usr/bin/python3 scripts/golden/make_digitize_golden.py";
  EXPECT_EQ(stamp.at("generator"), "scripts/golden/make_digitize_golden.py");
  EXPECT_FALSE(stamp.at("numpy").get<std::string>().empty());
}

TEST(DigitizeGolden, NumpyRuleOnNormalisedValues) {
  const NpyArray u = read_npy(kDigitizeGolden / "u.npy");
  ASSERT_EQ(u.dtype, "<f8");
  for (int levels : {16, 256}) {
    SCOPED_TRACE(levels);
    const std::vector<uint8_t> want = codes(read_npy(kDigitizeGolden / ("u_codes" + std::to_string(levels) + ".npy")));
    ASSERT_EQ(want.size(), u.size());
    std::vector<uint8_t> got(u.size());
    ASSERT_EQ(rt::digitize_unit(u.data.data(), u.size(), levels, rt::DigitizeRule::kNumpyRight, got.data()),
              rt::Status::kOk);
    size_t bad = 0;
    for (size_t i = 0; i < got.size(); ++i) {
      if (got[i] != want[i] && bad++ < 5)
        ADD_FAILURE() << "u = " << u.data[i] << ": " << int{got[i]} << " vs numpy " << int{want[i]};
    }
    EXPECT_EQ(bad, 0u);
  }
}

TEST(DigitizeGolden, FixedRangeIsNumpyOnFullScale) {
  std::vector<int16_t> all(65536);
  for (int i = 0; i < 65536; ++i) all[static_cast<size_t>(i)] = static_cast<int16_t>(i - 32768);
  for (int levels : {2, 15, 16, 256}) {
    SCOPED_TRACE(levels);
    const std::vector<uint8_t> want =
        codes(read_npy(kDigitizeGolden / ("s16_codes" + std::to_string(levels) + ".npy")));
    ASSERT_EQ(want.size(), all.size());
    std::vector<uint8_t> got(all.size());
    ASSERT_EQ(rt::fixed_digitize_s16(all.data(), all.size(), levels, rt::DigitizeRule::kNumpyRight, got.data()),
              rt::Status::kOk);
    EXPECT_EQ(got, want);
  }
}

// The seed's preprocessing, end to end: a 44.1 kHz 16-bit WAV through a
// recipe with decimate, range = "file", rule = "np_digitize" gives the clips
// clips_music() gives (TIME = 0.25: clips of 2500 samples).
TEST(DigitizeGolden, SeedPathFromAWavFile) {
  testing::TempDir tmp;
  const NpyArray pcm = read_npy(kDigitizeGolden / "file_s16.npy");
  const NpyArray want = read_npy(kDigitizeGolden / "file_clips.npy");
  ASSERT_EQ(want.shape.size(), 2u);
  std::vector<float> x(pcm.size());
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(pcm.data[i] / 32768.0);
  write_wav16(tmp / "take.wav", x, 44100);
  const Recipe r = parse_recipe(
      "[audio]\nsample_rate = 11025\n[features]\nkind = \"digitized\"\nrate_reduction = \"decimate\"\n"
      "range = \"file\"\nrule = \"np_digitize\"\nclip_samples = 2500\none_hot = false\n",
      "seed.toml");
  const Pipeline pipe(r);
  const Audio audio = read_audio(tmp / "take.wav");
  const Examples ex = pipe.examples_from_recording(audio, "take.wav");
  // earshot keeps every whole clip; the seed int(seconds / TIME) of them.
  ASSERT_GE(ex.count(), want.shape[0]);
  EXPECT_EQ(pipe.clip_count(static_cast<long long>(x.size()), 44100), ex.count());
  size_t bad = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    if (ex.x[i] != static_cast<float>(want.data[i]) && bad++ < 5) {
      ADD_FAILURE() << "clip " << i / want.shape[1] << " step " << i % want.shape[1] << ": " << ex.x[i] << " vs seed "
                    << want.data[i];
    }
  }
  EXPECT_EQ(bad, 0u);
}

}  // namespace
}  // namespace earshot
