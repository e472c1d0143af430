#include "pipeline/rules/rules.h"

#include <fmt/format.h>

#include <cmath>

#include "common/time.h"
#include "pipeline/rules/confidence.h"

namespace kilter::pipeline {
namespace {

double ratio(std::uint64_t num, std::uint64_t den) {
  return static_cast<double>(num) / static_cast<double>(den);
}

std::optional<double> engagement_per_post(const WindowFigures& f,
                                          const std::array<double, kActions>& weights) {
  if (f.posts() == 0) return std::nullopt;
  return f.weighted_engagement(weights) / static_cast<double>(f.posts());
}

std::optional<double> follower_change(const WindowFigures& f) {
  const auto& s = f.sum.followers;
  if (s.first_ts == 0 || s.last_ts == 0 || s.first_ts == s.last_ts || s.first == 0)
    return std::nullopt;
  return static_cast<double>(s.last - s.first) / static_cast<double>(s.first);
}

// Drops a trailing ".0" / ".00" (and, with keep_one, keeps one decimal: "4.0").
std::string trim_decimals(std::string s, bool keep_one) {
  if (s.find('.') == std::string::npos) return s;
  const std::size_t dot = s.find('.');
  while (s.size() > dot + (keep_one ? 2 : 1) && s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  if (s == "-0" || s == "-0.0") s.erase(0, 1);
  return s;
}

// 0.42 -> "42%", 0.125 -> "12.5%"; signed: "+12%", "-55%", "0%".
std::string percent(double fraction, bool is_signed) {
  const std::string s = trim_decimals(fmt::format("{:.1f}", fraction * 100), false);
  const bool plus = is_signed && s != "0" && s.front() != '-';
  return fmt::format("{}{}%", plus ? "+" : "", s);
}

std::string count(double v) {
  return trim_decimals(fmt::format("{:.2f}", v), false);
}

// One or two decimals: 4 -> "4.0", 3.5 -> "3.5", 3.254 -> "3.25".
std::string decimal(double v) {
  return trim_decimals(fmt::format("{:.2f}", v), true);
}

std::string format_value(config::Metric m, double v) {
  switch (m) {
    case config::Metric::personal_share:
    case config::Metric::promotional_share:
      return percent(v, false);
    case config::Metric::posts:
      return count(v);
    case config::Metric::engagement_per_post:
      return decimal(v);
    case config::Metric::engagement_change:
    case config::Metric::follower_change:
      return percent(v, true);
  }
  return count(v);
}

std::string bounds(const config::Rule& rule) {
  if (rule.min && rule.max)
    return fmt::format(" (limits {} to {})", format_value(rule.metric, *rule.min),
                       format_value(rule.metric, *rule.max));
  if (rule.min) return fmt::format(" (min {})", format_value(rule.metric, *rule.min));
  if (rule.max) return fmt::format(" (max {})", format_value(rule.metric, *rule.max));
  return {};
}

// Firing -> inactive at `at`, with the state's last value.
Transition resolve(AlertState& state, TimePoint at) {
  const TimePoint starts_at = state.since;
  state.phase = AlertPhase::inactive;
  state.since = at;
  state.within_since.reset();
  return Transition{AlertStatus::resolved, starts_at, at, state.last_value};
}

}  // namespace

std::uint8_t metric_inputs(config::Metric m) {
  switch (m) {
    case config::Metric::engagement_per_post:
    case config::Metric::engagement_change:
      return kPostInputs | kEngagementInputs;
    case config::Metric::follower_change:
      return kPostInputs | kFollowerInputs;  // posts: min_posts
    default:
      return kPostInputs;
  }
}

MetricValue compute_metric(const config::Rule& rule, const AccountWindows& w, TimePoint at,
                           const std::array<double, kActions>& weights) {
  const WindowFigures f = w.window(at, rule.window);
  if (rule.metric == config::Metric::engagement_change && rule.baseline) {
    const WindowFigures b = w.window(at - rule.window, *rule.baseline);
    return metric_value(rule, f, &b, weights);
  }
  return metric_value(rule, f, nullptr, weights);
}

MetricValue metric_value(const config::Rule& rule, const WindowFigures& figures,
                         const WindowFigures* baseline,
                         const std::array<double, kActions>& weights) {
  MetricValue out;
  out.figures = figures;
  const WindowFigures& f = out.figures;
  if (rule.metric == config::Metric::engagement_change && baseline) out.baseline = *baseline;
  if (f.posts() < rule.min_posts) return out;

  switch (rule.metric) {
    case config::Metric::personal_share:
      if (f.classified_posts() > 0)
        out.value = ratio(f.posts(Category::personal), f.classified_posts());
      break;
    case config::Metric::promotional_share:
      if (f.classified_posts() > 0)
        out.value = ratio(f.posts(Category::promotional), f.classified_posts());
      break;
    case config::Metric::posts:
      out.value = static_cast<double>(f.posts());
      break;
    case config::Metric::engagement_per_post:
      out.value = engagement_per_post(f, weights);
      break;
    case config::Metric::engagement_change: {
      if (!out.baseline) break;  // the loader requires a baseline; without one, no verdict
      auto now = engagement_per_post(f, weights);
      auto before = engagement_per_post(*out.baseline, weights);
      if (now && before && *before > 0) out.value = *now / *before - 1;
      break;
    }
    case config::Metric::follower_change:
      out.value = follower_change(f);
      break;
  }
  return out;
}

std::optional<Category> share_category(config::Metric m) {
  if (m == config::Metric::personal_share) return Category::personal;
  if (m == config::Metric::promotional_share) return Category::promotional;
  return std::nullopt;
}

bool breaches(const config::Rule& rule, double value) {
  return (rule.min && value < *rule.min) || (rule.max && value > *rule.max);
}

bool breaches(const config::Rule& rule, const MetricValue& v) {
  if (!v.value) return false;
  const auto counted = share_category(rule.metric);
  if (!rule.confidence || !counted) return breaches(rule, *v.value);
  const Interval i =
      wilson_interval(v.figures.posts(*counted), v.figures.classified_posts(), *rule.confidence);
  return (rule.min && i.upper < *rule.min) || (rule.max && i.lower > *rule.max);
}

std::optional<TimePoint> resolves_by_time(const config::Rule& rule, const AlertState& state) {
  if (state.phase != AlertPhase::firing) return std::nullopt;
  std::optional<TimePoint> out;
  if (state.within_since) out = *state.within_since + rule.keep_firing_for;
  if (rule.no_verdict_resolve_after) {
    const TimePoint t = state.verdict_at + *rule.no_verdict_resolve_after;
    if (!out || t < *out) out = t;
  }
  return out;
}

std::optional<Transition> step(const config::Rule& rule, AlertState& state, const MetricValue& v,
                               TimePoint at) {
  // A default state has never transitioned (since == epoch) and accepts any time.
  const bool fresh = state.phase == AlertPhase::inactive && state.since == TimePoint{};
  if (!fresh && at < state.since) return std::nullopt;
  if (!v.value) {
    // No verdict: by default the state stays as it is (a firing alert keeps
    // firing); no_verdict "resolve after" ends a firing alert whose rule has had
    // none that long, with the last value it knew.
    if (state.phase != AlertPhase::firing || !rule.no_verdict_resolve_after ||
        at - state.verdict_at < *rule.no_verdict_resolve_after)
      return std::nullopt;
    return resolve(state, at);
  }

  const double value = *v.value;
  state.last_value = value;
  state.verdict_at = at;
  const bool breach = breaches(rule, v);
  switch (state.phase) {
    case AlertPhase::inactive:
      if (!breach) return std::nullopt;
      state.since = at;
      if (rule.for_ > Millis{0}) {
        state.phase = AlertPhase::pending;
        return std::nullopt;
      }
      state.phase = AlertPhase::firing;
      return Transition{AlertStatus::firing, at, std::nullopt, value};
    case AlertPhase::pending:
      if (!breach) {
        state.phase = AlertPhase::inactive;
        state.since = at;
        return std::nullopt;
      }
      if (at - state.since < rule.for_) return std::nullopt;
      state.phase = AlertPhase::firing;  // since stays: the breach began then
      return Transition{AlertStatus::firing, state.since, std::nullopt, value};
    case AlertPhase::firing:
      if (breach) {
        state.within_since.reset();  // the wait starts over at the next value within
        return std::nullopt;
      }
      if (!state.within_since) state.within_since = at;
      if (at - *state.within_since < rule.keep_firing_for) return std::nullopt;
      return resolve(state, at);
  }
  return std::nullopt;
}

std::string window_text(const config::Rule& rule) {
  return rule.window_text.empty() ? format_duration(rule.window) : rule.window_text;
}

std::string alert_id(std::string_view account, const config::Rule& rule) {
  return fmt::format("{}/{}/{}", account, config::to_string(rule.metric), window_text(rule));
}

std::string describe(const config::Rule& rule, double value) {
  const std::string w = window_text(rule);
  const std::string v = format_value(rule.metric, value);
  switch (rule.metric) {
    case config::Metric::personal_share:
      return fmt::format("personal share {} over {}{}", v, w, bounds(rule));
    case config::Metric::promotional_share:
      return fmt::format("promotional share {} over {}{}", v, w, bounds(rule));
    case config::Metric::posts:
      return fmt::format("{} {} over {}{}", v, v == "1" ? "post" : "posts", w, bounds(rule));
    case config::Metric::engagement_per_post:
      return fmt::format("engagement per post {} over {}{}", v, w, bounds(rule));
    case config::Metric::engagement_change:
      return fmt::format("engagement per post {} over {} vs the previous {}{}", v, w,
                         format_duration(rule.baseline.value_or(Millis{0})), bounds(rule));
    case config::Metric::follower_change:
      return fmt::format("followers {} over {}{}", v, w, bounds(rule));
  }
  return {};
}

std::string format_metric_value(config::Metric m, double v) {
  return format_value(m, v);
}

std::string summary(std::string_view account, const config::Rule& rule, double value) {
  return fmt::format("{}: {}", account, describe(rule, value));
}

}  // namespace kilter::pipeline
