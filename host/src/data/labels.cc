// Audacity label files ("start<TAB>end<TAB>name" per line).
#include "earshot/labels.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <string_view>
#include <system_error>

#include "earshot/error.h"
#include "earshot/fileio.h"

namespace earshot {

namespace fs = std::filesystem;

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// Parses a time in seconds. Audacity writes a '.' decimal point whatever the
// locale, so that is all we accept; the whole field must be consumed and the
// value finite and >= 0.
double parse_time(std::string_view field, const char* which, const std::string& file, int line) {
  const std::string_view f = trim(field);
  double v = 0.0;
  const char* end = f.data() + f.size();
  auto [ptr, ec] = std::from_chars(f.data(), end, v);
  if (f.empty() || ec != std::errc() || ptr != end || !std::isfinite(v)) {
    std::string msg = std::string(which) + " time '" + std::string(f) + "' is not a number";
    if (f.find(',') != std::string_view::npos) msg += " (use '.' as the decimal point, as Audacity does)";
    throw Error(file, line, msg);
  }
  if (v < 0.0) throw Error(file, line, std::string(which) + " time " + std::string(f) + " is negative");
  return v;
}

}  // namespace

std::vector<Label> read_labels(const fs::path& path) {
  const std::string file = path.string();
  std::error_code ec;
  if (fs::is_directory(path, ec)) throw Error(file, 0, "is a folder, not a label file");
  const std::string text = read_text_file(path);
  std::string_view rest = text;
  if (rest.starts_with("\xEF\xBB\xBF")) rest.remove_prefix(3);  // UTF-8 BOM

  std::vector<Label> labels;
  int line_no = 0;
  while (!rest.empty()) {
    const size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    ++line_no;
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (trim(line).empty()) continue;
    if (line.front() == '\\') continue;  // spectral selection: "\<TAB>low_hz<TAB>high_hz"

    // start <TAB> end [<TAB> name]; the name is everything after the second tab.
    const size_t t1 = line.find('\t');
    if (t1 == std::string_view::npos) {
      throw Error(file, line_no,
                  "expected 'start<TAB>end<TAB>name', found one field (are the fields separated by spaces "
                  "instead of tabs?)");
    }
    const size_t t2 = line.find('\t', t1 + 1);
    const std::string_view start_field = line.substr(0, t1);
    const std::string_view end_field =
        t2 == std::string_view::npos ? line.substr(t1 + 1) : line.substr(t1 + 1, t2 - t1 - 1);
    Label l;
    l.start = parse_time(start_field, "start", file, line_no);
    l.end = parse_time(end_field, "end", file, line_no);
    if (t2 != std::string_view::npos) l.name = std::string(line.substr(t2 + 1));
    if (l.end < l.start) {
      throw Error(
          file, line_no,
          "end time " + std::string(trim(end_field)) + " is before start time " + std::string(trim(start_field)));
    }
    labels.push_back(std::move(l));
  }
  return labels;
}

void write_labels(const fs::path& path, const std::vector<Label>& labels) {
  const std::string file = path.string();
  std::string text;
  char buf[700];  // "%.6f" of the largest double is ~320 characters
  for (size_t i = 0; i < labels.size(); ++i) {
    const Label& l = labels[i];
    const std::string which = "cannot write label " + std::to_string(i + 1) + " ('" + l.name + "'): ";
    if (!std::isfinite(l.start) || !std::isfinite(l.end) || l.start < 0.0 || l.end < l.start) {
      throw Error(file, 0, which + "times must be finite with 0 <= start <= end");
    }
    if (l.name.find_first_of("\r\n") != std::string::npos) {
      throw Error(file, 0, which + "the name contains a line break");
    }
    std::snprintf(buf, sizeof buf, "%.6f\t%.6f\t", l.start, l.end);
    text += buf;
    text += l.name;
    text += '\n';
  }
  write_text_file(path, text);
}

}  // namespace earshot
