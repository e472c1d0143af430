// When a digest's periods end: `at` local time (on `weekday` for weekly ones)
// in one time zone, as instants. Civil time through Abseil's time zones (the
// system's tz database), never hand-written offsets: across a daylight-saving
// change a daily period is 23 or 25 hours long.
#pragma once

#include <absl/time/time.h>

#include <string>
#include <vector>

#include "common/result.h"
#include "common/types.h"
#include "config/config.h"

namespace kilter::pipeline::digests {

// One period [from, to) of a digest, as instants.
struct Period {
  TimePoint from;
  TimePoint to;
  bool operator==(const Period&) const = default;
};

class Schedule {
 public:
  // The schedule of `d` cut in `zone` (an IANA name); an Error when the tz
  // database does not know it (the configuration checked it already).
  static Result<Schedule> make(const config::Digest& d, const std::string& zone);

  // The periods whose end is in (after, through], oldest first; at most `limit`
  // (the oldest ones).
  std::vector<Period> periods(TimePoint after, TimePoint through, std::size_t limit = 400) const;
  // The first period end after `t`.
  TimePoint next_end(TimePoint t) const;
  // RFC 3339 with the zone's offset at t: "2026-11-20T09:00:00+01:00".
  std::string format(TimePoint t) const;
  const std::string& zone() const { return zone_name_; }

 private:
  Schedule() = default;
  // The instant `at` local time on civil day `day` (a time the clocks skip is
  // the instant they jump; a repeated one, its first occurrence).
  TimePoint end_on(absl::CivilDay day) const;
  bool ends_on(absl::CivilDay day) const;
  absl::CivilDay day_of(TimePoint t) const;

  std::string zone_name_;
  absl::TimeZone tz_;
  int days_ = 1;  // 1 or 7
  int hour_ = 0, minute_ = 0;
  absl::Weekday weekday_ = absl::Weekday::monday;
};

}  // namespace kilter::pipeline::digests
