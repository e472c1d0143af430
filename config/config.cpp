#include "config/config.h"

#include <algorithm>

#include <array>
#include <utility>

namespace kilter::config {
namespace {

constexpr std::array<std::pair<Metric, std::string_view>, 6> kMetricNames = {{
    {Metric::personal_share, "personal_share"},
    {Metric::promotional_share, "promotional_share"},
    {Metric::posts, "posts"},
    {Metric::engagement_per_post, "engagement_per_post"},
    {Metric::engagement_change, "engagement_change"},
    {Metric::follower_change, "follower_change"},
}};

constexpr std::array<std::pair<SinkType, std::string_view>, 7> kSinkNames = {{
    {SinkType::file, "file"},
    {SinkType::log, "log"},
    {SinkType::kafka, "kafka"},
    {SinkType::webhook, "webhook"},
    {SinkType::slack, "slack"},
    {SinkType::teams, "teams"},
    {SinkType::alertmanager, "alertmanager"},
}};

Rule make_rule(std::string name, Metric metric, Millis window, std::string window_text,
               std::optional<double> min, std::optional<double> max, std::uint64_t min_posts) {
  Rule r;
  r.name = std::move(name);
  r.metric = metric;
  r.window = window;
  r.window_text = std::move(window_text);
  r.min = min;
  r.max = max;
  r.min_posts = min_posts;
  return r;
}

// A UTF-8 code point starts at every byte that is not a continuation byte.
std::size_t next_char(std::string_view s, std::size_t i) {
  ++i;
  while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) ++i;
  return i;
}

}  // namespace

static_assert(std::variant_size_v<SinkOptions> == kSinkNames.size());
static_assert(
    std::is_same_v<
        std::variant_alternative_t<static_cast<std::size_t>(SinkType::alertmanager), SinkOptions>,
        AlertmanagerSinkOptions>);
static_assert(
    std::is_same_v<std::variant_alternative_t<static_cast<std::size_t>(SinkType::log), SinkOptions>,
                   LogSinkOptions>);

SinkOptions default_sink_options(SinkType t) {
  switch (t) {
    case SinkType::file:
      return FileSinkOptions{};
    case SinkType::log:
      return LogSinkOptions{};
    case SinkType::kafka:
      return KafkaSinkOptions{};
    case SinkType::webhook:
      return WebhookSinkOptions{};
    case SinkType::slack:
      return SlackSinkOptions{};
    case SinkType::teams:
      return TeamsSinkOptions{};
    case SinkType::alertmanager:
      return AlertmanagerSinkOptions{};
  }
  return LogSinkOptions{};
}

std::string_view to_string(Metric m) {
  for (const auto& [metric, name] : kMetricNames)
    if (metric == m) return name;
  return "unknown";
}

std::optional<Metric> parse_metric(std::string_view s) {
  for (const auto& [metric, name] : kMetricNames)
    if (name == s) return metric;
  return std::nullopt;
}

std::string_view to_string(SinkType t) {
  for (const auto& [type, name] : kSinkNames)
    if (type == t) return name;
  return "unknown";
}

std::optional<SinkType> parse_sink_type(std::string_view s) {
  for (const auto& [type, name] : kSinkNames)
    if (name == s) return type;
  return std::nullopt;
}

std::map<std::string, Profile> builtin_profiles() {
  using std::chrono::days;
  const Millis week = days(7);
  std::map<std::string, Profile> out;
  Profile brand;
  brand.name = "brand";
  brand.rules = {
      make_rule("brand-on-topic", Metric::personal_share, week, "7d", std::nullopt, 0.10, 10),
      make_rule("chatter", Metric::posts, days(1), "1d", std::nullopt, 30, 0),
      make_rule("too-pushy", Metric::promotional_share, week, "7d", std::nullopt, 0.40, 10),
  };
  Profile voice;
  voice.name = "voice";
  voice.rules = {
      make_rule("show-the-person", Metric::personal_share, week, "7d", 0.20, 0.60, 10),
      make_rule("too-pushy", Metric::promotional_share, week, "7d", std::nullopt, 0.40, 10),
  };
  out.emplace(brand.name, std::move(brand));
  out.emplace(voice.name, std::move(voice));
  return out;
}

bool glob_match(std::string_view pattern, std::string_view s) {
  // Greedy match with one backtrack point: on a mismatch, let the last '*' swallow
  // one more character. Linear in practice, never exponential.
  std::size_t p = 0, i = 0;
  std::size_t star = std::string_view::npos, star_i = 0;
  while (i < s.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      star_i = i;
    } else if (p < pattern.size() && pattern[p] == '?') {
      ++p;
      i = next_char(s, i);
    } else if (p < pattern.size() && pattern[p] == s[i]) {
      ++p;
      ++i;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      star_i = next_char(s, star_i);
      i = star_i;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

AccountPolicy resolve_account(const Config& c, std::string_view account) {
  const AccountMatcher* entry = nullptr;
  for (const auto& a : c.accounts) {
    if (!a.id.empty() && a.id == account) {
      entry = &a;
      break;
    }
  }
  if (entry == nullptr) {
    for (const auto& a : c.accounts) {
      if (!a.match.empty() && glob_match(a.match, account)) {
        entry = &a;
        break;
      }
    }
  }
  const std::string& profile_name = entry ? entry->profile : c.default_profile;
  AccountPolicy policy;
  if (auto it = c.profiles.find(profile_name); !profile_name.empty() && it != c.profiles.end()) {
    policy.profile = &it->second;
    policy.brand_terms = it->second.brand_terms;
  }
  if (entry) {
    policy.brand_terms.insert(policy.brand_terms.end(), entry->brand_terms.begin(),
                              entry->brand_terms.end());
    policy.campaigns = &entry->campaigns;
    if (!entry->timezone.empty()) policy.timezone = &entry->timezone;
  }
  return policy;
}

}  // namespace kilter::config
