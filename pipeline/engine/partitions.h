// The partitions the engine holds and the account registry inside each: a
// partition's state is loaded from the store when it is opened (windows within
// reach, alert states, the event ids at or after the watermark) and forgotten
// when it is revoked. Also the store-only account view (StoredAccounts) uses it.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "config/config.h"
#include "pipeline/engine/partition_state.h"
#include "storage/state_store.h"

namespace kilter::pipeline {

class Partitions {
 public:
  using Map = std::map<Partition, std::unique_ptr<PartitionState>>;

  Partitions(const config::Config& cfg, storage::StateStore& store);
  // A new configuration: forgets every partition (reopen them to reload).
  void reconfigure(const config::Config& cfg);

  // The partition last used, when it is p (one compare per event); else nullptr.
  PartitionState* cached(Partition p) const {
    return last_ != nullptr && last_->id == p ? last_ : nullptr;
  }
  // An open partition (and it becomes the cached one); nullptr when not open.
  PartitionState* find(Partition p);
  // Loads a partition's state from the store, if not open yet; returns the
  // stored position to continue from (nullopt: none stored).
  std::optional<Offset> open(Partition p);
  void erase(Partition p);
  void clear();
  Map& all() { return map_; }
  const Map& all() const { return map_; }
  std::vector<Partition> ids() const;

  // The account, registered (with its policy) when first seen.
  AccountState& account(PartitionState& ps, AccountRef id);
  // The same, given hash64 of the id (the event path has it already).
  AccountState& account(PartitionState& ps, AccountRef id, std::uint64_t hash);

  // Where a partition's accounts' windows end: its next evaluation boundary.
  TimePoint windows_end(const PartitionState& ps) const;
  const AccountState* find_account(AccountRef account, TimePoint* at) const;
  void for_each_account(const std::function<void(const AccountState&, TimePoint)>& fn) const;

 private:
  // The memory bounds (dedupe ids, cached posts) are the daemon's, shared by
  // the partitions it holds now.
  void share_memory_bounds();
  const std::vector<std::string>* brand_terms(const std::vector<std::string>& raw);

  const config::Config* cfg_;
  storage::StateStore& store_;
  Millis max_reach_;
  Map map_;
  PartitionState* last_ = nullptr;
  // Raw brand terms -> normalised, shared by the accounts that have them.
  std::map<std::vector<std::string>, std::vector<std::string>> brand_terms_;
};

}  // namespace kilter::pipeline
