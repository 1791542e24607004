// Audio files through libsndfile, resampling through libsamplerate.
//
// libsndfile is lenient: it quietly shortens a WAV whose data chunk claims
// more bytes than the file holds, and reads whatever it can. A training set
// built from a half-copied file is wrong without anyone noticing, so before
// libsndfile sees a RIFF/WAVE file we walk its chunks ourselves and refuse
// sizes that lie; for every format we then insist that the number of frames
// decoded equals the number the header promised.
#include "earshot/audio.h"

#include <samplerate.h>
#include <sndfile.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <memory>
#include <system_error>

#include "earshot/error.h"
#include "earshot/fileio.h"

namespace earshot {

namespace fs = std::filesystem;

namespace {

// ---- names for libsndfile format codes ------------------------------------

std::string major_name(int format) {
  switch (format & SF_FORMAT_TYPEMASK) {
    case SF_FORMAT_WAV: return "WAV";
    case SF_FORMAT_WAVEX: return "WAVEX";
    case SF_FORMAT_RF64: return "RF64";
    case SF_FORMAT_W64: return "W64";
    case SF_FORMAT_AIFF: return "AIFF";
    case SF_FORMAT_AU: return "AU";
    case SF_FORMAT_CAF: return "CAF";
    case SF_FORMAT_FLAC: return "FLAC";
    case SF_FORMAT_OGG: return "OGG";
    case SF_FORMAT_MPEG: return "MPEG";
    default: break;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "FORMAT_0x%X", unsigned(format & SF_FORMAT_TYPEMASK));
  return buf;
}

std::string subtype_name(int format) {
  switch (format & SF_FORMAT_SUBMASK) {
    case SF_FORMAT_PCM_S8: return "PCM_S8";
    case SF_FORMAT_PCM_U8: return "PCM_U8";
    case SF_FORMAT_PCM_16: return "PCM_16";
    case SF_FORMAT_PCM_24: return "PCM_24";
    case SF_FORMAT_PCM_32: return "PCM_32";
    case SF_FORMAT_FLOAT: return "FLOAT";
    case SF_FORMAT_DOUBLE: return "DOUBLE";
    case SF_FORMAT_ULAW: return "ULAW";
    case SF_FORMAT_ALAW: return "ALAW";
    case SF_FORMAT_IMA_ADPCM: return "IMA_ADPCM";
    case SF_FORMAT_MS_ADPCM: return "MS_ADPCM";
    case SF_FORMAT_GSM610: return "GSM610";
    case SF_FORMAT_VORBIS: return "VORBIS";
    case SF_FORMAT_OPUS: return "OPUS";
    case SF_FORMAT_MPEG_LAYER_III: return "MPEG_LAYER_III";
    default: break;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "SUBTYPE_0x%X", unsigned(format & SF_FORMAT_SUBMASK));
  return buf;
}

// ---- RIFF/WAVE size checks --------------------------------------------------

uint32_t le32(const unsigned char* p) {
  return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}
uint16_t le16(const unsigned char* p) { return uint16_t(p[0] | p[1] << 8); }

// Writers that stream to a pipe cannot know the sizes and put this marker.
constexpr uint32_t kUnknownSize = 0xFFFFFFFFu;

// Walks the chunks of a RIFF/WAVE file up to its data chunk and throws if a
// size field promises more than the file holds. Other formats are left alone.
void check_riff_sizes(const fs::path& path, uintmax_t file_size) {
  const std::string name = path.string();
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(name, 0, "cannot open for reading (no permission?)");
  std::array<unsigned char, 12> head{};
  in.read(reinterpret_cast<char*>(head.data()), head.size());
  if (in.gcount() < 4 || std::string(head.begin(), head.begin() + 4) != "RIFF") return;
  if (in.gcount() < 12) {
    throw Error(
        name, 0,
        "truncated WAV: file is " + std::to_string(file_size) + " bytes, too short for the 12-byte RIFF header");
  }
  if (std::string(head.begin() + 8, head.end()) != "WAVE") return;  // e.g. RIFF/AVI: libsndfile decides
  const uint32_t riff_size = le32(&head[4]);
  const uintmax_t riff_end = uintmax_t(riff_size) + 8;
  // The RIFF size is checked last, so that a file cut short is reported by
  // the chunk it cuts (the more useful message).
  auto check_riff_end = [&] {
    // One byte of slack: some writers leave out the pad byte after an odd-sized last chunk.
    if (riff_size != kUnknownSize && riff_end > file_size + 1) {
      throw Error(name, 0,
                  "RIFF header says the file is " + std::to_string(riff_end) + " bytes but it is " +
                      std::to_string(file_size) + " bytes (truncated or corrupt file)");
    }
  };

  uint16_t format_tag = 0, channels = 0, block_align = 0;
  bool have_fmt = false;
  uintmax_t offset = 12;
  for (;;) {
    std::array<unsigned char, 8> ch{};
    in.seekg(std::streamoff(offset));
    in.read(reinterpret_cast<char*>(ch.data()), ch.size());
    if (in.gcount() < 8) {
      const char* what = have_fmt ? "no data chunk" : "no fmt chunk";
      throw Error(name, 0,
                  std::string("truncated WAV: ") + what + " before the end of the file (" + std::to_string(file_size) +
                      " bytes; header cut off?)");
    }
    const std::string id(ch.begin(), ch.begin() + 4);
    const uint32_t size = le32(&ch[4]);
    const uintmax_t body = offset + 8;
    if (id == "data") {
      if (!have_fmt) throw Error(name, 0, "corrupt WAV: data chunk comes before the fmt chunk");
      if (size == kUnknownSize) {  // streamed WAV: length is whatever the file holds
        check_riff_end();
        return;
      }
      const uintmax_t available = file_size > body ? file_size - body : 0;
      const bool framed = block_align > 0 && (format_tag == 1 || format_tag == 3 || format_tag == 0xFFFE);
      if (size > available) {
        if (framed) {
          throw Error(name, 0,
                      "data chunk says " + std::to_string(size / block_align) + " frames but only " +
                          std::to_string(available / block_align) +
                          " could be read (file truncated or data size wrong)");
        }
        throw Error(name, 0,
                    "data chunk says " + std::to_string(size) + " bytes but only " + std::to_string(available) +
                        " are in the file (file truncated or data size wrong)");
      }
      if (riff_size != kUnknownSize && body + size > riff_end + 1) {
        throw Error(name, 0,
                    "RIFF header says the file is " + std::to_string(riff_end) +
                        " bytes but its data chunk ends at byte " + std::to_string(body + size) +
                        " (corrupt RIFF size)");
      }
      check_riff_end();
      return;
    }
    if (body + size > file_size) {
      throw Error(name, 0,
                  "truncated WAV: '" + id + "' chunk at byte " + std::to_string(offset) + " says " +
                      std::to_string(size) + " bytes but the file ends at byte " + std::to_string(file_size));
    }
    if (id == "fmt ") {
      std::array<unsigned char, 16> fmt{};
      if (size < fmt.size()) {
        throw Error(name, 0, "corrupt WAV: fmt chunk is " + std::to_string(size) + " bytes, expected at least 16");
      }
      in.read(reinterpret_cast<char*>(fmt.data()), fmt.size());
      format_tag = le16(&fmt[0]);
      channels = le16(&fmt[2]);
      block_align = le16(&fmt[12]);
      if (channels == 0) throw Error(name, 0, "fmt chunk says the file has 0 channels");
      have_fmt = true;
    }
    offset = body + size + (size & 1u);  // chunks are padded to even sizes
  }
}

// ---- opening through libsndfile ---------------------------------------------

struct SndfileCloser {
  void operator()(SNDFILE* f) const { sf_close(f); }
};
using SndfilePtr = std::unique_ptr<SNDFILE, SndfileCloser>;

struct Opened {
  SndfilePtr file;
  SF_INFO info{};
  uintmax_t file_size = 0;
};

// Opens `path` for reading after the checks every reader needs.
Opened open_checked(const fs::path& path) {
  const std::string name = path.string();
  std::error_code ec;
  const auto status = fs::status(path, ec);
  if (!fs::exists(status)) throw Error(name, 0, "audio file not found");
  if (fs::is_directory(status)) throw Error(name, 0, "is a folder, not an audio file");
  Opened o;
  o.file_size = fs::file_size(path, ec);
  if (ec) throw Error(name, 0, "cannot read file size: " + ec.message());
  if (o.file_size == 0) throw Error(name, 0, "file is empty (0 bytes), not audio");
  check_riff_sizes(path, o.file_size);

  o.file.reset(sf_open(name.c_str(), SFM_READ, &o.info));
  if (!o.file) {
    // libsndfile keeps the reason for a failed open in a global; good enough
    // for a message even when several threads open files at once.
    std::string why = sf_strerror(nullptr);
    if (!why.empty() && why.back() == '.') why.pop_back();
    throw Error(name, 0, "not a readable audio file (WAV, FLAC, Ogg): " + why);
  }
  if (o.info.channels <= 0) {
    throw Error(name, 0, "header says the file has " + std::to_string(o.info.channels) + " channels");
  }
  if (o.info.samplerate <= 0) {
    throw Error(name, 0, "header says the sample rate is " + std::to_string(o.info.samplerate) + " Hz");
  }
  if (o.info.frames <= 0) {
    throw Error(name, 0,
                "header says the file has no audio frames (file is " + std::to_string(o.file_size) + " bytes)");
  }
  return o;
}

std::string format_of(const SF_INFO& info) { return major_name(info.format) + " " + subtype_name(info.format); }

std::vector<float> resample_named(const std::vector<float>& x, int from_rate, int to_rate, const std::string& where) {
  auto fail = [&](const std::string& what) {
    if (where.empty()) throw Error("resample: " + what);
    throw Error(where, 0, "resampling: " + what);
  };
  if (from_rate <= 0 || to_rate <= 0) {
    fail("rates must be positive (from " + std::to_string(from_rate) + " Hz to " + std::to_string(to_rate) + " Hz)");
  }
  if (from_rate == to_rate || x.empty()) return x;
  const double ratio = double(to_rate) / double(from_rate);
  if (!src_is_valid_ratio(ratio)) {
    fail("ratio " + std::to_string(ratio) + " (from " + std::to_string(from_rate) + " Hz to " +
         std::to_string(to_rate) + " Hz) is outside what libsamplerate supports (1/256 .. 256)");
  }
  // The output has exactly round(n * ratio) samples; libsamplerate may make
  // one or two fewer, which we pad with zeros.
  const auto want = static_cast<size_t>(std::llround(double(x.size()) * ratio));
  std::vector<float> y(want + 16, 0.0f);
  SRC_DATA d{};
  d.data_in = x.data();
  d.input_frames = static_cast<long>(x.size());
  d.data_out = y.data();
  d.output_frames = static_cast<long>(y.size());
  d.src_ratio = ratio;
  d.end_of_input = 1;
  if (int err = src_simple(&d, SRC_SINC_BEST_QUALITY, 1)) fail(src_strerror(err));
  y.resize(std::min(want, static_cast<size_t>(d.output_frames_gen)));
  y.resize(want, 0.0f);
  return y;
}

}  // namespace

AudioInfo probe_audio(const fs::path& path) {
  Opened o = open_checked(path);
  AudioInfo info;
  info.sample_rate = o.info.samplerate;
  info.channels = o.info.channels;
  info.frames = o.info.frames;
  info.format = format_of(o.info);
  return info;
}

Audio read_audio(const fs::path& path, int target_rate) {
  const std::string name = path.string();
  if (target_rate < 0) throw Error(name, 0, "target sample rate " + std::to_string(target_rate) + " is negative");
  Opened o = open_checked(path);
  SNDFILE* f = o.file.get();
  sf_command(f, SFC_SET_NORM_FLOAT, nullptr, SF_TRUE);  // integers read as int / 2^(bits-1)

  const int channels = o.info.channels;
  const sf_count_t frames = o.info.frames;
  const bool known_length = frames != SF_COUNT_MAX;
  Audio a;
  a.source_rate = o.info.samplerate;
  a.source_channels = channels;
  a.format = format_of(o.info);
  // Only a hint: a lying header must not make us allocate gigabytes up front.
  if (known_length) a.samples.reserve(static_cast<size_t>(std::min<uintmax_t>(uintmax_t(frames), o.file_size)));

  // Read in blocks of interleaved frames and average the channels.
  constexpr sf_count_t kBlock = 16384;
  std::vector<float> buf(static_cast<size_t>(kBlock) * static_cast<size_t>(channels));
  sf_count_t total = 0;
  while (!known_length || total < frames) {
    const sf_count_t want = known_length ? std::min(kBlock, frames - total) : kBlock;
    const sf_count_t got = sf_readf_float(f, buf.data(), want);
    if (got <= 0) break;
    for (sf_count_t i = 0; i < got; ++i) {
      const float* fr = &buf[static_cast<size_t>(i * channels)];
      if (channels == 1) {
        a.samples.push_back(fr[0]);
      } else {
        double sum = 0.0;
        for (int c = 0; c < channels; ++c) sum += fr[c];
        a.samples.push_back(static_cast<float>(sum / channels));
      }
    }
    total += got;
  }
  if (int err = sf_error(f)) {
    throw Error(name, 0, "decoding failed after " + std::to_string(total) + " frames: " + sf_error_number(err));
  }
  if (known_length && total != frames) {
    throw Error(name, 0,
                "header says " + std::to_string(frames) + " frames but only " + std::to_string(total) +
                    " could be read (file truncated or corrupt)");
  }
  if (total == 0) throw Error(name, 0, "no audio frames could be read");

  a.sample_rate = a.source_rate;
  if (target_rate != 0 && target_rate != a.source_rate) {
    a.samples = resample_named(a.samples, a.source_rate, target_rate, name);
    a.sample_rate = target_rate;
  }
  return a;
}

std::vector<float> resample(const std::vector<float>& x, int from_rate, int to_rate) {
  return resample_named(x, from_rate, to_rate, "");
}

void write_wav16(const fs::path& path, const std::vector<float>& samples, int sample_rate) {
  const std::string name = path.string();
  if (sample_rate <= 0) throw Error(name, 0, "cannot write WAV: sample rate " + std::to_string(sample_rate) + " Hz");
  // Same scale as the reader (int / 32768), so a write/read round trip is
  // exact to half a step. Clipped to the 16-bit range; NaN is written as 0.
  std::vector<short> pcm(samples.size());
  for (size_t i = 0; i < samples.size(); ++i) {
    const float s = samples[i];
    const double v = std::isnan(s) ? 0.0 : std::nearbyint(double(s) * 32768.0);
    pcm[i] = static_cast<short>(std::clamp(v, -32768.0, 32767.0));
  }
  write_atomically(path, [&](const fs::path& tmp) {
    SF_INFO info{};
    info.samplerate = sample_rate;
    info.channels = 1;
    info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
    SndfilePtr f(sf_open(tmp.string().c_str(), SFM_WRITE, &info));
    // Messages name the target: the temporary file is gone by the time anyone reads them.
    if (!f) throw Error(name, 0, std::string("cannot open for writing: ") + sf_strerror(nullptr));
    const auto n = static_cast<sf_count_t>(pcm.size());
    if (sf_writef_short(f.get(), pcm.data(), n) != n) {
      throw Error(name, 0, std::string("write failed (disk full?): ") + sf_strerror(f.get()));
    }
    if (int err = sf_close(f.release())) {
      throw Error(name, 0, std::string("closing failed: ") + sf_error_number(err));
    }
  });
}

}  // namespace earshot
