// Counts of one account in one event-time bucket, and their compact packed form.
// Plain data: windows sum them, the store keeps them (packed).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/types.h"

namespace kilter {

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

}  // namespace kilter
