// Routes, default_sinks, inhibitions, mute windows, campaigns and the outbox
// section: what they load to, and their errors with line and key.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/loader.h"
#include "tests/support/config_docs.h"

namespace kilter::config {
namespace {

using ::testing::HasSubstr;

LoadResult load(const std::string& extra) {
  return load_string(std::string(test_support::kRoutingBase) + extra, "k.yaml", "/etc/kilter");
}

std::string all_errors(const LoadResult& r) {
  std::string out;
  for (const auto& e : r.errors) out += e.to_string() + "\n";
  return out;
}

TEST(Routing, UnknownSinksProfilesRulesAndMetricsAreErrors) {
  auto r = load(R"(routes:
  - {match: {profile: nope}, sinks: [file]}
  - {match: {rule: no-such-rule, metric: likes}, sinks: [slack-typo]}
default_sinks: [gone]
)");
  ASSERT_EQ(r.errors.size(), 5u) << all_errors(r);
  EXPECT_EQ(r.errors[0].line, 16);
  EXPECT_EQ(r.errors[0].key, "routes[0].match.profile");
  EXPECT_EQ(r.errors[1].key, "routes[1].match.rule");
  EXPECT_EQ(r.errors[2].key, "routes[1].match.metric");
  EXPECT_THAT(r.errors[3].message, HasSubstr("unknown sink 'slack-typo'"));
  EXPECT_THAT(r.errors[4].message, HasSubstr("unknown sink 'gone'"));
  EXPECT_EQ(r.errors[4].line, 18);
}

TEST(Inhibit, SourceAndTargetAreMatchers) {
  auto r = load(R"(inhibit:
  - {source: {rule: gone-silent}, target: {metric: engagement_change}}
)");
  ASSERT_TRUE(r.config) << all_errors(r);
  ASSERT_EQ(r.config->inhibit.size(), 1u);
  EXPECT_EQ(r.config->inhibit[0].source.rule, "gone-silent");
  EXPECT_EQ(r.config->inhibit[0].target.metric, "engagement_change");
  auto bad = load("inhibit:\n  - {source: {rule: gone-silent}}\n");
  ASSERT_EQ(bad.errors.size(), 1u) << all_errors(bad);
  EXPECT_THAT(bad.errors[0].message, HasSubstr("set source"));
}

TEST(Mute, PeriodsAreRfc3339AndOrdered) {
  auto r = load(R"(mute:
  - {match: {account: acme}, from: 2026-12-24T00:00:00Z, to: 2026-12-27T00:00:00+01:00, comment: holidays}
)");
  ASSERT_TRUE(r.config) << all_errors(r);
  ASSERT_EQ(r.config->mute.size(), 1u);
  EXPECT_EQ(r.config->mute[0].match.account, "acme");
  EXPECT_EQ(epoch_ms(r.config->mute[0].to) - epoch_ms(r.config->mute[0].from),
            3 * 86'400'000LL - 3'600'000LL);
  auto bad = load(R"(mute:
  - {from: 2026-12-24, to: 2026-12-20T00:00:00Z}
  - {from: 2026-12-24T00:00:00Z, to: 2026-12-20T00:00:00Z}
)");
  ASSERT_EQ(bad.errors.size(), 2u) << all_errors(bad);
  EXPECT_EQ(bad.errors[0].key, "mute[0].from");
  EXPECT_THAT(bad.errors[0].message, HasSubstr("RFC 3339"));
  EXPECT_EQ(bad.errors[1].key, "mute[1].to");
  EXPECT_THAT(bad.errors[1].message, HasSubstr("after from"));
}

TEST(Campaigns, LimitsOfTheAccountsRulesForAPeriod) {
  auto r = load(R"(accounts:
  - id: boulangerie-dupont
    profile: brand
    campaigns:
      - {name: winter-sale, from: 2026-11-18T00:00:00Z, to: 2026-11-25T00:00:00Z,
         limits: {too-pushy: {max: 0.7}}}
)");
  ASSERT_TRUE(r.config) << all_errors(r);
  auto policy = resolve_account(*r.config, "boulangerie-dupont");
  ASSERT_NE(policy.campaigns, nullptr);
  ASSERT_EQ(policy.campaigns->size(), 1u);
  const auto& c = policy.campaigns->front();
  EXPECT_EQ(c.name, "winter-sale");
  EXPECT_EQ(c.limits.at("too-pushy").max, 0.7);
  EXPECT_FALSE(c.limits.at("too-pushy").min);
  auto bad = load(R"(accounts:
  - id: acme
    profile: brand
    campaigns:
      - {name: x, from: 2026-11-18T00:00:00Z, to: 2026-11-25T00:00:00Z,
         limits: {show-the-person: {max: 0.7}, too-pushy: {min: 0.5, max: 0.2}}}
)");
  ASSERT_EQ(bad.errors.size(), 2u) << all_errors(bad);
  EXPECT_THAT(bad.errors[0].message, HasSubstr("profile 'brand' has no rule named"));
  EXPECT_THAT(bad.errors[1].message, HasSubstr("max must not be lower than min"));
}

TEST(Outbox, DefaultsAndBounds) {
  auto d = load("");
  ASSERT_TRUE(d.config);
  EXPECT_EQ(d.config->outbox.max_entries, 100'000u);
  EXPECT_EQ(d.config->outbox.drain_timeout, std::chrono::seconds(30));
  auto r = load("outbox: {max_entries: 10, drain_timeout: 5s, retry_initial: 2s, retry_max: 1m}\n");
  ASSERT_TRUE(r.config) << all_errors(r);
  EXPECT_EQ(r.config->outbox.max_entries, 10u);
  EXPECT_EQ(r.config->outbox.retry_max, std::chrono::minutes(1));
  auto bad = load("outbox: {max_entries: 0, retry_initial: 10m, retry_max: 1m, size: 3}\n");
  ASSERT_EQ(bad.errors.size(), 3u) << all_errors(bad);
}

}  // namespace
}  // namespace kilter::config
