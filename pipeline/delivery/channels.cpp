// Reading alert records back, and the figures' wording shared by every channel.
#include "pipeline/delivery/channels.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <cctype>

#include "common/json.h"

namespace kilter::pipeline::channels::detail {
namespace {

namespace dom = simdjson::dom;

std::string string_or_empty(dom::object o, std::string_view k) {
  std::string_view v;
  if (o[k].get(v) != simdjson::SUCCESS) return {};
  return std::string(v);
}

// Absent, null and mistyped all read as "not known": receivers ignore what they
// cannot use rather than refusing the whole notification.
std::optional<double> number(dom::object o, std::string_view k) {
  double v = 0;
  if (o[k].get_double().get(v) != simdjson::SUCCESS) return std::nullopt;
  return v;
}

std::vector<std::string> strings(dom::object o, std::string_view k) {
  std::vector<std::string> out;
  dom::array a;
  if (o[k].get(a) != simdjson::SUCCESS) return out;
  for (dom::element e : a) {
    std::string_view s;
    if (e.get(s) == simdjson::SUCCESS && !s.empty()) out.emplace_back(s);
  }
  return out;
}

void read_evidence(dom::object ev, Alert& a) {
  dom::object posts;
  if (ev["posts"].get(posts) == simdjson::SUCCESS)
    for (std::size_t c = 0; c < kPostCategories.size(); ++c)
      a.posts[c] = number(posts, kPostCategories[c]);

  dom::object f;
  if (ev["followers"].get(f) == simdjson::SUCCESS) {
    const auto first = number(f, "first");
    const auto last = number(f, "last");
    if (first && last) a.followers = Followers{*first, *last};
  }

  dom::object b;
  if (ev["baseline"].get(b) == simdjson::SUCCESS)
    a.baseline = Baseline{string_or_empty(b, "window"), number(b, "posts"),
                          number(b, "engagement_per_post")};

  dom::array top;
  if (ev["top_posts"].get(top) == simdjson::SUCCESS) {
    for (dom::element e : top) {
      dom::object p;
      if (e.get(p) != simdjson::SUCCESS) continue;
      Post post;
      post.post_id = string_or_empty(p, "post_id");
      if (post.post_id.empty()) continue;  // nothing to point the reader at
      post.category = string_or_empty(p, "category");
      post.engagement = number(p, "engagement");
      post.confidence = number(p, "confidence");
      post.matched = strings(p, "matched");
      post.link = string_or_empty(p, "link");
      a.top_posts.push_back(std::move(post));
    }
  }
  a.matched_terms = strings(ev, "matched_terms");
}

Result<Alert> parse_one(dom::parser& parser, std::string_view record) {
  const simdjson::padded_string padded(record);
  dom::element doc;
  if (const auto err = parser.parse(padded).get(doc))
    return Error{fmt::format("not valid JSON ({})", simdjson::error_message(err))};
  dom::object o;
  if (doc.get(o) != simdjson::SUCCESS) return Error{"not a JSON object"};

  Alert a;
  a.alert_id = string_or_empty(o, "alert_id");
  a.account = string_or_empty(o, "account");
  a.summary = string_or_empty(o, "summary");
  const std::string status = string_or_empty(o, "status");
  using Required = std::pair<std::string_view, const std::string*>;
  for (const Required& r : {Required{"alert_id", &a.alert_id}, Required{"account", &a.account},
                            Required{"status", &status}, Required{"summary", &a.summary}})
    if (r.second->empty()) return Error{fmt::format("no \"{}\" string", r.first)};
  if (status != "firing" && status != "resolved")
    return Error{fmt::format("status \"{}\" is neither firing nor resolved", status)};
  a.firing = status == "firing";

  a.rule = string_or_empty(o, "rule");
  a.metric = string_or_empty(o, "metric");
  a.window = string_or_empty(o, "window");
  a.value = number(o, "value");
  a.min = number(o, "min");
  a.max = number(o, "max");
  a.starts_at = string_or_empty(o, "starts_at");
  a.ends_at = string_or_empty(o, "ends_at");
  a.profile = string_or_empty(o, "profile");
  a.severity = string_or_empty(o, "severity");
  dom::object ev;
  if (o["evidence"].get(ev) == simdjson::SUCCESS) read_evidence(ev, a);
  return a;
}

// Fixed decimals, without the "-0.0" a tiny negative value would print as.
std::string fixed(double v, int decimals) {
  std::string s = fmt::format("{:.{}f}", v, decimals);
  if (s.starts_with('-') && s.find_first_not_of("0.", 1) == std::string::npos) s.erase(0, 1);
  return s;
}

std::string count(double v, std::string_view one, std::string_view many) {
  const std::string n = fixed(v, 0);
  return fmt::format("{} {}", n, n == "1" ? one : many);
}

}  // namespace

Result<std::vector<Alert>> parse_group(std::span<const std::string_view> records) {
  if (records.empty()) return Error{"no alert records to render"};
  dom::parser parser;
  std::vector<Alert> out;
  out.reserve(records.size());
  for (std::size_t i = 0; i < records.size(); ++i) {
    auto a = parse_one(parser, records[i]);
    if (!a) return Error{fmt::format("alert record {}: {}", i + 1, a.error().message)};
    out.push_back(std::move(*a));
  }
  return out;
}

std::string format_number(double v) {
  std::string s = fixed(v, 2);
  if (s.find('.') != std::string::npos) {
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
  }
  return s;
}

std::string format_percent(double fraction, bool is_signed) {
  const std::string s = fixed(fraction * 100, 1);
  return cat(is_signed && !s.starts_with('-') && s != "0.0" ? "+" : "", s, "%");
}

std::string format_value(std::string_view metric, double v) {
  if (metric == "personal_share" || metric == "promotional_share") return format_percent(v, false);
  if (metric == "engagement_change" || metric == "follower_change") return format_percent(v, true);
  if (metric == "posts") return fixed(v, 0);
  return format_number(v);
}

std::string metric_title(std::string_view metric) {
  if (metric == "personal_share") return "Personal share";
  if (metric == "promotional_share") return "Promotional share";
  if (metric == "posts") return "Posts";
  if (metric == "engagement_per_post") return "Engagement per post";
  if (metric == "engagement_change") return "Engagement change";
  if (metric == "follower_change") return "Follower change";
  return "Value";
}

std::string limit_text(const Alert& a) {
  if (a.min && a.max)
    return fmt::format("min {} · max {}", format_value(a.metric, *a.min),
                       format_value(a.metric, *a.max));
  if (a.min) return cat("min ", format_value(a.metric, *a.min));
  if (a.max) return cat("max ", format_value(a.metric, *a.max));
  return {};
}

std::string status_label(const Alert& a) {
  return a.firing ? "🔴 FIRING" : "✅ RESOLVED";
}

std::string posts_text(const Alert& a) {
  std::string out;
  for (std::size_t c = 0; c < kPostCategories.size(); ++c) {
    if (!a.posts[c]) continue;
    if (!out.empty()) out += " · ";
    out += fmt::format("{} {}", kPostCategories[c], fixed(*a.posts[c], 0));
  }
  return out;
}

std::string followers_text(const Followers& f) {
  std::string out = fmt::format("{} → {}", fixed(f.first, 0), fixed(f.last, 0));
  if (f.first > 0) out += fmt::format(" ({})", format_percent((f.last - f.first) / f.first, true));
  return out;
}

std::string baseline_text(const Baseline& b) {
  std::string out = cat("previous ", b.window.empty() ? "window" : b.window);
  const char* sep = ": ";
  if (b.posts) {
    out += sep + count(*b.posts, "post", "posts");
    sep = " · ";
  }
  if (b.engagement_per_post)
    out += fmt::format("{}{} engagement per post", sep, format_number(*b.engagement_per_post));
  return out;
}

std::string more_alerts_text(std::size_t n) {
  return fmt::format("and {} more {}", n, n == 1 ? "alert" : "alerts");
}

std::size_t utf8_prefix(std::string_view s, std::size_t max) {
  if (s.size() <= max) return s.size();
  std::size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return n;
}

std::string clip(std::string_view s, std::size_t max) {
  if (s.size() <= max) return std::string(s);
  constexpr std::string_view kEllipsis = "…";
  if (max < kEllipsis.size()) return std::string(s.substr(0, utf8_prefix(s, max)));
  std::string out(s.substr(0, utf8_prefix(s, max - kEllipsis.size())));
  out += kEllipsis;
  return out;
}

bool is_web_url(std::string_view s) {
  auto starts = [&](std::string_view p) {
    if (s.size() <= p.size()) return false;
    for (std::size_t i = 0; i < p.size(); ++i)
      if (std::tolower(static_cast<unsigned char>(s[i])) != p[i]) return false;
    return true;
  };
  if (!starts("http://") && !starts("https://")) return false;
  for (unsigned char c : s)
    if (c <= 0x20 || c == 0x7f) return false;
  return true;
}

void JsonWriter::separate() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (has_items_.empty()) return;
  if (has_items_.back()) out_.push_back(',');
  has_items_.back() = true;
}

JsonWriter& JsonWriter::begin_object() {
  separate();
  out_.push_back('{');
  has_items_.push_back(false);
  return *this;
}

JsonWriter& JsonWriter::end_object() {
  out_.push_back('}');
  has_items_.pop_back();
  return *this;
}

JsonWriter& JsonWriter::begin_array() {
  separate();
  out_.push_back('[');
  has_items_.push_back(false);
  return *this;
}

JsonWriter& JsonWriter::end_array() {
  out_.push_back(']');
  has_items_.pop_back();
  return *this;
}

JsonWriter& JsonWriter::key(std::string_view k) {
  separate();
  json::append_string(out_, k);
  out_.push_back(':');
  after_key_ = true;
  return *this;
}

JsonWriter& JsonWriter::string(std::string_view v) {
  separate();
  json::append_string(out_, v);
  return *this;
}

JsonWriter& JsonWriter::number(double v) {
  separate();
  json::append_number(out_, v);
  return *this;
}

JsonWriter& JsonWriter::boolean(bool v) {
  separate();
  out_ += v ? "true" : "false";
  return *this;
}

JsonWriter& JsonWriter::null() {
  separate();
  out_ += "null";
  return *this;
}

JsonWriter& JsonWriter::raw(std::string_view json) {
  separate();
  out_ += json;
  return *this;
}

std::string join(const std::vector<std::string>& v, std::string_view sep) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i) out += sep;
    out += v[i];
  }
  return out;
}

}  // namespace kilter::pipeline::channels::detail
