// A digest's periods, with a simulated clock walking across both daylight-saving
// changes of Europe/Paris and America/New_York: each period comes once, ends at
// `at` local time, and a daily one lasts 23 h in spring and 25 h in autumn.
#include <gtest/gtest.h>

#include <map>

#include "common/clock.h"
#include "common/time.h"
#include "pipeline/digests/schedule.h"

namespace kilter::pipeline::digests {
namespace {

using std::chrono::days;
using std::chrono::hours;

TimePoint t(const char* rfc3339) {
  auto p = parse_rfc3339(rfc3339);
  EXPECT_TRUE(p) << rfc3339;
  return p.value_or(TimePoint{});
}

config::Digest digest(int every_days, const char* at = "09:00", int weekday = 0) {
  config::Digest d;
  d.name = "review";
  d.every = days(every_days);
  d.at = hours(std::atoi(at)) + std::chrono::minutes(std::atoi(at + 3));
  d.weekday = weekday;
  return d;
}

Schedule schedule(const config::Digest& d, const std::string& zone) {
  auto s = Schedule::make(d, zone);
  EXPECT_TRUE(s) << zone;
  return std::move(s).value();
}

// What the engine does: at each step of the clock, the periods that ended since
// the previous step. Returns them by their end, each with how often it came.
std::map<TimePoint, std::pair<Period, int>> walk(const Schedule& s, TimePoint from, TimePoint to,
                                                 Millis step) {
  SimulatedClock clock(from);
  std::map<TimePoint, std::pair<Period, int>> seen;
  TimePoint last = clock.now();
  while (clock.now() < to) {
    clock.advance(step);
    for (const auto& p : s.periods(last, clock.now())) {
      auto& [period, n] = seen[p.to];
      period = p;
      ++n;
    }
    last = clock.now();
  }
  return seen;
}

Millis length(const Period& p) {
  return p.to - p.from;
}

TEST(Schedule, ParisDailyAcrossBothChanges) {
  const auto s = schedule(digest(1), "Europe/Paris");
  // Spring: the night of Sat 28 to Sun 29 March 2026 loses an hour.
  auto spring = walk(s, t("2026-03-26T00:00:00Z"), t("2026-04-01T00:00:00Z"), hours(1));
  ASSERT_EQ(spring.size(), 6u);
  for (const auto& [to, entry] : spring) EXPECT_EQ(entry.second, 1) << format_rfc3339(to);
  const auto& sunday = spring.at(t("2026-03-29T09:00:00+02:00")).first;
  EXPECT_EQ(sunday.from, t("2026-03-28T09:00:00+01:00"));
  EXPECT_EQ(length(sunday), hours(23));
  EXPECT_EQ(length(spring.at(t("2026-03-28T09:00:00+01:00")).first), hours(24));
  EXPECT_EQ(length(spring.at(t("2026-03-30T09:00:00+02:00")).first), hours(24));
  EXPECT_EQ(s.format(sunday.from), "2026-03-28T09:00:00+01:00");
  EXPECT_EQ(s.format(sunday.to), "2026-03-29T09:00:00+02:00");

  // Autumn: Sun 25 October 2026 has 25 hours.
  auto autumn = walk(s, t("2026-10-23T00:00:00Z"), t("2026-10-28T00:00:00Z"), Millis{3'600'000});
  ASSERT_EQ(autumn.size(), 5u);
  const auto& longer = autumn.at(t("2026-10-25T09:00:00+01:00")).first;
  EXPECT_EQ(longer.from, t("2026-10-24T09:00:00+02:00"));
  EXPECT_EQ(length(longer), hours(25));
  EXPECT_EQ(s.format(longer.to), "2026-10-25T09:00:00+01:00");
}

TEST(Schedule, NewYorkDailyAcrossBothChanges) {
  const auto s = schedule(digest(1, "07:00"), "America/New_York");
  auto spring = walk(s, t("2026-03-06T00:00:00Z"), t("2026-03-10T00:00:00Z"), hours(1));
  ASSERT_EQ(spring.size(), 4u);
  const auto& sunday = spring.at(t("2026-03-08T07:00:00-04:00")).first;
  EXPECT_EQ(sunday.from, t("2026-03-07T07:00:00-05:00"));
  EXPECT_EQ(length(sunday), hours(23));
  auto autumn = walk(s, t("2026-10-30T00:00:00Z"), t("2026-11-03T00:00:00Z"), hours(1));
  ASSERT_EQ(autumn.size(), 4u);
  const auto& longer = autumn.at(t("2026-11-01T07:00:00-05:00")).first;
  EXPECT_EQ(longer.from, t("2026-10-31T07:00:00-04:00"));
  EXPECT_EQ(length(longer), hours(25));
  EXPECT_EQ(s.format(longer.to), "2026-11-01T07:00:00-05:00");
}

TEST(Schedule, WeeklyAcrossBothChanges) {
  // Paris, Mondays 09:00: the weeks holding a change are 167 h and 169 h long.
  const auto paris = schedule(digest(7, "09:00", 0), "Europe/Paris");
  auto spring = walk(paris, t("2026-03-16T12:00:00Z"), t("2026-04-07T00:00:00Z"), hours(1));
  ASSERT_EQ(spring.size(), 3u);  // Mondays 23 and 30 March, 6 April
  EXPECT_EQ(length(spring.at(t("2026-03-23T09:00:00+01:00")).first), hours(168));
  EXPECT_EQ(length(spring.at(t("2026-03-30T09:00:00+02:00")).first), hours(167));
  EXPECT_EQ(spring.at(t("2026-03-30T09:00:00+02:00")).first.from, t("2026-03-23T09:00:00+01:00"));
  EXPECT_EQ(length(spring.at(t("2026-04-06T09:00:00+02:00")).first), hours(168));
  auto autumn = walk(paris, t("2026-10-20T00:00:00Z"), t("2026-10-27T00:00:00Z"), hours(1));
  ASSERT_EQ(autumn.size(), 1u);
  EXPECT_EQ(length(autumn.at(t("2026-10-26T09:00:00+01:00")).first), hours(169));

  // New York, Sundays 18:00 (weekday 6).
  const auto ny = schedule(digest(7, "18:00", 6), "America/New_York");
  auto ny_spring = walk(ny, t("2026-03-02T00:00:00Z"), t("2026-03-10T00:00:00Z"), hours(1));
  ASSERT_EQ(ny_spring.size(), 1u);
  EXPECT_EQ(length(ny_spring.at(t("2026-03-08T18:00:00-04:00")).first), hours(167));
  auto ny_autumn = walk(ny, t("2026-10-26T00:00:00Z"), t("2026-11-03T00:00:00Z"), hours(1));
  ASSERT_EQ(ny_autumn.size(), 1u);
  EXPECT_EQ(length(ny_autumn.at(t("2026-11-01T18:00:00-05:00")).first), hours(169));
}

TEST(Schedule, BigStepsMissNothing) {
  // A replay jumps days at once: every period in between comes, in order.
  const auto s = schedule(digest(1), "Europe/Paris");
  auto all = s.periods(t("2026-03-20T00:00:00Z"), t("2026-04-02T00:00:00Z"));
  ASSERT_EQ(all.size(), 13u);  // 20 March .. 1 April
  for (std::size_t i = 1; i < all.size(); ++i) EXPECT_EQ(all[i].from, all[i - 1].to);
  // An end exactly at `after` was already given; one exactly at `through` is given now.
  EXPECT_TRUE(s.periods(t("2026-03-20T08:00:00Z"), t("2026-03-20T08:00:00Z")).empty());
  auto one = s.periods(t("2026-03-20T07:00:00Z"), t("2026-03-20T08:00:00Z"));
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].to, t("2026-03-20T08:00:00Z"));
  EXPECT_EQ(s.next_end(t("2026-03-20T08:00:00Z")), t("2026-03-21T08:00:00Z"));
  EXPECT_EQ(s.periods(t("2026-01-01T00:00:00Z"), t("2026-12-31T00:00:00Z"), 5).size(), 5u);
}

TEST(Schedule, SkippedLocalTimeIsTheJump) {
  // 02:30 does not exist in Paris on 29 March 2026: the period ends when the
  // clocks jump (03:00 +02:00, 01:00 UTC).
  const auto s = schedule(digest(1, "02:30"), "Europe/Paris");
  auto p = s.periods(t("2026-03-28T12:00:00Z"), t("2026-03-29T12:00:00Z"));
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].to, t("2026-03-29T01:00:00Z"));
  EXPECT_EQ(p[0].from, t("2026-03-28T02:30:00+01:00"));
}

TEST(Schedule, UtcAndUnknownZones) {
  const auto s = schedule(digest(1, "00:00"), "UTC");
  EXPECT_EQ(s.format(t("2026-11-20T00:00:00Z")), "2026-11-20T00:00:00+00:00");
  EXPECT_EQ(s.zone(), "UTC");
  EXPECT_FALSE(Schedule::make(digest(1), "Mars/Olympus"));
}

}  // namespace
}  // namespace kilter::pipeline::digests
