// Alertmanager POST /api/v2/alerts body: a JSON array with one alert per record.
#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "common/time.h"
#include "pipeline/delivery/channels.h"

namespace kilter::pipeline::channels {
namespace {

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

std::string post_text(const TopPost& p) {
  std::vector<std::string> figures{std::string(detail::category_name(p))};
  if (const auto e = detail::known(p.engagement))
    figures.push_back(detail::format_number(*e) + " engagement");
  if (const auto c = detail::known(p.confidence))
    figures.push_back(detail::format_percent(*c, false) + " confidence");
  std::string out = cat(p.post_id, " (", detail::join(figures, ", "));
  if (const auto matched = detail::terms(p.matched); !matched.empty())
    out += cat("; ", detail::join(matched, ", "));
  out += ")";
  if (!p.link.empty()) out += cat(" ", p.link);
  return out;
}

std::string description(const AlertRecord& a) {
  const Evidence& e = a.evidence;
  std::vector<std::string> lines;
  std::string figure = detail::metric_title(a.metric);
  if (const auto v = detail::known(a.value)) figure += cat(" ", detail::format_value(a.metric, *v));
  if (!a.window.empty()) figure += cat(" over ", a.window);
  if (auto l = detail::limit_text(a); !l.empty()) figure += cat(" (", l, ")");
  lines.push_back(std::move(figure));
  lines.push_back(cat("Posts: ", detail::posts_text(e)));
  if (e.followers) lines.push_back(cat("Followers: ", detail::followers_text(*e.followers)));
  if (e.baseline) lines.push_back(cat("Baseline: ", detail::baseline_text(*e.baseline)));
  if (const auto shown = detail::shown_posts(e); !shown.empty()) {
    std::vector<std::string> posts;
    for (std::size_t i = 0; i < shown.size() && i < kDescriptionPosts; ++i)
      posts.push_back(post_text(*shown[i]));
    lines.push_back(cat("Top posts: ", detail::join(posts, "; ")));
  }
  if (const auto matched = detail::terms(e.matched_terms); !matched.empty())
    lines.push_back(cat("Matched terms: ", detail::join(matched, ", ")));
  return detail::join(lines, "\n");
}

// Alertmanager refuses the whole batch for one bad timestamp (one it cannot read
// back, beyond RFC 3339's years); saying which record is at fault beats a 400.
Result<void> check_times(const AlertRecord& a, const std::string& starts_at,
                         const std::string& ends_at) {
  if (!parse_rfc3339(starts_at))
    return Error{fmt::format("{}: starts_at \"{}\" is not RFC 3339", a.alert_id, starts_at)};
  if (a.status == AlertStatus::firing) return ok();
  // Without endsAt Alertmanager would take a resolution for a firing alert.
  if (!a.ends_at) return Error{fmt::format("{}: resolved without ends_at", a.alert_id)};
  if (!parse_rfc3339(ends_at))
    return Error{fmt::format("{}: ends_at \"{}\" is not RFC 3339", a.alert_id, ends_at)};
  return ok();
}

}  // namespace

Result<std::string> alertmanager_alerts(Records records, const AlertmanagerOptions& o) {
  for (const auto& [name, value] : o.extra_labels) {
    if (!valid_label_name(name))
      return Error{fmt::format("alertmanager: \"{}\" is not a valid label name", name)};
    if (std::find(kOwnLabels.begin(), kOwnLabels.end(), name) != kOwnLabels.end())
      return Error{fmt::format("alertmanager: label \"{}\" is set by Kilter", name)};
  }
  if (records.empty()) return Error{"alertmanager: no alert records to render"};

  std::string base = o.generator_url;
  while (base.ends_with('/')) base.pop_back();

  JsonWriter w;
  w.begin_array();
  for (const AlertRecord* record : records) {
    const AlertRecord& a = *record;
    const std::string starts_at = format_rfc3339(a.starts_at);
    const std::string ends_at = a.ends_at ? format_rfc3339(*a.ends_at) : std::string();
    if (auto t = check_times(a, starts_at, ends_at); !t)
      return Error{cat("alertmanager: ", t.error().message)};
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
    if (a.evidence.advice && !a.evidence.advice->text.empty())
      w.field("advice", a.evidence.advice->text);
    w.end_object();
    w.field("startsAt", starts_at);
    // A firing alert has no endsAt: Alertmanager then applies its resolve_timeout, so
    // the alert resolves by itself unless it is re-sent more often than that.
    if (a.status == AlertStatus::resolved) w.field("endsAt", ends_at);
    if (!base.empty())
      w.field("generatorURL", cat(base, "/api/v1/accounts/", percent_encode(a.account)));
    w.end_object();
  }
  w.end_array();
  return w.take();
}

}  // namespace kilter::pipeline::channels
