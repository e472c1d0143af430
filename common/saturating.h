// Sums of counts that stop at the type's maximum instead of wrapping. A single
// count is bounded (an engagement count is at most 2^32 - 1), but a window or a
// stored bucket adds up any number of them: a wrapped sum would turn the busiest
// account into an empty one, a saturated one only stops growing.
#pragma once

#include <concepts>
#include <cstdint>
#include <limits>

namespace kilter {

template <std::unsigned_integral T>
constexpr T sat_add(T a, T b) {
  T r;
  return __builtin_add_overflow(a, b, &r) ? std::numeric_limits<T>::max() : r;
}

// For signed deltas that are never negative together (counts being summed).
constexpr std::int64_t sat_add(std::int64_t a, std::int64_t b) {
  std::int64_t r;
  if (!__builtin_add_overflow(a, b, &r)) return r;
  return b > 0 ? std::numeric_limits<std::int64_t>::max()
               : std::numeric_limits<std::int64_t>::min();
}

// a += b, saturating (the left side may be narrower than the right: uint32 posts
// added from a 64-bit value).
template <std::unsigned_integral T, std::unsigned_integral U>
constexpr void sat_add_to(T& a, U b) {
  constexpr auto kMax = std::numeric_limits<T>::max();
  a = b >= kMax ? kMax : sat_add(a, static_cast<T>(b));
}

}  // namespace kilter
