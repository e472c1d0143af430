// The rule options that make alerts trustworthy (issue 14 section 3), driven
// through step() at successive boundaries of a simulated clock:
// keep_firing_for, no_verdict and confidence.
#include <gtest/gtest.h>

#include "common/clock.h"
#include "pipeline/rules/rules.h"

namespace kilter::pipeline {
namespace {

using config::Metric;
using std::chrono::days;
using std::chrono::hours;

TimePoint H(std::int64_t h) {
  return from_epoch_ms(1'700'000'000'000 / 3'600'000 * 3'600'000 + h * 3'600'000);
}

config::Rule share_rule(Metric m, std::optional<double> min, std::optional<double> max) {
  config::Rule r;
  r.name = std::string("r");  // not a char* assignment: GCC 12 -Wrestrict false positive
  r.metric = m;
  r.window = days(7);
  r.window_text = std::string("7d");
  r.min = min;
  r.max = max;
  return r;
}

// A share verdict: `counted` posts of the rule's category among `classified`.
MetricValue share(Metric m, std::uint32_t counted, std::uint32_t classified) {
  MetricValue v;
  const auto c = m == Metric::personal_share ? Category::personal : Category::promotional;
  v.figures.sum.posts[static_cast<std::size_t>(c)] = counted;
  v.figures.sum.posts[static_cast<std::size_t>(Category::professional)] = classified - counted;
  if (classified > 0) v.value = static_cast<double>(counted) / classified;
  return v;
}

struct Semantics : ::testing::Test {
  SimulatedClock clock{H(0)};
  config::Rule r = share_rule(Metric::personal_share, std::nullopt, 0.1);
  AlertState state;
  std::vector<Transition> emitted;
  // Evaluates at the clock's time; a transition is also kept in `emitted`.
  std::optional<Transition> eval(const MetricValue& v) {
    auto t = step(r, state, v, clock.now());
    if (t) emitted.push_back(*t);
    return t;
  }
  std::optional<Transition> eval(std::optional<double> value) {
    MetricValue v;
    v.value = value;
    return eval(v);
  }
  std::optional<Transition> at(std::int64_t hour, std::optional<double> value) {
    clock.set(H(hour));
    return eval(value);
  }
  std::optional<Transition> at(std::int64_t hour, const MetricValue& v) {
    clock.set(H(hour));
    return eval(v);
  }
};

// An account hovering at its limit, one value per boundary.
const double kHovering[] = {0.2, 0.1, 0.12, 0.09, 0.11, 0.1, 0.1, 0.1, 0.1, 0.1};

TEST_F(Semantics, HoveringAtTheLimitFlapsWithoutKeepFiringFor) {
  for (std::size_t i = 0; i < std::size(kHovering); ++i) at(1 + i, kHovering[i]);
  EXPECT_EQ(emitted.size(), 6u);  // fired three times, resolved three times
}

TEST_F(Semantics, HoveringAtTheLimitDoesNotFlapWithKeepFiringFor) {
  r.keep_firing_for = hours(3);
  for (std::size_t i = 0; i < 8; ++i) {
    at(1 + i, kHovering[i]);  // H(1) .. H(8)
    EXPECT_EQ(state.phase, AlertPhase::firing) << i;
  }
  ASSERT_EQ(emitted.size(), 1u);
  EXPECT_EQ(emitted[0].status, AlertStatus::firing);
  EXPECT_EQ(emitted[0].starts_at, H(1));
  // Within since H(6) (0.11 at H(5) broke the wait that began at H(4)).
  EXPECT_EQ(state.within_since, H(6));
  EXPECT_EQ(resolves_by_time(r, state), H(9));
  auto t = at(9, 0.1);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->status, AlertStatus::resolved);
  EXPECT_EQ(t->starts_at, H(1));
  EXPECT_EQ(t->ends_at, H(9));  // the evaluation at which it resolves
  EXPECT_DOUBLE_EQ(t->value, 0.1);
  EXPECT_EQ(state.phase, AlertPhase::inactive);
  EXPECT_FALSE(state.within_since);
  EXPECT_FALSE(resolves_by_time(r, state));
  EXPECT_EQ(emitted.size(), 2u);
}

TEST_F(Semantics, KeepFiringForWaitsThroughNoVerdictAndResolvesAtTheFirstValueAfterIt) {
  r.keep_firing_for = hours(3);
  ASSERT_TRUE(at(1, 0.5));
  EXPECT_FALSE(at(2, 0.05));  // the wait begins
  for (int h = 3; h <= 6; ++h) EXPECT_FALSE(at(h, std::nullopt));
  EXPECT_EQ(state.phase, AlertPhase::firing);
  EXPECT_EQ(state.within_since, H(2));  // no verdict neither breaks nor ends the wait
  auto t = at(7, 0.05);                 // a later evaluation than H(5): ends_at says when
  ASSERT_TRUE(t);
  EXPECT_EQ(t->status, AlertStatus::resolved);
  EXPECT_EQ(t->ends_at, H(7));
}

TEST_F(Semantics, ZeroKeepFiringForResolvesAtOnce) {
  ASSERT_TRUE(at(1, 0.5));
  auto t = at(2, 0.05);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->status, AlertStatus::resolved);
  EXPECT_EQ(t->ends_at, H(2));
}

TEST_F(Semantics, NoVerdictKeepIsTheDefault) {
  EXPECT_FALSE(r.no_verdict_resolve_after);
  ASSERT_TRUE(at(1, 0.5));
  for (int h = 2; h < 24 * 60; h += 24) EXPECT_FALSE(at(h, std::nullopt));
  EXPECT_EQ(state.phase, AlertPhase::firing);
  EXPECT_DOUBLE_EQ(state.last_value, 0.5);
  EXPECT_FALSE(resolves_by_time(r, state));
}

TEST_F(Semantics, NoVerdictResolveAfterEndsAFiringAlertWithItsLastValue) {
  r.no_verdict_resolve_after = days(2);
  ASSERT_TRUE(at(1, 0.3));
  EXPECT_FALSE(at(2, 0.4));  // the last verdict
  EXPECT_EQ(state.verdict_at, H(2));
  EXPECT_EQ(resolves_by_time(r, state), H(50));
  for (int h = 3; h < 50; ++h) EXPECT_FALSE(at(h, std::nullopt)) << h;
  auto t = at(50, std::nullopt);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->status, AlertStatus::resolved);
  EXPECT_EQ(t->starts_at, H(1));
  EXPECT_EQ(t->ends_at, H(50));
  EXPECT_DOUBLE_EQ(t->value, 0.4);
  EXPECT_EQ(state.phase, AlertPhase::inactive);
  EXPECT_FALSE(at(51, std::nullopt));
  // A breach afterwards is a new alert.
  t = at(52, 0.6);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->status, AlertStatus::firing);
  EXPECT_EQ(t->starts_at, H(52));
}

TEST_F(Semantics, NoVerdictResolvesAtTheFirstEvaluationAtOrAfterItsTime) {
  r.no_verdict_resolve_after = days(2);
  ASSERT_TRUE(at(1, 0.3));
  EXPECT_FALSE(at(40, std::nullopt));
  auto t = at(60, std::nullopt);  // no evaluation between H(40) and H(60)
  ASSERT_TRUE(t);
  EXPECT_EQ(t->ends_at, H(60));
  EXPECT_DOUBLE_EQ(t->value, 0.3);
}

TEST_F(Semantics, AVerdictStartsTheNoVerdictCountOverAndPendingIsNotResolved) {
  r.no_verdict_resolve_after = hours(10);
  ASSERT_TRUE(at(1, 0.3));
  EXPECT_FALSE(at(8, std::nullopt));
  EXPECT_FALSE(at(9, 0.3));  // still breaching: counted from here
  EXPECT_FALSE(at(18, std::nullopt));
  EXPECT_EQ(state.phase, AlertPhase::firing);
  ASSERT_TRUE(at(19, std::nullopt));

  // Only a firing alert resolves: a pending one waits for its next verdict.
  r.for_ = hours(2);
  EXPECT_FALSE(at(20, 0.3));
  EXPECT_EQ(state.phase, AlertPhase::pending);
  EXPECT_FALSE(at(40, std::nullopt));
  EXPECT_EQ(state.phase, AlertPhase::pending);
  EXPECT_FALSE(resolves_by_time(r, state));
}

TEST_F(Semantics, TheEarlierOfBothWaitsIsWhenItResolvesByTime) {
  r.keep_firing_for = hours(10);
  r.no_verdict_resolve_after = hours(4);
  ASSERT_TRUE(at(1, 0.3));
  EXPECT_FALSE(at(2, 0.05));
  EXPECT_EQ(resolves_by_time(r, state), H(6));  // no_verdict's, from the verdict at H(2)
  EXPECT_FALSE(at(3, 0.05));
  EXPECT_EQ(resolves_by_time(r, state), H(7));
  auto t = at(7, std::nullopt);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->ends_at, H(7));
}

TEST_F(Semantics, ConfidenceTwoOfTenDoNotBreachFortyOfAHundredDo) {
  r.confidence = 0.9;                                  // max 0.10
  EXPECT_FALSE(breaches(r, share(r.metric, 2, 10)));   // 20%, interval [6.9%, 45.9%]
  EXPECT_TRUE(breaches(r, share(r.metric, 40, 100)));  // 40%, interval [32.3%, 48.2%]
  EXPECT_FALSE(at(1, share(r.metric, 2, 10)));
  EXPECT_EQ(state.phase, AlertPhase::inactive);
  auto t = at(2, share(r.metric, 40, 100));
  ASSERT_TRUE(t);
  EXPECT_EQ(t->status, AlertStatus::firing);
  EXPECT_DOUBLE_EQ(t->value, 0.4);  // the value stays the point share
  // Without a confidence the point share decides: 2 of 10 breaches.
  r.confidence.reset();
  EXPECT_TRUE(breaches(r, share(r.metric, 2, 10)));
}

TEST_F(Semantics, ConfidenceDecidesResolvingAndPendingToo) {
  r.confidence = 0.9;
  ASSERT_TRUE(at(1, share(r.metric, 40, 100)));
  // 15%: above max, and so is the interval's lower bound (10.05%): still firing.
  EXPECT_FALSE(at(2, share(r.metric, 15, 100)));
  // 12%: above max, but the interval [7.6%, 18.4%] holds it: resolved.
  auto t = at(3, share(r.metric, 12, 100));
  ASSERT_TRUE(t);
  EXPECT_EQ(t->status, AlertStatus::resolved);
  EXPECT_DOUBLE_EQ(t->value, 0.12);
  // Pending is cancelled by the same predicate.
  r.for_ = hours(2);
  EXPECT_FALSE(at(4, share(r.metric, 40, 100)));
  EXPECT_EQ(state.phase, AlertPhase::pending);
  EXPECT_FALSE(at(5, share(r.metric, 12, 100)));
  EXPECT_EQ(state.phase, AlertPhase::inactive);
}

TEST_F(Semantics, ConfidenceOnAMinimumAndOnPromotionalShare) {
  r = share_rule(Metric::promotional_share, 0.2, std::nullopt);
  r.confidence = 0.9;
  EXPECT_FALSE(breaches(r, share(r.metric, 1, 10)));  // 10%, upper bound 34.8%
  EXPECT_TRUE(breaches(r, share(r.metric, 5, 100)));  // 5%, upper bound 9.9%
}

TEST_F(Semantics, ConfidenceEdgeCases) {
  r.confidence = 0.9;
  // None of n never breaches a max; all of n does once its lower bound passes it.
  EXPECT_FALSE(breaches(r, share(r.metric, 0, 50)));
  EXPECT_TRUE(breaches(r, share(r.metric, 1, 1)));  // [27%, 100%]
  r.max = 0.5;
  EXPECT_FALSE(breaches(r, share(r.metric, 1, 1)));
  EXPECT_TRUE(breaches(r, share(r.metric, 10, 10)));  // [78.7%, 100%]
  r.max = 0.1;
  // No classified post: no verdict, no breach; a value without counts: [0, 1].
  EXPECT_FALSE(breaches(r, share(r.metric, 0, 0)));
  MetricValue bare;
  bare.value = 0.9;
  EXPECT_FALSE(breaches(r, bare));
  // All of n against a minimum: never below it.
  r.min = 0.5;
  r.max.reset();
  EXPECT_FALSE(breaches(r, share(r.metric, 30, 30)));
  EXPECT_TRUE(breaches(r, share(r.metric, 0, 30)));
}

}  // namespace
}  // namespace kilter::pipeline
