// The digests section and accounts' time zones: defaults, what they load to,
// and their errors with line and key (unknown zones, the bucket rule).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/loader.h"

namespace kilter::config {
namespace {

using ::testing::HasSubstr;

constexpr const char* kBase = R"(source: {file: events.ndjson}
storage: {bucket: BUCKET}
sinks:
  - {type: file, path: alerts.ndjson}
  - {type: log, name: team}
accounts:
  - {id: acme, profile: brand, timezone: America/New_York}
)";

LoadResult load(const std::string& digests, const std::string& bucket = "1h") {
  std::string yaml = kBase;
  yaml.replace(yaml.find("BUCKET"), 6, bucket);
  return load_string(yaml + digests, "k.yaml", "/etc/kilter");
}

std::string all_errors(const LoadResult& r) {
  std::string out;
  for (const auto& e : r.errors) out += e.to_string() + "\n";
  return out;
}

TEST(Digests, NoneByDefault) {
  auto r = load("");
  ASSERT_TRUE(r.config) << all_errors(r);
  EXPECT_TRUE(r.config->digests.empty());
  EXPECT_EQ(r.config->accounts[0].timezone, "America/New_York");
  auto policy = resolve_account(*r.config, "acme");
  ASSERT_NE(policy.timezone, nullptr);
  EXPECT_EQ(*policy.timezone, "America/New_York");
  EXPECT_EQ(resolve_account(*r.config, "other").timezone, nullptr);
}

TEST(Digests, FieldsAndDefaults) {
  auto r = load(R"(digests:
  - name: morning-review
    every: 1d
    at: "09:00"
    timezone: Europe/Paris
    match: {profile: brand}
    sinks: [team]
  - {name: weekly, every: 7d, weekday: friday, at: "17:30"}
  - {name: plain}
)",
                "30m");
  ASSERT_TRUE(r.config) << all_errors(r);
  const auto& d = r.config->digests;
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(d[0].name, "morning-review");
  EXPECT_EQ(d[0].every, std::chrono::days(1));
  EXPECT_EQ(d[0].at, std::chrono::hours(9));
  EXPECT_EQ(d[0].at_text, "09:00");
  EXPECT_EQ(d[0].timezone, "Europe/Paris");
  EXPECT_EQ(d[0].match.profile, "brand");
  ASSERT_TRUE(d[0].sinks);
  EXPECT_EQ(*d[0].sinks, std::vector<std::string>{"team"});
  EXPECT_EQ(d[1].every, std::chrono::days(7));
  EXPECT_EQ(d[1].every_text, "7d");
  EXPECT_EQ(d[1].weekday, 4);
  EXPECT_EQ(d[1].at, std::chrono::hours(17) + std::chrono::minutes(30));
  // Defaults: daily at midnight UTC, every account, every sink.
  EXPECT_EQ(d[2].every, std::chrono::days(1));
  EXPECT_EQ(d[2].at, Millis{0});
  EXPECT_EQ(d[2].timezone, "UTC");
  EXPECT_EQ(d[2].weekday, 0);
  EXPECT_FALSE(d[2].sinks);
  EXPECT_TRUE(d[2].match.account.empty());
}

TEST(Digests, ErrorsCarryLineAndKey) {
  auto r = load(R"(digests:
  - {name: a, every: 2d, at: "9am", timezone: Mars/Olympus, colour: red}
  - {name: a, every: 1d, weekday: monday, sinks: [nowhere], match: {rule: chatter}}
  - {every: 1d}
)");
  ASSERT_FALSE(r.config);
  const auto text = all_errors(r);
  EXPECT_THAT(text, HasSubstr("k.yaml:9:"));
  EXPECT_THAT(text, HasSubstr("digests[0].every: expected one of 1d, 7d"));
  EXPECT_THAT(text, HasSubstr("digests[0].at: expected a local time HH:MM"));
  EXPECT_THAT(text, HasSubstr("digests[0].timezone: unknown time zone 'Mars/Olympus'"));
  EXPECT_THAT(text, HasSubstr("unknown key 'colour'"));
  EXPECT_THAT(text, HasSubstr("digests[1].name: digest name 'a' is already used at line 9"));
  EXPECT_THAT(text, HasSubstr("digests[1].weekday: a weekday is for weekly digests"));
  EXPECT_THAT(text, HasSubstr("unknown sink 'nowhere'"));
  EXPECT_THAT(text, HasSubstr("digests[1].match: a digest matches accounts"));
  EXPECT_THAT(text, HasSubstr("digests[2].name: missing"));
  for (const auto& e : r.errors) EXPECT_GT(e.line, 0) << e.to_string();
}

TEST(Digests, MatchIsAboutAccounts) {
  auto r = load("digests:\n  - {name: a, match: {metric: posts}}\n");
  ASSERT_EQ(r.errors.size(), 1u) << all_errors(r);
  EXPECT_EQ(r.errors[0].line, 9);
  EXPECT_THAT(r.errors[0].message, HasSubstr("use account and profile only"));
}

TEST(Digests, UnknownAccountZoneIsAnError) {
  auto r = load_string(
      "source: {file: e.ndjson}\naccounts:\n  - {id: x, profile: brand, timezone: "
      "Europe/Atlantis}\n",
      "k.yaml", "/etc/kilter");
  ASSERT_EQ(r.errors.size(), 1u) << all_errors(r);
  EXPECT_EQ(r.errors[0].line, 3);
  EXPECT_EQ(r.errors[0].key, "accounts[0].timezone");
}

// Asia/Kolkata is UTC+5:30: with hour buckets its 09:00 is 03:30 UTC, inside a
// bucket. The error proposes the largest bucket that works.
TEST(Digests, ZoneOffsetsMustBeBucketMultiples) {
  auto r = load("digests:\n  - {name: india, at: \"09:00\", timezone: Asia/Kolkata}\n");
  ASSERT_EQ(r.errors.size(), 1u) << all_errors(r);
  EXPECT_EQ(r.errors[0].line, 9);
  EXPECT_EQ(r.errors[0].key, "digests[0].timezone");
  EXPECT_THAT(r.errors[0].message, HasSubstr("Asia/Kolkata"));
  EXPECT_THAT(r.errors[0].message, HasSubstr("use storage.bucket 30m"));
  EXPECT_TRUE(
      load("digests:\n  - {name: india, at: \"09:00\", timezone: Asia/Kolkata}\n", "30m").config);
  // Nepal (+5:45) needs 15 minutes.
  auto nepal = load("digests:\n  - {name: np, timezone: Asia/Kathmandu}\n", "30m");
  ASSERT_EQ(nepal.errors.size(), 1u) << all_errors(nepal);
  EXPECT_THAT(nepal.errors[0].message, HasSubstr("use storage.bucket 15m"));
}

TEST(Digests, AtMustBeABucketMultiple) {
  auto r = load("digests:\n  - {name: a, at: \"09:30\"}\n");
  ASSERT_EQ(r.errors.size(), 1u) << all_errors(r);
  EXPECT_EQ(r.errors[0].key, "digests[0].at");
  EXPECT_THAT(r.errors[0].message, HasSubstr("use storage.bucket 30m"));
}

// An account's own zone is checked once a digest cuts periods in it.
TEST(Digests, AccountZonesAreCheckedToo) {
  auto yaml = std::string(
      "source: {file: e.ndjson}\naccounts:\n  - {id: x, profile: brand, timezone: "
      "Asia/Kolkata}\n");
  EXPECT_TRUE(load_string(yaml, "k.yaml", "/etc").config);
  auto r = load_string(yaml + "digests:\n  - {name: a}\n", "k.yaml", "/etc");
  ASSERT_EQ(r.errors.size(), 1u) << all_errors(r);
  EXPECT_EQ(r.errors[0].line, 3);
  EXPECT_EQ(r.errors[0].key, "accounts[0].timezone");
  EXPECT_THAT(r.errors[0].message, HasSubstr("use storage.bucket 30m"));
}

TEST(Digests, RetentionCoversAPeriod) {
  auto r = load_string(
      "source: {file: e.ndjson}\nstorage: {retention: 7d}\nprofiles: {p: {rules: []}}\n"
      "default_profile: p\ndigests:\n  - {name: w, every: 7d}\n",
      "k.yaml", "/etc");
  ASSERT_EQ(r.errors.size(), 1u) << all_errors(r);
  EXPECT_EQ(r.errors[0].key, "digests[0].every");
  EXPECT_THAT(r.errors[0].message, HasSubstr("at least a digest's period plus a day (8d)"));
}

}  // namespace
}  // namespace kilter::config
