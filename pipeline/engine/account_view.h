// The per-account figures users read (HTTP API, `kilterd inspect`): the post
// counts, shares and engagement of each configured window, and rule states.
#pragma once

#include <string>
#include <vector>

#include "config/config.h"
#include "pipeline/engine/account.h"
#include "storage/state_store.h"

namespace kilter::pipeline {

// {"account":"acme","profile":"brand","at":"...","windows":{"7d":{"posts":{"personal":3,...},
//  ...}},"totals":{...},"rules":[...]}; `at` is the end of the windows (a bucket boundary).
// A rule with advice (pipeline/rules/advice.h) carries it as "advice", shaped as
// evidence.advice in alert records.
// The windows come from memory; "totals" sums every bucket the store still retains
// (storage.retention) as of its last commit, read from `store`.
std::string account_json(const AccountState& a, const config::Config& cfg, TimePoint at,
                         storage::StateStore& store);

// An account's recent history as the store holds it (as of its last commit), for
// the status page: the sum of the window [at - window, at), and daily sums over
// `days` whole UTC days, the last of which holds at - 1ms (and so may be partial).
struct AccountHistory {
  TimePoint first_day;             // 00:00 UTC of the oldest day
  std::vector<BucketCounts> days;  // oldest first, `days` of them
  BucketCounts window;
};
AccountHistory account_history(storage::StateStore& store, Partition p, std::string_view account,
                               TimePoint at, Millis window, int days);

// The same sums from buckets already read (ascending or not): the pure part of
// account_history, so the day boundaries can be tested without a store.
void add_to_history(AccountHistory& h, TimePoint at, Millis window, TimePoint bucket,
                    const BucketCounts& c);
AccountHistory empty_history(TimePoint at, int days);

// The rule whose window a profile's balance is read over: its first
// personal_share rule, else its first promotional_share rule, else its longest
// rule; nullptr when the profile has no rules (the balance then covers 7d).
const config::Rule* balance_rule(const config::Profile& profile);

}  // namespace kilter::pipeline
