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

// A failed write or open, with what it most likely means for the operator.
inline std::string describe(std::string_view what, const rocksdb::Status& s) {
  std::string msg(what);
  msg += ": ";
  msg += s.ToString();
  if (s.IsNoSpace() || msg.find("No space left") != std::string::npos)
    msg += " (the state directory's disk is full)";
  else if (msg.find("Read-only file system") != std::string::npos ||
           msg.find("Permission denied") != std::string::npos)
    msg += " (the state directory is not writable)";
  return msg;
}

inline void check(const rocksdb::Status& s, std::string_view what) {
  if (!s.ok()) fatal(what, s.ToString());
}

class RetentionTable;
class StoreEvents;
// What the store keeps besides the database: both outlive it.
struct StoreExtras {
  std::unique_ptr<rocksdb::Env> env;  // the fault-injecting one of tests, or none
  std::shared_ptr<StoreEvents> events;
};
// The store over an open database (rocks_store.cpp; opened by rocks_open.cpp).
std::unique_ptr<StateStore> make_rocks_store(std::unique_ptr<rocksdb::DB> db, const Handles& cf,
                                             std::shared_ptr<RetentionTable> retention,
                                             std::string instance, StoreExtras extras);

}  // namespace kilter::storage
