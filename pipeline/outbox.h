// The alert outbox. Alert records are written to the state store in the same
// batch as the state that produced them; only after that batch is committed are
// they handed to the sinks, and an entry is deleted only once every sink took
// it. A crash anywhere therefore yields at worst a redelivered copy, never a loss.
#pragma once

#include <deque>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "pipeline/sink.h"
#include "storage/state_store.h"

namespace kilter::pipeline {

struct OutboxStats {
  std::uint64_t delivered = 0;  // records taken by every sink
  std::uint64_t failures = 0;   // failed sink deliveries (each retried)
};

class Outbox {
 public:
  explicit Outbox(std::vector<std::unique_ptr<Sink>> sinks) : sinks_(std::move(sinks)) {}

  // Entries found in the store at start (committed, maybe not delivered). Entries
  // already queued are not queued twice: a partition that leaves keeps its queued
  // entries (they are this store's) and may come back.
  void restore(storage::StateStore& store, Partition p);
  // Entries whose batch has just been committed.
  void committed(Partition p, std::uint64_t seq, std::string record);

  // Hands queued entries to the sinks; every entry all sinks took gets a delete
  // in `deletes` (committed by the caller). Returns how many are still queued.
  std::size_t deliver(storage::Batch& deletes);

  std::size_t queued() const { return queue_.size(); }
  const OutboxStats& stats() const { return stats_; }

 private:
  struct Entry {
    Partition partition;
    std::uint64_t seq;
    std::string record;
    std::set<std::size_t> done;  // sinks that already took it
  };
  std::vector<std::unique_ptr<Sink>> sinks_;
  std::deque<Entry> queue_;
  std::set<std::pair<Partition, std::uint64_t>> queued_;
  OutboxStats stats_;
  bool failing_logged_ = false;
};

}  // namespace kilter::pipeline
