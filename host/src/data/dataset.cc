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

// Throws unless dir is an existing folder; `expected` says what it should be.
void require_folder(const fs::path& dir, const std::string& expected) {
  std::error_code ec;
  const auto status = fs::status(dir, ec);
  if (!fs::exists(status)) throw Error(dir.string(), 0, "dataset folder does not exist");
  if (!fs::is_directory(status)) throw Error(dir.string(), 0, "is not a folder (expected " + expected + ")");
}

}  // namespace

DatasetScan scan_dataset(const fs::path& dir) {
  const std::string where = dir.string();
  require_folder(dir, "a dataset folder");
  std::error_code ec;

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

size_t ClassFolders::total() const {
  size_t n = 0;
  for (const auto& r : recordings) n += r.size();
  return n;
}

namespace {

bool hidden(const fs::path& p) { return p.filename().string().starts_with("."); }

bool is_audio(const fs::path& p) { return audio_rank(lower(p.extension().string())) >= 0; }

// The folder's entries, sorted, hidden ones left out.
std::vector<fs::directory_entry> listing(const fs::path& dir) {
  std::error_code ec;
  fs::directory_iterator it(dir, ec), end;
  if (ec) throw Error(dir.string(), 0, "cannot list folder: " + ec.message());
  std::vector<fs::directory_entry> out;
  for (; it != end; it.increment(ec)) {
    if (ec) throw Error(dir.string(), 0, "cannot list folder: " + ec.message());
    if (!hidden(it->path())) out.push_back(*it);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.path() < b.path(); });
  return out;
}

// Audio files below a class folder (its subfolders too), sorted by path.
void collect_audio(const fs::path& dir, std::vector<fs::path>& audio, std::vector<std::string>& warnings) {
  for (const fs::directory_entry& e : listing(dir)) {
    std::error_code ec;
    if (e.is_directory(ec)) {
      collect_audio(e.path(), audio, warnings);
    } else if (e.is_regular_file(ec)) {
      if (is_audio(e.path())) {
        audio.push_back(e.path());
      } else {
        warnings.push_back(e.path().string() + ": ignored, not .wav, .flac or .ogg");
      }
    }
  }
}

}  // namespace

ClassFolders scan_class_folders(const fs::path& dir) {
  require_folder(dir, "DIR/<class>/*.wav");
  ClassFolders f;
  f.dir = dir;
  for (const fs::directory_entry& e : listing(dir)) {
    std::error_code fec;
    if (e.is_directory(fec)) {
      f.classes.push_back(e.path().filename().string());
      f.recordings.emplace_back();
      collect_audio(e.path(), f.recordings.back(), f.warnings);
    } else if (e.is_regular_file(fec) && is_audio(e.path())) {
      f.warnings.push_back(e.path().string() + ": ignored, audio at the top is in no class folder");
    }
  }
  return f;
}

void check_class_folders(const ClassFolders& f) {
  for (size_t c = 0; c < f.classes.size(); ++c) {
    if (f.recordings[c].empty()) {
      throw Error(
          (f.dir / f.classes[c]).string(), 0,
          "class folder '" + f.classes[c] + "' holds no audio (.wav, .flac or .ogg); add recordings or remove it");
    }
  }
  if (f.classes.size() < 2) {
    std::string found = f.classes.empty() ? "no class folders" : "only one class folder, '" + f.classes[0] + "'";
    throw Error(f.dir.string(), 0,
                found + ": a classifier needs at least 2 classes, one folder each (DIR/<class>/*.wav)");
  }
}

bool looks_like_class_folders(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return false;
  bool audio_inside = false;
  for (const fs::directory_entry& e : listing(dir)) {
    const std::string name = e.path().filename().string();
    std::error_code fec;
    if (e.is_regular_file(fec) && name.starts_with("audio_") && is_audio(e.path())) return false;
    if (e.is_directory(fec)) {
      std::vector<fs::path> audio;
      std::vector<std::string> ignored;
      collect_audio(e.path(), audio, ignored);
      audio_inside = audio_inside || !audio.empty();
    }
  }
  return audio_inside;
}

}  // namespace earshot
