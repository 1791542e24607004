// [model], [train] and [data] sections of a recipe.
#include <toml++/toml.h>

#include "../recipe/toml_section.h"
#include "earshot/data_sources.h"
#include "earshot/error.h"
#include "earshot/nn/layer.h"
#include "earshot/task.h"

namespace earshot {

using detail::Section;

namespace {

int line_of(const toml::node* n, int fallback) {
  return n != nullptr ? static_cast<int>(n->source().begin.line) : fallback;
}

std::vector<nlohmann::json> layer_list(const toml::table* t, const std::string& key, const std::string& file,
                                       const std::string& section) {
  std::vector<nlohmann::json> out;
  const toml::node* n = t != nullptr ? t->get(key) : nullptr;
  if (n == nullptr) return out;
  const toml::array* a = n->as_array();
  if (a == nullptr) {
    throw Error(
        file, line_of(n, 0),
        "[" + section + "] " + key + ": expected an array of layer tables, e.g. [{ type = \"dense\", units = 4 }]");
  }
  int i = 0;
  for (const toml::node& e : *a) {
    ++i;
    if (!e.is_table()) {
      throw Error(file, line_of(&e, line_of(n, 0)),
                  "[" + section + "] " + key + " entry " + std::to_string(i) + ": expected a table { type = ... }");
    }
    nlohmann::json j = detail::to_json(e);  // layer configs as JSON, for the layer factory
    // Check it now, so a typo is reported at its line in the recipe.
    const std::string where = file + ":" + std::to_string(line_of(&e, line_of(n, 0))) + ": [" + section + "] " + key +
                              " entry " + std::to_string(i);
    (void)nn::make_layer<float>(j, where);
    out.push_back(std::move(j));
  }
  return out;
}

// [data] source: one of the registered sources a recipe can train from.
const DataSource& data_source(Section& d) {
  const std::string name = d.get_string("source", "folder");
  const DataSource* s = find_data_source(name);
  if (s != nullptr && s->feed == DataFeed::kNone) {
    d.fail("source", "\"" + name + "\" only writes dataset folders: earshot generate " + name +
                         " --out DIR, then train on DIR with source = \"folder\"");
  }
  if (s == nullptr) {
    std::string valid;
    for (const std::string& n : training_source_names()) valid += (valid.empty() ? "\"" : ", \"") + n + "\"";
    d.fail("source", "expected one of " + valid + ", got \"" + name + "\"");
  }
  return *s;
}

// A [data] key that another source takes is an error naming that source.
void reject_other_sources_keys(const Section& d, const DataSource& chosen) {
  for (const DataSource* other : data_sources()) {
    for (const ParamDesc& p : other->params) {
      if (!d.has(p.key) || find_param(chosen.params, p.key) != nullptr) continue;
      std::string takers;
      for (const DataSource* s : data_sources()) {
        if (find_param(s->params, p.key) != nullptr)
          takers += (takers.empty() ? "\"" : " or \"") + std::string(s->name) + "\"";
      }
      d.fail(p.key, "only source = " + takers + " takes this key; this recipe's source is \"" + chosen.name + "\"");
    }
  }
}

}  // namespace

TrainRecipe parse_train_recipe(const Recipe& recipe) {
  const std::string file = recipe.path.string();
  toml::table root;
  try {
    root = toml::parse(recipe.text, file);
  } catch (const toml::parse_error& e) {
    throw Error(file, static_cast<int>(e.source().begin.line), "TOML syntax error: " + std::string(e.description()));
  }
  TrainRecipe tr;
  const toml::table* model = root["model"].as_table();
  if (model == nullptr) throw Error(file, 1, "missing [model] section: a recipe needs layers to train");
  Section m(model, "model", file, line_of(model, 1));
  tr.model.trunk = layer_list(model, "layers", file, "model");
  const std::string loss = m.get_choice(
      "loss", "categorical_crossentropy",
      {"binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy", "mse", "mae"});
  const bool from_logits = m.get_bool("from_logits", false);
  // "sum": the loss is summed over the batch instead of averaged (EpyNN).
  const bool sum_over_batch = m.get_choice("reduction", "mean", {"mean", "sum"}) == "sum";
  const std::vector<std::string> metrics =
      m.has("metrics") ? m.get_strings("metrics") : std::vector<std::string>{"accuracy"};
  for (const std::string& x : metrics) {
    if (x != "accuracy" && x != "mae")
      m.fail("metrics", "unknown metric \"" + x + "\"; expected \"accuracy\" or \"mae\"");
  }
  tr.class_names = m.get_strings("classes");
  const toml::node* heads = model->get("heads");
  if (heads != nullptr) {
    const toml::array* ha = heads->as_array();
    if (ha == nullptr) m.fail("heads", "expected [[model.heads]] tables");
    for (const toml::node& hn : *ha) {
      const toml::table* ht = hn.as_table();
      if (ht == nullptr) m.fail("heads", "expected [[model.heads]] tables");
      Section h(ht, "model.heads", file, line_of(ht, 0));
      nn::HeadSpec hs;
      hs.name = h.get_string("name", "");
      if (hs.name.empty()) h.fail("name", "every head needs a name");
      hs.layers = layer_list(ht, "layers", file, "model.heads");
      hs.loss = h.get_choice(
          "loss", loss,
          {"binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy", "mse", "mae"});
      hs.from_logits = h.get_bool("from_logits", from_logits);
      hs.sum_over_batch = h.get_choice("reduction", sum_over_batch ? "sum" : "mean", {"mean", "sum"}) == "sum";
      hs.weight = h.get_number("weight", 1.0, 0.0, 1e6);
      hs.metrics = h.has("metrics") ? h.get_strings("metrics") : metrics;
      h.finish({"layers"});
      tr.model.heads.push_back(std::move(hs));
    }
  } else {
    nn::HeadSpec hs;
    hs.loss = loss;
    hs.from_logits = from_logits;
    hs.sum_over_batch = sum_over_batch;
    hs.metrics = metrics;
    tr.model.heads.push_back(std::move(hs));
  }
  m.finish({"layers", "heads"});
  if (tr.model.trunk.empty() && tr.model.heads.size() == 1 && tr.model.heads[0].layers.empty()) {
    m.fail("layers", "the model has no layers");
  }

  const toml::table* train = root["train"].as_table();
  Section t(train, "train", file, line_of(train, 1));
  nn::TrainOptions& o = tr.train;
  o.epochs = t.get_int("epochs", 10, 1, 1000000);
  o.batch_size = t.get_int("batch_size", 32, 1, 1 << 20);
  o.shuffle = t.get_bool("shuffle", true);
  o.steps_per_epoch = t.get_int("steps_per_epoch", 0, 0, 1 << 30);
  o.validation_steps = t.get_int("validation_steps", 0, 0, 1 << 30);
  o.seed = static_cast<uint64_t>(t.get_number("seed", 1, 0, 9.0e15));
  o.keep_best = t.get_bool("keep_best", true);
  o.stop_on_nan = t.get_bool("stop_on_nan", true);
  nn::OptimizerSpec& os = o.optimizer;
  os.kind = t.get_choice("optimizer", "adam", {"adam", "sgd", "rmsprop"});
  os.learning_rate = t.get_number("learning_rate", os.kind == "sgd" ? 0.01 : 0.001, 0.0, 1e3);
  os.momentum = t.get_number("momentum", 0.0, 0.0, 1.0);
  os.nesterov = t.get_bool("nesterov", false);
  os.decay = t.get_number("decay", 0.0, 0.0, 1e3);
  os.beta_1 = t.get_number("beta_1", 0.9, 0.0, 1.0);
  os.beta_2 = t.get_number("beta_2", 0.999, 0.0, 1.0);
  os.epsilon = t.get_number("epsilon", 1e-7, 0.0, 1.0);
  os.rho = t.get_number("rho", 0.9, 0.0, 1.0);
  os.clipnorm = t.get_number("clipnorm", 0.0, 0.0, 1e9);
  os.clipvalue = t.get_number("clipvalue", 0.0, 0.0, 1e9);
  os.global_clipnorm = t.get_number("global_clipnorm", 0.0, 0.0, 1e9);
  if (const toml::table* es = t.subtable("early_stopping")) {
    Section e(es, "train.early_stopping", file, line_of(es, 0));
    o.early_stopping.monitor = e.get_string("monitor", "val_loss");
    o.early_stopping.patience = e.get_int("patience", 0, 0, 1000000);
    o.early_stopping.min_delta = e.get_number("min_delta", 0.0, 0.0, 1e9);
    o.early_stopping.restore_best = e.get_bool("restore_best", true);
    e.finish();
  }
  o.early_stopping.monitor = t.get_string("monitor", o.early_stopping.monitor);
  t.finish();

  const toml::table* data = root["data"].as_table();
  Section d(data, "data", file, line_of(data, 1));
  DataSpec& ds = tr.data;
  ds.source = &data_source(d);
  ds.params = Params(&ds.source->params, d.get_params(ds.source->params));
  if (ds.source->check != nullptr) {
    if (const KeyProblem e = ds.source->check(ds.params); !e.what.empty()) d.fail(e.key, e.what);
  }
  ds.class_weight = d.get_choice("class_weight", "none", {"none", "balanced", "sqrt_ratio", "explicit"});
  for (float w : d.get_floats("class_weights")) ds.class_weights.push_back(w);
  if (ds.class_weight == "explicit" && ds.class_weights.empty()) {
    d.fail("class_weights", "class_weight = \"explicit\" needs class_weights = [w0, w1, ...]");
  }
  tr.target = d.get_choice("target", "onehot", {"onehot", "sparse"});
  reject_other_sources_keys(d, *ds.source);
  d.finish();
  if (ds.source->feed == DataFeed::kStream && o.steps_per_epoch < 1) {
    t.fail("steps_per_epoch", "a generator source (" + std::string(ds.source->name) + ") needs steps_per_epoch >= 1");
  }
  return tr;
}

}  // namespace earshot
