// The changelog ports over memory, for tests: a log whose partitions are vectors of
// records, with the faults a broker has (away for a while, retention dropping the
// oldest records).
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "pipeline/changelog/log.h"

namespace kilter::changelog {

class MemoryLog {
 public:
  explicit MemoryLog(std::int32_t partitions);

  std::int32_t partitions() const { return static_cast<std::int32_t>(parts_.size()); }
  // While away, appends are still queued but flush() and reads fail `unavailable`
  // (queued records are then dropped, as a broker that never got them).
  void set_away(bool away);
  // While holding, a writer's settled() says no: its records wait for their
  // acknowledgement (flush() still stores them, as a broker that answers).
  void set_holding(bool holding);
  // Drops the records of `partition` below `low` (retention).
  void truncate(std::int32_t partition, std::int64_t low);
  LogBounds bounds(std::int32_t partition) const;
  std::size_t size_bytes(std::int32_t partition) const;

  std::unique_ptr<ChangelogWriter> writer();
  std::unique_ptr<ChangelogReader> reader();

 private:
  friend class MemoryWriter;
  friend class MemoryReader;
  struct Stored {
    std::int64_t offset;
    std::string key, value;
  };
  struct Part {
    std::int64_t low = 0;
    std::vector<Stored> records;  // offsets low, low + 1, ...
  };
  mutable std::mutex mu_;
  std::vector<Part> parts_;
  bool away_ = false;
  bool holding_ = false;
};

}  // namespace kilter::changelog
