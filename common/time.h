// Time formats of the contracts: RFC 3339 timestamps and duration strings.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/types.h"

namespace kilter {

// RFC 3339 with any offset ("2026-11-20T09:15:00Z", "...+01:00", fractional
// seconds allowed, 't'/' ' separators accepted). No allocation.
std::optional<TimePoint> parse_rfc3339(std::string_view s);

// "2026-11-20T09:15:00Z"; milliseconds are printed only when non-zero.
std::string format_rfc3339(TimePoint t);

// "Thu 19 Nov": the UTC day holding t, for people (advice, the status page).
std::string format_day(TimePoint t);

// "250ms", "30s", "5m", "1h", "7d", "2w"; "0" or "0s" is zero. Non-negative integers
// only; whether zero is acceptable is the caller's call.
std::optional<Millis> parse_duration(std::string_view s);

// The shortest exact spelling: 7d, 36h, 90m, 1500ms.
std::string format_duration(Millis d);

// Start of the bucket holding t (floor, also for times before the epoch).
inline TimePoint bucket_start(TimePoint t, Millis bucket) {
  auto ms = epoch_ms(t);
  auto b = bucket.count();
  auto q = ms / b;
  if (ms % b < 0) --q;
  return from_epoch_ms(q * b);
}

}  // namespace kilter
