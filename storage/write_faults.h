// Test seam: makes the RocksDB store's file writes fail on demand, as a full
// disk or an unwritable state directory would, without a mount. Given to
// open_rocks_store (RocksOptions::faults); the store then writes through a file
// system that asks this object before every write. Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>

namespace kilter::storage {

class WriteFaults {
 public:
  enum class Mode : std::uint8_t {
    none,       // writes go through
    no_space,   // every write fails as on a full disk (ENOSPC)
    io_error,   // every write fails with an I/O error (EIO)
    read_only,  // new files, renames and writes are refused (EROFS)
  };
  void set(Mode m) { mode_.store(m, std::memory_order_relaxed); }
  Mode mode() const { return mode_.load(std::memory_order_relaxed); }
  // Writes refused so far.
  std::uint64_t refused() const { return refused_.load(std::memory_order_relaxed); }
  void count_refused() { refused_.fetch_add(1, std::memory_order_relaxed); }

 private:
  std::atomic<Mode> mode_{Mode::none};
  std::atomic<std::uint64_t> refused_{0};
};

}  // namespace kilter::storage
