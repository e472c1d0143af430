#include "pipeline/rules/advice.h"

#include <gtest/gtest.h>

#include "common/time.h"

namespace kilter::pipeline {
namespace {

using config::Metric;
using std::chrono::days;
using std::chrono::hours;

const std::array<double, kActions> kWeights = {2, 2, 2, 1, 1, 0};

// Fri 20 Nov 2026 10:00 UTC: the evaluation time; the 7d window starts Fri 13 Nov 10:00.
const TimePoint kAt = *parse_rfc3339("2026-11-20T10:00:00Z");

TimePoint T(std::string_view rfc3339) {
  return *parse_rfc3339(rfc3339);
}

config::Rule rule(Metric m, std::optional<double> min, std::optional<double> max) {
  config::Rule r;
  r.name = std::string("brand-on-topic");
  r.metric = m;
  r.window = days(7);
  r.window_text = std::string("7d");
  r.min = min;
  r.max = max;
  return r;
}

void posts(AccountWindows& w, TimePoint ts, Category c, int n) {
  for (int i = 0; i < n; ++i) w.add_post(ts, c);
}

std::optional<Advice> advise_at(const config::Rule& r, const AccountWindows& w,
                                TimePoint at = kAt) {
  return advise(r, w, at, compute_metric(r, w, at, kWeights));
}

// The issue's example: 21 personal of 50 posts in 7d, 42%, max 10%.
AccountWindows issue_example() {
  AccountWindows w(hours(1));
  posts(w, T("2026-11-13T12:00:00Z"), Category::personal, 9);       // leaves Fri 20 Nov 13:00
  posts(w, T("2026-11-14T12:00:00Z"), Category::professional, 10);  // leaves Sat 21 Nov 13:00
  posts(w, T("2026-11-15T08:00:00Z"), Category::personal, 10);      // leaves Sun 22 Nov 09:00
  posts(w, T("2026-11-18T12:00:00Z"), Category::professional, 17);
  posts(w, T("2026-11-18T12:00:00Z"), Category::promotional, 2);
  posts(w, T("2026-11-19T12:00:00Z"), Category::personal, 2);
  posts(w, T("2026-11-19T12:00:00Z"), Category::unclassified, 4);  // not in the share
  return w;
}

TEST(Advice, IssueExampleNeeds160OtherPostsAndIsBackBySunday) {
  const auto w = issue_example();
  const auto a = advise_at(rule(Metric::personal_share, std::nullopt, 0.10), w);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->rule, "brand-on-topic");
  EXPECT_EQ(a->metric, "personal_share");
  EXPECT_EQ(a->window, "7d");
  EXPECT_EQ(a->status, "breach");
  EXPECT_DOUBLE_EQ(a->value, 0.42);
  EXPECT_EQ(a->limit, 0.10);
  // 21 / (50 + 160) = 10% exactly; 21 / 209 is still above.
  EXPECT_EQ(a->posts_needed, 160u);
  EXPECT_EQ(a->of, (std::vector<Category>{Category::professional, Category::promotional}));
  // By hand: Fri 20 Nov 13:00 the 9 personal posts leave (12 of 41, 29%); Sat 21
  // Nov 13:00 10 professional ones (12 of 31, 39%); Sun 22 Nov 09:00 10 personal
  // ones: 2 of 21, 9.5%, within the max.
  EXPECT_EQ(a->within_by, T("2026-11-22T09:00:00Z"));
  EXPECT_EQ(a->leaving, 19u);
  EXPECT_FALSE(a->pace_per_day);
  EXPECT_EQ(a->text,
            "21 personal of 50 posts in 7d, 42%, max 10%: 160 professional or promotional posts "
            "would be needed; with no new post, back within limits by Sun 22 Nov (19 personal "
            "posts leave the window)");
}

TEST(Advice, PostsNeededIsTheRulesOwnBoundaryForEveryShape) {
  // The smallest n for which the rule itself (breaches()) sees the account within
  // limits: no float rounding of p / max - c shows.
  for (double max : {0.05, 0.1, 0.15, 0.2, 0.25, 1.0 / 3, 0.4, 0.6, 0.7}) {
    for (int p = 1; p <= 25; ++p) {
      for (int c = p; c <= 40; ++c) {
        AccountWindows w(hours(1));
        posts(w, T("2026-11-19T12:00:00Z"), Category::personal, p);
        posts(w, T("2026-11-19T12:00:00Z"), Category::professional, c - p);
        const auto r = rule(Metric::personal_share, std::nullopt, max);
        const auto a = advise_at(r, w);
        if (!breaches(r, static_cast<double>(p) / c)) continue;
        ASSERT_TRUE(a) << p << "/" << c << " max " << max;
        const auto n = static_cast<double>(a->posts_needed);
        EXPECT_FALSE(breaches(r, p / (c + n))) << p << "/" << c << " max " << max;
        EXPECT_TRUE(breaches(r, p / (c + n - 1))) << p << "/" << c << " max " << max;
      }
    }
  }
  for (double min : {0.05, 0.1, 0.2, 0.25, 1.0 / 3, 0.5, 0.9}) {
    for (int p = 0; p <= 20; ++p) {
      for (int c = std::max(p, 1); c <= 40; ++c) {
        AccountWindows w(hours(1));
        posts(w, T("2026-11-19T12:00:00Z"), Category::personal, p);
        posts(w, T("2026-11-19T12:00:00Z"), Category::professional, c - p);
        const auto r = rule(Metric::personal_share, min, std::nullopt);
        if (!breaches(r, static_cast<double>(p) / c)) continue;
        const auto a = advise_at(r, w);
        ASSERT_TRUE(a);
        const auto n = static_cast<double>(a->posts_needed);
        EXPECT_FALSE(breaches(r, (p + n) / (c + n))) << p << "/" << c << " min " << min;
        EXPECT_TRUE(breaches(r, (p + n - 1) / (c + n - 1))) << p << "/" << c << " min " << min;
      }
    }
  }
}

TEST(Advice, MinShareNeedsPersonalPostsOrTheOthersLeaving) {
  AccountWindows w(hours(1));
  posts(w, T("2026-11-14T12:00:00Z"), Category::professional, 30);  // leaves Sat 21 Nov 13:00
  posts(w, T("2026-11-18T12:00:00Z"), Category::promotional, 8);
  posts(w, T("2026-11-19T12:00:00Z"), Category::personal, 2);
  auto r = rule(Metric::personal_share, 0.20, 0.60);
  r.name = std::string("show-the-person");
  const auto a = advise_at(r, w);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->status, "breach");
  EXPECT_EQ(a->limit, 0.20);
  // (2 + 8) / (40 + 8) = 20.8%; (2 + 7) / 47 = 19.1%.
  EXPECT_EQ(a->posts_needed, 8u);
  EXPECT_EQ(a->of, std::vector<Category>{Category::personal});
  // The 30 professional posts leave: 2 of 10, 20%, within.
  EXPECT_EQ(a->within_by, T("2026-11-21T13:00:00Z"));
  EXPECT_EQ(a->leaving, 30u);
  EXPECT_EQ(a->text,
            "2 personal of 40 posts in 7d, 5%, min 20%: 8 personal posts would be needed; with no "
            "new post, back within limits by Sat 21 Nov (30 professional or promotional posts "
            "leave the window)");

  // Under min_posts once they left: no verdict then, so no date.
  r.min_posts = 35;
  const auto b = advise_at(r, w);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->posts_needed, 8u);
  EXPECT_FALSE(b->within_by);
  EXPECT_EQ(b->leaving, 0u);
  EXPECT_TRUE(b->text.ends_with(
      "with no new post, the window falls under min_posts (35) before it is back within limits"))
      << b->text;
}

TEST(Advice, PromotionalShareCountsPromotionalPosts) {
  AccountWindows w(hours(1));
  posts(w, T("2026-11-18T12:00:00Z"), Category::promotional, 5);
  posts(w, T("2026-11-18T12:00:00Z"), Category::professional, 5);
  auto r = rule(Metric::promotional_share, std::nullopt, 0.40);
  const auto a = advise_at(r, w);
  ASSERT_TRUE(a);
  // 5 / (10 + 3) = 38%; 5 / 12 = 42%.
  EXPECT_EQ(a->posts_needed, 3u);
  EXPECT_EQ(a->of, (std::vector<Category>{Category::personal, Category::professional}));
  EXPECT_FALSE(a->within_by);  // they all leave together: no classified post, no verdict
  EXPECT_TRUE(
      a->text.starts_with("5 promotional of 10 posts in 7d, 50%, max 40%: 3 personal or "
                          "professional posts would be needed;"))
      << a->text;
}

TEST(Advice, PostsAboveMaxComesBackAtTheCurrentPaceWhenOldPostsLeave) {
  AccountWindows w(hours(1));
  posts(w, T("2026-11-13T12:00:00Z"), Category::personal, 8);       // leaves Fri 20 Nov 13:00
  posts(w, T("2026-11-14T12:00:00Z"), Category::professional, 20);  // leaves Sat 21 Nov 13:00
  posts(w, T("2026-11-19T12:00:00Z"), Category::unclassified, 12);
  const auto r = rule(Metric::posts, std::nullopt, 30);
  const auto a = advise_at(r, w);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->status, "breach");
  EXPECT_EQ(a->limit, 30);
  ASSERT_TRUE(a->pace_per_day);
  EXPECT_DOUBLE_EQ(*a->pace_per_day, 30.0 / 7);
  // Pace 40 / 7 = 5.71 a day. Fri 20 Nov 13:00: 32 left + 0.125 d x 5.71 = 32.7;
  // Sat 21 Nov 13:00: 12 left + 1.125 d x 5.71 = 18.4, within.
  EXPECT_EQ(a->within_by, T("2026-11-21T13:00:00Z"));
  EXPECT_EQ(a->leaving, 28u);
  EXPECT_EQ(a->posts_needed, 0u);
  EXPECT_TRUE(a->of.empty());
  EXPECT_EQ(a->text,
            "40 posts in 7d, max 30: at most 4.29 posts a day keep it within; at the current "
            "pace (5.71 a day), back within limits by Sat 21 Nov (28 posts leave the window)");
}

TEST(Advice, PostsAboveMaxWithRecentPostsStaysAboveAtTheCurrentPace) {
  AccountWindows w(hours(1));
  posts(w, T("2026-11-19T12:00:00Z"), Category::professional, 40);
  const auto a = advise_at(rule(Metric::posts, std::nullopt, 30), w);
  ASSERT_TRUE(a);
  // Thu 26 Nov 13:00: 0 left + 6.125 d x 5.71 = 35 > 30.
  EXPECT_FALSE(a->within_by);
  EXPECT_EQ(a->leaving, 0u);
  EXPECT_TRUE(a->text.ends_with("at the current pace (5.71 a day), it stays above the max"))
      << a->text;
}

TEST(Advice, PostsBelowMinNeedsTheMissingPosts) {
  AccountWindows w(hours(1));
  posts(w, T("2026-11-19T12:00:00Z"), Category::professional, 1);
  const auto a = advise_at(rule(Metric::posts, 3, std::nullopt), w);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->posts_needed, 2u);
  EXPECT_FALSE(a->within_by);
  EXPECT_EQ(a->text, "1 post in 7d, min 3: 2 more posts would be needed");
  // Within limits: nothing to advise.
  EXPECT_FALSE(advise_at(rule(Metric::posts, 1, 30), w));
}

TEST(Advice, CloseToAMaxSaysHowManyMoreItTakes) {
  AccountWindows w(hours(1));
  posts(w, T("2026-11-19T12:00:00Z"), Category::personal, 9);
  posts(w, T("2026-11-19T12:00:00Z"), Category::professional, 91);
  const auto a = advise_at(rule(Metric::personal_share, std::nullopt, 0.10), w);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->status, "close");
  EXPECT_EQ(a->limit, 0.10);
  // 9% is within 10% of the max; 10 / 101 is within, 11 / 102 is not.
  EXPECT_EQ(a->posts_needed, 1u);
  EXPECT_EQ(a->of, std::vector<Category>{Category::personal});
  EXPECT_FALSE(a->within_by);
  EXPECT_EQ(a->text,
            "9 personal of 100 posts in 7d, 9%, max 10%: close to the limit, room for 1 more "
            "personal post");

  // 8%: further than 10% of the max, and 2 more posts fit: nothing to say.
  AccountWindows far(hours(1));
  posts(far, T("2026-11-19T12:00:00Z"), Category::personal, 8);
  posts(far, T("2026-11-19T12:00:00Z"), Category::professional, 92);
  EXPECT_FALSE(advise_at(rule(Metric::personal_share, std::nullopt, 0.10), far));
}

TEST(Advice, CloseWhenTheNextPostWouldBreach) {
  // 0 of 2: far from 30% in value, but one personal post makes 33%.
  AccountWindows w(hours(1));
  posts(w, T("2026-11-19T12:00:00Z"), Category::professional, 2);
  const auto a = advise_at(rule(Metric::personal_share, std::nullopt, 0.30), w);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->status, "close");
  EXPECT_EQ(a->posts_needed, 0u);
  EXPECT_EQ(a->text,
            "0 personal of 2 posts in 7d, 0%, max 30%: close to the limit, the next personal "
            "post would breach it");
}

TEST(Advice, CloseToAMinCountsTheOtherCategories) {
  AccountWindows w(hours(1));
  posts(w, T("2026-11-19T12:00:00Z"), Category::personal, 22);
  posts(w, T("2026-11-19T12:00:00Z"), Category::professional, 78);
  const auto a = advise_at(rule(Metric::personal_share, 0.20, 0.60), w);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->status, "close");
  EXPECT_EQ(a->limit, 0.20);
  // 22 / 110 = 20%, within; 22 / 111 is not.
  EXPECT_EQ(a->posts_needed, 10u);
  EXPECT_EQ(a->of, (std::vector<Category>{Category::professional, Category::promotional}));
  EXPECT_TRUE(
      a->text.ends_with("min 20%: close to the limit, room for 10 more professional or "
                        "promotional posts"))
      << a->text;
}

TEST(Advice, NoClassifiedPostsIsNoVerdictAndNoAdvice) {
  AccountWindows w(hours(1));
  posts(w, T("2026-11-19T12:00:00Z"), Category::unclassified, 5);
  EXPECT_FALSE(advise_at(rule(Metric::personal_share, 0.2, 0.1), w));
  EXPECT_FALSE(advise_at(rule(Metric::personal_share, 0.2, 0.1), AccountWindows(hours(1))));
}

TEST(Advice, AllPersonalPostsNeverComeBackByLeaving) {
  AccountWindows w(hours(1));
  posts(w, T("2026-11-19T12:00:00Z"), Category::personal, 10);
  const auto a = advise_at(rule(Metric::personal_share, std::nullopt, 0.10), w);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->posts_needed, 90u);  // 10 of 100
  // Once they leave, no classified post: no verdict, so no date.
  EXPECT_FALSE(a->within_by);
  EXPECT_EQ(a->leaving, 0u);
  EXPECT_EQ(a->text,
            "10 personal of 10 posts in 7d, 100%, max 10%: 90 professional or promotional posts "
            "would be needed; with no new post, it stays out of limits until its last classified "
            "post leaves the window");
}

TEST(Advice, MaxZeroCanOnlyWaitForThePostsToLeave) {
  AccountWindows w(hours(1));
  posts(w, T("2026-11-16T06:00:00Z"), Category::personal, 3);  // leaves Mon 23 Nov 07:00
  posts(w, T("2026-11-19T12:00:00Z"), Category::professional, 47);
  const auto a = advise_at(rule(Metric::personal_share, std::nullopt, 0.0), w);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->posts_needed, 0u);
  EXPECT_TRUE(a->of.empty());
  EXPECT_EQ(a->within_by, T("2026-11-23T07:00:00Z"));
  EXPECT_EQ(a->leaving, 3u);
  EXPECT_EQ(a->text,
            "3 personal of 50 posts in 7d, 6%, max 0%: no number of other posts is enough; with "
            "no new post, back within limits by Mon 23 Nov (3 personal posts leave the window)");
}

TEST(Advice, LimitOne) {
  AccountWindows w(hours(1));
  posts(w, T("2026-11-16T06:00:00Z"), Category::professional, 5);  // leaves Mon 23 Nov 07:00
  posts(w, T("2026-11-19T12:00:00Z"), Category::personal, 5);
  // max 1: never breached, never close.
  EXPECT_FALSE(advise_at(rule(Metric::personal_share, std::nullopt, 1.0), w));
  // min 1: no number of personal posts reaches it; the others leaving do.
  const auto a = advise_at(rule(Metric::personal_share, 1.0, std::nullopt), w);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->posts_needed, 0u);
  EXPECT_TRUE(a->of.empty());
  EXPECT_EQ(a->within_by, T("2026-11-23T07:00:00Z"));
  EXPECT_EQ(a->leaving, 5u);
  EXPECT_TRUE(
      a->text.starts_with("5 personal of 10 posts in 7d, 50%, min 100%: no number of "
                          "personal posts is enough;"))
      << a->text;
}

TEST(Advice, OtherMetricsHaveNone) {
  AccountWindows w(hours(1));
  posts(w, T("2026-11-19T12:00:00Z"), Category::professional, 5);
  EXPECT_FALSE(advise_at(rule(Metric::engagement_per_post, 100, std::nullopt), w));
  EXPECT_FALSE(advise_at(rule(Metric::follower_change, -0.01, std::nullopt), w));
}

TEST(Advice, DayIsUtcWeekdayAndDate) {
  EXPECT_EQ(advice_day(T("2026-11-24T23:59:00Z")), "Tue 24 Nov");
  EXPECT_EQ(advice_day(T("2026-11-24T23:30:00-01:00")), "Wed 25 Nov");
}

}  // namespace
}  // namespace kilter::pipeline
