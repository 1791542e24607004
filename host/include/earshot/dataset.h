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
  std::vector<Recording> recordings;       // sorted by id
  std::vector<std::string> unlabeled;      // ids of recordings with no label file
  std::vector<std::string> orphan_labels;  // label files with no recording
  std::vector<std::string> warnings;       // e.g. both label_ and labels_ for one id
};

// Throws earshot::Error if dir does not exist or is not a folder.
DatasetScan scan_dataset(const std::filesystem::path& dir);

// Class folders, the layout of Keras' audio_dataset_from_directory and seed
// 003: DIR/<class>/<recording>.<wav|flac|ogg> (also in subfolders of a class
// folder), one class per folder, class names the folder names sorted.
// Hidden files and folders (".name") are skipped.
struct ClassFolders {
  std::filesystem::path dir;
  std::vector<std::string> classes;                            // sorted folder names
  std::vector<std::vector<std::filesystem::path>> recordings;  // per class, sorted by path
  std::vector<std::string> warnings;                           // files left out, and why
  size_t total() const;
};

// Lists the layout; a class folder with no audio is listed with none (see
// check_class_folders). Throws if dir does not exist or is not a folder.
ClassFolders scan_class_folders(const std::filesystem::path& dir);
// Throws earshot::Error naming the folder when a class folder holds no
// audio, or when there are fewer than 2 classes.
void check_class_folders(const ClassFolders& folders);
// True when dir has no audio_<id> recordings at its top and some subfolder
// holds audio: what `earshot data inspect` takes for class folders.
bool looks_like_class_folders(const std::filesystem::path& dir);

}  // namespace earshot
