// The digest record's JSON line: the contract's shape and key order, and the
// round trip through parse_digest_record (the outbox's restore); record_type
// tells stored digests from alerts (old alert lines have no "type").
#include <gtest/gtest.h>

#include <limits>

#include "common/time.h"
#include "pipeline/delivery/record_format.h"

namespace kilter::pipeline {
namespace {

DigestRecord spec_digest() {
  DigestRecord r;
  r.digest_id = "morning-review/acme/2026-11-20T09:00:00+01:00";
  r.digest = "morning-review";
  r.account = "acme";
  r.profile = "brand";
  r.timezone = "Europe/Paris";
  r.from_text = "2026-11-19T09:00:00+01:00";
  r.to_text = "2026-11-20T09:00:00+01:00";
  r.from = *parse_rfc3339(r.from_text);
  r.to = *parse_rfc3339(r.to_text);
  r.posts = {2, 9, 1, 0};
  r.personal_share = 2.0 / 12;
  r.promotional_share = 1.0 / 12;
  r.engagement = {12, 30, 1, 240, 55, 0};
  r.engagement_by_category[1] = {10, 25, 1, 200, 50, 0};
  r.engagement_by_category[4] = {2, 5, 0, 40, 5, 0};
  r.followers = DigestFollowers{12850, 12790, -60.0 / 12850};
  TopPost p;
  p.post_id = "p-1";
  p.category = Category::professional;
  p.engagement = 40;
  p.confidence = 0.9;
  p.matched = {"report"};
  p.link = "https://acme.example/q3";
  r.top_posts = {p};
  DigestRule rule;
  rule.rule = "brand-on-topic";
  rule.metric = "personal_share";
  rule.window = "7d";
  rule.value = 0.17;
  rule.max = 0.10;
  rule.status = "firing";
  r.rules = {rule};
  DigestRule none;
  none.rule = "losing-followers";
  none.metric = "follower_change";
  none.window = "1d";
  none.min = -0.05;
  none.status = "no_verdict";
  r.rules.push_back(none);
  return r;
}

TEST(DigestRecord, JsonMatchesTheContractsShape) {
  auto r = spec_digest();
  r.top_posts.clear();
  r.rules.resize(1);
  r.personal_share = 0.17;
  r.promotional_share = std::nullopt;
  r.followers->change = -0.0047;
  EXPECT_EQ(
      to_json(r),
      R"j({"type":"digest","digest_id":"morning-review/acme/2026-11-20T09:00:00+01:00",)j"
      R"j("digest":"morning-review","account":"acme","profile":"brand","timezone":"Europe/Paris",)j"
      R"j("from":"2026-11-19T09:00:00+01:00","to":"2026-11-20T09:00:00+01:00",)j"
      R"j("posts":{"personal":2,"professional":9,"promotional":1,"unclassified":0},)j"
      R"j("personal_share":0.17,"promotional_share":null,)j"
      R"j("engagement":{"reply":12,"repost":30,"quote":1,"like":240,"click":55,"impression":0},)j"
      R"j("engagement_by_category":{)j"
      R"j("personal":{"reply":0,"repost":0,"quote":0,"like":0,"click":0,"impression":0},)j"
      R"j("professional":{"reply":10,"repost":25,"quote":1,"like":200,"click":50,"impression":0},)j"
      R"j("promotional":{"reply":0,"repost":0,"quote":0,"like":0,"click":0,"impression":0},)j"
      R"j("unclassified":{"reply":0,"repost":0,"quote":0,"like":0,"click":0,"impression":0},)j"
      R"j("unattributed":{"reply":2,"repost":5,"quote":0,"like":40,"click":5,"impression":0}},)j"
      R"j("followers":{"start":12850,"end":12790,"change":-0.0047},"top_posts":[],)j"
      R"j("rules":[{"rule":"brand-on-topic","metric":"personal_share","window":"7d",)j"
      R"j("value":0.17,"status":"firing","min":null,"max":0.1}],"advice":[]})j");
}

TEST(DigestRecord, RoundTrip) {
  auto r = spec_digest();
  Advice a;
  a.rule = "brand-on-topic";
  a.metric = "personal_share";
  a.window = "7d";
  a.status = "breach";
  a.value = 0.42;
  a.limit = 0.10;
  a.posts_needed = 160;
  a.of = {Category::professional, Category::promotional};
  a.leaving = 9;
  a.within_by = *parse_rfc3339("2026-11-24T00:00:00Z");
  a.text = "21 personal of 50 posts in 7d";
  r.advice = {a};
  const auto line = to_json(r);
  auto back = parse_digest_record(line);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(to_json(*back), line);
  EXPECT_EQ(back->from, r.from);
  EXPECT_EQ(back->to, r.to);
  EXPECT_EQ(back->rules.size(), 2u);
  EXPECT_FALSE(back->rules[1].value);
  EXPECT_EQ(back->advice.at(0).of.size(), 2u);

  r.followers.reset();
  r.personal_share.reset();
  r.advice.clear();
  const auto bare = to_json(r);
  EXPECT_EQ(to_json(parse_digest_record(bare).value()), bare);
}

TEST(DigestRecord, ReadersTellTypesApart) {
  const auto digest = to_json(spec_digest());
  EXPECT_EQ(record_type(digest), "digest");
  EXPECT_EQ(record_type(R"({"alert_id":"a/b/7d","account":"a"})"), "alert");  // before types
  EXPECT_EQ(record_type(R"({"type":"alert","alert_id":"a/b/7d"})"), "alert");
  EXPECT_EQ(record_type(R"({"type":"poll"})"), "unknown");
  EXPECT_FALSE(parse_digest_record(R"({"type":"alert","alert_id":"x"})"));
  EXPECT_FALSE(parse_digest_record("not json"));
  auto missing = parse_digest_record(R"({"type":"digest","digest":"d","account":"a"})");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("digest_id"), std::string::npos);
  auto wrong = parse_digest_record(
      R"({"type":"digest","digest_id":"d/a/t","digest":"d","account":"a","from":"x","to":"y"})");
  ASSERT_FALSE(wrong);
  EXPECT_NE(wrong.error().message.find("RFC 3339"), std::string::npos);
}

// A corrupted line with two "type" keys: record_type reads the first, so neither
// reader may take the line for its own type on the strength of the second (the
// digest_render fuzz target read {"type":"alert","type":"digest",...} as a
// digest that record_type called an alert).
TEST(DigestRecord, ARepeatedTypeIsRefused) {
  const auto digest = to_json(spec_digest());
  const auto twice = R"({"type":"alert",)" + digest.substr(1);
  EXPECT_EQ(record_type(twice), "alert");
  auto d = parse_digest_record(twice);
  ASSERT_FALSE(d);
  EXPECT_NE(d.error().message.find("repeated"), std::string::npos);
  const std::string alert =
      R"({"type":"digest","type":"alert","alert_id":"a/r/7d","account":"a","status":"firing",)"
      R"("starts_at":"2026-11-20T09:00:00Z","summary":"s"})";
  EXPECT_EQ(record_type(alert), "digest");
  EXPECT_FALSE(parse_alert_record(alert));
  EXPECT_TRUE(parse_alert_record(R"({"type":"alert","alert_id":"a/r/7d","account":"a",)"
                                 R"("status":"firing","starts_at":"2026-11-20T09:00:00Z",)"
                                 R"("summary":"s"})"));
}

TEST(DigestRecord, LogLine) {
  const auto line = render_digest_line(spec_digest());
  EXPECT_EQ(line.rfind("DIGEST", 0), 0u);
  EXPECT_NE(line.find("morning-review/acme/2026-11-20T09:00:00+01:00"), std::string::npos);
  EXPECT_NE(line.find("posts 12"), std::string::npos);
  EXPECT_NE(line.find("1 rule(s) firing"), std::string::npos);
}

}  // namespace
}  // namespace kilter::pipeline
