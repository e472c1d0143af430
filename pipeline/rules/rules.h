// Rules: metric values from window figures, and the alert lifecycle
// (inactive -> pending -> firing -> resolved). Pure functions of their inputs and
// of the evaluation time they are given; no clock is read here.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "pipeline/model/alert.h"
#include "pipeline/windows/windows.h"

namespace kilter::pipeline {

struct MetricValue {
  std::optional<double> value;  // nullopt: no verdict (min_posts not met, nothing to compare)
  WindowFigures figures;        // the window the value was computed over
  std::optional<WindowFigures> baseline;  // engagement_change only
};

MetricValue compute_metric(const config::Rule& rule, const AccountWindows& w, TimePoint at,
                           const std::array<double, kActions>& weights);
// The same from window figures already summed: `f` over the rule's window,
// `baseline` over its baseline (engagement_change only; may be null otherwise).
MetricValue metric_value(const config::Rule& rule, const WindowFigures& f,
                         const WindowFigures* baseline,
                         const std::array<double, kActions>& weights);

// What a metric is computed from (Inputs): a bucket holding none of it cannot
// change its value.
std::uint8_t metric_inputs(config::Metric m);

// The category a share rule counts (personal_share: personal posts); nullopt for
// the other metrics, where every post is relevant. Also the category whose posts
// explain an alert's evidence.
std::optional<Category> share_category(config::Metric m);

// True when a value breaks the rule's min/max (the point value, without the
// rule's confidence).
bool breaches(const config::Rule& rule, double value);
// The breach predicate of the lifecycle (step()): a verdict that breaks the
// rule's limits. A share rule with a confidence breaches only when the Wilson
// interval of its share (posts of the category of the classified posts in
// v.figures) lies wholly beyond the limit: lower bound > max, or upper < min.
// No verdict is no breach.
bool breaches(const config::Rule& rule, const MetricValue& v);

struct Transition {
  AlertStatus status;
  TimePoint starts_at;
  std::optional<TimePoint> ends_at;
  double value = 0;
};

// Advances one rule's state with a new verdict at time `at`. Returns the
// transition to emit, if any; each one is emitted exactly once.
// A firing alert whose value is back within limits resolves once it has stayed
// there rule.keep_firing_for (state.within_since; a breach starts the wait over);
// the resolution's ends_at is `at`.
// No verdict leaves the state as it is, except that a firing alert whose rule has
// had no verdict for rule.no_verdict_resolve_after (since state.verdict_at)
// resolves, with its last value. An evaluation older than the state's last
// transition (state.since) is stale and ignored, so that a late re-evaluation can
// never emit a second notification with an already used (status, starts_at).
std::optional<Transition> step(const config::Rule& rule, AlertState& state, const MetricValue& v,
                               TimePoint at);

// When a firing alert resolves on time alone if nothing else changes: the end
// of its keep_firing_for wait, or of its no_verdict "resolve after" (the
// earlier); nullopt: neither applies. The engine evaluates the account at the
// first boundary at or after it.
std::optional<TimePoint> resolves_by_time(const config::Rule& rule, const AlertState& state);

// The rule's window as written ("7d"), or its shortest spelling when it was not.
std::string window_text(const config::Rule& rule);
// "acme/personal_share/7d"
std::string alert_id(std::string_view account, const config::Rule& rule);
// "acme: personal share 42% over 7d (max 10%)"
std::string summary(std::string_view account, const config::Rule& rule, double value);
// A value as summaries write it: "42%" for shares, "5" for posts, "+12%" for
// changes, "3.25" for engagement per post.
std::string format_metric_value(config::Metric m, double v);
// The summary without the account: "personal share 42% over 7d (max 10%)"
std::string describe(const config::Rule& rule, double value);

}  // namespace kilter::pipeline
