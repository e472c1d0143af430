#include "pipeline/engine/stored_accounts.h"

namespace kilter::pipeline {

StoredAccounts::StoredAccounts(std::shared_ptr<const config::Config> cfg,
                               storage::StateStore& store)
    : cfg_(std::move(cfg)), partitions_(*cfg_, store) {
  for (auto p : store.partitions()) partitions_.open(p);
}

}  // namespace kilter::pipeline
