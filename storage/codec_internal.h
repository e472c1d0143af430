// Internal to storage/: what the value encodings share (codec.cpp,
// codec_buckets.cpp, and portable.cpp's bodies).
#pragma once

#include <bit>
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

// A byte string as its length (varint) and its bytes.
inline void put_prefixed(std::string& out, std::string_view s) {
  put_varint(out, s.size());
  out.append(s);
}
// Reads one into `s` (a view into `in`, which moves past it); false when `in`
// is too short.
inline bool get_prefixed(std::string_view& in, std::string_view& s) {
  std::uint64_t len = 0;
  if (!get_varint(in, len) || len > in.size()) return false;
  s = in.substr(0, len);
  in.remove_prefix(len);
  return true;
}

// A float as 4 bytes, little-endian (a post's confidence).
inline void put_f32(std::string& out, float v) {
  const auto bits = std::bit_cast<std::uint32_t>(v);
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>(bits >> (8 * i)));
}
inline float get_f32(const char* p) {
  std::uint32_t bits = 0;
  for (int i = 3; i >= 0; --i) bits = (bits << 8) | static_cast<unsigned char>(p[i]);
  return std::bit_cast<float>(bits);
}

inline bool valid_category(std::uint8_t c) {
  return c < kCategories;
}

}  // namespace kilter::storage::codec::internal
