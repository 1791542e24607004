#include "earshot/fileio.h"

#include <fstream>
#include <random>
#include <sstream>
#include <system_error>

#include "earshot/error.h"

namespace earshot {

namespace fs = std::filesystem;

void write_atomically(const fs::path& path, const std::function<void(const fs::path& tmp)>& write) {
  if (path.has_parent_path() && !fs::exists(path.parent_path())) {
    throw Error(path.string(), 0, "cannot write: folder " + path.parent_path().string() + " does not exist");
  }
  std::random_device rd;
  fs::path tmp = path;
  tmp += ".tmp" + std::to_string(rd() % 1000000);
  try {
    write(tmp);
  } catch (...) {
    std::error_code ec;
    fs::remove(tmp, ec);
    throw;
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) {
    fs::remove(tmp, ec);
    throw Error(path.string(), 0, "cannot replace file: " + ec.message());
  }
}

void write_text_file(const fs::path& path, std::string_view text) {
  write_atomically(path, [&](const fs::path& tmp) {
    std::ofstream out(tmp, std::ios::binary);
    if (!out) throw Error(tmp.string(), 0, "cannot open for writing");
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    out.flush();
    if (!out) throw Error(tmp.string(), 0, "write failed (disk full?)");
  });
}

std::string read_text_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path.string(), 0, "cannot open for reading (missing or no permission)");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace earshot
