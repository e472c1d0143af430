#include "pipeline/rules/evidence.h"

#include <gtest/gtest.h>

#include "common/time.h"

namespace kilter::pipeline {
namespace {

using std::chrono::days;
using std::chrono::hours;

TimePoint at(const char* s) {
  return *parse_rfc3339(s);
}

TEST(AlertRecord, MakeFillsContractFieldsAndEvidence) {
  config::Rule rule;
  rule.name = "engagement-drop";
  rule.metric = config::Metric::engagement_change;
  rule.window = days(1);
  rule.window_text = "1d";
  rule.min = -0.5;
  rule.baseline = days(7);
  rule.severity = "critical";

  MetricValue v;
  v.value = -0.6;
  v.figures.sum.posts = {1, 2, 0, 1};
  v.figures.sum.engagement[static_cast<std::size_t>(EngagementClass::professional)]
                          [static_cast<std::size_t>(Action::reply)] = 3;
  v.figures.sum.followers.add(1000, 50);
  v.figures.sum.followers.add(5000, 60);
  WindowFigures base;
  base.sum.posts = {0, 10, 0, 0};
  base.sum.engagement[1][static_cast<std::size_t>(Action::like)] = 40;
  v.baseline = base;
  const Transition t{AlertStatus::resolved, at("2026-11-20T10:00:00Z"), at("2026-11-22T10:00:00Z"),
                     -0.4};
  const std::array<double, kActions> weights = {2, 2, 2, 1, 1, 0};

  auto r = make_alert_record(AccountRef{"exec-jo"}, ProfileRef{"voice"}, rule, t, v, weights);
  EXPECT_EQ(r.alert_id, "exec-jo/engagement_change/1d");
  EXPECT_EQ(r.account, "exec-jo");
  EXPECT_EQ(r.rule, "engagement-drop");
  EXPECT_EQ(r.metric, "engagement_change");
  EXPECT_EQ(r.window, "1d");
  EXPECT_EQ(r.status, AlertStatus::resolved);
  EXPECT_DOUBLE_EQ(r.value, -0.4);
  EXPECT_EQ(r.min, -0.5);
  EXPECT_FALSE(r.max);
  EXPECT_EQ(r.starts_at, t.starts_at);
  EXPECT_EQ(r.ends_at, t.ends_at);
  EXPECT_EQ(r.summary, "exec-jo: engagement per post -40% over 1d vs the previous 7d (min -50%)");
  EXPECT_EQ(r.profile, "voice");
  EXPECT_EQ(r.severity, "critical");
  EXPECT_EQ(r.evidence.posts[3], 1u);
  EXPECT_DOUBLE_EQ(r.evidence.engagement[1], 6);
  ASSERT_TRUE(r.evidence.followers);
  EXPECT_EQ(r.evidence.followers->first, 50);
  EXPECT_EQ(r.evidence.followers->last_at, from_epoch_ms(5000));
  ASSERT_TRUE(r.evidence.baseline);
  EXPECT_EQ(r.evidence.baseline->window, "7d");
  EXPECT_EQ(r.evidence.baseline->posts, 10u);
  EXPECT_EQ(r.evidence.baseline->engagement_per_post, 4.0);
}

TEST(AlertRecord, TopPostFromDetail) {
  PostDetail d;
  d.category = Category::promotional;
  d.confidence = 0.8f;
  d.engagement = 17;
  d.matched = "discount, buy now,,sale ";
  d.link = "https://acme.example/shop";
  auto p = top_post("p-9", d);
  EXPECT_EQ(p.post_id, "p-9");
  EXPECT_EQ(p.category, Category::promotional);
  EXPECT_EQ(p.confidence, 0.8);
  EXPECT_EQ(p.engagement, 17);
  EXPECT_EQ(p.matched, (std::vector<std::string>{"discount", "buy now", "sale"}));
  EXPECT_EQ(p.link, "https://acme.example/shop");
  d.matched.clear();
  EXPECT_TRUE(top_post("p-10", d).matched.empty());
}

TEST(AlertRecord, SetTopPostsKeepsHeaviestOfFocusCategory) {
  std::vector<TopPost> c = {
      {"p-1", Category::personal, 5, 0.9, {"vacation", "family"}, ""},
      {"p-2", Category::professional, 100, 0.9, {"report"}, ""},
      {"p-3", Category::personal, 9, 0.5, {"family"}, ""},
      {"p-4", Category::personal, 5, 0.95, {"weekend"}, ""},
      {"p-5", Category::personal, 1, 0.5, {"family", "vacation"}, ""},
  };
  Evidence e;
  set_top_posts(e, c, share_category(config::Metric::personal_share), 3, 2);
  ASSERT_EQ(e.top_posts.size(), 3u);
  EXPECT_EQ(e.top_posts[0].post_id, "p-3");
  EXPECT_EQ(e.top_posts[1].post_id, "p-4");  // same engagement, higher confidence
  EXPECT_EQ(e.top_posts[2].post_id, "p-1");
  EXPECT_EQ(e.matched_terms, (std::vector<std::string>{"family", "vacation"}));

  set_top_posts(e, c, share_category(config::Metric::posts), 1);
  ASSERT_EQ(e.top_posts.size(), 1u);
  EXPECT_EQ(e.top_posts[0].post_id, "p-2");
  EXPECT_EQ(e.matched_terms.size(), 4u);
}

}  // namespace
}  // namespace kilter::pipeline
