// Dataset folder scanning: pairing audio_<id> with label_<id> / labels_<id>.
#include "earshot/dataset.h"

#include <gtest/gtest.h>

#include "host/test_util.h"

namespace earshot {
namespace {

using testing::error_of;
using testing::TempDir;
using testing::write_bytes;
namespace fs = std::filesystem;

void touch(const TempDir& dir, const std::string& name) { write_bytes(dir / name, "x"); }

std::vector<std::string> ids(const DatasetScan& s) {
  std::vector<std::string> out;
  for (const auto& r : s.recordings) out.push_back(r.id);
  return out;
}

TEST(Dataset, PairsBothNamingStyles) {
  TempDir dir;
  touch(dir, "audio_kitchen.wav");
  touch(dir, "label_kitchen.txt");  // notebook text: label_
  touch(dir, "audio_2.flac");
  touch(dir, "labels_2.txt");  // notebook code: labels_
  touch(dir, "audio_10.OGG");  // extension case does not matter
  touch(dir, "label_10.TXT");
  const DatasetScan s = scan_dataset(dir.path());
  EXPECT_EQ(s.dir, dir.path());
  ASSERT_EQ(ids(s), (std::vector<std::string>{"10", "2", "kitchen"}));  // plain string order
  EXPECT_EQ(s.recordings[0].audio, dir / "audio_10.OGG");
  EXPECT_EQ(s.recordings[0].labels, dir / "label_10.TXT");
  EXPECT_EQ(s.recordings[1].audio, dir / "audio_2.flac");
  EXPECT_EQ(s.recordings[1].labels, dir / "labels_2.txt");
  EXPECT_EQ(s.recordings[2].labels, dir / "label_kitchen.txt");
  for (const auto& r : s.recordings) EXPECT_TRUE(r.has_labels());
  EXPECT_TRUE(s.unlabeled.empty());
  EXPECT_TRUE(s.orphan_labels.empty());
  EXPECT_TRUE(s.warnings.empty());
}

TEST(Dataset, RecordingsWithoutLabelsAreListedAsUnlabeled) {
  TempDir dir;
  touch(dir, "audio_b.wav");
  touch(dir, "audio_a.wav");
  touch(dir, "label_a.txt");
  touch(dir, "audio_c.flac");
  const DatasetScan s = scan_dataset(dir.path());
  ASSERT_EQ(ids(s), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_FALSE(s.recordings[1].has_labels());
  EXPECT_EQ(s.unlabeled, (std::vector<std::string>{"b", "c"}));
}

TEST(Dataset, LabelFilesWithoutAudioAreOrphans) {
  TempDir dir;
  touch(dir, "audio_1.wav");
  touch(dir, "label_1.txt");
  touch(dir, "labels_9.txt");
  touch(dir, "label_3.txt");
  touch(dir, "audio_3.mp3");  // not a supported extension, so label_3 has no recording
  const DatasetScan s = scan_dataset(dir.path());
  ASSERT_EQ(ids(s), (std::vector<std::string>{"1"}));
  EXPECT_EQ(s.orphan_labels, (std::vector<std::string>{"label_3.txt", "labels_9.txt"}));
}

TEST(Dataset, BothLabelNamesPreferLabelAndWarn) {
  TempDir dir;
  touch(dir, "audio_x.wav");
  touch(dir, "label_x.txt");
  touch(dir, "labels_x.txt");
  const DatasetScan s = scan_dataset(dir.path());
  ASSERT_EQ(s.recordings.size(), 1u);
  EXPECT_EQ(s.recordings[0].labels, dir / "label_x.txt");
  ASSERT_EQ(s.warnings.size(), 1u);
  EXPECT_NE(s.warnings[0].find("both label_x.txt and labels_x.txt"), std::string::npos) << s.warnings[0];
  EXPECT_NE(s.warnings[0].find("using label_x.txt"), std::string::npos) << s.warnings[0];
}

TEST(Dataset, SeveralAudioFilesForOneIdPreferWavAndWarn) {
  TempDir dir;
  touch(dir, "audio_x.ogg");
  touch(dir, "audio_x.wav");
  touch(dir, "audio_x.flac");
  const DatasetScan s = scan_dataset(dir.path());
  ASSERT_EQ(s.recordings.size(), 1u);
  EXPECT_EQ(s.recordings[0].audio, dir / "audio_x.wav");
  ASSERT_EQ(s.warnings.size(), 1u);
  EXPECT_NE(s.warnings[0].find("ignoring audio_x.flac, audio_x.ogg"), std::string::npos) << s.warnings[0];
}

TEST(Dataset, IgnoresOtherFilesAndFolders) {
  TempDir dir;
  touch(dir, "audio_1.wav");
  touch(dir, "README.md");
  touch(dir, "label_1.txt.bak");
  touch(dir, "Audio_2.wav");  // the prefix is case-sensitive
  touch(dir, "audio_.wav");   // empty id
  fs::create_directory(dir / "audio_4.wav");
  fs::create_directory(dir / "sub");
  touch(dir, "sub/audio_5.wav");  // not recursive
  const DatasetScan s = scan_dataset(dir.path());
  ASSERT_EQ(ids(s), (std::vector<std::string>{"1"}));
  EXPECT_EQ(s.unlabeled, (std::vector<std::string>{"1"}));
  ASSERT_EQ(s.warnings.size(), 1u);
  EXPECT_NE(s.warnings[0].find("audio_.wav: ignored"), std::string::npos) << s.warnings[0];
}

TEST(Dataset, EmptyFolderScansToNothing) {
  TempDir dir;
  const DatasetScan s = scan_dataset(dir.path());
  EXPECT_TRUE(s.recordings.empty());
  EXPECT_TRUE(s.unlabeled.empty());
  EXPECT_TRUE(s.orphan_labels.empty());
}

TEST(Dataset, MissingFolderOrFileIsAnError) {
  TempDir dir;
  const fs::path missing = dir / "nope";
  std::string msg = error_of([&] { scan_dataset(missing); });
  EXPECT_NE(msg.find(missing.string() + ": dataset folder does not exist"), std::string::npos) << msg;
  touch(dir, "file.txt");
  msg = error_of([&] { scan_dataset(dir / "file.txt"); });
  EXPECT_NE(msg.find("is not a folder"), std::string::npos) << msg;
}

}  // namespace
}  // namespace earshot
