// RocksDB tuning of the state store: column families and their options.
// Internal to storage/.
#pragma once

#include <array>
#include <memory>

#include <rocksdb/cache.h>
#include <rocksdb/options.h>

#include "storage/rocks_hooks.h"

namespace kilter::storage {

enum Cf : std::size_t {
  kDefaultCf,  // required by RocksDB, unused
  kBucketsCf,
  kPostsCf,
  kDetailsCf,
  kSeenCf,
  kAlertsCf,
  kOutboxCf,
  kMetaCf,
  kRetentionCf,
  kCfCount,
};

inline constexpr std::array<const char*, kCfCount> kCfNames = {
    "default", "buckets", "posts", "post_details", "seen", "alerts", "outbox", "meta", "retention",
};

rocksdb::DBOptions db_options(std::size_t memtable_bytes);
rocksdb::ColumnFamilyOptions cf_options(Cf cf, const std::shared_ptr<rocksdb::Cache>& cache,
                                        const std::shared_ptr<const RetentionTable>& retention);

}  // namespace kilter::storage
