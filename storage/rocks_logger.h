// RocksDB's info log ("LOG" in the state directory), written by our own logger.
// RocksDB 7.8's file logger asserts (SIGABRT, in Debian's build) on the first
// write after a failed one: with the disk full, any background error it logs
// killed the daemon. This one writes with stdio and shrugs failed writes off.
// Internal to storage/.
#pragma once

#include <memory>
#include <string>

#include <rocksdb/env.h>

namespace kilter::storage {

// The log file is `dir`/LOG; the previous run's is kept as LOG.old, and so is
// the current one when it reaches `max_bytes` (a new LOG starts).
std::shared_ptr<rocksdb::Logger> make_info_log(const std::string& dir, std::size_t max_bytes);

}  // namespace kilter::storage

#include <atomic>

#include <rocksdb/listener.h>

namespace kilter::storage {

// Counts the background errors RocksDB reports (a flush or compaction that
// failed, e.g. on a full disk) and prints the first to stderr; the store's next
// write then fails, which is what stops the daemon.
class StoreEvents final : public rocksdb::EventListener {
 public:
  void OnBackgroundError(rocksdb::BackgroundErrorReason reason, rocksdb::Status* error) override;
  std::uint64_t background_errors() const { return errors_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> errors_{0};
};

}  // namespace kilter::storage
