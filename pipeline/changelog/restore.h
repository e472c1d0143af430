// Rebuilding one input partition's state from the changelog: the records of the chain a
// group commit names, read back and handed in order to a RestoreTarget (the local
// store). Only what is needed: nothing when the local store already holds the named
// head, the records after the local head when it is on the chain, else the snapshot and
// the deltas after it.
#pragma once

#include <functional>
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
  virtual Result<void> apply_snapshot_chunk(std::string_view body) = 0;
  virtual Result<void> apply_delta(std::string_view body) = 0;
  // Everything is applied: the state is the head's, at input `position`.
  virtual Result<void> finish(const ChainHead& head, std::int64_t position) = 0;
  // State rows applied so far by this target, if it counts them (progress metrics:
  // kilter_changelog_restore_rows_total); 0 when it does not.
  virtual std::uint64_t rows_applied() const { return 0; }
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
  std::uint64_t rows_applied = 0;     // as the target reports them (rows_applied())
};

// Called after each record handed to the target, with the figures so far (metrics of a
// restore in progress: records, bytes, rows).
using RestoreProgress = std::function<void(const RestoreStats&)>;

// Errors, each naming the input partition's key: the changelog unreadable
// (`unavailable`: retry); the chain's snapshot older than what the changelog keeps
// (retention; checked first, nothing applied), the chain broken (`failed`); a chain
// that breaks where a record of this partition does not decode (`corruption`, naming
// its offset); the target's own.
// Memory: the records of this partition in the range read (its snapshot and tail, plus
// any orphans), not the other partitions'.
Result<RestoreStats> restore_partition(ChangelogReader& reader, const RestoreRequest& req,
                                       RestoreTarget& target, Millis timeout,
                                       const RestoreProgress& progress = {});

}  // namespace kilter::changelog
