// Read access to the accounts for the API, the status page and `kilterd
// inspect`: the Engine serves the accounts it holds in memory; StoredAccounts
// (stored_accounts.h) reads them from the store alone. Not on the hot path.
#pragma once

#include <functional>
#include <vector>

#include "common/types.h"
#include "config/config.h"
#include "pipeline/engine/account.h"

namespace kilter::pipeline {

class AccountReader {
 public:
  virtual ~AccountReader() = default;
  // nullptr when the account is unknown. `at` (when given) receives the end of
  // the account's windows (its partition's next evaluation boundary).
  virtual const AccountState* find_account(AccountRef account, TimePoint* at = nullptr) const = 0;
  // Every account with the time its windows end at, in partition then id order;
  // partitions without events are skipped.
  virtual void for_each_account(
      const std::function<void(const AccountState&, TimePoint)>& fn) const = 0;
  // The partitions whose accounts these are.
  virtual std::vector<Partition> partitions() const = 0;
  // The configuration the accounts were read under (profiles, rules).
  virtual const config::Config& config() const = 0;
};

}  // namespace kilter::pipeline
