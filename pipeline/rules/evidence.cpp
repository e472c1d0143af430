#include "pipeline/rules/evidence.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>

#include "common/time.h"
#include "pipeline/rules/advice.h"

namespace kilter::pipeline {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

}  // namespace

AlertRecord make_alert_record(AccountRef account, ProfileRef profile, const config::Rule& rule,
                              const Transition& t, const MetricValue& v,
                              const std::array<double, kActions>& weights) {
  AlertRecord r;
  r.alert_id = alert_id(account.view(), rule);
  r.account = std::string(account.view());
  r.rule = rule.name;
  r.metric = std::string(config::to_string(rule.metric));
  r.window = window_text(rule);
  r.status = t.status;
  r.value = t.value;
  r.min = rule.min;
  r.max = rule.max;
  r.starts_at = t.starts_at;
  r.ends_at = t.ends_at;
  r.summary = summary(account.view(), rule, t.value);
  r.profile = std::string(profile.view());
  r.severity = rule.severity;

  Evidence& e = r.evidence;
  const auto& sum = v.figures.sum;
  for (std::size_t c = 0; c < kCategories; ++c) e.posts[c] = sum.posts[c];
  for (std::size_t c = 0; c < kEngagementClasses; ++c)
    e.engagement[c] = v.figures.weighted_engagement(static_cast<EngagementClass>(c), weights);
  if (!sum.followers.empty())
    e.followers = FollowerEvidence{sum.followers.first, sum.followers.last,
                                   from_epoch_ms(sum.followers.first_ts),
                                   from_epoch_ms(sum.followers.last_ts)};
  if (v.baseline) {
    BaselineEvidence b;
    b.window = format_duration(rule.baseline.value_or(Millis{0}));
    b.posts = v.baseline->posts();
    b.engagement = v.baseline->weighted_engagement(weights);
    if (b.posts > 0) b.engagement_per_post = b.engagement / static_cast<double>(b.posts);
    e.baseline = std::move(b);
  }
  return r;
}

TopPost top_post(std::string_view post_id, const PostDetail& d) {
  TopPost p;
  p.post_id = std::string(post_id);
  p.category = d.category;
  p.engagement = static_cast<double>(d.engagement);
  // Three decimals are plenty and keep float noise (0.800000011920929) out of the JSON.
  p.confidence = std::round(static_cast<double>(d.confidence) * 1000) / 1000;
  std::string_view rest = d.matched;
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    const auto term = trim(rest.substr(0, comma));
    if (!term.empty()) p.matched.emplace_back(term);
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  p.link = d.link;
  return p;
}

void set_top_posts(Evidence& e, std::vector<TopPost> candidates, std::optional<Category> only,
                   std::size_t n, std::size_t n_terms) {
  if (only) std::erase_if(candidates, [&](const TopPost& p) { return p.category != *only; });

  std::map<std::string_view, std::size_t> freq;
  for (const TopPost& p : candidates)
    for (const std::string& t : p.matched) ++freq[t];
  std::vector<std::pair<std::string_view, std::size_t>> terms(freq.begin(), freq.end());
  std::stable_sort(terms.begin(), terms.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  e.matched_terms.clear();
  for (std::size_t i = 0; i < terms.size() && i < n_terms; ++i)
    e.matched_terms.emplace_back(terms[i].first);

  std::sort(candidates.begin(), candidates.end(), [](const TopPost& a, const TopPost& b) {
    if (a.engagement != b.engagement) return a.engagement > b.engagement;
    if (a.confidence != b.confidence) return a.confidence > b.confidence;
    return a.post_id < b.post_id;
  });
  if (candidates.size() > n) candidates.resize(n);
  e.top_posts = std::move(candidates);
}

AlertRecord build_alert(const AlertContext& ctx, const PostSource& posts) {
  auto record = make_alert_record(ctx.account, ProfileRef{ctx.profile.name}, ctx.rule,
                                  ctx.transition, ctx.value, ctx.weights);
  if (ctx.campaign != nullptr) {
    record.campaign = ctx.campaign->name;
    record.summary += " during campaign " + ctx.campaign->name;
  }
  // The posts of the evaluated window explain the verdict.
  std::vector<TopPost> candidates;
  posts(ctx.account, ctx.at - ctx.rule.window, ctx.at,
        [&](TimePoint, std::string_view post_id, const PostDetail& d) {
          candidates.push_back(top_post(post_id, d));
        });
  set_top_posts(record.evidence, std::move(candidates), share_category(ctx.rule.metric));
  // A resolution needs no advice: the account is back within limits.
  if (ctx.windows != nullptr && ctx.transition.status == AlertStatus::firing)
    record.evidence.advice = advise(ctx.rule, *ctx.windows, ctx.at, ctx.value);
  return record;
}

}  // namespace kilter::pipeline
