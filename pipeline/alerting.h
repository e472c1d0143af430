// Turns a rule transition into the SPEC alert record, with its evidence (window
// figures, the posts that weigh most, the classifier's matched terms).
#pragma once

#include <functional>
#include <string>

#include "config/config.h"
#include "pipeline/rules.h"
#include "storage/state_store.h"

namespace kilter::pipeline {

struct AlertContext {
  std::string_view account;
  const config::Profile& profile;
  const config::Rule& rule;
  const Transition& transition;
  const MetricValue& value;
  TimePoint at;  // evaluation time (the window's end)
  Partition partition;
  const std::array<double, kActions>& weights;
  const config::Campaign* campaign = nullptr;  // whose limits the rule had
};

using PostVisitor =
    std::function<void(TimePoint ts, std::string_view post_id, const storage::PostDetail&)>;
// Where the evidence's posts come from: every post of `account` with
// from <= ts < to, with the engagement it has earned so far.
using PostSource = std::function<void(std::string_view account, TimePoint from, TimePoint to,
                                      const PostVisitor& visit)>;

// The record as one line of JSON, with the posts of the evaluated window.
std::string build_alert_json(const AlertContext& ctx, const PostSource& posts);

}  // namespace kilter::pipeline
