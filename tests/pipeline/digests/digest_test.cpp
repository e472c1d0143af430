// One account's digest record from its windows: exactly the period's buckets,
// shares of classified posts, engagement by action and by category, followers,
// top posts, and each rule's value and status at the period's end.
#include <gtest/gtest.h>

#include "common/time.h"
#include "pipeline/digests/digest.h"

namespace kilter::pipeline::digests {
namespace {

using std::chrono::days;
using std::chrono::hours;

TimePoint t(const char* s) {
  return parse_rfc3339(s).value();
}

config::Profile profile() {
  config::Profile p;
  p.name = "brand";
  config::Rule share;
  share.name = "brand-on-topic";
  share.metric = config::Metric::personal_share;
  share.window = days(1);
  share.window_text = "1d";
  share.max = 0.10;
  p.rules.push_back(share);
  config::Rule drop;
  drop.name = "losing";
  drop.metric = config::Metric::follower_change;
  drop.window = days(7);
  drop.window_text = "7d";
  drop.min = -0.05;
  p.rules.push_back(drop);
  return p;
}

TEST(Digest, FiguresOfThePeriodOnly) {
  config::Digest d;
  d.name = "morning-review";
  d.at = hours(9);
  auto s = Schedule::make(d, "Europe/Paris").value();
  const auto p = s.periods(t("2026-11-19T12:00:00Z"), t("2026-11-20T12:00:00Z")).at(0);
  ASSERT_EQ(p.to, t("2026-11-20T08:00:00Z"));

  AccountWindows w(hours(1));
  w.add_post(p.from - Millis{1}, Category::personal);  // before: not counted
  w.add_post(p.from, Category::personal);
  w.add_post(p.from + hours(3), Category::professional);
  w.add_post(p.from + hours(4), Category::professional);
  w.add_post(p.from + hours(5), Category::unclassified);
  w.add_post(p.to, Category::promotional);  // after: not counted
  w.add_engagement(p.from + hours(6), EngagementClass::professional, Action::like, 10);
  w.add_engagement(p.from + hours(6), EngagementClass::personal, Action::reply, 2);
  w.add_engagement(p.to - Millis{1}, EngagementClass::unattributed, Action::click, 3);
  w.add_followers(p.from + hours(1), 1000);
  w.add_followers(p.to - hours(1), 990);

  const auto prof = profile();
  std::vector<AlertState> alerts(2);
  alerts[0].phase = AlertPhase::firing;
  const std::array<double, kActions> weights = {2, 2, 2, 1, 1, 0};
  DigestInput in{d, s, AccountRef{"acme"}, &prof, w, alerts, weights};
  auto r = build(in, p, [&](AccountRef a, TimePoint from, TimePoint to, const PostVisitor& visit) {
    EXPECT_EQ(a.view(), "acme");
    EXPECT_EQ(from, p.from);
    EXPECT_EQ(to, p.to);
    PostDetail x;
    x.category = Category::professional;
    x.engagement = 7;
    visit(from, "p-1", x);
    x.engagement = 9;
    visit(from, "p-2", x);
  });
  EXPECT_EQ(r.digest_id, "morning-review/acme/2026-11-20T09:00:00+01:00");
  EXPECT_EQ(r.from_text, "2026-11-19T09:00:00+01:00");
  EXPECT_EQ(r.timezone, "Europe/Paris");
  EXPECT_EQ(r.profile, "brand");
  EXPECT_EQ(r.posts, (std::array<std::uint64_t, kCategories>{1, 2, 0, 1}));
  EXPECT_DOUBLE_EQ(*r.personal_share, 1.0 / 3);
  EXPECT_DOUBLE_EQ(*r.promotional_share, 0);
  EXPECT_EQ(r.engagement[static_cast<std::size_t>(Action::like)], 10u);
  EXPECT_EQ(r.engagement[static_cast<std::size_t>(Action::reply)], 2u);
  EXPECT_EQ(r.engagement[static_cast<std::size_t>(Action::click)], 3u);
  EXPECT_EQ(r.engagement_by_category[static_cast<std::size_t>(EngagementClass::unattributed)]
                                    [static_cast<std::size_t>(Action::click)],
            3u);
  ASSERT_TRUE(r.followers);
  EXPECT_EQ(r.followers->start, 1000);
  EXPECT_EQ(r.followers->end, 990);
  EXPECT_DOUBLE_EQ(*r.followers->change, -0.01);
  ASSERT_EQ(r.top_posts.size(), 2u);
  EXPECT_EQ(r.top_posts[0].post_id, "p-2");
  ASSERT_EQ(r.rules.size(), 2u);
  EXPECT_EQ(r.rules[0].rule, "brand-on-topic");
  EXPECT_EQ(r.rules[0].status, "firing");
  EXPECT_DOUBLE_EQ(*r.rules[0].value, 1.0 / 3);
  EXPECT_EQ(r.rules[1].status, "ok");  // -1%: within
  // The share rule out of limits gets its advice (pipeline/rules/advice.h): 1 personal
  // of 3 classified in 1d, max 10%: 1 / (3 + n) <= 0.1 takes n = 7 other posts.
  ASSERT_EQ(r.advice.size(), 1u);
  EXPECT_EQ(r.advice[0].rule, "brand-on-topic");
  EXPECT_EQ(r.advice[0].status, "breach");
  EXPECT_EQ(r.advice[0].posts_needed, 7u);

  EXPECT_TRUE(active(w, &prof, p));
  EXPECT_TRUE(active(w, &prof, Period{p.to + days(5), p.to + days(6)}));  // within 7d of a bucket
  EXPECT_FALSE(active(w, &prof, Period{p.to + days(9), p.to + days(10)}));
}

TEST(Digest, MatchesAccountGlobAndProfile) {
  const auto prof = profile();
  config::Digest d;
  EXPECT_TRUE(matches(d, AccountRef{"anyone"}, nullptr));
  d.match.account = "exec-*";
  EXPECT_TRUE(matches(d, AccountRef{"exec-ann"}, &prof));
  EXPECT_FALSE(matches(d, AccountRef{"acme"}, &prof));
  d.match.profile = "voice";
  EXPECT_FALSE(matches(d, AccountRef{"exec-ann"}, &prof));
}

}  // namespace
}  // namespace kilter::pipeline::digests
