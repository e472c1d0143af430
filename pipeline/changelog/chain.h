// Which records rebuild a partition: from the head a group commit names, back along the
// `prev` links to the snapshot the chain starts from. Records that no committed head
// reaches (sent, then the commit refused; a fenced writer's; older branches and
// snapshots) are passed over, whatever their offsets.
#pragma once

#include <optional>
#include <span>
#include <vector>

#include "common/result.h"
#include "pipeline/changelog/commit_metadata.h"
#include "pipeline/changelog/record.h"

namespace kilter::changelog {

// One record of the input partition as read back: where it is and its header.
struct ChainRecord {
  std::int64_t offset = 0;
  RecordHeader header;
};

// Where a local store stands: the head it applied last and its input position.
struct LocalHead {
  RecordId id;
  std::int64_t position = 0;
};

struct ResolvedChain {
  // Indexes into the records given, in the order to apply them.
  std::vector<std::size_t> order;
  // True when `order` continues the local head (a partial restore: nothing to reset);
  // false when it starts from a snapshot (its chunks first).
  bool continues_local = false;
};

// `records`: the input partition's records in offset order, covering at least the chain
// (the snapshot at head.base up to the head); `committed`: the input offset the group
// committed with `head`. A link goes to the nearest record before with the id it names
// (an id stored twice: an orphan and the accepted record of a writer that restarted
// without raising its epoch). With `local`, the walk stops at the local head when it is on the
// chain (a partial restore); otherwise it goes to the snapshot. Errors (code `failed`, a
// retry does not help): the head or a link missing, a chain not starting at head.base's
// snapshot, an incomplete snapshot, input offsets that do not follow on, the last `to`
// not the committed offset. One pass backwards over `records`: O(n), no index. A link
// names an id; the record meant is the latest before the linking one with that id whose
// input offsets end where the linking one's start (ids repeat only when a writer reused
// an epoch after a crash).
Result<ResolvedChain> resolve_chain(std::span<const ChainRecord> records, const ChainHead& head,
                                    std::int64_t committed,
                                    const std::optional<LocalHead>& local = std::nullopt);

}  // namespace kilter::changelog
