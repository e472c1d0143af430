// The alert record every sink receives (SPEC section 3, a contract): one JSON
// object per notification, plus a one-line human rendering for the log sink.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "pipeline/rules.h"
#include "storage/records.h"

namespace kilter::pipeline {

// A post that weighs in the alert's window.
struct TopPost {
  std::string post_id;
  Category category = Category::unclassified;
  double engagement = 0;             // weighted engagement earned so far
  double confidence = 0;             // classifier confidence, 0..1
  std::vector<std::string> matched;  // classifier terms, most weighty first
  std::string link;                  // first link of the post; empty: none
};

struct FollowerEvidence {
  std::int64_t first = 0;
  std::int64_t last = 0;
  TimePoint first_at;
  TimePoint last_at;
};

// engagement_change: the window it was compared with.
struct BaselineEvidence {
  std::string window;       // "7d"
  std::uint64_t posts = 0;  // all categories
  double engagement = 0;    // weighted, all classes
  std::optional<double> engagement_per_post;
};

struct Evidence {
  std::array<std::uint64_t, kCategories> posts{};       // by kilter::Category
  std::array<double, kEngagementClasses> engagement{};  // weighted, by EngagementClass
  std::optional<FollowerEvidence> followers;            // when the window holds snapshots
  std::optional<BaselineEvidence> baseline;             // engagement_change only
  std::vector<TopPost> top_posts;                       // heaviest first
  std::vector<std::string> matched_terms;               // most frequent classifier terms
};

struct AlertRecord {
  std::string alert_id;  // "acme/personal_share/7d"
  std::string account;
  std::string rule;    // rule name
  std::string metric;  // contract metric name
  std::string window;  // as written in the rule ("7d")
  AlertStatus status = AlertStatus::firing;
  double value = 0;
  std::optional<double> min;
  std::optional<double> max;
  TimePoint starts_at;
  std::optional<TimePoint> ends_at;  // set when resolved
  std::string summary;
  Evidence evidence;
  // Beyond the contract's fields (receivers ignore unknown ones).
  std::string profile;
  std::string severity;
  std::string campaign;  // the campaign whose limits applied; empty: none (omitted)
};

// Everything but top_posts / matched_terms, which need the post details (see
// set_top_posts).
AlertRecord make_alert_record(std::string_view account, std::string_view profile,
                              const config::Rule& rule, const Transition& t, const MetricValue& v,
                              const std::array<double, kActions>& weights);

// The category whose posts explain a metric (personal_share: personal posts);
// nullopt when every post is relevant.
std::optional<Category> focus_category(config::Metric m);

// A candidate for top_posts from a stored post detail (comma-separated terms).
TopPost top_post(std::string_view post_id, const storage::PostDetail& d);

// Keeps the `n` heaviest candidates (by engagement, then confidence, then id) of
// category `only` (any when nullopt) as evidence.top_posts, and the `n_terms` most
// frequent matched terms of those candidates as evidence.matched_terms.
void set_top_posts(Evidence& e, std::vector<TopPost> candidates, std::optional<Category> only,
                   std::size_t n = 5, std::size_t n_terms = 10);

// One line of JSON shaped as SPEC section 3; extra keys (profile, severity) last.
std::string to_json(const AlertRecord& r);

// FIRING  acme  brand-on-topic  personal share 42% over 7d (max 10%)  [21 personal / ...]
std::string to_text(const AlertRecord& r);

}  // namespace kilter::pipeline
