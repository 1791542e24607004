// Seed 003's three models as EpyNN runs them (recipes/author_ff.toml,
// author_rnn.toml, author_gru.toml; docs/epynn_notes.md): what makes them
// match EpyNN is pinned here, so an edit cannot change the match silently.
// bench/run_author.sh trains them beside EpyNN and PyTorch.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "earshot/data_sources.h"
#include "earshot/nn/model.h"
#include "earshot/recipe.h"
#include "earshot/task.h"

namespace earshot {
namespace {

namespace fs = std::filesystem;
const fs::path kAuthorRecipes = fs::path(EARSHOT_TEST_DATA) / ".." / "recipes";

TrainRecipe train_recipe(const std::string& file, Recipe* recipe) {
  *recipe = load_recipe(kAuthorRecipes / file);
  return parse_train_recipe(*recipe);
}

// The seed's preprocessing and split, EpyNN's loss and update, the last
// epoch's weights: the same in all three recipes.
void expect_seed_setup(const Recipe& r, const TrainRecipe& tr, int epochs) {
  EXPECT_EQ(r.source, FeatureSource::kDigitized);
  EXPECT_EQ(r.sample_rate, 11025);
  EXPECT_EQ(r.digitize.rate_reduction, RateReduction::kDecimate);
  EXPECT_EQ(r.digitize.range, DigitizeRange::kFile);
  EXPECT_EQ(r.digitize.rule, rt::DigitizeRule::kNumpyRight);
  EXPECT_EQ(r.digitize.levels, 16);
  EXPECT_EQ(r.digitize.clip_samples, 10000u);
  EXPECT_FALSE(r.digitize.one_hot);

  ASSERT_EQ(tr.model.heads.size(), 1u);
  EXPECT_EQ(tr.model.heads[0].loss, "mse");
  EXPECT_TRUE(tr.model.heads[0].sum_over_batch) << "EpyNN sums the loss over the batch: reduction = \"sum\"";
  EXPECT_FALSE(tr.model.heads[0].from_logits);
  EXPECT_EQ(tr.train.optimizer.kind, "sgd");
  EXPECT_EQ(tr.train.optimizer.learning_rate, 0.01);
  EXPECT_EQ(tr.train.optimizer.momentum, 0.0);
  EXPECT_EQ(tr.train.batch_size, 16);
  EXPECT_EQ(tr.train.epochs, epochs) << "the notebook's epochs for this model";
  EXPECT_FALSE(tr.train.keep_best) << "EpyNN ends with the last epoch's weights";

  ASSERT_NE(tr.data.source, nullptr);
  EXPECT_EQ(std::string(tr.data.source->name), "class_folders");
  EXPECT_EQ(tr.data.params.choice("split_by"), "clip");
  EXPECT_EQ(tr.data.params.integer("max_clips"), 256);
  EXPECT_NEAR(tr.data.params.number("train_fraction"), 2.0 / 3.0, 1e-15);
  EXPECT_NEAR(tr.data.params.number("validation_fraction"), 1.0 / 3.0, 1e-15);
}

// Flatten -> Dense(64, relu) -> Dropout(0.5) -> Dense(2, softmax) from trunk
// index `at` on.
void expect_head(const nn::ModelSpec& m, size_t at) {
  ASSERT_EQ(m.trunk.size(), at + 3);
  EXPECT_EQ(m.trunk[at].at("type"), "dense");
  EXPECT_EQ(m.trunk[at].at("units"), 64);
  EXPECT_EQ(m.trunk[at].at("activation"), "relu");
  EXPECT_EQ(m.trunk[at + 1].at("type"), "dropout");
  EXPECT_EQ(m.trunk[at + 1].at("rate"), 0.5);
  EXPECT_EQ(m.trunk[at + 2].at("type"), "dense");
  EXPECT_EQ(m.trunk[at + 2].at("units"), 2);
  EXPECT_EQ(m.trunk[at + 2].at("activation"), "softmax");
}

size_t parameters(nn::ModelSpec spec, bool* clips) {
  spec.input = {10000};
  nn::Model<float> model(spec, 1);
  *clips = model.clips_layers();
  return model.parameter_count();
}

TEST(AuthorRecipes, FeedForwardIsEpyNNs) {
  Recipe r;
  const TrainRecipe tr = train_recipe("author_ff.toml", &r);
  expect_seed_setup(r, tr, 10);
  expect_head(tr.model, 0);
  EXPECT_EQ(tr.model.trunk[0].at("one_hot_input"), 16);
  bool clips = true;
  EXPECT_EQ(parameters(tr.model, &clips), 10000u * 16 * 64 + 64 + 64 * 2 + 2);  // EpyNN: 10,240,064 + 130
  EXPECT_FALSE(clips);
}

// The recurrent models: <kind>(1, return_sequences) on the one-hot levels,
// then Flatten and the head. Returns the recurrent layer's config.
nlohmann::json expect_recurrent(const Recipe& r, const TrainRecipe& tr, const std::string& kind, int epochs) {
  expect_seed_setup(r, tr, epochs);
  const nlohmann::json& layer = tr.model.trunk.at(0);
  EXPECT_EQ(layer.at("type"), kind);
  EXPECT_EQ(layer.at("units"), 1);
  EXPECT_EQ(layer.value("activation", "tanh"), "tanh");
  EXPECT_EQ(layer.at("return_sequences"), true);
  EXPECT_EQ(layer.at("one_hot_input"), 16);
  EXPECT_EQ(tr.model.trunk.at(1).at("type"), "flatten");
  expect_head(tr.model, 2);
  return layer;
}

TEST(AuthorRecipes, RnnIsEpyNNsClippedSimpleRnn) {
  Recipe r;
  const TrainRecipe tr = train_recipe("author_rnn.toml", &r);
  const nlohmann::json rnn = expect_recurrent(r, tr, "simple_rnn", 5);
  EXPECT_EQ(rnn.at("clip_norm"), 0.25) << "EpyNN's RNN clips its gradients (clip_gradient, max_norm 0.25)";
  bool clips = false;
  EXPECT_EQ(parameters(tr.model, &clips), 18u + 10000 * 64 + 64 + 130);  // EpyNN: RNN 18, Dense 640,064 + 130
  EXPECT_TRUE(clips);
}

TEST(AuthorRecipes, GruIsEpyNNsResetBeforeGru) {
  Recipe r;
  const TrainRecipe tr = train_recipe("author_gru.toml", &r);
  const nlohmann::json gru = expect_recurrent(r, tr, "gru", 3);
  EXPECT_EQ(gru.at("reset_after"), false) << "EpyNN applies the reset gate before the recurrent weight";
  EXPECT_EQ(gru.value("clip_norm", 0.0), 0.0) << "EpyNN's GRU does not clip (clip_gradients=False)";
  bool clips = true;
  // EpyNN's GRU(1) on 16 levels: 54 parameters (Keras' reset_after GRU: 57).
  EXPECT_EQ(parameters(tr.model, &clips), 54u + 10000 * 64 + 64 + 130);
  EXPECT_FALSE(clips);
}

}  // namespace
}  // namespace earshot
