// safetensors files (8-byte little-endian header length, JSON header, raw
// little-endian data): weights and checkpoints in a format Python reads with
// the standard `safetensors` package (or ten lines of NumPy).
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace earshot {

struct NamedTensor {
  std::string name;
  std::vector<size_t> shape;
  std::vector<float> data;  // stored as F32
};

// Written atomically; tensors keep the given order in the data section.
void write_safetensors(const std::filesystem::path& path, const std::vector<NamedTensor>& tensors,
                       const std::map<std::string, std::string>& metadata = {});

// Reads F32 and F64 tensors (F64 converted to float). Errors name the file and the problem.
std::vector<NamedTensor> read_safetensors(const std::filesystem::path& path,
                                          std::map<std::string, std::string>* metadata = nullptr);

}  // namespace earshot
