// A stable 64-bit hash of short strings (event and post ids). Stable means the
// same on every build and release: the seen-id set is persisted as hashes, so
// the function must never change with the standard library.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace kilter {

namespace detail {
inline constexpr std::uint64_t kHashMul = 0x9E3779B97F4A7C15ull;
// splitmix64's finaliser: every input bit reaches every output bit.
inline std::uint64_t mix64(std::uint64_t x) {
  x ^= x >> 30;
  x *= 0xBF58476D1CE4E5B9ull;
  x ^= x >> 27;
  x *= 0x94D049BB133111EBull;
  x ^= x >> 31;
  return x;
}
}  // namespace detail

// Eight bytes at a time, each word folded in through a multiply and the
// finaliser; the length is part of the seed, so "a" and "a\0" differ.
inline std::uint64_t hash64(std::string_view s, std::uint64_t seed = 0) {
  std::uint64_t h = detail::mix64(seed ^ 0x243F6A8885A308D3ull ^ (s.size() * detail::kHashMul));
  const char* p = s.data();
  std::size_t n = s.size();
  for (; n >= 8; p += 8, n -= 8) {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    h = detail::mix64(h ^ (w * detail::kHashMul)) * detail::kHashMul;
  }
  if (n > 0) {
    std::uint64_t w = 0;
    std::memcpy(&w, p, n);
    h = detail::mix64(h ^ ((w + 1) * detail::kHashMul));
  }
  return detail::mix64(h);
}

}  // namespace kilter
