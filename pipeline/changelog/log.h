// The changelog's transport: where a partition's state records go so that another
// instance can rebuild the partition (a Kafka topic in the daemon, kafka/changelog_log;
// an in-memory log in tests, memory_log.h). Records are opaque bytes here: their framing
// is record.h's. Errors are values; `unavailable` (a broker away, no answer in time) is
// worth retrying, anything else is not.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <span>
#include <string_view>

#include "common/result.h"

namespace kilter::changelog {

using Millis = std::chrono::milliseconds;

// A record read back: valid during the callback only.
struct LogRecord {
  std::int64_t offset = -1;
  std::string_view key;
  std::string_view value;
};

// Offsets a changelog partition holds: [low, high) (low: the oldest one kept, which
// retention moves forward; high: the offset the next record will get).
struct LogBounds {
  std::int64_t low = 0;
  std::int64_t high = 0;
};

// Appends records; used by one thread (the engine's).
class ChangelogWriter {
 public:
  virtual ~ChangelogWriter() = default;
  // The topic's partition count (> 0).
  virtual std::int32_t partitions() const = 0;
  // Queues a record for changelog partition `partition` (0 <= partition < partitions()),
  // without waiting. Records of one partition keep their order. Nothing is durable
  // before flush() says so.
  virtual Result<void> append(std::int32_t partition, std::string_view key,
                              std::string_view value) = 0;
  // Waits, at most `timeout`, until every record appended since the last flush() is
  // acknowledged; their offsets, in append order. On an error some of them may still
  // be stored (a restore ignores records no committed offset names); the next flush()
  // covers only records appended after this call.
  virtual Result<std::span<const std::int64_t>> flush(Millis timeout) = 0;
  // Serves the acknowledgements that came, without waiting: true when flush()
  // would return at once (every record appended since the last flush()
  // acknowledged, or one failed), so that a caller can go on meanwhile.
  virtual bool settled() = 0;
};

// Reads records back; one reader per thread (the restore's).
class ChangelogReader {
 public:
  virtual ~ChangelogReader() = default;
  virtual Result<LogBounds> bounds(std::int32_t partition, Millis timeout) = 0;
  // Calls fn for each record of `partition` with from <= offset < to, in offset order,
  // until fn returns false. An offset below the partition's low bound (retention took
  // it) is an error (`failed`), as is no progress within `timeout` (`unavailable`).
  virtual Result<void> read(std::int32_t partition, std::int64_t from, std::int64_t to,
                            const std::function<bool(const LogRecord&)>& fn, Millis timeout) = 0;
};

}  // namespace kilter::changelog
