#include "earshot/pipeline.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "earshot/error.h"
#include "earshot/fileio.h"
#include "earshot/labels.h"

namespace earshot {

Pipeline::Pipeline(Recipe recipe) : recipe_(std::move(recipe)) { reset_extractor(); }

void Pipeline::reset_extractor() {
  raw_.reset();
  if (recipe_.source == FeatureSource::kFrames) {
    rt::FrontendConfig c = recipe_.frontend;
    c.norm = rt::NormMode::kNone;
    raw_ = std::make_unique<FeatureExtractor>(c);
    const NormalizeSpec& n = recipe_.normalize;
    if (n.mode == rt::NormMode::kPerBin && !n.mean_per_bin.empty() &&
        n.mean_per_bin.size() != static_cast<size_t>(raw_->feature_size())) {
      throw Error(recipe_.path.string(), 0,
                  "[features.normalize] has " + std::to_string(n.mean_per_bin.size()) +
                      " per-bin values but the features have " + std::to_string(raw_->feature_size()) + " bins");
    }
  }
}

FeatureMatrix Pipeline::raw_frames(const std::vector<float>& samples, int threads) const {
  if (!raw_) throw Error(recipe_.path.string(), 0, "this recipe's features are not frame based");
  return raw_->run(samples, threads);
}

FeatureMatrix Pipeline::frames(const std::vector<float>& samples, int threads) const {
  FeatureMatrix m = raw_frames(samples, threads);
  const rt::FrontendConfig cfg = recipe_.frontend_config();
  const rt::Status s = rt::normalize_features(cfg, m.data.data(), m.frames, m.features);
  if (!rt::ok(s)) throw_status(s, "feature normalisation");
  return m;
}

void Pipeline::fit_normalization(const std::vector<std::vector<float>>& signals, int threads) {
  NormalizeSpec& n = recipe_.normalize;
  if (!n.fit || n.mode == rt::NormMode::kNone || !raw_) return;
  const size_t f = static_cast<size_t>(raw_->feature_size());
  std::vector<double> sum(f, 0.0), sum2(f, 0.0);
  size_t frames = 0;
  for (const auto& x : signals) {
    const FeatureMatrix m = raw_->run(x, threads);
    for (size_t t = 0; t < m.frames; ++t) {
      for (size_t i = 0; i < f; ++i) {
        const double v = m.data[t * f + i];
        sum[i] += v;
        sum2[i] += v * v;
      }
    }
    frames += m.frames;
  }
  if (frames == 0) throw Error(recipe_.path.string(), 0, "cannot fit normalisation: no frames in the data");
  auto stdev = [](double s, double s2, double count) {
    const double mean = s / count;
    const double var = std::max(s2 / count - mean * mean, 0.0);
    return std::max(std::sqrt(var), 1e-6);
  };
  if (n.mode == rt::NormMode::kScalar) {
    double s = 0.0, s2 = 0.0;
    for (size_t i = 0; i < f; ++i) {
      s += sum[i];
      s2 += sum2[i];
    }
    const double count = static_cast<double>(frames * f);
    n.mean = static_cast<float>(s / count);
    n.std = static_cast<float>(stdev(s, s2, count));
  } else {
    n.mean_per_bin.assign(f, 0.0f);
    n.std_per_bin.assign(f, 1.0f);
    for (size_t i = 0; i < f; ++i) {
      n.mean_per_bin[i] = static_cast<float>(sum[i] / frames);
      n.std_per_bin[i] = static_cast<float>(stdev(sum[i], sum2[i], static_cast<double>(frames)));
    }
  }
  n.fit = false;  // fitted: frontend_config() now applies it
}

std::vector<size_t> Pipeline::example_shape() const {
  const Recipe& r = recipe_;
  switch (r.source) {
    case FeatureSource::kBeats: return {static_cast<size_t>(r.beats.n_bins)};
    case FeatureSource::kDigitized: {
      const size_t t = r.digitize.clip_samples;
      if (r.digitize.one_hot) return {t, static_cast<size_t>(r.digitize.levels)};
      return {t};
    }
    case FeatureSource::kFrames:
      if (r.has_windows) return {static_cast<size_t>(r.windows.window), static_cast<size_t>(raw_->feature_size())};
      return {0, static_cast<size_t>(raw_->feature_size())};  // variable length
  }
  return {};
}

namespace {

void apply_window_norm(const WindowNorm& wn, float* x, size_t n) {
  if (wn.db_ref != rt::DbRef::kNone || wn.top_db > 0.0f) {
    const rt::Status s = rt::db_rereference(x, n, wn.db_ref, wn.top_db);
    if (!rt::ok(s)) throw_status(s, "window dB reference");
  }
  if (wn.scale_to_max) {
    const rt::Status s = rt::divide_by_max(x, n);
    if (!rt::ok(s)) throw_status(s, "window scaling");
  }
}

}  // namespace

Examples Pipeline::examples_from_audio(const std::vector<float>& samples, const std::vector<Label>* labels,
                                       int threads) const {
  const Recipe& r = recipe_;
  Examples ex;
  if (r.source == FeatureSource::kDigitized) {
    float lo = 0.0f, hi = 0.0f;
    if (!samples.empty()) {
      const auto [mn, mx] = std::minmax_element(samples.begin(), samples.end());
      lo = *mn;
      hi = *mx;
    }
    return digitized(samples, lo, hi);
  }
  if (r.source != FeatureSource::kFrames) throw Error(r.path.string(), 0, "beat recipes take hit files, not audio");

  FeatureMatrix m = frames(samples, threads);
  if (!r.has_windows) {
    ex.shape = {1, m.frames, m.features};
    ex.x = std::move(m.data);
    apply_window_norm(r.window_norm, ex.x.data(), ex.x.size());
    return ex;
  }
  const size_t n = make_windows(m.data, m.frames, m.features, r.windows, ex.x);
  ex.shape = {n, static_cast<size_t>(r.windows.window), m.features};
  const size_t per = static_cast<size_t>(r.windows.window) * m.features;
  for (size_t w = 0; w < n; ++w) apply_window_norm(r.window_norm, ex.x.data() + w * per, per);
  if (labels != nullptr) ex.y = window_labels(n, r.windows, *labels);
  return ex;
}

namespace {

// 16-bit PCM of a sample read as int / 32768 (exact for 16-bit files):
// round(x * 32768) clamped, as write_wav16 stores it.
int16_t to_s16(float x) {
  const double v = std::nearbyint(static_cast<double>(x) * 32768.0);
  return static_cast<int16_t>(v < -32768.0 ? -32768.0 : v > 32767.0 ? 32767.0 : v);
}

}  // namespace

Examples Pipeline::digitized(const std::vector<float>& samples, float lo, float hi) const {
  const Recipe& r = recipe_;
  const DigitizeSpec& d = r.digitize;
  Examples ex;
  const size_t clip = d.clip_samples;
  const size_t clips = clip == 0 ? 0 : samples.size() / clip;
  const size_t levels = static_cast<size_t>(d.levels);
  const size_t per = d.one_hot ? clip * levels : clip;
  ex.shape = example_shape();
  ex.shape.insert(ex.shape.begin(), clips);
  ex.x.resize(clips * per);
  std::vector<uint8_t> codes(clip);
  std::vector<int16_t> pcm(d.range == DigitizeRange::kFixed ? clip : 0);
  for (size_t c = 0; c < clips; ++c) {
    const float* x = samples.data() + c * clip;
    rt::Status s = rt::Status::kOk;
    switch (d.range) {
      case DigitizeRange::kClip: s = rt::minmax_digitize(x, clip, d.levels, d.rule, codes.data()); break;
      case DigitizeRange::kFile: s = rt::range_digitize(x, clip, lo, hi, d.levels, d.rule, codes.data()); break;
      case DigitizeRange::kFixed:
        for (size_t i = 0; i < clip; ++i) pcm[i] = to_s16(x[i]);
        s = rt::fixed_digitize_s16(pcm.data(), clip, d.levels, d.rule, codes.data());
        break;
    }
    if (!rt::ok(s)) throw_status(s, "digitize");
    float* dst = ex.x.data() + c * per;
    if (d.one_hot) {
      s = rt::one_hot(codes.data(), clip, d.levels, dst);
      if (!rt::ok(s)) throw_status(s, "one-hot");
    } else {
      for (size_t i = 0; i < clip; ++i) dst[i] = codes[i];
    }
  }
  return ex;
}

std::string Pipeline::rate_problem(int rate) const {
  const Recipe& r = recipe_;
  if (rate <= 0) return "sample rate " + std::to_string(rate) + " Hz";
  if (r.source != FeatureSource::kDigitized || r.digitize.rate_reduction != RateReduction::kDecimate) return "";
  if (rate % r.sample_rate != 0) {
    return "is at " + std::to_string(rate) + " Hz, not a whole multiple of the recipe's " +
           std::to_string(r.sample_rate) +
           " Hz: rate_reduction = \"decimate\" keeps every k-th sample (set "
           "[audio] sample_rate to the file rate / k, or rate_reduction = \"resample\")";
  }
  return "";
}

size_t Pipeline::reduced_length(long long frames, int rate) const {
  const Recipe& r = recipe_;
  if (frames <= 0 || !rate_problem(rate).empty()) return 0;
  const auto n = static_cast<unsigned long long>(frames);
  if (r.digitize.rate_reduction == RateReduction::kDecimate) {
    const auto k = static_cast<unsigned long long>(rate / r.sample_rate);
    return static_cast<size_t>((n + k - 1) / k);
  }
  return static_cast<size_t>(std::llround(static_cast<double>(n) * r.sample_rate / rate));
}

size_t Pipeline::clip_count(long long frames, int rate) const {
  const size_t clip = recipe_.digitize.clip_samples;
  return clip == 0 ? 0 : reduced_length(frames, rate) / clip;
}

std::vector<float> Pipeline::reduce_rate(const Audio& audio, const std::string& where) const {
  const Recipe& r = recipe_;
  const std::string problem = rate_problem(audio.sample_rate);
  if (!problem.empty()) throw Error(where, 0, problem);
  if (audio.sample_rate == r.sample_rate) return audio.samples;
  if (r.source == FeatureSource::kDigitized && r.digitize.rate_reduction == RateReduction::kDecimate) {
    const size_t k = static_cast<size_t>(audio.sample_rate / r.sample_rate);
    std::vector<float> y((audio.samples.size() + k - 1) / k);
    for (size_t i = 0; i < y.size(); ++i) y[i] = audio.samples[i * k];
    return y;
  }
  return resample(audio.samples, audio.sample_rate, r.sample_rate);
}

Examples Pipeline::examples_from_recording(const Audio& audio, const std::string& where) const {
  const Recipe& r = recipe_;
  if (r.source != FeatureSource::kDigitized) throw Error(where, 0, "examples_from_recording: not a digitized recipe");
  float lo = 0.0f, hi = 0.0f;
  if (!audio.samples.empty()) {
    const auto [mn, mx] = std::minmax_element(audio.samples.begin(), audio.samples.end());
    lo = *mn;
    hi = *mx;
  }
  return digitized(reduce_rate(audio, where), lo, hi);
}

Examples Pipeline::examples(const Recording& rec, int threads) const {
  if (recipe_.source == FeatureSource::kDigitized) {
    return examples_from_recording(read_audio(rec.audio), rec.audio.string());
  }
  const Audio audio = read_audio(rec.audio, recipe_.sample_rate);
  std::vector<Label> labels;
  const bool labelled = rec.has_labels();
  if (labelled) {
    labels = read_labels(rec.labels);
  } else if (recipe_.unlabeled == UnlabeledPolicy::kError && recipe_.has_windows) {
    throw Error(rec.audio.string(), 0,
                "recording has no label file (label_" + rec.id +
                    ".txt); add one, or set "
                    "[dataset] unlabeled = \"negative\" to treat it as all-negative");
  }
  return examples_from_audio(audio.samples, recipe_.has_windows ? &labels : nullptr, threads);
}

std::vector<rt::Hit> read_hits(const std::filesystem::path& path) {
  const std::string text = read_text_file(path);
  std::istringstream in(text);
  std::string line;
  std::vector<rt::Hit> hits;
  int lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const size_t hash = line.find('#');
    if (hash != std::string::npos) line.resize(hash);
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    std::istringstream fields(line);
    double t = 0.0;
    int strength = -1;
    std::string extra;
    if (!(fields >> t >> strength) || (fields >> extra)) {
      throw Error(path.string(), lineno, "expected \"time_ms strength\" (strength 0 or 1), got \"" + line + "\"");
    }
    if (!std::isfinite(t)) throw Error(path.string(), lineno, "hit time is not a finite number");
    if (strength != 0 && strength != 1) {
      throw Error(path.string(), lineno, "strength must be 0 (soft) or 1 (loud), got " + std::to_string(strength));
    }
    hits.push_back({static_cast<float>(t), static_cast<uint8_t>(strength)});
  }
  return hits;
}

}  // namespace earshot
