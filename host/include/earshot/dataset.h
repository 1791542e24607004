// Dataset folders: recordings audio_<id>.<ext> (wav, flac, ogg) paired with
// label_<id>.txt or labels_<id>.txt (seed 001 uses both names).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "earshot/labels.h"

namespace earshot {

struct Recording {
  std::string id;
  std::filesystem::path audio;
  std::filesystem::path labels;  // empty when none was found
  bool has_labels() const { return !labels.empty(); }
};

struct DatasetScan {
  std::filesystem::path dir;
  std::vector<Recording> recordings;   // sorted by id
  std::vector<std::string> unlabeled;  // ids of recordings with no label file
  std::vector<std::string> orphan_labels;  // label files with no recording
  std::vector<std::string> warnings;   // e.g. both label_ and labels_ for one id
};

// Throws earshot::Error if dir does not exist or is not a folder.
DatasetScan scan_dataset(const std::filesystem::path& dir);

}  // namespace earshot
