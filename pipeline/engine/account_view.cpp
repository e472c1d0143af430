#include "pipeline/engine/account_view.h"

#include <algorithm>
#include <chrono>
#include <set>

#include "common/json.h"
#include "common/time.h"
#include "pipeline/delivery/record_format.h"
#include "pipeline/rules/advice.h"
#include "pipeline/rules/rules.h"

namespace kilter::pipeline {
namespace {

void append_posts(std::string& out, const WindowFigures& f) {
  out += "{";
  for (std::size_t c = 0; c < kCategories; ++c) {
    if (c > 0) out += ",";
    fmt::format_to(std::back_inserter(out), "\"{}\":{}", to_string(static_cast<Category>(c)),
                   f.sum.posts[c]);
  }
  out += "}";
}

void append_ratio(std::string& out, std::string_view key, double num, double den) {
  fmt::format_to(std::back_inserter(out), ",\"{}\":", key);
  if (den > 0) {
    json::append_number(out, num / den);
  } else {
    out += "null";
  }
}

void append_window(std::string& out, const WindowFigures& f,
                   const std::array<double, kActions>& weights) {
  out += "{\"posts\":";
  append_posts(out, f);
  auto classified = static_cast<double>(f.classified_posts());
  append_ratio(out, "personal_share", static_cast<double>(f.posts(Category::personal)), classified);
  append_ratio(out, "promotional_share", static_cast<double>(f.posts(Category::promotional)),
               classified);
  out += ",\"engagement\":{";
  for (std::size_t c = 0; c < kEngagementClasses; ++c) {
    if (c > 0) out += ",";
    fmt::format_to(std::back_inserter(out), "\"{}\":", to_string(static_cast<EngagementClass>(c)));
    json::append_number(out, f.weighted_engagement(static_cast<EngagementClass>(c), weights));
  }
  out += "}";
  append_ratio(out, "engagement_per_post", f.weighted_engagement(weights),
               static_cast<double>(f.posts()));
  if (!f.sum.followers.empty())
    fmt::format_to(std::back_inserter(out), ",\"followers\":{{\"first\":{},\"last\":{}}}",
                   f.sum.followers.first, f.sum.followers.last);
  out += "}";
}

}  // namespace

std::string account_json(const AccountState& a, const config::Config& cfg, TimePoint at,
                         storage::StateStore& store) {
  const auto& weights = cfg.pipeline.engagement_weights;
  std::string out = "{\"account\":";
  json::append_string(out, a.id.view());
  out += ",\"profile\":";
  if (a.profile != nullptr) {
    json::append_string(out, a.profile->name);
  } else {
    out += "null";
  }
  out += ",\"at\":";
  json::append_string(out, format_rfc3339(at));
  // Every window any profile uses, so accounts can be compared side by side.
  std::set<std::pair<Millis, std::string>> windows;
  for (const auto& [name, p] : cfg.profiles)
    for (const auto& r : p.rules) windows.emplace(r.window, r.window_text);
  out += ",\"windows\":{";
  bool first = true;
  for (const auto& [len, text] : windows) {
    if (!first) out += ",";
    first = false;
    json::append_string(out, text);
    out += ":";
    append_window(out, a.windows.window(at, len), weights);
  }
  out += "},\"totals\":{\"posts\":";
  BucketCounts all;
  store.scan_account_buckets(a.partition, a.id.view(), TimePoint::min(),
                             [&](TimePoint, const BucketCounts& c) { all.merge(c); });
  WindowFigures total{all};
  append_posts(out, total);
  out += ",\"engagement\":{";
  for (std::size_t c = 0; c < kEngagementClasses; ++c) {
    if (c > 0) out += ",";
    fmt::format_to(std::back_inserter(out), "\"{}\":{{",
                   to_string(static_cast<EngagementClass>(c)));
    for (std::size_t x = 0; x < kActions; ++x)
      fmt::format_to(std::back_inserter(out), "{}\"{}\":{}", x > 0 ? "," : "",
                     to_string(static_cast<Action>(x)), all.engagement[c][x]);
    out += "}";
  }
  out += "}";
  if (!all.followers.empty())
    fmt::format_to(std::back_inserter(out), ",\"followers\":{{\"first\":{},\"last\":{}}}",
                   all.followers.first, all.followers.last);
  out += "},\"rules\":[";
  if (a.profile != nullptr) {
    static constexpr std::string_view kPhase[] = {"inactive", "pending", "firing"};
    for (std::size_t i = 0; i < a.profile->rules.size(); ++i) {
      const auto& r = a.profile->rules[i];
      const auto& s = a.alerts[i];
      if (i > 0) out += ",";
      out += "{\"name\":";
      json::append_string(out, r.name);
      out += ",\"alert_id\":";
      json::append_string(out, alert_id(a.id.view(), r));
      fmt::format_to(std::back_inserter(out), ",\"state\":\"{}\"",
                     kPhase[static_cast<std::size_t>(s.phase)]);
      if (s.phase != AlertPhase::inactive) {
        out += ",\"since\":";
        json::append_string(out, format_rfc3339(s.since));
      }
      out += ",\"value\":";
      auto v = compute_metric(r, a.windows, at, weights);
      if (v.value) {
        json::append_number(out, *v.value);
      } else {
        out += "null";
      }
      // Share and posts rules out of limits (or close to a share limit).
      if (auto advice = advise(r, a.windows, at, v)) {
        out += ",\"advice\":";
        append_advice(out, *advice);
      }
      out += "}";
    }
  }
  out += "]}";
  return out;
}

AccountHistory empty_history(TimePoint at, int days) {
  AccountHistory h;
  const auto n = std::max(days, 1);
  // Calendar days rather than 24h spans ending at `at`: "Tuesday" is what a
  // social-media team reviews, and the bars line up across accounts.
  const auto last = std::chrono::floor<std::chrono::days>(at - Millis{1});
  h.first_day = TimePoint{last - std::chrono::days{n - 1}};
  h.days.resize(static_cast<std::size_t>(n));
  return h;
}

void add_to_history(AccountHistory& h, TimePoint at, Millis window, TimePoint bucket,
                    const BucketCounts& c) {
  if (bucket >= at - window && bucket < at) h.window.merge(c);
  if (bucket < h.first_day || bucket >= at) return;
  auto day = std::chrono::floor<std::chrono::days>(bucket - h.first_day).count();
  if (day >= 0 && static_cast<std::size_t>(day) < h.days.size())
    h.days[static_cast<std::size_t>(day)].merge(c);
}

AccountHistory account_history(storage::StateStore& store, Partition p, std::string_view account,
                               TimePoint at, Millis window, int days) {
  auto h = empty_history(at, days);
  store.scan_account_buckets(
      p, account, std::min(h.first_day, at - window),
      [&](TimePoint bucket, const BucketCounts& c) { add_to_history(h, at, window, bucket, c); });
  return h;
}

const config::Rule* balance_rule(const config::Profile& profile) {
  for (auto m : {config::Metric::personal_share, config::Metric::promotional_share})
    for (const auto& r : profile.rules)
      if (r.metric == m) return &r;
  const config::Rule* longest = nullptr;
  for (const auto& r : profile.rules)
    if (longest == nullptr || r.window > longest->window) longest = &r;
  return longest;
}

}  // namespace kilter::pipeline
