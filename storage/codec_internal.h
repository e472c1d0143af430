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
