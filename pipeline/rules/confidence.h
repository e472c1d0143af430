// Confidence intervals for share rules: the Wilson score interval of a share,
// and the inverse of the standard normal distribution it takes its z from.
// Pure functions, no state.
#pragma once

#include <cstdint>

namespace kilter::pipeline {

// Φ⁻¹(p): the standard normal quantile, for 0 < p < 1 (Acklam's rational
// approximation, refined by one Halley step: ~1e-15 relative). NaN outside (0, 1).
double inverse_normal(double p);

struct Interval {
  double lower = 0;
  double upper = 1;
};

// The two-sided Wilson score interval of `successes` out of `n` at
// `confidence` (0 < c < 1; z = Φ⁻¹((1 + c) / 2)), clamped to [0, 1]. With n = 0
// nothing is known: [0, 1].
Interval wilson_interval(std::uint64_t successes, std::uint64_t n, double confidence);

}  // namespace kilter::pipeline
