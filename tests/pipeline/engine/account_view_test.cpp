// The per-account view: the day boundaries of the status page's history and the
// window its balance is read over.
#include "pipeline/engine/account_view.h"

#include <gtest/gtest.h>

#include "common/time.h"
#include "config/loader.h"

namespace kilter::pipeline {
namespace {

TimePoint at(const char* text) {
  return *parse_rfc3339(text);
}

BucketCounts posts(std::uint32_t personal, std::uint32_t professional) {
  BucketCounts c;
  c.posts[static_cast<std::size_t>(Category::personal)] = personal;
  c.posts[static_cast<std::size_t>(Category::professional)] = professional;
  return c;
}

TEST(AccountHistory, WholeUtcDaysEndingWithTheDayBeforeTheWindowsEnd) {
  const auto end = at("2026-11-23T00:00:00Z");
  auto h = empty_history(end, 14);
  ASSERT_EQ(h.days.size(), 14u);
  EXPECT_EQ(h.first_day, at("2026-11-09T00:00:00Z"));  // the last day is the 22nd
  const auto window = Millis{std::chrono::days{7}};
  add_to_history(h, end, window, at("2026-11-08T23:00:00Z"), posts(1, 0));   // before both
  add_to_history(h, end, window, at("2026-11-09T00:00:00Z"), posts(2, 0));   // first day
  add_to_history(h, end, window, at("2026-11-15T23:00:00Z"), posts(4, 0));   // not in 7d
  add_to_history(h, end, window, at("2026-11-16T00:00:00Z"), posts(0, 8));   // first hour of 7d
  add_to_history(h, end, window, at("2026-11-22T23:00:00Z"), posts(16, 0));  // last day
  add_to_history(h, end, window, end, posts(32, 0));  // at the end: outside both
  EXPECT_EQ(h.days[0].total_posts(), 2u);
  EXPECT_EQ(h.days[6].total_posts(), 4u);
  EXPECT_EQ(h.days[7].total_posts(), 8u);
  EXPECT_EQ(h.days[13].total_posts(), 16u);
  std::uint64_t all = 0;
  for (const auto& d : h.days) all += d.total_posts();
  EXPECT_EQ(all, 2u + 4 + 8 + 16);
  EXPECT_EQ(h.window.posts[static_cast<std::size_t>(Category::personal)], 16u);
  EXPECT_EQ(h.window.posts[static_cast<std::size_t>(Category::professional)], 8u);
}

TEST(AccountHistory, TheLastDayMayBePartial) {
  const auto end = at("2026-11-23T05:00:00Z");
  auto h = empty_history(end, 14);
  EXPECT_EQ(h.first_day, at("2026-11-10T00:00:00Z"));
  add_to_history(h, end, std::chrono::hours(24), at("2026-11-23T04:00:00Z"), posts(1, 1));
  EXPECT_EQ(h.days[13].total_posts(), 2u);
  EXPECT_EQ(h.window.total_posts(), 2u);
}

TEST(BalanceRule, PersonalShareFirstThenPromotionalShareThenTheLongestWindow) {
  auto loaded = config::load_string(R"(
source: {file: e.ndjson}
default_profile: a
profiles:
  a:
    rules:
      - {name: chatter, metric: posts, window: 1d, max: 9}
      - {name: pushy, metric: promotional_share, window: 3d, max: 0.4}
      - {name: on-topic, metric: personal_share, window: 7d, max: 0.1}
  b:
    rules:
      - {name: chatter, metric: posts, window: 1d, max: 9}
      - {name: pushy, metric: promotional_share, window: 3d, max: 0.4}
  c:
    rules:
      - {name: chatter, metric: posts, window: 1d, max: 9}
      - {name: silent, metric: posts, window: 2d, min: 1}
  d:
    rules: []
)",
                                    "k.yaml", ".");
  ASSERT_TRUE(loaded.config) << loaded.errors[0].to_string();
  const auto& profiles = loaded.config->profiles;
  EXPECT_EQ(balance_rule(profiles.at("a"))->name, "on-topic");
  EXPECT_EQ(balance_rule(profiles.at("b"))->name, "pushy");
  EXPECT_EQ(balance_rule(profiles.at("c"))->name, "silent");
  EXPECT_EQ(balance_rule(profiles.at("d")), nullptr);
}

}  // namespace
}  // namespace kilter::pipeline
