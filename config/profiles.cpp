// Profiles, their rules, and the accounts that use them. Checks that need the
// storage section (bucket multiples, retention) are in validate.cpp.
#include <fmt/format.h>

#include <algorithm>

#include "common/time.h"
#include "config/reader.h"

namespace kilter::config::detail {
namespace {

constexpr std::string_view kProfileKeys[] = {"rules", "brand_terms"};
constexpr std::string_view kRuleKeys[] = {
    "name", "metric",   "window",          "min",        "max",       "min_posts", "baseline",
    "for",  "severity", "keep_firing_for", "no_verdict", "confidence"};
constexpr std::string_view kMetrics[] = {
    "personal_share",      "promotional_share", "posts",
    "engagement_per_post", "engagement_change", "follower_change"};
constexpr std::string_view kSeverities[] = {"info", "warning", "critical"};
constexpr std::string_view kAccountKeys[] = {"id",          "match",     "profile",
                                             "brand_terms", "campaigns", "timezone"};
constexpr std::string_view kCampaignKeys[] = {"name", "from", "to", "limits"};

void missing(Reader& r, const Field& parent, std::string_view key, std::string_view what) {
  r.error(parent.loc, child_path(parent.path, key), fmt::format("missing: {}", what));
}

// The range a bound of this metric can meaningfully take.
void check_bound(Reader& r, const Field& f, Metric metric, double v) {
  switch (metric) {
    case Metric::personal_share:
    case Metric::promotional_share:
      if (v < 0 || v > 1) r.error(f, "a share must be between 0 and 1 (0.25 = 25%)");
      break;
    case Metric::posts:
    case Metric::engagement_per_post:
      if (v < 0) r.error(f, fmt::format("{} cannot be negative", to_string(metric)));
      break;
    case Metric::engagement_change:
    case Metric::follower_change:
      if (v < -1) r.error(f, "a relative change cannot be below -1 (-100%)");
      break;
  }
}

// no_verdict: "keep", or "resolve after <duration>".
void read_no_verdict(Reader& r, const Field& f, Rule& rule) {
  auto s = r.scalar(f);
  if (!s) return;
  constexpr std::string_view kResolve = "resolve after ";
  const std::string_view text = s->text;
  if (text == "keep") {
    rule.no_verdict_resolve_after.reset();
    return;
  }
  if (text.starts_with(kResolve)) {
    if (auto d = parse_duration(text.substr(kResolve.size()))) {
      rule.no_verdict_resolve_after = *d;
      return;
    }
    r.error(f, fmt::format("expected a duration >= 0 after 'resolve after', like 30s, 1h, 2d "
                           "(got {})",
                           s->shown()));
    return;
  }
  r.error(f, fmt::format("expected keep or \"resolve after <duration>\" (e.g. resolve after "
                         "2d) (got {})",
                         s->shown()));
}

// confidence: strictly between 0 and 1, on share rules only.
void read_confidence(Reader& r, const Field& f, bool have_metric, Rule& rule) {
  double c = 0;
  if (!r.number(f, c)) return;
  if (!(c > 0 && c < 1)) {
    r.error(f, "a confidence must be between 0 and 1, both excluded (0.9 = 90%)");
    return;
  }
  if (have_metric && rule.metric != Metric::personal_share &&
      rule.metric != Metric::promotional_share) {
    r.error(f.key_loc, f.path,
            fmt::format("only personal_share and promotional_share take a confidence (this "
                        "rule's metric is {})",
                        to_string(rule.metric)));
    return;
  }
  rule.confidence = c;
}

// What of a rule could be read. A rule with errors is still kept for the checks
// across rules (so that every error is reported at once), but only the parts that
// were read take part in them.
struct ReadParts {
  bool any = false;       // the item is a mapping
  bool identity = false;  // metric and window are valid: the rule's alert id is known
};

ReadParts read_rule(Reader& r, const Field& item, Rule& rule) {
  auto m = r.map(item, kRuleKeys);
  if (!m) return {};
  if (const auto* v = m->get("name"))
    r.nonempty_string(*v, rule.name);
  else
    missing(r, item, "name", "every rule needs a name (shown in its alerts)");

  bool have_metric = false, have_window = false;
  const auto* metric = m->get("metric");
  if (metric) {
    std::string text;
    if (r.choice(*metric, kMetrics, text)) {
      rule.metric = *parse_metric(text);
      have_metric = true;
    }
  } else {
    missing(r, item, "metric", fmt::format("one of {}", join_keys(kMetrics)));
  }

  const auto* window = m->get("window");
  if (!window)
    missing(r, item, "window", "the rolling window, e.g. 7d");
  else if ((have_window = r.positive_duration(*window, rule.window)))
    rule.window_text = r.scalar(*window)->text;

  const auto* min = m->get("min");
  const auto* max = m->get("max");
  double v = 0;
  if (min && r.number(*min, v)) rule.min = v;
  if (max && r.number(*max, v)) rule.max = v;
  if (!min && !max) r.error(item.loc, item.path, "set min, max or both");
  if (rule.min && rule.max && *rule.min > *rule.max)
    r.error(*max, "max must not be lower than min");
  if (have_metric) {
    if (rule.min) check_bound(r, *min, rule.metric, *rule.min);
    if (rule.max) check_bound(r, *max, rule.metric, *rule.max);
  }

  if (const auto* v = m->get("min_posts")) r.count(*v, rule.min_posts);
  if (const auto* v = m->get("for")) r.duration(*v, rule.for_);
  if (const auto* v = m->get("severity")) r.choice(*v, kSeverities, rule.severity);
  if (const auto* v = m->get("keep_firing_for")) r.duration(*v, rule.keep_firing_for);
  if (const auto* v = m->get("no_verdict")) read_no_verdict(r, *v, rule);
  if (const auto* v = m->get("confidence")) read_confidence(r, *v, have_metric, rule);

  const auto* baseline = m->get("baseline");
  Millis b{};
  if (baseline && r.positive_duration(*baseline, b)) rule.baseline = b;
  if (have_metric && rule.metric == Metric::engagement_change) {
    if (!baseline)
      missing(r, item, "baseline", "engagement_change compares with a longer baseline window");
    else if (rule.baseline && rule.window.count() > 0 && *rule.baseline <= rule.window)
      r.error(*baseline, "must be longer than window");
  } else if (have_metric && baseline) {
    r.error(baseline->key_loc, baseline->path, "only engagement_change takes a baseline");
  }
  return {true, have_metric && have_window};
}

void read_profile(Reader& r, const Field& f, Profile& p, RulePaths& paths) {
  auto m = r.map(f, kProfileKeys);
  if (!m) return;
  if (const auto* v = m->get("brand_terms")) r.string_list(*v, p.brand_terms);
  const auto* rules = m->get("rules");
  if (!rules) return;
  auto items = r.list(*rules);
  if (!items) return;
  std::map<std::string, const Field*> names;
  std::vector<std::pair<const Field*, bool>> read;  // parallel to p.rules: item, identity
  for (const auto& item : *items) {
    Rule rule;
    auto parts = read_rule(r, item, rule);
    if (!parts.any) continue;
    if (!rule.name.empty()) {
      if (auto [pos, fresh] = names.emplace(rule.name, &item); !fresh) {
        r.error(r.where(child_path(item.path, "name")), child_path(item.path, "name"),
                fmt::format("rule name '{}' is already used at line {}", rule.name,
                            pos->second->loc.line));
      }
    }
    for (std::size_t i = 0; parts.identity && i < p.rules.size(); ++i) {
      const Rule& other = p.rules[i];
      if (!read[i].second || other.metric != rule.metric || other.window != rule.window) continue;
      r.error(r.where(child_path(item.path, "window")), child_path(item.path, "window"),
              fmt::format("rule '{}' has the same metric and window as rule '{}' (line {}): "
                          "their alerts would share the id account/{}/{}; merge them into one "
                          "rule with min and max",
                          rule.name, other.name, read[i].first->loc.line, to_string(rule.metric),
                          other.window_text));
      break;
    }
    paths[{p.name, p.rules.size()}] = item.path;
    p.rules.push_back(std::move(rule));
    read.emplace_back(&item, parts.identity);
  }
}

// Each campaign names rules of the account's profile, with the limits that apply
// while it runs.
void read_campaigns(Reader& r, const Field& f, const Config& c, AccountMatcher& a) {
  auto items = r.list(f);
  if (!items) return;
  const Profile* profile = nullptr;
  if (auto it = c.profiles.find(a.profile); it != c.profiles.end()) profile = &it->second;
  for (const auto& item : *items) {
    auto m = r.map(item, kCampaignKeys);
    if (!m) continue;
    Campaign camp;
    if (const auto* v = m->get("name"))
      r.nonempty_string(*v, camp.name);
    else
      missing(r, item, "name", "shown in the alerts of the campaign's period");
    bool period = read_campaign_period(r, *m, item, camp);
    const auto* limits = m->get("limits");
    if (!limits) {
      missing(r, item, "limits", "rule name -> {min, max} during the campaign");
      continue;
    }
    auto lm = r.map(*limits, {});
    if (!lm) continue;
    for (const auto& rule : lm->all()) {
      bool known = false;
      if (profile != nullptr)
        for (const auto& pr : profile->rules) known = known || pr.name == rule.key;
      if (!known && profile != nullptr) {
        r.error(rule.key_loc, rule.path,
                fmt::format("profile '{}' has no rule named '{}'", a.profile, rule.key));
        continue;
      }
      Limits l;
      if (read_limits(r, rule, l)) camp.limits[rule.key] = l;
    }
    if (period) a.campaigns.push_back(std::move(camp));
  }
}

}  // namespace

void read_profiles(Reader& r, const Field& f, Config& c, RulePaths& paths) {
  c.profiles.clear();  // written profiles replace the built-in ones entirely
  auto m = r.map(f, {});
  if (!m) return;
  for (const auto& pf : m->all()) {
    if (pf.key.empty()) {
      r.error(pf.key_loc, pf.path, "a profile name must not be empty");
      continue;
    }
    Profile p;
    p.name = pf.key;
    read_profile(r, pf, p, paths);
    c.profiles.emplace(p.name, std::move(p));
  }
}

void read_accounts(Reader& r, const Field& f, Config& c) {
  auto items = r.list(f);
  if (!items) return;
  std::map<std::string, int> ids, patterns;
  for (const auto& item : *items) {
    auto m = r.map(item, kAccountKeys);
    if (!m) continue;
    AccountMatcher a;
    const auto* id = m->get("id");
    const auto* match = m->get("match");
    if (id && match)
      r.error(item.loc, item.path, "set either id or match, not both");
    else if (!id && !match)
      r.error(item.loc, item.path, "set id (an exact account id) or match (a glob)");
    if (id && r.nonempty_string(*id, a.id)) {
      if (auto [pos, fresh] = ids.emplace(a.id, id->loc.line); !fresh)
        r.error(*id, fmt::format("account '{}' is already listed at line {}", a.id, pos->second));
    }
    if (match && r.nonempty_string(*match, a.match)) {
      if (auto [pos, fresh] = patterns.emplace(a.match, match->loc.line); !fresh)
        r.error(*match, fmt::format("pattern '{}' is already listed at line {}; this entry "
                                    "would never apply",
                                    a.match, pos->second));
    }
    if (const auto* p = m->get("profile")) {
      if (r.nonempty_string(*p, a.profile) && !c.profiles.count(a.profile)) {
        std::vector<std::string_view> names;
        for (const auto& [name, _] : c.profiles) names.push_back(name);
        r.error(*p, fmt::format("unknown profile '{}'; defined profiles: {}", a.profile,
                                names.empty() ? "(none)" : join_keys(names)));
      }
    } else {
      missing(r, item, "profile", "the profile whose rules apply to this account");
    }
    if (const auto* b = m->get("brand_terms")) r.string_list(*b, a.brand_terms);
    if (const auto* cs = m->get("campaigns")) read_campaigns(r, *cs, c, a);
    if (const auto* tz = m->get("timezone")) read_timezone(r, *tz, a.timezone);
    c.accounts.push_back(std::move(a));
  }
}

}  // namespace kilter::config::detail
