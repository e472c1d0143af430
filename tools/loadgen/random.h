// Sampling on top of std::mt19937_64 that is defined by this code alone: the
// std:: distributions are implementation-defined, so the same seed could give
// other events with another standard library.
#pragma once

#include <cmath>
#include <cstdint>
#include <random>
#include <span>

namespace kilter::loadgen {

// SplitMix64 finaliser: independent sub-seeds (per post, per account) from one seed.
constexpr std::uint64_t mix(std::uint64_t a, std::uint64_t b) {
  std::uint64_t z = a + 0x9e3779b97f4a7c15ULL * (b + 1);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : g_(seed) {}

  void reseed(std::uint64_t seed) { g_.seed(seed); }
  std::uint64_t bits() { return g_(); }
  // [0, 1)
  double uniform() { return static_cast<double>(g_() >> 11) * 0x1.0p-53; }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  // [0, n); the modulo bias is below n / 2^64, far under anything observable here.
  std::uint64_t below(std::uint64_t n) { return n == 0 ? 0 : g_() % n; }
  // [lo, hi]
  std::int64_t between(std::int64_t lo, std::int64_t hi) {
    return lo + static_cast<std::int64_t>(below(static_cast<std::uint64_t>(hi - lo + 1)));
  }
  bool chance(double p) { return uniform() < p; }
  template <class T>
  const T& pick(std::span<const T> s) {
    return s[below(s.size())];
  }
  // mean scaled by a factor in [1 - spread, 1 + spread], rounded to a count.
  std::uint64_t around(double mean, double spread) {
    double v = mean * uniform(1.0 - spread, 1.0 + spread);
    return v <= 0 ? 0 : static_cast<std::uint64_t>(std::llround(v));
  }

 private:
  std::mt19937_64 g_;
};

}  // namespace kilter::loadgen
