// The store's own records (positions, seen ids). The domain values it keeps
// (bucket counts, posts, alert states) are in pipeline/model/; the RocksDB
// encoding lives in codec.{h,cpp} and never leaks out of storage/.
#pragma once

#include <array>
#include <cstdint>
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

// Progress of one input partition; written in the same batch as its state.
struct PartitionMeta {
  Offset position{0};        // next offset to read
  TimePoint max_event_time;  // highest event time seen (drives the watermark)
  TimePoint last_evaluated;  // last bucket boundary rules were evaluated at
  std::uint64_t next_outbox_seq = 0;
  bool operator==(const PartitionMeta&) const = default;
};

}  // namespace kilter::storage
