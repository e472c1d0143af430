// The status page served on `/`: what it shows (StatusPage, plain data) and its
// rendering, a pure function from that data to one self-contained HTML document
// (inline CSS and SVG, no script, nothing fetched). Gathering the data from the
// engine and the store is status_data.h's job, so rendering is testable alone.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/types.h"

namespace kilter::daemon {

// The order accounts are listed in: firing first, then pending, then ok.
enum class AccountStatus : std::uint8_t { firing = 0, pending = 1, ok = 2 };

// One rule out of limits (firing) or on its way there (pending).
struct RuleLine {
  std::string rule;  // the rule's name
  AccountStatus status = AccountStatus::firing;
  std::string description;  // "personal share 42% over 7d (max 10%)": value and limit
  TimePoint since;          // firing: the alert's starts_at; pending: when the breach began
  std::string severity;
  std::string campaign;  // the campaign whose limits apply, if any
  std::string advice;    // what to post next (pipeline/rules/advice.h); empty: none
};

// One day of an account's history.
struct DayFigures {
  std::optional<double> personal_share;  // nullopt: no classified post that day
  double engagement = 0;                 // weighted by action, on every post
};

struct StatusRow {
  std::string account;
  std::string profile;  // empty: no profile applies (the account is not evaluated)
  AccountStatus status = AccountStatus::ok;
  // Balance over the profile's main window, ending at `at`.
  std::string window;                              // "7d"
  std::array<std::uint64_t, kCategories> posts{};  // by kilter::Category
  std::vector<RuleLine> rules;                     // firing ones first
  // Reference lines on the personal-share sparkline: the limits of the profile's
  // personal_share rule, when it has one.
  std::optional<double> share_min, share_max;
  TimePoint first_day;           // 00:00 UTC of days[0]
  std::vector<DayFigures> days;  // oldest first; the last one may be partial
};

struct StatusPage {
  std::optional<TimePoint> as_of;  // newest end of windows over the partitions; none: no events
  std::size_t firing = 0, pending = 0, ok = 0;  // accounts in each state, all pages
  std::size_t page = 1, pages = 1;              // 1-based
  std::size_t limit = 50;                       // rows per page
  std::size_t default_limit = 50;               // not repeated in the links when in use
  std::size_t first = 0;                        // index of rows[0] in the whole list
  std::vector<StatusRow> rows;
};

std::string render_status_page(const StatusPage& page);

// Text made safe for HTML element content and quoted attribute values.
std::string html_escape(std::string_view s);

}  // namespace kilter::daemon
