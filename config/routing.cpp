// Where alerts go and when they stay quiet: reading outbox, routes, default_sinks,
// inhibit, mute, and the alert matcher they share. Applying them to an alert is
// rule logic: pipeline/rules/routing.h and pipeline/rules/noise.h.
#include <fmt/format.h>

#include "config/reader.h"

namespace kilter::config::detail {
namespace {

constexpr std::string_view kOutboxKeys[] = {"max_entries", "drain_timeout", "retry_initial",
                                            "retry_max"};
constexpr std::string_view kMatcherKeys[] = {"account", "profile", "rule", "metric", "severity"};
constexpr std::string_view kRouteKeys[] = {"match", "sinks", "continue"};
constexpr std::string_view kInhibitKeys[] = {"source", "target"};
constexpr std::string_view kMuteKeys[] = {"match", "from", "to", "comment"};
constexpr std::string_view kLimitKeys[] = {"min", "max"};
constexpr std::string_view kMetricNames[] = {
    "personal_share",      "promotional_share", "posts",
    "engagement_per_post", "engagement_change", "follower_change"};
constexpr std::string_view kSeverities[] = {"info", "warning", "critical"};

bool read_bool(Reader& r, const Field& f, bool& out) {
  auto s = r.scalar(f);
  if (!s) return false;
  if (s->text == "true") {
    out = true;
  } else if (s->text == "false") {
    out = false;
  } else {
    r.error(f, fmt::format("expected true or false (got {})", s->shown()));
    return false;
  }
  return true;
}

bool known_rule(const Config& c, std::string_view name) {
  for (const auto& [_, p] : c.profiles)
    for (const auto& rule : p.rules)
      if (rule.name == name) return true;
  return false;
}

// from < to, both RFC 3339.
bool read_period(Reader& r, const FieldMap& m, const Field& item, TimePoint& from, TimePoint& to) {
  const auto* f = m.get("from");
  const auto* t = m.get("to");
  if (!f || !t) {
    r.error(item.loc, item.path, "set from and to (RFC 3339 times)");
    return false;
  }
  if (!r.time(*f, from) || !r.time(*t, to)) return false;
  if (to <= from) {
    r.error(*t, "must be after from");
    return false;
  }
  return true;
}

}  // namespace

bool read_matcher(Reader& r, const Field& f, const Config& c, AlertMatcher& out) {
  auto m = r.map(f, kMatcherKeys);
  if (!m) return false;
  bool ok = true;
  if (const auto* v = m->get("account")) ok &= r.nonempty_string(*v, out.account);
  if (const auto* v = m->get("profile")) {
    if (r.nonempty_string(*v, out.profile) && !c.profiles.contains(out.profile)) {
      r.error(*v, fmt::format("unknown profile '{}'", out.profile));
      ok = false;
    }
  }
  if (const auto* v = m->get("rule")) {
    if (r.nonempty_string(*v, out.rule) && !known_rule(c, out.rule)) {
      r.error(*v, fmt::format("no profile has a rule named '{}'", out.rule));
      ok = false;
    }
  }
  if (const auto* v = m->get("metric")) ok &= r.choice(*v, kMetricNames, out.metric);
  if (const auto* v = m->get("severity")) ok &= r.choice(*v, kSeverities, out.severity);
  return ok;
}

bool read_limits(Reader& r, const Field& f, Limits& out) {
  auto m = r.map(f, kLimitKeys);
  if (!m) return false;
  double v = 0;
  if (const auto* x = m->get("min"); x && r.number(*x, v)) out.min = v;
  if (const auto* x = m->get("max"); x && r.number(*x, v)) out.max = v;
  if (!out.min && !out.max) {
    r.error(f, "set min, max or both");
    return false;
  }
  if (out.min && out.max && *out.min > *out.max) {
    r.error(f, "max must not be lower than min");
    return false;
  }
  return true;
}

void read_outbox(Reader& r, const Field& f, Config& c) {
  auto m = r.map(f, kOutboxKeys);
  if (!m) return;
  auto& o = c.outbox;
  if (const auto* v = m->get("max_entries")) {
    std::uint64_t n = 0;
    if (r.positive_count(*v, n)) o.max_entries = n;
  }
  if (const auto* v = m->get("drain_timeout")) r.duration(*v, o.drain_timeout);
  if (const auto* v = m->get("retry_initial")) r.positive_duration(*v, o.retry_initial);
  if (const auto* v = m->get("retry_max")) r.positive_duration(*v, o.retry_max);
  if (o.retry_max < o.retry_initial)
    r.error(r.where("outbox.retry_max"), "outbox.retry_max", "must be >= outbox.retry_initial");
}

void read_routes(Reader& r, const Field& f, Config& c) {
  auto items = r.list(f);
  if (!items) return;
  for (const auto& item : *items) {
    auto m = r.map(item, kRouteKeys);
    if (!m) continue;
    Route route;
    if (const auto* v = m->get("match")) read_matcher(r, *v, c, route.match);
    if (const auto* v = m->get("sinks")) {
      if (r.string_list(*v, route.sinks) && route.sinks.empty())
        r.error(*v, "list at least one sink");
    } else {
      r.error(item.loc, child_path(item.path, "sinks"), "missing: the sinks this route sends to");
    }
    if (const auto* v = m->get("continue")) read_bool(r, *v, route.continue_matching);
    c.routes.push_back(std::move(route));
  }
}

void read_default_sinks(Reader& r, const Field& f, Config& c) {
  std::vector<std::string> names;
  if (r.string_list(f, names)) c.default_sinks = std::move(names);
}

void read_inhibit(Reader& r, const Field& f, Config& c) {
  auto items = r.list(f);
  if (!items) return;
  for (const auto& item : *items) {
    auto m = r.map(item, kInhibitKeys);
    if (!m) continue;
    Inhibition i;
    const auto* source = m->get("source");
    const auto* target = m->get("target");
    if (!source || !target) {
      r.error(item.loc, item.path, "set source (the alert that mutes) and target (what it mutes)");
      continue;
    }
    if (read_matcher(r, *source, c, i.source) && read_matcher(r, *target, c, i.target))
      c.inhibit.push_back(std::move(i));
  }
}

void read_mute(Reader& r, const Field& f, Config& c) {
  auto items = r.list(f);
  if (!items) return;
  for (const auto& item : *items) {
    auto m = r.map(item, kMuteKeys);
    if (!m) continue;
    MuteWindow w;
    if (const auto* v = m->get("match")) read_matcher(r, *v, c, w.match);
    if (const auto* v = m->get("comment")) r.string(*v, w.comment);
    if (read_period(r, *m, item, w.from, w.to)) c.mute.push_back(std::move(w));
  }
}

bool read_campaign_period(Reader& r, const FieldMap& m, const Field& item, Campaign& out) {
  return read_period(r, m, item, out.from, out.to);
}

}  // namespace kilter::config::detail
