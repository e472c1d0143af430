// One account's event-time buckets: adding events (the per-event cost of the
// engine's window update) and summing a rolling window (the per-rule cost of an
// evaluation). items_per_second is events (or window sums) per second.
#include <benchmark/benchmark.h>

#include <chrono>

#include "pipeline/windows/windows.h"

namespace {

using kilter::Action;
using kilter::Category;
using kilter::EngagementClass;
using kilter::Millis;
using kilter::TimePoint;
using kilter::pipeline::AccountWindows;
using std::chrono::days;
using std::chrono::hours;
using std::chrono::seconds;

constexpr TimePoint kStart = kilter::from_epoch_ms(1'794'787'200'000);  // 2026-11-16T00:00:00Z
constexpr Millis kBucket = hours(1);
constexpr Millis kRetention = days(35);
// The engine takes the pending deltas at each commit and expires old buckets at
// evaluations; doing the same here keeps the memory at its steady size.
constexpr std::int64_t kEventsPerCommit = 1'000;

// Events in time order, `step` apart, so that the arg sets how many share a
// bucket: 10 s (360 per bucket), 10 min (6 per bucket), 1 h (one bucket each).
template <class Add>
void run_adds(benchmark::State& state, Add add) {
  const Millis step = seconds(state.range(0));
  AccountWindows w(kBucket);
  TimePoint ts = kStart;
  std::int64_t n = 0;
  for (auto _ : state) {
    add(w, ts, n);
    ts += step;
    if (++n % kEventsPerCommit == 0) {
      auto pending = w.take_pending();
      benchmark::DoNotOptimize(pending);
      w.expire(ts - kRetention);
    }
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_AddPost(benchmark::State& state) {
  run_adds(state, [](AccountWindows& w, TimePoint ts, std::int64_t n) {
    w.add_post(ts, static_cast<Category>(n % 3));
  });
}

void BM_AddEngagement(benchmark::State& state) {
  run_adds(state, [](AccountWindows& w, TimePoint ts, std::int64_t n) {
    w.add_engagement(ts, static_cast<EngagementClass>(n % 5), static_cast<Action>(n % 6),
                     static_cast<std::uint64_t>(1 + n % 40));
  });
}

void BM_AddFollowers(benchmark::State& state) {
  run_adds(state, [](AccountWindows& w, TimePoint ts, std::int64_t n) {
    w.add_followers(ts, 10'000 + n);
  });
}

// Every other event is delivered 4 minutes late (the generator's jitter), so a
// share of them lands in the bucket before the newest: the binary-search path.
void BM_AddPostOutOfOrder(benchmark::State& state) {
  run_adds(state, [](AccountWindows& w, TimePoint ts, std::int64_t n) {
    w.add_post(n % 2 == 0 ? ts : ts - std::chrono::minutes(4), static_cast<Category>(n % 3));
  });
}

// An account with a full retention of hourly buckets holding posts,
// engagement and followers.
AccountWindows full_account() {
  AccountWindows w(kBucket);
  const auto buckets = kRetention / kBucket;
  for (std::int64_t b = 0; b < buckets; ++b) {
    const TimePoint t = kStart + b * kBucket;
    w.add_post(t, static_cast<Category>(b % 3));
    w.add_engagement(t + Millis{1}, EngagementClass::professional, Action::like, 12);
    w.add_engagement(t + Millis{2}, EngagementClass::personal, Action::reply, 2);
    w.add_followers(t + Millis{3}, 10'000 + b);
  }
  w.take_pending();
  return w;
}

// The sum of a window of `range(0)` hours ending at the newest boundary.
void BM_WindowSum(benchmark::State& state) {
  const AccountWindows w = full_account();
  const TimePoint end = *w.newest() + kBucket;
  const Millis length = hours(state.range(0));
  for (auto _ : state) {
    auto f = w.window(end, length);
    benchmark::DoNotOptimize(f);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["buckets"] = static_cast<double>(state.range(0));
}

BENCHMARK(BM_AddPost)->ArgName("step_s")->Arg(10)->Arg(600)->Arg(3600);
BENCHMARK(BM_AddEngagement)->ArgName("step_s")->Arg(10)->Arg(600)->Arg(3600);
BENCHMARK(BM_AddFollowers)->ArgName("step_s")->Arg(600);
BENCHMARK(BM_AddPostOutOfOrder)->ArgName("step_s")->Arg(120);
BENCHMARK(BM_WindowSum)->ArgName("hours")->Arg(24)->Arg(24 * 7)->Arg(24 * 28);

}  // namespace

BENCHMARK_MAIN();
