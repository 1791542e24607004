#include "earshot/recipe.h"

#include <toml++/toml.h>

#include <algorithm>
#include <cmath>

#include "earshot/error.h"
#include "earshot/fileio.h"
#include "toml_section.h"

namespace earshot {

using detail::Section;

const char* feature_source_name(FeatureSource s) {
  switch (s) {
    case FeatureSource::kFrames: return "frames";
    case FeatureSource::kDigitized: return "digitized";
    case FeatureSource::kBeats: return "beats";
  }
  return "unknown";
}

const char* rate_reduction_name(RateReduction r) {
  switch (r) {
    case RateReduction::kResample: return "resample";
    case RateReduction::kDecimate: return "decimate";
  }
  return "unknown";
}

const char* digitize_range_name(DigitizeRange r) {
  switch (r) {
    case DigitizeRange::kClip: return "clip";
    case DigitizeRange::kFile: return "file";
    case DigitizeRange::kFixed: return "fixed";
  }
  return "unknown";
}

const char* digitize_rule_name(rt::DigitizeRule r) {
  switch (r) {
    case rt::DigitizeRule::kFloor: return "floor";
    case rt::DigitizeRule::kNumpyRight: return "np_digitize";
  }
  return "unknown";
}

rt::FrontendConfig Recipe::frontend_config() const {
  rt::FrontendConfig c = frontend;
  c.norm = rt::NormMode::kNone;
  switch (normalize.mode) {
    case rt::NormMode::kNone: break;
    case rt::NormMode::kScalar:
      if (!normalize.fit || normalize.std != 1.0f || normalize.mean != 0.0f) {
        c.norm = rt::NormMode::kScalar;
        c.mean = normalize.mean;
        c.std = normalize.std;
      }
      break;
    case rt::NormMode::kPerBin:
      if (!normalize.mean_per_bin.empty()) {
        c.norm = rt::NormMode::kPerBin;
        c.mean_per_bin = normalize.mean_per_bin.data();
        c.std_per_bin = normalize.std_per_bin.data();
      }
      break;
  }
  return c;
}

namespace {

constexpr double kBig = 1e9;
// Sections read by training, quantisation and export (later stages).
constexpr std::initializer_list<const char*> kLaterSections = {"model", "train", "quantize", "export",
                                                               "data",  "synth", "eval"};

int line_of(const toml::table* t, int fallback) {
  return t != nullptr ? static_cast<int>(t->source().begin.line) : fallback;
}

void parse_features(Section& s, Recipe& r) {
  const std::string kind = s.get_choice("kind", "spectrum", {"spectrum", "mel", "mfcc", "cqt", "digitized", "beats"});
  rt::FrontendConfig& c = r.frontend;
  c.sample_rate = r.sample_rate;
  if (kind == "digitized") {
    r.source = FeatureSource::kDigitized;
    DigitizeSpec& d = r.digitize;
    d.levels = s.get_int("levels", 16, 2, 256);
    if (s.has("clip_seconds") && s.has("clip_samples")) {
      s.fail("clip_samples", "give clip_seconds or clip_samples, not both");
    }
    d.clip_seconds = s.get_number("clip_seconds", 1.0, 1e-3, 3600.0);
    const long long from_seconds = std::llround(d.clip_seconds * r.sample_rate);
    d.clip_samples = static_cast<size_t>(
        s.get_int("clip_samples", static_cast<int>(std::min<long long>(from_seconds, 1 << 30)), 1, 1 << 30));
    if (d.clip_samples == 0) s.fail("clip_seconds", "is less than one sample at [audio] sample_rate");
    d.clip_seconds = static_cast<double>(d.clip_samples) / r.sample_rate;
    d.one_hot = s.get_bool("one_hot", true);
    d.rate_reduction = s.get_choice("rate_reduction", "resample", {"resample", "decimate"}) == "decimate"
                           ? RateReduction::kDecimate
                           : RateReduction::kResample;
    const std::string range = s.get_choice("range", "clip", {"clip", "file", "fixed"});
    d.range = range == "file" ? DigitizeRange::kFile : range == "fixed" ? DigitizeRange::kFixed : DigitizeRange::kClip;
    d.rule = s.get_choice("rule", "floor", {"floor", "np_digitize"}) == "np_digitize" ? rt::DigitizeRule::kNumpyRight
                                                                                      : rt::DigitizeRule::kFloor;
    s.finish();
    return;
  }
  if (kind == "beats") {
    r.source = FeatureSource::kBeats;
    r.beats.duration_ms = static_cast<float>(s.get_number("duration_ms", 4000.0, 1.0, kBig));
    r.beats.n_bins = s.get_int("bins", 500, 1, 1 << 20);
    r.beats.skip_first = s.get_bool("skip_first", true);
    r.beats.outside =
        s.get_choice("outside", "drop", {"drop", "clamp"}) == "drop" ? rt::OutsideHits::kDrop : rt::OutsideHits::kClamp;
    s.finish();
    return;
  }
  r.source = FeatureSource::kFrames;
  c.kind = kind == "spectrum" ? rt::FeatureKind::kSpectrum
           : kind == "mel"    ? rt::FeatureKind::kMel
           : kind == "mfcc"   ? rt::FeatureKind::kMfcc
                              : rt::FeatureKind::kCqt;
  const bool spectral = c.kind != rt::FeatureKind::kSpectrum;
  c.frame_length = s.get_int("frame_length", spectral ? 512 : 256, 2, 65536);
  c.frame_stride = s.get_int("frame_stride", spectral ? 160 : 128, 1, 1 << 24);
  c.center = s.get_bool("center", spectral);
  const std::string win = s.get_choice("window", spectral ? "hann" : "hamming", {"rect", "hann", "hamming"});
  c.window = win == "rect" ? rt::WindowKind::kRect : win == "hann" ? rt::WindowKind::kHann : rt::WindowKind::kHamming;
  c.window_periodic = s.get_bool("window_periodic", spectral);
  c.subtract_mean = s.get_bool("subtract_mean", false);
  c.power =
      static_cast<float>(s.get_number("power", spectral && c.kind != rt::FeatureKind::kCqt ? 2.0 : 1.0, 0.1, 4.0));
  const double nyq = r.sample_rate / 2.0;
  c.min_hz = static_cast<float>(s.get_number("min_hz", 0.0, 0.0, nyq));
  c.max_hz = static_cast<float>(s.get_number("max_hz", 0.0, 0.0, nyq));
  c.n_mels = s.get_int("n_mels", 40, 1, 4096);
  c.fmin = static_cast<float>(s.get_number("fmin", 0.0, 0.0, nyq));
  c.fmax = static_cast<float>(s.get_number("fmax", 0.0, 0.0, nyq));
  c.mel_scale =
      s.get_choice("mel_scale", "slaney", {"slaney", "htk"}) == "htk" ? rt::MelScale::kHtk : rt::MelScale::kSlaney;
  c.mel_norm =
      s.get_choice("mel_norm", "slaney", {"slaney", "none"}) == "none" ? rt::MelNorm::kNone : rt::MelNorm::kSlaney;
  c.n_mfcc = s.get_int("n_mfcc", 13, 1, 4096);
  c.cqt_fmin = static_cast<float>(s.get_number("cqt_fmin", 32.70319566257483, 1e-3, nyq));
  c.cqt_bins = s.get_int("cqt_bins", 84, 2, 1024);
  c.bins_per_octave = s.get_int("bins_per_octave", 12, 1, 1024);
  c.filter_scale = static_cast<float>(s.get_number("filter_scale", 1.0, 1e-3, 100.0));
  const std::string comp = s.get_choice("compression", spectral ? "db" : "none", {"none", "log1p", "ln", "db"});
  c.compression = comp == "log1p" ? rt::Compression::kLog1p
                  : comp == "ln"  ? rt::Compression::kLn
                  : comp == "db"  ? rt::Compression::kDb
                                  : rt::Compression::kNone;
  c.amin = static_cast<float>(s.get_number("amin", c.kind == rt::FeatureKind::kCqt ? 1e-5 : 1e-10, 1e-30, 1.0));

  if (const toml::table* nt = s.subtable("normalize")) {
    Section n(nt, "features.normalize", r.path.string(), line_of(nt, 0));
    const std::string mode = n.get_choice("mode", "scalar", {"none", "scalar", "per_bin"});
    NormalizeSpec& ns = r.normalize;
    ns.mode = mode == "none" ? rt::NormMode::kNone : mode == "scalar" ? rt::NormMode::kScalar : rt::NormMode::kPerBin;
    if (ns.mode == rt::NormMode::kScalar) {
      ns.fit = !n.has("mean") && !n.has("std");
      if (n.has("mean") != n.has("std"))
        n.fail(n.has("mean") ? "mean" : "std", "give both mean and std, or neither to fit them on the training data");
      ns.mean = static_cast<float>(n.get_number("mean", 0.0, -kBig, kBig));
      ns.std = static_cast<float>(n.get_number("std", 1.0, 1e-12, kBig));
    } else if (ns.mode == rt::NormMode::kPerBin) {
      ns.mean_per_bin = n.get_floats("mean");
      ns.std_per_bin = n.get_floats("std");
      ns.fit = ns.mean_per_bin.empty() && ns.std_per_bin.empty();
      if (ns.mean_per_bin.size() != ns.std_per_bin.size()) n.fail("std", "mean and std must have the same length");
      for (float v : ns.std_per_bin) {
        if (!(v > 0.0f)) n.fail("std", "every per-bin std must be > 0");
      }
    }
    n.finish();
  }
  s.finish();
}

void parse_windows(Section& s, Recipe& r) {
  r.has_windows = true;
  WindowSpec& w = r.windows;
  w.window = s.get_int("length", 32, 1, 1 << 20);
  w.stride = s.get_int("stride", 8, 1, 1 << 20);
  w.frame_stride = r.frontend.frame_stride;
  w.sample_rate = r.sample_rate;
  w.rule = s.get_choice("label_rule", "inside", {"inside", "overlap"}) == "inside" ? WindowLabelRule::kInside
                                                                                   : WindowLabelRule::kOverlap;
  w.min_overlap = s.get_number("min_overlap", 0.5, 0.0, 1.0);
  w.positive_names = s.get_strings("positive");
  const std::string ref = s.get_choice("db_ref", "none", {"none", "max", "min"});
  r.window_norm.db_ref = ref == "max" ? rt::DbRef::kMax : ref == "min" ? rt::DbRef::kMin : rt::DbRef::kNone;
  r.window_norm.top_db = static_cast<float>(s.get_number("top_db", 0.0, 0.0, 1000.0));
  r.window_norm.scale_to_max = s.get_bool("scale_to_max", false);
  s.finish();
}

}  // namespace

Recipe parse_recipe(std::string_view text, const std::string& source_name) {
  Recipe r;
  r.path = source_name;
  r.text = std::string(text);
  toml::table root;
  try {
    root = toml::parse(text, source_name);
  } catch (const toml::parse_error& e) {
    throw Error(source_name, static_cast<int>(e.source().begin.line),
                "TOML syntax error: " + std::string(e.description()));
  }
  Section top(&root, "", source_name, 1);
  r.name = top.get_string("name", std::filesystem::path(source_name).stem().string());
  r.description = top.get_string("description", "");

  const toml::table* audio = top.subtable("audio");
  Section a(audio, "audio", source_name, line_of(audio, 1));
  r.sample_rate = a.get_int("sample_rate", 16000, 1000, 384000);
  a.finish();

  const toml::table* features = top.subtable("features");
  if (features == nullptr) {
    // A misspelt [feature] is reported as the unknown key it is.
    top.finish(
        {"features", "windows", "dataset", "detect", "model", "train", "quantize", "export", "data", "synth", "eval"});
    throw Error(source_name, 1, "missing [features] section; expected e.g. [features] kind = \"spectrum\"");
  }
  Section f(features, "features", source_name, line_of(features, 1));
  parse_features(f, r);

  if (const toml::table* windows = top.subtable("windows")) {
    Section w(windows, "windows", source_name, line_of(windows, 1));
    parse_windows(w, r);
  }
  if (const toml::table* data = top.subtable("dataset")) {
    Section d(data, "dataset", source_name, line_of(data, 1));
    r.unlabeled = d.get_choice("unlabeled", "error", {"error", "negative"}) == "negative" ? UnlabeledPolicy::kNegative
                                                                                          : UnlabeledPolicy::kError;
    d.finish();
  }
  if (const toml::table* det = top.subtable("detect")) {
    Section d(det, "detect", source_name, line_of(det, 1));
    rt::EventTrackerConfig& e = r.detect;
    e.on_threshold = static_cast<float>(d.get_number("on_threshold", 0.5, 0.0, 1.0));
    e.off_threshold = static_cast<float>(d.get_number("off_threshold", e.on_threshold, 0.0, 1.0));
    if (e.off_threshold > e.on_threshold) d.fail("off_threshold", "must not exceed on_threshold (hysteresis)");
    e.max_gap = d.get_int("max_gap", 0, 0, 1 << 20);
    e.min_windows = d.get_int("min_windows", 1, 1, 1 << 20);
    d.finish();
  }
  top.finish(kLaterSections);
  return r;
}

Recipe load_recipe(const std::filesystem::path& path) {
  if (!std::filesystem::exists(path)) throw Error(path.string(), 0, "recipe file not found");
  Recipe r = parse_recipe(read_text_file(path), path.string());
  r.path = path;
  return r;
}

}  // namespace earshot
