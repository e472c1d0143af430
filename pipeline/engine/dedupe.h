// The ids of the events a partition has counted, for as long as a redelivered
// copy could still be counted: an event older than the watermark is late (not
// counted, whatever its id), so only ids at or after the watermark matter. They
// are kept in memory as stable 64-bit hashes with their event time; the ids
// first counted in a batch are stored with it (one block per commit) and read
// back when the partition is opened again.
#pragma once

#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "common/flat_map.h"
#include "storage/records.h"

namespace kilter::pipeline {

class SeenIds {
 public:
  // `max_ids` bounds memory: past it, the oldest ids are forgotten early (a
  // degraded mode, counted in evicted()).
  explicit SeenIds(std::size_t max_ids) : max_ids_(max_ids) {}
  void set_max_ids(std::size_t n) { max_ids_ = n; }

  // False when the id was counted already; otherwise remembers it, as fresh.
  bool insert(const storage::SeenId& s);
  // Asks for the id's slot ahead of insert (see FlatMap64::prefetch).
  void prefetch(std::uint64_t id) const { ids_.prefetch(id); }
  // An id read back from the store (not fresh).
  void restore(const storage::SeenId& s);
  // Ids older than `watermark` may be forgotten from now on.
  void expire(TimePoint watermark) { watermark_ = watermark; }

  // The ids first counted since the last clear_fresh(): the next block to store.
  std::span<const storage::SeenId> fresh() const { return fresh_; }
  void clear_fresh() { fresh_.clear(); }

  std::size_t size() const { return ids_.size(); }
  std::size_t bytes() const { return ids_.bytes() + fresh_.capacity() * sizeof(storage::SeenId); }
  // Ids forgotten before the watermark passed them (because of max_ids) since
  // the last call.
  std::uint64_t take_evicted() { return std::exchange(evicted_, 0); }

 private:
  void sweep();

  std::size_t max_ids_;
  FlatMap64<std::int64_t> ids_;  // id hash -> event time (epoch ms)
  std::vector<storage::SeenId> fresh_;
  TimePoint watermark_ = TimePoint::min();
  std::size_t next_sweep_ = 1024;
  std::uint64_t evicted_ = 0;
};

}  // namespace kilter::pipeline
