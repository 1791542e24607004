// Reader for tests/golden/ops/*.bin (written by scripts/golden/make_ops_golden.py;
// format in its docstring and in tests/golden/ops/STAMP.json).
#pragma once

#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace earshot::test {

struct OpsField {
  uint8_t dtype = 0;  // 0 int32, 1 float32, 2 int8
  std::vector<int32_t> i32;
  std::vector<float> f32;
  std::vector<int8_t> i8;
  size_t size() const { return dtype == 0 ? i32.size() : dtype == 1 ? f32.size() : i8.size(); }
};

using OpsCase = std::vector<OpsField>;

// Empty on any error; `error` says what went wrong.
inline std::vector<OpsCase> read_ops_golden(const std::string& name, std::string* error) {
  const std::string path = std::string(EARSHOT_TEST_DATA) + "/golden/ops/" + name + ".bin";
  std::ifstream f(path, std::ios::binary);
  std::vector<char> buf((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  std::vector<OpsCase> cases;
  size_t pos = 0;
  auto u32 = [&](uint32_t* v) {
    if (pos + 4 > buf.size()) return false;
    std::memcpy(v, buf.data() + pos, 4);
    pos += 4;
    return true;
  };
  uint32_t version = 0, count = 0;
  if (buf.size() < 12 || std::memcmp(buf.data(), "EOPS", 4) != 0) {
    *error = "cannot read " + path;
    return {};
  }
  pos = 4;
  if (!u32(&version) || version != 1 || !u32(&count)) {
    *error = "bad header in " + path;
    return {};
  }
  for (uint32_t c = 0; c < count; ++c) {
    uint32_t nfields = 0;
    if (!u32(&nfields)) break;
    OpsCase kase(nfields);
    for (auto& fld : kase) {
      if (pos + 1 > buf.size()) break;
      fld.dtype = static_cast<uint8_t>(buf[pos++]);
      uint32_t n = 0;
      if (!u32(&n)) break;
      const size_t elem = fld.dtype == 2 ? 1 : 4;
      if (fld.dtype > 2 || pos + n * elem > buf.size()) {
        *error = "truncated " + path;
        return {};
      }
      if (n == 0) {
        // empty field (e.g. no bias): nothing to copy
      } else if (fld.dtype == 0) {
        fld.i32.resize(n);
        std::memcpy(fld.i32.data(), buf.data() + pos, n * 4);
      } else if (fld.dtype == 1) {
        fld.f32.resize(n);
        std::memcpy(fld.f32.data(), buf.data() + pos, n * 4);
      } else {
        fld.i8.resize(n);
        std::memcpy(fld.i8.data(), buf.data() + pos, n);
      }
      pos += n * elem;
    }
    cases.push_back(std::move(kase));
  }
  if (cases.size() != count || pos != buf.size()) {
    *error = "truncated or trailing data in " + path;
    return {};
  }
  return cases;
}

}  // namespace earshot::test
