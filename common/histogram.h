// A fixed-bucket histogram (Prometheus style: cumulative buckets are derived at
// exposition). Plain counters, so components keep them without a metrics library.
#pragma once

#include <array>
#include <cstdint>
#include <span>

namespace kilter {

template <std::size_t N>
class Histogram {
 public:
  explicit constexpr Histogram(const std::array<double, N>& bounds) : bounds_(bounds) {}
  void observe(double v) {
    std::size_t i = 0;
    while (i < N && v > bounds_[i]) ++i;
    ++counts_[i];
    sum_ += v;
  }
  std::span<const double> bounds() const { return bounds_; }
  // Per-bucket counts (not cumulative); the last one is above every bound.
  std::span<const std::uint64_t> counts() const { return counts_; }
  double sum() const { return sum_; }
  std::uint64_t count() const {
    std::uint64_t n = 0;
    for (auto c : counts_) n += c;
    return n;
  }

 private:
  std::array<double, N> bounds_;
  std::array<std::uint64_t, N + 1> counts_{};
  double sum_ = 0;
};

}  // namespace kilter
