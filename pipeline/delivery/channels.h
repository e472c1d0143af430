// Renders alert records (SPEC section 3) into the request bodies of the team
// channels: Slack incoming webhooks, Teams Workflows webhooks and Alertmanager's
// POST /api/v2/alerts. Pure functions: no I/O, and the same records give the same
// bytes, so a redelivered notification is byte-identical to the first one.
#pragma once

#include <array>
#include <cstddef>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace kilter::pipeline::channels {

// channel / username / icon_emoji override the webhook's defaults; empty: omitted.
struct SlackOptions {
  std::string channel;
  std::string username;
  std::string icon_emoji;
  std::size_t max_posts = 3;  // top posts shown per alert
};

struct TeamsOptions {
  std::size_t max_posts = 3;  // top posts shown per alert
};

struct AlertmanagerOptions {
  std::string generator_url;  // Kilter's HTTP base URL; empty: no generatorURL
  // Added to every alert. A name Kilter sets itself (alertname, account, ...) or one
  // Alertmanager would refuse is an error, rather than a silent override.
  std::map<std::string, std::string> extra_labels;
};

// All functions take the records of one notification group: one or more alert
// records of the same account (grouped by the caller), oldest first. A record that
// is not a JSON object, lacks alert_id / account / status / summary, or has a status
// other than firing / resolved is an Error; unknown keys are ignored.
Result<std::string> slack_message(std::span<const std::string_view> records, const SlackOptions& o);
Result<std::string> teams_message(std::span<const std::string_view> records, const TeamsOptions& o);
Result<std::string> alertmanager_alerts(std::span<const std::string_view> records,
                                        const AlertmanagerOptions& o);

// Shared by the channels_*.cpp renderers; not an interface for other modules.
namespace detail {

inline constexpr std::array<std::string_view, 4> kPostCategories = {"personal", "professional",
                                                                    "promotional", "unclassified"};

struct Post {
  std::string post_id;
  std::string category;
  std::optional<double> engagement;
  std::optional<double> confidence;  // 0..1
  std::vector<std::string> matched;
  std::string link;  // empty: none
};

struct Followers {
  double first = 0;
  double last = 0;
};

struct Baseline {
  std::string window;
  std::optional<double> posts;
  std::optional<double> engagement_per_post;
};

// One record as read back; timestamps stay the record's RFC 3339 text.
struct Alert {
  std::string alert_id;
  std::string account;
  std::string rule;
  std::string metric;
  std::string window;
  bool firing = true;
  std::optional<double> value;
  std::optional<double> min;
  std::optional<double> max;
  std::string starts_at;
  std::string ends_at;  // empty while firing
  std::string summary;
  std::string profile;   // empty: absent
  std::string severity;  // empty: absent
  std::array<std::optional<double>, kPostCategories.size()> posts;
  std::optional<Followers> followers;
  std::optional<Baseline> baseline;
  std::vector<Post> top_posts;
  std::vector<std::string> matched_terms;
};

Result<std::vector<Alert>> parse_group(std::span<const std::string_view> records);

// "50.0%" for shares, "5" for posts, "+12.5%" for changes, "119.25" otherwise.
std::string format_value(std::string_view metric, double v);
std::string format_number(double v);  // at most 2 decimals, trailing zeros dropped
std::string format_percent(double fraction, bool is_signed);
std::string metric_title(std::string_view metric);  // "Promotional share"; "Value" if unknown
std::string limit_text(const Alert& a);             // "max 40.0%", "min 1 · max 30"; "" if none
std::string status_label(const Alert& a);           // "🔴 FIRING" / "✅ RESOLVED"
std::string posts_text(const Alert& a);             // "personal 0 · professional 5 · ..."
std::string followers_text(const Followers& f);     // "12398 → 12464 (+0.5%)"
std::string baseline_text(const Baseline& b);       // "previous 28d: 40 posts · 12.5 ..."
std::string more_alerts_text(std::size_t n);        // "and 3 more alerts"

// Concatenation without `"literal" + std::string`, which GCC 12 at -O3 flags with
// a false -Wrestrict (GCC bug 105329).
template <class... Parts>
std::string cat(const Parts&... parts) {
  std::string out;
  out.reserve((std::string_view(parts).size() + ...));
  (out.append(std::string_view(parts)), ...);
  return out;
}

// Longest prefix of s of at most max bytes that ends on a UTF-8 code point boundary.
std::size_t utf8_prefix(std::string_view s, std::size_t max);
// s itself when it fits in max bytes, else a prefix ending with "…" (max bytes in all).
std::string clip(std::string_view s, std::size_t max);
bool is_web_url(std::string_view s);  // http(s), no spaces or control characters

// Writes JSON with the commas handled; every string goes through json::append_string.
class JsonWriter {
 public:
  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(std::string_view k);
  JsonWriter& string(std::string_view v);
  JsonWriter& number(double v);
  JsonWriter& boolean(bool v);
  JsonWriter& null();
  JsonWriter& raw(std::string_view json);  // an already rendered value
  JsonWriter& field(std::string_view k, std::string_view v) { return key(k).string(v); }
  std::size_t size() const { return out_.size(); }
  std::string take() { return std::move(out_); }

 private:
  void separate();
  std::string out_;
  std::vector<bool> has_items_;  // one per open container
  bool after_key_ = false;
};

// The strings of `v` with `sep` between them.
std::string join(const std::vector<std::string>& v, std::string_view sep);

}  // namespace detail
}  // namespace kilter::pipeline::channels
