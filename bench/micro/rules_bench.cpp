// Rule evaluation of one account: compute_metric (the window sums and the
// metric) followed by step (the alert lifecycle), for each metric, over an
// account holding five weeks of hourly buckets. Each iteration evaluates at the
// next hourly boundary of the last week, as the engine does when the watermark
// moves. items_per_second is rule evaluations per second.
#include <benchmark/benchmark.h>

#include <chrono>
#include <optional>

#include "config/config.h"
#include "pipeline/rules/rules.h"
#include "pipeline/windows/windows.h"

namespace {

using kilter::Action;
using kilter::Category;
using kilter::EngagementClass;
using kilter::Millis;
using kilter::TimePoint;
using kilter::config::Metric;
using kilter::config::Rule;
using kilter::pipeline::AccountWindows;
using std::chrono::days;
using std::chrono::hours;

constexpr TimePoint kStart = kilter::from_epoch_ms(1'794'787'200'000);  // 2026-11-16T00:00:00Z
constexpr Millis kBucket = hours(1);
constexpr Millis kHistory = days(35);

// Posts of every category, engagement that fades over the weeks (so that
// engagement_change has something to compare) and a growing follower count.
AccountWindows account() {
  AccountWindows w(kBucket);
  const auto buckets = kHistory / kBucket;
  for (std::int64_t b = 0; b < buckets; ++b) {
    const TimePoint t = kStart + b * kBucket;
    if (b % 2 == 0) w.add_post(t, static_cast<Category>((b / 2) % 3));
    const auto fade = static_cast<std::uint64_t>(buckets - b) / 24 + 1;
    w.add_engagement(t + Millis{1}, static_cast<EngagementClass>(b % 3), Action::like, fade * 3);
    w.add_engagement(t + Millis{2}, EngagementClass::professional, Action::repost, fade);
    if (b % 6 == 0) w.add_followers(t + Millis{3}, 10'000 + b * 3);
  }
  w.take_pending();
  return w;
}

Rule rule_for(Metric m) {
  Rule r;
  r.name = std::string(kilter::config::to_string(m));
  r.metric = m;
  r.window = days(7);
  r.window_text = "7d";
  r.min_posts = 10;
  switch (m) {
    case Metric::personal_share:
      r.max = 0.10;
      break;
    case Metric::promotional_share:
      r.max = 0.40;
      break;
    case Metric::posts:
      r.window = days(1);
      r.window_text = "1d";
      r.min_posts = 0;
      r.max = 30;
      break;
    case Metric::engagement_per_post:
      r.min = 5;
      break;
    case Metric::engagement_change:
      r.baseline = days(28);
      r.min = -0.5;
      break;
    case Metric::follower_change:
      r.min_posts = 0;
      r.min = 0.0;
      break;
  }
  r.for_ = hours(2);
  return r;
}

void BM_Evaluate(benchmark::State& state, Metric m) {
  const AccountWindows w = account();
  const Rule rule = rule_for(m);
  const kilter::config::PipelineConfig pipeline;
  const TimePoint last = *w.newest() + kBucket;
  const auto week = days(7) / kBucket;
  std::int64_t i = 0;
  kilter::AlertState alert;
  std::int64_t transitions = 0;
  for (auto _ : state) {
    const TimePoint at = last - (week - 1 - i) * kBucket;
    auto v = kilter::pipeline::compute_metric(rule, w, at, pipeline.engagement_weights);
    auto t = kilter::pipeline::step(rule, alert, v, at);
    transitions += t ? 1 : 0;
    benchmark::DoNotOptimize(t);
    if (++i == week) {
      // Back to the week's first boundary: a fresh state, or step() would
      // rightly ignore evaluations older than its last transition.
      i = 0;
      alert = {};
    }
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["transitions"] =
      benchmark::Counter(static_cast<double>(transitions), benchmark::Counter::kAvgIterations);
}

BENCHMARK_CAPTURE(BM_Evaluate, personal_share, Metric::personal_share);
BENCHMARK_CAPTURE(BM_Evaluate, promotional_share, Metric::promotional_share);
BENCHMARK_CAPTURE(BM_Evaluate, posts, Metric::posts);
BENCHMARK_CAPTURE(BM_Evaluate, engagement_per_post, Metric::engagement_per_post);
BENCHMARK_CAPTURE(BM_Evaluate, engagement_change, Metric::engagement_change);
BENCHMARK_CAPTURE(BM_Evaluate, follower_change, Metric::follower_change);

// A profile's worth: the built-in brand profile's three rules on one account.
void BM_EvaluateBrandProfile(benchmark::State& state) {
  const AccountWindows w = account();
  const auto profiles = kilter::config::builtin_profiles();
  const auto& rules = profiles.at("brand").rules;
  const kilter::config::PipelineConfig pipeline;
  const TimePoint at = *w.newest() + kBucket;
  std::vector<kilter::AlertState> alerts(rules.size());
  for (auto _ : state) {
    for (std::size_t r = 0; r < rules.size(); ++r) {
      auto v = kilter::pipeline::compute_metric(rules[r], w, at, pipeline.engagement_weights);
      auto t = kilter::pipeline::step(rules[r], alerts[r], v, at);
      benchmark::DoNotOptimize(t);
    }
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["rules"] = static_cast<double>(rules.size());
}
BENCHMARK(BM_EvaluateBrandProfile);

}  // namespace

BENCHMARK_MAIN();
