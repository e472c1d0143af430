// Internal to storage/: what the value encodings share (codec.cpp,
// codec_buckets.cpp).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/types.h"
#include "common/varint.h"
#include "storage/codec.h"

namespace kilter::storage::codec::internal {

// Bit layout of the BucketCounts mask.
inline constexpr unsigned kPostBits = kCategories;
inline constexpr unsigned kEngagementBits = kEngagementClasses * kActions;
inline constexpr unsigned kFirstBit = kPostBits + kEngagementBits;  // first follower snapshot
inline constexpr unsigned kLastBit = kFirstBit + 1;                 // last follower snapshot
inline constexpr unsigned kLastIsFirstBit = kFirstBit + 2;          // last equals first: no payload
inline constexpr std::uint64_t kKnownBits = (std::uint64_t{1} << (kLastIsFirstBit + 1)) - 1;
static_assert(kLastIsFirstBit < 64);

inline std::uint64_t zigzag(std::int64_t v) {
  return (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
}
inline std::int64_t unzigzag(std::uint64_t v) {
  return static_cast<std::int64_t>(v >> 1) ^ -static_cast<std::int64_t>(v & 1);
}

inline bool get_signed(std::string_view& in, std::int64_t& v) {
  std::uint64_t u = 0;
  if (!get_varint(in, u)) return false;
  v = unzigzag(u);
  return true;
}

inline void put_i64(std::string& out, std::int64_t v) {
  put_fixed64(out, static_cast<std::uint64_t>(v));
}
inline std::int64_t get_i64(const char* p) {
  return static_cast<std::int64_t>(get_fixed64(p));
}

inline bool valid_category(std::uint8_t c) {
  return c < kCategories;
}

}  // namespace kilter::storage::codec::internal
