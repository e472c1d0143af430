// The rule options of issue 14 section 3: keep_firing_for, no_verdict and
// confidence: parsing, defaults, and each error with its line and key path.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/loader.h"

namespace kilter::config {
namespace {

using ::testing::HasSubstr;

std::string all_errors(const LoadResult& r) {
  std::string out;
  for (const auto& e : r.errors) out += e.to_string() + "\n";
  return out;
}

// A config whose only profile holds `rule` (a YAML flow map, line 5).
LoadResult with_rule(const std::string& rule) {
  return load_string(
      "source: {file: e.ndjson}\n"
      "default_profile: p\n"
      "profiles:\n"
      "  p:\n"
      "    rules:\n"
      "      - " +
          rule + "\n",
      "k.yaml", "/etc/kilter");
}

// Exactly one error, on line 6 at `key` of the rule, its message containing `text`.
void expect_error(const LoadResult& r, const std::string& key, const std::string& text) {
  ASSERT_EQ(r.errors.size(), 1u) << all_errors(r);
  EXPECT_EQ(r.errors[0].file, "k.yaml");
  EXPECT_EQ(r.errors[0].line, 6) << all_errors(r);
  EXPECT_EQ(r.errors[0].key, "profiles.p.rules[0]." + key) << all_errors(r);
  EXPECT_THAT(r.errors[0].message, HasSubstr(text)) << all_errors(r);
  EXPECT_THAT(r.errors[0].to_string(), HasSubstr("k.yaml:6"));
  EXPECT_FALSE(r.config);
}

const char* kShare = "{name: r, metric: personal_share, window: 7d, max: 0.1";

TEST(AlertOptions, DefaultsKeepTodaysBehaviour) {
  auto r = with_rule(std::string(kShare) + "}");
  ASSERT_TRUE(r.config) << all_errors(r);
  const Rule& rule = r.config->profiles.at("p").rules.at(0);
  EXPECT_EQ(rule.keep_firing_for, Millis{0});
  EXPECT_FALSE(rule.no_verdict_resolve_after);  // keep
  EXPECT_FALSE(rule.confidence);
}

TEST(AlertOptions, Parsed) {
  auto r = with_rule(std::string(kShare) +
                     ", keep_firing_for: 6h, no_verdict: resolve after 2d, confidence: 0.9}");
  ASSERT_TRUE(r.config) << all_errors(r);
  const Rule& rule = r.config->profiles.at("p").rules.at(0);
  EXPECT_EQ(rule.keep_firing_for, std::chrono::hours(6));
  EXPECT_EQ(rule.no_verdict_resolve_after, Millis(std::chrono::days(2)));
  EXPECT_EQ(rule.confidence, 0.9);

  r = with_rule(std::string(kShare) + ", no_verdict: keep, keep_firing_for: 0}");
  ASSERT_TRUE(r.config) << all_errors(r);
  EXPECT_FALSE(r.config->profiles.at("p").rules.at(0).no_verdict_resolve_after);
  // Quoted, and on a metric other than a share (only confidence is share-only).
  r = with_rule(
      "{name: r, metric: follower_change, window: 7d, min: -0.1, no_verdict: \"resolve after "
      "36h\", keep_firing_for: 1d}");
  ASSERT_TRUE(r.config) << all_errors(r);
  EXPECT_EQ(r.config->profiles.at("p").rules.at(0).no_verdict_resolve_after,
            Millis(std::chrono::hours(36)));
}

TEST(AlertOptions, NegativeOrMalformedDurations) {
  expect_error(with_rule(std::string(kShare) + ", keep_firing_for: -1h}"), "keep_firing_for",
               "expected a duration");
  expect_error(with_rule(std::string(kShare) + ", keep_firing_for: soon}"), "keep_firing_for",
               "expected a duration");
  expect_error(with_rule(std::string(kShare) + ", no_verdict: resolve after -2d}"), "no_verdict",
               "expected a duration >= 0 after 'resolve after'");
  expect_error(with_rule(std::string(kShare) + ", no_verdict: resolve after}"), "no_verdict",
               "expected keep or \"resolve after <duration>\"");
}

TEST(AlertOptions, UnknownNoVerdictForm) {
  for (const char* form : {"resolve", "drop", "resolve in 2d", "2d", "Keep"})
    expect_error(with_rule(std::string(kShare) + ", no_verdict: " + form + "}"), "no_verdict",
                 "expected keep or \"resolve after <duration>\" (e.g. resolve after 2d)");
}

TEST(AlertOptions, ConfidenceOutsideTheOpenUnitInterval) {
  for (const char* c : {"0", "1", "-0.5", "1.5", "90"})
    expect_error(with_rule(std::string(kShare) + ", confidence: " + c + "}"), "confidence",
                 "between 0 and 1, both excluded");
  expect_error(with_rule(std::string(kShare) + ", confidence: high}"), "confidence",
               "expected a number");
}

TEST(AlertOptions, ConfidenceOnlyOnShareRules) {
  for (const char* metric : {"posts", "engagement_per_post", "follower_change"}) {
    expect_error(with_rule(std::string("{name: r, metric: ") + metric +
                           ", window: 1d, max: 3, confidence: 0.9}"),
                 "confidence",
                 "only personal_share and promotional_share take a confidence (this rule's "
                 "metric is " +
                     std::string(metric) + ")");
  }
  auto r =
      with_rule("{name: r, metric: promotional_share, window: 7d, max: 0.4, confidence: 0.95}");
  ASSERT_TRUE(r.config) << all_errors(r);
  EXPECT_EQ(r.config->profiles.at("p").rules.at(0).confidence, 0.95);
}

TEST(AlertOptions, ErrorsOnSeparateLinesNameTheirOwnLine) {
  auto r = load_string(
      "source: {file: e.ndjson}\n"
      "default_profile: p\n"
      "profiles:\n"
      "  p:\n"
      "    rules:\n"
      "      - name: r\n"
      "        metric: posts\n"
      "        window: 1d\n"
      "        max: 3\n"
      "        confidence: 0.9\n"
      "        no_verdict: later\n",
      "k.yaml", "/etc/kilter");
  ASSERT_EQ(r.errors.size(), 2u) << all_errors(r);
  EXPECT_EQ(r.errors[0].line, 10);
  EXPECT_EQ(r.errors[0].key, "profiles.p.rules[0].confidence");
  EXPECT_EQ(r.errors[1].line, 11);
  EXPECT_EQ(r.errors[1].key, "profiles.p.rules[0].no_verdict");
}

}  // namespace
}  // namespace kilter::config
