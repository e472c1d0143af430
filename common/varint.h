// LEB128 varints: the byte format of the store's values and of the engine's
// packed buckets.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace kilter {

inline void put_varint(std::string& out, std::uint64_t v) {
  char buf[10];
  std::size_t n = 0;
  while (v >= 0x80) {
    buf[n++] = static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  buf[n++] = static_cast<char>(v);
  out.append(buf, n);
}

// Reads one varint from the front of `in`; false (and `in` untouched) when it
// is truncated or longer than 64 bits.
inline bool get_varint(std::string_view& in, std::uint64_t& v) {
  v = 0;
  for (unsigned shift = 0, i = 0; i < in.size() && shift < 64; ++i, shift += 7) {
    auto b = static_cast<unsigned char>(in[i]);
    v |= std::uint64_t{b & 0x7fu} << shift;
    if (b < 0x80) {
      // The tenth byte may only carry the top bit.
      if (shift == 63 && b > 1) return false;
      in.remove_prefix(i + 1);
      return true;
    }
  }
  return false;
}

}  // namespace kilter
