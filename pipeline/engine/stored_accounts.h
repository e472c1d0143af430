// The accounts as the store holds them, without an engine (no writer thread, no
// outbox, no classifier): `kilterd inspect` reads the state directory of a
// daemon that is not running. Each partition is loaded as the engine would
// resume it (windows within reach of its last evaluation, alert states).
#pragma once

#include <memory>

#include "pipeline/engine/account_reader.h"
#include "pipeline/engine/partitions.h"
#include "storage/state_store.h"

namespace kilter::pipeline {

class StoredAccounts final : public AccountReader {
 public:
  // Loads every partition the store has.
  StoredAccounts(std::shared_ptr<const config::Config> cfg, storage::StateStore& store);

  const AccountState* find_account(AccountRef account, TimePoint* at = nullptr) const override {
    return partitions_.find_account(account, at);
  }
  void for_each_account(
      const std::function<void(const AccountState&, TimePoint)>& fn) const override {
    partitions_.for_each_account(fn);
  }
  std::vector<Partition> partitions() const override { return partitions_.ids(); }
  const config::Config& config() const override { return *cfg_; }

 private:
  std::shared_ptr<const config::Config> cfg_;
  Partitions partitions_;
};

}  // namespace kilter::pipeline
