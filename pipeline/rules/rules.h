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

// True when a value breaks the rule's min/max.
bool breaches(const config::Rule& rule, double value);

struct Transition {
  AlertStatus status;
  TimePoint starts_at;
  std::optional<TimePoint> ends_at;
  double value = 0;
};

// Advances one rule's state with a new verdict at time `at`. Returns the
// transition to emit, if any; each one is emitted exactly once.
// No verdict leaves the state as it is. An evaluation older than the state's last
// transition (state.since) is stale and ignored, so that a late re-evaluation can
// never emit a second notification with an already used (status, starts_at).
std::optional<Transition> step(const config::Rule& rule, AlertState& state, const MetricValue& v,
                               TimePoint at);

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
