// Malformed audio files: each must give an earshot::Error that names the file
// and says what is wrong. The files are made by writing a valid WAV and then
// cutting or patching its bytes.
#include <gtest/gtest.h>
#include <sndfile.h>

#include <cstdint>

#include "earshot/audio.h"
#include "host/test_util.h"

namespace earshot {
namespace {

using testing::error_of;
using testing::read_bytes;
using testing::TempDir;
using testing::write_bytes;
namespace fs = std::filesystem;

// A valid 16-bit mono WAV of n samples, as bytes.
std::string valid_wav(const TempDir& dir, size_t n = 1000) {
  const fs::path p = dir / "valid.wav";
  std::vector<float> x(n);
  for (size_t i = 0; i < n; ++i) x[i] = float(i % 100) / 200.0f;
  write_wav16(p, x, 16000);
  std::string bytes = read_bytes(p);
  fs::remove(p);
  return bytes;
}

size_t chunk_offset(const std::string& wav, const char* id) {
  const size_t at = wav.find(id, 12);
  EXPECT_NE(at, std::string::npos) << id;
  return at;
}

void put_le32(std::string& s, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) s[at + size_t(i)] = char((v >> (8 * i)) & 0xFF);
}
void put_le16(std::string& s, size_t at, uint16_t v) {
  s[at] = char(v & 0xFF);
  s[at + 1] = char(v >> 8);
}

// Expects read_audio and probe_audio on `p` to fail with a message that
// names the file and contains `problem`.
void expect_error(const fs::path& p, const std::string& problem) {
  for (int probe = 0; probe < 2; ++probe) {
    const std::string msg = error_of([&] {
      if (probe) {
        probe_audio(p);
      } else {
        read_audio(p);
      }
    });
    EXPECT_NE(msg.find(p.string()), std::string::npos) << "message does not name the file: " << msg;
    EXPECT_NE(msg.find(problem), std::string::npos) << "message does not say '" << problem << "': " << msg;
  }
}

TEST(AudioMalformed, TruncatedInTheMiddleOfTheData) {
  TempDir dir;
  const std::string wav = valid_wav(dir, 1000);
  const size_t data = chunk_offset(wav, "data") + 8;
  const fs::path p = dir / "cut_data.wav";
  write_bytes(p, wav.substr(0, data + 1000));  // 500 of 1000 frames
  expect_error(p, "data chunk says 1000 frames but only 500 could be read");
}

TEST(AudioMalformed, TruncatedInTheMiddleOfTheHeader) {
  TempDir dir;
  const std::string wav = valid_wav(dir);
  const size_t fmt = chunk_offset(wav, "fmt ");
  const fs::path p = dir / "cut_fmt.wav";
  write_bytes(p, wav.substr(0, fmt + 8 + 6));  // inside the fmt chunk
  expect_error(p, "truncated WAV: 'fmt ' chunk at byte 12 says 16 bytes but the file ends at byte 26");

  const fs::path q = dir / "cut_riff.wav";
  write_bytes(q, wav.substr(0, 10));  // inside the RIFF header
  expect_error(q, "too short for the 12-byte RIFF header");

  const fs::path r = dir / "cut_before_data.wav";
  write_bytes(r, wav.substr(0, chunk_offset(wav, "data") + 3));  // inside the data chunk's header
  expect_error(r, "truncated WAV: no data chunk");
}

TEST(AudioMalformed, ZeroChannels) {
  TempDir dir;
  std::string wav = valid_wav(dir);
  put_le16(wav, chunk_offset(wav, "fmt ") + 8 + 2, 0);
  const fs::path p = dir / "zero_channels.wav";
  write_bytes(p, wav);
  expect_error(p, "0 channels");
}

TEST(AudioMalformed, DataChunkSizeBiggerThanTheFile) {
  TempDir dir;
  std::string wav = valid_wav(dir, 1000);
  put_le32(wav, chunk_offset(wav, "data") + 4, 2000 * 2);  // says 2000 frames, holds 1000
  put_le32(wav, 4, uint32_t(wav.size() - 8 + 2000));       // RIFF size agrees with the lie
  const fs::path p = dir / "data_lies.wav";
  write_bytes(p, wav);
  expect_error(p, "data chunk says 2000 frames but only 1000 could be read");
}

TEST(AudioMalformed, RiffSizeBiggerThanTheFile) {
  TempDir dir;
  std::string wav = valid_wav(dir, 1000);
  const size_t real = wav.size();
  put_le32(wav, 4, uint32_t(real - 8 + 4096));
  const fs::path p = dir / "riff_big.wav";
  write_bytes(p, wav);
  expect_error(p, "RIFF header says the file is " + std::to_string(real + 4096) + " bytes but it is " +
                      std::to_string(real) + " bytes");
}

TEST(AudioMalformed, RiffSizeThatCutsTheDataChunk) {
  TempDir dir;
  std::string wav = valid_wav(dir, 1000);
  put_le32(wav, 4, 100);  // RIFF chunk would end at byte 108, inside the data
  const fs::path p = dir / "riff_small.wav";
  write_bytes(p, wav);
  expect_error(p,
               "RIFF header says the file is 108 bytes but its data chunk ends at byte " + std::to_string(wav.size()));
}

TEST(AudioMalformed, StreamedWavWithUnknownSizesIsRead) {
  // Writers that stream to a pipe put 0xFFFFFFFF in both sizes; that is not a lie.
  TempDir dir;
  std::string wav = valid_wav(dir, 1000);
  put_le32(wav, 4, 0xFFFFFFFFu);
  put_le32(wav, chunk_offset(wav, "data") + 4, 0xFFFFFFFFu);
  const fs::path p = dir / "streamed.wav";
  write_bytes(p, wav);
  EXPECT_EQ(read_audio(p).samples.size(), 1000u);
}

TEST(AudioMalformed, NotAudio) {
  TempDir dir;
  const fs::path p = dir / "notes.wav";
  write_bytes(p, "These are my notes, not a recording.\n");
  expect_error(p, "not a readable audio file");

  const fs::path q = dir / "noise.flac";
  std::string noise(4096, '\0');
  for (size_t i = 0; i < noise.size(); ++i) noise[i] = char((i * 2654435761u) >> 13);
  write_bytes(q, noise);
  expect_error(q, "not a readable audio file");

  const fs::path r = dir / "empty.wav";
  write_bytes(r, "");
  expect_error(r, "file is empty");
}

TEST(AudioMalformed, MissingFileAndFolder) {
  TempDir dir;
  expect_error(dir / "missing.wav", "audio file not found");
  fs::create_directory(dir / "folder.wav");
  expect_error(dir / "folder.wav", "is a folder");
}

TEST(AudioMalformed, NoFrames) {
  TempDir dir;
  const fs::path p = dir / "silent.wav";
  write_wav16(p, {}, 16000);
  expect_error(p, "no audio frames");
}

TEST(AudioMalformed, TruncatedFlac) {
  TempDir dir;
  const fs::path full = dir / "full.flac";
  SF_INFO info{};
  info.samplerate = 16000;
  info.channels = 1;
  info.format = SF_FORMAT_FLAC | SF_FORMAT_PCM_16;
  SNDFILE* f = sf_open(full.string().c_str(), SFM_WRITE, &info);
  ASSERT_NE(f, nullptr);
  std::vector<float> x(48000);
  for (size_t i = 0; i < x.size(); ++i) x[i] = float(((i * 7919) % 2000)) / 2000.0f - 0.5f;  // hard to compress
  sf_writef_float(f, x.data(), sf_count_t(x.size()));
  sf_close(f);
  const std::string bytes = read_bytes(full);
  const fs::path p = dir / "cut.flac";
  write_bytes(p, bytes.substr(0, bytes.size() / 2));
  const std::string msg = error_of([&] { read_audio(p); });
  EXPECT_NE(msg.find(p.string()), std::string::npos) << msg;
  EXPECT_NE(msg.find("header says 48000 frames but only"), std::string::npos) << msg;
}

}  // namespace
}  // namespace earshot
