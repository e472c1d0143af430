// RuleEvaluator without an engine: one account's verdicts at an evaluation
// time, what is told (a mute window holds a firing back until it ends, a
// resolution is told only when its firing was), where it goes and its record.
#include "pipeline/rules/account_rules.h"

#include <gtest/gtest.h>

#include "common/time.h"
#include "config/loader.h"

namespace kilter::pipeline {
namespace {

constexpr const char* kConfig = R"(source: {file: e.ndjson}
storage: {bucket: 1h}
profiles:
  brand:
    rules:
      - {name: gone-silent, metric: posts, window: 1d, min: 1}
mute:
  - {match: {rule: gone-silent}, from: "2026-11-21T00:00:00Z", to: "2026-11-21T12:00:00Z"}
sinks:
  - {type: file, path: all.ndjson}
)";

TimePoint at(const char* text) {
  return *parse_rfc3339(text);
}

TEST(RuleEvaluator, AMutedFiringIsToldWhenTheMuteEndsAndItsResolutionAfterIt) {
  auto loaded = config::load_string(kConfig, "k.yaml", "/etc/kilter");
  ASSERT_TRUE(loaded.config) << loaded.errors[0].to_string();
  const auto& cfg = *loaded.config;
  const auto& profile = cfg.profiles.at("brand");
  AccountWindows windows(std::chrono::hours(1));
  std::vector<AlertState> alerts(1);
  RuleEvaluator rules(cfg);
  const AccountRules acme{AccountRef{"acme"}, profile, nullptr, windows};

  // No post in the last day, inside the mute window: firing, not told.
  auto v = rules.evaluate(acme, alerts, at("2026-11-21T06:00:00Z"));
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(alerts[0].phase, AlertPhase::firing);
  ASSERT_TRUE(v[0].transition);
  EXPECT_EQ(v[0].held, Held::muted);
  EXPECT_FALSE(v[0].tell);
  EXPECT_TRUE(v[0].store);
  EXPECT_FALSE(alerts[0].notified);

  // The mute window is over: the firing is told now, with its first time.
  v = rules.evaluate(acme, alerts, at("2026-11-21T13:00:00Z"));
  EXPECT_FALSE(v[0].transition);
  EXPECT_EQ(v[0].held, Held::no);
  ASSERT_TRUE(v[0].tell);
  EXPECT_EQ(v[0].tell->status, AlertStatus::firing);
  EXPECT_EQ(v[0].tell->starts_at, at("2026-11-21T06:00:00Z"));
  EXPECT_EQ(v[0].sinks, std::vector<std::string>{"file"});
  EXPECT_TRUE(alerts[0].notified);
  auto record = rules.record(acme, 0, at("2026-11-21T13:00:00Z"), Partition{0},
                             [](AccountRef, TimePoint, TimePoint, const PostVisitor&) {});
  EXPECT_EQ(record.account, "acme");
  EXPECT_EQ(record.profile, "brand");
  EXPECT_EQ(record.rule, "gone-silent");
  EXPECT_EQ(record.status, AlertStatus::firing);

  // Told once: the next evaluation tells nothing and writes nothing.
  v = rules.evaluate(acme, alerts, at("2026-11-21T14:00:00Z"));
  EXPECT_FALSE(v[0].tell);
  EXPECT_TRUE(v[0].sinks.empty());
  EXPECT_FALSE(v[0].store);  // the new verdict_at is read by no option of this rule

  // A post: resolved, and told since its firing was.
  windows.add_post(at("2026-11-21T14:30:00Z"), Category::professional);
  v = rules.evaluate(acme, alerts, at("2026-11-21T15:00:00Z"));
  ASSERT_TRUE(v[0].tell);
  EXPECT_EQ(v[0].tell->status, AlertStatus::resolved);
  EXPECT_TRUE(v[0].store);
  EXPECT_EQ(alerts[0].phase, AlertPhase::inactive);
  EXPECT_FALSE(alerts[0].notified);
}

TEST(RuleEvaluator, AFiringNeverToldResolvesQuietly) {
  auto loaded = config::load_string(kConfig, "k.yaml", "/etc/kilter");
  ASSERT_TRUE(loaded.config);
  const auto& cfg = *loaded.config;
  AccountWindows windows(std::chrono::hours(1));
  std::vector<AlertState> alerts(1);
  RuleEvaluator rules(cfg);
  const AccountRules acme{AccountRef{"acme"}, cfg.profiles.at("brand"), nullptr, windows};
  (void)rules.evaluate(acme, alerts, at("2026-11-21T06:00:00Z"));  // muted
  windows.add_post(at("2026-11-21T07:30:00Z"), Category::personal);
  auto v = rules.evaluate(acme, alerts, at("2026-11-21T08:00:00Z"));
  ASSERT_TRUE(v[0].transition);
  EXPECT_EQ(v[0].transition->status, AlertStatus::resolved);
  EXPECT_FALSE(v[0].tell);
  EXPECT_EQ(alerts[0].phase, AlertPhase::inactive);
}

// A firing state is written when what it does on time alone moves: the time of
// its last verdict (with no_verdict "resolve after"), the start of its
// keep_firing_for wait. A campaign's limits keep the rule's options.
TEST(RuleEvaluator, WaitsOnTimeAreStoredAndKeptUnderACampaign) {
  auto loaded = config::load_string(R"(source: {file: e.ndjson}
storage: {bucket: 1h}
profiles:
  brand:
    rules:
      - {name: chatter, metric: posts, window: 1d, max: 1, keep_firing_for: 6h,
         no_verdict: resolve after 2d}
accounts:
  - id: acme
    profile: brand
    campaigns:
      - {name: launch, from: "2026-11-21T00:00:00Z", to: "2026-11-21T02:00:00Z",
         limits: {chatter: {max: 2}}}
)",
                                    "k.yaml", "/etc/kilter");
  ASSERT_TRUE(loaded.config) << loaded.errors[0].to_string();
  const auto& cfg = *loaded.config;
  AccountWindows windows(std::chrono::hours(1));
  std::vector<AlertState> alerts(1);
  RuleEvaluator rules(cfg);
  const AccountRules acme{AccountRef{"acme"}, cfg.profiles.at("brand"),
                          &cfg.accounts.at(0).campaigns, windows};
  for (int i = 0; i < 3; ++i) windows.add_post(at("2026-11-21T00:10:00Z"), Category::professional);
  auto v = rules.evaluate(acme, alerts, at("2026-11-21T01:00:00Z"));
  ASSERT_TRUE(v[0].tell);  // 3 posts, above the campaign's max 2
  ASSERT_NE(v[0].campaign, nullptr);
  // The same value an hour later: only verdict_at moved, and this rule reads it.
  v = rules.evaluate(acme, alerts, at("2026-11-21T02:00:00Z"));
  EXPECT_FALSE(v[0].transition);
  EXPECT_TRUE(v[0].store);
  EXPECT_EQ(alerts[0].verdict_at, at("2026-11-21T02:00:00Z"));
  // The posts leave the window: within limits, the wait begins (campaign still
  // applying, its keep_firing_for the rule's).
  v = rules.evaluate(acme, alerts, at("2026-11-22T01:00:00Z"));
  ASSERT_NE(v[0].campaign, nullptr);
  EXPECT_FALSE(v[0].transition);
  EXPECT_TRUE(v[0].store);
  EXPECT_EQ(alerts[0].within_since, at("2026-11-22T01:00:00Z"));
  v = rules.evaluate(acme, alerts, at("2026-11-22T07:00:00Z"));
  ASSERT_TRUE(v[0].tell);
  EXPECT_EQ(v[0].tell->status, AlertStatus::resolved);
  EXPECT_EQ(v[0].tell->ends_at, at("2026-11-22T07:00:00Z"));
}

}  // namespace
}  // namespace kilter::pipeline
