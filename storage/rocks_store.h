// Operations particular to the RocksDB store, beyond the StateStore seam: for
// admin tooling and tests. Each fails (never aborts) when given another store.
#pragma once

#include <cstdint>
#include <string_view>

#include "storage/state_store.h"

namespace kilter::storage {

// Compacts every column family down to the last level, so that the retention
// filter and range deletions reclaim space now rather than over time.
Result<void> compact_all(StateStore& store);

// Number of keys a partition holds in one column family ("buckets", "posts",
// "post_details", "seen", "alerts", "outbox", "meta", "retention"), ignoring the
// retention read filter: what is physically still there.
Result<std::uint64_t> count_raw_entries(StateStore& store, std::string_view column_family,
                                        Partition p);

}  // namespace kilter::storage
