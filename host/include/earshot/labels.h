// Audacity label files: one label per line, "start<TAB>end<TAB>name", times in
// seconds; start == end is a point label; CRLF accepted; the spectral-selection
// lines Audacity writes after a label ("\<TAB>low<TAB>high") are skipped.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace earshot {

struct Label {
  double start = 0.0;  // seconds
  double end = 0.0;    // seconds, >= start
  std::string name;
};

// Throws earshot::Error "FILE:LINE: what is wrong" on negative or non-numeric
// times, end < start, or a line without start and end.
std::vector<Label> read_labels(const std::filesystem::path& path);

// Writes "%.6f\t%.6f\tname\n" lines, atomically.
void write_labels(const std::filesystem::path& path, const std::vector<Label>& labels);

}  // namespace earshot
