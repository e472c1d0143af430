#include "pipeline/delivery/record_format.h"

#include <gtest/gtest.h>

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
      R"j({"alert_id":"acme/personal_share/7d","account":"acme","rule":"brand-on-topic",)j"
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
      R"j({"alert_id":"acme/personal_share/7d","account":"acme","rule":"brand-on-topic",)j"
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

TEST(AlertRecord, TextLine) {
  AlertRecord r = spec_record();
  r.evidence.top_posts = {{"p-17", Category::personal, 9, 0.9, {"vacation"}, ""},
                          {"p-3", Category::personal, 5, 0.9, {}, ""},
                          {"p-4", Category::personal, 4, 0.9, {"family"}, ""},
                          {"p-5", Category::personal, 1, 0.9, {"beach"}, ""}};
  EXPECT_EQ(to_text(r),
            "FIRING  acme  brand-on-topic  personal share 42% over 7d (max 10%)  "
            "[21 personal / 27 professional / 2 promotional; top: p-17 \"vacation\", p-3, "
            "p-4 \"family\", ...]");
  r.status = AlertStatus::resolved;
  r.evidence.top_posts.clear();
  r.evidence.posts[3] = 4;
  r.evidence.followers = FollowerEvidence{100, 90, {}, {}};
  r.evidence.baseline = BaselineEvidence{"7d", 40, 100, 2.5};
  EXPECT_EQ(to_text(r),
            "RESOLVED  acme  brand-on-topic  personal share 42% over 7d (max 10%)  "
            "[21 personal / 27 professional / 2 promotional / 4 unclassified; "
            "followers 100 -> 90; previous 7d: 40 posts, 2.5 per post]");
}

}  // namespace
}  // namespace kilter::pipeline
