// The shipped model, as `kilterd run` uses it (make_classifier with the default
// configuration), on the corpus's test split, which nothing was trained or tuned on, and
// on the old held-out set. Each figure is held at a floor, so that a change to the corpus,
// the features or the trainer cannot degrade the classifier silently; the floors are the
// measured figures rounded down (docs/classifier.md has the figures themselves).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "config/config.h"
#include "daemon/classifier_setup.h"
#include "pipeline/classify/evaluation.h"
#include "pipeline/train/labelled.h"

namespace kilter::daemon {
namespace {

namespace fs = std::filesystem;

// Floors: issue 12's bar (accuracy 0.92, every class recall 0.88, both languages, hard
// kinds 0.88) or, where the measured figures (docs/classifier.md) are well above it, the
// figure rounded down by about a point.
constexpr double kTestAccuracy = 0.925;
constexpr double kTestRecall = 0.92;
constexpr double kTestLangAccuracy = 0.92;
constexpr double kTestLangRecall = 0.91;
constexpr double kTestHardAccuracy = 0.93;
constexpr double kTestMaxEce = 0.04;
constexpr double kTestCoverage = 0.97;
constexpr double kHeldOutAccuracy = 0.97;

struct Figures {
  pipeline::EvaluationReport all;  // with the default min_confidence (0.5)
  pipeline::EvaluationReport raw;  // min_confidence 0: every post gets the model's guess
  std::map<std::string, pipeline::EvaluationReport> by_lang, by_hard;  // raw
  pipeline::EvaluationReport hard;  // raw, every post whose hard kind is not "plain"
};

std::vector<std::string> files_of(const fs::path& p) {
  std::vector<std::string> out;
  if (fs::is_regular_file(p)) return {p.string()};
  for (const auto& f : fs::directory_iterator(p))
    if (f.path().extension() == ".ndjson") out.push_back(f.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

Figures evaluate(const std::vector<std::string>& files) {
  config::ClassifierConfig defaults;
  config::ClassifierConfig raw_cfg;
  raw_cfg.min_confidence = 0.0;
  auto with_default = make_classifier(defaults);
  auto raw = make_classifier(raw_cfg);
  EXPECT_TRUE(with_default.ok() && raw.ok());
  if (!with_default.ok() || !raw.ok()) return {};
  pipeline::Evaluation all(0), unfiltered(0), hard(0);
  std::map<std::string, pipeline::Evaluation> by_lang, by_hard;
  pipeline::LabelledReadOptions ro;
  ro.group = "hard";
  for (const auto& file : files) {
    auto in = pipeline::open_labelled(file);
    EXPECT_TRUE(in.ok()) << file;
    if (!in.ok()) continue;
    auto read = pipeline::for_each_labelled(
        *in, file, ro,
        [&](const pipeline::LabelledLine& l) {
          const auto& ev = l.post;
          const auto c = (*with_default)->classify(ev, {});
          all.add(l.label, c.category, c.confidence, std::nullopt, ev.post_id, ev.text, false);
          const auto r = (*raw)->classify(ev, {});
          auto add = [&](pipeline::Evaluation& e) {
            e.add(l.label, r.category, r.confidence, std::nullopt, ev.post_id, ev.text, false);
          };
          add(unfiltered);
          add(by_lang[ev.lang.empty() ? std::string("(none)") : std::string(ev.lang)]);
          if (l.group) {
            add(by_hard[std::string(*l.group)]);
            if (*l.group != "plain") add(hard);
          }
        },
        [](std::string) {});
    EXPECT_TRUE(read.ok()) << file;
  }
  Figures f{all.report(), unfiltered.report(), {}, {}, hard.report()};
  for (const auto& [k, e] : by_lang) f.by_lang[k] = e.report();
  for (const auto& [k, e] : by_hard) f.by_hard[k] = e.report();
  return f;
}

void print(const std::string& name, const Figures& f) {
  std::printf(
      "%s: accuracy %.3f (%zu/%zu); recall personal %.3f professional %.3f "
      "promotional %.3f; ECE %.3f; with min_confidence 0.5: coverage %.3f, accuracy on "
      "the classified %.3f\n",
      name.c_str(), f.raw.accuracy, f.raw.correct, f.raw.evaluated, f.raw.classes[0].recall,
      f.raw.classes[1].recall, f.raw.classes[2].recall, f.raw.ece, f.all.coverage,
      f.all.classified_accuracy);
  for (const auto& [k, r] : f.by_lang)
    std::printf("  lang %-6s %.3f (%zu posts) recall %.3f %.3f %.3f\n", k.c_str(), r.accuracy,
                r.evaluated, r.classes[0].recall, r.classes[1].recall, r.classes[2].recall);
  if (f.hard.evaluated > 0)
    std::printf("  hard kinds together %.3f (%zu posts)\n", f.hard.accuracy, f.hard.evaluated);
  for (const auto& [k, r] : f.by_hard)
    std::printf("  hard %-20s %.3f (%zu posts)\n", k.c_str(), r.accuracy, r.evaluated);
}

const fs::path kRoot = KILTER_SOURCE_DIR;

TEST(ShippedModel, HoldsItsFiguresOnTheTestSplit) {
  auto f = evaluate(files_of(kRoot / "pipeline/classify/corpus/test"));
  print("test split", f);
  ASSERT_GT(f.raw.evaluated, 1000u);
  EXPECT_GE(f.raw.accuracy, kTestAccuracy);
  for (const auto& c : f.raw.classes) EXPECT_GE(c.recall, kTestRecall);
  for (const auto& [lang, r] : f.by_lang) {
    EXPECT_GE(r.accuracy, kTestLangAccuracy) << lang;
    for (const auto& c : r.classes) EXPECT_GE(c.recall, kTestLangRecall) << lang;
  }
  EXPECT_GE(f.hard.accuracy, kTestHardAccuracy);
  // Calibrated: the posts-weighted gap between confidence and accuracy stays small.
  EXPECT_LE(f.raw.ece, kTestMaxEce);
  // The default min_confidence leaves few posts unclassified and is right more often.
  EXPECT_GE(f.all.coverage, kTestCoverage);
  EXPECT_GE(f.all.classified_accuracy, f.raw.accuracy);
}

TEST(ShippedModel, TheOldHeldOutSetStillPasses) {
  auto f = evaluate({(kRoot / "tests/data/classifier_heldout.ndjson").string()});
  print("old held-out set", f);
  ASSERT_EQ(f.raw.evaluated, 276u);
  EXPECT_GE(f.raw.accuracy, kHeldOutAccuracy);
}

}  // namespace
}  // namespace kilter::daemon
