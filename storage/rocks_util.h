// Small helpers shared by the RocksDB store's files. Internal to storage/.
#pragma once

#include <array>
#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
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

// What a caller can do about a RocksDB status: the one place rocksdb::Status
// becomes an Errc. A full disk and a failing device are fail-stop; a busy or
// timed-out store (a lock, a stall refused under no_slowdown) refused the
// write before it reached the WAL and may take it later.
inline Errc errc_of(const rocksdb::Status& s) {
  if (s.ok()) return Errc::failed;  // not an error: never asked
  if (s.IsNoSpace()) return Errc::no_space;
  if (s.IsCorruption()) return Errc::corruption;
  if (s.IsBusy() || s.IsTryAgain() || s.IsTimedOut() || s.IsIncomplete()) return Errc::unavailable;
  if (s.IsIOError()) {
    // The file system's ENOSPC reaches us as a plain IOError from some paths
    // (a background error replayed to a later write).
    if (s.ToString().find("No space left") != std::string::npos) return Errc::no_space;
    return Errc::io;
  }
  return Errc::failed;
}

// A failed write, read or open as an Error: what failed, RocksDB's text, what
// it most likely means for the operator, and its code.
inline Error error_of(std::string_view what, const rocksdb::Status& s) {
  Error e{std::string(what), errc_of(s)};
  e.message += ": ";
  e.message += s.ToString();
  if (e.code == Errc::no_space)
    e.message += " (the state directory's disk is full)";
  else if (e.message.find("Read-only file system") != std::string::npos ||
           e.message.find("Permission denied") != std::string::npos)
    e.message += " (the state directory is not writable)";
  return e;
}

// Fail-stop of the store's writes. After a failed write RocksDB must not be
// written to again: its WAL writer asserts (SIGABRT in Debian's build) on a
// sync after a failed append, and a write after a hard error is refused
// anyway. Every refusal is counted. A retriable refusal (Errc::unavailable:
// RocksDB turned the write away before its WAL saw it) is returned without
// stopping anything.
class WriteGate {
 public:
  // The first failure, if any (then counted as one more refused write).
  std::optional<Error> refused() {
    std::lock_guard lock(mu_);
    if (!failure_) return std::nullopt;
    failures_.fetch_add(1, std::memory_order_relaxed);
    return failure_;
  }
  // Records a failed write; returns the first failure's error (or this one's,
  // when it is retriable and stops nothing).
  Error failed(std::string_view what, const rocksdb::Status& s) {
    failures_.fetch_add(1, std::memory_order_relaxed);
    auto e = error_of(what, s);
    if (e.retriable()) return e;
    std::lock_guard lock(mu_);
    if (!failure_) failure_ = std::move(e);
    return *failure_;
  }
  std::optional<Error> failure() const {
    std::lock_guard lock(mu_);
    return failure_;
  }
  std::uint64_t failures() const { return failures_.load(std::memory_order_relaxed); }

 private:
  mutable std::mutex mu_;
  std::optional<Error> failure_;
  std::atomic<std::uint64_t> failures_{0};
};

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
