#include "earshot/npy.h"

#include <cstring>
#include <fstream>

#include "earshot/error.h"
#include "earshot/fileio.h"

namespace earshot {

namespace fs = std::filesystem;

size_t NpyArray::size() const {
  size_t n = 1;
  for (size_t d : shape) n *= d;
  return n;
}

std::vector<float> NpyArray::as_float() const { return std::vector<float>(data.begin(), data.end()); }

namespace {

// Value of 'key' in the header dict, as the raw text up to the next ',' or '}'
// (or the matching ')' for a tuple).
std::string header_field(const std::string& header, const std::string& key, const std::string& file) {
  size_t k = header.find("'" + key + "'");
  if (k == std::string::npos) throw Error(file, 0, "npy header has no '" + key + "' field");
  size_t colon = header.find(':', k);
  size_t start = header.find_first_not_of(' ', colon + 1);
  if (colon == std::string::npos || start == std::string::npos) {
    throw Error(file, 0, "npy header field '" + key + "' is malformed");
  }
  size_t end = header[start] == '(' ? header.find(')', start) + 1 : header.find_first_of(",}", start);
  if (end == std::string::npos || end == 0) throw Error(file, 0, "npy header field '" + key + "' is malformed");
  return header.substr(start, end - start);
}

template <typename T>
void convert(const std::vector<char>& raw, std::vector<double>& out) {
  const size_t n = raw.size() / sizeof(T);
  out.resize(n);
  for (size_t i = 0; i < n; ++i) {
    T v;
    std::memcpy(&v, raw.data() + i * sizeof(T), sizeof(T));
    out[i] = static_cast<double>(v);
  }
}

void write_npy_raw(const fs::path& path, const char* descr, const void* data, size_t item,
                   const std::vector<size_t>& shape) {
  std::string shp = "(";
  size_t n = 1;
  for (size_t d : shape) {
    shp += std::to_string(d) + ",";
    n *= d;
  }
  if (shape.size() > 1) shp.pop_back();
  shp += ")";
  std::string header = std::string("{'descr': '") + descr + "', 'fortran_order': False, 'shape': " + shp + ", }";
  const size_t base = 10;  // magic(6) + version(2) + header length(2)
  size_t total = base + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  write_atomically(path, [&](const fs::path& tmp) {
    std::ofstream out(tmp, std::ios::binary);
    if (!out) throw Error(tmp.string(), 0, "cannot open for writing");
    const char magic[8] = {'\x93', 'N', 'U', 'M', 'P', 'Y', 1, 0};
    out.write(magic, 8);
    const uint16_t hl = static_cast<uint16_t>(header.size());
    const char hlb[2] = {static_cast<char>(hl & 0xff), static_cast<char>(hl >> 8)};
    out.write(hlb, 2);
    out.write(header.data(), static_cast<std::streamsize>(header.size()));
    out.write(static_cast<const char*>(data), static_cast<std::streamsize>(n * item));
    if (!out) throw Error(tmp.string(), 0, "write failed (disk full?)");
  });
}

}  // namespace

NpyArray read_npy(const fs::path& path) {
  const std::string file = path.string();
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(file, 0, "cannot open .npy file (missing or no permission)");
  char magic[8];
  if (!in.read(magic, 8) || std::memcmp(magic, "\x93NUMPY", 6) != 0) {
    throw Error(file, 0, "not a .npy file (bad magic)");
  }
  const int major = static_cast<unsigned char>(magic[6]);
  size_t header_len = 0;
  if (major == 1) {
    unsigned char b[2];
    if (!in.read(reinterpret_cast<char*>(b), 2)) throw Error(file, 0, "truncated .npy header");
    header_len = b[0] | (b[1] << 8);
  } else if (major == 2 || major == 3) {
    unsigned char b[4];
    if (!in.read(reinterpret_cast<char*>(b), 4)) throw Error(file, 0, "truncated .npy header");
    header_len = b[0] | (b[1] << 8) | (b[2] << 16) | (static_cast<size_t>(b[3]) << 24);
  } else {
    throw Error(file, 0, "unsupported .npy version " + std::to_string(major));
  }
  if (header_len > (1u << 20)) throw Error(file, 0, ".npy header length is implausible");
  std::string header(header_len, '\0');
  if (!in.read(header.data(), static_cast<std::streamsize>(header_len))) throw Error(file, 0, "truncated .npy header");

  NpyArray arr;
  std::string descr = header_field(header, "descr", file);
  if (descr.size() < 3) throw Error(file, 0, "npy dtype " + descr + " is malformed");
  arr.dtype = descr.substr(1, descr.size() - 2);
  if (header_field(header, "fortran_order", file) != "False") {
    throw Error(file, 0, "Fortran-order arrays are not supported; save with np.ascontiguousarray");
  }
  std::string shp = header_field(header, "shape", file);
  size_t pos = 1;
  while (pos < shp.size()) {
    size_t next = shp.find_first_of(",)", pos);
    std::string tok = shp.substr(pos, next - pos);
    if (tok.find_first_not_of(' ') != std::string::npos) {
      try {
        arr.shape.push_back(static_cast<size_t>(std::stoull(tok)));
      } catch (const std::exception&) {
        throw Error(file, 0, "npy shape " + shp + " is malformed");
      }
    }
    if (next == std::string::npos) break;
    pos = next + 1;
  }
  const std::string& t = arr.dtype;
  if (t.size() < 3 || (t[0] != '<' && t[0] != '|')) {
    throw Error(file, 0, "npy dtype '" + t + "' is not supported (need little-endian numbers)");
  }
  const char kind = t[1];
  const int item = std::atoi(t.c_str() + 2);
  if (item <= 0 || item > 8) throw Error(file, 0, "npy dtype '" + t + "' is not supported");
  const size_t n = arr.size();
  std::vector<char> raw(n * static_cast<size_t>(item));
  if (!in.read(raw.data(), static_cast<std::streamsize>(raw.size()))) {
    throw Error(file, 0, "truncated .npy data: expected " + std::to_string(raw.size()) + " bytes");
  }
  if (kind == 'f' && item == 4) convert<float>(raw, arr.data);
  else if (kind == 'f' && item == 8) convert<double>(raw, arr.data);
  else if (kind == 'i' && item == 1) convert<int8_t>(raw, arr.data);
  else if (kind == 'i' && item == 2) convert<int16_t>(raw, arr.data);
  else if (kind == 'i' && item == 4) convert<int32_t>(raw, arr.data);
  else if (kind == 'i' && item == 8) convert<int64_t>(raw, arr.data);
  else if ((kind == 'u' || kind == 'b') && item == 1) convert<uint8_t>(raw, arr.data);
  else if (kind == 'u' && item == 2) convert<uint16_t>(raw, arr.data);
  else if (kind == 'u' && item == 4) convert<uint32_t>(raw, arr.data);
  else if (kind == 'u' && item == 8) convert<uint64_t>(raw, arr.data);
  else throw Error(file, 0, "npy dtype '" + t + "' is not supported");
  return arr;
}

void write_npy(const fs::path& path, const float* data, const std::vector<size_t>& shape) {
  write_npy_raw(path, "<f4", data, sizeof(float), shape);
}

void write_npy(const fs::path& path, const uint8_t* data, const std::vector<size_t>& shape) {
  write_npy_raw(path, "|u1", data, 1, shape);
}

void write_npy(const fs::path& path, const int8_t* data, const std::vector<size_t>& shape) {
  write_npy_raw(path, "|i1", data, 1, shape);
}

void write_npy(const fs::path& path, const int16_t* data, const std::vector<size_t>& shape) {
  write_npy_raw(path, "<i2", data, sizeof(int16_t), shape);
}

}  // namespace earshot
