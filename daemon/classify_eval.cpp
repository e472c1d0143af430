// `kilterd classify --eval FILE`: labelled post events (NDJSON) in; accuracy,
// per-class precision/recall/F1, a confusion matrix, a breakdown by a field and
// the worst mistakes out. The label is never trusted: the text is classified.
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "common/json.h"
#include "daemon/classify_setup.h"
#include "daemon/commands.h"
#include "pipeline/classify/evaluation.h"
#include "pipeline/train/labelled.h"

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
  fmt::print(
      "\ncalibration ({} post(s) given a class; {} unclassified, coverage {:.3f}, accuracy "
      "on them {:.3f})\n{:<14}{:>7}{:>17}{:>10}\n",
      r.calibrated, r.unclassified, r.coverage, r.classified_accuracy, "confidence", "posts",
      "mean confidence", "accuracy");
  for (const auto& b : r.calibration) {
    if (b.count == 0) continue;
    fmt::print("{:<14}{:>7}{:>17.3f}{:>10.3f}\n", fmt::format("{:.1f}-{:.1f}", b.lo, b.hi), b.count,
               b.mean_confidence, b.accuracy);
  }
  fmt::print("expected calibration error: {:.3f}\n", r.ece);
  fmt::print("\nworst mistakes ({}, highest confidence first)\n", r.worst.size());
  for (const auto& m : r.worst)
    fmt::print("{}  label={} predicted={} confidence={:.3f}  {}\n", m.id, to_string(m.label),
               to_string(m.predicted), m.confidence, m.text);
}

void print_json(const pipeline::EvaluationReport& r, const std::string& by, std::size_t skipped) {
  auto count = [](std::size_t n) { return static_cast<double>(n); };
  json::Writer w;
  w.begin_object();
  w.key("evaluated").number(count(r.evaluated));
  w.key("skipped").number(count(skipped));
  w.key("correct").number(count(r.correct));
  w.key("accuracy").number(round3(r.accuracy));
  w.key("classes").begin_object();
  for (std::size_t c = 0; c < kClassifiedCategories; ++c) {
    const auto& f = r.classes[c];
    w.key(to_string(kAll[c])).begin_object();
    w.key("precision").number(round3(f.precision));
    w.key("recall").number(round3(f.recall));
    w.key("f1").number(round3(f.f1));
    w.key("support").number(count(f.support));
    w.end_object();
  }
  w.end_object();
  w.key("confusion").begin_object();
  for (std::size_t l = 0; l < kClassifiedCategories; ++l) {
    w.key(to_string(kAll[l])).begin_object();
    for (std::size_t p = 0; p < kCategories; ++p)
      w.key(to_string(kAll[p])).number(count(r.confusion[l][p]));
    w.end_object();
  }
  w.end_object();
  if (!by.empty()) {
    w.field("by", by);
    w.key("groups").begin_array();
    for (const auto& g : r.groups) {
      w.begin_object();
      w.field("value", g.value);
      w.key("posts").number(count(g.count));
      w.key("accuracy").number(round3(g.accuracy));
      w.key("recall").begin_object();
      for (std::size_t c = 0; c < kClassifiedCategories; ++c)
        if (g.support[c] != 0) w.key(to_string(kAll[c])).number(round3(g.recall[c]));
      w.end_object().end_object();
    }
    w.end_array();
  }
  w.key("unclassified").number(count(r.unclassified));
  w.key("coverage").number(round3(r.coverage));
  w.key("classified_accuracy").number(round3(r.classified_accuracy));
  w.key("calibration").begin_object();
  w.key("ece").number(round3(r.ece));
  w.key("bins").begin_array();
  for (const auto& b : r.calibration) {
    if (b.count == 0) continue;
    w.begin_object();
    w.key("lo").number(round3(b.lo));
    w.key("hi").number(round3(b.hi));
    w.key("posts").number(count(b.count));
    w.key("mean_confidence").number(round3(b.mean_confidence));
    w.key("accuracy").number(round3(b.accuracy));
    w.end_object();
  }
  w.end_array().end_object();
  w.key("worst").begin_array();
  for (const auto& m : r.worst) {
    w.begin_object();
    w.field("post_id", m.id);
    w.field("label", to_string(m.label));
    w.field("predicted", to_string(m.predicted));
    w.key("confidence").number(round3(m.confidence));
    w.field("text", m.text);
    w.end_object();
  }
  w.end_array().end_object();
  auto o = w.take();
  o.push_back('\n');
  std::fwrite(o.data(), 1, o.size(), stdout);
}

}  // namespace

int classify_eval(const ClassifyEvalOptions& opts) {
  auto in = pipeline::open_labelled(opts.file);
  if (!in) {
    fmt::print(stderr, "classify --eval: {}\n", in.error().message);
    return kExitConfig;
  }
  auto setup = classify_setup(opts.config_path);
  if (!setup) return kExitConfig;
  const auto& cfg = setup->cfg;

  pipeline::LabelledReadOptions ro;
  ro.label = opts.label;
  ro.fallback_expected = !opts.label_given;
  ro.group = opts.by;
  ro.max_event_bytes = cfg.pipeline.max_event_bytes;
  pipeline::Evaluation eval;
  std::size_t skipped = 0;
  auto read = pipeline::for_each_labelled(
      *in, opts.file, ro,
      [&](const pipeline::LabelledLine& l) {
        auto policy = config::resolve_account(cfg, l.post.account);
        auto terms = pipeline::normalize_terms(policy.brand_terms);
        auto c = setup->classifier->classify(l.post, terms);
        eval.add(l.label, c.category, c.confidence, l.group, l.post.post_id, l.post.text,
                 !opts.by.empty());
      },
      [&](std::string line) {
        ++skipped;
        fmt::print(stderr, "{}\n", line);
      });
  if (!read) {
    fmt::print(stderr, "classify --eval: {}\n", read.error().message);
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
