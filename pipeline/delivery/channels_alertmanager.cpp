// Alertmanager POST /api/v2/alerts body: a JSON array with one alert per record.
#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "common/time.h"
#include "pipeline/delivery/channels.h"

namespace kilter::pipeline::channels {
namespace {

using detail::Alert;
using detail::cat;
using detail::JsonWriter;

constexpr std::array<std::string_view, 7> kOwnLabels = {
    "alertname", "account", "metric", "window", "profile", "severity", "alert_id"};
// The description is read in notifications and amtool: a few posts tell the story.
constexpr std::size_t kDescriptionPosts = 3;

// Alertmanager's (Prometheus') label name grammar; "__" names are reserved.
bool valid_label_name(std::string_view n) {
  if (n.empty() || n.starts_with("__")) return false;
  for (std::size_t i = 0; i < n.size(); ++i) {
    const char c = n[i];
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    if (!letter && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

// RFC 3986 unreserved characters stay, everything else (UTF-8 bytes too) is %XX.
std::string percent_encode(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.' || c == '_' || c == '~';
    if (keep)
      out.push_back(static_cast<char>(c));
    else
      out += fmt::format("%{:02X}", c);
  }
  return out;
}

std::string post_text(const detail::Post& p) {
  std::vector<std::string> figures;
  if (!p.category.empty()) figures.push_back(p.category);
  if (p.engagement) figures.push_back(detail::format_number(*p.engagement) + " engagement");
  if (p.confidence) figures.push_back(detail::format_percent(*p.confidence, false) + " confidence");
  std::string out = p.post_id;
  if (!figures.empty()) out += cat(" (", detail::join(figures, ", "));
  if (!p.matched.empty()) out += cat(figures.empty() ? " (" : "; ", detail::join(p.matched, ", "));
  if (!figures.empty() || !p.matched.empty()) out += ")";
  if (!p.link.empty()) out += cat(" ", p.link);
  return out;
}

std::string description(const Alert& a) {
  std::vector<std::string> lines;
  std::string figure = detail::metric_title(a.metric);
  if (a.value) figure += cat(" ", detail::format_value(a.metric, *a.value));
  if (!a.window.empty()) figure += cat(" over ", a.window);
  if (auto l = detail::limit_text(a); !l.empty()) figure += cat(" (", l, ")");
  lines.push_back(std::move(figure));
  if (auto p = detail::posts_text(a); !p.empty()) lines.push_back(cat("Posts: ", p));
  if (a.followers) lines.push_back(cat("Followers: ", detail::followers_text(*a.followers)));
  if (a.baseline) lines.push_back(cat("Baseline: ", detail::baseline_text(*a.baseline)));
  if (!a.top_posts.empty()) {
    std::vector<std::string> posts;
    for (std::size_t i = 0; i < a.top_posts.size() && i < kDescriptionPosts; ++i)
      posts.push_back(post_text(a.top_posts[i]));
    lines.push_back(cat("Top posts: ", detail::join(posts, "; ")));
  }
  if (!a.matched_terms.empty())
    lines.push_back(cat("Matched terms: ", detail::join(a.matched_terms, ", ")));
  return detail::join(lines, "\n");
}

// Alertmanager refuses the whole batch for one bad timestamp; saying which record
// is at fault beats a 400 from the receiver.
Result<void> check_times(const Alert& a) {
  if (!a.starts_at.empty() && !parse_rfc3339(a.starts_at))
    return Error{fmt::format("{}: starts_at \"{}\" is not RFC 3339", a.alert_id, a.starts_at)};
  if (a.firing) return ok();
  // Without endsAt Alertmanager would take a resolution for a firing alert.
  if (a.ends_at.empty()) return Error{fmt::format("{}: resolved without ends_at", a.alert_id)};
  if (!parse_rfc3339(a.ends_at))
    return Error{fmt::format("{}: ends_at \"{}\" is not RFC 3339", a.alert_id, a.ends_at)};
  return ok();
}

}  // namespace

Result<std::string> alertmanager_alerts(std::span<const std::string_view> records,
                                        const AlertmanagerOptions& o) {
  for (const auto& [name, value] : o.extra_labels) {
    if (!valid_label_name(name))
      return Error{fmt::format("alertmanager: \"{}\" is not a valid label name", name)};
    if (std::find(kOwnLabels.begin(), kOwnLabels.end(), name) != kOwnLabels.end())
      return Error{fmt::format("alertmanager: label \"{}\" is set by Kilter", name)};
  }
  auto parsed = detail::parse_group(records);
  if (!parsed) return Error{cat("alertmanager: ", parsed.error().message)};

  std::string base = o.generator_url;
  while (base.ends_with('/')) base.pop_back();

  JsonWriter w;
  w.begin_array();
  for (const Alert& a : *parsed) {
    if (auto t = check_times(a); !t) return Error{cat("alertmanager: ", t.error().message)};
    w.begin_object().key("labels").begin_object();
    // Alertmanager treats an empty label as an absent one; leaving it out says so.
    std::string_view alertname = "kilter";
    if (!a.rule.empty())
      alertname = a.rule;
    else if (!a.metric.empty())
      alertname = a.metric;
    const std::array<std::pair<std::string_view, std::string_view>, 7> own = {
        {{"alertname", alertname},
         {"account", a.account},
         {"metric", a.metric},
         {"window", a.window},
         {"profile", a.profile},
         {"severity", a.severity},
         {"alert_id", a.alert_id}}};
    for (const auto& [name, value] : own)
      if (!value.empty()) w.field(name, value);
    for (const auto& [name, value] : o.extra_labels)
      if (!value.empty()) w.field(name, value);
    w.end_object();
    w.key("annotations").begin_object();
    w.field("summary", a.summary).field("description", description(a));
    w.end_object();
    if (!a.starts_at.empty()) w.field("startsAt", a.starts_at);
    // A firing alert has no endsAt: Alertmanager then applies its resolve_timeout, so
    // the alert resolves by itself unless it is re-sent more often than that.
    if (!a.firing) w.field("endsAt", a.ends_at);
    if (!base.empty())
      w.field("generatorURL", cat(base, "/api/v1/accounts/", percent_encode(a.account)));
    w.end_object();
  }
  w.end_array();
  return w.take();
}

}  // namespace kilter::pipeline::channels
