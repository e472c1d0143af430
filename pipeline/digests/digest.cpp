#include "pipeline/digests/digest.h"

#include <fmt/format.h>

#include "common/time.h"
#include "pipeline/rules/advice.h"
#include "pipeline/rules/routing.h"
#include "pipeline/rules/rules.h"

namespace kilter::pipeline::digests {
namespace {

std::optional<double> share(std::uint64_t n, std::uint64_t classified) {
  if (classified == 0) return std::nullopt;
  return static_cast<double>(n) / static_cast<double>(classified);
}

// The alert's state first: a firing alert whose rule has no verdict now (too few
// posts) still fires (no verdict leaves a state as it is).
std::string status(const std::optional<double>& value, const AlertState& s) {
  switch (s.phase) {
    case AlertPhase::firing:
      return "firing";
    case AlertPhase::pending:
      return "pending";
    case AlertPhase::inactive:
      break;
  }
  return value ? "ok" : "no_verdict";
}

}  // namespace

bool matches(const config::Digest& d, AccountRef account, const config::Profile* profile) {
  // No profile matches no profile name (a matcher's profile is never empty when set).
  return matches_account(d.match, account,
                         ProfileRef{profile != nullptr ? std::string_view(profile->name) : ""});
}

bool active(const AccountWindows& w, const config::Profile* profile, const Period& p) {
  Millis span = p.to - p.from;
  if (profile != nullptr)
    for (const auto& r : profile->rules)
      span = std::max(span, r.window + r.baseline.value_or(Millis{0}));
  auto first = w.first_at_or_after(p.to - span);
  return first && *first < p.to;
}

std::string digest_id(std::string_view digest, std::string_view account, std::string_view to) {
  return fmt::format("{}/{}/{}", digest, account, to);
}

DigestRecord build(const DigestInput& in, const Period& p, const PostSource& posts) {
  DigestRecord r;
  r.digest = in.digest.name;
  r.account = std::string(in.account.view());
  r.profile = in.profile != nullptr ? in.profile->name : std::string();
  r.timezone = in.schedule.zone();
  r.from = p.from;
  r.to = p.to;
  r.from_text = in.schedule.format(p.from);
  r.to_text = in.schedule.format(p.to);
  r.digest_id = digest_id(r.digest, r.account, r.to_text);

  const WindowFigures f = in.windows.window(p.to, p.to - p.from);
  for (std::size_t c = 0; c < kCategories; ++c) r.posts[c] = f.sum.posts[c];
  const auto classified = f.classified_posts();
  r.personal_share = share(f.posts(Category::personal), classified);
  r.promotional_share = share(f.posts(Category::promotional), classified);
  for (std::size_t c = 0; c < kEngagementClasses; ++c) {
    for (std::size_t a = 0; a < kActions; ++a) {
      r.engagement_by_category[c][a] = f.sum.engagement[c][a];
      r.engagement[a] += f.sum.engagement[c][a];
    }
  }
  if (const auto& s = f.sum.followers; !s.empty()) {
    DigestFollowers fo;
    fo.start = s.first;
    fo.end = s.last;
    if (s.first != 0)
      fo.change = static_cast<double>(s.last - s.first) / static_cast<double>(s.first);
    r.followers = fo;
  }

  std::vector<TopPost> candidates;
  posts(in.account, p.from, p.to, [&](TimePoint, std::string_view post_id, const PostDetail& d) {
    candidates.push_back(top_post(post_id, d));
  });
  Evidence e;
  set_top_posts(e, std::move(candidates), std::nullopt, kTopPosts);
  r.top_posts = std::move(e.top_posts);

  if (in.profile != nullptr) {
    const auto& rules = in.profile->rules;
    for (std::size_t i = 0; i < rules.size(); ++i) {
      const auto& rule = rules[i];
      const auto v = compute_metric(rule, in.windows, p.to, in.weights);
      DigestRule dr;
      dr.rule = rule.name;
      dr.metric = std::string(config::to_string(rule.metric));
      dr.window = window_text(rule);
      dr.value = v.value;
      dr.min = rule.min;
      dr.max = rule.max;
      dr.status = status(v.value, i < in.alerts.size() ? in.alerts[i] : AlertState{});
      r.rules.push_back(std::move(dr));
      if (auto a = advise(rule, in.windows, p.to, v)) r.advice.push_back(std::move(*a));
    }
  }
  return r;
}

}  // namespace kilter::pipeline::digests
