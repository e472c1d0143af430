#include "pipeline/digests/schedule.h"

#include <fmt/format.h>

namespace kilter::pipeline::digests {
namespace {

absl::Time to_absl(TimePoint t) {
  return absl::FromUnixMillis(epoch_ms(t));
}
TimePoint from_absl(absl::Time t) {
  return from_epoch_ms(absl::ToUnixMillis(t));
}

constexpr absl::Weekday kWeekdays[] = {absl::Weekday::monday,    absl::Weekday::tuesday,
                                       absl::Weekday::wednesday, absl::Weekday::thursday,
                                       absl::Weekday::friday,    absl::Weekday::saturday,
                                       absl::Weekday::sunday};

}  // namespace

Result<Schedule> Schedule::make(const config::Digest& d, const std::string& zone) {
  Schedule s;
  if (!absl::LoadTimeZone(zone, &s.tz_)) return Error{fmt::format("unknown time zone '{}'", zone)};
  s.zone_name_ = zone;
  s.days_ = d.every >= std::chrono::days(7) ? 7 : 1;
  const auto minutes = std::chrono::duration_cast<std::chrono::minutes>(d.at).count();
  s.hour_ = static_cast<int>(minutes / 60);
  s.minute_ = static_cast<int>(minutes % 60);
  s.weekday_ = kWeekdays[static_cast<std::size_t>(std::clamp(d.weekday, 0, 6))];
  return s;
}

TimePoint Schedule::end_on(absl::CivilDay day) const {
  const absl::CivilSecond local(day.year(), day.month(), day.day(), hour_, minute_, 0);
  const auto info = tz_.At(local);
  return from_absl(info.kind == absl::TimeZone::TimeInfo::SKIPPED ? info.trans : info.pre);
}

bool Schedule::ends_on(absl::CivilDay day) const {
  return days_ == 1 || absl::GetWeekday(day) == weekday_;
}

absl::CivilDay Schedule::day_of(TimePoint t) const {
  return absl::ToCivilDay(to_absl(t), tz_);
}

std::vector<Period> Schedule::periods(TimePoint after, TimePoint through, std::size_t limit) const {
  std::vector<Period> out;
  if (through <= after) return out;
  // From the day before `after` (its end may still be ahead of `after` in an
  // earlier offset), day by day in local time.
  for (absl::CivilDay day = day_of(after) - 1; out.size() < limit; ++day) {
    if (!ends_on(day)) continue;
    const TimePoint to = end_on(day);
    if (to <= after) continue;
    if (to > through) break;
    out.push_back(Period{end_on(day - days_), to});
  }
  return out;
}

TimePoint Schedule::next_end(TimePoint t) const {
  for (absl::CivilDay day = day_of(t) - 1;; ++day)
    if (ends_on(day))
      if (auto to = end_on(day); to > t) return to;
}

std::string Schedule::format(TimePoint t) const {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%S%Ez", to_absl(t), tz_);
}

}  // namespace kilter::pipeline::digests
