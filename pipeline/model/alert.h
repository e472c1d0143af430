// The alert lifecycle of one rule on one account (AlertState), and the alert
// record every sink receives (SPEC section 3, a contract), as typed data.
// Serialising it is delivery's job (pipeline/delivery/record_format.h).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/types.h"

namespace kilter {

enum class AlertPhase : std::uint8_t { inactive = 0, pending = 1, firing = 2 };

// Lifecycle of one rule on one account.
struct AlertState {
  AlertPhase phase = AlertPhase::inactive;
  TimePoint since;  // pending: when the breach began; firing: the alert's starts_at
  double last_value = 0;
  // Firing and told to the sinks. A firing alert that a mute window or an
  // inhibition held back is not: it is told when that ends, and its resolution
  // is only told if its firing was.
  bool notified = false;
  // When the rule last had a verdict (a value): no_verdict's "resolve after"
  // counts from it. Set at every evaluation with a verdict; written on its own
  // only for a rule with no_verdict "resolve after" and a state not inactive
  // (leaving inactive takes a verdict, which sets it).
  TimePoint verdict_at;
  // Firing: when the value came back within limits and has stayed there since
  // (keep_firing_for counts from it); nullopt: it has not, or it breached again.
  std::optional<TimePoint> within_since;
  bool operator==(const AlertState&) const = default;
};

enum class AlertStatus : std::uint8_t { firing, resolved };
std::string_view to_string(AlertStatus s);  // "firing" | "resolved"

// A post that weighs in the alert's window.
struct TopPost {
  std::string post_id;
  Category category = Category::unclassified;
  double engagement = 0;             // weighted engagement earned so far
  double confidence = 0;             // classifier confidence, 0..1
  std::vector<std::string> matched;  // classifier terms, most weighty first
  std::string link;                  // first link of the post; empty: none
};

struct FollowerEvidence {
  std::int64_t first = 0;
  std::int64_t last = 0;
  TimePoint first_at;
  TimePoint last_at;
};

// engagement_change: the window it was compared with.
struct BaselineEvidence {
  std::string window;       // "7d"
  std::uint64_t posts = 0;  // all categories
  double engagement = 0;    // weighted, all classes
  std::optional<double> engagement_per_post;
};

// How an account gets back within a rule's limits (or how much room it has
// left), worked out exactly from the window's buckets (pipeline/rules/advice.h).
// Carried as evidence.advice in alert records and in digests' "advice".
struct Advice {
  std::string rule;    // rule name
  std::string metric;  // contract metric name ("personal_share")
  std::string window;  // as written in the rule ("7d")
  std::string status;  // "breach": out of limits now; "close": within, near a limit
  double value = 0;    // the metric now
  std::optional<double> limit;  // the limit concerned (max or min)
  // Share rules: posts of the categories `of`, posted now, that bring (or keep)
  // the share within limits; "close": how many more of the other side it takes.
  std::uint64_t posts_needed = 0;
  std::vector<Category> of;
  // With no new post: how many posts of the window's counted category leave it,
  // and when that alone brings the value back within limits (nullopt: never).
  std::uint64_t leaving = 0;
  std::optional<TimePoint> within_by;
  // `posts` above max: the pace (posts a day) under which the window falls to
  // the limit; `within_by` is when it does at the current pace (nullopt: never).
  std::optional<double> pace_per_day;
  std::string text;  // readable: "21 personal of 50 posts in 7d, 42%, max 10%: ..."
};

struct Evidence {
  std::array<std::uint64_t, kCategories> posts{};       // by kilter::Category
  std::array<double, kEngagementClasses> engagement{};  // weighted, by EngagementClass
  std::optional<FollowerEvidence> followers;            // when the window holds snapshots
  std::optional<BaselineEvidence> baseline;             // engagement_change only
  std::vector<TopPost> top_posts;                       // heaviest first
  std::vector<std::string> matched_terms;               // most frequent classifier terms
  std::optional<Advice> advice;                         // share and posts rules
};

struct AlertRecord {
  std::string alert_id;  // "acme/personal_share/7d"
  std::string account;
  std::string rule;    // rule name
  std::string metric;  // contract metric name
  std::string window;  // as written in the rule ("7d")
  AlertStatus status = AlertStatus::firing;
  double value = 0;
  std::optional<double> min;
  std::optional<double> max;
  TimePoint starts_at;
  std::optional<TimePoint> ends_at;  // set when resolved
  std::string summary;
  Evidence evidence;
  // Beyond the contract's fields (receivers ignore unknown ones).
  std::string profile;
  std::string severity;
  std::string campaign;  // the campaign whose limits applied; empty: none (omitted)
};

}  // namespace kilter
