// Rebuilding one input partition's state from the changelog: the records of the chain a
// group commit names, read back and handed in order to a RestoreTarget (the local
// store). Only what is needed: nothing when the local store already holds the named
// head, the records after the local head when it is on the chain, else the snapshot and
// the deltas after it.
#pragma once

#include <atomic>
#include <optional>
#include <string>

#include "common/result.h"
#include "pipeline/changelog/chain.h"
#include "pipeline/changelog/log.h"

namespace kilter::changelog {

// Where the records go (storage, behind an adapter in the engine; a fake in tests).
class RestoreTarget {
 public:
  virtual ~RestoreTarget() = default;
  // Forget the partition's local state (a full restore starts from a snapshot).
  virtual Result<void> reset() = 0;
  // The bodies stay valid until restore_partition returns: a target may keep the views
  // and write them in batches (storage's apply_deltas), at the latest in finish().
  virtual Result<void> apply_snapshot_chunk(std::string_view body) = 0;
  virtual Result<void> apply_delta(std::string_view body) = 0;
  // Everything is applied: the state is the head's, at input `position`.
  virtual Result<void> finish(const ChainHead& head, std::int64_t position) = 0;
};

struct RestoreRequest {
  std::string key;             // record_key() of the input partition
  ChainHead head;              // named by the group's commit metadata
  std::int64_t committed = 0;  // the group's committed input offset
  // The local store's head and its changelog offset, when it has one.
  std::optional<ChainHead> local;
  std::int64_t local_position = 0;
};

struct RestoreStats {
  enum class Kind { none, partial, full } kind = Kind::none;
  std::uint64_t records_read = 0;     // every record of the ranges read
  std::uint64_t bytes_read = 0;       // their keys and values
  std::uint64_t records_applied = 0;  // handed to the target
  std::uint64_t bytes_applied = 0;    // their bodies
  std::uint64_t corrupt = 0;          // records of this partition that did not decode
};

// Live counters for metrics (restore progress and rate while a partition warms), added to
// as records are read and applied; readable from another thread; shared by restores.
struct RestoreProgress {
  std::atomic<std::uint64_t> records_read{0};  // every record of the ranges read
  std::atomic<std::uint64_t> bytes_read{0};    // their keys and values
  std::atomic<std::uint64_t> records_applied{0};
  std::atomic<std::uint64_t> bytes_applied{0};  // their bodies
};

// Errors: the changelog unreadable (`unavailable`: retry), the chain's snapshot older
// than what the changelog keeps, a head past the changelog partition's end, or the chain
// broken (`failed`), the target's own. Nothing is handed to the target before the
// bounds are checked and the chain resolved.
// Memory: the records of this partition in the range read (its snapshot and tail, plus
// any orphans), not the other partitions'.
// `progress`, when given, is added to as the restore goes (RestoreStats: at the end).
Result<RestoreStats> restore_partition(ChangelogReader& reader, const RestoreRequest& req,
                                       RestoreTarget& target, Millis timeout,
                                       RestoreProgress* progress = nullptr);

}  // namespace kilter::changelog
