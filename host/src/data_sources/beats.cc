// The beats source (seed 000): hit lists from the seed's data_generator(),
// streamed as beat vectors while training, or written as hit files.
#include <cmath>
#include <cstdio>

#include "common.h"
#include "earshot/error.h"
#include "earshot/fileio.h"
#include "earshot/generators.h"

namespace earshot {
namespace {

namespace fs = std::filesystem;

// One fresh generator per batch seeded from the trainer's data RNG (so a
// checkpoint's RNG state resumes it).
class BeatSource : public nn::BatchSource {
 public:
  BeatSource(const Recipe& r, const Params& p) : recipe_(r) { opt_.seed_insert_bug = p.flag("seed_insert_bug"); }
  void next(size_t batch, nn::Rng& rng, nn::Batch& out) override {
    BeatGenerator gen(rng.next(), opt_);
    const size_t n = static_cast<size_t>(recipe_.beats.n_bins);
    out.x.resize({batch, n});
    out.y.resize(1);
    out.y[0].resize({batch});
    out.w.clear();
    for (size_t i = 0; i < batch; ++i) {
      const BeatExample e = gen.next();
      const rt::Status s =
          rt::beat_vector(recipe_.beats, e.hits.data(), e.hits.size(), out.x.data.data() + i * n, nullptr);
      if (!rt::ok(s)) throw_status(s, "beat vector");
      out.y[0].data[i] = static_cast<float>(e.label);
    }
  }

 private:
  const Recipe& recipe_;
  BeatOptions opt_;
};

TaskData load_beats(const Recipe& recipe, const TrainRecipe& tr, const fs::path& /*dir*/, int /*threads*/) {
  if (recipe.source != FeatureSource::kBeats) {
    throw Error(recipe.path.string(), 0, "[data] source = \"beats\" needs [features] kind = \"beats\"");
  }
  return detail::stream_task_data(std::make_unique<BeatSource>(recipe, tr.data.params),
                                  std::make_unique<BeatSource>(recipe, tr.data.params), 256, tr,
                                  {"class1", "class2", "class3", "class4"}, "seed-000 beat generator");
}

// hits_<k>.txt ("time_ms strength" lines after a comment) + labels.csv.
GenerateResult write_beats(const GenerateArgs& a) {
  const int count = static_cast<int>(a.options.integer("count"));
  const bool bug = a.options.flag("seed_insert_bug");
  fs::create_directories(a.out);
  BeatOptions bo;
  bo.seed_insert_bug = bug;
  BeatGenerator gen(a.seed, bo);
  std::map<std::string, int> classes = {{"class1", 0}, {"class2", 0}, {"class3", 0}, {"class4", 0}};
  std::map<std::string, int> variations = {{"1", 0}, {"2", 0}, {"3", 0}, {"4", 0}};
  std::string csv = "id,label\n";
  for (int k = 0; k < count; ++k) {
    const BeatExample ex = gen.next();
    const std::string name = "class" + std::to_string(ex.label + 1);
    ++classes[name];
    ++variations[std::to_string(ex.variation)];
    std::string text = "# " + name + ", variation " + std::to_string(ex.variation) + ", offset " +
                       std::to_string(ex.offset_ms) + " ms\n";
    for (const rt::Hit& h : ex.hits) {
      text += std::to_string(std::lround(h.time_ms)) + " " + std::to_string(int{h.strength}) + "\n";
    }
    write_text_file(a.out / ("hits_" + std::to_string(k) + ".txt"), text);
    csv += std::to_string(k) + "," + name + "\n";
  }
  write_text_file(a.out / "labels.csv", csv);
  GenerateResult r;
  r.warnings = detail::stale_files(a.out, "hits_", ".txt", count);
  r.summary = {{"task", "beats"},    {"out", a.out.string()},    {"seed", a.seed},
               {"count", count},     {"files", "hits_<k>.txt"},  {"labels", (a.out / "labels.csv").string()},
               {"classes", classes}, {"variations", variations}, {"seed_insert_bug", bug}};
  char line[512];
  std::snprintf(line, sizeof line, "%d examples -> %s/hits_<k>.txt + labels.csv (%s; seed %llu%s)", count,
                a.out.c_str(), detail::counts_text(classes).c_str(), static_cast<unsigned long long>(a.seed),
                bug ? ", seed insert bug" : "");
  r.line = line;
  return r;
}

// [data] key and generate option alike.
ParamDesc seed_insert_bug_param() {
  return ParamDesc::boolean("seed_insert_bug",
                            "Variation 4 as the seed notebook does it: the new hit is also appended once per "
                            "earlier hit")
      .def(false);
}

}  // namespace

const DataSource& beats_source() {
  static const DataSource s{
      .name = "beats",
      .doc =
          "Seed 000's beat patterns: hit lists (time, soft/loud) of four classes with the seed's four "
          "variations; needs `[features] kind = \"beats\"`.",
      .feed = DataFeed::kStream,
      .params = {seed_insert_bug_param(), detail::test_examples_param()},
      .load = &load_beats,
      .write = &write_beats,
      .writes = "`hits_<k>.txt` (\"time_ms strength\" lines) + `labels.csv` (class1..class4)",
      .generate_params = {ParamDesc::integer("count", 1, 1e7, "Examples to write").def(1000), seed_insert_bug_param()},
      .quick_options = {{"count", 20}},
  };
  return s;
}

}  // namespace earshot
