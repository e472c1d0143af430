// The digest table's order and cells, shared by the Slack and Teams renderers.
#include "pipeline/delivery/channels_digest.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <tuple>

#include "common/markup.h"

namespace kilter::pipeline::channels::detail {
namespace {

bool is_share(std::string_view metric) {
  return metric == "personal_share" || metric == "promotional_share";
}

// How far the account's worst share rule is beyond its limit (positive) or within
// it (negative: the margin left); -infinity when no share rule has a value.
double worst_share_excess(const DigestRecord& d) {
  double worst = -std::numeric_limits<double>::infinity();
  for (const auto& r : d.rules) {
    const auto v = known(r.value);
    if (!is_share(r.metric) || !v) continue;
    if (const auto max = known(r.max)) worst = std::max(worst, *v - *max);
    if (const auto min = known(r.min)) worst = std::max(worst, *min - *v);
  }
  return worst;
}

}  // namespace

std::vector<const DigestRecord*> worst_first(Digests digests) {
  struct Keyed {
    const DigestRecord* d;
    bool firing;
    double excess;
  };
  std::vector<Keyed> keyed;
  keyed.reserve(digests.size());
  for (const DigestRecord* d : digests)
    keyed.push_back({d, digest_status(*d) == DigestStatus::firing, worst_share_excess(*d)});
  std::sort(keyed.begin(), keyed.end(), [](const Keyed& a, const Keyed& b) {
    // Larger is worse for both keys; ids ascend.
    return std::tie(b.firing, b.excess, a.d->account, a.d->digest_id) <
           std::tie(a.firing, a.excess, b.d->account, b.d->digest_id);
  });
  std::vector<const DigestRecord*> out;
  out.reserve(keyed.size());
  for (const auto& k : keyed) out.push_back(k.d);
  return out;
}

std::vector<std::string_view> firing_rules(const DigestRecord& d) {
  std::vector<std::string_view> out;
  for (const auto& r : d.rules)
    if (r.status == "firing") out.push_back(r.rule);
  return out;
}

DigestStatus digest_status(const DigestRecord& d) {
  if (d.rules.empty()) return DigestStatus::no_rules;
  bool pending = false;
  bool ok = false;
  for (const auto& r : d.rules) {
    if (r.status == "firing") return DigestStatus::firing;
    pending = pending || r.status == "pending";
    ok = ok || r.status == "ok";
  }
  if (pending) return DigestStatus::pending;
  return ok ? DigestStatus::ok : DigestStatus::no_verdict;
}

std::string digest_status_text(const DigestRecord& d) {
  switch (digest_status(d)) {
    case DigestStatus::firing:
      return cat("🔴 ", join(firing_rules(d), ", "));
    case DigestStatus::pending: {
      std::vector<std::string_view> names;
      for (const auto& r : d.rules)
        if (r.status == "pending") names.push_back(r.rule);
      return cat("🟠 pending: ", join(names, ", "));
    }
    case DigestStatus::ok:
      return "✅ within limits";
    case DigestStatus::no_verdict:
      return "⚪ no verdict";
    case DigestStatus::no_rules:
      break;
  }
  return {};
}

std::string posts_cell(const DigestRecord& d) {
  return fmt::format("{} / {} / {}", d.posts[static_cast<std::size_t>(Category::personal)],
                     d.posts[static_cast<std::size_t>(Category::professional)],
                     d.posts[static_cast<std::size_t>(Category::promotional)]);
}

std::string share_cell(std::optional<double> s) {
  const auto v = known(s);
  return v ? format_percent(*v, false) : "–";
}

std::uint64_t engagement_total(const DigestRecord& d) {
  std::uint64_t total = 0;
  for (std::size_t a = 0; a < kActions; ++a)
    if (static_cast<Action>(a) != Action::impression) total += d.engagement[a];
  return total;
}

std::string followers_cell(const DigestRecord& d) {
  if (!d.followers) return "–";
  if (const auto c = known(d.followers->change)) return format_percent(*c, true);
  return fmt::format("{}", d.followers->end);
}

std::string first_advice(const DigestRecord& d, std::size_t max) {
  for (const auto& a : d.advice)
    if (!a.text.empty()) return clip(a.text, max);
  return {};
}

std::string local_time(std::string_view s) {
  // "YYYY-MM-DDTHH:MM..." : the date and the minutes of the local wall time.
  if (s.size() < 16 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') || s[13] != ':')
    return std::string(s);
  return cat(s.substr(0, 10), " ", s.substr(11, 5));
}

std::string period_text(Digests digests) {
  const DigestRecord& first = *digests.front();
  std::string out = fmt::format("{} → {}", local_time(first.from_text), local_time(first.to_text));
  if (!first.timezone.empty()) out += cat(" (", first.timezone, ")");
  const auto others = std::count_if(digests.begin(), digests.end(), [&](const DigestRecord* d) {
    return d->timezone != first.timezone || d->from_text != first.from_text ||
           d->to_text != first.to_text;
  });
  if (others > 0)
    out +=
        fmt::format(" · other time zones for {} {}", others, others == 1 ? "account" : "accounts");
  return out;
}

std::string more_accounts_text(std::size_t n) {
  return fmt::format("and {} more {}", n, n == 1 ? "account" : "accounts");
}

std::string accounts_summary(Digests digests) {
  const auto firing = std::count_if(digests.begin(), digests.end(), [](const DigestRecord* d) {
    return digest_status(*d) == DigestStatus::firing;
  });
  return fmt::format("{} {}, {} with a rule firing", digests.size(),
                     digests.size() == 1 ? "account" : "accounts", firing);
}

}  // namespace kilter::pipeline::channels::detail
