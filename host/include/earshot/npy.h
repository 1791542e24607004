// NumPy .npy files (format version 1.0/2.0/3.0, little-endian, C order) for
// arrays people inspect: features, references, predictions.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace earshot {

struct NpyArray {
  std::vector<size_t> shape;
  std::vector<double> data;  // any numeric dtype on disk is read into double
  std::string dtype;         // as stored, e.g. "<f4", "<f8", "<i8", "|u1"
  size_t size() const;
  std::vector<float> as_float() const;
};

// Reads <f4, <f8, <i1..<i8, |u1..<u8, |b1. Errors name the file and the problem.
NpyArray read_npy(const std::filesystem::path& path);

// Writes float32 (<f4), uint8 (|u1), int8 (|i1) or int16 (<i2), atomically.
void write_npy(const std::filesystem::path& path, const float* data, const std::vector<size_t>& shape);
void write_npy(const std::filesystem::path& path, const uint8_t* data, const std::vector<size_t>& shape);
void write_npy(const std::filesystem::path& path, const int8_t* data, const std::vector<size_t>& shape);
void write_npy(const std::filesystem::path& path, const int16_t* data, const std::vector<size_t>& shape);

}  // namespace earshot
