// model.h (earshot export --format c) must tell a TFLite Micro user the whole
// feature pipeline: this test rebuilds an rt::FrontendConfig from nothing but
// the #defines of the generated header and requires the runtime frontend to
// give the recipe's features bit for bit (frame length, window, bins or mel
// or CQT settings, compression, normalisation), and the layout to match the
// model's input.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <random>
#include <regex>
#include <sstream>

#include "earshot/deploy/convert.h"
#include "earshot/deploy/report.h"
#include "earshot/features.h"
#include "earshot/recipe.h"

namespace earshot {
namespace {

std::map<std::string, std::string> defines(const std::string& header) {
  std::map<std::string, std::string> d;
  std::istringstream in(header);
  std::string line;
  const std::regex re(R"(^#define (\w+) +("[^"]*"|\S+))");
  std::smatch m;
  while (std::getline(in, line)) {
    if (std::regex_search(line, m, re)) {
      std::string v = m[2];
      if (v.size() > 1 && v.front() == '"') v = v.substr(1, v.size() - 2);
      if (v.size() > 1 && v.back() == 'f' && v.find_first_of("0123456789") == 0) v.pop_back();
      d[m[1]] = v;
    }
  }
  return d;
}

// Only what a C programmer reading model.h would know.
rt::FrontendConfig from_header(const std::map<std::string, std::string>& d, std::vector<float>& mean,
                               std::vector<float>& stdev) {
  auto num = [&](const char* k) { return std::stod(d.at(k)); };
  auto has = [&](const char* k) { return d.count(k) > 0; };
  rt::FrontendConfig c;
  const std::string kind = d.at("FEATURE_KIND");
  c.kind = kind == "spectrum" ? rt::FeatureKind::kSpectrum
           : kind == "mel"    ? rt::FeatureKind::kMel
           : kind == "mfcc"   ? rt::FeatureKind::kMfcc
                              : rt::FeatureKind::kCqt;
  c.sample_rate = static_cast<int>(num("SAMPLE_RATE"));
  c.frame_length = static_cast<int>(num("FRAME_SIZE"));
  c.frame_stride = static_cast<int>(num("FRAME_STRIDE"));
  c.center = num("FRAME_CENTER") != 0;
  if (has("WINDOW_KIND")) {
    const std::string w = d.at("WINDOW_KIND");
    c.window = w == "hann" ? rt::WindowKind::kHann : w == "rect" ? rt::WindowKind::kRect : rt::WindowKind::kHamming;
    c.window_periodic = num("WINDOW_PERIODIC") != 0;
    c.subtract_mean = num("SUBTRACT_MEAN") != 0;
  }
  c.power = static_cast<float>(num("POWER"));
  if (has("MIN_HZ")) c.min_hz = static_cast<float>(num("MIN_HZ")), c.max_hz = static_cast<float>(num("MAX_HZ"));
  if (has("N_MELS")) {
    c.n_mels = static_cast<int>(num("N_MELS"));
    c.fmin = static_cast<float>(num("MEL_FMIN"));
    c.fmax = static_cast<float>(num("MEL_FMAX"));
    c.mel_scale = d.at("MEL_SCALE") == "htk" ? rt::MelScale::kHtk : rt::MelScale::kSlaney;
    c.mel_norm = d.at("MEL_NORM") == "none" ? rt::MelNorm::kNone : rt::MelNorm::kSlaney;
  }
  if (has("N_MFCC")) c.n_mfcc = static_cast<int>(num("N_MFCC"));
  if (has("CQT_FMIN")) {
    c.cqt_fmin = static_cast<float>(num("CQT_FMIN"));
    c.cqt_bins = static_cast<int>(num("CQT_BINS"));
    c.bins_per_octave = static_cast<int>(num("CQT_BINS_PER_OCTAVE"));
    c.filter_scale = static_cast<float>(num("CQT_FILTER_SCALE"));
  }
  const std::string comp = d.at("COMPRESSION");
  c.compression = comp == "log1p" ? rt::Compression::kLog1p
                  : comp == "ln"  ? rt::Compression::kLn
                  : comp == "db"  ? rt::Compression::kDb
                                  : rt::Compression::kNone;
  if (has("AMIN")) c.amin = static_cast<float>(num("AMIN"));
  const std::string norm = d.at("NORMALIZE");
  if (norm == "scalar") {
    c.norm = rt::NormMode::kScalar;
    c.mean = static_cast<float>(num("FEATURE_MEAN"));
    c.std = static_cast<float>(num("FEATURE_STD"));
  } else if (norm == "per_bin") {
    c.norm = rt::NormMode::kPerBin;
    c.mean_per_bin = mean.data();
    c.std_per_bin = stdev.data();
  }
  return c;
}

void check_recipe(const std::string& text, const std::string& name, float mean = 0.25f, float stdev = 0.5f) {
  Recipe r = parse_recipe(text, name);
  // What training fits: a scalar or per-bin normalisation.
  const FrontendShape shape = frontend_shape(r.frontend_config());
  if (r.normalize.mode == rt::NormMode::kScalar) r.normalize.mean = mean, r.normalize.std = stdev;
  if (r.normalize.mode == rt::NormMode::kPerBin) {
    for (int i = 0; i < shape.feature_size; ++i) {
      r.normalize.mean_per_bin.push_back(0.1f * static_cast<float>(i));
      r.normalize.std_per_bin.push_back(1.0f + 0.01f * static_cast<float>(i));
    }
  }
  nn::ModelSpec spec;
  spec.input = {static_cast<size_t>(r.windows.window), static_cast<size_t>(shape.feature_size)};
  spec.trunk = {{{"type", "flatten"}}, {{"type", "dense"}, {"units", 2}}};
  spec.heads.emplace_back();
  nn::Model<float> model(spec, 1);
  const deploy::Graph g = deploy::lower(model, name);
  const std::string h = deploy::c_header(g, r, {"a", "b"}, 100, deploy::memory_report(g, r, 100));
  const auto d = defines(h);
  std::vector<float> mean_bins = r.normalize.mean_per_bin, std_bins = r.normalize.std_per_bin;
  const rt::FrontendConfig from_h = from_header(d, mean_bins, std_bins);
  EXPECT_EQ(std::stoi(d.at("FEATURES_PER_FRAME")), shape.feature_size) << name;
  EXPECT_EQ(std::stoi(d.at("WINDOW_SIZE")), r.windows.window) << name;
  EXPECT_EQ(d.at("INPUT_LAYOUT"), "frames_by_features") << name;
  std::mt19937 rng(2);
  std::normal_distribution<float> n(0.0f, 0.3f);
  std::vector<float> audio(static_cast<size_t>(r.sample_rate));
  for (float& v : audio) v = n(rng);
  const FeatureMatrix want = compute_features(r.frontend_config(), audio);
  const FeatureMatrix got = compute_features(from_h, audio);
  ASSERT_EQ(got.frames, want.frames) << name;
  ASSERT_EQ(got.features, want.features) << name;
  EXPECT_EQ(got.data, want.data) << name << ": model.h does not describe the recipe's frontend\n" << h;
}

TEST(ModelHeader, DescribesTheWholeFrontend) {
  std::ifstream bells(std::string(EARSHOT_TEST_DATA) + "/../recipes/bells.toml");
  std::stringstream ss;
  ss << bells.rdbuf();
  check_recipe(ss.str(), "bells.toml");
  const std::string common =
      "[windows]\nlength = 10\nstride = 2\n[dataset]\nunlabeled = \"negative\"\n[model]\nlayers = []\n";
  check_recipe(
      "name = \"m\"\n[audio]\nsample_rate = 16000\n[features]\nkind = \"mel\"\nframe_length = 512\n"
      "frame_stride = 160\ncenter = true\nwindow = \"hann\"\nwindow_periodic = true\npower = 2.0\nn_mels = 20\n"
      "fmin = 50.0\nfmax = 7000.0\nmel_scale = \"htk\"\ncompression = \"db\"\n[features.normalize]\n"
      "mode = \"per_bin\"\n" +
          common,
      "mel");
  check_recipe(
      "name = \"c\"\n[audio]\nsample_rate = 16000\n[features]\nkind = \"mfcc\"\nframe_length = 400\n"
      "frame_stride = 160\nn_mels = 26\nn_mfcc = 12\nmin_hz = 0\ncompression = \"ln\"\n" +
          common,
      "mfcc");
  check_recipe(
      "name = \"s\"\n[audio]\nsample_rate = 8000\n[features]\nkind = \"spectrum\"\nframe_length = 256\n"
      "frame_stride = 100\nwindow = \"rect\"\nmin_hz = 500\nmax_hz = 2500\ncompression = \"log1p\"\n"
      "[features.normalize]\nmode = \"scalar\"\n" +
          common,
      "spectrum band");
}

}  // namespace
}  // namespace earshot
