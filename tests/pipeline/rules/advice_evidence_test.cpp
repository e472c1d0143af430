// evidence.advice in the records the rule evaluator builds: set on firings
// (told now, or re-told as reminders), unset on resolutions.
#include <gtest/gtest.h>

#include "common/time.h"
#include "config/loader.h"
#include "pipeline/rules/account_rules.h"

namespace kilter::pipeline {
namespace {

constexpr const char* kConfig = R"(source: {file: e.ndjson}
storage: {bucket: 1h}
profiles:
  brand:
    rules:
      - {name: brand-on-topic, metric: personal_share, window: 7d, max: 0.10}
      - {name: engagement, metric: engagement_per_post, window: 7d, min: 1000}
sinks:
  - {type: file, path: all.ndjson}
)";

TimePoint at(const char* text) {
  return *parse_rfc3339(text);
}

const PostSource kNoPosts = [](AccountRef, TimePoint, TimePoint, const PostVisitor&) {};

TEST(AdviceEvidence, FiringRecordsCarryAdviceAndResolutionsDoNot) {
  auto loaded = config::load_string(kConfig, "k.yaml", "/etc/kilter");
  ASSERT_TRUE(loaded.config) << loaded.errors[0].to_string();
  const auto& cfg = *loaded.config;
  const auto& profile = cfg.profiles.at("brand");
  AccountWindows windows(std::chrono::hours(1));
  for (int i = 0; i < 21; ++i) windows.add_post(at("2026-11-15T08:00:00Z"), Category::personal);
  for (int i = 0; i < 29; ++i) windows.add_post(at("2026-11-18T12:00:00Z"), Category::professional);
  std::vector<AlertState> alerts(2);
  RuleEvaluator rules(cfg);
  const AccountRules acme{AccountRef{"acme"}, profile, nullptr, windows};

  const TimePoint t1 = at("2026-11-20T10:00:00Z");
  auto v = rules.evaluate(acme, alerts, t1);
  ASSERT_TRUE(v[0].tell);
  ASSERT_TRUE(v[1].tell);  // engagement per post 0: firing, but no advice for that metric
  const auto record = rules.record(acme, 0, t1, Partition{0}, kNoPosts);
  ASSERT_TRUE(record.evidence.advice);
  const Advice& a = *record.evidence.advice;
  EXPECT_EQ(a.rule, "brand-on-topic");
  EXPECT_EQ(a.status, "breach");
  EXPECT_EQ(a.posts_needed, 160u);  // 21 / 210
  EXPECT_EQ(a.within_by, at("2026-11-22T09:00:00Z"));
  EXPECT_EQ(a.leaving, 21u);
  EXPECT_TRUE(a.text.starts_with("21 personal of 50 posts in 7d, 42%, max 10%: 160 professional"))
      << a.text;
  EXPECT_FALSE(rules.record(acme, 1, t1, Partition{0}, kNoPosts).evidence.advice);

  // Reminders of the told firing carry it too.
  std::vector<AlertRecord> reminded;
  rules.told_firing(acme, alerts, t1,
                    [&](AlertRecord r, std::vector<std::string>) { reminded.push_back(r); });
  ASSERT_EQ(reminded.size(), 2u);
  ASSERT_TRUE(reminded[0].evidence.advice);
  EXPECT_EQ(reminded[0].evidence.advice->text, a.text);
  EXPECT_FALSE(reminded[1].evidence.advice);

  // The personal posts leave: resolved, without advice.
  const TimePoint t2 = at("2026-11-22T09:00:00Z");
  v = rules.evaluate(acme, alerts, t2);
  ASSERT_TRUE(v[0].tell);
  EXPECT_EQ(v[0].tell->status, AlertStatus::resolved);
  EXPECT_FALSE(rules.record(acme, 0, t2, Partition{0}, kNoPosts).evidence.advice);
}

}  // namespace
}  // namespace kilter::pipeline
