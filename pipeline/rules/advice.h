// Advice: how an account gets back within a rule's limits (or how much room it
// has left), worked out exactly from the window's buckets. A pure function of
// the rule, the windows and the evaluation time; no clock is read here.
#pragma once

#include <optional>
#include <string>

#include "config/config.h"
#include "pipeline/model/alert.h"
#include "pipeline/rules/rules.h"
#include "pipeline/windows/windows.h"

namespace kilter::pipeline {

// How far from a limit a share is "close" (relative to the limit): within 10%
// of it (value >= 0.9 * max, or value <= 1.1 * min), or the next post of the
// wrong category would breach it.
inline constexpr double kCloseMargin = 0.10;

// The advice of `rule` (with the limits it has now: a campaign's, if one
// applies) on the windows `w` at `at` (a bucket boundary), `v` being the rule's
// value there (compute_metric / metric_value). nullopt: nothing to advise (no
// verdict, a metric other than the shares and `posts`, a share within limits
// and not close, `posts` within limits).
//
// Share rules (p posts of the category, c classified posts):
// - above max: `posts_needed` posts of the other classified categories (`of`),
//   the smallest n with p / (c + n) within the max; none when the max is 0
//   (`of` empty: no number of other posts is enough);
// - below min: `posts_needed` posts of the category (`of`), the smallest n with
//   (p + n) / (c + n) within the min; none when the min is 1 and other posts are
//   in the window (`of` empty);
// - either way, with no post from `at` on, `within_by` is the first boundary at
//   which the posts leaving the window alone bring it back (nullopt: never, or
//   the rule has no verdict first, as posts under min_posts), and `leaving` how
//   many posts that pull the share back left by then: the category's for a max,
//   the other classified categories' for a min;
// - "close" (kCloseMargin): `posts_needed` is how many more posts of the wrong
//   category (`of`) it can take and stay within limits.
// n is exact: the smallest integer for which the rule's point-value test
// (breaches(rule, value)) says within limits, never a rounded p / max - c. It is
// the share itself back within the limit: a rule with a `confidence` (Wilson
// interval) may resolve sooner, never later.
//
// `posts` above max: `pace_per_day` = max / window days (the steady pace that
// stays within); at the current pace (posts / window days), `within_by` is the
// first boundary at which the posts still in the window plus those posted at
// that pace since `at` are within the max (nullopt: never), `leaving` the posts
// that left by then. `posts` below min: `posts_needed` = posts missing now (of
// any category: `of` empty).
//
// The limits are taken as they are at `at` (a campaign ending later is not
// foreseen). `text` is one readable sentence (dates as "Tue 24 Nov", UTC).
std::optional<Advice> advise(const config::Rule& rule, const AccountWindows& w, TimePoint at,
                             const MetricValue& v);

// "Tue 24 Nov" (UTC): the day a within_by falls on.
std::string advice_day(TimePoint t);

}  // namespace kilter::pipeline
