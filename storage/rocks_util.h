// Small helpers shared by the RocksDB store's files. Internal to storage/.
#pragma once

#include <array>
#include <string>
#include <string_view>

#include <rocksdb/db.h>

#include "storage/rocks_options.h"

namespace kilter::storage {

using Handles = std::array<rocksdb::ColumnFamilyHandle*, kCfCount>;

inline std::string_view view(const rocksdb::Slice& s) {
  return {s.data(), s.size()};
}
inline rocksdb::Slice slice(std::string_view s) {
  return {s.data(), s.size()};
}

// Reads have no error channel in the seam, and a wrong answer (a missed
// duplicate, a lost bucket) is worse than a restart: a failed read, or a value
// our own encoder did not write, is a broken invariant. Prints and aborts.
[[noreturn]] void fatal(std::string_view what, std::string_view detail);
[[noreturn]] void corrupt(std::string_view what, std::string_view key);

inline void check(const rocksdb::Status& s, std::string_view what) {
  if (!s.ok()) fatal(what, s.ToString());
}

}  // namespace kilter::storage
