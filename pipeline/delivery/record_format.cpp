#include "pipeline/delivery/record_format.h"

#include <fmt/format.h>

#include <cmath>

#include "common/json.h"
#include "common/time.h"

namespace kilter::pipeline {
namespace {

void key(std::string& out, std::string_view k) {
  json::append_string(out, k);
  out.push_back(':');
}

void optional_number(std::string& out, const std::optional<double>& v) {
  if (v)
    json::append_number(out, *v);
  else
    out += "null";
}

void string_array(std::string& out, const std::vector<std::string>& v) {
  out.push_back('[');
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i) out.push_back(',');
    json::append_string(out, v[i]);
  }
  out.push_back(']');
}

void append_evidence(std::string& out, const Evidence& e) {
  out += "{\"posts\":{";
  for (std::size_t c = 0; c < kCategories; ++c) {
    if (c) out.push_back(',');
    key(out, to_string(static_cast<Category>(c)));
    fmt::format_to(std::back_inserter(out), "{}", e.posts[c]);
  }
  out += "},\"engagement\":{";
  for (std::size_t c = 0; c < kEngagementClasses; ++c) {
    if (c) out.push_back(',');
    key(out, to_string(static_cast<EngagementClass>(c)));
    json::append_number(out, e.engagement[c]);
  }
  out.push_back('}');
  if (e.followers) {
    fmt::format_to(
        std::back_inserter(out),
        ",\"followers\":{{\"first\":{},\"last\":{},\"first_at\":\"{}\",\"last_at\":\"{}\"}}",
        e.followers->first, e.followers->last, format_rfc3339(e.followers->first_at),
        format_rfc3339(e.followers->last_at));
  }
  if (e.baseline) {
    out += ",\"baseline\":{";
    key(out, "window");
    json::append_string(out, e.baseline->window);
    fmt::format_to(std::back_inserter(out), ",\"posts\":{},\"engagement\":", e.baseline->posts);
    json::append_number(out, e.baseline->engagement);
    out += ",\"engagement_per_post\":";
    optional_number(out, e.baseline->engagement_per_post);
    out.push_back('}');
  }
  out += ",\"top_posts\":[";
  for (std::size_t i = 0; i < e.top_posts.size(); ++i) {
    const TopPost& p = e.top_posts[i];
    if (i) out.push_back(',');
    out += "{\"post_id\":";
    json::append_string(out, p.post_id);
    out += ",\"category\":";
    json::append_string(out, to_string(p.category));
    out += ",\"engagement\":";
    json::append_number(out, p.engagement);
    out += ",\"confidence\":";
    json::append_number(out, p.confidence);
    out += ",\"matched\":";
    string_array(out, p.matched);
    out += ",\"link\":";
    if (p.link.empty())
      out += "null";
    else
      json::append_string(out, p.link);
    out.push_back('}');
  }
  out += "],\"matched_terms\":";
  string_array(out, e.matched_terms);
  out.push_back('}');
}

std::string plain_number(double v) {
  std::string s = fmt::format("{:.1f}", v);
  if (s.size() > 2 && s.compare(s.size() - 2, 2, ".0") == 0) s.resize(s.size() - 2);
  return s;
}

std::string evidence_text(const Evidence& e) {
  std::string out;
  fmt::format_to(std::back_inserter(out), "{} personal / {} professional / {} promotional",
                 e.posts[0], e.posts[1], e.posts[2]);
  if (const auto u = e.posts[static_cast<std::size_t>(Category::unclassified)])
    fmt::format_to(std::back_inserter(out), " / {} unclassified", u);
  if (e.followers)
    fmt::format_to(std::back_inserter(out), "; followers {} -> {}", e.followers->first,
                   e.followers->last);
  if (e.baseline) {
    fmt::format_to(std::back_inserter(out), "; previous {}: {} posts", e.baseline->window,
                   e.baseline->posts);
    if (e.baseline->engagement_per_post)
      fmt::format_to(std::back_inserter(out), ", {} per post",
                     plain_number(*e.baseline->engagement_per_post));
  }
  constexpr std::size_t kShown = 3;
  for (std::size_t i = 0; i < e.top_posts.size() && i < kShown; ++i) {
    const TopPost& p = e.top_posts[i];
    out += i == 0 ? "; top: " : ", ";
    out += p.post_id;
    if (!p.matched.empty()) fmt::format_to(std::back_inserter(out), " \"{}\"", p.matched.front());
  }
  if (e.top_posts.size() > kShown) out += ", ...";
  return out;
}

}  // namespace

std::string to_json(const AlertRecord& r) {
  std::string out;
  out.reserve(512);
  out.push_back('{');
  key(out, "alert_id");
  json::append_string(out, r.alert_id);
  out += ",\"account\":";
  json::append_string(out, r.account);
  out += ",\"rule\":";
  json::append_string(out, r.rule);
  out += ",\"metric\":";
  json::append_string(out, r.metric);
  out += ",\"window\":";
  json::append_string(out, r.window);
  out += ",\"status\":";
  json::append_string(out, to_string(r.status));
  out += ",\"value\":";
  json::append_number(out, r.value);
  out += ",\"min\":";
  optional_number(out, r.min);
  out += ",\"max\":";
  optional_number(out, r.max);
  out += ",\"starts_at\":";
  json::append_string(out, format_rfc3339(r.starts_at));
  out += ",\"ends_at\":";
  if (r.ends_at)
    json::append_string(out, format_rfc3339(*r.ends_at));
  else
    out += "null";
  out += ",\"summary\":";
  json::append_string(out, r.summary);
  out += ",\"evidence\":";
  append_evidence(out, r.evidence);
  out += ",\"profile\":";
  json::append_string(out, r.profile);
  out += ",\"severity\":";
  json::append_string(out, r.severity);
  if (!r.campaign.empty()) {
    out += ",\"campaign\":";
    json::append_string(out, r.campaign);
  }
  out.push_back('}');
  return out;
}

std::string to_text(const AlertRecord& r) {
  std::string_view what = r.summary;
  const std::string prefix = r.account + ": ";
  if (what.starts_with(prefix)) what.remove_prefix(prefix.size());
  return fmt::format("{}  {}  {}  {}  [{}]",
                     r.status == AlertStatus::firing ? "FIRING" : "RESOLVED", r.account, r.rule,
                     what, evidence_text(r.evidence));
}

}  // namespace kilter::pipeline
