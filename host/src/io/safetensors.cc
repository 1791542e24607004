#include "earshot/safetensors.h"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

#include "earshot/error.h"
#include "earshot/fileio.h"

namespace earshot {

namespace fs = std::filesystem;

void write_safetensors(const fs::path& path, const std::vector<NamedTensor>& tensors,
                       const std::map<std::string, std::string>& metadata) {
  nlohmann::ordered_json header;
  if (!metadata.empty()) header["__metadata__"] = metadata;
  size_t offset = 0;
  for (const NamedTensor& t : tensors) {
    size_t n = 1;
    for (size_t d : t.shape) n *= d;
    if (n != t.data.size()) throw Error(path.string(), 0, "tensor " + t.name + ": shape and data size disagree");
    header[t.name] = {{"dtype", "F32"}, {"shape", t.shape}, {"data_offsets", {offset, offset + 4 * n}}};
    offset += 4 * n;
  }
  std::string h = header.dump();
  h.append((8 - h.size() % 8) % 8, ' ');  // align the data section
  write_atomically(path, [&](const fs::path& tmp) {
    std::ofstream out(tmp, std::ios::binary);
    if (!out) throw Error(tmp.string(), 0, "cannot open for writing");
    uint64_t len = h.size();
    unsigned char lb[8];
    for (int i = 0; i < 8; ++i) lb[i] = static_cast<unsigned char>(len >> (8 * i));
    out.write(reinterpret_cast<const char*>(lb), 8);
    out.write(h.data(), static_cast<std::streamsize>(h.size()));
    for (const NamedTensor& t : tensors) {
      out.write(reinterpret_cast<const char*>(t.data.data()), static_cast<std::streamsize>(4 * t.data.size()));
    }
    if (!out) throw Error(tmp.string(), 0, "write failed (disk full?)");
  });
}

std::vector<NamedTensor> read_safetensors(const fs::path& path, std::map<std::string, std::string>* metadata) {
  const std::string file = path.string();
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) throw Error(file, 0, "cannot open safetensors file (missing or no permission)");
  const auto size = static_cast<uint64_t>(in.tellg());
  in.seekg(0);
  unsigned char lb[8];
  if (size < 8 || !in.read(reinterpret_cast<char*>(lb), 8)) throw Error(file, 0, "truncated safetensors header");
  uint64_t len = 0;
  for (int i = 0; i < 8; ++i) len |= static_cast<uint64_t>(lb[i]) << (8 * i);
  if (len > size - 8 || len > (100u << 20)) throw Error(file, 0, "safetensors header length is larger than the file");
  std::string h(len, '\0');
  in.read(h.data(), static_cast<std::streamsize>(len));
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(h);
  } catch (const nlohmann::json::exception& e) {
    throw Error(file, 0, std::string("safetensors header is not JSON: ") + e.what());
  }
  const uint64_t data_size = size - 8 - len;
  std::vector<char> data(data_size);
  in.read(data.data(), static_cast<std::streamsize>(data_size));
  std::vector<std::pair<uint64_t, NamedTensor>> found;
  for (auto it = header.begin(); it != header.end(); ++it) {
    if (it.key() == "__metadata__") {
      if (metadata) *metadata = it.value().get<std::map<std::string, std::string>>();
      continue;
    }
    NamedTensor t;
    t.name = it.key();
    try {
      const std::string dtype = it.value().at("dtype").get<std::string>();
      t.shape = it.value().at("shape").get<std::vector<size_t>>();
      const auto off = it.value().at("data_offsets").get<std::vector<uint64_t>>();
      size_t n = 1;
      for (size_t d : t.shape) n *= d;
      const size_t item = dtype == "F32" ? 4 : dtype == "F64" ? 8 : 0;
      if (item == 0) throw Error(file, 0, "tensor " + t.name + ": dtype " + dtype + " is not supported (F32, F64)");
      if (off.size() != 2 || off[1] < off[0] || off[1] > data_size || off[1] - off[0] != n * item) {
        throw Error(file, 0, "tensor " + t.name + ": data_offsets do not match its shape or the file size");
      }
      t.data.resize(n);
      for (size_t i = 0; i < n; ++i) {
        if (item == 4) {
          std::memcpy(&t.data[i], data.data() + off[0] + 4 * i, 4);
        } else {
          double v;
          std::memcpy(&v, data.data() + off[0] + 8 * i, 8);
          t.data[i] = static_cast<float>(v);
        }
      }
      found.emplace_back(off[0], std::move(t));
    } catch (const nlohmann::json::exception& e) {
      throw Error(file, 0, "tensor " + it.key() + ": malformed header entry: " + e.what());
    }
  }
  std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<NamedTensor> out;
  for (auto& f : found) out.push_back(std::move(f.second));
  return out;
}

}  // namespace earshot
