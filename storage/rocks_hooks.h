// The code RocksDB calls back into: merge operators (bucket sums, post engagement)
// and the retention compaction filter. Internal to storage/.
#pragma once

#include <memory>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>

#include <rocksdb/compaction_filter.h>
#include <rocksdb/merge_operator.h>

#include "storage/codec.h"

namespace kilter::storage {

// Per-partition retention cutoffs, shared by the store (read filters, expire) and
// the compaction filters (physical reclaim). Thread-safe.
class RetentionTable {
 public:
  using Map = std::unordered_map<std::int32_t, codec::Cutoffs>;

  codec::Cutoffs get(Partition p) const {
    std::shared_lock lock(mu_);
    auto it = map_.find(p.value());
    return it == map_.end() ? codec::Cutoffs{} : it->second;
  }
  void set(Partition p, const codec::Cutoffs& c) {
    std::unique_lock lock(mu_);
    map_[p.value()] = c;
  }
  void erase(Partition p) {
    std::unique_lock lock(mu_);
    map_.erase(p.value());
  }
  Map snapshot() const {
    std::shared_lock lock(mu_);
    return map_;
  }

 private:
  mutable std::shared_mutex mu_;
  Map map_;
};

// Where a column family keeps the time that retention compares with the cutoff.
enum class RetainedTime {
  key_suffix,         // bucket rows: the last 8 key bytes (the day; the whole day must be old)
  key_after_account,  // post details: partition | account | ts | post_id
  value,              // posts: PostRef::ts in the value
  after_partition,    // seen-id blocks: partition | newest ts | position, against the seen cutoff
};

// True when an entry (its key after the partition prefix; its value when
// is_value) is older than `cutoff` by `where`'s time: what the retention filter
// drops and a partition's export leaves out. Never for TimePoint::min() (no cutoff).
bool expired(RetainedTime where, std::string_view key_after_partition, bool is_value,
             std::string_view value, TimePoint cutoff);

std::shared_ptr<rocksdb::MergeOperator> bucket_merge_operator();
std::shared_ptr<rocksdb::MergeOperator> post_detail_merge_operator();
std::shared_ptr<rocksdb::CompactionFilterFactory> retention_filter_factory(
    std::shared_ptr<const RetentionTable> table, RetainedTime where);

}  // namespace kilter::storage
