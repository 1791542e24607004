// Training-speed benchmark of earshot's nn engine on the three seed models
// (recipes/beats.toml, bells.toml, chords.toml [model] and [train] sections),
// to compare with PyTorch eager and Keras (bench/peers/train_peers.py; run
// everything with bench/run_training.sh).
//
//   earshot_train_bench [--model beats|bells|chords|all] [--examples 20480]
//                       [--epochs 2] [--reps 3] [--warmup-batches 50]
//                       [--threads 1,2] [--json OUT.json]
//
// Per model: random in-memory data from a fixed seed (standard-normal inputs,
// valid one-hot / 0-1 labels), built outside the timed region; then per
// thread count in --threads (nn::TrainOptions::threads: the threads that run
// each step's two shards; the weights do not depend on it) one warm-up fit
// of --warmup-batches batches and --reps timed runs, each a fresh
// nn::Trainer::fit of --epochs epochs over all examples (shuffled every epoch,
// as Keras fit and the peers do; verbose 0; no validation). Only fit() is
// timed: shuffling, batch gathering, forward, loss, metrics (accuracy, as the
// recipes ask), backward and the optimizer step. Reports samples/second
// (median and best of the reps), process CPU time / wall time (1.0 = one busy
// core; more means another thread helped, less means the machine was
// contended), MACs per example (Model::macs()) and the achieved GFLOP/s with
// forward + backward counted as 3 x 2 x MACs.
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "earshot/nn/layer.h"
#include "earshot/nn/model.h"
#include "earshot/nn/rng.h"
#include "earshot/nn/train.h"

namespace {

namespace nn = earshot::nn;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

struct Case {
  std::string name;
  nn::ModelSpec spec;
  nn::TrainOptions train;  // batch size and optimizer as in the recipe
  size_t classes = 0;      // one-hot width; 0: one 0/1 target (binary)
  size_t indices = 0;      // > 0: inputs are indices in [0, indices) (one_hot_input), not normal values
};

// The [model] / [train] sections of the seed recipes, written out as the
// recipe loader (host/src/train/task_recipe.cc) builds them.
std::vector<Case> cases() {
  std::vector<Case> v;
  {
    Case c;
    c.name = "beats";
    c.spec.input = {500};
    c.spec.trunk = {
        {{"type", "dense"}, {"units", 125}, {"activation", "relu"}},
        {{"type", "dense"}, {"units", 4}, {"activation", "softmax"}},
    };
    nn::HeadSpec h;
    h.loss = "categorical_crossentropy";
    h.metrics = {"accuracy"};
    c.spec.heads = {h};
    c.train.batch_size = 40;
    c.train.optimizer.kind = "adam";  // Keras defaults: lr 1e-3, betas 0.9/0.999, eps 1e-7
    c.classes = 4;
    v.push_back(c);
  }
  {
    Case c;
    c.name = "bells";
    c.spec.input = {32, 48};
    c.spec.trunk = {
        {{"type", "conv1d"}, {"filters", 8}, {"kernel_size", 3}, {"activation", "relu"}},
        {{"type", "conv1d"}, {"filters", 8}, {"kernel_size", 3}, {"activation", "relu"}},
        {{"type", "flatten"}},
        {{"type", "dense"}, {"units", 1}, {"activation", "sigmoid"}},
    };
    nn::HeadSpec h;
    h.loss = "binary_crossentropy";
    h.metrics = {"accuracy"};
    c.spec.heads = {h};
    c.train.batch_size = 128;
    c.train.optimizer.kind = "adam";
    c.classes = 0;
    v.push_back(c);
  }
  {
    Case c;
    c.name = "chords";
    c.spec.input = {36, 3, 1};
    c.spec.trunk = {
        {{"type", "conv2d"}, {"filters", 8}, {"kernel_size", {5, 3}}, {"padding", "valid"}, {"use_bias", false}},
        {{"type", "global_max_pool2d"}},
        {{"type", "activation"}, {"activation", "relu"}},
        {{"type", "dense"}, {"units", 2}},
        {{"type", "activation"}, {"activation", "softmax"}},
    };
    nn::HeadSpec h;
    h.loss = "categorical_crossentropy";
    h.metrics = {"accuracy"};
    c.spec.heads = {h};
    c.train.batch_size = 128;
    c.train.optimizer.kind = "sgd";
    c.train.optimizer.learning_rate = 0.01;
    c.train.optimizer.momentum = 0.9;
    c.train.optimizer.nesterov = true;
    c.train.optimizer.decay = 1e-6;
    c.classes = 2;
    v.push_back(c);
  }
  // Seed 003: 10,000 steps of 16 levels (indices), the seed's three models,
  // MSE and plain SGD lr 0.01, batch 16.
  const auto author = [&](const char* name, std::vector<nlohmann::json> front) {
    Case c;
    c.name = name;
    c.spec.input = {10000};
    c.spec.trunk = std::move(front);
    c.spec.trunk.push_back({{"type", "flatten"}});
    c.spec.trunk.push_back({{"type", "dense"},
                            {"units", 64},
                            {"activation", "relu"},
                            {"one_hot_input", c.spec.trunk.size() == 1 ? 16 : 0}});
    c.spec.trunk.push_back({{"type", "dropout"}, {"rate", 0.5}});
    c.spec.trunk.push_back({{"type", "dense"}, {"units", 2}, {"activation", "softmax"}});
    nn::HeadSpec h;
    h.loss = "mse";
    h.metrics = {"accuracy"};
    c.spec.heads = {h};
    c.train.batch_size = 16;
    c.train.optimizer.kind = "sgd";
    c.train.optimizer.learning_rate = 0.01;
    c.classes = 2;
    c.indices = 16;
    v.push_back(c);
  };
  author("author_ff", {});
  author("author_rnn", {{{"type", "simple_rnn"}, {"units", 1}, {"return_sequences", true}, {"one_hot_input", 16}}});
  author("author_gru",
         {{{"type", "gru"}, {"units", 1}, {"return_sequences", true}, {"reset_after", false}, {"one_hot_input", 16}}});
  return v;
}

nn::Dataset make_data(const Case& c, size_t n, uint64_t seed) {
  nn::Rng rng(seed);
  nn::Dataset d;
  d.example = c.spec.input;
  d.n = n;
  const size_t per = nn::numel(d.example);
  d.x.resize(n * per);
  for (float& x : d.x) x = c.indices > 0 ? static_cast<float>(rng.below(c.indices)) : static_cast<float>(rng.normal());
  const size_t k = c.classes == 0 ? 1 : c.classes;
  d.targets = {nn::Shape{k}};
  d.y.assign(1, std::vector<float>(n * k, 0.0f));
  for (size_t i = 0; i < n; ++i) {
    const size_t label = static_cast<size_t>(rng.below(c.classes == 0 ? 2 : c.classes));
    if (c.classes == 0) d.y[0][i] = static_cast<float>(label);
    else d.y[0][i * k + label] = 1.0f;
  }
  return d;
}

double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

[[noreturn]] void usage(const char* msg) {
  std::fprintf(stderr,
               "error: %s\nusage: earshot_train_bench [--model beats|bells|chords|all] [--examples N] "
               "[--epochs E] [--reps R] [--warmup-batches W] [--threads 1,2] [--json OUT.json]\n",
               msg);
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  std::string which = "all", json_out;
  size_t examples = 20480;
  int epochs = 2, reps = 3, warmup = 50;
  std::vector<int> thread_counts = {1, 2};
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage(("missing value after " + a).c_str());
      return argv[++i];
    };
    if (a == "--model") which = value();
    else if (a == "--examples") examples = std::stoul(value());
    else if (a == "--epochs") epochs = std::stoi(value());
    else if (a == "--reps") reps = std::stoi(value());
    else if (a == "--warmup-batches") warmup = std::stoi(value());
    else if (a == "--json") json_out = value();
    else if (a == "--threads") {
      thread_counts.clear();
      std::stringstream list(value());
      for (std::string t; std::getline(list, t, ',');) thread_counts.push_back(std::stoi(t));
    } else if (a == "-h" || a == "--help") usage("help");
    else usage(("unknown argument " + a).c_str());
  }
  if (examples == 0 || epochs < 1 || reps < 1 || warmup < 0 || thread_counts.empty()) usage("bad numbers");
  for (int t : thread_counts)
    if (t < 1) usage("thread counts must be >= 1");

#ifdef _OPENMP
  const bool openmp = true;
#else
  const bool openmp = false;
#endif
  std::printf("earshot training benchmark: %zu examples, %d epochs per run, %d timed runs, %d warm-up batches\n",
              examples, epochs, reps, warmup);
  std::printf(
      "Eigen %d.%d.%d, SIMD: %s, Eigen threads: %d (%s); trainer threads per run: given by --threads, "
      "%d shards per step\n",
      EIGEN_WORLD_VERSION, EIGEN_MAJOR_VERSION, EIGEN_MINOR_VERSION, Eigen::SimdInstructionSetsInUse(),
      Eigen::nbThreads(), openmp ? "built with OpenMP" : "no OpenMP: GEMMs single-threaded", nn::kTrainShards);
  std::printf("training kernels: %s (chosen at run time; EARSHOT_ISA=portable forces the x86-64 baseline)\n",
              nn::kernel_isa());

  json results = json::array();
  bool any = false;
  for (const Case& c : cases()) {
    if (which != "all" && which != c.name) continue;
    any = true;
    const nn::Dataset data = make_data(c, examples, 12345);
    nn::Model<float> model(c.spec, 1);
    const size_t macs = model.macs();

    for (int threads : thread_counts) {
      nn::TrainOptions opt = c.train;
      opt.shuffle = true;
      opt.verbose = 0;
      opt.seed = 1;
      opt.keep_best = false;
      opt.threads = threads;
      if (warmup > 0) {
        nn::TrainOptions w = opt;
        w.epochs = 1;
        w.steps_per_epoch = warmup;
        nn::Trainer(model, w).fit(&data, nullptr, nullptr, nullptr);
      }
      opt.epochs = epochs;
      const size_t bs = static_cast<size_t>(opt.batch_size);
      const size_t batches = static_cast<size_t>(epochs) * ((examples + bs - 1) / bs);
      const double samples = static_cast<double>(examples) * epochs;

      std::vector<double> rates, ratios;
      double last_loss = 0.0, last_acc = 0.0;
      int shards = 0, used = 0;
      for (int r = 0; r < reps; ++r) {
        opt.seed = static_cast<uint64_t>(r + 1);
        nn::Trainer trainer(model, opt);
        shards = trainer.shards();
        used = trainer.threads();
        const double c0 = cpu_seconds();
        const auto t0 = Clock::now();
        const nn::TrainState st = trainer.fit(&data, nullptr, nullptr, nullptr);
        const double wall = std::chrono::duration<double>(Clock::now() - t0).count();
        const double cpu = cpu_seconds() - c0;
        rates.push_back(samples / wall);
        ratios.push_back(cpu / wall);
        last_loss = st.history.back().values.at("loss");
        last_acc = st.history.back().values.count("accuracy") ? st.history.back().values.at("accuracy") : 0.0;
      }
      std::vector<double> sorted = rates;
      std::sort(sorted.begin(), sorted.end());
      const double median = sorted[sorted.size() / 2];
      const double best = sorted.back();
      std::vector<double> sr = ratios;
      std::sort(sr.begin(), sr.end());
      const double cpu_ratio = sr[sr.size() / 2];
      const double gflops = 6.0 * static_cast<double>(macs) * median / 1e9;
      std::printf(
          "%-7s %dT batch %4zu  %5zu batches/run  MACs/example %7zu  %10.0f samples/s (median; best %.0f)  "
          "cpu/wall %.2f  %.3f GFLOP/s  last loss %.4f acc %.3f\n",
          c.name.c_str(), used, bs, batches, macs, median, best, cpu_ratio, gflops, last_loss, last_acc);
      std::fflush(stdout);
      results.push_back({{"peer", "earshot"},
                         {"model", c.name},
                         {"threads", used},
                         {"threads_asked", threads},
                         {"shards", shards},
                         {"kernels", nn::kernel_isa()},
                         {"batch_size", bs},
                         {"examples", examples},
                         {"epochs", epochs},
                         {"batches", batches},
                         {"shuffle", true},
                         {"macs_per_example", macs},
                         {"samples_per_second", median},
                         {"samples_per_second_best", best},
                         {"samples_per_second_all", rates},
                         {"cpu_over_wall", cpu_ratio},
                         {"gflops", gflops},
                         {"last_loss", last_loss}});
    }
  }
  if (!any) usage(("unknown model " + which).c_str());
  if (!json_out.empty()) {
    std::ofstream f(json_out);
    f << results.dump(2) << "\n";
    if (!f) {
      std::fprintf(stderr, "error: cannot write %s\n", json_out.c_str());
      return 1;
    }
  }
  return 0;
}
