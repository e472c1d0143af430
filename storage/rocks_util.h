// Small helpers shared by the RocksDB store's files. Internal to storage/.
#pragma once

#include <array>
#include <memory>
#include <string>
#include <string_view>

#include <rocksdb/db.h>

#include "storage/rocks_options.h"
#include "storage/state_store.h"

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

class RetentionTable;
// The store over an open database (rocks_store.cpp; opened by rocks_open.cpp).
std::unique_ptr<StateStore> make_rocks_store(std::unique_ptr<rocksdb::DB> db, const Handles& cf,
                                             std::shared_ptr<RetentionTable> retention,
                                             std::string instance);

}  // namespace kilter::storage
