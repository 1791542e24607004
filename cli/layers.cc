// earshot layers [--markdown | --json] [KIND]: the registered layer kinds and
// their parameters, from the same descriptions recipes are checked against.
#include <cstdio>

#include "commands.h"
#include "earshot/error.h"
#include "earshot/nn/kinds.h"

namespace earshot::cli {
namespace {

struct LayersArgs {
  std::string kind;
  bool markdown = false;
  bool json = false;
};

nlohmann::json describe(const nn::LayerKind& k) {
  nlohmann::json params = nlohmann::json::array();
  for (const ParamDesc& p : k.params) {
    params.push_back({{"key", p.key},
                      {"allowed", p.expected()},
                      {"default", p.required() ? "required" : p.default_text()},
                      {"doc", p.doc}});
  }
  return {{"type", k.name}, {"keras", k.keras}, {"doc", k.doc}, {"exported", k.lower != nullptr}, {"params", params}};
}

void run(const LayersArgs& a) {
  if (a.markdown) {
    std::fputs(nn::layers_markdown().c_str(), stdout);
    return;
  }
  std::vector<const nn::LayerKind*> kinds;
  if (a.kind.empty()) {
    kinds.assign(nn::layer_kinds().begin(), nn::layer_kinds().end());
  } else {
    const nn::LayerKind* k = nn::find_layer_kind(a.kind);
    if (k == nullptr) throw Error("unknown layer type '" + a.kind + "' (valid: " + nn::layer_kind_names() + ")");
    kinds = {k};
  }
  if (a.json) {
    nlohmann::json j = nlohmann::json::array();
    for (const nn::LayerKind* k : kinds) j.push_back(describe(*k));
    std::printf("%s\n", j.dump(2).c_str());
    return;
  }
  for (const nn::LayerKind* k : kinds) {
    std::printf("%s (%s)\n  %s\n", k->name, k->keras, k->doc);
    for (const ParamDesc& p : k->params) {
      std::printf("  %-12s %-10s %s; %s\n", p.key.c_str(), p.required() ? "required" : p.default_text().c_str(),
                  p.expected().c_str(), p.doc.c_str());
    }
  }
}

}  // namespace

void add_layers_command(CLI::App& app) {
  auto a = std::make_shared<LayersArgs>();
  CLI::App* sub = app.add_subcommand("layers", "The layer kinds a recipe's [model] may use, with their parameters");
  sub->add_option("kind", a->kind, "One kind (default: all)");
  sub->add_flag("--markdown", a->markdown, "Print docs/layers.md");
  sub->add_flag("--json", a->json, "Print JSON");
  sub->callback([a] { run(*a); });
}

}  // namespace earshot::cli
