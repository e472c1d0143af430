// The per-account figures users read (HTTP API, `kilterd inspect`): the post
// counts, shares and engagement of each configured window, and rule states.
#pragma once

#include <string>

#include "config/config.h"
#include "pipeline/engine.h"
#include "storage/state_store.h"

namespace kilter::pipeline {

// {"account":"acme","profile":"brand","at":"...","windows":{"7d":{"posts":{"personal":3,...},
//  ...}},"totals":{...},"rules":[...]}; `at` is the end of the windows (a bucket boundary).
// The windows come from memory; "totals" sums every bucket the store still retains
// (storage.retention) as of its last commit, read from `store`.
std::string account_json(const AccountState& a, const config::Config& cfg, TimePoint at,
                         storage::StateStore& store);

}  // namespace kilter::pipeline
