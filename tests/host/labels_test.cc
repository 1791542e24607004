// Audacity label files.
#include "earshot/labels.h"

#include <gtest/gtest.h>

#include "host/test_util.h"

namespace earshot {
namespace {

using testing::error_of;
using testing::TempDir;
using testing::write_bytes;
namespace fs = std::filesystem;

std::vector<Label> parse(const TempDir& dir, const std::string& text) {
  const fs::path p = dir / "labels.txt";
  write_bytes(p, text);
  return read_labels(p);
}

// The message of the error for a file holding `text`; checks it is "FILE:LINE: ...".
std::string error_at(const TempDir& dir, const std::string& text, int line) {
  const fs::path p = dir / "bad.txt";
  write_bytes(p, text);
  const std::string msg = error_of([&] { read_labels(p); });
  const std::string prefix = p.string() + ":" + std::to_string(line) + ": ";
  EXPECT_EQ(msg.substr(0, prefix.size()), prefix) << msg;
  return msg;
}

TEST(Labels, ReadsAudacityExport) {
  TempDir dir;
  const auto l = parse(dir, "25.290000\t26.290000\tDing\n1.5\t2\tbell two\n");
  ASSERT_EQ(l.size(), 2u);
  EXPECT_DOUBLE_EQ(l[0].start, 25.29);
  EXPECT_DOUBLE_EQ(l[0].end, 26.29);
  EXPECT_EQ(l[0].name, "Ding");
  EXPECT_EQ(l[1].start, 1.5);
  EXPECT_EQ(l[1].end, 2.0);
  EXPECT_EQ(l[1].name, "bell two");  // spaces kept
}

TEST(Labels, CrlfLineEndings) {
  TempDir dir;
  const auto l = parse(dir, "0.1\t0.2\tA\r\n0.3\t0.4\tB\r\n");
  ASSERT_EQ(l.size(), 2u);
  EXPECT_EQ(l[0].name, "A");  // no stray '\r'
  EXPECT_EQ(l[1].name, "B");
  EXPECT_EQ(l[1].end, 0.4);
}

TEST(Labels, PointLabelsAndEmptyNames) {
  TempDir dir;
  const auto l = parse(dir, "3.25\t3.25\tclick\n4\t5\t\n6\t7\n");
  ASSERT_EQ(l.size(), 3u);
  EXPECT_EQ(l[0].start, l[0].end);
  EXPECT_EQ(l[0].name, "click");
  EXPECT_EQ(l[1].name, "");
  EXPECT_EQ(l[2].name, "");
}

TEST(Labels, SkipsSpectralSelectionLinesAndBlankLines) {
  TempDir dir;
  const auto l = parse(dir,
                       "1.000000\t2.000000\tDing\n"
                       "\\\t440.000000\t3000.000000\n"
                       "\n"
                       "   \n"
                       "3.000000\t4.000000\tDong\r\n"
                       "\\\t-1.000000\t-1.000000\r\n");
  ASSERT_EQ(l.size(), 2u);
  EXPECT_EQ(l[0].name, "Ding");
  EXPECT_EQ(l[1].name, "Dong");
}

TEST(Labels, ToleratesUtf8BomAndNoFinalNewline) {
  TempDir dir;
  const auto l = parse(dir,
                       "\xEF\xBB\xBF"
                       "0.5\t1.5\tBjörk");
  ASSERT_EQ(l.size(), 1u);
  EXPECT_EQ(l[0].start, 0.5);
  EXPECT_EQ(l[0].name, "Björk");
}

TEST(Labels, EmptyFileHasNoLabels) {
  TempDir dir;
  EXPECT_TRUE(parse(dir, "").empty());
  EXPECT_TRUE(parse(dir, "\r\n\n").empty());
}

TEST(Labels, NegativeTimeNamesTheLine) {
  TempDir dir;
  const std::string msg = error_at(dir, "1\t2\ta\n\\\t1\t2\n-0.5\t1\tb\n", 3);
  EXPECT_NE(msg.find("start time -0.5 is negative"), std::string::npos) << msg;
  const std::string msg2 = error_at(dir, "1\t-2\ta\n", 1);
  EXPECT_NE(msg2.find("end time -2 is negative"), std::string::npos) << msg2;
}

TEST(Labels, NonNumericTimesNameTheLine) {
  TempDir dir;
  EXPECT_NE(error_at(dir, "1\t2\ta\nabc\t2\tb\n", 2).find("start time 'abc' is not a number"), std::string::npos);
  EXPECT_NE(error_at(dir, "\n\n1\t2x\tb\n", 3).find("end time '2x' is not a number"), std::string::npos);
  EXPECT_NE(error_at(dir, "nan\t2\tb\n", 1).find("'nan' is not a number"), std::string::npos);
  EXPECT_NE(error_at(dir, "1\tinf\tb\n", 1).find("'inf' is not a number"), std::string::npos);
  EXPECT_NE(error_at(dir, "1\t\tb\n", 1).find("end time '' is not a number"), std::string::npos);
  // A locale's decimal comma is not Audacity's format; the message says so.
  const std::string comma = error_at(dir, "0\t1\ta\r\n1,5\t2,5\tb\r\n", 2);
  EXPECT_NE(comma.find("'1,5' is not a number (use '.' as the decimal point"), std::string::npos) << comma;
}

TEST(Labels, EndBeforeStartNamesTheLine) {
  TempDir dir;
  const std::string msg = error_at(dir, "0\t1\ta\n1\t2\tb\n\n\n\n\n2.5\t1.2\tc\n", 7);
  EXPECT_NE(msg.find("end time 1.2 is before start time 2.5"), std::string::npos) << msg;
}

TEST(Labels, TooFewFieldsNamesTheLine) {
  TempDir dir;
  const std::string msg = error_at(dir, "0\t1\ta\n1.0 2.0 bell\n", 2);
  EXPECT_NE(msg.find("expected 'start<TAB>end<TAB>name'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("spaces instead of tabs"), std::string::npos) << msg;
  error_at(dir,
           "\xEF\xBB\xBF"
           "5\n",
           1);
}

TEST(Labels, MissingFileOrFolder) {
  TempDir dir;
  const std::string msg = error_of([&] { read_labels(dir / "nope.txt"); });
  EXPECT_NE(msg.find((dir / "nope.txt").string()), std::string::npos) << msg;
  std::filesystem::create_directory(dir / "folder.txt");
  EXPECT_NE(error_of([&] { read_labels(dir / "folder.txt"); }).find("is a folder"), std::string::npos);
}

TEST(Labels, WriteReadRoundTrip) {
  TempDir dir;
  const fs::path p = dir / "out.txt";
  const std::vector<Label> in = {
      {25.29, 26.29, "Ding"}, {30, 30, "point"}, {31.000001, 40.5, ""}, {41, 42, "with spaces  and\ttab"}};
  write_labels(p, in);
  EXPECT_EQ(testing::read_bytes(p),
            "25.290000\t26.290000\tDing\n30.000000\t30.000000\tpoint\n31.000001\t40.500000\t\n"
            "41.000000\t42.000000\twith spaces  and\ttab\n");
  const auto out = read_labels(p);
  ASSERT_EQ(out.size(), in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    EXPECT_NEAR(out[i].start, in[i].start, 5e-7);
    EXPECT_NEAR(out[i].end, in[i].end, 5e-7);
    EXPECT_EQ(out[i].name, in[i].name);
  }
}

TEST(Labels, WriteRejectsWhatCannotBeReadBack) {
  TempDir dir;
  const fs::path p = dir / "out.txt";
  EXPECT_NE(error_of([&] { write_labels(p, {{2, 1, "x"}}); }).find("0 <= start <= end"), std::string::npos);
  EXPECT_NE(error_of([&] { write_labels(p, {{1, 2, "a\nb"}}); }).find("line break"), std::string::npos);
  EXPECT_FALSE(fs::exists(p));
}

}  // namespace
}  // namespace earshot
