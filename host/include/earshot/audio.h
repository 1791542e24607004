// Audio files in and out, through libsndfile (WAV 8/16/24/32-bit integer and
// 32/64-bit float, FLAC, Ogg/Vorbis, any channel count and rate) and
// libsamplerate.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace earshot {

struct Audio {
  int sample_rate = 0;         // of `samples` (after resampling, if asked)
  std::vector<float> samples;  // mono, nominally in [-1, 1]
  int source_rate = 0;         // as stored in the file
  int source_channels = 0;     // as stored; downmixed by averaging channels
  std::string format;          // e.g. "WAV PCM_16", "FLAC PCM_24", "OGG VORBIS"

  double seconds() const { return sample_rate > 0 ? double(samples.size()) / sample_rate : 0.0; }
};

// Reads and downmixes to mono; resamples to target_rate unless it is 0.
// Throws earshot::Error naming the file and the problem (missing, not audio,
// truncated, zero channels, header sizes that lie, ...). A file with no audio
// frames is an error too. WAV sizes of 0xFFFFFFFF (written to a pipe) mean
// "read to the end of the file" and are accepted. Integer samples read as
// int / 2^(bits-1) (16-bit: int / 32768).
Audio read_audio(const std::filesystem::path& path, int target_rate = 0);

// Header facts only (no sample decoding): rate, channels, frames, format.
struct AudioInfo {
  int sample_rate = 0;
  int channels = 0;
  long long frames = 0;
  std::string format;
};
AudioInfo probe_audio(const std::filesystem::path& path);

// Band-limited resampling (libsamplerate SRC_SINC_BEST_QUALITY); the output
// has exactly round(x.size() * to_rate / from_rate) samples.
std::vector<float> resample(const std::vector<float>& x, int from_rate, int to_rate);

// 16-bit PCM mono WAV, samples clipped to [-1, 1], written atomically.
// Stored as round(x * 32768) clamped to [-32768, 32767] (NaN as 0), the
// inverse of read_audio's scale.
void write_wav16(const std::filesystem::path& path, const std::vector<float>& samples, int sample_rate);

}  // namespace earshot
