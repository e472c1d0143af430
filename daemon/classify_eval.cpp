// `kilterd classify --eval FILE`: labelled post events (NDJSON) in; accuracy,
// per-class precision/recall/F1, a confusion matrix, a breakdown by a field and
// the worst mistakes out. The label is never trusted: the text is classified.
#include <array>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "common/json.h"
#include "daemon/classify_setup.h"
#include "daemon/commands.h"
#include "pipeline/classify/evaluation.h"
#include "pipeline/ingest/decoder.h"
#include "pipeline/ingest/fields.h"

namespace kilter::daemon {
namespace {

constexpr std::array<Category, kCategories> kAll = {Category::personal, Category::professional,
                                                    Category::promotional, Category::unclassified};

double round3(double v) {
  return std::round(v * 1000) / 1000;
}

void print_text(const pipeline::EvaluationReport& r, const std::string& by, std::size_t skipped) {
  fmt::print("posts evaluated: {} ({} line(s) skipped)\n", r.evaluated, skipped);
  fmt::print("accuracy: {:.3f} ({}/{})\n\n", r.accuracy, r.correct, r.evaluated);
  fmt::print("{:<14}{:>10}{:>8}{:>8}{:>9}\n", "class", "precision", "recall", "f1", "support");
  for (std::size_t c = 0; c < kClassifiedCategories; ++c) {
    const auto& f = r.classes[c];
    fmt::print("{:<14}{:>10.3f}{:>8.3f}{:>8.3f}{:>9}\n", to_string(kAll[c]), f.precision, f.recall,
               f.f1, f.support);
  }
  fmt::print("\nconfusion matrix (rows: label, columns: predicted)\n{:<14}", "");
  for (auto p : kAll) fmt::print("{:>14}", to_string(p));
  fmt::print("\n");
  for (std::size_t l = 0; l < kClassifiedCategories; ++l) {
    fmt::print("{:<14}", to_string(kAll[l]));
    for (std::size_t p = 0; p < kCategories; ++p) fmt::print("{:>14}", r.confusion[l][p]);
    fmt::print("\n");
  }
  if (!by.empty()) {
    fmt::print("\nby {}\n{:<16}{:>7}{:>10}{:>17}{:>21}{:>20}\n", by, "value", "posts", "accuracy",
               "recall.personal", "recall.professional", "recall.promotional");
    for (const auto& g : r.groups) {
      fmt::print("{:<16}{:>7}{:>10.3f}", g.value, g.count, g.accuracy);
      const int widths[] = {17, 21, 20};
      for (std::size_t c = 0; c < kClassifiedCategories; ++c) {
        auto cell = g.support[c] == 0 ? std::string("-") : fmt::format("{:.3f}", g.recall[c]);
        fmt::print("{:>{}}", cell, widths[c]);
      }
      fmt::print("\n");
    }
  }
  fmt::print("\nworst mistakes ({}, highest confidence first)\n", r.worst.size());
  for (const auto& m : r.worst)
    fmt::print("{}  label={} predicted={} confidence={:.3f}  {}\n", m.id, to_string(m.label),
               to_string(m.predicted), m.confidence, m.text);
}

void print_json(const pipeline::EvaluationReport& r, const std::string& by, std::size_t skipped) {
  std::string o = "{\"evaluated\":";
  json::append_number(o, static_cast<double>(r.evaluated));
  o += ",\"skipped\":";
  json::append_number(o, static_cast<double>(skipped));
  o += ",\"correct\":";
  json::append_number(o, static_cast<double>(r.correct));
  o += ",\"accuracy\":";
  json::append_number(o, round3(r.accuracy));
  o += ",\"classes\":{";
  for (std::size_t c = 0; c < kClassifiedCategories; ++c) {
    const auto& f = r.classes[c];
    if (c > 0) o += ',';
    json::append_string(o, to_string(kAll[c]));
    o += ":{\"precision\":";
    json::append_number(o, round3(f.precision));
    o += ",\"recall\":";
    json::append_number(o, round3(f.recall));
    o += ",\"f1\":";
    json::append_number(o, round3(f.f1));
    o += ",\"support\":";
    json::append_number(o, static_cast<double>(f.support));
    o += '}';
  }
  o += "},\"confusion\":{";
  for (std::size_t l = 0; l < kClassifiedCategories; ++l) {
    if (l > 0) o += ',';
    json::append_string(o, to_string(kAll[l]));
    o += ":{";
    for (std::size_t p = 0; p < kCategories; ++p) {
      if (p > 0) o += ',';
      json::append_string(o, to_string(kAll[p]));
      o += ':';
      json::append_number(o, static_cast<double>(r.confusion[l][p]));
    }
    o += '}';
  }
  o += '}';
  if (!by.empty()) {
    o += ",\"by\":";
    json::append_string(o, by);
    o += ",\"groups\":[";
    for (std::size_t i = 0; i < r.groups.size(); ++i) {
      const auto& g = r.groups[i];
      if (i > 0) o += ',';
      o += "{\"value\":";
      json::append_string(o, g.value);
      o += ",\"posts\":";
      json::append_number(o, static_cast<double>(g.count));
      o += ",\"accuracy\":";
      json::append_number(o, round3(g.accuracy));
      o += ",\"recall\":{";
      bool first = true;
      for (std::size_t c = 0; c < kClassifiedCategories; ++c) {
        if (g.support[c] == 0) continue;
        if (!first) o += ',';
        first = false;
        json::append_string(o, to_string(kAll[c]));
        o += ':';
        json::append_number(o, round3(g.recall[c]));
      }
      o += "}}";
    }
    o += ']';
  }
  o += ",\"worst\":[";
  for (std::size_t i = 0; i < r.worst.size(); ++i) {
    const auto& m = r.worst[i];
    if (i > 0) o += ',';
    o += "{\"post_id\":";
    json::append_string(o, m.id);
    o += ",\"label\":";
    json::append_string(o, to_string(m.label));
    o += ",\"predicted\":";
    json::append_string(o, to_string(m.predicted));
    o += ",\"confidence\":";
    json::append_number(o, round3(m.confidence));
    o += ",\"text\":";
    json::append_string(o, m.text);
    o += '}';
  }
  o += "]}\n";
  std::fwrite(o.data(), 1, o.size(), stdout);
}

}  // namespace

int classify_eval(const ClassifyEvalOptions& opts) {
  std::error_code ec;
  if (std::filesystem::is_directory(opts.file, ec)) {
    fmt::print(stderr, "classify --eval: {}: is a directory\n", opts.file);
    return kExitConfig;
  }
  std::ifstream in(opts.file);
  if (!in) {
    fmt::print(stderr, "classify --eval: cannot read {}: {}\n", opts.file, std::strerror(errno));
    return kExitConfig;
  }
  auto setup = classify_setup(opts.config_path);
  if (!setup) return kExitConfig;
  const auto& cfg = setup->cfg;

  // names: the label, then the fallback label (`expected`) and the --by field when wanted.
  const bool fallback = !opts.label_given && opts.label != "expected";
  std::vector<std::string_view> names = {opts.label};
  const std::size_t no = SIZE_MAX;
  const std::size_t fallback_at = fallback ? names.size() : no;
  if (fallback) names.push_back("expected");
  const std::size_t by_at = opts.by.empty() ? no : names.size();
  if (!opts.by.empty()) names.push_back(opts.by);
  std::vector<std::optional<std::string>> values(names.size());

  pipeline::Decoder decoder(cfg.pipeline.max_event_bytes);
  pipeline::Evaluation eval;
  std::string line;
  std::size_t lineno = 0, skipped = 0;
  auto skip = [&](std::string_view reason) {
    ++skipped;
    fmt::print(stderr, "line {}: skipped: {}\n", lineno, reason);
  };
  while (std::getline(in, line)) {
    ++lineno;
    Event ev;
    auto r = decoder.decode(line, ev);
    if (!r.ok) {
      skip(fmt::format("bad input: {}{}{}", pipeline::to_string(r.reason),
                       r.field.empty() ? "" : " ", r.field));
      continue;
    }
    if (ev.type != EventType::post) {
      skip("not a post");
      continue;
    }
    pipeline::read_string_fields(line, names, values);
    const auto& raw = values[0] || fallback_at == no ? values[0] : values[fallback_at];
    if (!raw) {
      skip(fmt::format("no label (field {}{})", opts.label, fallback ? " or expected" : ""));
      continue;
    }
    auto label = parse_category(*raw);
    if (!label || *label == Category::unclassified) {
      skip(fmt::format("label {} is not personal, professional or promotional", json::quote(*raw)));
      continue;
    }
    ev.category.reset();  // the label is what is checked, never an input to the classifier
    auto policy = config::resolve_account(cfg, ev.account);
    auto terms = pipeline::normalize_terms(policy.brand_terms);
    auto c = setup->classifier->classify(ev, terms);
    std::optional<std::string_view> group;
    if (by_at != no && values[by_at]) group = *values[by_at];
    eval.add(*label, c.category, c.confidence, group, ev.post_id, ev.text, !opts.by.empty());
  }
  if (in.bad()) {
    fmt::print(stderr, "classify --eval: error reading {}: {}\n", opts.file, std::strerror(errno));
    return kExitConfig;
  }
  auto report = eval.report();
  if (opts.json)
    print_json(report, opts.by, skipped);
  else
    print_text(report, opts.by, skipped);
  std::fflush(stdout);
  if (skipped > 0)
    fmt::print(stderr, "{} post(s) evaluated, {} line(s) skipped\n", report.evaluated, skipped);
  return kExitOk;
}

}  // namespace kilter::daemon
