// Typed records for the channel renderers, built the way the engine builds them:
// digest records of a run (any number of accounts, deterministic variety) and
// alert records with every optional part. Shared by the digest tests and by the
// sample writer of the npm checks (tests/node/render_samples.cpp).
#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <string>
#include <vector>

#include "common/time.h"
#include "pipeline/model/alert.h"
#include "pipeline/model/digest.h"

namespace kilter::pipeline::channels::samples {

inline DigestRule ShareRule(std::string name, double value, std::optional<double> min,
                            std::optional<double> max, std::string status) {
  DigestRule r;
  r.rule = std::move(name);
  r.metric = "personal_share";
  r.window = "7d";
  r.value = value;
  r.min = min;
  r.max = max;
  r.status = std::move(status);
  return r;
}

inline Advice ShareAdvice(double value, double limit, std::string text) {
  Advice a;
  a.rule = "brand-on-topic";
  a.metric = "personal_share";
  a.window = "7d";
  a.status = value > limit ? "breach" : "close";
  a.value = value;
  a.limit = limit;
  a.posts_needed = 160;
  a.of = {Category::professional, Category::promotional};
  a.leaving = 9;
  a.within_by = *parse_rfc3339("2026-11-24T09:00:00Z");
  a.text = std::move(text);
  return a;
}

// The morning-review digest of one account (period 2026-11-19 09:00 to 2026-11-20
// 09:00, Europe/Paris); `personal` of 12 posts are personal.
inline DigestRecord Digest(std::string account, std::uint64_t personal,
                           std::string profile = "brand") {
  DigestRecord d;
  d.digest = "morning-review";
  d.account = std::move(account);
  d.profile = std::move(profile);
  d.timezone = "Europe/Paris";
  d.from_text = "2026-11-19T09:00:00+01:00";
  d.to_text = "2026-11-20T09:00:00+01:00";
  d.from = *parse_rfc3339(d.from_text);
  d.to = *parse_rfc3339(d.to_text);
  d.digest_id = fmt::format("{}/{}/{}", d.digest, d.account, d.to_text);
  const std::uint64_t others = personal < 12 ? 12 - personal : 0;
  d.posts = {personal, others > 0 ? others - 1 : 0, std::uint64_t{others > 0 ? 1u : 0u}, 0};
  const std::uint64_t classified = d.posts[0] + d.posts[1] + d.posts[2];
  if (classified > 0) {
    d.personal_share = static_cast<double>(d.posts[0]) / static_cast<double>(classified);
    d.promotional_share = static_cast<double>(d.posts[2]) / static_cast<double>(classified);
  }
  d.engagement = {12, 30, 1, 240, 55, 9000};  // reply, repost, quote, like, click, impression
  d.engagement_by_category[1] = {10, 25, 1, 200, 50, 8000};
  d.followers = DigestFollowers{12850, 12790, (12790.0 - 12850.0) / 12850.0};
  const double share = d.personal_share.value_or(0);
  const bool breach = share > 0.10;
  d.rules.push_back(
      ShareRule("brand-on-topic", share, std::nullopt, 0.10, breach ? "firing" : "ok"));
  DigestRule chatter;
  chatter.rule = "chatter";
  chatter.metric = "posts";
  chatter.window = "1d";
  chatter.value = static_cast<double>(classified);
  chatter.max = 30;
  chatter.status = "ok";
  d.rules.push_back(chatter);
  if (breach || share > 0.08)
    d.advice.push_back(ShareAdvice(
        share, 0.10,
        fmt::format("{} personal of {} posts in 7d, {:.0f}%, max 10%: 160 professional or "
                    "promotional posts would be needed; 9 personal posts leave the window by "
                    "Tuesday",
                    d.posts[0], classified, share * 100)));
  return d;
}

// The digest run of n accounts with every status: firing, pending, within limits, no
// verdict, no rules; some without followers or classified posts.
inline std::vector<DigestRecord> Accounts(std::size_t n) {
  std::vector<DigestRecord> out;
  for (std::size_t i = 0; i < n; ++i) {
    DigestRecord d =
        Digest(fmt::format("account-{:03}", i), (i * 7) % 13, i % 3 == 0 ? "voice" : "brand");
    if (i % 11 == 5) d.rules[0].status = "pending";
    if (i % 17 == 3) {
      for (auto& r : d.rules) {
        r.status = "no_verdict";
        r.value.reset();
      }
    }
    if (i % 19 == 7) d.rules.clear();
    if (i % 5 == 4) d.followers.reset();
    if (i % 23 == 9) {
      d.posts = {};
      d.personal_share.reset();
      d.promotional_share.reset();
    }
    out.push_back(std::move(d));
  }
  return out;
}

template <class T>
std::vector<const T*> Ptrs(const std::vector<T>& v) {
  std::vector<const T*> out;
  for (const auto& x : v) out.push_back(&x);
  return out;
}

// A personal_share alert as the engine writes it, with top posts and followers.
inline AlertRecord Alert(std::string account, AlertStatus status, std::size_t i = 0) {
  AlertRecord r;
  r.account = std::move(account);
  const char* metrics[] = {"personal_share", "posts", "engagement_change", "follower_change"};
  r.metric = metrics[i % 4];
  r.rule = fmt::format("rule-{}", r.metric);
  r.window = "7d";
  r.alert_id = fmt::format("{}/{}/{}", r.account, r.metric, r.window);
  r.status = status;
  r.value = 0.42;
  r.max = 0.10;
  r.starts_at = *parse_rfc3339("2026-11-20T10:00:00Z");
  if (status == AlertStatus::resolved) r.ends_at = *parse_rfc3339("2026-11-21T08:00:00Z");
  r.summary = fmt::format("{}: personal share 42% over 7d (max 10%)", r.account);
  r.evidence.posts = {21, 27, 2, 0};
  r.evidence.engagement = {300, 900, 40, 0, 2};
  r.evidence.followers = FollowerEvidence{12850, 12790, *parse_rfc3339("2026-11-13T10:00:00Z"),
                                          *parse_rfc3339("2026-11-20T09:00:00Z")};
  if (r.metric == "engagement_change") r.evidence.baseline = BaselineEvidence{"28d", 40, 1000, 25};
  for (int p = 0; p < 3; ++p) {
    TopPost& t = r.evidence.top_posts.emplace_back();
    t.post_id = fmt::format("{}-p{}", r.account, p);
    t.category = Category::personal;
    t.engagement = 100.0 - p;
    t.confidence = 0.9;
    t.matched = {"famille", "week-end"};
    t.link = fmt::format("https://social.example/{}/{}", r.account, p);
  }
  r.evidence.matched_terms = {"famille", "week-end", "vacances"};
  r.profile = "brand";
  r.severity = "warning";
  return r;
}

// Quotes, markup of every channel, emoji and a 10 kB run of them.
inline std::string Hostile(std::size_t size = 0) {
  std::string s = R"(<!channel> "quoted" 'single' & <b>bold</b> *star* _under_ `tick` )"
                  R"([link](https://evil.example) <https://evil.example|click> 1. # 🚀🙂 é)";
  while (s.size() < size) s += " <&>\"🔥";
  return s;
}

}  // namespace kilter::pipeline::channels::samples
