// Turns a rule transition into the alert record (typed, pipeline/model/alert.h),
// with its evidence: window figures, the posts that weigh most, the classifier's
// matched terms.
#pragma once

#include <functional>
#include <string>

#include "config/config.h"
#include "pipeline/model/alert.h"
#include "pipeline/model/post.h"
#include "pipeline/rules/rules.h"

namespace kilter::pipeline {

struct AlertContext {
  AccountRef account;
  const config::Profile& profile;
  const config::Rule& rule;
  const Transition& transition;
  const MetricValue& value;
  TimePoint at;  // evaluation time (the window's end)
  Partition partition;
  const std::array<double, kActions>& weights;
  const config::Campaign* campaign = nullptr;  // whose limits the rule had
  // The account's windows: a firing record's evidence.advice is worked out from
  // them (advice.h); null: no advice.
  const AccountWindows* windows = nullptr;
};

using PostVisitor = std::function<void(TimePoint ts, std::string_view post_id, const PostDetail&)>;
// Where the evidence's posts come from: every post of `account` with
// from <= ts < to, with the engagement it has earned so far.
using PostSource =
    std::function<void(AccountRef account, TimePoint from, TimePoint to, const PostVisitor& visit)>;

// The record, with the posts of the evaluated window, and for a firing its
// advice (share and posts rules, when ctx.windows is set).
AlertRecord build_alert(const AlertContext& ctx, const PostSource& posts);

// Everything but top_posts / matched_terms, which need the post details (see
// set_top_posts).
AlertRecord make_alert_record(AccountRef account, ProfileRef profile, const config::Rule& rule,
                              const Transition& t, const MetricValue& v,
                              const std::array<double, kActions>& weights);

// A candidate for top_posts from a stored post detail (comma-separated terms).
TopPost top_post(std::string_view post_id, const PostDetail& d);

// Keeps the `n` heaviest candidates (by engagement, then confidence, then id) of
// category `only` (any when nullopt) as evidence.top_posts, and the `n_terms` most
// frequent matched terms of those candidates as evidence.matched_terms.
void set_top_posts(Evidence& e, std::vector<TopPost> candidates, std::optional<Category> only,
                   std::size_t n = 5, std::size_t n_terms = 10);

}  // namespace kilter::pipeline
