#include "pipeline/delivery/record_format.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "common/time.h"

namespace kilter::pipeline {
namespace {

using std::chrono::days;
using std::chrono::hours;

TimePoint at(const char* s) {
  return *parse_rfc3339(s);
}

AlertRecord spec_record() {
  AlertRecord r;
  r.alert_id = "acme/personal_share/7d";
  r.account = "acme";
  r.rule = "brand-on-topic";
  r.metric = "personal_share";
  r.window = "7d";
  r.status = AlertStatus::firing;
  r.value = 0.42;
  r.max = 0.10;
  r.starts_at = at("2026-11-20T10:00:00Z");
  r.summary = "acme: personal share 42% over 7d (max 10%)";
  r.evidence.posts = {21, 27, 2, 0};
  r.profile = "brand";
  r.severity = "warning";
  return r;
}

TEST(AlertRecord, JsonMatchesSpecShape) {
  EXPECT_EQ(
      to_json(spec_record()),
      R"j({"type":"alert","alert_id":"acme/personal_share/7d","account":"acme",)j"
      R"j("rule":"brand-on-topic",)j"
      R"j("metric":"personal_share","window":"7d","status":"firing","value":0.42,)j"
      R"j("min":null,"max":0.1,"starts_at":"2026-11-20T10:00:00Z","ends_at":null,)j"
      R"j("summary":"acme: personal share 42% over 7d (max 10%)",)j"
      R"j("evidence":{"posts":{"personal":21,"professional":27,"promotional":2,"unclassified":0},)j"
      R"j("engagement":{"personal":0,"professional":0,"promotional":0,"unclassified":0,)j"
      R"j("unattributed":0},"top_posts":[],"matched_terms":[]},)j"
      R"j("profile":"brand","severity":"warning"})j");
}

TEST(AlertRecord, JsonResolvedWithFullEvidence) {
  AlertRecord r = spec_record();
  r.status = AlertStatus::resolved;
  r.value = 0.05;
  r.min = 0.0;
  r.ends_at = at("2026-11-21T03:00:00Z");
  r.summary = "acme: \"quoted\"";
  r.evidence.engagement = {12.5, 3, 0, 0, 4};
  r.evidence.followers =
      FollowerEvidence{1000, 990, at("2026-11-19T00:00:00Z"), at("2026-11-20T09:30:00.250Z")};
  r.evidence.baseline = BaselineEvidence{"7d", 40, 120, 3.0};
  r.evidence.top_posts.push_back(
      TopPost{"p-17", Category::personal, 12, 0.8, {"vacation", "family"}, "https://x.example/a"});
  r.evidence.top_posts.push_back(TopPost{"p-3", Category::personal, 0, 0.5, {}, ""});
  r.evidence.matched_terms = {"vacation"};
  EXPECT_EQ(
      to_json(r),
      R"j({"type":"alert","alert_id":"acme/personal_share/7d","account":"acme",)j"
      R"j("rule":"brand-on-topic",)j"
      R"j("metric":"personal_share","window":"7d","status":"resolved","value":0.05,)j"
      R"j("min":0,"max":0.1,"starts_at":"2026-11-20T10:00:00Z",)j"
      R"j("ends_at":"2026-11-21T03:00:00Z","summary":"acme: \"quoted\"",)j"
      R"j("evidence":{"posts":{"personal":21,"professional":27,"promotional":2,"unclassified":0},)j"
      R"j("engagement":{"personal":12.5,"professional":3,"promotional":0,"unclassified":0,)j"
      R"j("unattributed":4},"followers":{"first":1000,"last":990,)j"
      R"j("first_at":"2026-11-19T00:00:00Z","last_at":"2026-11-20T09:30:00.250Z"},)j"
      R"j("baseline":{"window":"7d","posts":40,"engagement":120,"engagement_per_post":3},)j"
      R"j("top_posts":[{"post_id":"p-17","category":"personal","engagement":12,)j"
      R"j("confidence":0.8,"matched":["vacation","family"],"link":"https://x.example/a"},)j"
      R"j({"post_id":"p-3","category":"personal","engagement":0,"confidence":0.5,)j"
      R"j("matched":[],"link":null}],"matched_terms":["vacation"]},)j"
      R"j("profile":"brand","severity":"warning"})j");
}

// The log sink's line, as it has always been printed.
TEST(AlertRecord, LogLine) {
  AlertRecord r = spec_record();
  EXPECT_EQ(render_alert_line(r),
            "FIRING   acme/personal_share/7d   brand-on-topic       "
            "acme: personal share 42% over 7d (max 10%)");
  r.status = AlertStatus::resolved;
  r.alert_id = "a-very-long-account-name/personal_share/7d";
  r.rule = "";
  EXPECT_EQ(render_alert_line(r),
            "RESOLVED a-very-long-account-name/personal_share/7d                      "
            "acme: personal share 42% over 7d (max 10%)");
}

Advice spec_advice() {
  Advice a;
  a.rule = "brand-on-topic";
  a.metric = "personal_share";
  a.window = "7d";
  a.status = "breach";
  a.value = 0.42;
  a.limit = 0.1;
  a.posts_needed = 160;
  a.of = {Category::professional, Category::promotional};
  a.leaving = 19;
  a.within_by = at("2026-11-22T09:00:00Z");
  a.text = "21 personal of 50 posts in 7d, 42%, max 10%: 160 professional or promotional posts";
  return a;
}

TEST(AlertRecord, AdviceInTheEvidence) {
  AlertRecord r = spec_record();
  r.evidence.advice = spec_advice();
  const auto json = to_json(r);
  EXPECT_NE(
      json.find(
          R"j("matched_terms":[],"advice":{"rule":"brand-on-topic","metric":"personal_share",)j"
          R"j("window":"7d","status":"breach","value":0.42,"limit":0.1,"posts_needed":160,)j"
          R"j("of":["professional","promotional"],"leaving":19,)j"
          R"j("within_by":"2026-11-22T09:00:00Z","pace_per_day":null,)j"
          R"j("text":"21 personal of 50 posts in 7d, 42%, max 10%: 160 professional or )j"
          R"j(promotional posts"}},"profile")j"),
      std::string::npos)
      << json;
  auto back = parse_alert_record(json);
  ASSERT_TRUE(back.ok()) << back.error().message;
  ASSERT_TRUE(back->evidence.advice);
  const Advice& a = *back->evidence.advice;
  EXPECT_EQ(a.rule, "brand-on-topic");
  EXPECT_EQ(a.status, "breach");
  EXPECT_EQ(a.value, 0.42);
  EXPECT_EQ(a.limit, 0.1);
  EXPECT_EQ(a.posts_needed, 160u);
  EXPECT_EQ(a.of, r.evidence.advice->of);
  EXPECT_EQ(a.leaving, 19u);
  EXPECT_EQ(a.within_by, at("2026-11-22T09:00:00Z"));
  EXPECT_FALSE(a.pace_per_day);
  EXPECT_EQ(a.text, r.evidence.advice->text);

  // A posts rule's advice: no limit side categories, a pace, no date.
  Advice p;
  p.rule = "chatter";
  p.metric = "posts";
  p.window = "1d";
  p.status = "breach";
  p.value = 40;
  p.limit = 30;
  p.pace_per_day = 30;
  p.text = "40 posts in 1d";
  r.evidence.advice = p;
  back = parse_alert_record(to_json(r));
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->evidence.advice->pace_per_day, 30);
  EXPECT_FALSE(back->evidence.advice->within_by);
  EXPECT_TRUE(back->evidence.advice->of.empty());
  EXPECT_EQ(to_json(*back), to_json(r));

  // No advice: no key (a resolution's record, a rule of another metric).
  r.evidence.advice.reset();
  EXPECT_EQ(to_json(r).find("\"advice\""), std::string::npos);
}

// Every optional field set, and values that print awkwardly.
AlertRecord full_record() {
  AlertRecord r = spec_record();
  r.status = AlertStatus::resolved;
  r.value = 0.1 + 0.2;
  r.min = -1e-9;
  r.max = 1.7976931348623157e308;
  r.ends_at = at("2026-11-21T03:00:00.250Z");
  r.summary = "acme: \"quoted\" \\ back\nslash\ttab \x01 café ☕ 𝄞 \u2028";
  r.evidence.posts = {0, 18446744073709551615ull, 1, 9007199254740993ull};
  r.evidence.engagement = {12.5, -3, 1e21, 5e-324, -0.0};
  r.evidence.followers = FollowerEvidence{INT64_MIN, INT64_MAX, at("1970-01-01T00:00:00Z"),
                                          at("2026-11-20T09:30:00.250Z")};
  r.evidence.baseline = BaselineEvidence{"28d", 40, 123456789.123456789, -0.5};
  r.evidence.top_posts.push_back(TopPost{"p-17",
                                         Category::unclassified,
                                         0.30000000000000004,
                                         1.0 / 3,
                                         {"vacation", "", "fa\"mily"},
                                         "https://x.example/a?b=c&d"});
  r.evidence.top_posts.push_back(TopPost{"", Category::promotional, 0, 0.5, {}, ""});
  r.evidence.matched_terms = {"vacation", "é\\t"};
  r.profile = "voice";
  r.severity = "critical";
  r.campaign = "black-friday";
  r.evidence.advice = spec_advice();
  return r;
}

void expect_round_trip(const AlertRecord& r) {
  const auto json = to_json(r);
  auto back = parse_alert_record(json);
  ASSERT_TRUE(back.ok()) << back.error().message << "\n" << json;
  EXPECT_EQ(to_json(*back), json);
}

TEST(AlertRecord, JsonReadsBackToTheSameLine) {
  expect_round_trip(spec_record());
  expect_round_trip(full_record());
  AlertRecord r = full_record();
  // Non-finite figures are written as null and read back as not known.
  r.value = std::numeric_limits<double>::quiet_NaN();
  r.min = std::numeric_limits<double>::infinity();
  r.max = -0.0;
  r.evidence.engagement[0] = -std::numeric_limits<double>::infinity();
  r.evidence.baseline->engagement_per_post.reset();
  r.evidence.top_posts[0].confidence = std::numeric_limits<double>::quiet_NaN();
  r.evidence.followers.reset();
  r.campaign.clear();
  r.evidence.advice->value = std::numeric_limits<double>::quiet_NaN();
  r.evidence.advice->limit.reset();
  r.evidence.advice->within_by.reset();
  r.evidence.advice->pace_per_day = 1.0 / 7;
  expect_round_trip(r);
  // The earliest and latest instants an event may carry.
  r.starts_at = from_epoch_ms(-62'167'219'200'000);
  r.ends_at = from_epoch_ms(253'402'300'799'999);
  expect_round_trip(r);
  for (double v : {-123.456, 1e-9, 1e300, -1e-300, 4503599627370496.5, 0.1, 100.0, -0.0})
    for (auto* field : {&r.value, &r.evidence.engagement[2], &r.evidence.top_posts[0].engagement}) {
      *field = v;
      expect_round_trip(r);
    }
}

TEST(AlertRecord, JsonReadsBackTheFields) {
  const AlertRecord r = full_record();
  auto back = parse_alert_record(to_json(r));
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->alert_id, r.alert_id);
  EXPECT_EQ(back->status, AlertStatus::resolved);
  EXPECT_EQ(back->value, r.value);
  EXPECT_EQ(back->min, r.min);
  EXPECT_EQ(back->ends_at, r.ends_at);
  EXPECT_EQ(back->summary, r.summary);
  EXPECT_EQ(back->evidence.posts, r.evidence.posts);
  EXPECT_EQ(back->evidence.followers->first, INT64_MIN);
  EXPECT_EQ(back->evidence.followers->last_at, r.evidence.followers->last_at);
  EXPECT_EQ(back->evidence.baseline->engagement_per_post, -0.5);
  ASSERT_EQ(back->evidence.top_posts.size(), 2u);
  EXPECT_EQ(back->evidence.top_posts[0].category, Category::unclassified);
  EXPECT_EQ(back->evidence.top_posts[0].matched, r.evidence.top_posts[0].matched);
  EXPECT_EQ(back->evidence.top_posts[0].link, r.evidence.top_posts[0].link);
  EXPECT_EQ(back->evidence.matched_terms, r.evidence.matched_terms);
  EXPECT_EQ(back->campaign, "black-friday");
  ASSERT_TRUE(back->evidence.advice);
  EXPECT_EQ(back->evidence.advice->text, r.evidence.advice->text);
}

// "type" came with digests: records stored before it (the outbox) have none.
TEST(AlertRecord, TypeIsAlertOrAbsent) {
  const std::string json = to_json(spec_record());
  ASSERT_TRUE(json.starts_with(R"({"type":"alert","alert_id":)")) << json;
  EXPECT_TRUE(parse_alert_record(json).ok());
  std::string untyped = json;
  untyped.erase(1, std::string_view(R"("type":"alert",)").size());
  auto back = parse_alert_record(untyped);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(to_json(*back), json);
  std::string digest = json;
  digest.replace(9, 5, "digest");
  const auto refused = parse_alert_record(digest);
  ASSERT_FALSE(refused.ok()) << digest;
  EXPECT_NE(refused.error().message.find("not an alert record"), std::string::npos);
}

// Absent optional fields (an older writer, a receiver's hand) read as their
// defaults; the figures as not known.
TEST(AlertRecord, JsonWithOnlyTheRequiredFields) {
  auto r = parse_alert_record(
      R"({"alert_id":"a/posts/1d","account":"a","status":"firing","summary":"s",)"
      R"("starts_at":"2026-11-20T10:00:00+01:00","future":{"x":[1,{}]},"min":null})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->starts_at, at("2026-11-20T09:00:00Z"));
  EXPECT_TRUE(std::isnan(r->value));
  EXPECT_FALSE(r->min.has_value());
  EXPECT_FALSE(r->ends_at.has_value());
  EXPECT_TRUE(r->rule.empty());
  EXPECT_TRUE(r->evidence.top_posts.empty());
}

TEST(AlertRecord, MalformedJsonIsAnError) {
  const std::string good = to_json(spec_record());
  auto without = [&](std::string_view key) {
    std::string s = good;
    const auto at = s.find(fmt::format("\"{}\":", key));
    s.replace(at, key.size() + 2, "\"x_" + std::string(key) + "\"");
    return s;
  };
  auto with = [&](std::string_view from, std::string_view to) {
    std::string s = good;
    s.replace(s.find(from), from.size(), to);
    return s;
  };
  const std::vector<std::string> bad = {
      "",
      "not json",
      "[1,2]",
      "null",
      good.substr(0, good.size() - 1),
      good + " {}",
      without("alert_id"),
      without("account"),
      without("status"),
      without("summary"),
      without("starts_at"),
      with("\"firing\"", "\"pending\""),
      with("\"acme\"", "7"),
      with("\"value\":0.42", "\"value\":\"0.42\""),
      with("\"2026-11-20T10:00:00Z\"", "\"yesterday\""),
      with("\"personal\":21", "\"personal\":-21"),
      with("\"top_posts\":[]", "\"top_posts\":[{\"post_id\":\"p\",\"category\":\"other\"}]"),
      with("\"top_posts\":[]", "\"top_posts\":[7]"),
      with("\"matched_terms\":[]", "\"matched_terms\":[\"a\",1]"),
      with("\"evidence\":{", "\"evidence\":[{"),
      with("\"matched_terms\":[]", "\"matched_terms\":[],\"advice\":7"),
      with("\"matched_terms\":[]", "\"matched_terms\":[],\"advice\":{\"of\":[\"other\"]}"),
      with("\"matched_terms\":[]", "\"matched_terms\":[],\"advice\":{\"leaving\":-1}"),
      with("\"type\":\"alert\"", "\"type\":7"),
      with("\"summary\":\"acme", "\"summary\":\"\xff\xfe"),  // not UTF-8
  };
  for (const auto& s : bad) EXPECT_FALSE(parse_alert_record(s).ok()) << s;
  EXPECT_TRUE(parse_alert_record(good + " \n").ok());
}

}  // namespace
}  // namespace kilter::pipeline
