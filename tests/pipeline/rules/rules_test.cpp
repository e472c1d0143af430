#include "pipeline/rules/rules.h"

#include <gtest/gtest.h>

#include "common/clock.h"

namespace kilter::pipeline {
namespace {

using config::Metric;
using std::chrono::days;
using std::chrono::hours;
using std::chrono::minutes;

const std::array<double, kActions> kWeights = {2, 2, 2, 1, 1, 0};

TimePoint H(std::int64_t h) {
  return from_epoch_ms(1'700'000'000'000 / 3'600'000 * 3'600'000 + h * 3'600'000);
}

config::Rule rule(Metric m, Millis window, std::string text, std::optional<double> min,
                  std::optional<double> max) {
  config::Rule r;
  r.name = std::string("r");  // not a char* assignment: GCC 12 -Wrestrict false positive
  r.metric = m;
  r.window = window;
  r.window_text = std::move(text);
  r.min = min;
  r.max = max;
  return r;
}

void posts(AccountWindows& w, TimePoint ts, Category c, int n) {
  for (int i = 0; i < n; ++i) w.add_post(ts, c);
}

TEST(Metrics, PersonalAndPromotionalShareOverClassifiedPosts) {
  AccountWindows w(hours(1));
  posts(w, H(0), Category::personal, 21);
  posts(w, H(5), Category::professional, 27);
  posts(w, H(9), Category::promotional, 2);
  posts(w, H(9), Category::unclassified, 50);  // not in the denominator
  posts(w, H(24), Category::personal, 100);    // at the evaluation time: outside the window

  auto r = rule(Metric::personal_share, days(1), "1d", std::nullopt, 0.1);
  auto v = compute_metric(r, w, H(24), kWeights);
  ASSERT_TRUE(v.value);
  EXPECT_DOUBLE_EQ(*v.value, 0.42);
  EXPECT_EQ(v.figures.posts(), 100u);

  r.metric = Metric::promotional_share;
  v = compute_metric(r, w, H(24), kWeights);
  ASSERT_TRUE(v.value);
  EXPECT_DOUBLE_EQ(*v.value, 0.04);
}

TEST(Metrics, ShareHasNoVerdictWithoutClassifiedPosts) {
  AccountWindows w(hours(1));
  posts(w, H(1), Category::unclassified, 5);
  auto r = rule(Metric::personal_share, days(1), "1d", std::nullopt, 0.1);
  EXPECT_FALSE(compute_metric(r, w, H(24), kWeights).value);
  r.metric = Metric::promotional_share;
  EXPECT_FALSE(compute_metric(r, w, H(24), kWeights).value);
}

TEST(Metrics, PostsCountsEveryCategory) {
  AccountWindows w(hours(1));
  posts(w, H(1), Category::unclassified, 5);
  posts(w, H(2), Category::personal, 3);
  auto r = rule(Metric::posts, days(1), "1d", 1.0, 30.0);
  auto v = compute_metric(r, w, H(24), kWeights);
  ASSERT_TRUE(v.value);
  EXPECT_DOUBLE_EQ(*v.value, 8);
  // An empty window is a verdict too: zero posts (an account gone silent).
  v = compute_metric(r, w, H(100), kWeights);
  ASSERT_TRUE(v.value);
  EXPECT_DOUBLE_EQ(*v.value, 0);
}

TEST(Metrics, EngagementPerPostWeighsEveryClass) {
  AccountWindows w(hours(1));
  posts(w, H(1), Category::personal, 2);
  posts(w, H(2), Category::professional, 2);
  w.add_engagement(H(3), EngagementClass::personal, Action::reply, 3);              // 6
  w.add_engagement(H(3), EngagementClass::unattributed, Action::like, 4);           // 4
  w.add_engagement(H(3), EngagementClass::professional, Action::impression, 1000);  // 0
  auto r = rule(Metric::engagement_per_post, days(1), "1d", 5.0, std::nullopt);
  auto v = compute_metric(r, w, H(24), kWeights);
  ASSERT_TRUE(v.value);
  EXPECT_DOUBLE_EQ(*v.value, 2.5);

  AccountWindows empty(hours(1));
  empty.add_engagement(H(3), EngagementClass::unattributed, Action::like, 4);
  EXPECT_FALSE(compute_metric(r, empty, H(24), kWeights).value);
}

TEST(Metrics, EngagementChangeAgainstPrecedingBaseline) {
  AccountWindows w(hours(1));
  // Baseline [H(-168), H(0)) for a 1d window ending at H(24): 10 posts, 40 weighted.
  posts(w, H(-168), Category::professional, 5);
  posts(w, H(-1), Category::professional, 5);
  w.add_engagement(H(-100), EngagementClass::professional, Action::repost, 20);
  // Before the baseline: ignored.
  posts(w, H(-169), Category::professional, 50);
  // Window [H(0), H(24)): 4 posts, 8 weighted -> 2 per post vs 4: -50%.
  posts(w, H(0), Category::personal, 4);
  w.add_engagement(H(23), EngagementClass::personal, Action::like, 8);

  auto r = rule(Metric::engagement_change, days(1), "1d", -0.5, std::nullopt);
  r.baseline = days(7);
  auto v = compute_metric(r, w, H(24), kWeights);
  ASSERT_TRUE(v.value);
  EXPECT_DOUBLE_EQ(*v.value, -0.5);
  ASSERT_TRUE(v.baseline);
  EXPECT_EQ(v.baseline->posts(), 10u);
  EXPECT_EQ(v.figures.posts(), 4u);
  EXPECT_FALSE(breaches(r, *v.value));  // -0.5 is not below -0.5
}

TEST(Metrics, EngagementChangeNoVerdicts) {
  auto r = rule(Metric::engagement_change, days(1), "1d", -0.5, std::nullopt);
  r.baseline = days(7);
  AccountWindows no_baseline_posts(hours(1));
  posts(no_baseline_posts, H(1), Category::personal, 3);
  no_baseline_posts.add_engagement(H(-3), EngagementClass::unattributed, Action::like, 9);
  EXPECT_FALSE(compute_metric(r, no_baseline_posts, H(24), kWeights).value);

  AccountWindows zero_baseline(hours(1));
  posts(zero_baseline, H(-3), Category::personal, 3);
  zero_baseline.add_engagement(H(-3), EngagementClass::personal, Action::impression, 9);
  posts(zero_baseline, H(1), Category::personal, 3);
  EXPECT_FALSE(compute_metric(r, zero_baseline, H(24), kWeights).value);

  AccountWindows fine(hours(1));
  posts(fine, H(-3), Category::personal, 3);
  fine.add_engagement(H(-3), EngagementClass::personal, Action::like, 9);
  EXPECT_FALSE(compute_metric(r, fine, H(24), kWeights).value);  // no posts in the window
  posts(fine, H(1), Category::personal, 3);
  auto v = compute_metric(r, fine, H(24), kWeights);
  ASSERT_TRUE(v.value);
  EXPECT_DOUBLE_EQ(*v.value, -1.0);  // no engagement at all in the window

  r.baseline.reset();
  EXPECT_FALSE(compute_metric(r, fine, H(24), kWeights).value);
}

TEST(Metrics, FollowerChangeFirstToLastSnapshot) {
  AccountWindows w(hours(1));
  auto r = rule(Metric::follower_change, days(1), "1d", -0.02, std::nullopt);
  w.add_followers(H(2), 1000);
  EXPECT_FALSE(compute_metric(r, w, H(24), kWeights).value);  // one snapshot
  w.add_followers(H(2), 990);
  EXPECT_FALSE(compute_metric(r, w, H(24), kWeights).value);  // same time
  w.add_followers(H(20), 950);
  w.add_followers(H(-2), 10);  // outside the window
  auto v = compute_metric(r, w, H(24), kWeights);
  ASSERT_TRUE(v.value);
  EXPECT_DOUBLE_EQ(*v.value, -0.05);
  EXPECT_TRUE(breaches(r, *v.value));

  AccountWindows zero(hours(1));
  zero.add_followers(H(1), 0);
  zero.add_followers(H(3), 10);
  EXPECT_FALSE(compute_metric(r, zero, H(24), kWeights).value);
}

TEST(Metrics, MinPostsAppliesToEveryMetric) {
  AccountWindows w(hours(1));
  posts(w, H(1), Category::personal, 2);
  w.add_followers(H(1), 100);
  w.add_followers(H(5), 200);
  for (Metric m : {Metric::personal_share, Metric::promotional_share, Metric::posts,
                   Metric::engagement_per_post, Metric::follower_change}) {
    auto r = rule(m, days(1), "1d", std::nullopt, 0.5);
    r.min_posts = 3;
    auto v = compute_metric(r, w, H(24), kWeights);
    EXPECT_FALSE(v.value) << config::to_string(m);
    EXPECT_EQ(v.figures.posts(), 2u);  // the figures are still there
    r.min_posts = 2;
    EXPECT_TRUE(compute_metric(r, w, H(24), kWeights).value) << config::to_string(m);
  }
}

TEST(Rules, Breaches) {
  auto r = rule(Metric::personal_share, days(7), "7d", 0.2, 0.6);
  EXPECT_TRUE(breaches(r, 0.19));
  EXPECT_FALSE(breaches(r, 0.2));
  EXPECT_FALSE(breaches(r, 0.6));
  EXPECT_TRUE(breaches(r, 0.61));
  r.min.reset();
  r.max.reset();
  EXPECT_FALSE(breaches(r, 100));
}

// Drives one rule through evaluations at successive bucket boundaries.
struct Lifecycle : ::testing::Test {
  SimulatedClock clock{H(0)};
  config::Rule r = rule(Metric::personal_share, days(7), "7d", std::nullopt, 0.1);
  AlertState state;
  std::optional<Transition> eval(std::optional<double> v) {
    MetricValue m;
    m.value = v;
    return step(r, state, m, clock.now());
  }
  std::optional<Transition> next(std::optional<double> v) {
    clock.advance(hours(1));
    return eval(v);
  }
};

TEST_F(Lifecycle, PendingThenFiringThenResolved) {
  r.for_ = hours(2);
  EXPECT_FALSE(eval(0.05));
  EXPECT_EQ(state.phase, AlertPhase::inactive);
  EXPECT_FALSE(next(0.3));  // H(1): breach begins
  EXPECT_EQ(state.phase, AlertPhase::pending);
  EXPECT_EQ(state.since, H(1));
  EXPECT_FALSE(next(0.3));  // H(2): held 1h
  EXPECT_FALSE(eval(0.3));  // same time again
  auto t = next(0.4);       // H(3): held 2h
  ASSERT_TRUE(t);
  EXPECT_EQ(t->status, AlertStatus::firing);
  EXPECT_EQ(t->starts_at, H(1));
  EXPECT_FALSE(t->ends_at);
  EXPECT_DOUBLE_EQ(t->value, 0.4);
  EXPECT_EQ(state.phase, AlertPhase::firing);
  EXPECT_FALSE(eval(0.4));  // same time, same verdict
  EXPECT_FALSE(next(0.5));
  EXPECT_DOUBLE_EQ(state.last_value, 0.5);
  t = next(0.08);  // H(5)
  ASSERT_TRUE(t);
  EXPECT_EQ(t->status, AlertStatus::resolved);
  EXPECT_EQ(t->starts_at, H(1));
  EXPECT_EQ(t->ends_at, H(5));
  EXPECT_EQ(state.phase, AlertPhase::inactive);
  EXPECT_FALSE(eval(0.08));
  EXPECT_FALSE(next(0.07));
}

TEST_F(Lifecycle, ZeroForFiresAtOnce) {
  auto t = next(0.2);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->status, AlertStatus::firing);
  EXPECT_EQ(t->starts_at, H(1));
  EXPECT_EQ(state.since, H(1));
  EXPECT_FALSE(next(0.2));
  EXPECT_FALSE(next(0.3));
  t = next(0.1);  // not above max
  ASSERT_TRUE(t);
  EXPECT_EQ(t->status, AlertStatus::resolved);
  EXPECT_EQ(t->starts_at, H(1));
  EXPECT_EQ(t->ends_at, H(4));
  // A new breach is a new alert with its own starts_at.
  t = next(0.9);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->starts_at, H(5));
}

TEST_F(Lifecycle, PendingCancelledEmitsNothing) {
  r.for_ = hours(3);
  EXPECT_FALSE(next(0.3));
  EXPECT_EQ(state.phase, AlertPhase::pending);
  EXPECT_FALSE(next(0.3));
  EXPECT_FALSE(next(0.05));
  EXPECT_EQ(state.phase, AlertPhase::inactive);
  // The breach starts over: the hold counts from the new start.
  EXPECT_FALSE(next(0.3));
  EXPECT_EQ(state.since, H(4));
  EXPECT_FALSE(next(0.3));
  EXPECT_FALSE(next(0.3));
  auto t = next(0.3);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->starts_at, H(4));
}

TEST_F(Lifecycle, NoVerdictKeepsState) {
  r.for_ = hours(1);
  EXPECT_FALSE(next(0.3));
  const AlertState before = state;
  EXPECT_FALSE(next(std::nullopt));
  EXPECT_EQ(state.phase, before.phase);
  EXPECT_EQ(state.since, before.since);
  EXPECT_DOUBLE_EQ(state.last_value, 0.3);
  auto t = next(0.3);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->starts_at, H(1));
  EXPECT_FALSE(next(std::nullopt));  // firing stays firing, nothing resolved
  EXPECT_EQ(state.phase, AlertPhase::firing);
}

TEST_F(Lifecycle, StaleEvaluationIsIgnored) {
  clock.set(H(10));
  ASSERT_TRUE(eval(0.5));
  clock.set(H(9));
  EXPECT_FALSE(eval(0.01));  // older than the firing: must not resolve before it began
  EXPECT_EQ(state.phase, AlertPhase::firing);
  clock.set(H(12));
  ASSERT_TRUE(eval(0.01));
  clock.set(H(10));
  EXPECT_FALSE(eval(0.5));  // would reuse starts_at H(10)
  EXPECT_EQ(state.phase, AlertPhase::inactive);
}

TEST_F(Lifecycle, FreshStateAcceptsTimesBeforeTheEpoch) {
  clock.set(from_epoch_ms(-3'600'000));
  auto t = eval(0.5);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->starts_at, from_epoch_ms(-3'600'000));
}

TEST(Rules, AlertId) {
  auto r = rule(Metric::personal_share, days(7), "7d", std::nullopt, 0.1);
  EXPECT_EQ(alert_id("acme", r), "acme/personal_share/7d");
  r.window_text.clear();
  r.window = hours(36);
  r.metric = Metric::engagement_change;
  EXPECT_EQ(alert_id("exec-jo", r), "exec-jo/engagement_change/36h");
}

TEST(Rules, Summaries) {
  auto r = rule(Metric::personal_share, days(7), "7d", std::nullopt, 0.10);
  EXPECT_EQ(summary("acme", r, 0.42), "acme: personal share 42% over 7d (max 10%)");
  EXPECT_EQ(summary("acme", r, 0.125), "acme: personal share 12.5% over 7d (max 10%)");
  r.min = 0.2;
  r.max = 0.6;
  EXPECT_EQ(summary("acme", r, 0.0), "acme: personal share 0% over 7d (limits 20% to 60%)");
  r = rule(Metric::promotional_share, days(1), "1d", std::nullopt, 0.3);
  EXPECT_EQ(summary("a", r, 1.0), "a: promotional share 100% over 1d (max 30%)");

  r = rule(Metric::posts, days(1), "1d", std::nullopt, 30);
  EXPECT_EQ(summary("acme", r, 41), "acme: 41 posts over 1d (max 30)");
  r.min = 1;
  r.max.reset();
  EXPECT_EQ(summary("acme", r, 0), "acme: 0 posts over 1d (min 1)");
  EXPECT_EQ(describe(r, 1), "1 post over 1d (min 1)");

  r = rule(Metric::engagement_per_post, days(1), "1d", 5, std::nullopt);
  EXPECT_EQ(summary("acme", r, 3.254), "acme: engagement per post 3.25 over 1d (min 5.0)");
  EXPECT_EQ(describe(r, 3.5), "engagement per post 3.5 over 1d (min 5.0)");

  r = rule(Metric::engagement_change, days(1), "1d", -0.5, std::nullopt);
  r.baseline = days(7);
  EXPECT_EQ(summary("acme", r, -0.55),
            "acme: engagement per post -55% over 1d vs the previous 7d (min -50%)");
  r.max = 1.0;
  EXPECT_EQ(describe(r, 1.5),
            "engagement per post +150% over 1d vs the previous 7d (limits -50% to +100%)");

  r = rule(Metric::follower_change, days(7), "7d", -0.02, std::nullopt);
  EXPECT_EQ(summary("acme", r, -0.035), "acme: followers -3.5% over 7d (min -2%)");
  EXPECT_EQ(describe(r, 0.0), "followers 0% over 7d (min -2%)");
  EXPECT_EQ(describe(r, -0.00001), "followers 0% over 7d (min -2%)");
  r.min.reset();
  EXPECT_EQ(describe(r, 0.1), "followers +10% over 7d");
}

TEST(Rules, StatusNames) {
  EXPECT_EQ(to_string(AlertStatus::firing), "firing");
  EXPECT_EQ(to_string(AlertStatus::resolved), "resolved");
}

}  // namespace
}  // namespace kilter::pipeline
