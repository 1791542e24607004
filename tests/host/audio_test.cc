// Reading, writing and resampling audio (well-formed files; malformed ones
// are in audio_malformed_test.cc). Fixtures are written with libsndfile.
#include "earshot/audio.h"

#include <gtest/gtest.h>
#include <sndfile.h>

#include <cmath>
#include <numbers>

#include "host/test_util.h"

namespace earshot {
namespace {

using testing::error_of;
using testing::TempDir;
namespace fs = std::filesystem;

// Writes interleaved float frames [frames, channels] with libsndfile.
void write_float(const fs::path& p, int format, int channels, int rate, const std::vector<float>& data) {
  SF_INFO info{};
  info.samplerate = rate;
  info.channels = channels;
  info.format = format;
  ASSERT_TRUE(sf_format_check(&info)) << "format 0x" << std::hex << format;
  SNDFILE* f = sf_open(p.string().c_str(), SFM_WRITE, &info);
  ASSERT_NE(f, nullptr) << sf_strerror(nullptr);
  const sf_count_t n = static_cast<sf_count_t>(data.size()) / channels;
  EXPECT_EQ(sf_writef_float(f, data.data(), n), n);
  EXPECT_EQ(sf_close(f), 0);
}

// Writes interleaved int frames; libsndfile keeps the top bits for narrower formats.
void write_int(const fs::path& p, int format, int channels, int rate, const std::vector<int>& data) {
  SF_INFO info{};
  info.samplerate = rate;
  info.channels = channels;
  info.format = format;
  ASSERT_TRUE(sf_format_check(&info));
  SNDFILE* f = sf_open(p.string().c_str(), SFM_WRITE, &info);
  ASSERT_NE(f, nullptr) << sf_strerror(nullptr);
  const sf_count_t n = static_cast<sf_count_t>(data.size()) / channels;
  EXPECT_EQ(sf_writef_int(f, data.data(), n), n);
  EXPECT_EQ(sf_close(f), 0);
}

std::vector<float> sine(double freq, double amp, int rate, size_t n) {
  std::vector<float> x(n);
  for (size_t i = 0; i < n; ++i) x[i] = float(amp * std::sin(2 * std::numbers::pi * freq * double(i) / rate));
  return x;
}

// Least-squares amplitude of a sinusoid at `freq` in x[from, to), and the RMS
// of what is left once it is removed.
struct Fit {
  double amp, residual_rms;
};
Fit fit_sine(const std::vector<float>& x, double freq, int rate, size_t from, size_t to) {
  double ss = 0, sc = 0;
  for (size_t i = from; i < to; ++i) {
    const double ph = 2 * std::numbers::pi * freq * double(i) / rate;
    ss += x[i] * std::sin(ph);
    sc += x[i] * std::cos(ph);
  }
  const double n = double(to - from), a = 2 * ss / n, b = 2 * sc / n;
  double r = 0;
  for (size_t i = from; i < to; ++i) {
    const double ph = 2 * std::numbers::pi * freq * double(i) / rate;
    const double e = x[i] - (a * std::sin(ph) + b * std::cos(ph));
    r += e * e;
  }
  return {std::hypot(a, b), std::sqrt(r / n)};
}

TEST(Audio, Wav16RoundTripIsExactToHalfAStep) {
  TempDir dir;
  const fs::path p = dir / "a.wav";
  std::vector<float> x = sine(440, 0.8, 16000, 4000);
  x.push_back(0.5f);
  x.push_back(-1.0f);
  x.push_back(1.0f / 32768);
  write_wav16(p, x, 16000);

  const Audio a = read_audio(p);
  EXPECT_EQ(a.sample_rate, 16000);
  EXPECT_EQ(a.source_rate, 16000);
  EXPECT_EQ(a.source_channels, 1);
  EXPECT_EQ(a.format, "WAV PCM_16");
  ASSERT_EQ(a.samples.size(), x.size());
  for (size_t i = 0; i < x.size(); ++i) ASSERT_NEAR(a.samples[i], x[i], 0.5 / 32768 + 1e-9) << i;
  // Values on the 16-bit grid come back exactly, as int / 32768.
  EXPECT_EQ(a.samples[4000], 0.5f);
  EXPECT_EQ(a.samples[4001], -1.0f);
  EXPECT_EQ(a.samples[4002], 1.0f / 32768);
  EXPECT_DOUBLE_EQ(a.seconds(), double(x.size()) / 16000);
}

TEST(Audio, Wav16ClipsOutOfRangeAndWritesNanAsZero) {
  TempDir dir;
  const fs::path p = dir / "clip.wav";
  write_wav16(p, {2.0f, -3.0f, 1.0f, std::nanf(""), -1.0f}, 8000);
  const Audio a = read_audio(p);
  ASSERT_EQ(a.samples.size(), 5u);
  EXPECT_EQ(a.samples[0], 32767.0f / 32768);
  EXPECT_EQ(a.samples[1], -1.0f);
  EXPECT_EQ(a.samples[2], 32767.0f / 32768);
  EXPECT_EQ(a.samples[3], 0.0f);
  EXPECT_EQ(a.samples[4], -1.0f);
}

TEST(Audio, Wav16WritesAtomicallyAndReplacesOldFile) {
  TempDir dir;
  const fs::path p = dir / "out.wav";
  testing::write_bytes(p, "old content");
  write_wav16(p, std::vector<float>(100, 0.25f), 22050);
  EXPECT_EQ(read_audio(p).samples.size(), 100u);
  // Only the target is left: the temporary file was renamed onto it.
  size_t n = 0;
  for (const auto& e : fs::directory_iterator(dir.path())) {
    EXPECT_EQ(e.path().filename(), "out.wav");
    ++n;
  }
  EXPECT_EQ(n, 1u);
}

TEST(Audio, Wav16IntoMissingFolderFailsAndNamesIt) {
  TempDir dir;
  const fs::path p = dir / "nope" / "out.wav";
  const std::string msg = error_of([&] { write_wav16(p, {0.1f}, 16000); });
  EXPECT_NE(msg.find(p.string()), std::string::npos) << msg;
  EXPECT_NE(msg.find("does not exist"), std::string::npos) << msg;
  EXPECT_NE(error_of([&] { write_wav16(dir / "x.wav", {0.1f}, 0); }).find("sample rate"), std::string::npos);
}

// Every WAV subtype: integer data written as full-scale ints whose low bits
// are zero, so each format stores them exactly and reads back int / 2^31.
struct Subtype {
  int format;
  const char* name;
  int rate;
};
class WavSubtype : public ::testing::TestWithParam<Subtype> {};

TEST_P(WavSubtype, ReadsExactly) {
  const Subtype st = GetParam();
  TempDir dir;
  const fs::path p = dir / "sub.wav";
  const bool is_float =
      (st.format & SF_FORMAT_SUBMASK) == SF_FORMAT_FLOAT || (st.format & SF_FORMAT_SUBMASK) == SF_FORMAT_DOUBLE;
  std::vector<float> want(512);
  if (is_float) {
    for (size_t i = 0; i < want.size(); ++i) want[i] = float(std::sin(0.1 * double(i)) * 0.9);
    want[0] = 1.0f;
    want[1] = -1.0f;
    write_float(p, st.format, 1, st.rate, want);
  } else {
    std::vector<int> ints(want.size());
    for (size_t i = 0; i < ints.size(); ++i) {
      const int k = int(i % 256) - 128;  // -128 .. 127
      ints[i] = k * (1 << 24);
      want[i] = float(k) / 128;
    }
    write_int(p, st.format, 1, st.rate, ints);
  }
  const AudioInfo info = probe_audio(p);
  EXPECT_EQ(info.format, st.name);
  EXPECT_EQ(info.channels, 1);
  EXPECT_EQ(info.sample_rate, st.rate);
  EXPECT_EQ(info.frames, 512);

  const Audio a = read_audio(p);
  EXPECT_EQ(a.format, st.name);
  EXPECT_EQ(a.sample_rate, st.rate);
  ASSERT_EQ(a.samples.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) ASSERT_EQ(a.samples[i], want[i]) << st.name << " sample " << i;
}

INSTANTIATE_TEST_SUITE_P(AllWavSubtypes, WavSubtype,
                         ::testing::Values(Subtype{SF_FORMAT_WAV | SF_FORMAT_PCM_U8, "WAV PCM_U8", 8000},
                                           Subtype{SF_FORMAT_WAV | SF_FORMAT_PCM_16, "WAV PCM_16", 16000},
                                           Subtype{SF_FORMAT_WAV | SF_FORMAT_PCM_24, "WAV PCM_24", 44100},
                                           Subtype{SF_FORMAT_WAV | SF_FORMAT_PCM_32, "WAV PCM_32", 48000},
                                           Subtype{SF_FORMAT_WAV | SF_FORMAT_FLOAT, "WAV FLOAT", 22050},
                                           Subtype{SF_FORMAT_WAV | SF_FORMAT_DOUBLE, "WAV DOUBLE", 96000},
                                           Subtype{SF_FORMAT_WAVEX | SF_FORMAT_PCM_24, "WAVEX PCM_24", 32000},
                                           Subtype{SF_FORMAT_FLAC | SF_FORMAT_PCM_16, "FLAC PCM_16", 16000},
                                           Subtype{SF_FORMAT_FLAC | SF_FORMAT_PCM_24, "FLAC PCM_24", 48000}),
                         [](const ::testing::TestParamInfo<Subtype>& p) {
                           std::string s = p.param.name;
                           for (char& c : s) {
                             if (c == ' ') c = '_';
                           }
                           return s;
                         });

TEST(Audio, SixteenBitScaleIsIntOver32768) {
  TempDir dir;
  const fs::path p = dir / "scale.wav";
  write_int(p, SF_FORMAT_WAV | SF_FORMAT_PCM_16, 1, 16000, {-32768 * 65536, 16384 * 65536, 65536, 32767 * 65536, 0});
  const Audio a = read_audio(p);
  ASSERT_EQ(a.samples.size(), 5u);
  EXPECT_EQ(a.samples[0], -1.0f);
  EXPECT_EQ(a.samples[1], 0.5f);
  EXPECT_EQ(a.samples[2], 1.0f / 32768);
  EXPECT_EQ(a.samples[3], 32767.0f / 32768);
  EXPECT_EQ(a.samples[4], 0.0f);
}

TEST(Audio, StereoIsAveragedToMono) {
  TempDir dir;
  const fs::path p = dir / "stereo.wav";
  // frames: (0.5, -0.25), (1, 1), (-1, 1), (0.75, 0.25)
  write_float(p, SF_FORMAT_WAV | SF_FORMAT_FLOAT, 2, 16000, {0.5f, -0.25f, 1, 1, -1, 1, 0.75f, 0.25f});
  const Audio a = read_audio(p);
  EXPECT_EQ(a.source_channels, 2);
  ASSERT_EQ(a.samples.size(), 4u);
  EXPECT_FLOAT_EQ(a.samples[0], 0.125f);
  EXPECT_FLOAT_EQ(a.samples[1], 1.0f);
  EXPECT_FLOAT_EQ(a.samples[2], 0.0f);
  EXPECT_FLOAT_EQ(a.samples[3], 0.5f);
}

TEST(Audio, SixChannelsAreAveragedToMono) {
  TempDir dir;
  const fs::path p = dir / "six.wav";
  std::vector<float> data;
  for (int f = 0; f < 1000; ++f) {
    for (int c = 0; c < 6; ++c) data.push_back(float(c) * 0.1f * (f % 2 ? 1 : -1));
  }
  write_float(p, SF_FORMAT_WAVEX | SF_FORMAT_FLOAT, 6, 48000, data);
  const Audio a = read_audio(p);
  EXPECT_EQ(a.source_channels, 6);
  ASSERT_EQ(a.samples.size(), 1000u);
  for (int f = 0; f < 1000; ++f) ASSERT_NEAR(a.samples[size_t(f)], 0.25f * (f % 2 ? 1 : -1), 1e-6) << f;
}

TEST(Audio, FlacRoundTripIsLossless) {
  TempDir dir;
  const fs::path p = dir / "a.flac";
  std::vector<int> ints(20000);
  std::vector<float> want(ints.size());
  for (size_t i = 0; i < ints.size(); ++i) {
    const int s = int(std::lround(12000 * std::sin(0.01 * double(i)) + 300 * std::cos(0.37 * double(i))));
    ints[i] = s * (1 << 16);
    want[i] = float(s) / 32768;
  }
  write_int(p, SF_FORMAT_FLAC | SF_FORMAT_PCM_16, 1, 16000, ints);
  const Audio a = read_audio(p);
  EXPECT_EQ(a.format, "FLAC PCM_16");
  ASSERT_EQ(a.samples.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) ASSERT_EQ(a.samples[i], want[i]) << i;
}

TEST(Audio, OggVorbisRoundTripKeepsLengthAndTone) {
  TempDir dir;
  const fs::path p = dir / "a.ogg";
  const std::vector<float> x = sine(1000, 0.5, 44100, 44100);
  std::vector<float> stereo;
  for (float v : x) {
    stereo.push_back(v);
    stereo.push_back(v);
  }
  write_float(p, SF_FORMAT_OGG | SF_FORMAT_VORBIS, 2, 44100, stereo);
  const Audio a = read_audio(p);
  EXPECT_EQ(a.format, "OGG VORBIS");
  EXPECT_EQ(a.source_channels, 2);
  ASSERT_EQ(a.samples.size(), x.size());
  const Fit fit = fit_sine(a.samples, 1000, 44100, 4410, 39690);
  EXPECT_NEAR(fit.amp, 0.5, 0.01);
  EXPECT_LT(fit.residual_rms, 0.01);  // lossy, but the tone is all there is
}

TEST(Audio, Resample44100To16000KeepsToneAndLength) {
  const std::vector<float> x = sine(1000, 0.5, 44100, 44100);  // 1 s
  const std::vector<float> y = resample(x, 44100, 16000);
  EXPECT_EQ(y.size(), 16000u);  // round(n * to / from)
  // Away from the edges (filter warm-up) the tone keeps frequency and amplitude.
  const Fit fit = fit_sine(y, 1000, 16000, 800, 15200);
  EXPECT_NEAR(fit.amp, 0.5, 1e-3);
  EXPECT_LT(fit.residual_rms, 0.5 * 1e-3);  // > 60 dB SNR
  // A wrong frequency would leave almost all the energy in the residual.
  EXPECT_GT(fit_sine(y, 1010, 16000, 800, 15200).residual_rms, 0.1);
}

TEST(Audio, ResampleUpAndRatioOfLengths) {
  const std::vector<float> x = sine(1000, 0.5, 16000, 8000);
  const std::vector<float> y = resample(x, 16000, 44100);
  EXPECT_EQ(y.size(), 22050u);
  const Fit fit = fit_sine(y, 1000, 44100, 2205, 19845);
  EXPECT_NEAR(fit.amp, 0.5, 1e-3);
  EXPECT_LT(fit.residual_rms, 0.5 * 1e-3);
  EXPECT_EQ(resample(std::vector<float>(1001, 0.f), 48000, 16000).size(), 334u);  // 333.67 rounds up
  EXPECT_EQ(resample(x, 16000, 16000), x);
  EXPECT_TRUE(resample({}, 16000, 8000).empty());
}

TEST(Audio, ResampleRejectsBadRates) {
  EXPECT_NE(error_of([] { resample({1, 2, 3}, 0, 16000); }).find("rates must be positive"), std::string::npos);
  EXPECT_NE(error_of([] { resample({1, 2, 3}, 16000, -1); }).find("rates must be positive"), std::string::npos);
  EXPECT_NE(error_of([] { resample({1, 2, 3}, 1000000, 100); }).find("ratio"), std::string::npos);
}

TEST(Audio, ReadAudioResamplesToTargetRate) {
  TempDir dir;
  const fs::path p = dir / "cd.wav";
  const std::vector<float> x = sine(1000, 0.5, 44100, 88200);  // 2 s
  write_float(p, SF_FORMAT_WAV | SF_FORMAT_FLOAT, 1, 44100, x);
  const Audio a = read_audio(p, 16000);
  EXPECT_EQ(a.sample_rate, 16000);
  EXPECT_EQ(a.source_rate, 44100);
  EXPECT_EQ(a.samples.size(), 32000u);
  EXPECT_NEAR(a.seconds(), 2.0, 1e-12);
  const Fit fit = fit_sine(a.samples, 1000, 16000, 1600, 30400);
  EXPECT_NEAR(fit.amp, 0.5, 1e-3);
  // target_rate equal to the file's rate, or 0, leaves samples untouched.
  EXPECT_EQ(read_audio(p, 44100).samples, read_audio(p).samples);
  EXPECT_NE(error_of([&] { read_audio(p, -5); }).find("negative"), std::string::npos);
}

}  // namespace
}  // namespace earshot
