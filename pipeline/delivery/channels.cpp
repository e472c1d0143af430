// The figures' wording shared by every channel.
#include "pipeline/delivery/channels.h"

#include <fmt/format.h>

#include <array>
#include <cctype>
#include <cmath>

namespace kilter::pipeline::channels::detail {
namespace {

constexpr std::array<std::string_view, kCategories> kPostCategories = {
    "personal", "professional", "promotional", "unclassified"};

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

std::optional<double> known(double v) {
  if (!std::isfinite(v)) return std::nullopt;
  return v;
}

std::optional<double> known(const std::optional<double>& v) {
  return v ? known(*v) : std::nullopt;
}

std::vector<const TopPost*> shown_posts(const Evidence& e) {
  std::vector<const TopPost*> out;
  for (const auto& p : e.top_posts)
    if (!p.post_id.empty()) out.push_back(&p);  // nothing to point the reader at
  return out;
}

std::vector<std::string_view> terms(const std::vector<std::string>& v) {
  std::vector<std::string_view> out;
  for (const auto& s : v)
    if (!s.empty()) out.push_back(s);
  return out;
}

std::string_view category_name(const TopPost& p) {
  return to_string(p.category);
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

std::string limit_text(const AlertRecord& a) {
  const auto min = known(a.min);
  const auto max = known(a.max);
  if (min && max)
    return fmt::format("min {} · max {}", format_value(a.metric, *min),
                       format_value(a.metric, *max));
  if (min) return cat("min ", format_value(a.metric, *min));
  if (max) return cat("max ", format_value(a.metric, *max));
  return {};
}

std::string status_label(const AlertRecord& a) {
  return a.status == AlertStatus::firing ? "🔴 FIRING" : "✅ RESOLVED";
}

// Counts are shown as the figures they are, through a double as they always were.
std::string posts_text(const Evidence& e) {
  std::string out;
  for (std::size_t c = 0; c < kPostCategories.size(); ++c) {
    if (!out.empty()) out += " · ";
    out += fmt::format("{} {}", kPostCategories[c], fixed(static_cast<double>(e.posts[c]), 0));
  }
  return out;
}

std::string followers_text(const FollowerEvidence& f) {
  const auto first = static_cast<double>(f.first);
  const auto last = static_cast<double>(f.last);
  std::string out = fmt::format("{} → {}", fixed(first, 0), fixed(last, 0));
  if (first > 0) out += fmt::format(" ({})", format_percent((last - first) / first, true));
  return out;
}

std::string baseline_text(const BaselineEvidence& b) {
  std::string out = cat("previous ", b.window.empty() ? "window" : b.window);
  out += ": " + count(static_cast<double>(b.posts), "post", "posts");
  if (const auto per_post = known(b.engagement_per_post))
    out += fmt::format(" · {} engagement per post", format_number(*per_post));
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

}  // namespace kilter::pipeline::channels::detail
