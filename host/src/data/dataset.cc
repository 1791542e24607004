// Dataset folders: audio_<id>.<wav|flac|ogg> paired with label_<id>.txt or
// labels_<id>.txt (seed 001's notebook text says label_, its code opens labels_).
#include "earshot/dataset.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <system_error>

#include "earshot/error.h"

namespace earshot {

namespace fs = std::filesystem;

namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Preference when one id has several recordings: wav, then flac, then ogg.
int audio_rank(const std::string& ext) {
  if (ext == ".wav") return 0;
  if (ext == ".flac") return 1;
  if (ext == ".ogg") return 2;
  return -1;
}

struct Found {
  std::vector<std::string> audio;  // file names, best first
  std::string label;               // label_<id>.txt
  std::string labels;              // labels_<id>.txt
};

}  // namespace

DatasetScan scan_dataset(const fs::path& dir) {
  const std::string where = dir.string();
  std::error_code ec;
  const auto status = fs::status(dir, ec);
  if (!fs::exists(status)) throw Error(where, 0, "dataset folder does not exist");
  if (!fs::is_directory(status)) throw Error(where, 0, "is not a folder (expected a dataset folder)");

  DatasetScan scan;
  scan.dir = dir;
  std::map<std::string, Found> by_id;  // sorted by id
  fs::directory_iterator it(dir, ec), end;
  if (ec) throw Error(where, 0, "cannot list folder: " + ec.message());
  for (; it != end; it.increment(ec)) {
    if (ec) throw Error(where, 0, "cannot list folder: " + ec.message());
    std::error_code fec;
    if (!it->is_regular_file(fec)) continue;  // follows symlinks
    const std::string file = it->path().filename().string();
    const std::string stem = it->path().stem().string();
    const std::string ext = lower(it->path().extension().string());
    if (stem.starts_with("audio_") && audio_rank(ext) >= 0) {
      by_id[stem.substr(6)].audio.push_back(file);
    } else if (ext == ".txt" && stem.starts_with("label_")) {
      by_id[stem.substr(6)].label = file;
    } else if (ext == ".txt" && stem.starts_with("labels_")) {
      by_id[stem.substr(7)].labels = file;
    }
  }

  for (auto& [id, f] : by_id) {
    if (id.empty()) {
      for (const auto& a : f.audio)
        scan.warnings.push_back(where + ": " + a + ": ignored, the id after 'audio_' is empty");
      for (const auto* l : {&f.label, &f.labels}) {
        if (!l->empty()) scan.warnings.push_back(where + ": " + *l + ": ignored, the id is empty");
      }
      continue;
    }
    if (f.audio.empty()) {
      if (!f.label.empty()) scan.orphan_labels.push_back(f.label);
      if (!f.labels.empty()) scan.orphan_labels.push_back(f.labels);
      continue;
    }
    std::sort(f.audio.begin(), f.audio.end(), [](const std::string& a, const std::string& b) {
      const int ra = audio_rank(lower(fs::path(a).extension().string()));
      const int rb = audio_rank(lower(fs::path(b).extension().string()));
      return ra != rb ? ra < rb : a < b;
    });
    Recording r;
    r.id = id;
    r.audio = dir / f.audio.front();
    if (f.audio.size() > 1) {
      std::string others;
      for (size_t i = 1; i < f.audio.size(); ++i) others += (i > 1 ? ", " : "") + f.audio[i];
      scan.warnings.push_back(where + ": recording '" + id + "' has several audio files; using " + f.audio.front() +
                              ", ignoring " + others);
    }
    if (!f.label.empty()) {
      r.labels = dir / f.label;
      if (!f.labels.empty()) {
        scan.warnings.push_back(where + ": recording '" + id + "' has both " + f.label + " and " + f.labels +
                                "; using " + f.label + " (remove one to silence this)");
      }
    } else if (!f.labels.empty()) {
      r.labels = dir / f.labels;
    } else {
      scan.unlabeled.push_back(id);
    }
    scan.recordings.push_back(std::move(r));
  }
  std::sort(scan.orphan_labels.begin(), scan.orphan_labels.end());
  return scan;
}

}  // namespace earshot
