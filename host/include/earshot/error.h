// Errors the host raises: what is wrong, where (file, line, field) and, where
// we can tell, how to fix it. what() gives the whole sentence:
//   "data/label_3.txt:7: end time 1.2 is before start time 2.5"
#pragma once

#include <stdexcept>
#include <string>

namespace earshot {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
  // file:line: message   (line 0 is left out)
  Error(const std::string& file, int line, const std::string& message)
      : std::runtime_error(format(file, line, message)), file_(file), line_(line) {}

  const std::string& file() const { return file_; }
  int line() const { return line_; }

 private:
  static std::string format(const std::string& file, int line, const std::string& message) {
    std::string s;  // appends only: GCC 12 warns (-Wrestrict, falsely) on operator+ chains here
    s.reserve(file.size() + message.size() + 16);
    s.append(file);
    if (line > 0) s.append(":").append(std::to_string(line));
    s.append(": ").append(message);
    return s;
  }
  std::string file_;
  int line_ = 0;
};

}  // namespace earshot
