// Writing files so that nothing already on disk is lost or half-written: the
// content goes to a temporary file beside the target, which is then renamed.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

namespace earshot {

// Calls write(tmp_path) and renames tmp_path onto `path`. If write throws or
// the rename fails, the temporary file is removed and `path` is untouched.
void write_atomically(const std::filesystem::path& path,
                      const std::function<void(const std::filesystem::path& tmp)>& write);

// Whole-file helpers built on write_atomically.
void write_text_file(const std::filesystem::path& path, std::string_view text);
std::string read_text_file(const std::filesystem::path& path);

}  // namespace earshot
