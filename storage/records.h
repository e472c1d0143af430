// The store's own records (positions, seen ids). The domain values it keeps
// (bucket counts, posts, alert states) are in pipeline/model/; the RocksDB
// encoding lives in codec.{h,cpp} and never leaks out of storage/.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/types.h"
#include "pipeline/model/alert.h"
#include "pipeline/model/counts.h"
#include "pipeline/model/post.h"

namespace kilter::storage {

// An event id already counted: its event time and the stable hash of the id
// (kilter::hash64). The engine keeps these in memory while a redelivery could
// still be counted; the store keeps them in blocks, one per commit.
struct SeenId {
  TimePoint ts;
  std::uint64_t id = 0;
  bool operator==(const SeenId&) const = default;
};

// A changelog record's id (pipeline/changelog/README.md, where it is
// changelog::RecordId): the writing store's instance id (16 raw bytes), the
// writer's epoch for the partition and the record's sequence number within
// that epoch.
struct ChainId {
  std::array<std::uint8_t, 16> writer{};
  std::uint64_t epoch = 0;
  std::uint64_t seq = 0;
  // The all-zero id: "no record" (a chain's first record has no predecessor).
  bool none() const { return *this == ChainId{}; }
  bool operator==(const ChainId&) const = default;
};

// The last record of the partition's changelog chain that this state includes:
// its id, its offset in the changelog partition, and the offset of the first
// chunk of the snapshot the chain starts from (-1: from the empty state).
struct ChainHead {
  ChainId id;
  std::int64_t offset = -1;
  std::int64_t base = -1;
  bool operator==(const ChainHead&) const = default;
};

// Progress of one input partition; written in the same batch as its state.
struct PartitionMeta {
  Offset position{0};        // next offset to read
  TimePoint max_event_time;  // highest event time seen (drives the watermark)
  TimePoint last_evaluated;  // last bucket boundary rules were evaluated at
  std::uint64_t next_outbox_seq = 0;
  // The changelog chain head this state includes; none: no changelog (or none
  // yet). Local knowledge: applying a delta or a snapshot sets it from the
  // caller's head, never from the bytes applied (storage/README.md).
  std::optional<ChainHead> chain;
  // This store's epoch counter for the partition (the last epoch it used as a
  // writer); only moves forward, across imports too.
  std::uint64_t epoch = 0;
  // Per digest name: the instant through which its periods were emitted for
  // the partition's accounts (every period whose end is at or before it).
  // Written in the batch that stages those records, so each period goes out
  // once, across restarts and with the partition through the changelog.
  std::map<std::string, TimePoint, std::less<>> digests;
  bool operator==(const PartitionMeta&) const = default;
};

}  // namespace kilter::storage
