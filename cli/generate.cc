// earshot generate <source> --out DIR [--seed S] [--json] [options...]:
// writes a dataset folder with one of the registered data sources that can
// (earshot/data_sources.h: beats, bells, chords). The subcommands, their
// options and --help texts are built from the sources' parameter
// descriptions; values are checked against the same descriptions.
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>

#include "commands.h"
#include "earshot/data_sources.h"
#include "earshot/error.h"

namespace earshot::cli {
namespace {

using Json = nlohmann::json;

// What was typed, per key; flags as booleans.
struct GenerateCli {
  std::map<std::string, std::string> text;
  std::map<std::string, bool> flag;
  std::map<std::string, CLI::Option*> option;
  bool json = false;
};

const char* type_name(const ParamDesc& p) {
  switch (p.type) {
    case ParamType::kCount:
    case ParamType::kInteger: return "INT";
    case ParamType::kNumber: return "FLOAT";
    case ParamType::kChoice:
    case ParamType::kString: return "TEXT";
    case ParamType::kBool:
    case ParamType::kSizes:
    case ParamType::kShape:
    case ParamType::kStrings: break;
  }
  throw std::logic_error("generate: option '" + p.key + "' has a type the command line does not take");
}

void add_options(CLI::App* sub, const ParamList& list, const DataSource* source, GenerateCli& cli) {
  for (const ParamDesc& p : list) {
    std::string names;
    for (const std::string& n : source ? option_names(*source, p.key) : std::vector{option_name(p.key)}) {
      names += (names.empty() ? "" : ",") + n;
    }
    if (p.type == ParamType::kBool) {
      cli.option[p.key] = sub->add_flag(names, cli.flag[p.key], p.doc);
      continue;
    }
    const std::string help = p.type == ParamType::kString ? p.doc : p.doc + " (" + p.expected() + ")";
    CLI::Option* o = sub->add_option(names, cli.text[p.key], help)->type_name(type_name(p));
    if (p.required()) {
      o->required();
    } else {
      o->default_str(p.default_value.is_string() ? p.default_value.get<std::string>() : p.default_text());
    }
    cli.option[p.key] = o;
  }
}

// The typed value of option `p` as given on the command line, checked
// against its description ("--count must be an integer from 1 to 10000000, got 0").
Json value_of(const ParamDesc& p, const GenerateCli& cli) {
  if (p.type == ParamType::kBool) return cli.flag.at(p.key);
  const std::string& t = cli.text.at(p.key);
  Json v = t;
  if (p.type == ParamType::kCount || p.type == ParamType::kInteger) {
    long long n = 0;
    const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), n);
    if (ec == std::errc() && end == t.data() + t.size()) v = n;
  } else if (p.type == ParamType::kNumber) {
    char* end = nullptr;
    const double x = std::strtod(t.c_str(), &end);
    if (!t.empty() && end == t.c_str() + t.size()) v = x;
  }
  std::string error;
  Json canon = p.canonical(v, &error);
  if (!error.empty()) throw Error(option_name(p.key) + " must be " + p.expected() + ", got " + t);
  return canon;
}

// The options given explicitly, typed and checked.
Json given_options(const ParamList& list, const GenerateCli& cli) {
  Json given = Json::object();
  for (const ParamDesc& p : list) {
    if (cli.option.at(p.key)->count() > 0) given[p.key] = value_of(p, cli);
  }
  return given;
}

void run(const DataSource& source, const GenerateCli& cli) {
  const Json common =
      normalize_params(generate_common_params(), given_options(generate_common_params(), cli), "generate", "");
  GenerateArgs a;
  a.out = common.at("out").get<std::string>();
  a.seed = common.at("seed").get<uint64_t>();
  a.given = given_options(source.generate_params, cli);
  a.options = Params(&source.generate_params,
                     normalize_params(source.generate_params, a.given, std::string("generate ") + source.name, ""));
  GenerateResult r = source.write(a);
  for (const std::string& w : r.warnings) std::fprintf(stderr, "earshot: warning: %s\n", w.c_str());
  if (cli.json) {
    r.summary["options"] = a.options.values();
    std::printf("%s\n", r.summary.dump(2).c_str());
    return;
  }
  std::printf("generate %s: %s\n", source.name, r.line.c_str());
}

std::string joined(const std::vector<std::string>& names, const std::string& sep, const std::string& last) {
  std::string s;
  for (size_t i = 0; i < names.size(); ++i) s += (i == 0 ? "" : i + 1 == names.size() ? last : sep) + names[i];
  return s;
}

}  // namespace

void add_generate_command(CLI::App& app) {
  const std::vector<std::string> names = generator_names();
  CLI::App* gen = app.add_subcommand(
      "generate", "Generate a dataset folder: " + joined(names, ", ", " or ") + " (earshot data sources)");
  // A word that is not a source lands in this positional and gets our message.
  gen->require_subcommand(0, 1);
  gen->add_option("source", "The data source: one of the subcommands below")
      ->check(CLI::Validator(
          [names](std::string& v) { return "unknown source \"" + v + "\"; choose " + joined(names, ", ", " or "); },
          ""));
  gen->callback([gen, names] {
    if (gen->get_subcommands().empty()) {
      throw Error("generate: name a source: earshot generate " + joined(names, "|", "|") +
                  " --out DIR (see earshot generate --help)");
    }
  });
  for (const DataSource* s : data_sources()) {
    if (s->write == nullptr) continue;
    auto cli = std::make_shared<GenerateCli>();
    CLI::App* sub = gen->add_subcommand(s->name, std::string(s->doc) + " Writes " + s->writes + ".");
    add_options(sub, generate_common_params(), nullptr, *cli);
    sub->add_flag("--json", cli->json, "Print a JSON summary instead of the one-line summary");
    add_options(sub, s->generate_params, s, *cli);
    sub->callback([s, cli] { run(*s, *cli); });
  }

  // The old spelling is an error that names the new one: `earshot synth` is
  // kept for seed 004's synthesizer (issue 12). Hidden from --help.
  CLI::App* old = app.add_subcommand("synth", "");
  old->group("");
  old->prefix_command();
  old->set_help_flag();
  old->callback([old] {
    const std::vector<std::string> rest = old->remaining();
    const std::string task = !rest.empty() && rest[0].rfind('-', 0) != 0 ? " " + rest[0] : "";
    throw Error("'earshot synth" + task + "' is now 'earshot generate" + task +
                "' ('synth' is reserved for the synthesizer of seed 004)");
  });
}

}  // namespace earshot::cli
