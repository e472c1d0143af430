// Turns a rule transition into the SPEC alert record, with its evidence (window
// figures, the posts that weigh most, the classifier's matched terms).
#pragma once

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

// The record as one line of JSON; reads post details of the window from the store.
std::string build_alert_json(const AlertContext& ctx, storage::StateStore& store);

}  // namespace kilter::pipeline
