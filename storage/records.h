// The values kept in the state store. Plain data; the RocksDB encoding lives in
// codec.{h,cpp} and never leaks out of storage/.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/types.h"

namespace kilter::storage {

// Follower snapshots seen inside one bucket: the earliest and the latest.
struct FollowerSpan {
  std::int64_t first_ts = 0;  // epoch ms; 0 = no snapshot
  std::int64_t first = 0;
  std::int64_t last_ts = 0;
  std::int64_t last = 0;

  bool empty() const { return first_ts == 0 && last_ts == 0; }
  void add(std::int64_t ts,
           std::int64_t value);  // ties keep the larger value, so merge is order-free
  void merge(const FollowerSpan& o);
  bool operator==(const FollowerSpan&) const = default;
};

// Counts of one account in one event-time bucket. Adding two of them is how both
// the in-memory window and the RocksDB merge operator combine updates.
struct BucketCounts {
  std::array<std::uint32_t, kCategories> posts{};  // by kilter::Category
  std::array<std::array<std::uint64_t, kActions>, kEngagementClasses> engagement{};
  FollowerSpan followers;

  void merge(const BucketCounts& o);
  bool empty() const;
  std::uint64_t total_posts() const;
  bool operator==(const BucketCounts&) const = default;
};

// The compact form of BucketCounts: a varint bit mask of the non-zero fields,
// then their values as varints (a few bytes for a bucket of a few events). The
// store's bucket values use it, and so do the engine's packed in-memory buckets.
void pack(std::string& out, const BucketCounts& c);
// Reads one packed bucket from the front of `in`; false if it is malformed.
bool unpack(std::string_view& in, BucketCounts& out);
// The same, added to `sum` (as BucketCounts::merge would), without a copy.
bool add_packed(std::string_view& in, BucketCounts& sum);
// What a packed bucket holds, without unpacking it: 1 posts, 2 engagement,
// 4 follower snapshots (0 for a malformed one).
std::uint8_t packed_kinds(std::string_view packed);

// post_id -> where the post lives, so engagement can be attributed to it.
struct PostRef {
  std::string account;
  Category category = Category::unclassified;
  TimePoint ts;
};

// Per-account post record, for the evidence of an alert ("the posts that weigh most").
struct PostDetail {
  Category category = Category::unclassified;
  float confidence = 0;
  std::uint64_t engagement = 0;  // weighted engagement earned so far
  std::string matched;           // classifier terms, comma-separated
  std::string link;              // first link of the post, if any
};

enum class AlertPhase : std::uint8_t { inactive = 0, pending = 1, firing = 2 };

// Lifecycle of one rule on one account.
struct AlertState {
  AlertPhase phase = AlertPhase::inactive;
  TimePoint since;  // pending: when the breach began; firing: the alert's starts_at
  double last_value = 0;
  // Firing and told to the sinks. A firing alert that a mute window or an
  // inhibition held back is not: it is told when that ends, and its resolution
  // is only told if its firing was.
  bool notified = false;
  bool operator==(const AlertState&) const = default;
};

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
